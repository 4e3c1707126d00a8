//! API key authentication: `Authorization: Bearer <key>`, keys stored as SHA-256 hashes.
//! A short-lived in-process cache keeps the hot path (sends) off the database. Every
//! authenticated request is charged to its project's rate limit; failures are counted per
//! source address (see [`super::rate_limit`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::extract::connect_info::ConnectInfo;
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::AppState;
use super::error::ApiError;
use crate::ids::sha256_hex;
use crate::ingest::request::client_address;
use crate::store::AuthenticatedKey;
use crate::store::tenancy::{KeyMode, KeyRank, KeyScope};

/// How long a positive lookup is trusted before the key is checked again (deleted keys stop
/// working within this time on other server processes; immediately on this one).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// The caller: which key, which project, and what the key may do.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The API key id.
    pub key_id: String,
    /// The project every resource of this request belongs to.
    pub project_id: String,
    /// The project's tenant.
    pub tenant_id: String,
    /// `Admin` keys also manage the tenant's projects and their keys.
    pub scope: KeyScope,
    /// `live` or `test`.
    pub mode: KeyMode,
    /// The project's API requests per minute.
    pub rate_limit_per_minute: i64,
}

impl Caller {
    /// Whether this is an admin key.
    pub fn is_admin(&self) -> bool {
        self.scope == KeyScope::Admin
    }

    /// The key's scope and mode.
    pub fn rank(&self) -> KeyRank {
        KeyRank { scope: self.scope, mode: self.mode }
    }

    /// 403 `FORBIDDEN` unless this is an admin key; `action` says what was refused.
    pub fn require_admin(&self, action: &str) -> Result<(), ApiError> {
        if self.is_admin() {
            return Ok(());
        }
        Err(forbidden(format!("{action} needs an admin API key; this key acts only inside its own project")))
    }
}

/// 403 `FORBIDDEN`.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
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

    /// Forgets every key of a project (after its settings changed).
    pub fn forget_project(&self, project_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (c, _)| c.project_id != project_id);
        }
    }
}

/// The key in `Authorization: Bearer <key>`.
fn bearer_key(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization header (expected: Bearer <api key>)"))?;
    let value = header.to_str().map_err(|_| ApiError::unauthorized("Authorization header is not valid text"))?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::unauthorized("Authorization header must be: Bearer <api key>"))
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let hash = sha256_hex(bearer_key(parts)?.as_bytes());
    if let Some(caller) = state.auth_cache.get(&hash) {
        return Ok(caller);
    }
    match state.store.authenticate(&hash).await? {
        Some(AuthenticatedKey { key_id, project_id, tenant_id, scope, mode, rate_limit_per_minute }) => {
            let caller = Caller { key_id, project_id, tenant_id, scope, mode, rate_limit_per_minute };
            state.auth_cache.put(hash, caller.clone());
            Ok(caller)
        }
        None => Err(ApiError::unauthorized("invalid or revoked API key")),
    }
}

/// 429 `RATE_LIMITED` with `Retry-After`.
fn rate_limited(message: String, retry_after: u64) -> ApiError {
    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", message).with_retry_after(retry_after)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let source = client_address(peer, &parts.headers, state.config.trust_forwarded_for);
        if let Some(seconds) = source.and_then(|ip| state.api_limits.auth_blocked(ip)) {
            return Err(rate_limited(
                format!("too many failed authentication attempts from this address; retry in {seconds} s"),
                seconds,
            ));
        }
        let caller = match authenticate(parts, state).await {
            Ok(caller) => caller,
            Err(e) => {
                if e.status == StatusCode::UNAUTHORIZED
                    && let Some(ip) = source
                {
                    state.api_limits.record_auth_failure(ip);
                }
                return Err(e);
            }
        };
        if let Err(seconds) = state.api_limits.charge_project(&caller.project_id, caller.rate_limit_per_minute) {
            return Err(rate_limited(
                format!(
                    "project {} exceeded its API rate limit of {} requests per minute; retry in {seconds} s",
                    caller.project_id, caller.rate_limit_per_minute
                ),
                seconds,
            ));
        }
        Ok(caller)
    }
}
