-- HookBridge server schema on PostgreSQL, version 1: the same model as the SQLite schema at its
-- version 6. All times are Unix milliseconds (UTC) in BIGINT columns.

CREATE TABLE projects (
    id                 TEXT PRIMARY KEY,            -- UUIDv7
    tenant_id          TEXT NOT NULL,
    name               TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'active',
    rate_limit_default BIGINT NOT NULL DEFAULT 1000, -- API requests per minute
    created_at         BIGINT NOT NULL,
    deleted_at         BIGINT
);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,                  -- key_ + 24 hex
    project_id   TEXT NOT NULL REFERENCES projects(id),
    key_hash     TEXT NOT NULL UNIQUE,              -- hex SHA-256 of the full key
    prefix       TEXT NOT NULL,                     -- first 11 characters
    mode         TEXT NOT NULL,                     -- live | test
    label        TEXT,
    scope        TEXT NOT NULL DEFAULT 'project',   -- project | admin
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_project ON api_keys(project_id, created_at);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,                -- ep_ + 32 hex
    project_id     TEXT NOT NULL REFERENCES projects(id),
    url            TEXT NOT NULL,
    description    TEXT,
    rate_limit_rps BIGINT NOT NULL DEFAULT 0,       -- 0 = unlimited
    burst          BIGINT NOT NULL DEFAULT 0,       -- 0 = same as rate_limit_rps
    headers        TEXT,                            -- sealed JSON object of custom headers
    paused         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    deleted_at     BIGINT
);
CREATE UNIQUE INDEX endpoints_live_url ON endpoints(project_id, url) WHERE deleted_at IS NULL;
CREATE INDEX endpoints_project ON endpoints(project_id, created_at DESC, id DESC);

-- Signing keys of outbound endpoints and of inbound endpoints with signing enabled.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,                   -- sk_ + 32 hex
    owner_id    TEXT NOT NULL,                      -- endpoint id or inbound endpoint id
    secret      TEXT NOT NULL,                      -- sealed whsec_ + 32 chars
    created_at  BIGINT NOT NULL,
    deleted_at  BIGINT
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
    attempt_count       BIGINT NOT NULL DEFAULT 0,
    replay_count        BIGINT NOT NULL DEFAULT 0,
    fast_retry_count    BIGINT NOT NULL DEFAULT 0,  -- retries taken on the 429 track
    slow_retry_count    BIGINT NOT NULL DEFAULT 0,  -- retries taken on the slow track
    content_type        TEXT NOT NULL,
    payload             BYTEA,                      -- NULL once purged
    size_bytes          BIGINT NOT NULL,
    payload_sha256      TEXT NOT NULL,
    headers             TEXT,                       -- JSON object: custom headers (outbound) or kept original headers (inbound)
    idempotency_key     TEXT,
    signed_at           BIGINT NOT NULL,            -- Unix seconds sent as X-Webhook-Timestamp
    next_attempt_at     BIGINT,                     -- when due (queued / pending_retry)
    lease_until         BIGINT,                     -- while delivering: when the claim expires
    leased_by           TEXT,                       -- while delivering: the node holding the lease
    last_error          TEXT,
    response_status     BIGINT,
    response_latency_ms BIGINT,
    delivered_at        BIGINT,
    failed_at           BIGINT,
    retention_hours     BIGINT,
    created_at          BIGINT NOT NULL,            -- received_at for inbound
    updated_at          BIGINT NOT NULL
);
-- Idempotency across every node: the second insert of a key loses the race and reads the first.
CREATE UNIQUE INDEX messages_idempotency ON messages(endpoint_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_due ON messages(next_attempt_at) WHERE status IN ('queued', 'pending_retry');
CREATE INDEX messages_leased ON messages(lease_until) WHERE status = 'delivering';
CREATE INDEX messages_listing ON messages(project_id, direction, created_at DESC, id DESC);
CREATE INDEX messages_status ON messages(project_id, direction, status, created_at DESC);
CREATE INDEX messages_endpoint ON messages(endpoint_id, status);
CREATE INDEX messages_waiting ON messages(project_id, endpoint_id, next_attempt_at)
    WHERE status IN ('queued', 'pending_retry');

-- One row per delivery attempt.
CREATE TABLE attempts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      TEXT NOT NULL,
    project_id      TEXT NOT NULL,
    direction       TEXT NOT NULL,
    attempt_no      BIGINT NOT NULL,
    response_status BIGINT,
    latency_ms      BIGINT NOT NULL,
    error           TEXT,
    outcome         TEXT NOT NULL,                  -- succeeded | retry_fast | retry_slow | failed_permanent
    retry_after_ms  BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX attempts_message ON attempts(message_id, attempt_no);
CREATE INDEX attempts_project_time ON attempts(project_id, direction, created_at);

CREATE TABLE exports (
    id                 TEXT PRIMARY KEY,            -- UUIDv7
    project_id         TEXT NOT NULL,
    status             TEXT NOT NULL,               -- pending | processing | completed | failed | expired
    direction          TEXT NOT NULL DEFAULT 'outbound',
    filter_start_time  BIGINT NOT NULL,
    filter_end_time    BIGINT NOT NULL,
    filter_status      TEXT,
    filter_endpoint_id TEXT,
    row_count          BIGINT,
    file_size_bytes    BIGINT,
    file_path          TEXT,
    download_token     TEXT,
    error_message      TEXT,
    started_at         BIGINT,
    completed_at       BIGINT,
    expires_at         BIGINT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX exports_project ON exports(project_id, created_at DESC);

CREATE TABLE inbound_endpoints (
    id                       TEXT PRIMARY KEY,      -- UUIDv7
    project_id               TEXT NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    description              TEXT,
    url                      TEXT NOT NULL,
    secret_token_hash        TEXT NOT NULL,
    verify_static_token      BOOLEAN NOT NULL DEFAULT FALSE,
    token_header_name        TEXT,
    token_query_param        TEXT,
    token_value_hash         TEXT,
    verify_hmac              BOOLEAN NOT NULL DEFAULT FALSE,
    hmac_header_name         TEXT,
    hmac_secret              TEXT,
    timestamp_header_name    TEXT,
    timestamp_ttl_seconds    BIGINT,
    verify_ip_allowlist      BOOLEAN NOT NULL DEFAULT FALSE,
    allowed_cidrs            TEXT,                  -- JSON array
    idempotency_header_names TEXT,                  -- JSON array
    ingest_response_code     BIGINT NOT NULL DEFAULT 202,
    signing_enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    paused                   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    deleted_at               BIGINT
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
    received_at         BIGINT NOT NULL
);
CREATE INDEX inbound_rejections_project ON inbound_rejections(project_id, received_at DESC, id DESC);
CREATE INDEX inbound_rejections_endpoint ON inbound_rejections(inbound_endpoint_id, received_at DESC, id DESC);

-- Signatures of accepted signed inbound requests, kept while their timestamp is within the
-- endpoint's window, so the same signed request is not accepted twice (on any node).
CREATE TABLE inbound_signatures (
    endpoint_id TEXT NOT NULL,
    signature   TEXT NOT NULL,              -- hex HMAC-SHA256 that verified
    message_id  TEXT NOT NULL,              -- the message the request created
    expires_at  BIGINT NOT NULL,            -- Unix ms; the entry is dropped from then on
    PRIMARY KEY (endpoint_id, signature)
);
CREATE INDEX inbound_signatures_expiry ON inbound_signatures(expires_at);

-- The key check value of secrets at rest: the id of the key every sealed value is encrypted with.
CREATE TABLE secrets_key (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    key_id     TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Facts about the deployment itself, e.g. `created_mode` (dev | production).
CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
