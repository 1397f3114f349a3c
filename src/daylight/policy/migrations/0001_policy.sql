-- The policy gate: published policy versions, decision counts and denials, per-period decision
-- digests, and audit findings, each with the index of its entry in the transparency log.

CREATE TABLE policy_version (
    version INTEGER PRIMARY KEY,
    packs TEXT NOT NULL,
    policy_text TEXT NOT NULL,
    policy_sha256 TEXT NOT NULL,
    schema_text TEXT NOT NULL,
    schema_sha256 TEXT NOT NULL,
    published_at TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    log_index BIGINT NOT NULL
);

CREATE TABLE policy_decision_count (
    day TEXT NOT NULL,
    account_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    outcome TEXT NOT NULL,
    policies TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    decisions BIGINT NOT NULL,
    PRIMARY KEY (day, account_id, operation, outcome, policies, policy_version)
);

CREATE TABLE policy_denial (
    denial_id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    account_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    context TEXT NOT NULL,
    reasons TEXT NOT NULL,
    errors TEXT NOT NULL,
    policy_version INTEGER NOT NULL
);
CREATE INDEX policy_denial_day ON policy_denial (day);

CREATE TABLE policy_decision_digest (
    period TEXT PRIMARY KEY,
    digest_sha256 TEXT NOT NULL,
    decisions BIGINT NOT NULL,
    denials BIGINT NOT NULL,
    log_index BIGINT NOT NULL,
    digested_at TEXT NOT NULL
);

CREATE TABLE policy_audit (
    period TEXT PRIMARY KEY,
    findings_sha256 TEXT NOT NULL,
    findings INTEGER NOT NULL,
    log_index BIGINT NOT NULL,
    audited_at TEXT NOT NULL
);

CREATE TABLE policy_audit_finding (
    period TEXT NOT NULL,
    account_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    policy_version INTEGER NOT NULL,
    policies TEXT NOT NULL,
    calls BIGINT NOT NULL,
    finding TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (period, account_id, operation, policy_version, policies)
);
