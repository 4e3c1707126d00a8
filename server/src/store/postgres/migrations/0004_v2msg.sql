-- Soft deletion of messages: the payload is purged and the record kept, with when and by which
-- API key it was deleted. The idempotency key is cleared at deletion, which releases it.
ALTER TABLE messages ADD COLUMN deleted_at BIGINT;             -- Unix ms; NULL while not deleted
ALTER TABLE messages ADD COLUMN deleted_by_api_key_id TEXT;    -- the key that deleted it

-- Attempt detail: what was sent and what came back, as far as the delivery client measures it.
ALTER TABLE attempts ADD COLUMN resolved_ip TEXT;              -- address the request went to
ALTER TABLE attempts ADD COLUMN request_headers TEXT;          -- JSON object, secrets masked
ALTER TABLE attempts ADD COLUMN response_headers TEXT;         -- JSON object, secrets masked
ALTER TABLE attempts ADD COLUMN response_body TEXT;            -- the start of the response body
ALTER TABLE attempts ADD COLUMN response_body_truncated BOOLEAN; -- true when the body was longer
ALTER TABLE attempts ADD COLUMN ttfb_ms BIGINT;                -- request start to response headers
