-- Background jobs shared by every node: exports are built under a lease (a node that dies
-- mid-export loses it and another node builds the export again), and their content lives in
-- the database, so any node can serve the download.
ALTER TABLE exports ADD COLUMN lease_until BIGINT;  -- while processing: when the builder's claim ends
ALTER TABLE exports ADD COLUMN leased_by TEXT;      -- while processing: the claim (node and a fresh id)
CREATE INDEX exports_waiting ON exports(created_at) WHERE status IN ('pending', 'processing');
CREATE INDEX exports_expiring ON exports(expires_at) WHERE status = 'completed';

-- The JSON lines of an export, in parts written in order (part 0 first), one per page of logs.
CREATE TABLE export_contents (
    export_id TEXT NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
    part      BIGINT NOT NULL,
    content   BYTEA NOT NULL,
    PRIMARY KEY (export_id, part)
);
