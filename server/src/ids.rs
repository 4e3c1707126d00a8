//! Identifier and secret formats. Secrets (API keys, signing secrets, tokens) come from the
//! operating system's CSPRNG; ids only need to be unique.

use hookbridge::signing::SignatureScheme;
use sha2::{Digest, Sha256};

use crate::store::tenancy::KeyMode;

/// Letters and digits: the alphabet of API keys.
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// Lowercase letters and digits: the alphabet of signing secrets.
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters drawn uniformly from `alphabet` (at most 256 symbols) with the OS CSPRNG.
/// Bytes at or above the largest multiple of the alphabet size are drawn again, so no
/// character is more likely than another.
fn random_string(alphabet: &[u8], len: usize) -> String {
    let n = alphabet.len();
    let limit = 256 - 256 % n;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        fill_random(&mut buf);
        for &b in buf.iter().filter(|&&b| usize::from(b) < limit) {
            if out.len() == len {
                break;
            }
            out.push(char::from(alphabet[usize::from(b) % n]));
        }
    }
    out
}

/// Fills `buf` from the OS CSPRNG. A machine without a working random source cannot hand out
/// secrets safely: this panics (ending only the task of the request that asked for a secret)
/// rather than fall back to something guessable.
fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// `N` bytes from the OS CSPRNG (keys of in-process keyed hashes).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill_random(&mut out);
    out
}

fn hex32() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `prefix` followed by the first `len` (at most 32) lowercase hex digits of `id`, built
/// without the formatting machinery (request ids are made on every request).
fn prefixed_hex(prefix: &str, id: uuid::Uuid, len: usize) -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    let hex = id.simple().encode_lower(&mut buf);
    let mut out = String::with_capacity(prefix.len() + len);
    out.push_str(prefix);
    out.push_str(hex.get(..len).unwrap_or(hex));
    out
}

/// The shape of one kind of id or URL token as the server makes it: what checks an id
/// given in a request and what the OpenAPI document states as the path parameter's `pattern`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdFormat {
    /// `prefix` followed by `len` lowercase hex digits.
    PrefixedHex {
        /// The fixed start, e.g. `ep_`.
        prefix: &'static str,
        /// How many hex digits follow it.
        len: usize,
    },
    /// A lowercase hyphenated UUID (8-4-4-4-12 hex digits).
    Uuid,
}

/// Outbound endpoint ids ([`endpoint_id`]).
pub const ENDPOINT_ID: IdFormat = IdFormat::PrefixedHex { prefix: "ep_", len: 32 };
/// Signing key ids ([`signing_key_id`]).
pub const SIGNING_KEY_ID: IdFormat = IdFormat::PrefixedHex { prefix: "sk_", len: 32 };
/// API key ids ([`api_key_id`]).
pub const API_KEY_ID: IdFormat = IdFormat::PrefixedHex { prefix: "key_", len: 24 };
/// Ids made by [`uuid7`].
pub const UUID_ID: IdFormat = IdFormat::Uuid;
/// URL tokens made by [`secret_token`].
pub const SECRET_TOKEN: IdFormat = IdFormat::PrefixedHex { prefix: "", len: 64 };

/// The lengths of the hex groups of a hyphenated UUID.
const UUID_GROUPS: [usize; 5] = [8, 4, 4, 4, 12];

fn is_lower_hex(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl IdFormat {
    /// Whether `id` has this shape.
    pub fn matches(self, id: &str) -> bool {
        match self {
            IdFormat::PrefixedHex { prefix, len } => {
                id.strip_prefix(prefix).is_some_and(|hex| hex.len() == len && is_lower_hex(hex))
            }
            IdFormat::Uuid => {
                let groups: Vec<&str> = id.split('-').collect();
                groups.len() == UUID_GROUPS.len()
                    && groups.iter().zip(UUID_GROUPS).all(|(group, len)| group.len() == len && is_lower_hex(group))
            }
        }
    }

    /// The same shape as an ECMA-262 regular expression (a JSON Schema `pattern`).
    pub fn pattern(self) -> String {
        match self {
            IdFormat::PrefixedHex { prefix, len } => format!("^{prefix}[0-9a-f]{{{len}}}$"),
            IdFormat::Uuid => {
                let groups: Vec<String> = UUID_GROUPS.iter().map(|len| format!("[0-9a-f]{{{len}}}")).collect();
                format!("^{}$", groups.join("-"))
            }
        }
    }

    /// A few words for people: `ep_ followed by 32 lowercase hex characters`.
    pub fn describe(self) -> String {
        match self {
            IdFormat::PrefixedHex { prefix: "", len } => format!("{len} lowercase hex characters"),
            IdFormat::PrefixedHex { prefix, len } => format!("{prefix} followed by {len} lowercase hex characters"),
            IdFormat::Uuid => "a lowercase hyphenated UUID".to_owned(),
        }
    }
}

/// A UUIDv7 (messages, projects, inbound endpoints, exports, rejections).
pub fn uuid7() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    uuid::Uuid::now_v7().hyphenated().encode_lower(&mut buf).to_owned()
}

/// 32 hex digits of a UUIDv7: ids made later sort later, so ties on `created_at` in
/// "newest first" listings are broken in creation order.
fn ordered_hex32() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// An outbound endpoint id: `ep_` + 32 hex (time-ordered).
pub fn endpoint_id() -> String {
    format!("ep_{}", ordered_hex32())
}

/// A signing key id: `sk_` + 32 hex (time-ordered, so "oldest key first" is exact).
pub fn signing_key_id() -> String {
    format!("sk_{}", ordered_hex32())
}

/// A signing secret: `whsec_` + 32 lowercase alphanumerics (165 bits).
pub fn signing_secret() -> String {
    format!("whsec_{}", random_string(LOWER_ALPHANUMERIC, 32))
}

/// A signing secret for `scheme`: `hookbridge`'s form ([`signing_secret`]) or, for Standard
/// Webhooks, `whsec_` + base64 of 32 random bytes (the specification asks for 24 to 64).
pub fn signing_secret_for(scheme: SignatureScheme) -> String {
    match scheme {
        SignatureScheme::Hookbridge => signing_secret(),
        SignatureScheme::StandardWebhooks => hookbridge::signing::standard_webhooks::secret_from_key(&random_bytes::<32>()),
    }
}

/// An API key id.
pub fn api_key_id() -> String {
    format!("key_{}", &hex32()[..24])
}

/// A new API key of `mode`: `hb_<mode>_` + 32 letters and digits (190 bits).
pub fn api_key(mode: KeyMode) -> String {
    format!("hb_{}_{}", mode.as_str(), random_string(ALPHANUMERIC, 32))
}

/// A request id: `req_` + 24 hex.
pub fn request_id() -> String {
    prefixed_hex("req_", uuid::Uuid::new_v4(), 24)
}

/// An opaque secret token (inbound ingest URLs, export downloads): 64 hex digits (256 bits).
pub fn secret_token() -> String {
    let mut raw = [0u8; 32];
    fill_random(&mut raw);
    hex::encode(raw)
}

/// Hex SHA-256, used to store API keys and tokens hashed.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The last 4 characters of a secret, shown as `key_hint`.
pub fn key_hint(secret: &str) -> String {
    let start = secret.len().saturating_sub(4);
    secret[start..].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_use_their_whole_alphabet_and_never_repeat() {
        let keys: Vec<String> = (0..200).map(|_| api_key(KeyMode::Live)).collect();
        assert!(keys.iter().all(|k| k.len() == 40 && k.starts_with("hb_live_")));
        let body: String = keys.iter().map(|k| &k[8..]).collect();
        assert!(body.bytes().all(|b| ALPHANUMERIC.contains(&b)));
        // 6,400 draws from 62 symbols: every symbol shows up, uppercase included (not hex).
        assert!(ALPHANUMERIC.iter().all(|c| body.as_bytes().contains(c)), "every letter and digit appears");
        let unique: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(unique.len(), keys.len());

        let secrets: String = (0..200).map(|_| signing_secret()[6..].to_owned()).collect();
        assert_eq!(secrets.len(), 200 * 32);
        assert!(LOWER_ALPHANUMERIC.iter().all(|c| secrets.as_bytes().contains(c)), "g..z appear too, not only hex");
        assert!(secrets.bytes().all(|b| LOWER_ALPHANUMERIC.contains(&b)));
        assert!(api_key(KeyMode::Test).starts_with("hb_test_"));
        let spec = signing_secret_for(SignatureScheme::StandardWebhooks);
        let key = hookbridge::signing::standard_webhooks::key_from_secret(&spec).unwrap();
        assert!(spec.starts_with("whsec_") && key.len() == 32 && key != [0; 32], "{spec}");
        assert_ne!(spec, signing_secret_for(SignatureScheme::StandardWebhooks));
        assert_eq!(signing_secret_for(SignatureScheme::Hookbridge).len(), 38);
        assert_eq!(secret_token().len(), 64);
    }

    #[test]
    fn id_formats() {
        let request = request_id();
        assert_eq!(request.len(), 28);
        assert!(request.starts_with("req_") && request[4..].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(request_id(), request);
        let message = uuid7();
        let parsed = uuid::Uuid::parse_str(&message).unwrap();
        assert_eq!((parsed.get_version_num(), parsed.hyphenated().to_string()), (7, message));
        assert_eq!(prefixed_hex("x_", uuid::Uuid::nil(), 40), format!("x_{}", "0".repeat(32)));
    }

    #[test]
    fn every_generator_makes_ids_of_its_stated_format() {
        for _ in 0..50 {
            assert!(ENDPOINT_ID.matches(&endpoint_id()));
            assert!(SIGNING_KEY_ID.matches(&signing_key_id()));
            assert!(API_KEY_ID.matches(&api_key_id()));
            assert!(UUID_ID.matches(&uuid7()));
            assert!(SECRET_TOKEN.matches(&secret_token()));
        }
        for (format, wrong) in [
            (ENDPOINT_ID, "ep_0123456789ABCDEF0123456789abcdef"),
            (ENDPOINT_ID, "ep_123"),
            (ENDPOINT_ID, "sk_0123456789abcdef0123456789abcdef"),
            (API_KEY_ID, "key_0123456789abcdef0123456"),
            (UUID_ID, "0190c2a1-7b3c-7def-8abc-0123456789a"),
            (UUID_ID, "0190c2a17b3c7def8abc0123456789ab"),
            (UUID_ID, "0190C2A1-7b3c-7def-8abc-0123456789ab"),
            (UUID_ID, "0190c2a1-7b3c-7def-8abc-0123456789ab-"),
            (SECRET_TOKEN, "ab"),
        ] {
            assert!(!format.matches(wrong), "{wrong} is not {}", format.describe());
        }
        assert_eq!(ENDPOINT_ID.pattern(), "^ep_[0-9a-f]{32}$");
        assert_eq!(UUID_ID.pattern(), "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
        assert_eq!(SECRET_TOKEN.pattern(), "^[0-9a-f]{64}$");
        assert_eq!(ENDPOINT_ID.describe(), "ep_ followed by 32 lowercase hex characters");
    }
}
