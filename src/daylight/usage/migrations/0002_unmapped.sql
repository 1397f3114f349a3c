-- CloudTrail records whose cloud account id no customer account declared: counted per source
-- file, never ingested (see docs/usage.md).
ALTER TABLE usage_ingest ADD COLUMN rows_unmapped BIGINT NOT NULL DEFAULT 0;
