//! PostgreSQL: ingest (accepting requests as inbound messages) and the rejection log. The
//! dedupe key is settled by the unique index `messages_idempotency` and the replay guard by the
//! primary key of `inbound_signatures`, so two nodes taking the same request at once store it
//! once.

use deadpool_postgres::{GenericClient, Transaction};

use super::super::message_insert::insert_message;
use super::super::messages::original_by_key;
use super::super::pg_err;
use super::super::sql::{all_rows, exec, list_rows, opt_row};
use crate::domain::InboundMode;
use crate::domain::inbound::listen_take;
use crate::store::columns::Columns;
use crate::store::inbound::ListenRecord;
use crate::store::inbound::{IngestOutcome, NewRejection, RejectionFilter, RejectionRecord, ReplayGuard};
use crate::store::list_query::{Dialect, ListQuery};
use crate::store::rows::{LISTEN_COLUMNS, LISTEN_SIZE_COLUMNS, REJECTION_COLUMNS, read_listen, read_listen_size, read_rejection};
use crate::store::{ListPage, NewMessage, StoreError};

/// The original message under the request's dedupe key, if it has one and it is stored.
async fn original(tx: &Transaction<'_>, m: &NewMessage) -> Result<Option<String>, StoreError> {
    match &m.idempotency_key {
        Some(key) => Ok(original_by_key(tx, &m.endpoint_id, key).await?.map(|(id, _)| id)),
        None => Ok(None),
    }
}

/// Remembers the signature unless it was already accepted for the endpoint within its window
/// (an expired entry is taken over); false when it was. Expired entries nobody else is
/// touching are dropped on the way.
pub(in crate::store::postgres) async fn remember_signature(
    tx: &Transaction<'_>,
    endpoint_id: &str,
    message_id: &str,
    now_ms: i64,
    guard: &ReplayGuard,
) -> Result<bool, StoreError> {
    exec(
        tx,
        "DELETE FROM inbound_signatures WHERE ctid IN \
         (SELECT ctid FROM inbound_signatures WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)",
        &[&now_ms],
    )
    .await?;
    let stored = exec(
        tx,
        "INSERT INTO inbound_signatures (endpoint_id, signature, message_id, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (endpoint_id, signature) DO UPDATE SET message_id = EXCLUDED.message_id, expires_at = EXCLUDED.expires_at \
         WHERE inbound_signatures.expires_at <= $5",
        &[&endpoint_id, &guard.signature, &message_id, &guard.expires_at, &now_ms],
    )
    .await?;
    Ok(stored == 1)
}

/// Stores an accepted request (see [`crate::store::InboundStore::accept_inbound`]). Anything
/// but `Accepted` leaves nothing to keep: the caller rolls back. An accepted message is due
/// now: the caller announces it once committed.
pub(super) async fn accept(
    tx: &Transaction<'_>,
    m: &NewMessage,
    guard: Option<&ReplayGuard>,
) -> Result<IngestOutcome, StoreError> {
    // FOR SHARE: a concurrent pause or delete waits until this request is stored.
    let target = opt_row(
        tx,
        "SELECT url, mode FROM inbound_endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL AND NOT paused \
         FOR SHARE",
        &[&m.endpoint_id, &m.project_id],
    )
    .await?;
    let Some(target) = target else {
        return Ok(IngestOutcome::Unavailable);
    };
    let url = target.text(0).map_err(pg_err)?;
    let status = InboundMode::from_stored(&target.text(1).map_err(pg_err)?).accepted_status();
    // A known dedupe key answers with the original message first: a provider's retry of the
    // same event is a duplicate even when it carries the same signature.
    if let Some(original) = original(tx, m).await? {
        return Ok(IngestOutcome::Duplicate(original));
    }
    if let Some(guard) = guard
        && !remember_signature(tx, &m.endpoint_id, &m.id, m.created_at, guard).await?
    {
        // Another node may have stored the same request (key and signature) just now.
        return Ok(original(tx, m).await?.map_or(IngestOutcome::Replayed, IngestOutcome::Duplicate));
    }
    if !insert_message(tx, m, &url, status).await? {
        // The unique index on (endpoint_id, idempotency_key) settled a race on the key.
        return Ok(original(tx, m).await?.map_or(IngestOutcome::Unavailable, IngestOutcome::Duplicate));
    }
    Ok(IngestOutcome::Accepted)
}

/// Records a refused request and keeps only the newest `keep` records of its endpoint (or of
/// unknown endpoints). Writers of one endpoint's log take turns (a transaction-scoped advisory
/// lock, on every node), so each trims with every earlier record in sight and the cap holds.
pub(super) async fn record_rejection(tx: &Transaction<'_>, r: &NewRejection, keep: usize) -> Result<(), StoreError> {
    exec(
        tx,
        "SELECT pg_advisory_xact_lock(hashtextextended('inbound_rejections:' || COALESCE($1, ''), 0))",
        &[&r.inbound_endpoint_id],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO inbound_rejections (id, project_id, inbound_endpoint_id, reason_code, reason_detail, source_ip, \
         headers_redacted, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &r.id,
            &r.project_id,
            &r.inbound_endpoint_id,
            &r.reason_code,
            &r.reason_detail,
            &r.source_ip,
            &r.headers_redacted,
            &r.received_at,
        ],
    )
    .await?;
    let keep = i64::try_from(keep).unwrap_or(i64::MAX);
    exec(
        tx,
        "DELETE FROM inbound_rejections WHERE id IN (SELECT id FROM inbound_rejections \
         WHERE inbound_endpoint_id IS NOT DISTINCT FROM $1 ORDER BY received_at DESC, id DESC OFFSET $2)",
        &[&r.inbound_endpoint_id, &keep],
    )
    .await?;
    Ok(())
}

/// A newest-first page of rejections (see [`ListQuery::rejections`]).
pub(super) async fn list_rejections(
    c: &impl GenericClient,
    f: &RejectionFilter,
) -> Result<ListPage<RejectionRecord>, StoreError> {
    let q = ListQuery::rejections(Dialect::Postgres, REJECTION_COLUMNS, f);
    let rows = list_rows(c, &q).await?;
    let items = rows.iter().map(|r| read_rejection(r).map_err(pg_err)).collect::<Result<_, _>>()?;
    Ok(ListPage::from_overfetch(items, f.limit))
}

/// The endpoint's stored requests after `after`, in id order (see
/// [`crate::store::InboundStore::listen_inbound`]): sizes first, then the bodies of those that
/// fit. Ids compare bytewise (`COLLATE "C"`), which is UUIDv7 order whatever the database's collation.
pub(super) async fn listen(
    c: &impl GenericClient,
    project_id: &str,
    endpoint_id: &str,
    after: Option<&str>,
    max_messages: usize,
    max_bytes: i64,
) -> Result<Vec<ListenRecord>, StoreError> {
    let limit = i64::try_from(max_messages).unwrap_or(i64::MAX);
    let sql = format!(
        "SELECT {LISTEN_SIZE_COLUMNS} FROM messages WHERE endpoint_id = $1 AND project_id = $2 AND direction = 'inbound' \
         AND id COLLATE \"C\" > $3 ORDER BY id COLLATE \"C\" LIMIT $4"
    );
    let rows = all_rows(c, &sql, &[&endpoint_id, &project_id, &after.unwrap_or(""), &limit]).await?;
    let candidates: Vec<(String, i64)> = rows.iter().map(|r| read_listen_size(r).map_err(pg_err)).collect::<Result<_, _>>()?;
    let sizes: Vec<i64> = candidates.iter().map(|(_, size)| *size).collect();
    let ids: Vec<&str> =
        candidates.iter().take(listen_take(&sizes, max_messages, max_bytes)).map(|(id, _)| id.as_str()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT {LISTEN_COLUMNS} FROM messages WHERE id = ANY($1) ORDER BY id COLLATE \"C\"");
    let rows = all_rows(c, &sql, &[&ids]).await?;
    rows.iter().map(|r| read_listen(r).map_err(pg_err)).collect()
}
