-- Witnesses' cosignatures of the log's checkpoints (c2sp.org/tlog-witness), and the size each
-- witness last cosigned, from which the next consistency proof starts.
CREATE TABLE cosignature (
    tree_size BIGINT       NOT NULL,
    witness   VARCHAR(200) NOT NULL,
    line      VARCHAR(400) NOT NULL,
    PRIMARY KEY (tree_size, witness)
);

CREATE TABLE witness_state (
    witness   VARCHAR(200) PRIMARY KEY,
    tree_size BIGINT       NOT NULL
);
