-- Fair claims: waiting messages by project, then endpoint, then due time. The delivery engine
-- visits projects and their endpoints in turn with one seek each, and takes an endpoint's oldest
-- due messages from here, whatever the length of other endpoints' backlogs.
CREATE INDEX messages_waiting ON messages(project_id, endpoint_id, next_attempt_at)
    WHERE status IN ('queued', 'pending_retry');
