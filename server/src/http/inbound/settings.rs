//! The create/update body of an inbound endpoint, applied onto the stored profile and settings,
//! and the rules the result must satisfy.

use serde::Deserialize;

use crate::domain::{InboundMode, VerificationPreset};
use crate::http::ApiError;
use crate::ids::sha256_hex;
use crate::ingest::presets;
use crate::ingest::verify::parse_cidr;
use crate::store::inbound::{InboundProfile, InboundSettings};

/// Longest name.
const MAX_NAME: usize = 255;
/// Longest description.
const MAX_DESCRIPTION: usize = 500;
/// Most idempotency headers.
const MAX_IDEMPOTENCY_HEADERS: usize = 10;
/// Most allow-list entries.
const MAX_CIDRS: usize = 100;
/// Longest token, HMAC secret, header or parameter name.
const MAX_FIELD: usize = 1024;
/// Default `ingest_response_code`.
pub const DEFAULT_INGEST_RESPONSE_CODE: i64 = 202;

/// Every field of the create and update bodies; absent or `null` keeps the current value
/// (unknown keys are ignored).
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[schemars(rename = "InboundEndpointRequest")]
pub struct SettingsBody {
    /// Forwarding destination.
    pub url: Option<String>,
    name: Option<String>,
    description: Option<String>,
    mode: Option<String>,
    verify_static_token: Option<bool>,
    token_header_name: Option<String>,
    token_query_param: Option<String>,
    token_value: Option<String>,
    verify_hmac: Option<bool>,
    verification_preset: Option<String>,
    hmac_header_name: Option<String>,
    hmac_secret: Option<String>,
    timestamp_header_name: Option<String>,
    timestamp_ttl_seconds: Option<i64>,
    verify_ip_allowlist: Option<bool>,
    allowed_cidrs: Option<Vec<String>>,
    idempotency_header_names: Option<Vec<String>>,
    ingest_response_code: Option<i64>,
    /// Sign forwarded requests.
    pub signing_enabled: Option<bool>,
}

/// An optional text where `""` clears the value.
fn text(value: Option<String>, current: &mut Option<String>) {
    if let Some(v) = value {
        let v = v.trim().to_owned();
        *current = (!v.is_empty()).then_some(v);
    }
}

impl SettingsBody {
    /// Applies the given fields onto `profile` and `settings` (the URL is checked separately);
    /// an unknown `mode` is a 400 naming it.
    pub fn apply(self, profile: &mut InboundProfile, settings: &mut InboundSettings) -> Result<(), ApiError> {
        if let Some(mode) = self.mode {
            profile.mode = InboundMode::parse(mode.trim())
                .ok_or_else(|| ApiError::invalid(format!("mode must be \"forward\" or \"cli\", got {mode:?}")))?;
        }
        if let Some(url) = self.url {
            profile.url = url.trim().to_owned();
        }
        if let Some(name) = self.name {
            profile.name = name;
        }
        if let Some(description) = self.description {
            profile.description = (!description.is_empty()).then_some(description);
        }
        let s = settings;
        if let Some(v) = self.verify_static_token {
            s.verify_static_token = v;
        }
        text(self.token_header_name, &mut s.token_header_name);
        text(self.token_query_param, &mut s.token_query_param);
        if let Some(token) = self.token_value {
            s.token_value_hash = (!token.is_empty()).then(|| sha256_hex(token.as_bytes()));
        }
        if let Some(v) = self.verify_hmac {
            s.verify_hmac = v;
        }
        if let Some(preset) = self.verification_preset {
            s.verification_preset = VerificationPreset::parse(preset.trim()).ok_or_else(|| {
                ApiError::invalid(format!(
                    "verification_preset must be one of {}; got {preset:?}",
                    VerificationPreset::spellings()
                ))
            })?;
        }
        text(self.hmac_header_name, &mut s.hmac_header_name);
        if let Some(secret) = self.hmac_secret {
            s.hmac_secret = (!secret.is_empty()).then_some(secret);
        }
        text(self.timestamp_header_name, &mut s.timestamp_header_name);
        if let Some(ttl) = self.timestamp_ttl_seconds {
            s.timestamp_ttl_seconds = Some(ttl);
        }
        if let Some(v) = self.verify_ip_allowlist {
            s.verify_ip_allowlist = v;
        }
        if let Some(cidrs) = self.allowed_cidrs {
            s.allowed_cidrs = cidrs.into_iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
        }
        if let Some(names) = self.idempotency_header_names {
            s.idempotency_header_names = names.into_iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
        }
        if let Some(code) = self.ingest_response_code {
            s.ingest_response_code = code;
        }
        if let Some(v) = self.signing_enabled {
            s.signing_enabled = v;
        }
        Ok(())
    }
}

fn header_name(field: &str, value: &Option<String>) -> Result<(), ApiError> {
    match value {
        Some(v) if axum::http::HeaderName::from_bytes(v.as_bytes()).is_err() => {
            Err(ApiError::invalid(format!("{field} must be a valid HTTP header name, got {v:?}")))
        }
        Some(v) if v.len() > MAX_FIELD => Err(ApiError::invalid(format!("{field} must be at most {MAX_FIELD} characters"))),
        _ => Ok(()),
    }
}

/// Checks the merged profile and settings: a URL unless the mode is `cli`, lengths, header names, CIDRs, the response code,
/// and that every enabled check has what it needs.
pub fn validate(profile: &InboundProfile, s: &InboundSettings) -> Result<(), ApiError> {
    if profile.mode.needs_url() && profile.url.is_empty() {
        return Err(ApiError::invalid(format!(
            "url is required for a {0:?}-mode endpoint (a {1:?}-mode endpoint takes none)",
            InboundMode::Forward.as_str(),
            InboundMode::Cli.as_str()
        )));
    }
    if profile.name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!("name must be at most {MAX_NAME} characters")));
    }
    if profile.description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION) {
        return Err(ApiError::invalid(format!("description must be at most {MAX_DESCRIPTION} characters")));
    }
    header_name("token_header_name", &s.token_header_name)?;
    header_name("hmac_header_name", &s.hmac_header_name)?;
    header_name("timestamp_header_name", &s.timestamp_header_name)?;
    if s.token_query_param.as_ref().is_some_and(|p| p.len() > MAX_FIELD) {
        return Err(ApiError::invalid(format!("token_query_param must be at most {MAX_FIELD} characters")));
    }
    if s.hmac_secret.as_ref().is_some_and(|p| p.len() > MAX_FIELD) {
        return Err(ApiError::invalid(format!("hmac_secret must be at most {MAX_FIELD} characters")));
    }
    if s.verify_static_token {
        if s.token_value_hash.is_none() {
            return Err(ApiError::invalid("verify_static_token requires token_value"));
        }
        if s.token_header_name.is_none() && s.token_query_param.is_none() {
            return Err(ApiError::invalid("verify_static_token requires token_header_name or token_query_param"));
        }
    }
    validate_preset(s)?;
    if s.verify_hmac && (s.hmac_header_name.is_none() || s.hmac_secret.is_none()) {
        return Err(ApiError::invalid("verify_hmac requires hmac_header_name and hmac_secret"));
    }
    if let Some(name) = s.timestamp_header_name.as_deref().filter(|_| !s.verify_hmac) {
        return Err(ApiError::invalid(format!(
            "timestamp_header_name ({name:?}) requires verify_hmac: the timestamp is only checked as part of the HMAC \
             signature; enable verify_hmac or clear timestamp_header_name with \"\""
        )));
    }
    if let Some(ttl) = s.timestamp_ttl_seconds
        && ttl < 1
    {
        return Err(ApiError::invalid(format!("timestamp_ttl_seconds must be at least 1, got {ttl}")));
    }
    if s.allowed_cidrs.len() > MAX_CIDRS {
        return Err(ApiError::invalid(format!("allowed_cidrs may hold at most {MAX_CIDRS} entries")));
    }
    if let Some(bad) = s.allowed_cidrs.iter().find(|c| parse_cidr(c).is_none()) {
        return Err(ApiError::invalid(format!("allowed_cidrs entry {bad:?} is not a CIDR block or IP address")));
    }
    if s.verify_ip_allowlist && s.allowed_cidrs.is_empty() {
        return Err(ApiError::invalid("verify_ip_allowlist requires at least one entry in allowed_cidrs"));
    }
    if s.idempotency_header_names.len() > MAX_IDEMPOTENCY_HEADERS {
        return Err(ApiError::invalid(format!("idempotency_header_names may hold at most {MAX_IDEMPOTENCY_HEADERS} names")));
    }
    for name in &s.idempotency_header_names {
        header_name("idempotency_header_names entry", &Some(name.clone()))?;
    }
    if !(200..=299).contains(&s.ingest_response_code) {
        return Err(ApiError::invalid(format!(
            "ingest_response_code must be between 200 and 299, got {}",
            s.ingest_response_code
        )));
    }
    Ok(())
}

/// A named verification preset takes the provider's secret in `hmac_secret` (in its format) and
/// replaces the generic HMAC check, which must then be off (no silent double meaning).
fn validate_preset(s: &InboundSettings) -> Result<(), ApiError> {
    let preset = s.verification_preset;
    if preset == VerificationPreset::Custom {
        return Ok(());
    }
    let Some(secret) = s.hmac_secret.as_deref() else {
        return Err(ApiError::invalid(format!(
            "verification_preset {:?} requires hmac_secret (the provider's signing secret)",
            preset.as_str()
        )));
    };
    if let Some(problem) = presets::secret_problem(preset, secret) {
        return Err(ApiError::invalid(format!("hmac_secret does not suit verification_preset {:?}: {problem}", preset.as_str())));
    }
    if s.verify_hmac {
        return Err(ApiError::invalid(format!(
            "verify_hmac applies to the \"custom\" preset only: verification_preset {:?} verifies its provider's own \
             signature headers; send verify_hmac false (or verification_preset \"custom\")",
            preset.as_str()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(body: serde_json::Value) -> Result<(InboundProfile, InboundSettings), ApiError> {
        let body: SettingsBody = serde_json::from_value(body).unwrap();
        let mut profile = InboundProfile { url: "https://example.com/h".into(), ..Default::default() };
        let mut settings = InboundSettings { ingest_response_code: DEFAULT_INGEST_RESPONSE_CODE, ..Default::default() };
        body.apply(&mut profile, &mut settings)?;
        validate(&profile, &settings).map(|_| (profile, settings))
    }

    #[test]
    fn enabled_checks_need_their_settings() {
        assert!(merged(serde_json::json!({"url": " "})).unwrap_err().message.contains("url is required"));
        let (p, _) = merged(serde_json::json!({"mode": "cli", "url": ""})).unwrap();
        assert_eq!((p.mode, p.url.as_str()), (InboundMode::Cli, ""));
        assert!(merged(serde_json::json!({"mode": "pull"})).unwrap_err().message.contains("mode"));
        assert!(merged(serde_json::json!({"verify_static_token": true, "token_header_name": "X-T"})).is_err());
        let (_, s) =
            merged(serde_json::json!({"verify_static_token": true, "token_header_name": "X-T", "token_value": "v"})).unwrap();
        assert_eq!(s.token_value_hash.as_deref(), Some(sha256_hex(b"v").as_str()));
        assert!(merged(serde_json::json!({"verify_hmac": true, "hmac_header_name": "X-S"})).is_err());
        assert!(merged(serde_json::json!({"verify_ip_allowlist": true})).is_err());
        let lone_timestamp = merged(serde_json::json!({"timestamp_header_name": "X-Ts"})).unwrap_err();
        assert!(lone_timestamp.message.contains("timestamp_header_name") && lone_timestamp.message.contains("verify_hmac"));
        assert!(merged(serde_json::json!({"timestamp_header_name": ""})).is_ok(), "an empty name clears it");
        assert!(
            merged(serde_json::json!({"allowed_cidrs": ["10.0.0.0/8", "::1", "bogus"]})).unwrap_err().message.contains("bogus")
        );
        assert!(merged(serde_json::json!({"ingest_response_code": 301})).is_err());
        assert!(merged(serde_json::json!({"timestamp_ttl_seconds": 0})).is_err());
        assert!(merged(serde_json::json!({"token_header_name": "bad header"})).is_err());
        assert!(merged(serde_json::json!({"name": "n".repeat(256)})).is_err());
        let unknown = merged(serde_json::json!({"verification_preset": "paypal"})).unwrap_err();
        assert!(unknown.message.contains("\"paypal\"") && unknown.message.contains("\"stripe\""), "{}", unknown.message);
        assert!(
            merged(serde_json::json!({"verification_preset": "github"})).unwrap_err().message.contains("requires hmac_secret")
        );
        let both = merged(serde_json::json!({"verification_preset": "github", "hmac_secret": "s", "verify_hmac": true,
            "hmac_header_name": "X-S"}));
        assert!(both.unwrap_err().message.contains("verify_hmac applies"));
        let (_, s) = merged(serde_json::json!({"verification_preset": " github ", "hmac_secret": "s"})).unwrap();
        assert_eq!(s.verification_preset, VerificationPreset::Github);
        let bad_key = merged(serde_json::json!({"verification_preset": "standard_webhooks", "hmac_secret": "whsec_%%"}));
        assert!(bad_key.unwrap_err().message.contains("base64"));
        let (p, s) = merged(serde_json::json!({"name": "gh", "ingest_response_code": 200, "unknown": 1})).unwrap();
        assert_eq!(s.verification_preset, VerificationPreset::Custom);
        assert_eq!((p.name.as_str(), s.ingest_response_code), ("gh", 200));
    }
}
