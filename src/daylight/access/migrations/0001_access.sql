-- Access: the HTTP service's API tokens. The secret is never stored: only its SHA-256 (hex).
-- Rows are never deleted; revoking a token sets revoked_at once.
CREATE TABLE access_token (
    token_id TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    accounts TEXT NOT NULL,
    identity TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
