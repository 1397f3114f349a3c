-- Keyset pages of the HTTP API's lists (daylight.core.keyset): the review queue is read by
-- status in account id order, corrections in the order filed (their log index).
CREATE INDEX registry_resolution_status_account ON registry_resolution (status, account_id);
CREATE INDEX registry_correction_filed ON registry_correction (filed_log_index, correction_id);
