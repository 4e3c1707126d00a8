//! API key authentication: `Authorization: Bearer <key>`, keys stored as SHA-256 hashes.
//! A short-lived in-process cache keeps the hot path (sends) off the database.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;
use crate::ids::sha256_hex;
use crate::store::AuthenticatedKey;

/// How long a positive lookup is trusted before the key is checked again (deleted keys stop
/// working within this time on other server processes; immediately on this one).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// The caller: which key, which project.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The API key id.
    pub key_id: String,
    /// The project every resource of this request belongs to.
    pub project_id: String,
    /// The project's tenant.
    pub tenant_id: String,
}

/// Cache of key hash to caller.
#[derive(Default)]
pub struct AuthCache {
    entries: RwLock<HashMap<String, (Caller, Instant)>>,
}

impl AuthCache {
    fn get(&self, hash: &str) -> Option<Caller> {
        let entries = self.entries.read().ok()?;
        entries.get(hash).filter(|(_, at)| at.elapsed() < CACHE_TTL).map(|(c, _)| c.clone())
    }

    fn put(&self, hash: String, caller: Caller) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }

    /// Forgets a key at once (after it is deleted).
    pub fn forget_key(&self, key_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (c, _)| c.key_id != key_id);
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header (expected: Bearer <api key>)"))?;
        let value = header.to_str().map_err(|_| ApiError::unauthorized("Authorization header is not valid text"))?;
        let key = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| ApiError::unauthorized("Authorization header must be: Bearer <api key>"))?;
        let hash = sha256_hex(key.as_bytes());
        if let Some(caller) = state.auth_cache.get(&hash) {
            return Ok(caller);
        }
        match state.store.authenticate(&hash).await? {
            Some(AuthenticatedKey { key_id, project_id, tenant_id }) => {
                let caller = Caller { key_id, project_id, tenant_id };
                state.auth_cache.put(hash, caller.clone());
                Ok(caller)
            }
            None => Err(ApiError::unauthorized("invalid or revoked API key")),
        }
    }
}
