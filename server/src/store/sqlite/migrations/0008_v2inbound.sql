-- Inbound endpoint mode: `forward` (the default, every existing endpoint) forwards accepted
-- requests to `url`; `cli` keeps them as `stored` messages for a listener and has no URL ('').
ALTER TABLE inbound_endpoints ADD COLUMN mode TEXT NOT NULL DEFAULT 'forward' CHECK (mode IN ('forward', 'cli'));
-- The listen route reads an endpoint's messages in id (UUIDv7) order after a cursor.
CREATE INDEX messages_endpoint_order ON messages(endpoint_id, id);
