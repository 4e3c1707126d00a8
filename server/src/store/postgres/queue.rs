//! PostgreSQL implementation of [`DeliveryQueue`], for several nodes delivering from one
//! database. Claims lock due rows with `FOR UPDATE SKIP LOCKED` and lease them to this node
//! (`leased_by`, `lease_until`), so no message is claimed twice while its lease is live; the
//! per-endpoint in-flight cap and rate limit hold in total over all nodes ([`super::caps`]).
//! Attempts are recorded only while this node still holds the lease, and a lease left by a node
//! that died becomes due again once it expires (at-least-once), with an `interrupted` attempt.
//!
//! Every call is a few statements whatever the batch ([`super::due_work`], [`super::claim`],
//! [`super::attempts`]), on the delivery connections, whose commits do not wait for the WAL
//! flush: a claim, release or attempt record lost in a database crash means a redelivery.

use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

use super::{PgStore, attempts, claim, col, pg_err};
use crate::clock::now_millis;
use crate::domain::interruption::{self, Interruption};
use crate::secrets::SecretBox;
use crate::store::queue::{QUEUE_DEPTH_SQL, RELEASED_STATUS, add_to_depth};
use crate::store::{Allocation, AttemptRecord, ClaimedDelivery, DeliveryQueue, DueScan, DueWork, NextState, StoreError};
use crate::telemetry::QueueDepth;

#[async_trait::async_trait]
impl DeliveryQueue for PgStore {
    async fn due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        self.scan_due_work(scan).await
    }

    async fn claim(&self, now_ms: i64, lease_ms: i64, allocations: Vec<Allocation>) -> Result<Vec<ClaimedDelivery>, StoreError> {
        let mut client = self.delivery_client().await?;
        claim_committed(&mut client, &self.secrets(), allocations, now_ms, now_ms.saturating_add(lease_ms), &self.node_id).await
    }

    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        // The delivery engine hands in everything that finished meanwhile (delivery/recorder.rs),
        // so one call is one statement.
        let client = self.delivery_client().await?;
        let recorded = attempts::record_batch(&client, &records, &self.node_id).await?;
        let mut due_now = false;
        for (record, recorded) in records.iter().zip(recorded) {
            if recorded {
                due_now |= matches!(record.next, NextState::Retry { at_ms, .. } if at_ms <= record.finished_at);
            } else {
                tracing::warn!(
                    message_id = %record.message_id,
                    attempt_no = record.attempt_no,
                    "an attempt finished after its lease was taken over; its result is not recorded"
                );
            }
        }
        if due_now {
            self.announce_work();
        }
        Ok(())
    }

    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError> {
        if message_ids.is_empty() {
            return Ok(());
        }
        let client = self.delivery_client().await?;
        let stmt = client
            .prepare_cached(&format!(
                "UPDATE messages SET status = {RELEASED_STATUS}, next_attempt_at = $1, lease_until = NULL, leased_by = NULL \
                 WHERE id = ANY($2) AND status = 'delivering' AND leased_by = $3"
            ))
            .await
            .map_err(pg_err)?;
        let released = client.execute(&stmt, &[&due_at_ms, &message_ids, &&*self.node_id]).await.map_err(pg_err)?;
        // Due now (no free slot here): another node may take them at once.
        if released > 0 && due_at_ms <= now_millis() {
            self.announce_work();
        }
        Ok(())
    }

    async fn abandon(&self, message_ids: Vec<String>, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        if message_ids.is_empty() {
            return Ok(0);
        }
        let client = self.delivery_client().await?;
        let error = interruption::error_literal(Interruption::Shutdown);
        let node: &str = &self.node_id;
        let abandoned =
            interrupt_leases(&client, "id = ANY($2) AND leased_by = $3", &error, max_attempts, &[&now_ms, &message_ids, &node])
                .await?;
        // Due now: another node takes them at once.
        if abandoned > 0 {
            self.announce_work();
        }
        Ok(abandoned)
    }

    async fn release_orphaned_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        // Expired leases of any node, and leases this node's id held in an earlier run; live
        // leases of other nodes are theirs.
        let client = self.delivery_client().await?;
        let error = format!(
            "CASE WHEN leased_by = $2 THEN {} ELSE {} END",
            interruption::error_literal(Interruption::Restart),
            interruption::error_literal(Interruption::LeaseExpired)
        );
        let node: &str = &self.node_id;
        let released =
            interrupt_leases(&client, "(lease_until <= $1 OR leased_by = $2)", &error, max_attempts, &[&now_ms, &node]).await?;
        if released > 0 {
            self.announce_work();
        }
        Ok(released)
    }

    async fn reclaim_expired_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError> {
        let client = self.delivery_client().await?;
        let error = interruption::error_literal(Interruption::LeaseExpired);
        let reclaimed = interrupt_leases(&client, "lease_until <= $1", &error, max_attempts, &[&now_ms]).await?;
        if reclaimed > 0 {
            self.announce_work();
        }
        Ok(reclaimed)
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

/// Takes back the leased messages matching `condition` (on `$1` = now and the further
/// `params`), skipping rows another transaction holds, each with an `interrupted` attempt whose
/// error text is the SQL expression `error` (on the row before the update), in one statement
/// ([`interruption`]; `RETURNING` gives the counts after it). The rows are updated by their
/// ids as an array, as the claim does, so the update is a primary-key lookup whatever the
/// plan's statistics. `$1` is cast where it is used: in `CASE … THEN NULL ELSE $1` alone it
/// would be typed as text. Returns how many.
async fn interrupt_leases<C: GenericClient>(
    client: &C,
    condition: &str,
    error: &str,
    max_attempts: u32,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64, StoreError> {
    let sql = format!(
        "WITH gone AS (SELECT id FROM messages WHERE status = 'delivering' AND {condition} FOR UPDATE SKIP LOCKED), \
         settled AS (UPDATE messages SET {update}, leased_by = NULL WHERE id = ANY(ARRAY(SELECT id FROM gone)) \
           RETURNING id, project_id, direction, attempt_count - 1 AS attempt_count, last_error AS error) \
         INSERT INTO attempts ({columns}) SELECT {values} FROM settled",
        update = interruption::message_update_sql(max_attempts, "$1::BIGINT", error),
        columns = interruption::ATTEMPT_COLUMNS,
        values = interruption::attempt_values_sql("$1::BIGINT", "error"),
    );
    let stmt = client.prepare_cached(&sql).await.map_err(pg_err)?;
    client.execute(&stmt, params).await.map_err(pg_err)
}

/// Claims what `allocations` ask for (see [`claim::claim_batch`]) in a transaction of its own on
/// `client`, a delivery connection, leased to `node` until `lease_until`; fails the claimed
/// messages that can never be delivered, and commits. Used by the engine's claims and by a
/// send batch that found older messages of its endpoints waiting ([`super::send_batch`]).
pub(super) async fn claim_committed(
    client: &mut deadpool_postgres::Object,
    keys: &SecretBox,
    allocations: Vec<Allocation>,
    now_ms: i64,
    lease_until: i64,
    node: &str,
) -> Result<Vec<ClaimedDelivery>, StoreError> {
    let mut allocations: Vec<Allocation> = allocations.into_iter().filter(|a| a.count > 0).collect();
    allocations.sort_by(|a, b| a.endpoint_id.cmp(&b.endpoint_id));
    allocations.dedup_by(|a, b| a.endpoint_id == b.endpoint_id);
    if allocations.is_empty() {
        return Ok(Vec::new());
    }
    let tx = client.transaction().await.map_err(pg_err)?;
    let (deliveries, undeliverable) = claim::claim_batch(&tx, keys, &allocations, now_ms, lease_until, node).await?;
    fail_undeliverable(&tx, &undeliverable, now_ms).await?;
    tx.commit().await.map_err(pg_err)?;
    Ok(deliveries)
}

/// Fails claimed messages that can never be delivered, each with its reason.
async fn fail_undeliverable<C: GenericClient>(tx: &C, failed: &[(String, &'static str)], now_ms: i64) -> Result<(), StoreError> {
    if failed.is_empty() {
        return Ok(());
    }
    let (ids, reasons): (Vec<&str>, Vec<&str>) = failed.iter().map(|(id, why)| (id.as_str(), *why)).unzip();
    let stmt = tx
        .prepare_cached(
            "UPDATE messages m SET status = 'failed_permanent', lease_until = NULL, leased_by = NULL, next_attempt_at = NULL, \
             last_error = f.reason, failed_at = $3, updated_at = $3 \
             FROM unnest($1::TEXT[], $2::TEXT[]) AS f(id, reason) WHERE m.id = f.id",
        )
        .await
        .map_err(pg_err)?;
    tx.execute(&stmt, &[&ids, &reasons, &now_ms]).await.map_err(pg_err)?;
    Ok(())
}
