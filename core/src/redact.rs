//! Keeping secrets out of `Debug` output: API keys, signing secrets, inbound tokens and ingest
//! URLs (which carry a token) print as [`REDACTED`].

/// What a secret prints as.
pub const REDACTED: &str = "[redacted]";

/// Names of fields that hold a secret, wherever they appear (core models and options, bindings).
pub const SECRET_FIELDS: &[&str] = &[
    "api_key",
    "key",
    "signing_secret",
    "secret",
    "secret_token",
    "ingest_url",
    "token_value",
    "hmac_secret",
    "download_secret",
];

/// A field's value for `Debug`: the value itself, or [`REDACTED`] when `name` is a secret field.
pub fn field<'a>(name: &str, value: &'a dyn std::fmt::Debug) -> &'a dyn std::fmt::Debug {
    if SECRET_FIELDS.contains(&name) { &RedactedMark } else { value }
}

struct RedactedMark;

impl std::fmt::Debug for RedactedMark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Implements `Debug` for a struct by listing its fields; secret fields (see [`SECRET_FIELDS`])
/// print as [`REDACTED`].
#[macro_export]
macro_rules! debug_redacted {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), $crate::redact::field(stringify!($field), &self.$field)))*
                    .finish()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::{ClientConfig, CreateApiKeyResponse, CreateEndpointResponse, InboundEndpointSettings, Timestamp};

    #[test]
    fn debug_output_never_shows_a_secret() {
        let key = "hb_live_supersecret00000000000000000000";
        let config = ClientConfig::new(key).with_base_url("http://127.0.0.1:1");
        let client = crate::Client::new(config.clone()).unwrap();
        let created = CreateApiKeyResponse {
            key_id: "key_1".into(),
            key: key.into(),
            prefix: key[..11].into(),
            label: None,
            created_at: Timestamp::from_unix_millis(0),
        };
        let endpoint = CreateEndpointResponse {
            id: "ep_1".into(),
            url: "https://example.com/h".into(),
            signing_secret: "whsec_topsecret".into(),
            created_at: Timestamp::from_unix_millis(0),
            description: None,
            signing_key_id: None,
            key_hint: Some("cret".into()),
        };
        let settings = InboundEndpointSettings { hmac_secret: Some("hmacsecret".into()), ..Default::default() };
        let printed = format!("{client:?} {config:?} {created:?} {endpoint:?} {settings:?}");
        for secret in ["supersecret", "topsecret", "hmacsecret"] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(printed.contains("[redacted]") && printed.contains("key_1") && printed.contains("http://127.0.0.1:1"));
    }
}
