-- HookBridge server schema, version 1. All times are Unix milliseconds (UTC).

CREATE TABLE projects (
    id                 TEXT PRIMARY KEY,            -- UUIDv7
    tenant_id          TEXT NOT NULL,
    name               TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'active',
    rate_limit_default INTEGER NOT NULL DEFAULT 1000, -- API requests per minute
    created_at         INTEGER NOT NULL,
    deleted_at         INTEGER
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,                  -- key_ + 24 hex
    project_id   TEXT NOT NULL REFERENCES projects(id),
    key_hash     TEXT NOT NULL UNIQUE,              -- hex SHA-256 of the full key
    prefix       TEXT NOT NULL,                     -- first 11 characters
    mode         TEXT NOT NULL,                     -- live | test
    label        TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_project ON api_keys(project_id, created_at);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,                -- ep_ + 32 hex
    project_id     TEXT NOT NULL REFERENCES projects(id),
    url            TEXT NOT NULL,
    description    TEXT,
    rate_limit_rps INTEGER NOT NULL DEFAULT 0,      -- 0 = unlimited
    burst          INTEGER NOT NULL DEFAULT 0,      -- 0 = same as rate_limit_rps
    headers        TEXT,                            -- JSON object of custom headers
    paused         INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted_at     INTEGER
);
CREATE UNIQUE INDEX endpoints_live_url ON endpoints(project_id, url) WHERE deleted_at IS NULL;
CREATE INDEX endpoints_project ON endpoints(project_id, created_at DESC, id DESC);

-- Signing keys of outbound endpoints and of inbound endpoints with signing enabled.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,                   -- sk_ + 32 hex
    owner_id    TEXT NOT NULL,                      -- endpoint id or inbound endpoint id
    secret      TEXT NOT NULL,                      -- whsec_ + 32 chars
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX signing_keys_owner ON signing_keys(owner_id, created_at);

-- Outbound and inbound messages share one table and one delivery queue.
CREATE TABLE messages (
    id                  TEXT PRIMARY KEY,           -- UUIDv7
    project_id          TEXT NOT NULL,
    direction           TEXT NOT NULL,              -- outbound | inbound
    endpoint_id         TEXT NOT NULL,              -- ep_... or inbound endpoint id
    destination_url     TEXT NOT NULL,              -- URL at send/receive time
    status              TEXT NOT NULL,              -- queued | delivering | succeeded | pending_retry | failed_permanent | paused
    attempt_count       INTEGER NOT NULL DEFAULT 0,
    replay_count        INTEGER NOT NULL DEFAULT 0,
    fast_retry_count    INTEGER NOT NULL DEFAULT 0, -- retries taken on the 429 track
    slow_retry_count    INTEGER NOT NULL DEFAULT 0, -- retries taken on the slow track
    content_type        TEXT NOT NULL,
    payload             BLOB,                       -- NULL once purged
    size_bytes          INTEGER NOT NULL,
    payload_sha256      TEXT NOT NULL,
    headers             TEXT,                       -- JSON object: custom headers (outbound) or kept original headers (inbound)
    idempotency_key     TEXT,
    signed_at           INTEGER NOT NULL,           -- Unix seconds sent as X-Webhook-Timestamp
    next_attempt_at     INTEGER,                    -- when due (queued / pending_retry)
    lease_until         INTEGER,                    -- while delivering: when the claim expires
    last_error          TEXT,
    response_status     INTEGER,
    response_latency_ms INTEGER,
    delivered_at        INTEGER,
    failed_at           INTEGER,
    retention_hours     INTEGER,
    created_at          INTEGER NOT NULL,           -- received_at for inbound
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX messages_idempotency ON messages(endpoint_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_due ON messages(next_attempt_at) WHERE status IN ('queued', 'pending_retry');
CREATE INDEX messages_leased ON messages(lease_until) WHERE status = 'delivering';
CREATE INDEX messages_listing ON messages(project_id, direction, created_at DESC, id DESC);
CREATE INDEX messages_status ON messages(project_id, direction, status, created_at DESC);
CREATE INDEX messages_endpoint ON messages(endpoint_id, status);

-- One row per delivery attempt.
CREATE TABLE attempts (
    id              INTEGER PRIMARY KEY,
    message_id      TEXT NOT NULL,
    project_id      TEXT NOT NULL,
    direction       TEXT NOT NULL,
    attempt_no      INTEGER NOT NULL,
    response_status INTEGER,
    latency_ms      INTEGER NOT NULL,
    error           TEXT,
    outcome         TEXT NOT NULL,                  -- succeeded | retry_fast | retry_slow | failed_permanent
    retry_after_ms  INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX attempts_message ON attempts(message_id, attempt_no);
CREATE INDEX attempts_project_time ON attempts(project_id, direction, created_at);

CREATE TABLE exports (
    id                 TEXT PRIMARY KEY,            -- UUIDv7
    project_id         TEXT NOT NULL,
    status             TEXT NOT NULL,               -- pending | processing | completed | failed | expired
    filter_start_time  INTEGER NOT NULL,
    filter_end_time    INTEGER NOT NULL,
    filter_status      TEXT,
    filter_endpoint_id TEXT,
    row_count          INTEGER,
    file_size_bytes    INTEGER,
    file_path          TEXT,
    download_token     TEXT,
    error_message      TEXT,
    started_at         INTEGER,
    completed_at       INTEGER,
    expires_at         INTEGER,
    created_at         INTEGER NOT NULL
);
CREATE INDEX exports_project ON exports(project_id, created_at DESC);

CREATE TABLE inbound_endpoints (
    id                       TEXT PRIMARY KEY,      -- UUIDv7
    project_id               TEXT NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    description              TEXT,
    url                      TEXT NOT NULL,
    secret_token_hash        TEXT NOT NULL,
    verify_static_token      INTEGER NOT NULL DEFAULT 0,
    token_header_name        TEXT,
    token_query_param        TEXT,
    token_value_hash         TEXT,
    verify_hmac              INTEGER NOT NULL DEFAULT 0,
    hmac_header_name         TEXT,
    hmac_secret              TEXT,
    timestamp_header_name    TEXT,
    timestamp_ttl_seconds    INTEGER,
    verify_ip_allowlist      INTEGER NOT NULL DEFAULT 0,
    allowed_cidrs            TEXT,                  -- JSON array
    idempotency_header_names TEXT,                  -- JSON array
    ingest_response_code     INTEGER NOT NULL DEFAULT 202,
    signing_enabled          INTEGER NOT NULL DEFAULT 0,
    paused                   INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    deleted_at               INTEGER
);
CREATE INDEX inbound_endpoints_project ON inbound_endpoints(project_id, created_at DESC, id DESC);

CREATE TABLE inbound_rejections (
    id                  TEXT PRIMARY KEY,           -- UUIDv7
    project_id          TEXT,                       -- NULL when the endpoint is unknown
    inbound_endpoint_id TEXT,
    reason_code         TEXT NOT NULL,
    reason_detail       TEXT,
    source_ip           TEXT,
    headers_redacted    TEXT,
    received_at         INTEGER NOT NULL
);
CREATE INDEX inbound_rejections_project ON inbound_rejections(project_id, received_at DESC, id DESC);
