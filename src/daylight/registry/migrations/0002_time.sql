-- Time and corrections: organisations a newer reference build merged (redirect_to) or dropped
-- (withdrawn_by: the digest of the build that withdrew it), relationships a newer build no
-- longer lists (withdrawn_by), and corrections filed against a classification and reviewed.
-- Nothing is deleted: a withdrawn row stays, marked.
ALTER TABLE registry_organization ADD COLUMN redirect_to TEXT;
ALTER TABLE registry_organization ADD COLUMN withdrawn_by TEXT;
ALTER TABLE registry_relationship ADD COLUMN withdrawn_by TEXT;

CREATE TABLE registry_correction (
    correction_id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    claim TEXT NOT NULL,
    evidence TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    filed_log_index BIGINT NOT NULL,
    status TEXT NOT NULL,
    reviewer TEXT,
    rationale TEXT,
    effective TEXT,
    sectors TEXT,
    reviewed_at TEXT,
    review_log_index BIGINT
);
CREATE INDEX registry_correction_organization ON registry_correction (organization_id);
