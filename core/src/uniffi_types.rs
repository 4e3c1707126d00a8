//! How the core's own types cross a uniffi boundary (feature `uniffi`): the models and option
//! structs derive `uniffi::Record` where they are defined, and the few types that are not records
//! are registered here, once, as custom types:
//!
//! - [`Timestamp`] is a `SystemTime` (Kotlin `java.time.Instant`, Swift `Date`); the instant is
//!   exact to the microsecond, the server's UTC offset is not carried.
//! - [`Date`] is `YYYY-MM-DD` text, named `CalendarDate` so it cannot shadow Swift's `Date`
//!   (Kotlin maps it to `java.time.LocalDate` through the consumer's `uniffi.toml`).
//! - [`HeaderMap`] is a plain string map; headers coming in are sorted by name, so a request is
//!   the same on every run (a foreign map has no order uniffi keeps).
//! - [`JsonValue`] crosses as the JSON's UTF-8 bytes; `uniffi.toml` turns them into Kotlin's
//!   `kotlinx.serialization.json.JsonElement` and leaves them as Swift `Data` (what
//!   `JSONDecoder` and `JSONSerialization` read).
//!
//! A crate that exports functions taking or returning these types needs nothing but this crate
//! with the feature on; the bindings generated in library mode then contain a `hookbridge` module.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

use crate::models::{HeaderMap, JsonValue};
use crate::time::{Date, Timestamp};

/// The foreign name of [`Date`] (see the module docs).
type CalendarDate = Date;

uniffi::custom_type!(Timestamp, SystemTime, {
    lower: |t| timestamp_to_system_time(&t),
    try_lift: |t| system_time_to_timestamp(t),
});

uniffi::custom_type!(CalendarDate, String, {
    lower: |d| d.to_string(),
    try_lift: |text| Ok(Date::parse(&text)?),
});

uniffi::custom_type!(HeaderMap, HashMap<String, String>, {
    remote,
    lower: |headers| headers.into_iter().collect(),
    try_lift: |map| Ok(sorted_headers(map)),
});

uniffi::custom_type!(JsonValue, Vec<u8>, {
    lower: |v| v.0.to_string().into_bytes(),
    try_lift: |bytes| Ok(JsonValue(serde_json::from_slice(&bytes)?)),
});

/// The instant of `t` (a naive value is taken as UTC), to the nanosecond.
fn timestamp_to_system_time(t: &Timestamp) -> SystemTime {
    let utc = t.to_utc();
    let nanos = Duration::from_nanos(u64::from(utc.timestamp_subsec_nanos()));
    let seconds = utc.timestamp();
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let base = if seconds >= 0 { UNIX_EPOCH.checked_add(whole) } else { UNIX_EPOCH.checked_sub(whole) };
    base.and_then(|b| b.checked_add(nanos)).unwrap_or(UNIX_EPOCH)
}

/// A UTC [`Timestamp`] of a foreign instant; one outside chrono's range (about ±262,000 years)
/// is an error, not a panic.
fn system_time_to_timestamp(t: SystemTime) -> uniffi::Result<Timestamp> {
    let (seconds, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).ok(), after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            // Whole seconds before the epoch, then the positive nanoseconds of the last one.
            let mut seconds = i64::try_from(before.as_secs()).ok().map(|s| -s);
            let mut nanos = before.subsec_nanos();
            if nanos > 0 {
                seconds = seconds.and_then(|s| s.checked_sub(1));
                nanos = 1_000_000_000 - nanos;
            }
            (seconds, nanos)
        }
    };
    seconds
        .and_then(|s| DateTime::<Utc>::from_timestamp(s, nanos))
        .map(Timestamp::from_utc)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("time {t:?} is outside the supported range"))
}

/// Headers from a foreign map, sorted by name.
fn sorted_headers(map: HashMap<String, String>) -> HeaderMap {
    let mut pairs: Vec<(String, String)> = map.into_iter().collect();
    pairs.sort();
    pairs.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_cross_both_ways_exactly() {
        for text in ["2025-01-01T00:00:00.123456Z", "1969-12-31T23:59:59.5Z", "2025-06-01T12:00:00+02:00"] {
            let t = Timestamp::parse(text).unwrap();
            let back = system_time_to_timestamp(timestamp_to_system_time(&t)).unwrap();
            assert_eq!(back.unix_millis(), t.unix_millis(), "{text}");
            assert_eq!(back.to_utc(), t.to_utc(), "{text}");
        }
    }

    #[test]
    fn foreign_headers_are_sorted_by_name() {
        let map = HashMap::from([("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())]);
        let names: Vec<String> = sorted_headers(map).into_keys().collect();
        assert_eq!(names, ["a", "b"]);
    }
}
