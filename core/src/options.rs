//! The option structs (`SendOptions`, `InboundEndpointSettings`, the queries, ...) from a JSON
//! object, for bindings that pass options as one object (C's `*_json` arguments, Python's keyword
//! arguments). Every option struct rejects unknown keys, so a key the core does not know fails
//! loudly instead of being dropped; `null` means "not given".

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Reads `value` (a JSON object) as option struct `T`. A wrong type, an unknown key or a missing
/// required key is a validation error whose message names the key, as `{name}.{key}: {problem}`.
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value, name: &str) -> Result<T> {
    if !value.is_object() {
        return Err(Error::validation(format!("{name} must be a JSON object")));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { name.to_owned() } else { format!("{name}.{path}") };
        Error::validation(format!("{at}: {}", e.into_inner()))
    })
}

/// [`from_json`] of JSON text; text that is not JSON is a validation error naming `name`.
pub fn from_json_text<T: DeserializeOwned>(text: &str, name: &str) -> Result<T> {
    let value = serde_json::from_str(text).map_err(|e| Error::validation(format!("{name} is not valid JSON: {e}")))?;
    from_json(value, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CreateExportOptions, InboundEndpointSettings, TimeArg, UpdateEndpointOptions};

    fn message<T: DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        from_json_text::<T>(text, "changes_json").unwrap_err().message().to_owned()
    }

    #[test]
    fn reads_known_keys_null_as_absent_and_names_the_bad_key() {
        let o: UpdateEndpointOptions =
            from_json_text(r#"{"url": "http://x", "burst": 3, "headers": {}, "description": null}"#, "changes_json").unwrap();
        assert_eq!(o.url.as_deref(), Some("http://x"));
        assert_eq!(o.burst, Some(3));
        assert_eq!(o.headers.map(|h| h.len()), Some(0));
        assert_eq!(o.description, None);
        assert!(message::<UpdateEndpointOptions>(r#"{"burst": 1.5}"#).starts_with("changes_json.burst: invalid type"));
        assert!(message::<UpdateEndpointOptions>(r#"{"urll": "x"}"#).contains("unknown field `urll`"));
        assert!(message::<UpdateEndpointOptions>(r#"{"headers": {"a": 1}}"#).starts_with("changes_json.headers.a: invalid type"));
        assert_eq!(message::<UpdateEndpointOptions>("[]"), "changes_json must be a JSON object");
        assert!(message::<UpdateEndpointOptions>("{nope").starts_with("changes_json is not valid JSON"));
        let s: InboundEndpointSettings =
            from_json_text(r#"{"allowed_cidrs": ["10.0.0.0/8"], "verify_hmac": false}"#, "settings_json").unwrap();
        assert_eq!(s.allowed_cidrs, Some(vec!["10.0.0.0/8".to_owned()]));
        assert_eq!(s.verify_hmac, Some(false));
    }

    #[test]
    fn required_keys_are_required_and_times_pass_through_verbatim() {
        let e: CreateExportOptions =
            from_json_text(r#"{"start_time": "2025-01-01", "end_time": "2025-02-01T00:00:00Z"}"#, "options").unwrap();
        assert_eq!(e.start_time, TimeArg::Text("2025-01-01".into()));
        assert_eq!(e.status, None);
        assert!(message::<CreateExportOptions>(r#"{"start_time": "2025-01-01"}"#).contains("missing field `end_time`"));
    }
}
