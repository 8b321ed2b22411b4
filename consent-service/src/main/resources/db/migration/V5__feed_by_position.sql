-- The change feed reads every application's new changes at once, by position (one read per pass
-- for all waiting requests): an index on seq alone serves that range.
CREATE INDEX consent_change_by_seq ON consent_change (seq);
