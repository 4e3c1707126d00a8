//! Pull endpoint management: create, list, get, update, delete, pause, resume. The verification
//! settings are those of inbound endpoints, read and checked by the same code
//! ([`super::super::inbound::settings`]); retention and the event type source are pull's own.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, get, patch, post};
use hookbridge::{CreatePullEndpointResponse, DeleteResult, PauseState, PullEndpoint, PullEndpointCounts, PullEndpointSummary};
use serde::Deserialize;

use super::super::inbound::settings::{DEFAULT_INGEST_RESPONSE_CODE, SettingsBody, validate};
use super::ingest::pull_ingest_url;
use super::{endpoint_not_found, is_uuid};
use crate::clock::{now_millis, timestamp};
use crate::domain::pull::{DEFAULT_RETENTION_DAYS, EventTypeSource, MAX_RETENTION_DAYS};
use crate::http::auth::Caller;
use crate::http::extract::{JsonBody, PathParams, QueryParams, cursor, limit};
use crate::http::{ApiError, ApiResult, AppState, Reply, Route};
use crate::ids;
use crate::store::inbound::{InboundProfile, InboundSettings};
use crate::store::pull::{NewPullEndpoint, PullCounts, PullEndpointRecord, PullProfile};

/// Longest event type path or header name.
const MAX_EVENT_TYPE_PATH: usize = 255;

/// The routes of this part.
pub fn routes() -> Vec<Route> {
    const BASE: &str = "/v1/pull-endpoints";
    const ONE: &str = "/v1/pull-endpoints/{endpoint_id}";
    vec![
        Route {
            method: "POST",
            path: BASE,
            summary: "Create a pull endpoint (returns the ingest URL with its secret token once)",
            authenticated: true,
            handler: post(create),
            doc: op("create_pull_endpoint").created().body::<PullBody>().data::<hookbridge::CreatePullEndpointResponse>(),
        },
        Route {
            method: "GET",
            path: BASE,
            summary: "List pull endpoints (cursor pagination)",
            authenticated: true,
            handler: get(list),
            doc: op("list_pull_endpoints").query::<ListQuery>().data::<Vec<hookbridge::PullEndpointSummary>>(),
        },
        Route {
            method: "GET",
            path: ONE,
            summary: "Get a pull endpoint with its event counts",
            authenticated: true,
            handler: get(get_one),
            doc: op("get_pull_endpoint").data::<hookbridge::PullEndpoint>(),
        },
        Route {
            method: "PATCH",
            path: ONE,
            summary: "Update a pull endpoint (partial; returns the endpoint)",
            authenticated: true,
            handler: patch(update),
            doc: op("update_pull_endpoint").optional_body::<PullBody>().data::<hookbridge::PullEndpoint>(),
        },
        Route {
            method: "DELETE",
            path: ONE,
            summary: "Delete a pull endpoint (its ingest URL stops accepting)",
            authenticated: true,
            handler: delete(remove),
            doc: op("delete_pull_endpoint").data::<hookbridge::DeleteResult>(),
        },
        Route {
            method: "POST",
            path: "/v1/pull-endpoints/{endpoint_id}/pause",
            summary: "Pause ingest on a pull endpoint (senders get 503)",
            authenticated: true,
            handler: post(pause),
            doc: op("pause_pull_endpoint").data::<hookbridge::PauseState>(),
        },
        Route {
            method: "POST",
            path: "/v1/pull-endpoints/{endpoint_id}/resume",
            summary: "Resume ingest on a pull endpoint",
            authenticated: true,
            handler: post(resume),
            doc: op("resume_pull_endpoint").data::<hookbridge::PauseState>(),
        },
    ]
}

/// Every field of the create and update bodies; absent or `null` keeps the current value
/// (unknown keys are ignored).
#[derive(Deserialize, Default, schemars::JsonSchema)]
#[schemars(rename = "PullEndpointRequest")]
struct PullBody {
    #[serde(flatten)]
    verification: SettingsBody,
    retention_days: Option<i64>,
    event_type_source: Option<String>,
    event_type_path: Option<String>,
}

impl PullBody {
    /// Applies the given fields onto `profile` and `settings` and checks the result.
    fn apply(self, profile: &mut PullProfile, settings: &mut InboundSettings) -> Result<(), ApiError> {
        // A pull endpoint never forwards: to the shared checks it is a listener-mode endpoint.
        let mut shared = InboundProfile {
            name: profile.name.clone(),
            description: profile.description.clone(),
            url: String::new(),
            mode: crate::domain::inbound::InboundMode::Cli,
        };
        self.verification.apply(&mut shared, settings)?;
        if settings.verification_preset != crate::domain::VerificationPreset::Custom {
            return Err(ApiError::invalid(format!(
                "verification_preset {:?} is not available on pull endpoints (inbound endpoints only); use the generic \
                 verify_hmac settings",
                settings.verification_preset.as_str()
            )));
        }
        shared.mode = crate::domain::inbound::InboundMode::Cli;
        settings.signing_enabled = false;
        validate(&shared, settings)?;
        (profile.name, profile.description) = (shared.name, shared.description);
        if let Some(days) = self.retention_days {
            if !(1..=MAX_RETENTION_DAYS).contains(&days) {
                return Err(ApiError::invalid(format!("retention_days must be between 1 and {MAX_RETENTION_DAYS}, got {days}")));
            }
            profile.retention_days = days;
        }
        if let Some(source) = self.event_type_source {
            profile.event_type_source = match source.trim() {
                "" => None,
                text => Some(EventTypeSource::parse(text).ok_or_else(|| {
                    ApiError::invalid(format!("event_type_source must be one of body, header, got {source:?}"))
                })?),
            };
        }
        if let Some(path) = self.event_type_path {
            let path = path.trim();
            if path.chars().count() > MAX_EVENT_TYPE_PATH {
                return Err(ApiError::invalid(format!("event_type_path must be at most {MAX_EVENT_TYPE_PATH} characters")));
            }
            profile.event_type_path = (!path.is_empty()).then(|| path.to_owned());
            if profile.event_type_source.is_none() && profile.event_type_path.is_some() {
                profile.event_type_source = Some(EventTypeSource::Body);
            }
        }
        if let (Some(EventTypeSource::Header), Some(name)) = (profile.event_type_source, &profile.event_type_path)
            && axum::http::HeaderName::from_bytes(name.as_bytes()).is_err()
        {
            return Err(ApiError::invalid(format!(
                "event_type_path must be a valid HTTP header name when event_type_source is header, got {name:?}"
            )));
        }
        Ok(())
    }
}

/// The endpoint on the wire; `counts` when known, the ingest URL with its token only on create.
fn wire(state: &AppState, e: PullEndpointRecord, counts: Option<PullCounts>, token: Option<&str>) -> PullEndpoint {
    let s = e.settings;
    PullEndpoint {
        ingest_url: pull_ingest_url(&state.config.public_base_url(), &e.id, token),
        id: e.id,
        mode: "pull".into(),
        active: true,
        paused: e.paused,
        created_at: timestamp(e.created_at),
        updated_at: timestamp(e.updated_at),
        name: Some(e.profile.name),
        description: e.profile.description,
        retention_days: Some(e.profile.retention_days),
        event_type_source: e.profile.event_type_source.map(|s| s.as_str().to_owned()),
        event_type_path: e.profile.event_type_path,
        counts: counts.map(|c| PullEndpointCounts {
            stored: Some(c.stored),
            fetched: Some(c.fetched),
            delivered: Some(c.delivered),
            total: Some(c.total()),
        }),
        verify_static_token: Some(s.verify_static_token),
        token_header_name: s.token_header_name,
        token_query_param: s.token_query_param,
        verify_hmac: Some(s.verify_hmac),
        hmac_header_name: s.hmac_header_name,
        timestamp_header_name: s.timestamp_header_name,
        timestamp_ttl_seconds: s.timestamp_ttl_seconds,
        verify_ip_allowlist: Some(s.verify_ip_allowlist),
        allowed_cidrs: Some(s.allowed_cidrs),
        ingest_response_code: Some(s.ingest_response_code),
        idempotency_header_names: Some(s.idempotency_header_names),
    }
}

/// The live endpoint of the caller's project, or 404.
pub(super) async fn live_endpoint(state: &AppState, caller: &Caller, id: &str) -> ApiResult<PullEndpointRecord> {
    if !is_uuid(id) {
        return Err(endpoint_not_found(id));
    }
    state.store.get_pull_endpoint(&caller.project_id, id).await?.ok_or_else(|| endpoint_not_found(id))
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<PullBody>) -> ApiResult<Reply> {
    let mut profile = PullProfile { retention_days: DEFAULT_RETENTION_DAYS, ..Default::default() };
    let mut settings = InboundSettings { ingest_response_code: DEFAULT_INGEST_RESPONSE_CODE, ..Default::default() };
    body.apply(&mut profile, &mut settings)?;
    let now = now_millis();
    let secret_token = ids::secret_token();
    let endpoint = NewPullEndpoint {
        id: ids::uuid7(),
        project_id: caller.project_id.clone(),
        profile,
        secret_token_hash: ids::sha256_hex(secret_token.as_bytes()),
        settings,
        created_at: now,
    };
    let id = endpoint.id.clone();
    state.store.create_pull_endpoint(endpoint).await?;
    let created = state.store.get_pull_endpoint(&caller.project_id, &id).await?.ok_or_else(|| endpoint_not_found(&id))?;
    let endpoint = wire(&state, created, Some(PullCounts::default()), Some(&secret_token));
    Ok(Reply::created(CreatePullEndpointResponse { endpoint, secret_token: Some(secret_token) }))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ListQuery {
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<ListQuery>) -> ApiResult<Reply> {
    let limit = limit("limit", q.limit, 50, 100)?;
    let page = state.store.list_pull_endpoints(&caller.project_id, limit, cursor(q.cursor.as_deref())?).await?;
    let base = state.config.public_base_url();
    let items: Vec<PullEndpointSummary> = page
        .items
        .into_iter()
        .map(|e| PullEndpointSummary {
            ingest_url: pull_ingest_url(&base, &e.id, None),
            id: e.id,
            active: true,
            paused: e.paused,
            created_at: timestamp(e.created_at),
            name: Some(e.profile.name),
        })
        .collect();
    Ok(Reply::ok(items).cursor(page.next.map(|c| c.encode())))
}

async fn get_one(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    let endpoint = live_endpoint(&state, &caller, &id).await?;
    let counts = state.store.pull_counts(&caller.project_id, &id).await?;
    Ok(Reply::ok(wire(&state, endpoint, Some(counts), None)))
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<PullBody>,
) -> ApiResult<Reply> {
    let current = live_endpoint(&state, &caller, &id).await?;
    let (mut profile, mut settings) = (current.profile, current.settings);
    body.apply(&mut profile, &mut settings)?;
    if !state.store.update_pull_endpoint(&caller.project_id, &id, profile, settings, now_millis()).await? {
        return Err(endpoint_not_found(&id));
    }
    let updated = live_endpoint(&state, &caller, &id).await?;
    let counts = state.store.pull_counts(&caller.project_id, &id).await?;
    Ok(Reply::ok(wire(&state, updated, Some(counts), None)))
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if !is_uuid(&id) || !state.store.delete_pull_endpoint(&caller.project_id, &id, now_millis()).await? {
        return Err(endpoint_not_found(&id));
    }
    Ok(Reply::ok(DeleteResult { deleted: true, id: Some(id) }))
}

async fn set_paused(state: AppState, caller: Caller, id: String, paused: bool) -> ApiResult<Reply> {
    if !is_uuid(&id) || !state.store.set_pull_paused(&caller.project_id, &id, paused, now_millis()).await? {
        return Err(endpoint_not_found(&id));
    }
    Ok(Reply::ok(PauseState { id, paused, messages_requeued: None }))
}

async fn pause(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    set_paused(state, caller, id, true).await
}

async fn resume(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    set_paused(state, caller, id, false).await
}
