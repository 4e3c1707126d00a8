-- Exports may cover inbound messages too (CONTRACT.md 2.13: `direction`, default outbound).
ALTER TABLE exports ADD COLUMN direction TEXT NOT NULL DEFAULT 'outbound';
