-- Time-boxed grants: when a grant ends (null: until the patient changes their mind), and the
-- longest grant an application declares for a purpose (null: no limit).
ALTER TABLE consent ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE consent_event ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE declared_purpose ADD COLUMN longest_grant_days INTEGER;
-- The expiry pass finds the grants that are due.
CREATE INDEX consent_expiring ON consent (expires_at);
-- Each notice version may carry an easy-to-read summary beside its full text.
ALTER TABLE notice ADD COLUMN easy_fr VARCHAR(1000);
ALTER TABLE notice ADD COLUMN easy_en VARCHAR(1000);
