//! Timestamps and calendar dates exactly as the HookBridge API writes them.
//!
//! The API emits RFC 3339 strings (`2025-01-01T00:00:00Z`, `...+00:00`, sometimes with 3 or 6
//! fractional digits). The Python SDK keeps the UTC offset it was given (and keeps naive values
//! naive), so [`Timestamp`] keeps the offset too instead of normalising to UTC.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Name under which non-human-readable serializers (the language bindings) receive a
/// [`Timestamp`] as `(year, month, day, hour, minute, second, microsecond, offset_seconds)`.
pub const TIMESTAMP_STRUCT_NAME: &str = "hookbridge::Timestamp";
/// Name under which non-human-readable serializers receive a [`Date`] as `(year, month, day)`.
pub const DATE_STRUCT_NAME: &str = "hookbridge::Date";

/// A point in time as the API reported it: a local date-time plus the UTC offset, if any.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    local: NaiveDateTime,
    offset_seconds: Option<i32>,
}

/// Why a string is not a valid timestamp or date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ISO 8601 {what}: {value:?}")]
pub struct ParseTimeError {
    what: &'static str,
    value: String,
}

impl Timestamp {
    /// The current time in UTC.
    pub fn now() -> Self {
        Self::from_utc(Utc::now())
    }

    /// A UTC timestamp.
    pub fn from_utc(at: DateTime<Utc>) -> Self {
        Timestamp { local: at.naive_utc(), offset_seconds: Some(0) }
    }

    /// A UTC timestamp from Unix milliseconds.
    pub fn from_unix_millis(millis: i64) -> Self {
        Self::from_utc(Utc.timestamp_millis_opt(millis).single().unwrap_or_default())
    }

    /// Parses an ISO 8601 / RFC 3339 date-time the way the Python SDK does
    /// (`Z` means `+00:00`; a value without an offset stays naive; a bare date means midnight).
    pub fn parse(text: &str) -> Result<Self, ParseTimeError> {
        let err = || ParseTimeError { what: "timestamp", value: text.to_owned() };
        let s = text.trim();
        if s.len() < 10 || !s.is_char_boundary(10) {
            return Err(err());
        }
        let (body, offset_seconds) = split_offset(s).ok_or_else(err)?;
        let local = if body.len() == 10 {
            NaiveDate::parse_from_str(body, "%Y-%m-%d").map_err(|_| err())?.and_hms_opt(0, 0, 0).ok_or_else(err)?
        } else {
            let normalized: String = body.char_indices().map(|(i, c)| if i == 10 && c == ' ' { 'T' } else { c }).collect();
            NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M:%S%.f")
                .or_else(|_| NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M"))
                .map_err(|_| err())?
        };
        Ok(Timestamp { local, offset_seconds })
    }

    /// The UTC offset in seconds, or `None` for a naive value.
    pub fn offset_seconds(&self) -> Option<i32> {
        self.offset_seconds
    }

    /// The wall-clock date and time, in the timestamp's own offset.
    pub fn local(&self) -> NaiveDateTime {
        self.local
    }

    /// The instant in UTC (a naive value is taken as UTC).
    pub fn to_utc(&self) -> DateTime<Utc> {
        let offset = FixedOffset::east_opt(self.offset_seconds.unwrap_or(0)).unwrap_or(FixedOffset::east_opt(0).unwrap());
        offset.from_local_datetime(&self.local).single().map(|d| d.with_timezone(&Utc)).unwrap_or_default()
    }

    /// Unix time in milliseconds (a naive value is taken as UTC).
    pub fn unix_millis(&self) -> i64 {
        self.to_utc().timestamp_millis()
    }

    /// RFC 3339 text: `Z` for UTC, no fraction, or exactly 3 or 6 fractional digits
    /// (what every supported Python version can parse).
    pub fn to_rfc3339(&self) -> String {
        let mut out = self.local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let micros = self.local.nanosecond() / 1_000;
        if micros != 0 {
            if micros.is_multiple_of(1_000) {
                out.push_str(&format!(".{:03}", micros / 1_000));
            } else {
                out.push_str(&format!(".{micros:06}"));
            }
        }
        match self.offset_seconds {
            None => {}
            Some(0) => out.push('Z'),
            Some(off) => push_offset(&mut out, off),
        }
        out
    }

    /// The text Python's `datetime.isoformat()` gives for this value: `YYYY-MM-DDTHH:MM:SS`,
    /// then `.ffffff` when the microseconds are not zero, then `±HH:MM[:SS]` unless naive.
    pub fn isoformat(&self) -> String {
        let mut out = self.local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let micros = self.local.nanosecond() / 1_000;
        if micros != 0 {
            out.push_str(&format!(".{micros:06}"));
        }
        if let Some(off) = self.offset_seconds {
            push_offset(&mut out, off);
        }
        out
    }
}

/// Appends a UTC offset as `±HH:MM`, with `:SS` only when the offset has seconds.
fn push_offset(out: &mut String, offset_seconds: i32) {
    let sign = if offset_seconds < 0 { '-' } else { '+' };
    let a = offset_seconds.unsigned_abs();
    out.push_str(&format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60));
    if !a.is_multiple_of(60) {
        out.push_str(&format!(":{:02}", a % 60));
    }
}

/// Splits a trailing `Z` or `±HH:MM[:SS]` offset from the date-time part.
fn split_offset(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((body, Some(0)));
    }
    let tail = &s[10..];
    let Some(pos) = tail.rfind(['+', '-']) else {
        return Some((s, None));
    };
    let (body, off) = s.split_at(10 + pos);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let parts: Vec<&str> = off[1..].split(':').collect();
    let num = |p: &str| p.parse::<i32>().ok().filter(|_| p.len() == 2);
    let seconds = match parts.as_slice() {
        [h, m] => num(h)? * 3600 + num(m)? * 60,
        [h, m, sec] => num(h)? * 3600 + num(m)? * 60 + num(sec)?,
        [hm] if hm.len() == 4 => num(&hm[..2])? * 3600 + num(&hm[2..])? * 60,
        [h] => num(h)? * 3600,
        _ => return None,
    };
    if seconds >= 86_400 {
        return None;
    }
    Some((body, Some(sign * seconds)))
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self::from_utc(at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl std::str::FromStr for Timestamp {
    type Err = ParseTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_rfc3339())
        } else {
            let l = &self.local;
            let parts =
                (l.year(), l.month(), l.day(), l.hour(), l.minute(), l.second(), l.nanosecond() / 1_000, self.offset_seconds);
            serializer.serialize_newtype_struct(TIMESTAMP_STRUCT_NAME, &parts)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde helper for optional timestamps: `null`, a missing key and `""` all mean "absent",
/// as in the Python SDK (which treats any falsy value as absent).
pub mod optional_timestamp {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serializes `Some` as a timestamp and `None` as null.
    pub fn serialize<S: Serializer>(value: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }

    /// Deserializes null, `""` or a timestamp string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => Timestamp::parse(&s).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// A calendar date (`YYYY-MM-DD`), used by usage history.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Date(pub NaiveDate);

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, ParseTimeError> {
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(Date)
            .map_err(|_| ParseTimeError { what: "date", value: text.to_owned() })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_string())
        } else {
            serializer.serialize_newtype_struct(DATE_STRUCT_NAME, &(self.0.year(), self.0.month(), self.0.day()))
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// JSON Schemas of the time types: RFC 3339 strings (`date-time`) and `YYYY-MM-DD` (`date`).
#[cfg(feature = "schema")]
mod schema {
    use std::borrow::Cow;

    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

    impl JsonSchema for super::Timestamp {
        fn schema_name() -> Cow<'static, str> {
            "Timestamp".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string", "format": "date-time", "description": "An RFC 3339 time" })
        }
        fn inline_schema() -> bool {
            true
        }
    }

    impl JsonSchema for super::Date {
        fn schema_name() -> Cow<'static, str> {
            "Date".into()
        }
        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({ "type": "string", "format": "date", "description": "A calendar date, YYYY-MM-DD" })
        }
        fn inline_schema() -> bool {
            true
        }
    }
}

/// A time given to a query or request body: either a timestamp or text passed through untouched
/// (the Python SDK sends strings verbatim and `datetime.isoformat()` for datetimes).
///
/// From JSON (the C and Python option objects) a time is a string, passed through as [`TimeArg::Text`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TimeArg {
    /// A timestamp, written as ISO 8601 (`+00:00` for UTC, as Python's `isoformat()` does).
    At(Timestamp),
    /// Text sent exactly as given.
    Text(String),
}

impl TimeArg {
    /// The text that goes on the wire: strings verbatim, timestamps as Python's
    /// `datetime.isoformat()` writes them (6 fractional digits when there is a fraction,
    /// `+00:00` for UTC, no offset for naive values).
    pub fn to_wire(&self) -> String {
        match self {
            TimeArg::Text(s) => s.clone(),
            TimeArg::At(ts) => ts.isoformat(),
        }
    }
}

impl<'de> Deserialize<'de> for TimeArg {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TimeArg::Text)
    }
}

impl From<Timestamp> for TimeArg {
    fn from(t: Timestamp) -> Self {
        TimeArg::At(t)
    }
}
impl From<DateTime<Utc>> for TimeArg {
    fn from(t: DateTime<Utc>) -> Self {
        TimeArg::At(t.into())
    }
}
impl From<&str> for TimeArg {
    fn from(s: &str) -> Self {
        TimeArg::Text(s.to_owned())
    }
}
impl From<String> for TimeArg {
    fn from(s: String) -> Self {
        TimeArg::Text(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_the_api_emits() {
        let z = Timestamp::parse("2025-12-06T12:00:00Z").unwrap();
        assert_eq!(z.offset_seconds(), Some(0));
        assert_eq!(z.to_rfc3339(), "2025-12-06T12:00:00Z");
        let off = Timestamp::parse("2025-12-01T00:00:00+00:00").unwrap();
        assert_eq!(off, z.with_day_for_test(1));
        let ms = Timestamp::parse("2025-01-01T00:00:00.123Z").unwrap();
        assert_eq!(ms.to_rfc3339(), "2025-01-01T00:00:00.123Z");
        let us = Timestamp::parse("2025-01-01T00:00:00.123456-05:30").unwrap();
        assert_eq!(us.offset_seconds(), Some(-(5 * 3600 + 1800)));
        assert_eq!(us.to_rfc3339(), "2025-01-01T00:00:00.123456-05:30");
        let naive = Timestamp::parse("2025-01-01T00:00:00").unwrap();
        assert_eq!(naive.offset_seconds(), None);
        assert_eq!(TimeArg::from(naive).to_wire(), "2025-01-01T00:00:00");
        assert_eq!(TimeArg::from(z).to_wire(), "2025-12-06T12:00:00+00:00");
        assert_eq!(TimeArg::from(ms).to_wire(), "2025-01-01T00:00:00.123000+00:00");
        assert_eq!(TimeArg::from(us).to_wire(), "2025-01-01T00:00:00.123456-05:30");
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("2025-13-01T00:00:00Z").is_err());
        assert!(Timestamp::parse("").is_err());
    }

    impl Timestamp {
        fn with_day_for_test(self, day: u32) -> Self {
            Timestamp { local: self.local.with_day(day).unwrap().with_hour(0).unwrap(), ..self }
        }
    }
}
