//! Outbound endpoints: create/get/list/update/delete, pause/resume and signing keys.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use hookbridge::signing::SignatureScheme;
use hookbridge::{CreateEndpointResponse, PauseState, RotateSecretResponse};
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams, QueryParams, cursor, limit};
use super::send::{headers_to_json, validate_headers};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, timestamp};
use crate::ids;
use crate::store::endpoints::MAX_SIGNING_KEYS;
use crate::store::{
    EndpointChanges, EndpointListing, EndpointRecord, EndpointWrite, NewEndpoint, SigningKeyRecord, SigningKeyWrite,
};
use crate::url_policy::UrlPolicy;

/// Longest description.
const MAX_DESCRIPTION: usize = 500;
/// Highest `rate_limit_rps`.
const MAX_RATE: i64 = 1000;
/// Highest `burst`.
const MAX_BURST: i64 = 10_000;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let r = |method, path, summary, handler, doc| Route { method, path, summary, authenticated: true, handler, doc };
    vec![
        r(
            "POST",
            "/v1/endpoints",
            "Create an endpoint and its first signing key",
            post(create),
            op("create_endpoint").created().body::<CreateBody>().data::<hookbridge::CreateEndpointResponse>(),
        ),
        r(
            "GET",
            "/v1/endpoints",
            "List endpoints (cursor pagination)",
            get(list),
            op("list_endpoints").query::<ListQuery>().data::<Vec<hookbridge::EndpointSummary>>(),
        ),
        r("GET", "/v1/endpoints/{endpoint_id}", "Get an endpoint", get(fetch), op("get_endpoint").data::<hookbridge::Endpoint>()),
        r(
            "PATCH",
            "/v1/endpoints/{endpoint_id}",
            "Update an endpoint (partial)",
            patch(update),
            op("update_endpoint").optional_body::<UpdateBody>().data::<hookbridge::UpdateResult>(),
        ),
        r(
            "DELETE",
            "/v1/endpoints/{endpoint_id}",
            "Delete an endpoint (its undelivered messages fail)",
            delete(remove),
            op("delete_endpoint").data::<EndpointDeleted>(),
        ),
        r(
            "POST",
            "/v1/endpoints/{endpoint_id}/pause",
            "Pause delivery to an endpoint",
            post(pause),
            op("pause_endpoint").data::<hookbridge::PauseState>(),
        ),
        r(
            "POST",
            "/v1/endpoints/{endpoint_id}/resume",
            "Resume delivery to an endpoint",
            post(resume),
            op("resume_endpoint").data::<hookbridge::PauseState>(),
        ),
        r(
            "POST",
            "/v1/endpoints/{endpoint_id}/signing-keys",
            "Add a signing key (at most 2)",
            post(create_key),
            op("create_endpoint_signing_key").created().data::<hookbridge::RotateSecretResponse>(),
        ),
        r(
            "GET",
            "/v1/endpoints/{endpoint_id}/signing-keys",
            "List signing keys",
            get(list_keys),
            op("list_endpoint_signing_keys").data::<Vec<hookbridge::SigningKey>>(),
        ),
        r(
            "DELETE",
            "/v1/endpoints/{endpoint_id}/signing-keys/{key_id}",
            "Delete a signing key (not the last one)",
            delete(delete_key),
            op("delete_endpoint_signing_key").data::<hookbridge::DeleteResult>(),
        ),
        r(
            "POST",
            "/v1/endpoints/{endpoint_id}/rotate-secret",
            "Add a signing key (legacy alias)",
            post(create_key),
            op("rotate_endpoint_secret").created().data::<hookbridge::RotateSecretResponse>(),
        ),
    ]
}

impl From<EndpointRecord> for hookbridge::Endpoint {
    fn from(e: EndpointRecord) -> Self {
        hookbridge::Endpoint {
            id: e.id,
            url: e.url,
            created_at: timestamp(e.created_at),
            updated_at: timestamp(e.updated_at),
            paused: e.paused,
            description: e.description,
            rate_limit_rps: e.rate_limit_rps,
            burst: e.burst,
            // Unreadable stored JSON shows as no headers.
            headers: e.headers_json.and_then(|j| serde_json::from_str(&j).ok()),
            signature_scheme: e.signature_scheme,
        }
    }
}

impl From<EndpointListing> for hookbridge::EndpointSummary {
    fn from(e: EndpointListing) -> Self {
        hookbridge::EndpointSummary {
            id: e.id,
            url: e.url,
            created_at: timestamp(e.created_at),
            paused: e.paused,
            description: e.description,
        }
    }
}

impl From<SigningKeyRecord> for hookbridge::SigningKey {
    fn from(k: SigningKeyRecord) -> Self {
        hookbridge::SigningKey { id: k.id, key_hint: k.key_hint, created_at: timestamp(k.created_at) }
    }
}

/// The wire form of a list of signing keys (outbound and inbound endpoints alike).
pub(crate) fn signing_keys_wire(keys: Vec<SigningKeyRecord>) -> Vec<hookbridge::SigningKey> {
    keys.into_iter().map(hookbridge::SigningKey::from).collect()
}

/// The answer of a deleted endpoint: how many undelivered messages failed with it.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct EndpointDeleted {
    /// Always true.
    deleted: bool,
    /// The endpoint.
    id: String,
    /// Its undelivered messages, now failed.
    messages_failed: u64,
}

/// 404 `ENDPOINT_NOT_FOUND`.
pub(crate) fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "ENDPOINT_NOT_FOUND", format!("endpoint {id} not found"))
}

fn duplicate_url() -> ApiError {
    ApiError::conflict("DUPLICATE_URL", "an endpoint with this url already exists in the project")
}

/// Checks an endpoint URL (outbound or inbound forwarding) against the server's SSRF policy.
pub(crate) async fn check_url(state: &AppState, url: &str) -> ApiResult<()> {
    Ok(UrlPolicy::from_config(&state.config).check(url).await?)
}

fn check_description(description: &str) -> ApiResult<()> {
    let len = description.chars().count();
    if len > MAX_DESCRIPTION {
        return Err(ApiError::invalid(format!("description must be at most {MAX_DESCRIPTION} characters, got {len}")));
    }
    Ok(())
}

/// The `signature_scheme` of a request body: absent or `null` is `None`, a known name its
/// scheme, anything else a validation error naming the allowed values.
fn parse_scheme(value: Option<Value>) -> ApiResult<Option<SignatureScheme>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if SignatureScheme::parse(&name).is_some() => Ok(SignatureScheme::parse(&name)),
        Some(other) => {
            let allowed: Vec<&str> = SignatureScheme::ALL.iter().map(SignatureScheme::as_str).collect();
            Err(ApiError::invalid(format!("signature_scheme must be one of {}, got {other}", allowed.join(", "))))
        }
    }
}

fn check_range(field: &str, value: i64, max: i64) -> ApiResult<i64> {
    if !(0..=max).contains(&value) {
        return Err(ApiError::invalid(format!("{field} must be between 0 and {max}, got {value}")));
    }
    Ok(value)
}

/// The body of `POST /v1/endpoints`.
#[derive(Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "CreateEndpointRequest")]
pub(crate) struct CreateBody {
    pub(crate) url: String,
    pub(crate) description: Option<String>,
    pub(crate) rate_limit_rps: Option<i64>,
    pub(crate) burst: Option<i64>,
    pub(crate) headers: Option<Value>,
    #[schemars(with = "Option<SignatureScheme>")]
    pub(crate) signature_scheme: Option<Value>,
}

/// `POST /v1/endpoints` (also the dashboard's create form).
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<CreateBody>,
) -> ApiResult<Reply> {
    let description = body.description.filter(|d| !d.is_empty());
    if let Some(d) = &description {
        check_description(d)?;
    }
    let rate_limit_rps = check_range("rate_limit_rps", body.rate_limit_rps.unwrap_or(0), MAX_RATE)?;
    let burst = check_range("burst", body.burst.unwrap_or(0), MAX_BURST)?;
    let headers_json = validate_headers(body.headers)?.filter(|h| !h.is_empty()).map(|h| headers_to_json(&h));
    let signature_scheme = parse_scheme(body.signature_scheme)?.unwrap_or_default();
    check_url(&state, &body.url).await?;
    let now = now_millis();
    let endpoint = NewEndpoint {
        id: ids::endpoint_id(),
        project_id: caller.project_id,
        url: body.url,
        description,
        rate_limit_rps,
        burst,
        headers_json,
        signing_key_id: ids::signing_key_id(),
        signing_secret: ids::signing_secret_for(signature_scheme),
        signature_scheme,
        created_at: now,
    };
    let response = CreateEndpointResponse {
        id: endpoint.id.clone(),
        url: endpoint.url.clone(),
        key_hint: Some(ids::key_hint(&endpoint.signing_secret)),
        signing_secret: endpoint.signing_secret.clone(),
        created_at: timestamp(now),
        description: endpoint.description.clone(),
        signing_key_id: Some(endpoint.signing_key_id.clone()),
    };
    match state.store.create_endpoint(endpoint).await? {
        EndpointWrite::Done(()) => Ok(Reply::created(response)),
        EndpointWrite::DuplicateUrl => Err(duplicate_url()),
        EndpointWrite::NotFound => Err(ApiError::internal("endpoint vanished while being created")),
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
    let page = state.store.list_endpoints(&caller.project_id, limit, cursor(q.cursor.as_deref())?).await?;
    let items: Vec<hookbridge::EndpointSummary> = page.items.into_iter().map(Into::into).collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

async fn fetch(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.get_endpoint(&caller.project_id, &id).await? {
        Some(endpoint) => Ok(Reply::ok(hookbridge::Endpoint::from(endpoint))),
        None => Err(endpoint_not_found(&id)),
    }
}

/// The body of `PATCH /v1/endpoints/{id}` (also the dashboard's edit form).
#[derive(Default, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "UpdateEndpointRequest")]
pub(crate) struct UpdateBody {
    pub(crate) url: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) rate_limit_rps: Option<i64>,
    pub(crate) burst: Option<i64>,
    pub(crate) headers: Option<Value>,
    #[schemars(with = "Option<SignatureScheme>")]
    pub(crate) signature_scheme: Option<Value>,
}

/// `PATCH /v1/endpoints/{id}` (also the dashboard's edit form).
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<UpdateBody>,
) -> ApiResult<Reply> {
    let mut changes = EndpointChanges::default();
    if let Some(d) = body.description {
        check_description(&d)?;
        changes.description = Some(Some(d).filter(|d| !d.is_empty()));
    }
    if let Some(rate) = body.rate_limit_rps {
        changes.rate_limit_rps = Some(check_range("rate_limit_rps", rate, MAX_RATE)?);
    }
    if let Some(burst) = body.burst {
        changes.burst = Some(check_range("burst", burst, MAX_BURST)?);
    }
    if let Some(headers) = validate_headers(body.headers)? {
        changes.headers_json = Some(Some(headers).filter(|h| !h.is_empty()).map(|h| headers_to_json(&h)));
    }
    // A scheme change keeps the signing keys: every secret HookBridge issues is valid under
    // both schemes (docs/signature-schemes.md, "Changing the scheme").
    changes.signature_scheme = parse_scheme(body.signature_scheme)?;
    if let Some(url) = body.url {
        check_url(&state, &url).await?;
        changes.url = Some(url);
    }
    match state.store.update_endpoint(&caller.project_id, &id, changes, now_millis()).await? {
        EndpointWrite::Done(()) => Ok(Reply::ok(hookbridge::UpdateResult { id, updated: true })),
        EndpointWrite::NotFound => Err(endpoint_not_found(&id)),
        EndpointWrite::DuplicateUrl => Err(duplicate_url()),
    }
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.delete_endpoint(&caller.project_id, &id, now_millis()).await? {
        EndpointWrite::Done(failed) => Ok(Reply::ok(EndpointDeleted { deleted: true, id, messages_failed: failed })),
        _ => Err(endpoint_not_found(&id)),
    }
}

/// `POST /v1/endpoints/{id}/pause`.
pub(crate) async fn pause(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.set_endpoint_paused(&caller.project_id, &id, true, now_millis()).await? {
        EndpointWrite::Done(_) => Ok(Reply::ok(PauseState { id, paused: true, messages_requeued: None })),
        _ => Err(endpoint_not_found(&id)),
    }
}

/// `POST /v1/endpoints/{id}/resume`.
pub(crate) async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    match state.store.set_endpoint_paused(&caller.project_id, &id, false, now_millis()).await? {
        EndpointWrite::Done(requeued) => {
            state.delivery.wake();
            Ok(Reply::ok(PauseState { id, paused: false, messages_requeued: Some(requeued as i64) }))
        }
        _ => Err(endpoint_not_found(&id)),
    }
}

fn key_error<T>(outcome: SigningKeyWrite<T>, endpoint_id: &str, key_id: &str) -> ApiError {
    match outcome {
        SigningKeyWrite::EndpointNotFound => endpoint_not_found(endpoint_id),
        SigningKeyWrite::KeyNotFound => ApiError::not_found("signing key", key_id),
        SigningKeyWrite::MaxReached => ApiError::conflict(
            "MAX_SIGNING_KEYS_REACHED",
            format!("endpoint {endpoint_id} already has {MAX_SIGNING_KEYS} active signing keys; delete one first"),
        ),
        SigningKeyWrite::LastKey => ApiError::conflict(
            "CANNOT_DELETE_LAST_SIGNING_KEY",
            format!("signing key {key_id} is the only active key of endpoint {endpoint_id}"),
        ),
        SigningKeyWrite::Done(_) => ApiError::internal("signing key operation succeeded"),
    }
}

/// `POST /v1/endpoints/{id}/signing-keys` (and its alias `rotate-secret`).
pub(crate) async fn create_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
) -> ApiResult<Reply> {
    // The new secret takes the form of the endpoint's scheme.
    let Some(endpoint) = state.store.get_endpoint(&caller.project_id, &id).await? else {
        return Err(endpoint_not_found(&id));
    };
    let secret = ids::signing_secret_for(endpoint.signature_scheme);
    let (key_id, now) = (ids::signing_key_id(), now_millis());
    match state.store.create_signing_key(&caller.project_id, &id, key_id.clone(), secret.clone(), now).await? {
        SigningKeyWrite::Done(()) => Ok(Reply::created(RotateSecretResponse {
            id: key_id,
            key_hint: Some(ids::key_hint(&secret)),
            signing_secret: secret,
            created_at: Some(timestamp(now)),
        })),
        other => Err(key_error(other, &id, "")),
    }
}

async fn list_keys(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.list_signing_keys(&caller.project_id, &id).await? {
        SigningKeyWrite::Done(keys) => Ok(Reply::ok(signing_keys_wire(keys))),
        other => Err(key_error(other, &id, "")),
    }
}

/// `DELETE /v1/endpoints/{id}/signing-keys/{key_id}` (also the dashboard's delete button).
pub(crate) async fn delete_key(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((id, key_id)): PathParams<(String, String)>,
) -> ApiResult<Reply> {
    match state.store.delete_signing_key(&caller.project_id, &id, &key_id, now_millis()).await? {
        SigningKeyWrite::Done(()) => Ok(Reply::ok(hookbridge::DeleteResult { deleted: true, id: Some(key_id) })),
        other => Err(key_error(other, &id, &key_id)),
    }
}
