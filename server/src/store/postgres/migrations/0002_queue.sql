-- The delivery queue shared by every node, version 2: each endpoint's rate limit is one token
-- bucket in the database, so `rate_limit_rps`/`burst` hold in total over all nodes.
CREATE TABLE endpoint_rate_buckets (
    endpoint_id TEXT PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,  -- tokens left at updated_at
    updated_at  BIGINT NOT NULL             -- Unix ms
);
