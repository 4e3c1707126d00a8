//! API key authentication: `Authorization: Bearer <key>`, keys stored as SHA-256 hashes.
//! A short-lived in-process cache keeps the hot path (sends) off the database. Every
//! authenticated request is charged to its project's rate limit; failures are counted per
//! source address (see [`super::rate_limit`]). The hashes of keys that authenticated are
//! remembered ([`key_hash_memo`]), so a key is not hashed again on every request.

pub mod key_hash_memo;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::extract::connect_info::ConnectInfo;
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::ingest::request::client_address;
use crate::state::AppState;
pub use crate::state::{AuthCache, Caller};
use crate::store::AuthenticatedKey;
use key_hash_memo::KEY_HASHES;

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
    let key = bearer_key(parts)?;
    Ok(authenticate_key(state, key).await?.0)
}

/// The caller an API key stands for, and the key's hash; 401 when it is unknown or revoked.
/// The dashboard's login validates keys with this, exactly as the API does.
pub(crate) async fn authenticate_key(state: &AppState, key: &str) -> Result<(Caller, Arc<str>), ApiError> {
    let (hash, remembered) = KEY_HASHES.sha256_hex(key);
    let caller = caller_for_key_hash(state, &hash).await?;
    if !remembered {
        KEY_HASHES.remember(key, hash.clone());
    }
    Ok((caller, hash))
}

/// The caller whose API key has this SHA-256 hash (cached for a few seconds); 401 when the key
/// is unknown or revoked.
pub(crate) async fn caller_for_key_hash(state: &AppState, hash: &str) -> Result<Caller, ApiError> {
    if let Some(caller) = state.auth_cache.get(hash) {
        return Ok(caller);
    }
    match state.store.authenticate(hash).await? {
        Some(AuthenticatedKey { key_id, project_id, tenant_id, scope, mode, rate_limit_per_minute }) => {
            let caller = Caller { key_id, project_id, tenant_id, scope, mode, rate_limit_per_minute };
            state.auth_cache.put(hash.to_string(), caller.clone());
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
        super::access_log::record_project(&caller.project_id);
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
