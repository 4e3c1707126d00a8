//! PostgreSQL: MessageStore. (Being written: every method still answers "not yet".)
#![allow(unused_variables, unused_imports)]

use super::PgStore;
use crate::store::messages::*;
use crate::store::*;
use hookbridge::Message;

fn not_yet() -> StoreError {
    StoreError::Database("not implemented on PostgreSQL yet".into())
}

#[async_trait::async_trait]
impl MessageStore for PgStore {
    async fn accept_send(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        Err(not_yet())
    }

    async fn get_message(&self, project_id: &str, message_id: &str) -> Result<Option<Message>, StoreError> {
        Err(not_yet())
    }

    async fn replay_message(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        mode: ReplayMode,
        now_ms: i64,
    ) -> Result<ReplayOutcome, StoreError> {
        Err(not_yet())
    }

    async fn replay_messages(
        &self,
        project_id: &str,
        direction: Direction,
        message_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<Vec<ReplayOutcome>, StoreError> {
        Err(not_yet())
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
        Err(not_yet())
    }

    async fn cancel_message(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        Err(not_yet())
    }

    async fn retry_message_now(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        Err(not_yet())
    }

    async fn list_messages(&self, filter: LogFilter) -> Result<ListPage<LogEntry>, StoreError> {
        Err(not_yet())
    }

    async fn metric_counts(
        &self,
        project_id: &str,
        direction: Direction,
        endpoint_id: Option<String>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<MetricCounts, StoreError> {
        Err(not_yet())
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
        Err(not_yet())
    }

    async fn count_messages_in(&self, project_id: &str, ranges: Vec<(i64, i64)>) -> Result<Vec<i64>, StoreError> {
        Err(not_yet())
    }
}
