//! Message rules shared by every storage backend: what an idempotent repeat returns, when a
//! message may be replayed, cancelled or retried now, and how replays of many messages are
//! counted. A backend reads the facts inside its transaction, asks these functions, and applies
//! the answer; it never decides on its own. The HTTP layer asks the same functions, so a replay
//! counts the same in every answer.

use super::status::MessageStatus;
use crate::store::messages::MessageStore;
use crate::store::{Direction, MAX_REPLAYS, ReplayAllResult, ReplayMode, ReplayOutcome, SendOutcome, StatusChange, StoreError};

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

/// How one replay counts in the answer of a replay-all or a replay-batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayCount {
    /// Queued again.
    Replayed,
    /// Not replayed because an attempt or a 429 retry run is in flight: it may be replayed later.
    Stuck,
    /// Not replayed, and waiting will not change that (wrong status, limit, purged, gone).
    Failed,
}

impl ReplayCount {
    /// How `outcome` counts.
    pub fn of(outcome: &ReplayOutcome) -> Self {
        match outcome {
            ReplayOutcome::Replayed => ReplayCount::Replayed,
            ReplayOutcome::DeliveryInProgress | ReplayOutcome::RetryInProgress => ReplayCount::Stuck,
            _ => ReplayCount::Failed,
        }
    }

    /// Its name in the API (`replayed`, `stuck`, `failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayCount::Replayed => "replayed",
            ReplayCount::Stuck => "stuck",
            ReplayCount::Failed => "failed",
        }
    }
}

/// Counts one message of a replay-all in its result: replayed, stuck or failed.
pub fn tally_replay(result: &mut ReplayAllResult, message_id: String, outcome: &ReplayOutcome) {
    match ReplayCount::of(outcome) {
        ReplayCount::Replayed => result.replayed.push(message_id),
        ReplayCount::Stuck => result.stuck.push(message_id),
        ReplayCount::Failed => result.failed += 1,
    }
}

/// The status a replay-all acts on: `failed_permanent` (the DLQ) or `pending_retry`. Anything
/// else, or nothing, is refused with the reason.
pub fn replay_all_status(status: Option<&str>) -> Result<MessageStatus, String> {
    match status.map(|s| (s, MessageStatus::parse(s))) {
        Some((_, Some(s @ (MessageStatus::FailedPermanent | MessageStatus::PendingRetry)))) => Ok(s),
        Some((other, _)) => Err(format!("status must be failed_permanent or pending_retry, got {other:?}")),
        None => Err("status is required (failed_permanent or pending_retry)".into()),
    }
}

/// Replays the messages `ids` of a project in one transaction of `store`, and pairs each id
/// with its outcome, in order. A store that answers for a different number of messages is
/// refused as corrupt rather than paired short.
pub async fn replay_batch<S: MessageStore + ?Sized>(
    store: &S,
    project_id: &str,
    direction: Direction,
    ids: Vec<String>,
    now_ms: i64,
) -> Result<Vec<(String, ReplayOutcome)>, StoreError> {
    let outcomes = store.replay_messages(project_id, direction, ids.clone(), now_ms).await?;
    if outcomes.len() != ids.len() {
        return Err(StoreError::Corrupt(format!("{} replay outcomes for {} messages", outcomes.len(), ids.len())));
    }
    Ok(ids.into_iter().zip(outcomes).collect())
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
    fn replays_count_as_replayed_stuck_or_failed() {
        assert_eq!(ReplayCount::of(&ReplayOutcome::Replayed), ReplayCount::Replayed);
        assert_eq!(ReplayCount::of(&ReplayOutcome::DeliveryInProgress), ReplayCount::Stuck);
        assert_eq!(ReplayCount::of(&ReplayOutcome::RetryInProgress), ReplayCount::Stuck);
        assert_eq!(ReplayCount::of(&ReplayOutcome::LimitExceeded), ReplayCount::Failed);
        assert_eq!(ReplayCount::of(&ReplayOutcome::NotFound).as_str(), "failed");
        let mut result = ReplayAllResult::default();
        tally_replay(&mut result, "a".into(), &ReplayOutcome::Replayed);
        tally_replay(&mut result, "b".into(), &ReplayOutcome::RetryInProgress);
        tally_replay(&mut result, "c".into(), &ReplayOutcome::PayloadUnavailable);
        assert_eq!((result.replayed, result.stuck, result.failed), (vec!["a".to_owned()], vec!["b".to_owned()], 1));
    }

    #[test]
    fn replay_all_acts_on_the_dlq_and_pending_retries_only() {
        assert_eq!(replay_all_status(Some("failed_permanent")), Ok(MessageStatus::FailedPermanent));
        assert_eq!(replay_all_status(Some("pending_retry")), Ok(MessageStatus::PendingRetry));
        assert!(replay_all_status(Some("succeeded")).unwrap_err().contains("\"succeeded\""));
        assert!(replay_all_status(Some("nonsense")).is_err());
        assert!(replay_all_status(None).unwrap_err().contains("required"));
    }

    #[test]
    fn idempotent_repeats_return_the_original_or_refuse() {
        assert_eq!(idempotent_repeat("m1".into(), "aa", "aa"), SendOutcome::Duplicate("m1".into()));
        assert_eq!(idempotent_repeat("m1".into(), "aa", "bb"), SendOutcome::IdempotencyMismatch);
    }
}
