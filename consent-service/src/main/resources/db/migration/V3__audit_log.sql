-- Regulators' reads of patient-level data are access records too: accessor REGULATOR, no purpose,
-- the reason they gave, and the regulator in application_id.
ALTER TABLE access_record ADD COLUMN accessor_type VARCHAR(16) DEFAULT 'APPLICATION' NOT NULL;
ALTER TABLE access_record ALTER COLUMN purpose DROP NOT NULL;
ALTER TABLE access_record ADD COLUMN reason VARCHAR(500);

-- The tamper-evident log (RFC 9162): every consent event and access record is a leaf, numbered
-- by the appender in one order across instances. merkle_node keeps the hash of every complete
-- subtree (level 0: the leaves), which is all that roots and proofs of any size need.
ALTER TABLE access_record ADD COLUMN leaf_index BIGINT;
ALTER TABLE consent_event ADD COLUMN leaf_index BIGINT;
CREATE INDEX access_record_unlogged ON access_record (leaf_index, received_at);
CREATE INDEX consent_event_unlogged ON consent_event (leaf_index, seq);
CREATE INDEX access_record_by_application ON access_record (application_id, at);

CREATE TABLE merkle_node (
    lvl       SMALLINT    NOT NULL,
    idx       BIGINT      NOT NULL,
    node_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (lvl, idx)
);

-- The log's size; its row lock makes one appender run at a time across instances.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    tree_size BIGINT  NOT NULL
);
INSERT INTO audit_log (id, tree_size) VALUES (1, 0);

CREATE TABLE checkpoint (
    tree_size BIGINT       PRIMARY KEY,
    root_hash VARCHAR(64)  NOT NULL,
    signature VARCHAR(200) NOT NULL,
    key_id    VARCHAR(16)  NOT NULL,
    at        TIMESTAMP WITH TIME ZONE NOT NULL
);
