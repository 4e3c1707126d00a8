//! SQLite: ingest (accepting requests as inbound messages), the rejection log and reading one
//! inbound message.

use hookbridge::InboundRejection;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::clock::{opt_timestamp, timestamp};
use crate::domain::MessageStatus;
use crate::store::inbound::{InboundMessageRecord, IngestOutcome, NewRejection, RejectionFilter, ReplayGuard};
use crate::store::sqlite::message_writes::insert_message;
use crate::store::{ListCursor, ListPage, NewMessage, StoreError};

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn original_by_key(conn: &Connection, endpoint_id: &str, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM messages WHERE endpoint_id = ?1 AND idempotency_key = ?2")?
        .query_row(params![endpoint_id, key], |r| r.get(0))
        .optional()?)
}

/// Whether `guard`'s signature was already accepted for the endpoint (after dropping the
/// remembered signatures whose window has passed).
fn replayed(conn: &Connection, endpoint_id: &str, guard: &ReplayGuard, now_ms: i64) -> Result<bool, StoreError> {
    conn.prepare_cached("DELETE FROM inbound_signatures WHERE expires_at <= ?1")?.execute(params![now_ms])?;
    Ok(conn
        .prepare_cached("SELECT 1 FROM inbound_signatures WHERE endpoint_id = ?1 AND signature = ?2")?
        .query_row(params![endpoint_id, guard.signature], |_| Ok(()))
        .optional()?
        .is_some())
}

fn remember_signature(conn: &Connection, m: &NewMessage, guard: &ReplayGuard) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO inbound_signatures (endpoint_id, signature, message_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![m.endpoint_id, guard.signature, m.id, guard.expires_at])?;
    Ok(())
}

/// Stores an accepted request (see [`crate::store::InboundStore::accept_inbound`]).
pub(super) fn accept(conn: &Connection, m: &NewMessage, guard: Option<&ReplayGuard>) -> Result<IngestOutcome, StoreError> {
    let url: Option<String> = conn
        .prepare_cached(
            "SELECT url FROM inbound_endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL AND paused = 0",
        )?
        .query_row(params![m.endpoint_id, m.project_id], |r| r.get(0))
        .optional()?;
    let Some(url) = url else {
        return Ok(IngestOutcome::Unavailable);
    };
    // A known dedupe key answers with the original message first: a provider's retry of the
    // same event is a duplicate even when it carries the same signature.
    if let Some(key) = &m.idempotency_key
        && let Some(original) = original_by_key(conn, &m.endpoint_id, key)?
    {
        return Ok(IngestOutcome::Duplicate(original));
    }
    if let Some(guard) = guard
        && replayed(conn, &m.endpoint_id, guard, m.created_at)?
    {
        return Ok(IngestOutcome::Replayed);
    }
    let inserted = insert_message(conn, m, &url, MessageStatus::Queued.as_str());
    match inserted {
        Ok(_) => {
            if let Some(guard) = guard {
                remember_signature(conn, m, guard)?;
            }
            Ok(IngestOutcome::Accepted)
        }
        // The unique index on (endpoint_id, idempotency_key) settles any race on the key.
        Err(e) if is_unique_violation(&e) => match &m.idempotency_key {
            Some(key) => {
                Ok(original_by_key(conn, &m.endpoint_id, key)?.map_or(IngestOutcome::Unavailable, IngestOutcome::Duplicate))
            }
            None => Err(e.into()),
        },
        Err(e) => Err(e.into()),
    }
}

/// Records a refused request and keeps only the newest `keep` records of its endpoint (or of
/// unknown endpoints).
pub(super) fn record_rejection(conn: &Connection, r: &NewRejection, keep: usize) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO inbound_rejections (id, project_id, inbound_endpoint_id, reason_code, reason_detail, source_ip, \
         headers_redacted, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        r.id,
        r.project_id,
        r.inbound_endpoint_id,
        r.reason_code,
        r.reason_detail,
        r.source_ip,
        r.headers_redacted,
        r.received_at
    ])?;
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    match &r.inbound_endpoint_id {
        Some(endpoint) => conn
            .prepare_cached(
                "DELETE FROM inbound_rejections WHERE rowid IN (SELECT rowid FROM inbound_rejections \
                 WHERE inbound_endpoint_id = ?1 ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?2)",
            )?
            .execute(params![endpoint, keep])?,
        None => conn
            .prepare_cached(
                "DELETE FROM inbound_rejections WHERE rowid IN (SELECT rowid FROM inbound_rejections \
                 WHERE inbound_endpoint_id IS NULL ORDER BY received_at DESC, id DESC LIMIT -1 OFFSET ?1)",
            )?
            .execute(params![keep])?,
    };
    Ok(())
}

/// A newest-first page of rejections: the project's, plus the server-wide ones (unknown
/// endpoint) when asked for and no endpoint filter is given.
pub(super) fn list_rejections(conn: &Connection, f: &RejectionFilter) -> Result<ListPage<InboundRejection>, StoreError> {
    let mut args: Vec<SqlValue> = vec![f.project_id.clone().into()];
    let mut sql = String::from(
        "SELECT id, reason_code, received_at, inbound_endpoint_id, reason_detail, source_ip, headers_redacted \
         FROM inbound_rejections WHERE ",
    );
    let mut add = |clause: &str, value: SqlValue, sql: &mut String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    match &f.inbound_endpoint_id {
        Some(endpoint) => {
            sql.push_str("project_id = ?1");
            add(" AND inbound_endpoint_id = ?", endpoint.clone().into(), &mut sql);
        }
        None if f.include_unattributed => sql.push_str("(project_id = ?1 OR project_id IS NULL)"),
        None => sql.push_str("project_id = ?1"),
    }
    if let Some(start) = f.start_ms {
        add(" AND received_at >= ?", start.into(), &mut sql);
    }
    if let Some(end) = f.end_ms {
        add(" AND received_at <= ?", end.into(), &mut sql);
    }
    if let Some(c) = &f.after {
        add(" AND (received_at < ?", c.created_at.into(), &mut sql);
        add(" OR (received_at = ?", c.created_at.into(), &mut sql);
        add(" AND id < ?))", c.id.clone().into(), &mut sql);
    }
    add(" ORDER BY received_at DESC, id DESC LIMIT ?", (f.limit as i64 + 1).into(), &mut sql);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok((
            r.get::<_, i64>(2)?,
            InboundRejection {
                id: r.get(0)?,
                reason_code: r.get(1)?,
                received_at: timestamp(r.get(2)?),
                inbound_endpoint_id: r.get(3)?,
                reason_detail: r.get(4)?,
                source_ip: r.get(5)?,
                headers_redacted: r.get(6)?,
            },
        ))
    })?;
    let mut items: Vec<(i64, InboundRejection)> = rows.collect::<Result<_, _>>()?;
    let next = if items.len() > f.limit {
        items.truncate(f.limit);
        items.last().map(|(ts, r)| ListCursor { created_at: *ts, id: r.id.clone() })
    } else {
        None
    };
    Ok(ListPage { items: items.into_iter().map(|(_, r)| r).collect(), next })
}

/// One inbound message of the project.
pub(super) fn get_message(
    conn: &Connection,
    project_id: &str,
    message_id: &str,
) -> Result<Option<InboundMessageRecord>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, project_id, endpoint_id, status, attempt_count, replay_count, created_at, updated_at, content_type, \
             size_bytes, payload_sha256, idempotency_key, next_attempt_at, last_error, response_status, response_latency_ms, \
             delivered_at, failed_at FROM messages WHERE id = ?1 AND project_id = ?2 AND direction = 'inbound'",
        )?
        .query_row(params![message_id, project_id], |r| {
            let status: MessageStatus = r.get(3)?;
            let received: i64 = r.get(6)?;
            let delivered: Option<i64> = r.get(16)?;
            Ok(InboundMessageRecord {
                id: r.get(0)?,
                project_id: r.get(1)?,
                inbound_endpoint_id: r.get(2)?,
                status,
                attempt_count: r.get(4)?,
                replay_count: r.get(5)?,
                received_at: timestamp(received),
                updated_at: timestamp(r.get(7)?),
                content_type: r.get(8)?,
                size_bytes: r.get(9)?,
                payload_sha256: r.get(10)?,
                idempotency_key: r.get(11)?,
                next_attempt_at: if status.is_waiting() { opt_timestamp(r.get(12)?) } else { None },
                last_error: r.get(13)?,
                response_status: r.get(14)?,
                response_latency_ms: r.get(15)?,
                delivered_at: opt_timestamp(delivered),
                failed_at: opt_timestamp(r.get(17)?),
                total_delivery_ms: delivered.map(|d| d.saturating_sub(received).max(0)),
            })
        })
        .optional()?)
}
