-- The key check value of secrets at rest: the id of the key every sealed value is encrypted
-- with (signing_keys.secret, endpoints.headers, inbound_endpoints.hmac_secret,
-- exports.download_token). No row yet: the stored values are plaintext and get sealed at start.
CREATE TABLE secrets_key (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    key_id     TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
