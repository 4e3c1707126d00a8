//! API keys of the caller's project: list, create (`live` or `test`), delete (revoked at once).
//! Self-hosted extension: `project_id` on create makes a key for another project of the same
//! tenant (how a key for a new project is obtained without a console).

use axum::extract::State;
use axum::routing::{delete, get, post};
use hookbridge::CreateApiKeyResponse;
use serde::Deserialize;
use serde_json::json;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, timestamp};
use crate::ids;
use crate::store::NewApiKey;

/// Longest key label.
const MAX_LABEL: usize = 255;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route { method: "GET", path: "/v1/api-keys", summary: "List API keys", authenticated: true, handler: get(list) },
        Route {
            method: "POST",
            path: "/v1/api-keys",
            summary: "Create an API key (shown once)",
            authenticated: true,
            handler: post(create),
        },
        Route {
            method: "DELETE",
            path: "/v1/api-keys/{key_id}",
            summary: "Revoke an API key immediately",
            authenticated: true,
            handler: delete(remove),
        },
    ]
}

async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Reply> {
    Ok(Reply::ok(state.store.list_api_keys(&caller.project_id).await?))
}

#[derive(Deserialize)]
struct CreateBody {
    mode: Option<String>,
    label: Option<String>,
    project_id: Option<String>,
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<CreateBody>) -> ApiResult<Reply> {
    let mode = match body.mode.as_deref() {
        None | Some("live") => "live",
        Some("test") => "test",
        Some(other) => return Err(ApiError::invalid(format!("mode must be live or test, got {other:?}"))),
    };
    let label = body.label.unwrap_or_default();
    if label.chars().count() > MAX_LABEL {
        return Err(ApiError::invalid(format!("label must be at most {MAX_LABEL} characters")));
    }
    let project_id = match body.project_id.filter(|p| !p.is_empty()) {
        None => caller.project_id.clone(),
        Some(p) => match state.store.get_project(&caller.tenant_id, &p).await? {
            Some(project) => project.id,
            None => return Err(ApiError::not_found("project", &p)),
        },
    };
    let key = ids::api_key(mode);
    let now = now_millis();
    let record = NewApiKey {
        id: ids::api_key_id(),
        project_id,
        key_hash: ids::sha256_hex(key.as_bytes()),
        prefix: key.chars().take(11).collect(),
        mode: mode.into(),
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
    if !state.store.delete_api_key(&caller.project_id, &key_id).await? {
        return Err(ApiError::not_found("API key", &key_id));
    }
    state.auth_cache.forget_key(&key_id);
    Ok(Reply::ok(json!({ "deleted": true, "id": key_id })))
}
