//! PostgreSQL: RetentionStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::retention::*;
use crate::store::*;

#[allow(dead_code)]
fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl RetentionStore for PgStore {
    async fn prune(
        &self,
        payloads_before_ms: i64,
        rejections_before_ms: i64,
        max_unattributed: usize,
    ) -> Result<Pruned, StoreError> {
        Ok(Default::default())
    }
}
