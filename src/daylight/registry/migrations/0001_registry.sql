-- The registry: reference organisations and relationships, the provider's accounts, their
-- resolutions (current screening outcome), reviewer judgements and classifications.
CREATE TABLE registry_reference (
    digest TEXT PRIMARY KEY,
    organizations INTEGER NOT NULL,
    relationships INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    log_index BIGINT NOT NULL
);

CREATE TABLE registry_organization (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sector TEXT NOT NULL,
    role TEXT,
    schema_name TEXT NOT NULL,
    state TEXT NOT NULL,
    county TEXT NOT NULL,
    city TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    aliases TEXT NOT NULL,
    sources TEXT NOT NULL
);

CREATE TABLE registry_relationship (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    amount REAL,
    description TEXT NOT NULL,
    evidence TEXT NOT NULL,
    source TEXT NOT NULL,
    log_index BIGINT NOT NULL
);
CREATE INDEX registry_relationship_source ON registry_relationship (source_id);
CREATE INDEX registry_relationship_target ON registry_relationship (target_id);

CREATE TABLE registry_account (
    account_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email_domains TEXT NOT NULL,
    city TEXT NOT NULL,
    state TEXT NOT NULL,
    country TEXT NOT NULL,
    created_at TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE registry_resolution (
    account_id TEXT PRIMARY KEY REFERENCES registry_account (account_id),
    status TEXT NOT NULL,
    organization_id TEXT,
    score REAL,
    features TEXT NOT NULL,
    screened_at TEXT NOT NULL
);
CREATE INDEX registry_resolution_status ON registry_resolution (status);

CREATE TABLE registry_judgement (
    account_id TEXT NOT NULL REFERENCES registry_account (account_id),
    organization_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (account_id, organization_id)
);

CREATE TABLE registry_classification (
    account_id TEXT PRIMARY KEY REFERENCES registry_account (account_id),
    sector TEXT NOT NULL,
    supports TEXT NOT NULL,
    classified_at TEXT NOT NULL,
    log_index BIGINT
);
