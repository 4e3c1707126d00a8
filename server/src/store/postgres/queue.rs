//! PostgreSQL implementation of [`DeliveryQueue`], for several nodes delivering from one
//! database. Claims lock due rows with `FOR UPDATE SKIP LOCKED` and lease them to this node
//! (`leased_by`, `lease_until`), so no message is claimed twice while its lease is live; the
//! per-endpoint in-flight cap and rate limit hold in total over all nodes ([`super::caps`]).
//! Attempts are recorded only while this node still holds the lease, and a lease left by a node
//! that died becomes due again once it expires (at-least-once).

use std::collections::HashMap;

use deadpool_postgres::GenericClient;

use super::due_work::WAITING;
use super::{PgStore, caps, col, pg_err, signing_keys};
use crate::clock::now_millis;
use crate::secrets::{SecretBox, SecretField};
use crate::store::queue::{ClaimedRow, DeliveryTarget, QUEUE_DEPTH_SQL, RELEASED_STATUS, add_to_depth};
use crate::store::{
    Allocation, AttemptRecord, ClaimedDelivery, DeliveryQueue, Direction, DueScan, DueWork, NextState, StoreError,
};
use crate::telemetry::QueueDepth;

#[async_trait::async_trait]
impl DeliveryQueue for PgStore {
    async fn due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        self.scan_due_work(scan).await
    }

    async fn claim(&self, now_ms: i64, lease_ms: i64, allocations: Vec<Allocation>) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let mut client = self.client().await?;
        if requeue_leases(&client, now_ms, "lease_until <= $1", None).await? > 0 {
            self.announce_work();
        }
        let mut allocations: Vec<Allocation> = allocations.into_iter().filter(|a| a.count > 0).collect();
        if allocations.is_empty() {
            return Ok(Vec::new());
        }
        // Endpoint locks are taken in one order on every node, so claims never deadlock.
        allocations.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
        let keys = self.secrets();
        let tx = client.transaction().await.map_err(pg_err)?;
        let lease_until = now_ms.saturating_add(lease_ms);
        let mut rows = Vec::new();
        for allocation in &allocations {
            caps::lock_endpoint(&tx, &allocation.endpoint_id).await?;
            let state = caps::read(&tx, &allocation.endpoint_id, now_ms).await?;
            let count = allocation.count.min(state.free(allocation.endpoint_limit));
            if state.paused || count == 0 {
                continue;
            }
            let claimed = claim_rows(&tx, allocation, count, now_ms, lease_until, &self.node_id).await?;
            if let Some(bucket) = &state.bucket
                && !claimed.is_empty()
            {
                caps::spend(&tx, &allocation.endpoint_id, bucket, claimed.len()).await?;
            }
            rows.extend(claimed);
        }
        let mut targets: HashMap<String, Option<DeliveryTarget>> = HashMap::new();
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in rows {
            if !targets.contains_key(&row.endpoint_id) {
                let target = load_target(&tx, &keys, row.direction, &row.endpoint_id).await?;
                targets.insert(row.endpoint_id.clone(), target);
            }
            let id = row.id.clone();
            let target = targets.get(&row.endpoint_id).and_then(Option::as_ref);
            match row.into_delivery(target) {
                Ok(delivery) => deliveries.push(delivery),
                Err(why) => fail_undeliverable(&tx, &id, why.reason(), now_ms).await?,
            }
        }
        tx.commit().await.map_err(pg_err)?;
        Ok(deliveries)
    }

    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(pg_err)?;
        let mut due_now = false;
        for record in &records {
            if record_attempt(&tx, record, &self.node_id).await? {
                due_now |= matches!(record.next, NextState::Retry { at_ms, .. } if at_ms <= record.finished_at);
            } else {
                tracing::warn!(
                    message_id = %record.message_id,
                    attempt_no = record.attempt_no,
                    "an attempt finished after its lease was taken over; its result is not recorded"
                );
            }
        }
        tx.commit().await.map_err(pg_err)?;
        if due_now {
            self.announce_work();
        }
        Ok(())
    }

    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError> {
        if message_ids.is_empty() {
            return Ok(());
        }
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "UPDATE messages SET status = {RELEASED_STATUS}, next_attempt_at = $1, lease_until = NULL, leased_by = NULL \
                 WHERE id = ANY($2) AND status = 'delivering' AND leased_by = $3"
            ))
            .await
            .map_err(pg_err)?;
        let released = client.execute(&stmt, &[&due_at_ms, &message_ids, &&*self.node_id]).await.map_err(pg_err)?;
        // Due now (e.g. this node is shutting down): another node takes them at once.
        if released > 0 && due_at_ms <= now_millis() {
            self.announce_work();
        }
        Ok(())
    }

    async fn release_orphaned_leases(&self, now_ms: i64) -> Result<u64, StoreError> {
        // Expired leases of any node, and leases this node's id held in an earlier run; live
        // leases of other nodes are theirs.
        let client = self.client().await?;
        let released = requeue_leases(&client, now_ms, "(lease_until <= $1 OR leased_by = $2)", Some(&self.node_id)).await?;
        if released > 0 {
            self.announce_work();
        }
        Ok(released)
    }

    async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(QUEUE_DEPTH_SQL).await.map_err(pg_err)?;
        let mut depth = QueueDepth::default();
        for row in client.query(&stmt, &[]).await.map_err(pg_err)? {
            let status: String = col(&row, 0)?;
            let count: i64 = col(&row, 1)?;
            add_to_depth(&mut depth, &status, count);
        }
        Ok(depth)
    }

    fn wake_source(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        Some(self.start_listening())
    }
}

/// Makes due now, without counting an attempt, the leased messages matching `condition` (on
/// `$1` = `now_ms` and `$2` = `node`), skipping rows another transaction holds.
async fn requeue_leases<C: GenericClient>(
    client: &C,
    now_ms: i64,
    condition: &str,
    node: Option<&str>,
) -> Result<u64, StoreError> {
    let sql = format!(
        "UPDATE messages SET status = {RELEASED_STATUS}, next_attempt_at = $1, lease_until = NULL, leased_by = NULL \
         WHERE id IN (SELECT id FROM messages WHERE status = 'delivering' AND {condition} FOR UPDATE SKIP LOCKED)"
    );
    let stmt = client.prepare_cached(&sql).await.map_err(pg_err)?;
    match node {
        Some(node) => client.execute(&stmt, &[&now_ms, &node]).await,
        None => client.execute(&stmt, &[&now_ms]).await,
    }
    .map_err(pg_err)
}

/// Leases up to `count` of the endpoint's oldest due messages to `node`.
async fn claim_rows<C: GenericClient>(
    tx: &C,
    allocation: &Allocation,
    count: usize,
    now_ms: i64,
    lease_until: i64,
    node: &str,
) -> Result<Vec<ClaimedRow>, StoreError> {
    let stmt = tx
        .prepare_cached(&format!(
            "UPDATE messages SET status = 'delivering', lease_until = $1, leased_by = $6, updated_at = $2 \
             WHERE id IN (SELECT id FROM messages WHERE {WAITING} AND project_id = $3 AND endpoint_id = $4 \
                          AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $5 FOR UPDATE SKIP LOCKED) \
             RETURNING id, project_id, direction, endpoint_id, destination_url, content_type, payload, headers, signed_at, \
                       attempt_count, fast_retry_count, slow_retry_count, created_at"
        ))
        .await
        .map_err(pg_err)?;
    let limit = i64::try_from(count).unwrap_or(i64::MAX);
    let rows = tx
        .query(&stmt, &[&lease_until, &now_ms, &allocation.project_id, &allocation.endpoint_id, &limit, &node])
        .await
        .map_err(pg_err)?;
    rows.iter()
        .map(|r| {
            Ok(ClaimedRow {
                id: col(r, 0)?,
                project_id: col(r, 1)?,
                direction: Direction::from_stored(col(r, 2)?),
                endpoint_id: col(r, 3)?,
                destination_url: col(r, 4)?,
                content_type: col(r, 5)?,
                payload: col(r, 6)?,
                headers: col(r, 7)?,
                signed_at: col(r, 8)?,
                attempt_count: col(r, 9)?,
                fast_retry_count: col(r, 10)?,
                slow_retry_count: col(r, 11)?,
                created_at: col(r, 12)?,
            })
        })
        .collect()
}

/// What is needed to deliver to the endpoint, or `None` when it is gone.
async fn load_target<C: GenericClient>(
    tx: &C,
    keys: &SecretBox,
    direction: Direction,
    endpoint_id: &str,
) -> Result<Option<DeliveryTarget>, StoreError> {
    let (url, headers, rps, burst, signing) = match direction {
        Direction::Outbound => {
            let stmt = tx
                .prepare_cached("SELECT url, headers, rate_limit_rps, burst FROM endpoints WHERE id = $1 AND deleted_at IS NULL")
                .await
                .map_err(pg_err)?;
            let Some(row) = tx.query_opt(&stmt, &[&endpoint_id]).await.map_err(pg_err)? else { return Ok(None) };
            let sealed: Option<String> = col(&row, 1)?;
            let headers = keys.open_opt(SecretField::EndpointHeaders, endpoint_id, sealed.as_deref())?;
            (col(&row, 0)?, headers, col(&row, 2)?, col(&row, 3)?, true)
        }
        Direction::Inbound => {
            // Deleted inbound endpoints still forward what they accepted.
            let stmt =
                tx.prepare_cached("SELECT url, signing_enabled FROM inbound_endpoints WHERE id = $1").await.map_err(pg_err)?;
            let Some(row) = tx.query_opt(&stmt, &[&endpoint_id]).await.map_err(pg_err)? else { return Ok(None) };
            (col(&row, 0)?, None, 0, 0, col(&row, 1)?)
        }
    };
    let secrets = if signing { signing_keys::active_secrets(tx, keys, endpoint_id).await? } else { Vec::new() };
    Ok(Some(DeliveryTarget::new(url, headers.as_deref(), secrets, rps, burst)))
}

/// Fails a claimed message that can never be delivered.
async fn fail_undeliverable<C: GenericClient>(tx: &C, id: &str, reason: &str, now_ms: i64) -> Result<(), StoreError> {
    let stmt = tx
        .prepare_cached(
            "UPDATE messages SET status = 'failed_permanent', lease_until = NULL, leased_by = NULL, next_attempt_at = NULL, \
             last_error = $2, failed_at = $3, updated_at = $3 WHERE id = $1",
        )
        .await
        .map_err(pg_err)?;
    tx.execute(&stmt, &[&id, &reason, &now_ms]).await.map_err(pg_err)?;
    Ok(())
}

/// Records one attempt if this node still holds the claim it was made under (the message is
/// delivering, leased by `node`, and no later attempt was counted); returns whether it did.
async fn record_attempt<C: GenericClient>(tx: &C, r: &AttemptRecord, node: &str) -> Result<bool, StoreError> {
    let effect = r.next.effect();
    let stmt = tx
        .prepare_cached(
            "UPDATE messages SET status = $2, attempt_count = $3, fast_retry_count = fast_retry_count + $4, \
             slow_retry_count = slow_retry_count + $5, next_attempt_at = $6, lease_until = NULL, leased_by = NULL, \
             last_error = $7, response_status = $8, response_latency_ms = $9, \
             delivered_at = CASE WHEN $10 THEN $12 ELSE delivered_at END, \
             failed_at = CASE WHEN $11 THEN $12 ELSE failed_at END, \
             payload = CASE WHEN $10 AND retention_hours = 0 THEN NULL ELSE payload END, \
             updated_at = $12 \
             WHERE id = $1 AND status = 'delivering' AND leased_by = $13 AND attempt_count + 1 = $3",
        )
        .await
        .map_err(pg_err)?;
    let updated = tx
        .execute(
            &stmt,
            &[
                &r.message_id,
                &effect.status.as_str(),
                &r.attempt_no,
                &effect.fast_inc,
                &effect.slow_inc,
                &effect.next_attempt_at,
                &r.error,
                &r.response_status,
                &r.latency_ms,
                &effect.succeeded,
                &effect.failed,
                &r.finished_at,
                &node,
            ],
        )
        .await
        .map_err(pg_err)?;
    if updated == 0 {
        return Ok(false);
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO attempts (message_id, project_id, direction, attempt_no, response_status, latency_ms, error, outcome, \
             retry_after_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .await
        .map_err(pg_err)?;
    tx.execute(
        &stmt,
        &[
            &r.message_id,
            &r.project_id,
            &r.direction.as_str(),
            &r.attempt_no,
            &r.response_status,
            &r.latency_ms,
            &r.error,
            &effect.outcome,
            &r.retry_after_ms,
            &r.finished_at,
        ],
    )
    .await
    .map_err(pg_err)?;
    Ok(true)
}
