"""Access: the service's API tokens (roles, accounts, expiry, revocation), stored only as hashes."""
