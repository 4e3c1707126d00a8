-- Exports may cover inbound messages too (`direction`, default outbound).
ALTER TABLE exports ADD COLUMN direction TEXT NOT NULL DEFAULT 'outbound';
