//! API keys at bootstrap: the key a first start creates, and what a start does with the key
//! the operator configured (`--api-key`, or `--dev`'s key) on an existing database. Both
//! backends apply these inside their bootstrap transaction.

use crate::store::NewApiKey;
use crate::store::tenancy::{KeyMode, KeyScope};

/// A key made by bootstrap: admin scope, no label (which is how the migration to key scopes
/// told bootstrap keys from keys made through the API).
pub fn bootstrap_key(project_id: &str, key: &str, now_ms: i64) -> NewApiKey {
    NewApiKey {
        id: crate::ids::api_key_id(),
        project_id: project_id.to_owned(),
        key_hash: crate::ids::sha256_hex(key.as_bytes()),
        prefix: key.chars().take(11).collect(),
        mode: KeyMode::of_key(key),
        scope: KeyScope::Admin,
        label: None,
        created_at: now_ms,
    }
}

/// What bootstrap does with a configured API key, given the stored key with its hash (id,
/// whether revoked, scope).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfiguredKey {
    /// Unknown: add it to the default project as an admin key.
    Add,
    /// Revoked: it stays revoked (reported to the operator).
    StaysRevoked(String),
    /// Active but not admin: make it admin.
    Promote(String),
    /// Already an active admin key.
    Keep,
}

impl ConfiguredKey {
    /// The decision for the stored key with the configured key's hash, if any.
    pub fn decide(stored: Option<(String, bool, KeyScope)>) -> ConfiguredKey {
        match stored {
            None => ConfiguredKey::Add,
            Some((id, true, _)) => ConfiguredKey::StaysRevoked(id),
            Some((id, false, scope)) if scope != KeyScope::Admin => ConfiguredKey::Promote(id),
            Some(_) => ConfiguredKey::Keep,
        }
    }
}
