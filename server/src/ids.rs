//! Identifier and secret formats of CONTRACT.md 1.12.

use sha2::{Digest, Sha256};

fn hex32() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A UUIDv7 (messages, projects, inbound endpoints, exports, rejections).
pub fn uuid7() -> String {
    uuid::Uuid::now_v7().to_string()
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

/// A signing secret: `whsec_` + 32 lowercase alphanumerics.
pub fn signing_secret() -> String {
    format!("whsec_{}", hex32())
}

/// An API key id.
pub fn api_key_id() -> String {
    format!("key_{}", &hex32()[..24])
}

/// A new API key of `mode` (`live` or `test`): `hb_<mode>_` + 32 characters.
pub fn api_key(mode: &str) -> String {
    format!("hb_{mode}_{}", hex32())
}

/// A request id: `req_` + 24 hex.
pub fn request_id() -> String {
    format!("req_{}", &hex32()[..24])
}

/// An opaque secret token (inbound ingest URLs, export downloads).
pub fn secret_token() -> String {
    format!("{}{}", hex32(), hex32())
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
