//! Reading the attempt records of a message (`GET /v1/messages/{id}/attempts` and the inbound
//! form). Attempts are written with the message's new state by [`super::DeliveryQueue`].

use super::columns::Columns;
use super::{Direction, StoreError};

/// The attempt columns [`StoredAttempt::read`] reads, in order.
pub const ATTEMPT_COLUMNS: &str = "id, attempt_no, created_at, response_status, latency_ms, error, outcome, retry_after_ms, \
     resolved_ip, request_headers, response_headers, response_body, response_body_truncated, ttfb_ms";

/// SQL (every store, `?n` or `$n` spelled by the caller): the attempts of message `1` in project
/// `2` and direction `3`, oldest first, at most `4`.
pub(crate) fn list_sql(p: char) -> String {
    format!(
        "SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE message_id = {p}1 AND project_id = {p}2 AND direction = {p}3 \
         ORDER BY attempt_no, id LIMIT {p}4"
    )
}

/// One stored attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAttempt {
    /// Row id (unique in the store).
    pub row_id: i64,
    /// Attempt number (1-based).
    pub attempt_no: i64,
    /// When it finished (Unix ms).
    pub created_at: i64,
    /// HTTP status, when an answer came.
    pub response_status: Option<i64>,
    /// Duration in milliseconds.
    pub latency_ms: i64,
    /// Error text.
    pub error: Option<String>,
    /// `succeeded`, `retry_fast`, `retry_slow`, `failed_permanent` or `interrupted`.
    pub outcome: String,
    /// The receiver's `Retry-After`, in ms.
    pub retry_after_ms: Option<i64>,
    /// Address the request went to.
    pub resolved_ip: Option<String>,
    /// JSON object of the request headers (masked).
    pub request_headers: Option<String>,
    /// JSON object of the response headers (masked).
    pub response_headers: Option<String>,
    /// The start of the response body.
    pub response_body: Option<String>,
    /// Whether the body was longer than what is kept.
    pub response_body_truncated: Option<bool>,
    /// Time to the response headers (ms).
    pub ttfb_ms: Option<i64>,
}

impl StoredAttempt {
    /// Reads a row selected with [`ATTEMPT_COLUMNS`].
    pub fn read<C: Columns>(r: &C) -> Result<Self, C::Error> {
        Ok(StoredAttempt {
            row_id: r.int(0)?,
            attempt_no: r.int(1)?,
            created_at: r.int(2)?,
            response_status: r.opt_int(3)?,
            latency_ms: r.int(4)?,
            error: r.opt_text(5)?,
            outcome: r.text(6)?,
            retry_after_ms: r.opt_int(7)?,
            resolved_ip: r.opt_text(8)?,
            request_headers: r.opt_text(9)?,
            response_headers: r.opt_text(10)?,
            response_body: r.opt_text(11)?,
            response_body_truncated: r.opt_flag(12)?,
            ttfb_ms: r.opt_int(13)?,
        })
    }
}

/// Storage reads of attempt records.
#[async_trait::async_trait]
pub trait AttemptStore: Send + Sync {
    /// Up to `limit` attempts of the message (oldest first); none when the message is not the
    /// project's or not in `direction`.
    async fn list_attempts(
        &self,
        project_id: &str,
        direction: Direction,
        message_id: &str,
        limit: usize,
    ) -> Result<Vec<StoredAttempt>, StoreError>;
}
