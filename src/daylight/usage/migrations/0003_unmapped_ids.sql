-- The unmapped CloudTrail records of each ingested file, per cloud account id (rows_unmapped is
-- their sum): what `daylight usage unmapped` lists. Files ingested before this table existed
-- kept only the sum.
CREATE TABLE usage_unmapped (
    ingest_id TEXT NOT NULL REFERENCES usage_ingest (ingest_id),
    cloud_account_id TEXT NOT NULL,
    records BIGINT NOT NULL,
    PRIMARY KEY (ingest_id, cloud_account_id)
);
