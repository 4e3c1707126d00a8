//! SQLite implementation of [`MessageStore`]: writes in `message_writes`, reads in `message_queries`.

use super::{SqliteStore, message_queries as q, message_writes as w};
use crate::store::messages::MessageBody;
use crate::store::{
    ClaimedDelivery, Direction, ListPage, LogEntry, LogFilter, MessageRecord, MessageStore, MetricCounts, NewMessage,
    ReplayAllResult, ReplayMode, ReplayOutcome, SendLease, SendOutcome, StatusChange, StoreError,
};

#[async_trait::async_trait]
impl MessageStore for SqliteStore {
    async fn accept_send(&self, message: NewMessage) -> Result<SendOutcome, StoreError> {
        self.write(move |conn| w::accept_send(conn, &message)).await
    }

    async fn accept_send_and_claim(
        &self,
        message: NewMessage,
        lease: SendLease,
    ) -> Result<(SendOutcome, Option<ClaimedDelivery>), StoreError> {
        let (keys, lease_ms) = (self.secrets(), lease.lease_ms);
        self.write(move |conn| {
            let (outcome, stored) = w::accept_send_leased(conn, &message, message.created_at.saturating_add(lease_ms))?;
            let claimed = match (&outcome, stored) {
                (SendOutcome::Accepted(_), w::Stored::Leased(url)) => super::queue::leased_on_send(conn, &keys, &message, url),
                (SendOutcome::Accepted(_), w::Stored::Waiting) => super::queue::claim_on_send(conn, &keys, &message, lease_ms),
                _ => None,
            };
            Ok((outcome, claimed))
        })
        .await
    }

    async fn get_message(&self, project_id: &str, message_id: &str) -> Result<Option<MessageRecord>, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.read(move |conn| q::get_message(conn, &project, &id)).await
    }

    async fn message_body(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
    ) -> Result<Option<MessageBody>, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.read(move |conn| q::message_body(conn, &project, direction, &id)).await
    }

    async fn replay_message(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        mode: ReplayMode,
        now_ms: i64,
    ) -> Result<ReplayOutcome, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.write(move |conn| w::replay_one(conn, &project, direction, &id, mode, now_ms)).await
    }

    async fn replay_messages(
        &self,
        project_id: &str,
        direction: Direction,
        message_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<Vec<ReplayOutcome>, StoreError> {
        let project = project_id.to_owned();
        self.write(move |conn| {
            message_ids.iter().map(|id| w::replay_one(conn, &project, direction, id, ReplayMode::Manual, now_ms)).collect()
        })
        .await
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
        let (project, status) = (project_id.to_owned(), status.to_owned());
        self.write(move |conn| w::replay_all(conn, &project, direction, &status, endpoint_id.as_deref(), limit, now_ms)).await
    }

    async fn cancel_message(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.write(move |conn| w::cancel(conn, &project, &id, now_ms)).await
    }

    async fn retry_message_now(&self, project_id: &str, message_id: &str, now_ms: i64) -> Result<StatusChange, StoreError> {
        let (project, id) = (project_id.to_owned(), message_id.to_owned());
        self.write(move |conn| w::retry_now(conn, &project, &id, now_ms)).await
    }

    async fn list_messages(&self, filter: LogFilter) -> Result<ListPage<LogEntry>, StoreError> {
        self.read(move |conn| q::list_messages(conn, &filter)).await
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
        let project = project_id.to_owned();
        self.read(move |conn| q::metric_series(conn, &project, direction, endpoint_id.as_deref(), first_ms, width_ms, count))
            .await
    }

    async fn count_messages_in(&self, project_id: &str, ranges: Vec<(i64, i64)>) -> Result<Vec<i64>, StoreError> {
        let project = project_id.to_owned();
        self.read(move |conn| q::count_messages_in(conn, &project, &ranges)).await
    }
}
