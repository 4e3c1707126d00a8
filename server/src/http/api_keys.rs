//! API keys of the caller's project: list, create (`live` or `test`), delete (revoked at once).
//! Self-hosted extensions: with an admin key, `project_id` on create makes a key for another
//! project of the same tenant (how a key for a new project is obtained without a console), and
//! `admin: true` makes an admin key. A key never creates or revokes a key wider than itself: a
//! test key makes only test keys, a project key only project keys.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, get, post};
use hookbridge::CreateApiKeyResponse;
use serde::Deserialize;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::ids;
use crate::store::tenancy::{KeyMode, KeyRank, KeyScope};
use crate::store::{ApiKeyRecord, NewApiKey};

/// Longest key label.
const MAX_LABEL: usize = 255;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/api-keys",
            summary: "List API keys",
            authenticated: true,
            handler: get(list),
            doc: op("list_api_keys").data::<Vec<hookbridge::ApiKeyInfo>>(),
        },
        Route {
            method: "POST",
            path: "/v1/api-keys",
            summary: "Create an API key (shown once)",
            authenticated: true,
            handler: post(create),
            doc: op("create_api_key").created().optional_body::<CreateBody>().data::<hookbridge::CreateApiKeyResponse>(),
        },
        Route {
            method: "DELETE",
            path: "/v1/api-keys/{key_id}",
            summary: "Revoke an API key immediately",
            authenticated: true,
            handler: delete(remove),
            doc: op("delete_api_key").data::<hookbridge::DeleteResult>(),
        },
    ]
}

impl From<ApiKeyRecord> for hookbridge::ApiKeyInfo {
    fn from(k: ApiKeyRecord) -> Self {
        hookbridge::ApiKeyInfo {
            key_id: k.key_id,
            label: Some(k.label),
            prefix: k.prefix,
            created_at: timestamp(k.created_at),
            last_used_at: opt_timestamp(k.last_used_at),
        }
    }
}

async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Reply> {
    let keys = state.store.list_api_keys(&caller.project_id).await?;
    Ok(Reply::ok(keys.into_iter().map(hookbridge::ApiKeyInfo::from).collect::<Vec<_>>()))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "CreateApiKeyRequest")]
struct CreateBody {
    mode: Option<String>,
    label: Option<String>,
    project_id: Option<String>,
    admin: Option<bool>,
}

/// Why a key may not create or revoke a key of rank `wanted`, if it may not.
fn wider_than_caller(caller: &Caller, wanted: KeyRank, verb: &str) -> Option<ApiError> {
    if caller.rank().covers(wanted) {
        return None;
    }
    let message = if wanted.mode > caller.mode {
        format!("a {} key cannot {verb} a {} key", caller.mode.as_str(), wanted.mode.as_str())
    } else {
        format!("a {} key cannot {verb} an {} key", caller.scope.as_str(), wanted.scope.as_str())
    };
    Some(ApiError::forbidden(message))
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<CreateBody>) -> ApiResult<Reply> {
    // Without `mode`, a key of the caller's own mode.
    let mode = match body.mode.as_deref() {
        None => caller.mode,
        Some("live") => KeyMode::Live,
        Some("test") => KeyMode::Test,
        Some(other) => return Err(ApiError::invalid(format!("mode must be live or test, got {other:?}"))),
    };
    let scope = if body.admin == Some(true) { KeyScope::Admin } else { KeyScope::Project };
    if let Some(refused) = wider_than_caller(&caller, KeyRank { scope, mode }, "create") {
        return Err(refused);
    }
    let label = body.label.unwrap_or_default();
    if label.chars().count() > MAX_LABEL {
        return Err(ApiError::invalid(format!("label must be at most {MAX_LABEL} characters")));
    }
    let project_id = match body.project_id.filter(|p| !p.is_empty() && *p != caller.project_id) {
        None => caller.project_id.clone(),
        Some(p) => {
            caller.require_admin("creating a key for another project")?;
            match state.store.get_project(&caller.tenant_id, &p).await? {
                Some(project) => project.id,
                None => return Err(ApiError::not_found("project", &p)),
            }
        }
    };
    let key = ids::api_key(mode);
    let now = now_millis();
    let record = NewApiKey {
        id: ids::api_key_id(),
        project_id,
        key_hash: ids::sha256_hex(key.as_bytes()),
        prefix: key.chars().take(11).collect(),
        mode,
        scope,
        label: Some(label.clone()),
        created_at: now,
    };
    let response = CreateApiKeyResponse {
        key_id: record.id.clone(),
        key,
        prefix: record.prefix.clone(),
        label: Some(label),
        created_at: timestamp(now),
    };
    state.store.create_api_key(record).await?;
    Ok(Reply::created(response))
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(key_id): PathParams<String>) -> ApiResult<Reply> {
    let Some(rank) = state.store.api_key_rank(&caller.project_id, &key_id).await? else {
        return Err(ApiError::not_found("API key", &key_id));
    };
    if let Some(refused) = wider_than_caller(&caller, rank, "revoke") {
        return Err(refused);
    }
    if !state.store.delete_api_key(&caller.project_id, &key_id).await? {
        return Err(ApiError::not_found("API key", &key_id));
    }
    state.auth_cache.forget_key(&key_id);
    Ok(Reply::ok(hookbridge::DeleteResult { deleted: true, id: Some(key_id) }))
}
