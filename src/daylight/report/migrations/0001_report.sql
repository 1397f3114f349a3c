-- The report: every published row with the index of the log entry that proves it, and every
-- publication (the `report.published` entry) of a period, so that re-building a period from
-- unchanged state appends nothing and the next period can say what changed.

CREATE TABLE report_row (
    period TEXT NOT NULL,
    row_id TEXT NOT NULL,
    table_name TEXT NOT NULL,
    organization_id TEXT,
    row_sha256 TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (period, row_id)
);

CREATE TABLE report_publication (
    log_index BIGINT PRIMARY KEY,
    period TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    proven_tree_size BIGINT NOT NULL,
    sha256sums TEXT NOT NULL,
    published_at TEXT NOT NULL
);

CREATE INDEX report_publication_by_period ON report_publication (period);
