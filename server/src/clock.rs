//! Wall-clock helpers: the server stores times as Unix milliseconds.

use hookbridge::Timestamp;

/// Now, in Unix milliseconds.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A stored millisecond time as the API's timestamp (`...Z`, millisecond precision).
pub fn timestamp(millis: i64) -> Timestamp {
    Timestamp::from_unix_millis(millis)
}

/// An optional stored time as an optional API timestamp.
pub fn opt_timestamp(millis: Option<i64>) -> Option<Timestamp> {
    millis.map(timestamp)
}
