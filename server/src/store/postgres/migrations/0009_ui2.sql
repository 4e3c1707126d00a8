-- Dashboard sessions ended by logging out: their sealed tokens are refused until they expire
-- (Unix ms), when the row may go.
CREATE TABLE ui_revoked_sessions (
    session_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
