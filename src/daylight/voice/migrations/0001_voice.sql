-- Voice: customers' declarations and their reviews, employees' objections with their
-- signatures, and standing refusals. No signer's identity is stored in clear: a signature keeps
-- a keyed tag (duplicates), a salted commitment (public) and the identity and salt sealed to
-- the review key.
CREATE TABLE voice_declaration (
    declaration_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    capability TEXT NOT NULL,
    purpose TEXT NOT NULL,
    fields TEXT NOT NULL,
    approvals_required INTEGER NOT NULL,
    status TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    log_index BIGINT NOT NULL
);
CREATE INDEX voice_declaration_account ON voice_declaration (account_id);
CREATE INDEX voice_declaration_status ON voice_declaration (status);

CREATE TABLE voice_reviewer (
    identity TEXT PRIMARY KEY,
    pseudonym TEXT NOT NULL UNIQUE
);

CREATE TABLE voice_review (
    declaration_id TEXT NOT NULL REFERENCES voice_declaration (declaration_id),
    step INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    rationale TEXT NOT NULL,
    status TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (declaration_id, step)
);

CREATE TABLE voice_objection (
    objection_id TEXT PRIMARY KEY,
    about_kind TEXT NOT NULL,
    about_id TEXT NOT NULL,
    statement TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    signatures INTEGER NOT NULL,
    status TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    review_opened_at TEXT,
    outcome TEXT,
    rationale TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    log_index BIGINT NOT NULL
);

CREATE TABLE voice_signature (
    objection_id TEXT NOT NULL REFERENCES voice_objection (objection_id),
    position INTEGER NOT NULL,
    tag TEXT NOT NULL,
    commitment TEXT NOT NULL,
    sealed BLOB NOT NULL,
    signed_at TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (objection_id, position),
    UNIQUE (objection_id, tag)
);

CREATE TABLE voice_refusal (
    refusal_id TEXT PRIMARY KEY,
    about_kind TEXT NOT NULL,
    about_id TEXT NOT NULL,
    tag TEXT NOT NULL UNIQUE,
    commitment TEXT NOT NULL,
    sealed BLOB NOT NULL,
    recorded_at TEXT NOT NULL,
    log_index BIGINT NOT NULL
);
CREATE INDEX voice_refusal_about ON voice_refusal (about_kind, about_id);
