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
//!
//! Claim on send: a send that holds a free worker slot of its node ([`SendClaim`]) is stored
//! already claimed, `delivering` and leased to the node, when its endpoint is running, has no
//! rate limit and no older message due, and has room under its cap of attempts in flight
//! counted over every node. The batch first takes the claim lock of those endpoints
//! ([`caps::LOCK_ENDPOINTS`], the lock of the engines' claims), and only then (a later
//! statement, so it sees every claim that held the lock before) counts their live leases. It
//! waits for a lock that another node's claim or batch holds, which is one short transaction.
//! A batch that did not wait would store its sends waiting, and then no send of the endpoint
//! could be claimed on any node until an engine had claimed the waiting ones: with several
//! nodes sending to one endpoint, nearly every delivery went through an engine's claim, and
//! waited for it. The lock, the insert, the delivery targets and the commit still go out in one
//! round trip.
//!
//! A send whose endpoint had older messages due is stored waiting; the batch then claims the
//! endpoint's oldest due messages for the slots of those sends, in a second, short transaction
//! ([`claim_older`]), as an engine's claim would. So, as on SQLite, a send's slot always serves
//! its endpoint's oldest due message, and the endpoint's next sends are claimed on send again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, error::TryRecvError, unbounded_channel};
use tokio::sync::oneshot;

use super::claim::{EndpointFacts, FACTS_SQL, query_facts};
use super::due_work::WAITING;
use super::message_insert::{insert_message_sql, on_key_conflict, payload_size};
use super::{caps, col, pg_err, queue};
use crate::clock::now_millis;
use crate::domain::MessageStatus;
use crate::domain::messages;
use crate::secrets::SecretBox;
use crate::store::gathering::{Gathering, Waited};
use crate::store::queue::ClaimedRow;
use crate::store::{Allocation, ClaimedDelivery, NewMessage, SendLease, StoreError};

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
    /// Stored (and committed) already claimed by this node: its delivery, or, when it cannot be
    /// made, why (the message must then be released).
    Leased(Box<Result<ClaimedDelivery, &'static str>>),
    /// Not stored: the endpoint is not live in the project, or the idempotency key is taken.
    NotStored,
    /// The batch's statement failed with a database error: store this message on its own.
    Alone,
}

/// The claim a send with a free worker slot asks for (see the module's doc).
#[derive(Clone, Debug)]
pub(super) struct SendClaim {
    /// The lease, and the cap of attempts in flight per endpoint over every node.
    pub lease: SendLease,
    /// The node the lease is for.
    pub node: Arc<str>,
}

/// A send waiting for its batch.
struct Pending {
    message: Arc<NewMessage>,
    claim: Option<SendClaim>,
    answer: oneshot::Sender<Result<Batched, StoreError>>,
}

/// Where sends hand in their messages; cheap to clone. The batcher task ends when every
/// handle is gone.
#[derive(Clone)]
pub(super) struct SendBatcher {
    queue: UnboundedSender<Pending>,
}

/// What a batch's task needs besides its sends.
struct Batcher {
    pool: Pool,
    /// Delivery connections (their commits do not wait for the WAL flush), for the claim of
    /// older waiting messages ([`claim_older`]).
    delivery: Pool,
    /// Opens the signing secrets and headers of the endpoints of claimed sends.
    keys: Arc<SecretBox>,
}

impl SendBatcher {
    /// Starts the batcher task, storing on connections of `pool` and claiming older waiting
    /// messages on connections of `delivery`, a batch waiting up to `gather` for the last
    /// batch's senders; `keys` open the secrets of claimed sends' endpoints. (A batcher task
    /// that panics drops its sends' answers, and every send is then stored on its own.)
    pub(super) fn start(pool: Pool, delivery: Pool, keys: Arc<SecretBox>, gather: Duration) -> Self {
        let (queue, pending) = unbounded_channel();
        tokio::spawn(run(Batcher { pool, delivery, keys }, pending, gather));
        SendBatcher { queue }
    }

    /// Stores `message` in the next batch, claimed when `claim` is given and the endpoint has
    /// room; answers once that batch has committed.
    pub(super) async fn store(&self, message: Arc<NewMessage>, claim: Option<SendClaim>) -> Result<Batched, StoreError> {
        let (answer, answered) = oneshot::channel();
        if self.queue.send(Pending { message, claim, answer }).is_err() {
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
async fn run(batcher: Batcher, mut pending: UnboundedReceiver<Pending>, gather: Duration) {
    let mut gathering = Gathering::default();
    let mut backoff = ClaimBackoff::default();
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
        let claimed_for = backoff.hold_back(&mut batch.sends);
        let outcome = match insert_batch(&batcher, &batch.sends).await {
            Ok((mut stored, claimable)) => {
                claim_older(&batcher, &batch.sends, &mut stored, &claimable).await;
                backoff.after(claimed_for, &batch.sends, &stored);
                Ok(stored)
            }
            Err(e) => Err(e),
        };
        // The sends that came during the commit, counted before its senders are answered (and
        // may send again), are senders of their own.
        let (taken, queued) = (batch.sends.len(), pending.len());
        answer(batch.sends, outcome);
        gathering.after(taken, queued, waited);
    }
}

/// How long claims on send to an endpoint rest after a batch could not serve all its sends.
const CLAIM_REST: Duration = Duration::from_secs(1);

/// Endpoints whose sends are not claimed for now. A batch that asked to claim sends of an
/// endpoint and could not serve them all, even with the claim of older messages (its cap or
/// rate limit left no room), says that the endpoint's messages go through the delivery
/// engine's claims now. Asking again with every batch would cost two statements per batch,
/// mostly for nothing, and two ways of claiming one endpoint's messages cost more than either.
/// After [`CLAIM_REST`] one batch asks again.
#[derive(Default)]
struct ClaimBackoff {
    resting: HashMap<String, tokio::time::Instant>,
}

impl ClaimBackoff {
    /// Drops the claim of every send to a resting endpoint; the endpoints still asking.
    fn hold_back(&mut self, sends: &mut [Pending]) -> Vec<String> {
        let now = tokio::time::Instant::now();
        self.resting.retain(|_, until| *until > now);
        let mut asking: Vec<String> = Vec::new();
        for p in sends.iter_mut().filter(|p| p.claim.is_some()) {
            if self.resting.contains_key(&p.message.endpoint_id) {
                p.claim = None;
            } else if !asking.contains(&p.message.endpoint_id) {
                asking.push(p.message.endpoint_id.clone());
            }
        }
        asking
    }

    /// Rests the endpoints in `asked` of which the batch claimed fewer sends than it asked for.
    fn after(&mut self, asked: Vec<String>, sends: &[Pending], stored: &HashMap<String, Batched>) {
        let until = tokio::time::Instant::now() + CLAIM_REST;
        for endpoint in asked {
            let all_claimed = sends
                .iter()
                .filter(|p| p.message.endpoint_id == endpoint && p.claim.is_some())
                .all(|p| matches!(stored.get(&p.message.id), Some(Batched::Leased(_))));
            if !all_claimed {
                self.resting.insert(endpoint, until);
            }
        }
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

/// Hands every send of the batch its part of `outcome` (what became of each stored message).
fn answer(batch: Vec<Pending>, outcome: Result<HashMap<String, Batched>, StoreError>) {
    match outcome {
        Ok(mut stored) => {
            for p in batch {
                let result = stored.remove(&p.message.id).unwrap_or(Batched::NotStored);
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

/// The statement: `$1`–`$13` the messages' columns as arrays, `$14`, `$15` and `$21` the status
/// of a message to a running endpoint, to a paused one and of a claimed one; `$16` each
/// message's place among the sends of its endpoint in the batch that hold a slot, counted
/// while none without one came before (NULL: not to be claimed), `$17` the cap of attempts in
/// flight per endpoint, `$18` the time, `$19` the lease's end, `$20` the node. The endpoints are
/// looked up by their ids as an array, so by their primary key whatever the plan's statistics.
static INSERT_BATCH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "WITH m AS ( \
           SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BYTEA[], $7::BIGINT[], \
                                $8::TEXT[], $9::TEXT[], $10::TEXT[], $11::BIGINT[], $12::BIGINT[], $13::BIGINT[], \
                                $16::BIGINT[]) WITH ORDINALITY \
           AS m(id, project_id, direction, endpoint_id, content_type, payload, size_bytes, payload_sha256, headers, \
                idempotency_key, signed_at, created_at, retention_hours, claim_place, ord)), \
         ep AS ( \
           SELECT id, project_id, url, paused, rate_limit_rps FROM endpoints \
            WHERE id = ANY(ARRAY(SELECT endpoint_id FROM m)) AND deleted_at IS NULL ORDER BY id FOR SHARE), \
         room AS ( \
           SELECT ep.id, $17::BIGINT - {in_flight} AS free \
             FROM ep WHERE NOT ep.paused AND ep.rate_limit_rps <= 0 \
              AND NOT EXISTS (SELECT 1 FROM messages w WHERE {WAITING} AND w.project_id = ep.project_id \
                                AND w.endpoint_id = ep.id AND w.next_attempt_at <= $18)), \
         s AS ( \
           SELECT m.*, ep.url, ep.paused, COALESCE(NOT ep.paused AND m.claim_place <= room.free, false) AS leased \
             FROM m JOIN ep ON ep.id = m.endpoint_id AND ep.project_id = m.project_id LEFT JOIN room ON room.id = ep.id) \
         {insert}\
         SELECT id, project_id, direction, endpoint_id, url, CASE WHEN paused THEN $15 WHEN leased THEN $21 ELSE $14 END, \
                content_type, payload, size_bytes, payload_sha256, headers, idempotency_key, signed_at, created_at, \
                retention_hours, created_at, created_at, CASE WHEN leased THEN $19::BIGINT END, \
                CASE WHEN leased THEN $20::TEXT END \
           FROM s ORDER BY ord{conflict} RETURNING id, status, destination_url",
        in_flight = caps::in_flight("ep.id", "$18::BIGINT"),
        insert = insert_message_sql!(),
        conflict = on_key_conflict!(),
    )
});

/// Each send's place among the sends of its endpoint that hold a slot (see [`INSERT_BATCH`]'s
/// `$16`): 1, 2, … while every send of the endpoint before it held one, then `None`.
fn claim_places(sends: &[Pending]) -> Vec<Option<i64>> {
    let mut runs: HashMap<&str, Option<i64>> = HashMap::new();
    sends
        .iter()
        .map(|p| {
            let run = runs.entry(p.message.endpoint_id.as_str()).or_insert(Some(0));
            *run = match (*run, &p.claim) {
                (Some(n), Some(_)) => Some(n + 1),
                _ => None,
            };
            *run
        })
        .collect()
}

/// Stores what it can of the batch's messages in one statement and one commit; what became of
/// the stored ones, by id, and the endpoints the batch asked to claim for that are running and
/// have no rate limit (where [`claim_older`] may claim).
async fn insert_batch(batcher: &Batcher, sends: &[Pending]) -> Result<(HashMap<String, Batched>, Vec<String>), StoreError> {
    let n = sends.len();
    let (mut ids, mut projects, mut directions, mut endpoints) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut content_types, mut payloads, mut sizes, mut hashes) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut headers, mut keys, mut signed_ats, mut created_ats, mut retentions) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for m in sends.iter().map(|p| p.message.as_ref()) {
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
    let places = claim_places(sends);
    let mut claiming: Vec<&str> =
        sends.iter().zip(&places).filter(|(_, p)| p.is_some()).map(|(s, _)| s.message.endpoint_id.as_str()).collect();
    claiming.sort_unstable();
    claiming.dedup();
    let claim = sends.iter().find_map(|p| p.claim.clone());
    let now = now_millis();
    let (limit, lease_until, node) = match &claim {
        Some(c) => {
            let limit = i64::try_from(c.lease.endpoint_limit).unwrap_or(i64::MAX);
            (limit, now.saturating_add(c.lease.lease_ms), c.node.to_string())
        }
        None => (0, now, String::new()),
    };
    let (running, paused, delivering) =
        (MessageStatus::requeued(false).as_str(), MessageStatus::requeued(true).as_str(), MessageStatus::Delivering.as_str());
    let client = batcher.pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let stmt = client.prepare_cached(&INSERT_BATCH).await.map_err(pg_err)?;
    // The claim's statements, prepared before the round trip below, so that its statements go
    // out in order.
    let claim_stmts = if claiming.is_empty() {
        None
    } else {
        let lock = client.prepare_cached(caps::LOCK_ENDPOINTS).await.map_err(pg_err)?;
        Some((lock, client.prepare_cached(&FACTS_SQL).await.map_err(pg_err)?))
    };
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 21] = [
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
        &places,
        &limit,
        &now,
        &lease_until,
        &node,
        &delivering,
    ];
    // BEGIN, the claim locks, the statement, the claimed endpoints' targets and COMMIT go out
    // together (one round trip); each send is answered only once COMMIT has answered, that is
    // after the WAL flush. (The rows of a statement run outside a transaction block can reach
    // the client before its commit has flushed.) When a statement fails, PostgreSQL turns the
    // COMMIT into a rollback.
    let lock = async {
        if let Some((lock, _)) = &claim_stmts {
            client.execute(lock, &[caps::lock_class(), &claiming]).await.map_err(pg_err)?;
        }
        Ok::<_, StoreError>(())
    };
    let facts = async {
        match &claim_stmts {
            Some((_, facts)) => query_facts(&client, facts, &batcher.keys, &claiming, now).await,
            None => Ok(HashMap::new()),
        }
    };
    let (begun, locked, rows, facts, committed) =
        tokio::join!(client.batch_execute("BEGIN"), lock, client.query(&stmt, &params), facts, client.batch_execute("COMMIT"));
    begun.map_err(pg_err)?;
    locked?;
    let rows = rows.map_err(pg_err)?;
    let facts = facts?;
    committed.map_err(pg_err)?;
    let by_id: HashMap<&str, &NewMessage> = sends.iter().map(|p| (p.message.id.as_str(), p.message.as_ref())).collect();
    let mut stored = HashMap::with_capacity(rows.len());
    for row in &rows {
        let id: String = col(row, 0)?;
        let status = messages::stored_status(&col::<String>(row, 1)?)?;
        let outcome = match (status, by_id.get(id.as_str())) {
            (MessageStatus::Delivering, Some(m)) => Batched::Leased(Box::new(leased_delivery(m, col(row, 2)?, &facts))),
            _ => Batched::Stored(status),
        };
        stored.insert(id, outcome);
    }
    let claimable = facts.iter().filter(|(_, f)| f.outbound.is_some() && f.runs_unlimited()).map(|(id, _)| id.clone()).collect();
    Ok((stored, claimable))
}

/// The follow-up claim of a batch whose sends found older messages of their endpoint waiting.
///
/// A send that held a free slot but was stored waiting, because older messages of its endpoint
/// were due, claims in its slot the endpoint's oldest due message instead, as an engine's
/// claim would (the same statements, in a transaction of their own on a delivery connection):
/// so the endpoint's deliveries start in order, and the waiting messages that kept the next
/// sends from being claimed are gone. Without it such a send left its slot to the engine, which
/// claimed the waiting messages only after a notification and a scan; under steady load new
/// sends kept landing behind them, and every later send of the endpoint went through the
/// engines' claims (in the cluster bench at three nodes, 18% of the sends were claimed on send
/// after a moment when the endpoint's cap was full). When the claim fails, the sends stay
/// stored waiting, for the engines.
async fn claim_older(batcher: &Batcher, sends: &[Pending], stored: &mut HashMap<String, Batched>, claimable: &[String]) {
    let waiting: Vec<&Pending> = sends
        .iter()
        .filter(|p| {
            p.claim.is_some()
                && claimable.contains(&p.message.endpoint_id)
                && matches!(stored.get(&p.message.id), Some(Batched::Stored(MessageStatus::Queued)))
        })
        .collect();
    let Some(claim) = waiting.first().and_then(|p| p.claim.clone()) else { return };
    let mut allocations: Vec<Allocation> = Vec::new();
    for p in &waiting {
        match allocations.iter_mut().find(|a| a.endpoint_id == p.message.endpoint_id) {
            Some(allocation) => allocation.count += 1,
            None => allocations.push(Allocation {
                project_id: p.message.project_id.clone(),
                endpoint_id: p.message.endpoint_id.clone(),
                count: 1,
                endpoint_limit: claim.lease.endpoint_limit,
            }),
        }
    }
    let now = now_millis();
    let lease_until = now.saturating_add(claim.lease.lease_ms);
    let claimed = match batcher.delivery.get().await {
        Ok(mut client) => queue::claim_committed(&mut client, &batcher.keys, allocations, now, lease_until, &claim.node).await,
        Err(e) => Err(StoreError::Unavailable(e.to_string())),
    };
    let mut deliveries = match claimed {
        Ok(deliveries) => deliveries,
        Err(e) => {
            tracing::debug!(error = %e, "could not claim the older messages of a batch's endpoints; the engines will");
            return;
        }
    };
    for p in waiting {
        if let Some(i) = deliveries.iter().position(|d| d.endpoint_id == p.message.endpoint_id) {
            let delivery = deliveries.remove(i);
            stored.insert(p.message.id.clone(), Batched::Leased(Box::new(Ok(delivery))));
        }
    }
}

/// The delivery of send `m`, stored claimed with destination `url`, to its endpoint's target.
fn leased_delivery(m: &NewMessage, url: String, facts: &HashMap<String, EndpointFacts>) -> Result<ClaimedDelivery, &'static str> {
    let target = facts.get(&m.endpoint_id).and_then(|f| f.outbound.as_ref());
    ClaimedRow::of_send(m, url).into_delivery(target).map_err(|why| why.reason())
}
