//! JSON values that foreign code passes in: payloads to send, Stripe events, raw update fields.
//!
//! Each operation taking one has two forms: the native one takes a [`JsonInput`] (Kotlin
//! `kotlinx.serialization.json.JsonElement`, Swift `Data` of UTF-8 JSON), and a `*_json` variant
//! takes the raw JSON text. Both parse here, so a value that is not JSON fails the call with
//! [`HookBridgeError::Validation`] naming the argument, before any request is made.

use crate::error::HookBridgeError;

/// A JSON value given by foreign code: a `JsonElement` in Kotlin, `Data` (UTF-8 JSON, as
/// `JSONEncoder` and `JSONSerialization` write it) in Swift. It crosses the FFI as those bytes,
/// unparsed, so that bytes that are not JSON become a `Validation` error of the operation that
/// takes them (naming its argument) rather than a failed conversion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonInput(Vec<u8>);

uniffi::custom_type!(JsonInput, Vec<u8>, {
    lower: |json| json.0,
    try_lift: |bytes| Ok(JsonInput(bytes)),
});

impl JsonInput {
    /// The bytes as given (nothing checked yet).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        JsonInput(bytes.into())
    }

    /// The value, or a `Validation` error naming `what` when the bytes are not JSON.
    pub(crate) fn parse(&self, what: &str) -> Result<serde_json::Value, HookBridgeError> {
        json_bytes(&self.0, what)
    }
}

impl From<serde_json::Value> for JsonInput {
    fn from(value: serde_json::Value) -> Self {
        JsonInput(value.to_string().into_bytes())
    }
}

/// Parses JSON text given by foreign code (the `*_json` variants); bad text is a `Validation`
/// error naming `what`.
pub(crate) fn json_text(text: &str, what: &str) -> Result<serde_json::Value, HookBridgeError> {
    json_bytes(text.as_bytes(), what)
}

/// Parses UTF-8 JSON; anything else is a `Validation` error naming `what`.
fn json_bytes(bytes: &[u8], what: &str) -> Result<serde_json::Value, HookBridgeError> {
    serde_json::from_slice(bytes).map_err(|e| HookBridgeError::validation(format!("{what} is not valid JSON: {e}")))
}

/// The members of `value`, which must be a JSON object (a `Validation` error naming `what`
/// otherwise).
pub(crate) fn json_object(
    value: serde_json::Value,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, HookBridgeError> {
    match value {
        serde_json::Value::Object(members) => Ok(members),
        _ => Err(HookBridgeError::validation(format!("{what} must be a JSON object"))),
    }
}
