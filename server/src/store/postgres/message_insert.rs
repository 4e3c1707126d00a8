//! How a message row is inserted on PostgreSQL: the statement's columns and parameters, shared
//! by a send alone, a send batch ([`super::send_batch`]) and an inbound message, and the
//! one-statement send used when a batch failed.

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;

use super::pg_err;
use super::sql::{exec, opt_row};
use crate::domain::MessageStatus;
use crate::domain::messages;
use crate::store::columns::Columns;
use crate::store::{NewMessage, StoreError};

/// The columns every insert of a message fills, in the order of [`message_params`] (a macro, so
/// the statements below are joined at compile time, not on every send).
macro_rules! insert_message_sql {
    () => {
        "INSERT INTO messages (id, project_id, direction, endpoint_id, destination_url, status, content_type, payload, \
         size_bytes, payload_sha256, headers, idempotency_key, signed_at, next_attempt_at, retention_hours, created_at, \
         updated_at, lease_until, leased_by) "
    };
}
/// What settles a race on an idempotency key: the second insert stores nothing.
macro_rules! on_key_conflict {
    () => {
        " ON CONFLICT (endpoint_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
    };
}
pub(super) use {insert_message_sql, on_key_conflict};

/// The parameters of an insert of `m`: `$1`–`$4` id, project, direction, endpoint; `$5` and `$6`
/// what the statement says (`fifth`, `sixth`); `$7`–`$15` content type, payload, size, hash,
/// headers, idempotency key, signed-at, created-at (also due time and update time), retention.
fn message_params<'a>(
    m: &'a NewMessage,
    direction: &'a &'static str,
    size: &'a i64,
    fifth: &'a &str,
    sixth: &'a &str,
) -> [&'a (dyn ToSql + Sync); 15] {
    [
        &m.id,
        &m.project_id,
        direction,
        &m.endpoint_id,
        fifth,
        sixth,
        &m.content_type,
        &m.payload,
        size,
        &m.payload_sha256,
        &m.headers_json,
        &m.idempotency_key,
        &m.signed_at,
        &m.created_at,
        &m.retention_hours,
    ]
}

/// The payload's size as stored.
pub(super) fn payload_size(m: &NewMessage) -> Result<i64, StoreError> {
    i64::try_from(m.payload.len()).map_err(|_| StoreError::Corrupt("payload size out of range".into()))
}

/// Inserts a new message (send or ingest) in `status`, due now, delivered to `url`. `false`
/// when another message already holds its idempotency key on the endpoint: then nothing was
/// inserted, and the caller reads the original.
pub(super) async fn insert_message(
    tx: &Transaction<'_>,
    m: &NewMessage,
    url: &str,
    status: MessageStatus,
) -> Result<bool, StoreError> {
    let (direction, size, status) = (m.direction.as_str(), payload_size(m)?, status.as_str());
    let sql = concat!(
        insert_message_sql!(),
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $14, NULL, NULL)",
        on_key_conflict!()
    );
    let inserted = exec(tx, sql, &message_params(m, &direction, &size, &url, &status)).await?;
    Ok(inserted == 1)
}

/// A send in one statement of its own (its own transaction, one round trip), for a send whose
/// batch failed ([`super::send_batch`]): stores the message when the endpoint is live and the
/// idempotency key, if any, is new. `None` when nothing was stored (no such endpoint, or the
/// key is taken): the caller then decides in a transaction (`accept_send` in
/// [`super::messages`]). The status comes from the domain rule for either state of the
/// endpoint's pause flag, read under the same `FOR SHARE` lock as the slow path.
pub(super) async fn insert_send_fast(c: &impl GenericClient, m: &NewMessage) -> Result<Option<MessageStatus>, StoreError> {
    let (direction, size) = (m.direction.as_str(), payload_size(m)?);
    let (running, paused) = (MessageStatus::requeued(false).as_str(), MessageStatus::requeued(true).as_str());
    let sql = concat!(
        "WITH ep AS (SELECT url, paused FROM endpoints WHERE id = $4 AND project_id = $2 AND deleted_at IS NULL FOR SHARE) ",
        insert_message_sql!(),
        "SELECT $1, $2, $3, $4, ep.url, CASE WHEN ep.paused THEN $6 ELSE $5 END, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $14, NULL, NULL FROM ep",
        on_key_conflict!(),
        " RETURNING status"
    );
    let row = opt_row(c, sql, &message_params(m, &direction, &size, &running, &paused)).await?;
    row.map(|r| messages::stored_status(&r.text(0).map_err(pg_err)?)).transpose()
}
