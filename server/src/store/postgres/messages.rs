//! PostgreSQL implementation of [`MessageStore`], safe with several server processes on one
//! database: idempotency is settled by the unique index `messages_idempotency` (the loser of a
//! race reads the winner), replays, cancel and retry-now decide under a row lock of the message
//! (`SELECT … FOR UPDATE`), and every write that makes work due announces it to all nodes once
//! it has committed ([`WorkNote`]).

use std::sync::Arc;

use deadpool_postgres::{GenericClient, Transaction};

use super::message_insert::{insert_message, insert_send_fast};
use super::send_batch::{Batched, SendClaim};
use super::sql::{WorkNote, all_rows, commit, exec, list_rows, opt_row};
use super::{PgStore, pg_err};
use crate::domain::MessageStatus;
use crate::domain::messages::{self, ReplayFacts};
use crate::store::columns::Columns;
use crate::store::list_query::{Dialect, ListQuery};
use crate::store::messages::{MessageBody, MessageBucket, MetricSeries};
use crate::store::rows::{MESSAGE_COLUMNS, MessageRow};
use crate::store::{
    ClaimedDelivery, DeliveryQueue, Direction, ListPage, LogEntry, LogFilter, MessageRecord, MessageStore, MetricCounts,
    NewMessage, ReplayAllResult, ReplayMode, ReplayOutcome, SendLease, SendOutcome, StatusChange, StoreError,
};

/// The message already stored under `key` on the endpoint: its id and payload hash.
pub(super) async fn original_by_key(
    c: &impl GenericClient,
    endpoint_id: &str,
    key: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let row = opt_row(
        c,
        "SELECT id, payload_sha256 FROM messages WHERE endpoint_id = $1 AND idempotency_key = $2",
        &[&endpoint_id, &key],
    )
    .await?;
    row.map(|r| Ok((r.text(0).map_err(pg_err)?, r.text(1).map_err(pg_err)?))).transpose()
}

/// One message of the project in `direction`.
pub(super) async fn message_row(
    c: &impl GenericClient,
    project_id: &str,
    direction: Direction,
    message_id: &str,
) -> Result<Option<MessageRow>, StoreError> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND project_id = $2 AND direction = $3");
    let row = opt_row(c, &sql, &[&message_id, &project_id, &direction.as_str()]).await?;
    row.map(|r| MessageRow::read(&r).map_err(pg_err)).transpose()
}

/// Stores an outbound send (see [`MessageStore::accept_send`]).
async fn accept_send(tx: &Transaction<'_>, m: &NewMessage, note: &WorkNote) -> Result<SendOutcome, StoreError> {
    // FOR SHARE: a concurrent delete or pause of the endpoint waits for this send to commit,
    // so it sees (and handles) the new message.
    let endpoint = opt_row(
        tx,
        "SELECT url, paused FROM endpoints WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL FOR SHARE",
        &[&m.endpoint_id, &m.project_id],
    )
    .await?;
    let Some(endpoint) = endpoint else {
        return Ok(SendOutcome::EndpointNotFound);
    };
    let (url, paused) = (endpoint.text(0).map_err(pg_err)?, endpoint.flag(1).map_err(pg_err)?);
    if let Some(key) = &m.idempotency_key
        && let Some((id, sha)) = original_by_key(tx, &m.endpoint_id, key).await?
    {
        return Ok(messages::idempotent_repeat(id, &sha, &m.payload_sha256));
    }
    let status = MessageStatus::requeued(paused);
    if !insert_message(tx, m, &url, status).await? {
        // Another node stored the same key between our read and our insert.
        let key = m.idempotency_key.as_deref().unwrap_or_default();
        let (id, sha) = original_by_key(tx, &m.endpoint_id, key)
            .await?
            .ok_or_else(|| StoreError::Database("idempotency conflict without a stored message".into()))?;
        return Ok(messages::idempotent_repeat(id, &sha, &m.payload_sha256));
    }
    if status == MessageStatus::Queued {
        note.mark();
    }
    Ok(SendOutcome::Accepted(status.as_str()))
}

/// Whether the message's endpoint can take deliveries, and whether it is paused (`None` when
/// the endpoint is gone).
async fn endpoint_paused(tx: &Transaction<'_>, direction: Direction, endpoint_id: &str) -> Result<Option<bool>, StoreError> {
    let sql = match direction {
        Direction::Outbound => "SELECT paused FROM endpoints WHERE id = $1 AND deleted_at IS NULL",
        // Deleted inbound endpoints still forward what they accepted.
        Direction::Inbound => "SELECT paused FROM inbound_endpoints WHERE id = $1",
    };
    opt_row(tx, sql, &[&endpoint_id]).await?.map(|r| r.flag(0).map_err(pg_err)).transpose()
}

/// Replays one message under a lock of its row; the outcome, and whether it is now due.
async fn replay_one(
    tx: &Transaction<'_>,
    project_id: &str,
    direction: Direction,
    message_id: &str,
    mode: ReplayMode,
    now_ms: i64,
) -> Result<(ReplayOutcome, bool), StoreError> {
    let row = opt_row(
        tx,
        "SELECT status, replay_count, payload IS NULL, response_status, endpoint_id FROM messages \
         WHERE id = $1 AND project_id = $2 AND direction = $3 FOR UPDATE",
        &[&message_id, &project_id, &direction.as_str()],
    )
    .await?;
    let Some(r) = row else {
        return Ok((ReplayOutcome::NotFound, false));
    };
    let facts = ReplayFacts {
        status: messages::stored_status(&r.text(0).map_err(pg_err)?)?,
        replay_count: r.int(1).map_err(pg_err)?,
        payload_purged: r.flag(2).map_err(pg_err)?,
        response_status: r.opt_int(3).map_err(pg_err)?,
    };
    if let Err(refused) = messages::replay_allowed(&facts, mode) {
        return Ok((refused, false));
    }
    let Some(paused) = endpoint_paused(tx, direction, &r.text(4).map_err(pg_err)?).await? else {
        return Ok((ReplayOutcome::EndpointDeleted, false));
    };
    let status = MessageStatus::requeued(paused);
    exec(
        tx,
        "UPDATE messages SET status = $2, next_attempt_at = $3, signed_at = $4, fast_retry_count = 0, slow_retry_count = 0, \
         replay_count = replay_count + 1, lease_until = NULL, leased_by = NULL, failed_at = NULL, updated_at = $3 WHERE id = $1",
        &[&message_id, &status.as_str(), &now_ms, &now_ms.div_euclid(1000)],
    )
    .await?;
    Ok((ReplayOutcome::Replayed, status == MessageStatus::Queued))
}

/// Replays messages in order, in one transaction; marks `note` when any became due.
async fn replay_each(
    tx: &Transaction<'_>,
    project_id: &str,
    direction: Direction,
    ids: &[String],
    now_ms: i64,
    note: &WorkNote,
) -> Result<Vec<ReplayOutcome>, StoreError> {
    // Lock every row first, in one order, so two batches over the same messages cannot deadlock.
    all_rows(tx, "SELECT id FROM messages WHERE id = ANY($1) AND project_id = $2 ORDER BY id FOR UPDATE", &[&ids, &project_id])
        .await?;
    let mut outcomes = Vec::with_capacity(ids.len());
    let mut due = false;
    for id in ids {
        let (outcome, now_due) = replay_one(tx, project_id, direction, id, ReplayMode::Manual, now_ms).await?;
        due |= now_due;
        outcomes.push(outcome);
    }
    if due {
        note.mark();
    }
    Ok(outcomes)
}

/// A `pending_retry` outbound message changed under a lock of its row: `change` runs when the
/// rule allows it.
async fn retry_control(
    tx: &Transaction<'_>,
    project_id: &str,
    message_id: &str,
    change: &str,
    now_ms: i64,
) -> Result<StatusChange, StoreError> {
    let row = opt_row(
        tx,
        "SELECT status FROM messages WHERE id = $1 AND project_id = $2 AND direction = 'outbound' FOR UPDATE",
        &[&message_id, &project_id],
    )
    .await?;
    let Some(row) = row else {
        return Ok(StatusChange::NotFound);
    };
    if let Err(refused) = messages::retry_control_allowed(messages::stored_status(&row.text(0).map_err(pg_err)?)?) {
        return Ok(refused);
    }
    exec(tx, change, &[&message_id, &now_ms]).await?;
    Ok(StatusChange::Done)
}

/// Replays up to `limit` messages in `status`, oldest first (see [`MessageStore::replay_all`]);
/// the note says whether any became due.
async fn replay_all(
    tx: &Transaction<'_>,
    project_id: &str,
    direction: Direction,
    status: &str,
    endpoint_id: Option<&str>,
    limit: usize,
    now_ms: i64,
) -> Result<(ReplayAllResult, WorkNote), StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = all_rows(
        tx,
        "SELECT id FROM messages WHERE project_id = $1 AND direction = $2 AND status = $3 \
         AND ($4::TEXT IS NULL OR endpoint_id = $4) ORDER BY created_at, id LIMIT $5",
        &[&project_id, &direction.as_str(), &status, &endpoint_id, &limit],
    )
    .await?;
    let ids = rows.iter().map(|r| r.text(0).map_err(pg_err)).collect::<Result<Vec<_>, _>>()?;
    let note = WorkNote::default();
    let outcomes = replay_each(tx, project_id, direction, &ids, now_ms, &note).await?;
    let mut result = ReplayAllResult::default();
    for (id, outcome) in ids.into_iter().zip(&outcomes) {
        messages::tally_replay(&mut result, id, outcome);
    }
    Ok((result, note))
}

/// SQL of cancel: the message goes to the dead letter queue.
const CANCEL: &str = "UPDATE messages SET status = 'failed_permanent', next_attempt_at = NULL, failed_at = $2, \
     last_error = COALESCE(last_error, 'retry cancelled'), updated_at = $2 WHERE id = $1";
/// SQL of retry-now: the message is due now.
const RETRY_NOW: &str = "UPDATE messages SET next_attempt_at = $2, updated_at = $2 WHERE id = $1";

impl PgStore {
    /// Stores a send in the next send batch, claimed when `claim` is given and its endpoint has
    /// room (see [`super::send_batch`]); a send the batch could not store is decided in a
    /// transaction of its own, and is never claimed.
    async fn accept_send_with(
        &self,
        message: NewMessage,
        claim: Option<SendClaim>,
    ) -> Result<(SendOutcome, Option<ClaimedDelivery>), StoreError> {
        let message = Arc::new(message);
        let stored = match self.sends.store(message.clone(), claim).await? {
            Batched::Stored(status) => Some(status),
            Batched::Leased(delivery) => {
                // Answered `queued`, as a send stored waiting: the claim is part of the same write.
                let accepted = SendOutcome::Accepted(MessageStatus::Queued.as_str());
                return match *delivery {
                    Ok(delivery) => {
                        // An older message was claimed in the send's slot: the send waits, so
                        // it is announced as any waiting send is.
                        if delivery.message_id != message.id {
                            self.announce_work();
                        }
                        Ok((accepted, Some(delivery)))
                    }
                    Err(why) => {
                        // The send is stored: it is answered as accepted whatever becomes of its claim.
                        tracing::warn!(reason = why, "could not start a send stored claimed; the engine will claim it");
                        if let Err(e) = self.release(vec![message.id.clone()], message.created_at).await {
                            tracing::error!(error = %e, "could not put back a send stored claimed; its lease will expire");
                        }
                        Ok((accepted, None))
                    }
                };
            }
            Batched::NotStored => None,
            Batched::Alone => insert_send_fast(&self.client().await?, &message).await?,
        };
        if let Some(status) = stored {
            if status == MessageStatus::Queued {
                self.announce_work();
            }
            return Ok((SendOutcome::Accepted(status.as_str()), None));
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let note = WorkNote::default();
        let outcome = accept_send(&tx, &message, &note).await?;
        let outcome = commit(tx, outcome).await?;
        self.announce_if(&note);
        Ok((outcome, None))
    }
}

#[async_trait::async_trait]
impl MessageStore for PgStore {
    async fn accept_send(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        Ok(self.accept_send_with(message, None).await?.0)
    }

    async fn accept_send_and_claim(
        &self,
        message: NewMessage,
        lease: SendLease,
    ) -> Result<(SendOutcome, Option<ClaimedDelivery>), StoreError> {
        self.accept_send_with(message, Some(SendClaim { lease, node: self.node_id.clone() })).await
    }

    async fn get_message(&self, project_id: &str, message_id: &str) -> Result<Option<MessageRecord>, StoreError> {
        let client = self.client().await?;
        message_row(&client, project_id, Direction::Outbound, message_id).await?.map(MessageRow::outbound).transpose()
    }

    async fn message_body(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
    ) -> Result<Option<MessageBody>, StoreError> {
        let client = self.client().await?;
        let sql = "SELECT payload, headers FROM messages WHERE id = $1 AND project_id = $2 AND direction = $3";
        let row = opt_row(&client, sql, &[&message_id, &project_id, &direction.as_str()]).await?;
        row.map(|r| Ok(MessageBody { payload: r.try_get(0).map_err(pg_err)?, headers_json: r.try_get(1).map_err(pg_err)? }))
            .transpose()
    }

    async fn replay_message(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        mode: ReplayMode,
        now_ms: i64,
    ) -> Result<ReplayOutcome, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let (outcome, due) = replay_one(&tx, project_id, direction, message_id, mode, now_ms).await?;
        let outcome = commit(tx, outcome).await?;
        if due {
            self.announce_work();
        }
        Ok(outcome)
    }

    async fn replay_messages(
        &self,
        project_id: &str,
        direction: Direction,
        message_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<Vec<ReplayOutcome>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let note = WorkNote::default();
        let outcomes = replay_each(&tx, project_id, direction, &message_ids, now_ms, &note).await?;
        let outcomes = commit(tx, outcomes).await?;
        self.announce_if(&note);
        Ok(outcomes)
    }

    async fn replay_all(
        &self,
        project_id: &str,
        direction: Direction,
        status: &str,
        endpoint_id: Option<String>,
        limit: usize,
        now_ms: i64,
    ) -> Result<ReplayAllResult, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let (result, note) = replay_all(&tx, project_id, direction, status, endpoint_id.as_deref(), limit, now_ms).await?;
        let result = commit(tx, result).await?;
        self.announce_if(&note);
        Ok(result)
    }

    async fn cancel_message(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let change = retry_control(&tx, project_id, message_id, CANCEL, now_ms).await?;
        commit(tx, change).await
    }

    async fn retry_message_now(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let change = retry_control(&tx, project_id, message_id, RETRY_NOW, now_ms).await?;
        let change = commit(tx, change).await?;
        if change == StatusChange::Done {
            self.announce_work();
        }
        Ok(change)
    }

    async fn list_messages(&self, filter: LogFilter) -> Result<ListPage<LogEntry>, StoreError> {
        let client = self.client().await?;
        let q = ListQuery::messages(Dialect::Postgres, MESSAGE_COLUMNS, &filter);
        let rows = list_rows(&client, &q).await?;
        let entries = rows.iter().map(|r| MessageRow::read(r).map_err(pg_err)?.log_entry()).collect::<Result<_, StoreError>>()?;
        Ok(ListPage::from_overfetch(entries, filter.limit))
    }

    async fn metric_series(
        &self,
        project_id: &str,
        direction: Direction,
        endpoint_id: Option<String>,
        first_ms: i64,
        width_ms: i64,
        count: usize,
    ) -> Result<Vec<MetricCounts>, StoreError> {
        let client = self.client().await?;
        let end_ms = MetricSeries::end_ms(first_ms, width_ms, count);
        let width_ms = width_ms.max(1);
        let mut series = MetricSeries::new(count);
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] =
            [&project_id, &direction.as_str(), &first_ms, &width_ms, &end_ms, &endpoint_id];
        let rows = all_rows(
            &client,
            "SELECT (created_at - $3) / $4 AS b, COUNT(*)::BIGINT, \
             COUNT(*) FILTER (WHERE status = 'succeeded')::BIGINT, COUNT(*) FILTER (WHERE status = 'failed_permanent')::BIGINT, \
             COUNT(*) FILTER (WHERE status = 'pending_retry')::BIGINT, \
             AVG(CASE WHEN delivered_at IS NOT NULL AND status = 'succeeded' THEN delivered_at - created_at END)::FLOAT8 \
             FROM messages WHERE project_id = $1 AND direction = $2 AND created_at >= $3 AND created_at < $5 \
             AND ($6::TEXT IS NULL OR endpoint_id = $6) GROUP BY b",
            &params,
        )
        .await?;
        for r in rows {
            let bucket = MessageBucket {
                total: r.int(1).map_err(pg_err)?,
                succeeded: r.int(2).map_err(pg_err)?,
                failed: r.int(3).map_err(pg_err)?,
                retrying: r.int(4).map_err(pg_err)?,
                avg_delivery_ms: r.try_get(5).map_err(pg_err)?,
            };
            series.messages(r.int(0).map_err(pg_err)?, bucket);
        }
        let rows = all_rows(
            &client,
            "SELECT (a.created_at - $3) / $4 AS b, COUNT(*) FILTER (WHERE a.attempt_no > 1)::BIGINT, AVG(a.latency_ms)::FLOAT8 \
             FROM attempts a WHERE a.project_id = $1 AND a.direction = $2 AND a.created_at >= $3 AND a.created_at < $5 \
             AND ($6::TEXT IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.id = a.message_id AND m.endpoint_id = $6)) \
             GROUP BY b",
            &params,
        )
        .await?;
        for r in rows {
            series.attempts(r.int(0).map_err(pg_err)?, r.opt_int(1).map_err(pg_err)?, r.try_get(2).map_err(pg_err)?);
        }
        Ok(series.finish())
    }

    async fn count_messages_in(&self, project_id: &str, ranges: Vec<(i64, i64)>) -> Result<Vec<i64>, StoreError> {
        let client = self.client().await?;
        let mut counts = Vec::with_capacity(ranges.len());
        for (from, to) in ranges {
            let row = opt_row(
                &client,
                "SELECT COUNT(*)::BIGINT FROM messages WHERE project_id = $1 AND direction IN ('outbound', 'inbound') \
                 AND created_at >= $2 AND created_at < $3",
                &[&project_id, &from, &to],
            )
            .await?;
            counts.push(row.map(|r| r.int(0).map_err(pg_err)).transpose()?.unwrap_or(0));
        }
        Ok(counts)
    }
}
