-- Keyset pages of the HTTP API's lists (daylight.core.keyset): declarations and objections are
-- read in the order filed (their log index).
CREATE INDEX voice_declaration_filed ON voice_declaration (log_index, declaration_id);
CREATE INDEX voice_objection_filed ON voice_objection (log_index, objection_id);
