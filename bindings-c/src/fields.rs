//! Options passed from C as a JSON object (`changes_json`, `settings_json`): a strict reader
//! that checks each known key's type, treats `null` as absent, rejects unknown keys, and names
//! the offending key in the error.

use hookbridge::models::HeaderMap;
use hookbridge::{InboundEndpointSettings, UpdateEndpointOptions};
use serde_json::{Map, Value};

use crate::error::hb_error;
use crate::ffi::{FfiResult, parse_json};

/// The keys of a JSON object argument, consumed one by one.
pub(crate) struct Fields {
    arg: &'static str,
    map: Map<String, Value>,
}

impl Fields {
    /// Parses `text` as a JSON object (the argument is named `arg` in errors).
    pub(crate) fn parse(text: &str, arg: &'static str) -> FfiResult<Self> {
        match parse_json(text, arg)? {
            Value::Object(map) => Ok(Fields { arg, map }),
            _ => Err(hb_error::invalid_argument(format!("{arg} must be a JSON object"))),
        }
    }

    /// The object itself, unchecked (for operations that forward arbitrary fields).
    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.map
    }

    fn wrong(&self, key: &str, what: &str) -> hb_error {
        hb_error::invalid_argument(format!("{}.{key} must be {what}", self.arg))
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|v| !v.is_null())
    }

    fn string(&mut self, key: &str) -> FfiResult<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.wrong(key, "a string")),
        }
    }

    fn int(&mut self, key: &str) -> FfiResult<Option<i64>> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| self.wrong(key, "an integer")),
        }
    }

    fn bool(&mut self, key: &str) -> FfiResult<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(_) => Err(self.wrong(key, "true or false")),
        }
    }

    fn strings(&mut self, key: &str) -> FfiResult<Option<Vec<String>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(self.wrong(key, "an array of strings")),
                })
                .collect::<FfiResult<Vec<_>>>()
                .map(Some),
            Some(_) => Err(self.wrong(key, "an array of strings")),
        }
    }

    fn headers(&mut self, key: &str) -> FfiResult<Option<HeaderMap>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) => Ok((k, s)),
                    _ => Err(self.wrong(key, "an object of string values")),
                })
                .collect::<FfiResult<HeaderMap>>()
                .map(Some),
            Some(_) => Err(self.wrong(key, "an object of string values")),
        }
    }

    /// Fails when keys are left that no field consumed.
    fn finish(self) -> FfiResult<()> {
        if self.map.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = self.map.keys().map(String::as_str).collect();
        Err(hb_error::invalid_argument(format!("{} has unknown keys: {}", self.arg, keys.join(", "))))
    }
}

/// Reads `hb_update_endpoint`'s changes: `url`, `description`, `rate_limit_rps`, `burst`, `headers`.
pub(crate) fn update_endpoint_options(text: &str) -> FfiResult<UpdateEndpointOptions> {
    let mut f = Fields::parse(text, "changes_json")?;
    let options = UpdateEndpointOptions {
        url: f.string("url")?,
        description: f.string("description")?,
        rate_limit_rps: f.int("rate_limit_rps")?,
        burst: f.int("burst")?,
        headers: f.headers("headers")?,
    };
    f.finish()?;
    Ok(options)
}

/// Reads inbound endpoint settings (every key of `InboundEndpointSettings`).
pub(crate) fn inbound_settings(text: &str) -> FfiResult<InboundEndpointSettings> {
    let mut f = Fields::parse(text, "settings_json")?;
    let settings = InboundEndpointSettings {
        name: f.string("name")?,
        description: f.string("description")?,
        verify_static_token: f.bool("verify_static_token")?,
        token_header_name: f.string("token_header_name")?,
        token_query_param: f.string("token_query_param")?,
        token_value: f.string("token_value")?,
        verify_hmac: f.bool("verify_hmac")?,
        hmac_header_name: f.string("hmac_header_name")?,
        hmac_secret: f.string("hmac_secret")?,
        timestamp_header_name: f.string("timestamp_header_name")?,
        timestamp_ttl_seconds: f.int("timestamp_ttl_seconds")?,
        verify_ip_allowlist: f.bool("verify_ip_allowlist")?,
        allowed_cidrs: f.strings("allowed_cidrs")?,
        idempotency_header_names: f.strings("idempotency_header_names")?,
        ingest_response_code: f.int("ingest_response_code")?,
        signing_enabled: f.bool("signing_enabled")?,
    };
    f.finish()?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_keys_and_rejects_the_rest() {
        let o = update_endpoint_options(r#"{"url": "http://x", "burst": 3, "headers": {}, "description": null}"#).unwrap();
        assert_eq!(o.url.as_deref(), Some("http://x"));
        assert_eq!(o.burst, Some(3));
        assert_eq!(o.headers.map(|h| h.len()), Some(0));
        assert_eq!(o.description, None);
        let err = |text: &str| format!("{:?}", update_endpoint_options(text).unwrap_err());
        assert!(err(r#"{"burst": 1.5}"#).contains("changes_json.burst must be an integer"));
        assert!(err(r#"{"urll": "x"}"#).contains("unknown keys: urll"));
        assert!(err("[]").contains("must be a JSON object"));
        let s = inbound_settings(r#"{"allowed_cidrs": ["10.0.0.0/8"], "verify_hmac": false}"#).unwrap();
        assert_eq!(s.allowed_cidrs, Some(vec!["10.0.0.0/8".to_owned()]));
        assert_eq!(s.verify_hmac, Some(false));
    }
}
