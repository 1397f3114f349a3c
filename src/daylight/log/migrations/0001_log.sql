-- The transparency log: one log per database.
CREATE TABLE log_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL,
    vkey TEXT NOT NULL,
    sequenced_size BIGINT NOT NULL,
    integrated_size BIGINT NOT NULL
);

-- Entries, durable from the moment they are sequenced; never updated or deleted.
CREATE TABLE log_entry (
    idx BIGINT PRIMARY KEY,
    data BLOB NOT NULL
);

-- Stored tiles: the bottom row of a tlog-tiles tile plus the seven rows above it.
CREATE TABLE log_tile (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    width INTEGER NOT NULL,
    nodes BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Every checkpoint the log has signed, so that any earlier view can be proved consistent.
CREATE TABLE log_checkpoint (
    tree_size BIGINT PRIMARY KEY,
    root_hash BLOB NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);
