-- Rejection records are capped per endpoint as they are written (oldest deleted first).
CREATE INDEX inbound_rejections_endpoint ON inbound_rejections(inbound_endpoint_id, received_at DESC, id DESC);

-- Signatures of accepted signed inbound requests, kept while their timestamp is within the
-- endpoint's window, so the same signed request is not accepted twice.
CREATE TABLE inbound_signatures (
    endpoint_id TEXT NOT NULL,
    signature   TEXT NOT NULL,              -- hex HMAC-SHA256 that verified
    message_id  TEXT NOT NULL,              -- the message the request created
    expires_at  INTEGER NOT NULL,           -- Unix ms; the entry is dropped from then on
    PRIMARY KEY (endpoint_id, signature)
) WITHOUT ROWID;
CREATE INDEX inbound_signatures_expiry ON inbound_signatures(expires_at);
