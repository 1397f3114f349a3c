-- Re-importing accounts is a CRM re-sync: an account whose name, domains, place or creation date
-- changed is updated in registry_account, and the change is kept here with the account as it was
-- before (nothing of the earlier values is lost) and the log entry that records it.
CREATE TABLE registry_account_change (
    account_id TEXT NOT NULL REFERENCES registry_account (account_id),
    changed_at TEXT NOT NULL,
    fields TEXT NOT NULL,
    previous TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (account_id, log_index)
);

-- The cloud provider's 12-digit account ids of each account (CloudTrail's accountId), as a JSON
-- list: usage ingest maps CloudTrail records to the account that declared their id.
ALTER TABLE registry_account ADD COLUMN cloud_account_ids TEXT NOT NULL DEFAULT '[]';

-- The customer's own identifiers in US federal contracting, when the CRM holds them: UEI (SAM.gov)
-- and DUNS. Screening takes a match on them as strong evidence and a conflict as a reason to ask.
ALTER TABLE registry_account ADD COLUMN uei TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_account ADD COLUMN duns TEXT NOT NULL DEFAULT '';
