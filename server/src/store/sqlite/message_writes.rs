//! SQLite writes of messages: accepting sends, replays, cancel and retry-now. Each function
//! runs inside one job of the group-committed writer, so its checks and changes are atomic.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::MessageStatus;
use crate::domain::messages::{self, ReplayFacts};
use crate::store::{Direction, NewMessage, ReplayAllResult, ReplayMode, ReplayOutcome, SendOutcome, StatusChange, StoreError};

/// Stores an outbound send (see [`crate::store::MessageStore::accept_send`]).
pub(super) fn accept_send(conn: &Connection, m: &NewMessage) -> Result<SendOutcome, StoreError> {
    Ok(accept(conn, m, None)?.0)
}

/// How a send was stored by [`accept_send_leased`].
pub(super) enum Stored {
    /// Already claimed: stored `delivering`, leased, to this destination URL.
    Leased(String),
    /// Stored to wait for a claim (queued, or paused with its endpoint).
    Waiting,
}

/// Stores an outbound send, and stores it already claimed (`delivering`, leased until
/// `lease_until`) when its endpoint is live and has no older message waiting: then the send is
/// its endpoint's next delivery, and claiming it after storing it would rewrite the row and its
/// index entries a second time in the same write. Otherwise it is stored as
/// [`accept_send`] stores it.
pub(super) fn accept_send_leased(
    conn: &Connection,
    m: &NewMessage,
    lease_until: i64,
) -> Result<(SendOutcome, Stored), StoreError> {
    accept(conn, m, Some(lease_until))
}

fn accept(conn: &Connection, m: &NewMessage, lease_until: Option<i64>) -> Result<(SendOutcome, Stored), StoreError> {
    let endpoint: Option<(String, bool)> = conn
        .prepare_cached("SELECT url, paused FROM endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL")?
        .query_row(params![m.endpoint_id, m.project_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((url, paused)) = endpoint else {
        return Ok((SendOutcome::EndpointNotFound, Stored::Waiting));
    };
    if let Some(key) = &m.idempotency_key {
        let original: Option<(String, String)> = conn
            .prepare_cached("SELECT id, payload_sha256 FROM messages WHERE endpoint_id = ?1 AND idempotency_key = ?2")?
            .query_row(params![m.endpoint_id, key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((id, sha)) = original {
            return Ok((messages::idempotent_repeat(id, &sha, &m.payload_sha256), Stored::Waiting));
        }
    }
    // The send is answered `queued` either way: the claim is part of the same write.
    let status = MessageStatus::requeued(paused).as_str();
    match lease_until {
        Some(until) if !paused && !super::due_work::has_waiting(conn, &m.project_id, &m.endpoint_id, m.created_at)? => {
            insert_leased(conn, m, &url, until)?;
            Ok((SendOutcome::Accepted(status), Stored::Leased(url)))
        }
        _ => {
            insert_message(conn, m, &url, status)?;
            Ok((SendOutcome::Accepted(status), Stored::Waiting))
        }
    }
}

/// Inserts send `m` claimed: `delivering`, due (since its creation) and leased until
/// `lease_until`, as a claim would leave it.
fn insert_leased(conn: &Connection, m: &NewMessage, url: &str, lease_until: i64) -> rusqlite::Result<usize> {
    insert(conn, m, url, MessageStatus::Delivering.as_str(), Some(lease_until))
}

/// Inserts a new message (send or ingest) in `status`, due now, delivered to `url`. The raw
/// error is returned so callers can tell an idempotency-key race (unique violation) apart.
pub(super) fn insert_message(conn: &Connection, m: &NewMessage, url: &str, status: &str) -> rusqlite::Result<usize> {
    insert(conn, m, url, status, None)
}

fn insert(conn: &Connection, m: &NewMessage, url: &str, status: &str, lease_until: Option<i64>) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
         size_bytes, payload_sha256, headers, idempotency_key, signed_at, next_attempt_at, retention_hours, created_at, updated_at, \
         lease_until) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?14, ?14, ?16)",
    )?
    .execute(params![
        m.id,
        m.project_id,
        m.direction.as_str(),
        m.endpoint_id,
        url,
        status,
        m.content_type,
        m.payload,
        m.payload.len() as i64,
        m.payload_sha256,
        m.headers_json,
        m.idempotency_key,
        m.signed_at,
        m.created_at,
        m.retention_hours,
        lease_until,
    ])
}

/// Whether the message's endpoint can take deliveries, and whether it is paused.
/// `None` when the endpoint is gone.
fn endpoint_paused(conn: &Connection, direction: Direction, endpoint_id: &str) -> Result<Option<bool>, StoreError> {
    let sql = match direction {
        Direction::Outbound => "SELECT paused FROM endpoints WHERE id = ?1 AND deleted_at IS NULL",
        // Deleted inbound endpoints still forward what they accepted.
        Direction::Inbound => "SELECT paused FROM inbound_endpoints WHERE id = ?1",
    };
    Ok(conn.prepare_cached(sql)?.query_row(params![endpoint_id], |r| r.get(0)).optional()?)
}

/// Replays one message (see [`crate::store::MessageStore::replay_message`]).
pub(super) fn replay_one(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    message_id: &str,
    mode: ReplayMode,
    now_ms: i64,
) -> Result<ReplayOutcome, StoreError> {
    let row: Option<(String, i64, bool, Option<i64>, String)> = conn
        .prepare_cached(
            "SELECT status, replay_count, payload IS NULL, response_status, endpoint_id FROM messages \
             WHERE id = ?1 AND project_id = ?2 AND direction = ?3",
        )?
        .query_row(params![message_id, project_id, direction.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((status, replay_count, purged, response_status, endpoint_id)) = row else {
        return Ok(ReplayOutcome::NotFound);
    };
    let facts = ReplayFacts { status: messages::stored_status(&status)?, replay_count, payload_purged: purged, response_status };
    if let Err(refused) = messages::replay_allowed(&facts, mode) {
        return Ok(refused);
    }
    let Some(paused) = endpoint_paused(conn, direction, &endpoint_id)? else {
        return Ok(ReplayOutcome::EndpointDeleted);
    };
    conn.prepare_cached(
        "UPDATE messages SET status = ?2, next_attempt_at = ?3, signed_at = ?4, fast_retry_count = 0, slow_retry_count = 0, \
         replay_count = replay_count + 1, lease_until = NULL, failed_at = NULL, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![message_id, MessageStatus::requeued(paused).as_str(), now_ms, now_ms.div_euclid(1000)])?;
    Ok(ReplayOutcome::Replayed)
}

/// Replays up to `limit` messages in `status`, oldest first.
pub(super) fn replay_all(
    conn: &Connection,
    project_id: &str,
    direction: Direction,
    status: &str,
    endpoint_id: Option<&str>,
    limit: usize,
    now_ms: i64,
) -> Result<ReplayAllResult, StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM messages WHERE project_id = ?1 AND direction = ?2 AND status = ?3 \
             AND (?4 IS NULL OR endpoint_id = ?4) ORDER BY created_at, id LIMIT ?5",
        )?
        .query_map(params![project_id, direction.as_str(), status, endpoint_id, limit as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut result = ReplayAllResult::default();
    for id in ids {
        let outcome = replay_one(conn, project_id, direction, &id, ReplayMode::Manual, now_ms)?;
        messages::tally_replay(&mut result, id, &outcome);
    }
    Ok(result)
}

fn outbound_status(conn: &Connection, project_id: &str, message_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT status FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = 'outbound'")?
        .query_row(params![message_id, project_id], |r| r.get(0))
        .optional()?)
}

/// Moves a `pending_retry` message into the dead letter queue.
pub(super) fn cancel(conn: &Connection, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
    match outbound_status(conn, project_id, message_id)? {
        None => Ok(StatusChange::NotFound),
        Some(s) => {
            if let Err(refused) = messages::retry_control_allowed(messages::stored_status(&s)?) {
                return Ok(refused);
            }
            conn.prepare_cached(
                "UPDATE messages SET status = 'failed_permanent', next_attempt_at = NULL, failed_at = ?2, \
                 last_error = COALESCE(last_error, 'retry cancelled'), updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![message_id, now_ms])?;
            Ok(StatusChange::Done)
        }
    }
}

/// Makes a `pending_retry` message due now.
pub(super) fn retry_now(conn: &Connection, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
    match outbound_status(conn, project_id, message_id)? {
        None => Ok(StatusChange::NotFound),
        Some(s) => {
            if let Err(refused) = messages::retry_control_allowed(messages::stored_status(&s)?) {
                return Ok(refused);
            }
            conn.prepare_cached("UPDATE messages SET next_attempt_at = ?2, updated_at = ?2 WHERE id = ?1")?
                .execute(params![message_id, now_ms])?;
            Ok(StatusChange::Done)
        }
    }
}
