-- Every SQLite query for waiting messages names `messages_waiting` (project, endpoint, due time),
-- so `messages_due` (due time alone) was never read. It still cost an entry on every insert and
-- a change on every claim and retry, on the single writer thread. PostgreSQL keeps its own
-- `messages_due`: its backlog count reads it.
DROP INDEX IF EXISTS messages_due;
