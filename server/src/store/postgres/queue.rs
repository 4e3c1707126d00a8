//! PostgreSQL: DeliveryQueue. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::queue::*;
use crate::store::*;
use crate::telemetry::QueueDepth;

#[allow(dead_code)]
fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl DeliveryQueue for PgStore {
    async fn due_work(&self, scan: DueScan) -> Result<DueWork, StoreError> {
        Ok(DueWork::default())
    }

    async fn claim(&self, now_ms: i64, lease_ms: i64, allocations: Vec<Allocation>) -> Result<Vec<ClaimedDelivery>, StoreError> {
        Err(not_yet())
    }

    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError> {
        Err(not_yet())
    }

    async fn release_orphaned_leases(&self, now_ms: i64) -> Result<u64, StoreError> {
        Ok(0)
    }

    async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        Ok(QueueDepth::default())
    }
}
