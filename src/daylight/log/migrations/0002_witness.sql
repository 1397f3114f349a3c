-- Witnesses (C2SP tlog-witness, tlog-cosignature/v1), both sides.

-- The log's side: cosignatures collected from witnesses for the checkpoints it signed.
CREATE TABLE log_cosignature (
    tree_size BIGINT NOT NULL,
    witness TEXT NOT NULL,        -- the key name in the signature line
    key_hash TEXT NOT NULL,       -- hex of the line's 4-byte key hash
    line TEXT NOT NULL,           -- the signature line as received, without its newline
    url TEXT NOT NULL,            -- where it was collected
    received_at TEXT NOT NULL,
    PRIMARY KEY (tree_size, witness, key_hash)
);

-- The witness's side: the latest checkpoint it cosigned, per log origin.
CREATE TABLE witness_checkpoint (
    origin TEXT PRIMARY KEY,
    tree_size BIGINT NOT NULL,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    cosigned_at TEXT NOT NULL
);

-- Evidence of every refused fork: a validly signed checkpoint that does not extend the one
-- cosigned (a bad consistency proof, or another root at the same size). Never deleted.
CREATE TABLE witness_refusal (
    refusal_id TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    reason TEXT NOT NULL,
    request TEXT NOT NULL,        -- the add-checkpoint body exactly as received
    cosigned_note TEXT NOT NULL   -- the witness's latest cosigned checkpoint at that moment
);
