//! Interrupted attempts: a delivery whose request was started but whose lease is given up
//! without an outcome (the server was killed or stopped, or the lease expired and another
//! worker took the message back) is recorded as one attempt with the outcome `interrupted`.
//! The receiver may have seen that request, so it counts in `attempt_count` like any other.
//!
//! An interruption counts towards the attempt limit (a message that brings the server down each
//! time must not loop forever) as a step of the slow retry track, like an attempt that got no
//! answer, but the next attempt is due at once. The attempt that reaches the limit ends the
//! message `failed_permanent`, as does an interruption of a message deleted meanwhile.
//!
//! Claims given back on purpose before any request was sent (rate limited, no free slot) are
//! released without an attempt; the stores apply this rule only to leases left behind.

use super::status::MessageStatus;

/// The stored `outcome` of an interrupted attempt.
pub const OUTCOME: &str = "interrupted";

/// What cut an attempt short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interruption {
    /// The process holding the lease stopped without recording (found at the next start).
    Restart,
    /// The lease expired before its holder recorded an outcome (it died or stalled).
    LeaseExpired,
    /// A graceful shutdown gave up waiting for the receiver's answer.
    Shutdown,
}

impl Interruption {
    /// The attempt's error text (and the message's `last_error`).
    pub fn error(self) -> &'static str {
        match self {
            Interruption::Restart => "interrupted: the server stopped during the attempt",
            Interruption::LeaseExpired => "interrupted: the lease expired before the attempt was recorded",
            Interruption::Shutdown => "interrupted: the server shut down before the receiver answered",
        }
    }
}

/// Whether the attempt now being counted is the last one `max_attempts` allows, given the
/// retries already taken in this delivery run on each track. Shared with the retry schedule
/// (`crate::delivery::schedule`).
pub fn is_last_attempt(fast_retries: i64, slow_retries: i64, max_attempts: u32) -> bool {
    fast_retries.saturating_add(slow_retries).saturating_add(1) >= i64::from(max_attempts)
}

/// The status of a message after an interruption: `failed_permanent` when the run is over
/// (attempt limit reached, or the message was deleted), else `pending_retry`, due at once.
pub fn status_after(fast_retries: i64, slow_retries: i64, deleted: bool, max_attempts: u32) -> MessageStatus {
    if deleted || is_last_attempt(fast_retries, slow_retries, max_attempts) {
        MessageStatus::FailedPermanent
    } else {
        MessageStatus::PendingRetry
    }
}

/// SQL (every store): the `SET` assignments of a message whose leased attempt is interrupted at
/// `{now}` with the error text `{error}` (SQL expressions): [`status_after`] on the stored
/// counts, one more attempt and slow-track retry, and due at once unless the run is over.
/// Assignments read the row as it was, so every condition sees the counts before this attempt.
pub fn message_update_sql(max_attempts: u32, now: &str, error: &str) -> String {
    let over = format!("(deleted_at IS NOT NULL OR fast_retry_count + slow_retry_count + 1 >= {max_attempts})");
    format!(
        "status = CASE WHEN {over} THEN '{failed}' ELSE '{retry}' END, attempt_count = attempt_count + 1, \
         slow_retry_count = slow_retry_count + 1, next_attempt_at = CASE WHEN {over} THEN NULL ELSE {now} END, \
         lease_until = NULL, last_error = {error}, response_status = NULL, response_latency_ms = NULL, \
         failed_at = CASE WHEN {over} THEN {now} ELSE failed_at END, updated_at = {now}",
        failed = MessageStatus::FailedPermanent.as_str(),
        retry = MessageStatus::PendingRetry.as_str(),
    )
}

/// SQL (every store): the columns of the attempt row recorded for an interrupted lease, read
/// from the message row as it was before [`message_update_sql`]; pair with
/// [`ATTEMPT_COLUMNS`].
pub fn attempt_values_sql(now: &str, error: &str) -> String {
    format!("id, project_id, direction, attempt_count + 1, 0, {error}, '{OUTCOME}', {now}")
}

/// The `attempts` columns [`attempt_values_sql`] fills.
pub const ATTEMPT_COLUMNS: &str = "message_id, project_id, direction, attempt_no, latency_ms, error, outcome, created_at";

/// An error text as an SQL string literal.
pub fn error_literal(why: Interruption) -> String {
    format!("'{}'", why.error().replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interruptions_count_towards_the_limit_and_deleted_messages_end() {
        assert_eq!(status_after(0, 0, false, 8), MessageStatus::PendingRetry);
        assert_eq!(status_after(3, 3, false, 8), MessageStatus::PendingRetry);
        assert_eq!(status_after(3, 4, false, 8), MessageStatus::FailedPermanent);
        assert_eq!(status_after(0, 0, false, 1), MessageStatus::FailedPermanent);
        assert_eq!(status_after(0, 0, true, 8), MessageStatus::FailedPermanent);
        assert!(is_last_attempt(i64::MAX, i64::MAX, 8), "no overflow");
    }

    #[test]
    fn error_texts_say_interrupted_and_are_safe_sql_literals() {
        for why in [Interruption::Restart, Interruption::LeaseExpired, Interruption::Shutdown] {
            assert!(why.error().starts_with("interrupted: "), "{why:?}");
            let literal = error_literal(why);
            assert!(literal.starts_with('\'') && literal.ends_with('\'') && !literal[1..literal.len() - 1].contains('\''));
        }
        let sql = message_update_sql(8, "?1", "'x'");
        assert!(sql.contains("+ 1 >= 8") && sql.contains("attempt_count = attempt_count + 1"), "{sql}");
    }
}
