-- Pull endpoints (store and poll): senders post to the ingest URL with the same checks as
-- inbound endpoints; events wait here until a receiver reads and acknowledges them.
CREATE TABLE pull_endpoints (
    id                       TEXT PRIMARY KEY,      -- UUIDv7
    project_id               TEXT NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    description              TEXT,
    retention_days           INTEGER NOT NULL,
    event_type_source        TEXT,                  -- body | header
    event_type_path          TEXT,
    secret_token_hash        TEXT NOT NULL,
    verify_static_token      INTEGER NOT NULL DEFAULT 0,
    token_header_name        TEXT,
    token_query_param        TEXT,
    token_value_hash         TEXT,
    verify_hmac              INTEGER NOT NULL DEFAULT 0,
    hmac_header_name         TEXT,
    hmac_secret              TEXT,                  -- sealed
    timestamp_header_name    TEXT,
    timestamp_ttl_seconds    INTEGER,
    verify_ip_allowlist      INTEGER NOT NULL DEFAULT 0,
    allowed_cidrs            TEXT,                  -- JSON array
    idempotency_header_names TEXT,                  -- JSON array
    ingest_response_code     INTEGER NOT NULL DEFAULT 202,
    paused                   INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    deleted_at               INTEGER
);
CREATE INDEX pull_endpoints_project ON pull_endpoints(project_id, created_at DESC, id DESC);

CREATE TABLE pull_events (
    id                    TEXT PRIMARY KEY,         -- UUIDv7
    project_id            TEXT NOT NULL,
    pull_endpoint_id      TEXT NOT NULL,
    event_type            TEXT,
    status                TEXT NOT NULL,            -- stored | fetched | delivered
    content_type          TEXT NOT NULL,
    headers_json          TEXT,
    payload               BLOB,                     -- NULL once deleted
    payload_sha256        TEXT NOT NULL,
    size_bytes            INTEGER NOT NULL,
    idempotency_key       TEXT,                     -- released (NULL) on deletion
    received_at           INTEGER NOT NULL,
    ingest_ms             INTEGER,
    fetched_at            INTEGER,
    delivered_at          INTEGER,
    deleted_at            INTEGER,
    deleted_by_api_key_id TEXT
);
CREATE INDEX pull_events_endpoint ON pull_events(pull_endpoint_id, received_at DESC, id DESC);
CREATE INDEX pull_events_project ON pull_events(project_id, received_at DESC, id DESC);
CREATE UNIQUE INDEX pull_events_idempotency ON pull_events(pull_endpoint_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
