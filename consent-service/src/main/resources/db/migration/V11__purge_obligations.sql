-- What an application owes after a secondary purpose stops being granted (withdrawn, refused after
-- a grant, expired, or withdrawn by CARE's withdrawal): the erasure of what it extracted under it.
-- event_seq is the consent event that created the obligation; the feed carries the id with it.
CREATE TABLE purge_obligation (
    id               VARCHAR(36) PRIMARY KEY,
    patient_id       VARCHAR(64) NOT NULL,
    application_id   VARCHAR(64) NOT NULL,
    purpose          VARCHAR(32) NOT NULL,
    event_seq        BIGINT      NOT NULL,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    confirmed_at     TIMESTAMP WITH TIME ZONE,
    overdue_reported BOOLEAN     DEFAULT FALSE NOT NULL
);
CREATE INDEX purge_by_patient ON purge_obligation (patient_id, created_at);
CREATE INDEX purge_pending ON purge_obligation (application_id, confirmed_at, created_at);
CREATE INDEX purge_overdue ON purge_obligation (overdue_reported, confirmed_at, created_at);
ALTER TABLE consent_change ADD COLUMN purge_id VARCHAR(36);
-- Findings by application and kind together (a regulator's most common question).
CREATE INDEX finding_by_application_kind ON finding (application_id, kind, at, id);
