-- An endpoint's messages that are queued or paused, by endpoint and status: what pausing,
-- resuming and deleting an endpoint change (deleting also reads `messages_waiting` for the
-- endpoint's pending retries). It replaces `messages_endpoint`, which had an entry for every
-- message: a message being delivered or finished no longer costs one, so a send stored already
-- claimed and then delivered never enters this index. The statements that read it repeat its
-- condition word for word (SQLite uses a partial index only when the query's WHERE clause
-- contains the index's terms). Two statuses, not three: SQLite tests an IN list of three or more
-- values through a temporary table, and it would build one for every update of a message's
-- status to check this condition.
CREATE INDEX messages_endpoint_held ON messages(endpoint_id, status) WHERE status IN ('queued', 'paused');
DROP INDEX IF EXISTS messages_endpoint;
