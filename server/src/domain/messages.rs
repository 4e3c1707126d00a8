//! Message rules shared by every storage backend: what an idempotent repeat returns, when a
//! message may be replayed, cancelled or retried now. A backend reads the facts inside its
//! transaction, asks these functions, and applies the answer; it never decides on its own.

use super::status::MessageStatus;
use crate::store::{MAX_REPLAYS, ReplayAllResult, ReplayMode, ReplayOutcome, SendOutcome, StatusChange, StoreError};

/// A send that repeats a stored idempotency key on the same endpoint: the original message when
/// the payload is the same, a mismatch otherwise. Nothing is stored either way.
pub fn idempotent_repeat(original_id: String, original_sha256: &str, new_sha256: &str) -> SendOutcome {
    if original_sha256 == new_sha256 { SendOutcome::Duplicate(original_id) } else { SendOutcome::IdempotencyMismatch }
}

/// What a backend knows about a message when asked to replay it.
#[derive(Clone, Debug)]
pub struct ReplayFacts {
    /// Its status now.
    pub status: MessageStatus,
    /// Manual replays taken so far.
    pub replay_count: i64,
    /// Whether the payload was purged by retention.
    pub payload_purged: bool,
    /// HTTP status of the last attempt (429 marks the fast retry track).
    pub response_status: Option<i64>,
}

/// Whether the message may be replayed in `mode`: `Ok(())` when it may (the backend still checks
/// that its endpoint exists), or the outcome that refuses it.
pub fn replay_allowed(facts: &ReplayFacts, mode: ReplayMode) -> Result<(), ReplayOutcome> {
    match mode {
        ReplayMode::DeadLetter => {
            if facts.status != MessageStatus::FailedPermanent {
                return Err(ReplayOutcome::NotReplayable(facts.status.as_str().to_owned()));
            }
        }
        ReplayMode::Manual => {
            match facts.status {
                MessageStatus::Delivering => return Err(ReplayOutcome::DeliveryInProgress),
                MessageStatus::PendingRetry if facts.response_status == Some(429) => {
                    return Err(ReplayOutcome::RetryInProgress);
                }
                MessageStatus::FailedPermanent | MessageStatus::PendingRetry | MessageStatus::Succeeded => {}
                other => return Err(ReplayOutcome::NotReplayable(other.as_str().to_owned())),
            }
            if facts.replay_count >= MAX_REPLAYS {
                return Err(ReplayOutcome::LimitExceeded);
            }
        }
    }
    if facts.payload_purged {
        return Err(ReplayOutcome::PayloadUnavailable);
    }
    Ok(())
}

/// Whether a replay-all counts a message as stuck (an attempt or a 429 run in flight) rather
/// than failed, when it was not replayed.
pub fn replay_is_stuck(outcome: &ReplayOutcome) -> bool {
    matches!(outcome, ReplayOutcome::DeliveryInProgress | ReplayOutcome::RetryInProgress)
}

/// Counts one message of a replay-all in its result: replayed, stuck or failed.
pub fn tally_replay(result: &mut ReplayAllResult, message_id: String, outcome: &ReplayOutcome) {
    match outcome {
        ReplayOutcome::Replayed => result.replayed.push(message_id),
        other if replay_is_stuck(other) => result.stuck.push(message_id),
        _ => result.failed += 1,
    }
}

/// Cancel and retry-now act only on a message waiting for a retry: `Ok(())` when `status`
/// allows it, else the refusal.
pub fn retry_control_allowed(status: MessageStatus) -> Result<(), StatusChange> {
    if status == MessageStatus::PendingRetry { Ok(()) } else { Err(StatusChange::WrongStatus(status.as_str().to_owned())) }
}

/// Reads a stored status, refusing a spelling no server writes.
pub fn stored_status(text: &str) -> Result<MessageStatus, StoreError> {
    MessageStatus::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown message status {text:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(status: MessageStatus) -> ReplayFacts {
        ReplayFacts { status, replay_count: 0, payload_purged: false, response_status: None }
    }

    #[test]
    fn manual_replays_follow_the_rules() {
        assert_eq!(replay_allowed(&facts(MessageStatus::Succeeded), ReplayMode::Manual), Ok(()));
        assert_eq!(replay_allowed(&facts(MessageStatus::Delivering), ReplayMode::Manual), Err(ReplayOutcome::DeliveryInProgress));
        let fast = ReplayFacts { response_status: Some(429), ..facts(MessageStatus::PendingRetry) };
        assert_eq!(replay_allowed(&fast, ReplayMode::Manual), Err(ReplayOutcome::RetryInProgress));
        let capped = ReplayFacts { replay_count: MAX_REPLAYS, ..facts(MessageStatus::FailedPermanent) };
        assert_eq!(replay_allowed(&capped, ReplayMode::Manual), Err(ReplayOutcome::LimitExceeded));
        assert_eq!(replay_allowed(&capped, ReplayMode::DeadLetter), Ok(()));
        let purged = ReplayFacts { payload_purged: true, ..facts(MessageStatus::FailedPermanent) };
        assert_eq!(replay_allowed(&purged, ReplayMode::DeadLetter), Err(ReplayOutcome::PayloadUnavailable));
        assert_eq!(
            replay_allowed(&facts(MessageStatus::Queued), ReplayMode::Manual),
            Err(ReplayOutcome::NotReplayable("queued".into()))
        );
    }

    #[test]
    fn idempotent_repeats_return_the_original_or_refuse() {
        assert_eq!(idempotent_repeat("m1".into(), "aa", "aa"), SendOutcome::Duplicate("m1".into()));
        assert_eq!(idempotent_repeat("m1".into(), "aa", "bb"), SendOutcome::IdempotencyMismatch);
    }
}
