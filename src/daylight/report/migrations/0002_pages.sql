-- Keyset pages of the HTTP API's list of published reports (daylight.core.keyset): each
-- period's latest publication, by period start.
CREATE INDEX report_publication_by_start ON report_publication (period_start, period);
CREATE INDEX report_publication_latest ON report_publication (period, log_index);
