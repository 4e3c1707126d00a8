//! Inbound endpoint management: create, list, get, update, delete, pause, resume, and the
//! signing keys of forwarded requests (2.0-era routes).

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, get, patch, post};
use hookbridge::{CreateInboundEndpointResponse, DeleteResult, PauseState, RotateSecretResponse, UpdateResult};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ingest::ingest_url;
use super::is_uuid;
use super::settings::{DEFAULT_INGEST_RESPONSE_CODE, SettingsBody, validate};
use crate::clock::{now_millis, timestamp};
use crate::http::auth::Caller;
use crate::http::endpoints::check_url;
use crate::http::extract::{JsonBody, PathParams, QueryParams, cursor, limit};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::ids;
use crate::store::SigningKeyWrite;
use crate::store::endpoints::MAX_SIGNING_KEYS;
use crate::store::inbound::{
    InboundEndpointListing, InboundEndpointRecord, InboundProfile, InboundSettings, InboundUpdate, NewInboundEndpoint,
    NewSigningKey,
};

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    const BASE: &str = "/v1/inbound-endpoints";
    const ONE: &str = "/v1/inbound-endpoints/{endpoint_id}";
    vec![
        Route {
            method: "POST",
            path: BASE,
            summary: "Create an inbound endpoint (returns ingest_url and secret_token once)",
            authenticated: true,
            handler: post(create),
            doc: op("create_inbound_endpoint")
                .created()
                .body::<SettingsBody>()
                .data::<hookbridge::CreateInboundEndpointResponse>(),
        },
        Route {
            method: "GET",
            path: BASE,
            summary: "List inbound endpoints (cursor pagination)",
            authenticated: true,
            handler: get(list),
            doc: op("list_inbound_endpoints").query::<ListQuery>().data::<Vec<hookbridge::InboundEndpointSummary>>(),
        },
        Route {
            method: "GET",
            path: ONE,
            summary: "Get an inbound endpoint",
            authenticated: true,
            handler: get(get_one),
            doc: op("get_inbound_endpoint").data::<hookbridge::InboundEndpoint>(),
        },
        Route {
            method: "PATCH",
            path: ONE,
            summary: "Update an inbound endpoint (partial)",
            authenticated: true,
            handler: patch(update),
            doc: op("update_inbound_endpoint").optional_body::<SettingsBody>().data::<hookbridge::UpdateResult>(),
        },
        Route {
            method: "DELETE",
            path: ONE,
            summary: "Delete an inbound endpoint (accepted messages are still forwarded)",
            authenticated: true,
            handler: delete(remove),
            doc: op("delete_inbound_endpoint").data::<hookbridge::DeleteResult>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-endpoints/{endpoint_id}/pause",
            summary: "Pause ingest (senders get 503)",
            authenticated: true,
            handler: post(pause),
            doc: op("pause_inbound_endpoint").data::<hookbridge::PauseState>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-endpoints/{endpoint_id}/resume",
            summary: "Resume ingest",
            authenticated: true,
            handler: post(resume),
            doc: op("resume_inbound_endpoint").data::<hookbridge::PauseState>(),
        },
        Route {
            method: "POST",
            path: "/v1/inbound-endpoints/{endpoint_id}/signing-keys",
            summary: "Add a signing key for forwarded requests (at most 2)",
            authenticated: true,
            handler: post(create_key),
            doc: op("create_inbound_signing_key").created().data::<hookbridge::RotateSecretResponse>(),
        },
        Route {
            method: "GET",
            path: "/v1/inbound-endpoints/{endpoint_id}/signing-keys",
            summary: "List the signing keys of forwarded requests",
            authenticated: true,
            handler: get(list_keys),
            doc: op("list_inbound_signing_keys").data::<Vec<hookbridge::SigningKey>>(),
        },
        Route {
            method: "DELETE",
            path: "/v1/inbound-endpoints/{endpoint_id}/signing-keys/{key_id}",
            summary: "Delete a signing key (never the last one)",
            authenticated: true,
            handler: delete(delete_key),
            doc: op("delete_inbound_signing_key").data::<hookbridge::DeleteResult>(),
        },
    ]
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("inbound endpoint", id)
}

fn new_signing_key() -> NewSigningKey {
    NewSigningKey { id: ids::signing_key_id(), secret: ids::signing_secret() }
}

/// The extra keys that show a new signing secret once.
fn signing_fields(key: &NewSigningKey) -> Value {
    json!({ "signing_secret": key.secret, "signing_key_id": key.id, "key_hint": ids::key_hint(&key.secret) })
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        t.extend(e);
    }
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<SettingsBody>) -> ApiResult<Reply> {
    let mut profile = InboundProfile::default();
    let mut settings = InboundSettings { ingest_response_code: DEFAULT_INGEST_RESPONSE_CODE, ..Default::default() };
    body.apply(&mut profile, &mut settings)?;
    validate(&profile, &settings)?;
    if !profile.url.is_empty() {
        check_url(&state, &profile.url).await?;
    }

    let now = now_millis();
    let id = ids::uuid7();
    let secret_token = ids::secret_token();
    let signing_key = settings.signing_enabled.then(new_signing_key);
    let endpoint = NewInboundEndpoint {
        id: id.clone(),
        project_id: caller.project_id,
        profile: profile.clone(),
        secret_token_hash: ids::sha256_hex(secret_token.as_bytes()),
        settings,
        signing_key: signing_key.clone(),
        created_at: now,
    };
    state.store.create_inbound_endpoint(endpoint).await?;
    let response = CreateInboundEndpointResponse {
        ingest_url: ingest_url(&state.config.public_base_url(), &id, &secret_token),
        id,
        name: profile.name,
        url: profile.url,
        mode: profile.mode.to_string(),
        secret_token,
        created_at: timestamp(now),
        key_hint: signing_key.as_ref().map(|k| ids::key_hint(&k.secret)),
        signing_key_id: signing_key.as_ref().map(|k| k.id.clone()),
        signing_secret: signing_key.map(|k| k.secret),
    };
    let mut data = serde_json::to_value(response).map_err(|e| ApiError::internal(e.to_string()))?;
    merge(&mut data, json!({ "description": profile.description, "active": true, "paused": false }));
    Ok(Reply::created(data))
}

impl From<InboundEndpointRecord> for hookbridge::InboundEndpoint {
    fn from(e: InboundEndpointRecord) -> Self {
        hookbridge::InboundEndpoint {
            id: e.id,
            name: e.name,
            url: e.url,
            mode: e.mode.to_string(),
            active: true,
            paused: e.paused,
            verify_static_token: e.verify_static_token,
            verify_hmac: e.verify_hmac,
            verification_preset: e.verification_preset.to_string(),
            verify_ip_allowlist: e.verify_ip_allowlist,
            ingest_response_code: e.ingest_response_code,
            idempotency_header_names: e.idempotency_header_names,
            signing_enabled: e.signing_enabled,
            created_at: timestamp(e.created_at),
            updated_at: timestamp(e.updated_at),
            description: e.description,
        }
    }
}

impl From<InboundEndpointListing> for hookbridge::InboundEndpointSummary {
    fn from(e: InboundEndpointListing) -> Self {
        hookbridge::InboundEndpointSummary {
            id: e.id,
            name: e.name,
            url: e.url,
            mode: e.mode.to_string(),
            active: true,
            paused: e.paused,
            created_at: timestamp(e.created_at),
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ListQuery {
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<ListQuery>) -> ApiResult<Reply> {
    let limit = limit("limit", q.limit, 50, 100)?;
    let page = state.store.list_inbound_endpoints(&caller.project_id, limit, cursor(q.cursor.as_deref())?).await?;
    let items: Vec<hookbridge::InboundEndpointSummary> = page.items.into_iter().map(Into::into).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

async fn get_one(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if !is_uuid(&id) {
        return Err(not_found(&id));
    }
    match state.store.get_inbound_endpoint(&caller.project_id, &id).await? {
        Some(endpoint) => Ok(Reply::ok(hookbridge::InboundEndpoint::from(endpoint))),
        None => Err(not_found(&id)),
    }
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<SettingsBody>,
) -> ApiResult<Reply> {
    if !is_uuid(&id) {
        return Err(not_found(&id));
    }
    let Some(current) = state.store.get_inbound_config(&caller.project_id, &id).await? else {
        return Err(not_found(&id));
    };
    let new_url = body.url.clone().map(|u| u.trim().to_owned());
    let (mut profile, mut settings) = (current.profile.clone(), current.settings.clone());
    body.apply(&mut profile, &mut settings)?;
    validate(&profile, &settings)?;
    if new_url.is_some_and(|u| !u.is_empty() && u != current.profile.url) {
        check_url(&state, &profile.url).await?;
    }
    let key = settings.signing_enabled.then(new_signing_key);
    match state.store.update_inbound_endpoint(&caller.project_id, &id, profile, settings, key.clone(), now_millis()).await? {
        InboundUpdate::NotFound => Err(not_found(&id)),
        InboundUpdate::Updated(key_added) => {
            let mut data =
                serde_json::to_value(UpdateResult { id, updated: true }).map_err(|e| ApiError::internal(e.to_string()))?;
            if let (true, Some(key)) = (key_added, &key) {
                merge(&mut data, signing_fields(key));
            }
            Ok(Reply::ok(data))
        }
    }
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if !is_uuid(&id) || !state.store.delete_inbound_endpoint(&caller.project_id, &id, now_millis()).await? {
        return Err(not_found(&id));
    }
    Ok(Reply::ok(DeleteResult { deleted: true, id: Some(id) }))
}

async fn set_paused(state: AppState, caller: Caller, id: String, paused: bool) -> ApiResult<Reply> {
    if !is_uuid(&id) || !state.store.set_inbound_paused(&caller.project_id, &id, paused, now_millis()).await? {
        return Err(not_found(&id));
    }
    if !paused {
        state.delivery.wake();
    }
    Ok(Reply::ok(PauseState { id, paused, messages_requeued: None }))
}

async fn pause(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    set_paused(state, caller, id, true).await
}

async fn resume(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    set_paused(state, caller, id, false).await
}

fn key_error<T>(outcome: SigningKeyWrite<T>, endpoint_id: &str, key_id: &str) -> ApiError {
    match outcome {
        SigningKeyWrite::EndpointNotFound | SigningKeyWrite::Done(_) => not_found(endpoint_id),
        SigningKeyWrite::KeyNotFound => ApiError::not_found("signing key", key_id),
        SigningKeyWrite::MaxReached => ApiError::conflict(
            "MAX_SIGNING_KEYS_REACHED",
            format!("inbound endpoint {endpoint_id} already has {MAX_SIGNING_KEYS} signing keys; delete one first"),
        ),
        SigningKeyWrite::LastKey => ApiError::conflict(
            "CANNOT_DELETE_LAST_SIGNING_KEY",
            format!("signing key {key_id} is the only signing key of inbound endpoint {endpoint_id}"),
        ),
    }
}

async fn create_key(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if !is_uuid(&id) {
        return Err(not_found(&id));
    }
    let key = new_signing_key();
    let now = now_millis();
    match state.store.create_inbound_signing_key(&caller.project_id, &id, key.clone(), now).await? {
        SigningKeyWrite::Done(()) => Ok(Reply::created(RotateSecretResponse {
            key_hint: Some(ids::key_hint(&key.secret)),
            id: key.id,
            signing_secret: key.secret,
            created_at: Some(timestamp(now)),
        })),
        other => Err(key_error(other, &id, "")),
    }
}

async fn list_keys(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if !is_uuid(&id) {
        return Err(not_found(&id));
    }
    match state.store.list_inbound_signing_keys(&caller.project_id, &id).await? {
        SigningKeyWrite::Done(keys) => Ok(Reply::ok(crate::http::endpoints::signing_keys_wire(keys))),
        other => Err(key_error(other, &id, "")),
    }
}

async fn delete_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, key_id)): PathParams<(String, String)>,
) -> ApiResult<Reply> {
    if !is_uuid(&id) {
        return Err(not_found(&id));
    }
    match state.store.delete_inbound_signing_key(&caller.project_id, &id, &key_id, now_millis()).await? {
        SigningKeyWrite::Done(()) => Ok(Reply::ok(DeleteResult { deleted: true, id: Some(key_id) })),
        other => Err(key_error(other, &id, &key_id)),
    }
}
