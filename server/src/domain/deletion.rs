//! Soft deletion of messages: what deleting a message does to it, and what an attempt that was
//! already in flight may still do to a deleted message. Both backends read the facts under
//! their lock, ask these functions and apply the answer.
//!
//! A deleted message keeps its record (status, counts, attempts) with `deleted_at` and the API
//! key that deleted it; its payload is purged and its idempotency key released at once. A
//! message waiting for an attempt (`queued`, `pending_retry`, `paused`) is never attempted
//! again: it ends `failed_permanent`. A message whose attempt is in flight keeps `delivering`
//! until that attempt is recorded; the attempt is recorded (the receiver saw it) but can no
//! longer schedule a retry.

use super::status::MessageStatus;

/// What deleting one message does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// It was deleted before, at this time (Unix ms): nothing changes.
    Already {
        /// When it was deleted.
        deleted_at: i64,
    },
    /// Delete it now, leaving it in `status`; `cancels_attempts` when it was waiting for an
    /// attempt, which is called off (its due time is cleared and it counts as failed now).
    Delete {
        /// The status it keeps or takes.
        status: MessageStatus,
        /// Whether a pending attempt is cancelled.
        cancels_attempts: bool,
    },
}

/// The rule for deleting a message in `status`, deleted before at `deleted_at` (if ever).
pub fn decide(status: MessageStatus, deleted_at: Option<i64>) -> Deletion {
    if let Some(deleted_at) = deleted_at {
        return Deletion::Already { deleted_at };
    }
    if status.is_waiting() || status == MessageStatus::Paused {
        Deletion::Delete { status: MessageStatus::FailedPermanent, cancels_attempts: true }
    } else {
        Deletion::Delete { status, cancels_attempts: false }
    }
}

/// The status a deleted message takes when an attempt that was in flight at deletion is
/// recorded, given the status the attempt alone would give it: delivered stays delivered, and
/// anything else (a retry included) ends the message as `failed_permanent`.
pub fn status_after_attempt(would_be: MessageStatus) -> MessageStatus {
    if would_be == MessageStatus::Succeeded { MessageStatus::Succeeded } else { MessageStatus::FailedPermanent }
}

/// SQL (every store) for the `status` of a message whose attempt is being recorded: the
/// attempt's own status `{new}` while the message is not deleted, else what
/// [`status_after_attempt`] says.
pub fn recorded_status_sql(new: &str) -> String {
    format!(
        "CASE WHEN deleted_at IS NULL THEN {new} WHEN {new} = '{ok}' THEN '{ok}' ELSE '{failed}' END",
        ok = MessageStatus::Succeeded.as_str(),
        failed = MessageStatus::FailedPermanent.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_messages_are_called_off_and_the_rest_keep_their_status() {
        for waiting in [MessageStatus::Queued, MessageStatus::PendingRetry, MessageStatus::Paused] {
            assert_eq!(
                decide(waiting, None),
                Deletion::Delete { status: MessageStatus::FailedPermanent, cancels_attempts: true },
                "{waiting}"
            );
        }
        for kept in [MessageStatus::Delivering, MessageStatus::Succeeded, MessageStatus::FailedPermanent] {
            assert_eq!(decide(kept, None), Deletion::Delete { status: kept, cancels_attempts: false }, "{kept}");
        }
        assert_eq!(decide(MessageStatus::Queued, Some(7)), Deletion::Already { deleted_at: 7 });
    }

    #[test]
    fn an_attempt_in_flight_at_deletion_never_schedules_a_retry() {
        assert_eq!(status_after_attempt(MessageStatus::Succeeded), MessageStatus::Succeeded);
        assert_eq!(status_after_attempt(MessageStatus::PendingRetry), MessageStatus::FailedPermanent);
        assert_eq!(status_after_attempt(MessageStatus::FailedPermanent), MessageStatus::FailedPermanent);
        let sql = recorded_status_sql("?2");
        assert!(sql.contains("deleted_at IS NULL THEN ?2") && sql.contains("'failed_permanent'"), "{sql}");
    }
}
