-- Usage: the manifest of ingested source files and stored Parquet files, the aggregates per
-- account × service × operation × period, and the usage digest of each account and period with
-- the index of its entry in the transparency log.

CREATE TABLE usage_ingest (
    ingest_id TEXT PRIMARY KEY,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL UNIQUE,
    source_format TEXT NOT NULL,
    rows_ingested BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    rows_ignored BIGINT NOT NULL,
    synthetic INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE usage_file (
    path TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    ingest_id TEXT NOT NULL REFERENCES usage_ingest (ingest_id),
    rows BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL
);

CREATE INDEX usage_file_by_day ON usage_file (day);

CREATE TABLE usage_aggregate (
    period TEXT NOT NULL,
    account_id TEXT NOT NULL,
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    calls BIGINT NOT NULL,
    units BIGINT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    regions TEXT NOT NULL,
    synthetic INTEGER NOT NULL,
    PRIMARY KEY (period, account_id, service, operation)
);

CREATE TABLE usage_digest (
    period TEXT NOT NULL,
    account_id TEXT NOT NULL,
    digest_sha256 TEXT NOT NULL,
    partitions_sha256 TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    engine TEXT NOT NULL,
    aggregated_at TEXT NOT NULL,
    PRIMARY KEY (period, account_id)
);

CREATE TABLE usage_period (
    period TEXT PRIMARY KEY,
    aggregate_rows BIGINT NOT NULL,
    accounts BIGINT NOT NULL,
    partitions_sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    aggregated_at TEXT NOT NULL
);
