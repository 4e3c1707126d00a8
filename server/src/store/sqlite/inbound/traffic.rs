//! SQLite: ingest (accepting requests as inbound messages) and the rejection log.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use crate::domain::InboundMode;
use crate::domain::inbound::listen_take;
use crate::store::inbound::ListenRecord;
use crate::store::inbound::{IngestOutcome, NewRejection, RejectionFilter, RejectionRecord, ReplayGuard};
use crate::store::list_query::{Dialect, ListQuery};
use crate::store::rows::{LISTEN_COLUMNS, LISTEN_SIZE_COLUMNS, REJECTION_COLUMNS, read_listen, read_listen_size, read_rejection};
use crate::store::sqlite::message_queries::sql_args;
use crate::store::sqlite::message_writes::insert_message;
use crate::store::{ListPage, NewMessage, StoreError};

/// Whether a statement failed on a unique constraint.
pub(in crate::store::sqlite) fn is_unique_violation(e: &rusqlite::Error) -> bool {
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
pub(in crate::store::sqlite) fn replayed(
    conn: &Connection,
    endpoint_id: &str,
    guard: &ReplayGuard,
    now_ms: i64,
) -> Result<bool, StoreError> {
    conn.prepare_cached("DELETE FROM inbound_signatures WHERE expires_at <= ?1")?.execute(params![now_ms])?;
    Ok(conn
        .prepare_cached("SELECT 1 FROM inbound_signatures WHERE endpoint_id = ?1 AND signature = ?2")?
        .query_row(params![endpoint_id, guard.signature], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Remembers an accepted signature of the endpoint (inbound or pull) against replays.
pub(in crate::store::sqlite) fn remember_signature(
    conn: &Connection,
    endpoint_id: &str,
    message_id: &str,
    guard: &ReplayGuard,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO inbound_signatures (endpoint_id, signature, message_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![endpoint_id, guard.signature, message_id, guard.expires_at])?;
    Ok(())
}

/// Stores an accepted request (see [`crate::store::InboundStore::accept_inbound`]).
pub(super) fn accept(conn: &Connection, m: &NewMessage, guard: Option<&ReplayGuard>) -> Result<IngestOutcome, StoreError> {
    let target: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT url, mode FROM inbound_endpoints WHERE id = ?1 AND project_id = ?2 AND deleted_at IS NULL AND paused = 0",
        )?
        .query_row(params![m.endpoint_id, m.project_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((url, mode)) = target else {
        return Ok(IngestOutcome::Unavailable);
    };
    let status = InboundMode::from_stored(&mode).accepted_status();
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
    let inserted = insert_message(conn, m, &url, status.as_str());
    match inserted {
        Ok(_) => {
            if let Some(guard) = guard {
                remember_signature(conn, &m.endpoint_id, &m.id, guard)?;
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

/// A newest-first page of rejections (see [`ListQuery::rejections`]).
pub(super) fn list_rejections(conn: &Connection, f: &RejectionFilter) -> Result<ListPage<RejectionRecord>, StoreError> {
    let q = ListQuery::rejections(Dialect::Sqlite, REJECTION_COLUMNS, f);
    let mut stmt = conn.prepare_cached(&q.sql)?;
    let rows = stmt.query_map(params_from_iter(sql_args(&q)), |r| read_rejection(r))?;
    Ok(ListPage::from_overfetch(rows.collect::<Result<_, _>>()?, f.limit))
}

/// The endpoint's stored requests after `after`, in id order (see
/// [`crate::store::InboundStore::listen_inbound`]): sizes first, then the bodies of those that fit.
pub(super) fn listen(
    conn: &Connection,
    project_id: &str,
    endpoint_id: &str,
    after: Option<&str>,
    max_messages: usize,
    max_bytes: i64,
) -> Result<Vec<ListenRecord>, StoreError> {
    let candidates: Vec<(String, i64)> = conn
        .prepare_cached(&format!(
            "SELECT {LISTEN_SIZE_COLUMNS} FROM messages WHERE endpoint_id = ?1 AND project_id = ?2 AND direction = 'inbound' \
             AND id > ?3 ORDER BY id LIMIT ?4"
        ))?
        .query_map(params![endpoint_id, project_id, after.unwrap_or(""), max_messages as i64], |r| read_listen_size(r))?
        .collect::<Result<_, _>>()?;
    let sizes: Vec<i64> = candidates.iter().map(|(_, size)| *size).collect();
    let taken = listen_take(&sizes, max_messages, max_bytes);
    let mut stmt = conn.prepare_cached(&format!("SELECT {LISTEN_COLUMNS} FROM messages WHERE id = ?1"))?;
    let mut out = Vec::with_capacity(taken);
    for (id, _) in candidates.iter().take(taken) {
        if let Some(record) = stmt.query_row(params![id], |r| read_listen(r)).optional()? {
            out.push(record);
        }
    }
    Ok(out)
}
