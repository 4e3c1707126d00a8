//! Group commit of sends: concurrent sends share one statement and one commit.
//!
//! Each send used to be its own statement and its own transaction, so every send paid a round
//! trip, a statement execution and a commit (a WAL flush) of its own, and PostgreSQL's CPU per
//! send was what limited a node. Now a send hands its message to one batcher task, which takes
//! every send waiting at that moment (up to [`MAX_BATCH`] messages or [`MAX_BATCH_BYTES`] of
//! payload) and stores them with one `INSERT … SELECT FROM unnest(…)` in its own transaction;
//! each send is answered only after that commit, so a 202 still means the message is durable.
//! One batch is stored at a time: the sends arriving meanwhile go together in the next one.
//!
//! An idle batcher stores a lone send at once. Under load the next batch waits up to
//! [`GATHER_MAX`] (or what [`super::PgStore::set_send_gather`] sets) for as many sends as the
//! last batch saw senders ([`Gathering`]), so senders that send again as soon as they are
//! answered share one batch instead of splitting into two halves.
//!
//! The statement stores exactly what the one-row fast path stored: a message whose endpoint is
//! live in its project (read under the same `FOR SHARE` lock, so a concurrent pause or delete
//! waits for the commit) and whose idempotency key, if any, is new. A message it did not store
//! (unknown endpoint, key taken, also by another message of the same batch) goes on to the
//! per-send transaction, which decides it as before. When the statement fails with anything but
//! a lost database, each of its sends is stored on its own, so one bad message never fails the
//! others.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, error::TryRecvError, unbounded_channel};
use tokio::sync::oneshot;

use super::message_insert::{insert_message_sql, on_key_conflict, payload_size};
use super::{col, pg_err};
use crate::domain::MessageStatus;
use crate::domain::messages;
use crate::store::gathering::{Gathering, Waited};
use crate::store::{NewMessage, StoreError};

/// Most messages stored by one statement.
pub(super) const MAX_BATCH: usize = 64;
/// Payload bytes past which a batch takes no further message (one larger message still goes).
pub(super) const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Longest a batch waits by default for the senders of the last batch to send again (tokio's
/// timers count whole milliseconds).
pub(super) const GATHER_MAX: Duration = Duration::from_millis(1);

/// What became of one message of a batch.
#[derive(Debug)]
pub(super) enum Batched {
    /// Stored (and committed) with this status.
    Stored(MessageStatus),
    /// Not stored: the endpoint is not live in the project, or the idempotency key is taken.
    NotStored,
    /// The batch's statement failed with a database error: store this message on its own.
    Alone,
}

/// A send waiting for its batch.
struct Pending {
    message: Arc<NewMessage>,
    answer: oneshot::Sender<Result<Batched, StoreError>>,
}

/// Where sends hand in their messages; cheap to clone. The batcher task ends when every
/// handle is gone.
#[derive(Clone)]
pub(super) struct SendBatcher {
    queue: UnboundedSender<Pending>,
}

impl SendBatcher {
    /// Starts the batcher task, storing on connections of `pool`, a batch waiting up to
    /// `gather` for the last batch's senders. (A batcher task that panics drops its sends'
    /// answers, and every send is then stored on its own.)
    pub(super) fn start(pool: Pool, gather: Duration) -> Self {
        let (queue, pending) = unbounded_channel();
        tokio::spawn(run(pool, pending, gather));
        SendBatcher { queue }
    }

    /// Stores `message` in the next batch; answers once that batch has committed.
    pub(super) async fn store(&self, message: Arc<NewMessage>) -> Result<Batched, StoreError> {
        let (answer, answered) = oneshot::channel();
        if self.queue.send(Pending { message, answer }).is_err() {
            return Ok(Batched::Alone);
        }
        // A batch that ended without answering (its task panicked) leaves the send to itself.
        answered.await.unwrap_or(Ok(Batched::Alone))
    }
}

/// A batch being taken from the queue.
struct Batch {
    sends: Vec<Pending>,
    bytes: usize,
}

impl Batch {
    /// Whether the batch takes no further send.
    fn full(&self) -> bool {
        self.sends.len() >= MAX_BATCH || self.bytes >= MAX_BATCH_BYTES
    }

    /// Adds `send`, counting its payload.
    fn push(&mut self, send: Pending) {
        self.bytes = self.bytes.saturating_add(send.message.payload.len());
        self.sends.push(send);
    }
}

/// Takes the waiting sends as batches and stores them, one batch at a time.
async fn run(pool: Pool, mut pending: UnboundedReceiver<Pending>, gather: Duration) {
    let mut gathering = Gathering::default();
    loop {
        let Some(first) = pending.recv().await else { return };
        let mut batch = Batch { sends: Vec::new(), bytes: 0 };
        batch.push(first);
        while !batch.full() {
            match pending.try_recv() {
                Ok(next) => batch.push(next),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let wanted = gathering.wait_for(batch.sends.len());
        let waited = if wanted > 0 && !batch.full() {
            wait_for_senders(&mut pending, &mut batch, wanted, gather).await
        } else {
            Waited::No
        };
        let messages: Vec<&NewMessage> = batch.sends.iter().map(|p| p.message.as_ref()).collect();
        let outcome = insert_batch(&pool, &messages).await;
        drop(messages);
        // The sends that came during the commit, counted before its senders are answered (and
        // may send again), are senders of their own.
        let (taken, queued) = (batch.sends.len(), pending.len());
        answer(batch.sends, outcome);
        gathering.after(taken, queued, waited);
    }
}

/// Adds sends to `batch` until it holds `wanted` (or is full), for at most `gather`.
async fn wait_for_senders(
    pending: &mut UnboundedReceiver<Pending>,
    batch: &mut Batch,
    wanted: usize,
    gather: Duration,
) -> Waited {
    let deadline = tokio::time::sleep(gather);
    tokio::pin!(deadline);
    while batch.sends.len() < wanted && !batch.full() {
        tokio::select! {
            _ = &mut deadline => return Waited::RanOut,
            next = pending.recv() => match next {
                Some(next) => batch.push(next),
                None => break,
            },
        }
    }
    Waited::Filled
}

/// Hands every send of the batch its part of `outcome` (the stored messages' statuses).
fn answer(batch: Vec<Pending>, outcome: Result<HashMap<String, MessageStatus>, StoreError>) {
    match outcome {
        Ok(stored) => {
            for p in batch {
                let result = stored.get(&p.message.id).map_or(Batched::NotStored, |s| Batched::Stored(*s));
                let _ = p.answer.send(Ok(result));
            }
        }
        Err(StoreError::Unavailable(why)) => {
            for p in batch {
                let _ = p.answer.send(Err(StoreError::Unavailable(why.clone())));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, count = batch.len(), "a batch of sends failed; storing each on its own");
            for p in batch {
                let _ = p.answer.send(Ok(Batched::Alone));
            }
        }
    }
}

/// The statement: `$1`–`$13` the messages' columns as arrays, `$14` and `$15` the status of a
/// message to a running and to a paused endpoint.
const INSERT_BATCH: &str = concat!(
    "WITH m AS ( \
       SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BYTEA[], $7::BIGINT[], \
                            $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], $12::BIGINT[], $13::BIGINT[]) WITH ORDINALITY \
       AS m(id, project_id, direction, endpoint_id, content_type, payload, size_bytes, payload_sha256, headers, \
            idempotency_key, signed_at, created_at, retention_hours, ord)), \
     ep AS ( \
       SELECT id, project_id, url, paused FROM endpoints \
        WHERE id IN (SELECT endpoint_id FROM m) AND deleted_at IS NULL ORDER BY id FOR SHARE) ",
    insert_message_sql!(),
    "SELECT m.id, m.project_id, m.direction, m.endpoint_id, ep.url, CASE WHEN ep.paused THEN $15 ELSE $14 END, \
            m.content_type, m.payload, m.size_bytes, m.payload_sha256, m.headers, m.idempotency_key, m.signed_at, \
            m.created_at, m.retention_hours, m.created_at, m.created_at \
       FROM m JOIN ep ON ep.id = m.endpoint_id AND ep.project_id = m.project_id ORDER BY m.ord",
    on_key_conflict!(),
    " RETURNING id, status"
);

/// Stores what it can of `messages` in one statement and one commit; the statuses of the
/// stored ones by id.
async fn insert_batch(pool: &Pool, messages: &[&NewMessage]) -> Result<HashMap<String, MessageStatus>, StoreError> {
    let n = messages.len();
    let (mut ids, mut projects, mut directions, mut endpoints) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut content_types, mut payloads, mut sizes, mut hashes) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut headers, mut keys, mut signed_ats, mut created_ats, mut retentions) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for m in messages {
        ids.push(m.id.as_str());
        projects.push(m.project_id.as_str());
        directions.push(m.direction.as_str());
        endpoints.push(m.endpoint_id.as_str());
        content_types.push(m.content_type.as_str());
        payloads.push(m.payload.as_slice());
        sizes.push(payload_size(m)?);
        hashes.push(m.payload_sha256.as_str());
        headers.push(m.headers_json.as_deref());
        keys.push(m.idempotency_key.as_deref());
        signed_ats.push(m.signed_at);
        created_ats.push(m.created_at);
        retentions.push(m.retention_hours);
    }
    let (running, paused) = (MessageStatus::requeued(false).as_str(), MessageStatus::requeued(true).as_str());
    let client = pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let stmt = client.prepare_cached(INSERT_BATCH).await.map_err(pg_err)?;
    // BEGIN, the statement and COMMIT go out together (one round trip); each send is answered
    // only once COMMIT has answered, that is after the WAL flush. (The rows of a statement run
    // outside a transaction block can reach the client before its commit has flushed.) When the
    // statement fails, PostgreSQL turns the COMMIT into a rollback.
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 15] = [
        &ids,
        &projects,
        &directions,
        &endpoints,
        &content_types,
        &payloads,
        &sizes,
        &hashes,
        &headers,
        &keys,
        &signed_ats,
        &created_ats,
        &retentions,
        &running,
        &paused,
    ];
    let (begun, rows, committed) =
        tokio::join!(client.batch_execute("BEGIN"), client.query(&stmt, &params), client.batch_execute("COMMIT"));
    begun.map_err(pg_err)?;
    let rows = rows.map_err(pg_err)?;
    committed.map_err(pg_err)?;
    let mut stored = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = col(row, 0)?;
        let status: String = col(row, 1)?;
        stored.insert(id, messages::stored_status(&status)?);
    }
    Ok(stored)
}
