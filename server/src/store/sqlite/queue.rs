//! SQLite implementation of [`DeliveryQueue`]. The scan for due work reads a snapshot on a
//! reader connection; claims, attempt records and releases run on the writer thread, so they
//! are serialized with sends and state changes and group-committed, without waiting for the
//! disk (see [`super::writer`]: losing them to a power loss only causes a redelivery).

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, params};

use super::due_work::{self, INDEX, WAITING};
use super::{SqliteStore, writer};
use crate::domain::deletion;
use crate::domain::interruption::{self, Interruption};
use crate::secrets::SecretBox;
use crate::store::queue::{ClaimedRow, DeliveryTarget, QUEUE_DEPTH_SQL, RELEASED_STATUS, add_to_depth};
use crate::store::{
    Allocation, AttemptRecord, ClaimedDelivery, DeliveryQueue, Direction, DueScan, DueWork, NewMessage, StoreError,
};
use crate::telemetry::QueueDepth;

#[async_trait::async_trait]
impl DeliveryQueue for SqliteStore {
    async fn due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        self.read(move |conn| due_work::scan(conn, &scan)).await
    }

    async fn claim(&self, now_ms: i64, lease_ms: i64, allocations: Vec<Allocation>) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let keys = self.secrets();
        self.write_relaxed(move |conn| claim(conn, &keys, now_ms, lease_ms, &allocations)).await
    }

    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError> {
        self.write_relaxed(move |conn| {
            for record in &records {
                record_attempt(conn, record)?;
            }
            Ok(())
        })
        .await
    }

    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError> {
        self.write_relaxed(move |conn| {
            for id in &message_ids {
                release_claim(conn, id, due_at_ms)?;
            }
            Ok(())
        })
        .await
    }

    async fn abandon(&self, message_ids: Vec<String>, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        self.write_relaxed(move |conn| {
            let mut n = 0;
            for id in &message_ids {
                n += interrupt(conn, "id = ?2", params![now_ms, id], Interruption::Shutdown, max_attempts)?;
            }
            Ok(n)
        })
        .await
    }

    async fn release_orphaned_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        // One process owns the file: every lease found at start-up is a previous run's.
        self.write_relaxed(move |conn| interrupt(conn, "1", params![now_ms], Interruption::Restart, max_attempts)).await
    }

    async fn reclaim_expired_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        self.write_relaxed(move |conn| {
            interrupt(conn, "lease_until <= ?1", params![now_ms], Interruption::LeaseExpired, max_attempts)
        })
        .await
    }

    async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        self.read(|conn| {
            let mut depth = QueueDepth::default();
            let mut stmt = conn.prepare_cached(QUEUE_DEPTH_SQL)?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (status, count) = row?;
                add_to_depth(&mut depth, &status, count);
            }
            Ok(depth)
        })
        .await
    }
}

fn claim(
    conn: &Connection,
    keys: &SecretBox,
    now_ms: i64,
    lease_ms: i64,
    allocations: &[Allocation],
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    // Each endpoint's oldest due messages, read from the `messages_waiting` index in due order.
    // `LIMIT ?5 + 0`, not `LIMIT ?5`: SQLite recompiles a statement whose LIMIT is a bare
    // parameter each time a new value is bound to it.
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE messages SET status = 'delivering', lease_until = ?1, updated_at = ?2 \
         WHERE id IN (SELECT id FROM messages {INDEX} WHERE {WAITING} \
                      AND project_id = ?3 AND endpoint_id = ?4 AND next_attempt_at <= ?2 \
                      ORDER BY next_attempt_at LIMIT ?5 + 0) \
           AND NOT EXISTS (SELECT 1 FROM endpoints WHERE id = ?4 AND paused = 1) \
         RETURNING id, project_id, direction, endpoint_id, destination_url, content_type, payload, headers, signed_at, \
                   attempt_count, fast_retry_count, slow_retry_count, created_at, next_attempt_at"
    ))?;
    let mut rows = Vec::new();
    for allocation in allocations.iter().filter(|a| a.count > 0) {
        let count = i64::try_from(allocation.count).unwrap_or(i64::MAX);
        let claimed = stmt.query_map(
            params![now_ms.saturating_add(lease_ms), now_ms, allocation.project_id, allocation.endpoint_id, count],
            |r| {
                Ok(ClaimedRow {
                    id: r.get(0)?,
                    project_id: r.get(1)?,
                    direction: Direction::from_stored(&r.get::<_, String>(2)?),
                    endpoint_id: r.get(3)?,
                    destination_url: r.get(4)?,
                    content_type: r.get(5)?,
                    payload: r.get(6)?,
                    headers: r.get(7)?,
                    signed_at: r.get(8)?,
                    attempt_count: r.get(9)?,
                    fast_retry_count: r.get(10)?,
                    slow_retry_count: r.get(11)?,
                    created_at: r.get(12)?,
                    due_at: r.get(13)?,
                })
            },
        )?;
        for row in claimed {
            rows.push(row?);
        }
    }
    let mut targets: HashMap<String, Option<Arc<DeliveryTarget>>> = HashMap::new();
    let mut claimed = Vec::with_capacity(rows.len());
    for row in rows {
        if !targets.contains_key(&row.endpoint_id) {
            let target = load_target(conn, keys, row.direction, &row.endpoint_id)?;
            targets.insert(row.endpoint_id.clone(), target);
        }
        let target = targets.get(&row.endpoint_id).and_then(Option::as_deref);
        claimed.extend(deliver_or_fail(conn, row, target, now_ms)?);
    }
    Ok(claimed)
}

/// The delivery of claimed `row` to `target`; a row that can never be delivered is failed.
fn deliver_or_fail(
    conn: &Connection,
    row: ClaimedRow,
    target: Option<&DeliveryTarget>,
    now_ms: i64,
) -> Result<Option<ClaimedDelivery>, StoreError> {
    let id = row.id.clone();
    match row.into_delivery(target) {
        Ok(delivery) => Ok(Some(delivery)),
        Err(why) => fail_undeliverable(conn, &id, why.reason(), now_ms).map(|()| None),
    }
}

/// Puts claimed message `id` back to wait, due at `due_at_ms`, without its lease: `queued` when it
/// was never tried, `pending_retry` when it was, `failed_permanent` when it was deleted meanwhile.
/// A message no longer claimed is left alone.
fn release_claim(conn: &Connection, id: &str, due_at_ms: i64) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(&format!(
        "UPDATE messages SET status = {RELEASED_STATUS}, next_attempt_at = ?1, lease_until = NULL \
         WHERE id = ?2 AND status = 'delivering'"
    ))?;
    stmt.execute(params![due_at_ms, id]).map(drop)
}

/// The delivery of send `m`, which the same write stored already claimed to `url`
/// ([`super::message_writes::accept_send_leased`]), as [`claim`] would have returned it. If it
/// cannot be made, the send is put back to wait for the engine's claim, and stays stored.
pub(super) fn leased_on_send(conn: &Connection, keys: &SecretBox, m: &NewMessage, url: String) -> Option<ClaimedDelivery> {
    let row = ClaimedRow::of_send(m, url);
    let delivery = load_target(conn, keys, m.direction, &m.endpoint_id)
        .and_then(|target| deliver_or_fail(conn, row, target.as_deref(), m.created_at));
    match delivery {
        Ok(delivery) => delivery,
        Err(e) => {
            tracing::warn!(error = %e, "could not start a send as it was stored; the engine will claim it");
            if let Err(e) = release_claim(conn, &m.id, m.created_at) {
                tracing::error!(error = %e, "could not put back a send stored claimed; its lease will expire");
            }
            None
        }
    }
}

/// Claims, in the write that stored send `m`, the next due delivery of its endpoint (see
/// [`crate::store::MessageStore::accept_send_and_claim`]). The claim runs in a savepoint: when
/// it fails, it is undone and the send is stored all the same, for the engine's scan to find.
pub(super) fn claim_on_send(conn: &Connection, keys: &SecretBox, m: &NewMessage, lease_ms: i64) -> Option<ClaimedDelivery> {
    let allocation =
        Allocation { project_id: m.project_id.clone(), endpoint_id: m.endpoint_id.clone(), count: 1, endpoint_limit: usize::MAX };
    let claimed = writer::exec(conn, "SAVEPOINT claim_on_send").and_then(|()| {
        let claimed = claim(conn, keys, m.created_at, lease_ms, &[allocation]);
        if claimed.is_err() {
            let _ = writer::exec(conn, "ROLLBACK TO claim_on_send");
        }
        let _ = writer::exec(conn, "RELEASE claim_on_send");
        claimed
    });
    match claimed {
        Ok(mut claimed) => claimed.pop(),
        Err(e) => {
            tracing::warn!(error = %e, "could not claim a send as it was stored; the engine will claim it");
            None
        }
    }
}

fn load_target(
    conn: &Connection,
    keys: &SecretBox,
    direction: Direction,
    endpoint_id: &str,
) -> Result<Option<Arc<DeliveryTarget>>, StoreError> {
    super::targets::cached(direction, endpoint_id, || read_target(conn, keys, direction, endpoint_id))
}

/// Reads the delivery target of an endpoint from the database (`None`: it is gone).
fn read_target(
    conn: &Connection,
    keys: &SecretBox,
    direction: Direction,
    endpoint_id: &str,
) -> Result<Option<DeliveryTarget>, StoreError> {
    let (url, headers, rps, burst, signing, scheme) = match direction {
        Direction::Outbound => {
            let row = conn
                .prepare_cached(
                    "SELECT url, headers, rate_limit_rps, burst, signature_scheme FROM endpoints WHERE id = ?1 AND deleted_at IS NULL",
                )?
                .query_row(params![endpoint_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                    ))
                })
                .optional()?;
            match row {
                Some((url, headers, rps, burst, scheme)) => {
                    (url, super::endpoints::open_headers(keys, endpoint_id, headers.as_deref())?, rps, burst, true, scheme)
                }
                None => return Ok(None),
            }
        }
        Direction::Inbound => {
            // Deleted inbound endpoints still forward what they accepted.
            let row = conn
                .prepare_cached("SELECT url, signing_enabled FROM inbound_endpoints WHERE id = ?1")?
                .query_row(params![endpoint_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))
                .optional()?;
            match row {
                Some((url, signing)) => (url, None, 0, 0, signing, String::new()),
                None => return Ok(None),
            }
        }
    };
    let secrets = if signing { super::signing_keys::active_secrets(conn, keys, endpoint_id)? } else { Vec::new() };
    Ok(Some(DeliveryTarget::new(url, headers.as_deref(), secrets, rps, burst).signed_with(&scheme)))
}

fn fail_undeliverable(conn: &Connection, id: &str, reason: &str, now_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE messages SET status = 'failed_permanent', lease_until = NULL, next_attempt_at = NULL, \
         last_error = ?2, failed_at = ?3, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, reason, now_ms])?;
    Ok(())
}

fn record_attempt(conn: &Connection, r: &AttemptRecord) -> Result<(), StoreError> {
    let effect = r.next.effect();
    // A message deleted while its attempt was in flight records the attempt but takes no retry.
    // Only the claim the attempt was made under is settled: not one taken back meanwhile as
    // interrupted (a shutdown that gave up on it, an expired lease).
    let updated = conn
        .prepare_cached(&format!(
            "UPDATE messages SET status = {}, attempt_count = ?3, fast_retry_count = fast_retry_count + ?4, \
         slow_retry_count = slow_retry_count + ?5, next_attempt_at = CASE WHEN deleted_at IS NULL THEN ?6 END, \
         lease_until = NULL, last_error = ?7, \
         response_status = ?8, response_latency_ms = ?9, \
         delivered_at = CASE WHEN ?10 THEN ?12 ELSE delivered_at END, \
         failed_at = CASE WHEN ?11 OR (deleted_at IS NOT NULL AND NOT ?10) THEN ?12 ELSE failed_at END, \
         payload = CASE WHEN ?10 AND retention_hours = 0 THEN NULL ELSE payload END, \
         updated_at = ?12 \
         WHERE id = ?1 AND status = 'delivering' AND attempt_count + 1 = ?3",
            deletion::recorded_status_sql("?2")
        ))?
        .execute(params![
            r.message_id,
            effect.status.as_str(),
            r.attempt_no,
            effect.fast_inc,
            effect.slow_inc,
            effect.next_attempt_at,
            r.error,
            r.response_status,
            r.latency_ms,
            effect.succeeded,
            effect.failed,
            r.finished_at
        ])?;
    if updated == 0 {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO attempts (message_id, project_id, direction, attempt_no, response_status, latency_ms, error, outcome, \
         retry_after_ms, created_at, resolved_ip, request_headers, response_headers, response_body, response_body_truncated, \
         ttfb_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        r.message_id,
        r.project_id,
        r.direction.as_str(),
        r.attempt_no,
        r.response_status,
        r.latency_ms,
        r.error,
        effect.outcome,
        r.retry_after_ms,
        r.finished_at,
        r.detail.resolved_ip,
        r.detail.request_headers,
        r.detail.response_headers,
        r.detail.response_body,
        r.detail.response_body_truncated,
        r.detail.ttfb_ms
    ])?;
    Ok(())
}

/// Takes back the leases `filter` selects (on `?1` = `now_ms`, and `?2` when bound), each with
/// an `interrupted` attempt, in the caller's transaction ([`interruption`]). Returns how many.
fn interrupt(
    conn: &Connection,
    filter: &str,
    params: &[&dyn rusqlite::ToSql],
    why: Interruption,
    max_attempts: u32,
) -> Result<u64, StoreError> {
    let error = interruption::error_literal(why);
    let leased = format!("status = 'delivering' AND {filter}");
    conn.prepare_cached(&format!(
        "INSERT INTO attempts ({}) SELECT {} FROM messages WHERE {leased}",
        interruption::ATTEMPT_COLUMNS,
        interruption::attempt_values_sql("?1", &error)
    ))?
    .execute(params)?;
    let n = conn
        .prepare_cached(&format!(
            "UPDATE messages SET {} WHERE {leased}",
            interruption::message_update_sql(max_attempts, "?1", &error)
        ))?
        .execute(params)?;
    Ok(n as u64)
}
