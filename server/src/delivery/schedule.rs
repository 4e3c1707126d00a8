//! Retry schedules and outcome classification.
//!
//! After a failed attempt the next delay comes from the fast table when the receiver answered
//! 429, else from the slow table, indexed by the retries already taken on that track (clamped to
//! the last entry). A receiver's `Retry-After` is a minimum, capped at the track's largest delay.
//! At most `max_attempts` attempts in total, then the message goes to the dead letter queue.

use std::time::Duration;

use crate::store::NextState;

/// Delays of the fast track (receiver answered 429).
pub const FAST_SCHEDULE: [Duration; 5] = [
    Duration::from_secs(30),
    Duration::from_secs(60),
    Duration::from_secs(120),
    Duration::from_secs(240),
    Duration::from_secs(300),
];

/// Delays of the slow track (timeouts, connection errors, 408, 5xx, 3xx).
pub const SLOW_SCHEDULE: [Duration; 8] = [
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(12 * 3600),
    Duration::from_secs(24 * 3600),
    Duration::from_secs(48 * 3600),
    Duration::from_secs(72 * 3600),
    Duration::from_secs(96 * 3600),
];

/// How one attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// An HTTP answer with this status.
    Status(u16),
    /// No answer: timeout or connection error.
    NoAnswer,
}

/// The retry policy of a server: tables, attempt cap and time scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts before the dead letter queue.
    pub max_attempts: u32,
    /// Multiplier of every delay (1.0 = the documented schedule).
    pub time_scale: f64,
}

/// Whether an answer is a success, worth retrying, or final.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Classification {
    /// 2xx.
    Success,
    /// Retry on the fast (429) track.
    RetryFast,
    /// Retry on the slow track.
    RetrySlow,
    /// Any other 4xx: straight to the dead letter queue.
    Permanent,
}

/// Classifies an attempt: 2xx success; 429 fast retry; 408, 3xx, 5xx and no answer slow retry;
/// every other 4xx permanent.
pub fn classify(result: AttemptResult) -> Classification {
    match result {
        AttemptResult::Status(s) if (200..300).contains(&s) => Classification::Success,
        AttemptResult::Status(429) => Classification::RetryFast,
        AttemptResult::Status(408) => Classification::RetrySlow,
        AttemptResult::Status(s) if (400..500).contains(&s) => Classification::Permanent,
        AttemptResult::Status(_) | AttemptResult::NoAnswer => Classification::RetrySlow,
    }
}

impl RetryPolicy {
    /// The state after an attempt ended with `result`, given the retries already taken per track
    /// in this delivery run and the receiver's `Retry-After`.
    pub fn next_state(
        &self,
        result: AttemptResult,
        fast_retries: i64,
        slow_retries: i64,
        retry_after: Option<Duration>,
        now_ms: i64,
    ) -> NextState {
        let classification = classify(result);
        let (table, taken, fast): (&[Duration], i64, bool) = match classification {
            Classification::Success => return NextState::Succeeded,
            Classification::Permanent => return NextState::FailedPermanent,
            Classification::RetryFast => (&FAST_SCHEDULE, fast_retries, true),
            Classification::RetrySlow => (&SLOW_SCHEDULE, slow_retries, false),
        };
        if crate::domain::interruption::is_last_attempt(fast_retries, slow_retries, self.max_attempts) {
            return NextState::FailedPermanent;
        }
        let index = usize::try_from(taken).unwrap_or(0).min(table.len() - 1);
        let cap = *table.last().expect("schedules are not empty");
        let mut delay = table[index];
        if let Some(asked) = retry_after {
            delay = delay.max(asked.min(cap));
        }
        let scaled_ms = (delay.as_secs_f64() * 1000.0 * self.time_scale).round() as i64;
        NextState::Retry { at_ms: now_ms + scaled_ms.max(1), fast }
    }
}

/// Parses a `Retry-After` value: integer seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let ms = at.timestamp_millis() - now_ms;
    Some(Duration::from_millis(ms.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy { max_attempts: 8, time_scale: 1.0 };

    fn retry_at(state: NextState) -> (i64, bool) {
        match state {
            NextState::Retry { at_ms, fast } => (at_ms, fast),
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[test]
    fn classifies_answers() {
        assert_eq!(classify(AttemptResult::Status(204)), Classification::Success);
        assert_eq!(classify(AttemptResult::Status(429)), Classification::RetryFast);
        assert_eq!(classify(AttemptResult::Status(408)), Classification::RetrySlow);
        assert_eq!(classify(AttemptResult::Status(503)), Classification::RetrySlow);
        assert_eq!(classify(AttemptResult::Status(302)), Classification::RetrySlow);
        assert_eq!(classify(AttemptResult::NoAnswer), Classification::RetrySlow);
        assert_eq!(classify(AttemptResult::Status(400)), Classification::Permanent);
        assert_eq!(classify(AttemptResult::Status(404)), Classification::Permanent);
    }

    #[test]
    fn follows_the_documented_schedules() {
        let slow: Vec<i64> = (0..7).map(|i| retry_at(POLICY.next_state(AttemptResult::Status(500), 0, i, None, 0)).0).collect();
        assert_eq!(slow, vec![1_800_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 259_200_000]);
        let fast: Vec<i64> = (0..6).map(|i| retry_at(POLICY.next_state(AttemptResult::Status(429), i, 0, None, 0)).0).collect();
        assert_eq!(fast, vec![30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
        assert!(retry_at(POLICY.next_state(AttemptResult::Status(429), 0, 0, None, 0)).1);
        assert_eq!(POLICY.next_state(AttemptResult::Status(500), 0, 7, None, 0), NextState::FailedPermanent);
        // Mixed tracks count together: 3 fast + 4 slow retries taken means this was attempt 8.
        assert_eq!(POLICY.next_state(AttemptResult::Status(429), 3, 4, None, 0), NextState::FailedPermanent);
        // After a replay the counters restart, so the run gets a fresh set of attempts.
        assert!(matches!(POLICY.next_state(AttemptResult::Status(500), 0, 0, None, 0), NextState::Retry { .. }));
        assert_eq!(POLICY.next_state(AttemptResult::Status(200), 0, 7, None, 0), NextState::Succeeded);
    }

    #[test]
    fn retry_after_is_a_capped_minimum_and_scale_applies() {
        let at = retry_at(POLICY.next_state(AttemptResult::Status(429), 0, 0, Some(Duration::from_secs(90)), 0)).0;
        assert_eq!(at, 90_000);
        let capped = retry_at(POLICY.next_state(AttemptResult::Status(429), 0, 0, Some(Duration::from_secs(9_999)), 0)).0;
        assert_eq!(capped, 300_000);
        let scaled = RetryPolicy { max_attempts: 8, time_scale: 0.001 };
        assert_eq!(retry_at(scaled.next_state(AttemptResult::NoAnswer, 0, 0, None, 1000)).0, 1000 + 1800);
        assert_eq!(parse_retry_after("120", 0), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", 40_000), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("soon", 0), None);
    }
}
