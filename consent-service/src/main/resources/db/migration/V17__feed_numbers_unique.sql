-- Each number of the change feed is given once: since writers number their own entries, a unique
-- index turns any fault in that numbering into a failed write (tried again, with the counter as it
-- then is) rather than two changes under one number, one of which readers would never see. It
-- replaces V5's index on seq, which served the same reads. Entries not yet numbered (null) are not
-- compared.
CREATE UNIQUE INDEX consent_change_seq_unique ON consent_change (seq);
DROP INDEX consent_change_by_seq;
