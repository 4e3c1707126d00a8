//! Log exports: the export worker ([`crate::jobs::exports`]) writes the matching log entries as
//! JSON lines into the store (files in the data dir with SQLite, the database with PostgreSQL);
//! download answers a 302 to a signed, time-limited link on this server. A project has at most
//! `--max-exports-per-project` exports pending, processing or downloadable at once; more answer
//! 429 `EXPORT_LIMIT_EXCEEDED`.

use crate::http::openapi::op;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use hookbridge::ExportRecord;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams, QueryParams, endpoint_id_filter, parse_time, status_filter};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::{now_millis, opt_timestamp, timestamp};
use crate::store::{Direction, ExportCreate, ExportJob, ExportScope, StoredExport};

/// How long one download link is valid (capped by the export's own expiry).
const LINK_TTL_SECS: i64 = 3600;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    let r = |method, path, summary, handler, doc| Route { method, path, summary, authenticated: true, handler, doc };
    vec![
        r(
            "POST",
            "/v1/exports",
            "Start an export of the logs for a time range",
            post(create),
            op("create_export").created().body::<CreateBody>().data::<ExportView>(),
        ),
        r("GET", "/v1/exports", "List exports", get(list), op("list_exports").data::<Vec<ExportView>>()),
        r("GET", "/v1/exports/{export_id}", "Get an export", get(fetch), op("get_export").data::<ExportView>()),
        r(
            "DELETE",
            "/v1/exports/{export_id}",
            "Delete an export and its file",
            delete(remove),
            op("delete_export").data::<hookbridge::DeleteResult>(),
        ),
        r(
            "GET",
            "/v1/exports/{export_id}/download",
            "Redirect (302) to a signed, time-limited download link",
            get(download),
            op("download_export").statuses(&[302]).empty(),
        ),
        Route {
            method: "GET",
            path: "/v1/exports/{export_id}/file",
            summary: "The export file as JSON lines (signed link from /download; no API key)",
            authenticated: false,
            handler: get(file),
            doc: op("get_export_file").query::<FileQuery>().raw("application/x-ndjson"),
        },
    ]
}

/// The wire record: the contract's fields plus `direction`; `expired` once past `expires_at`.
#[derive(Serialize, schemars::JsonSchema)]
struct ExportView {
    #[serde(flatten)]
    record: ExportRecord,
    direction: &'static str,
}

impl From<ExportJob> for ExportRecord {
    fn from(j: ExportJob) -> Self {
        ExportRecord {
            id: j.id,
            project_id: j.project_id,
            status: j.status,
            filter_start_time: timestamp(j.filter_start_ms),
            filter_end_time: timestamp(j.filter_end_ms),
            created_at: timestamp(j.created_at),
            filter_status: j.filter_status,
            filter_endpoint_id: j.filter_endpoint_id,
            row_count: j.row_count,
            file_size_bytes: j.file_size_bytes,
            error_message: j.error_message,
            started_at: opt_timestamp(j.started_at),
            completed_at: opt_timestamp(j.completed_at),
            expires_at: opt_timestamp(j.expires_at),
        }
    }
}

fn view(export: StoredExport, now_ms: i64) -> ExportView {
    let mut record = export.record;
    if record.status == "completed" && record.expires_at.is_some_and(|at| at <= now_ms) {
        record.status = "expired".into();
    }
    ExportView { record: record.into(), direction: export.direction.as_str() }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "CreateExportRequest")]
struct CreateBody {
    start_time: String,
    end_time: String,
    status: Option<String>,
    endpoint_id: Option<String>,
    direction: Option<String>,
    inbound_endpoint_id: Option<String>,
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<CreateBody>) -> ApiResult<Reply> {
    let start_ms = parse_time("start_time", &body.start_time)?;
    let end_ms = parse_time("end_time", &body.end_time)?;
    if end_ms <= start_ms {
        return Err(ApiError::invalid("end_time must be after start_time"));
    }
    let direction = match body.direction.as_deref() {
        None | Some("") | Some("outbound") => Direction::Outbound,
        Some("inbound") => Direction::Inbound,
        Some(other) => return Err(ApiError::invalid(format!("direction must be outbound or inbound, got {other:?}"))),
    };
    let endpoint_id = match direction {
        Direction::Outbound => endpoint_id_filter("endpoint_id", body.endpoint_id)?,
        Direction::Inbound => body.inbound_endpoint_id.or(body.endpoint_id).filter(|e| !e.is_empty()),
    };
    let scope = ExportScope {
        project_id: caller.project_id,
        direction,
        start_ms,
        end_ms,
        status: status_filter("status", body.status)?,
        endpoint_id,
    };
    match state.exports.create(scope).await? {
        ExportCreate::Created(stored) => Ok(Reply::created(view(*stored, now_millis()))),
        ExportCreate::LimitReached(live) => Err(limit_reached(live, state.exports.max_live())),
    }
}

/// 429 `EXPORT_LIMIT_EXCEEDED`: the project has `live` exports pending, processing or
/// downloadable, and may have `limit`.
fn limit_reached(live: i64, limit: u32) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "EXPORT_LIMIT_EXCEEDED",
        format!(
            "this project already has {live} exports pending, processing or downloadable (the limit is {limit}); \
             wait until one finishes or its download window ends"
        ),
    )
    .with_details(serde_json::json!({ "limit": limit, "current": live }))
}

async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Reply> {
    let now = now_millis();
    let exports: Vec<ExportView> =
        state.store.list_exports(&caller.project_id).await?.into_iter().map(|e| view(e, now)).collect();
    Ok(Reply::ok(exports))
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    if state.store.delete_export(&caller.project_id, &id).await? {
        Ok(Reply::ok(hookbridge::DeleteResult { deleted: true, id: Some(id) }))
    } else {
        Err(ApiError::not_found("export", &id))
    }
}

async fn fetch(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    match state.store.get_export(&caller.project_id, &id).await? {
        Some(export) => Ok(Reply::ok(view(export, now_millis()))),
        None => Err(ApiError::not_found("export", &id)),
    }
}

fn expired(message: &str) -> ApiError {
    ApiError::new(StatusCode::GONE, "EXPORT_EXPIRED", message)
}

/// The token of a download link: HMAC-SHA256 of the export id under the export's secret,
/// bound to the link's expiry.
fn link_token(secret: &str, export_id: &str, expires: i64) -> String {
    let signed = hookbridge::signing::sign(secret, &expires.to_string(), export_id.as_bytes());
    signed.trim_start_matches("sha256=").to_owned()
}

async fn download(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Response> {
    let export = state.store.get_export(&caller.project_id, &id).await?.ok_or_else(|| ApiError::not_found("export", &id))?;
    let now = now_millis();
    match export.record.status.as_str() {
        "completed" => {}
        "expired" => return Err(expired(&format!("export {id} expired"))),
        "failed" => {
            let reason = export.record.error_message.clone().unwrap_or_default();
            return Err(ApiError::conflict("EXPORT_NOT_READY", format!("export {id} failed: {reason}")));
        }
        status => {
            return Err(ApiError::conflict(
                "EXPORT_NOT_READY",
                format!("export {id} is {status}; try again when it is completed"),
            ));
        }
    }
    let (Some(secret), Some(expires_at)) = (export.download_secret.as_deref(), export.record.expires_at) else {
        return Err(ApiError::conflict("EXPORT_NOT_READY", format!("export {id} has no file")));
    };
    if expires_at <= now {
        return Err(expired(&format!("export {id} expired")));
    }
    let expires = (now / 1000 + LINK_TTL_SECS).min(expires_at / 1000);
    let location = format!(
        "{}/v1/exports/{id}/file?token={}&expires={expires}",
        state.config.public_base_url(),
        link_token(secret, &id, expires)
    );
    let mut response = StatusCode::FOUND.into_response();
    let value = HeaderValue::from_str(&location).map_err(|_| ApiError::internal("cannot build the download link"))?;
    response.headers_mut().insert(header::LOCATION, value);
    Ok(response)
}

#[derive(Deserialize, schemars::JsonSchema)]
struct FileQuery {
    token: Option<String>,
    expires: Option<String>,
}

async fn file(
    State(state): State<AppState>,
    PathParams(id): PathParams<String>,
    QueryParams(q): QueryParams<FileQuery>,
) -> ApiResult<Response> {
    let forbidden =
        || ApiError::new(StatusCode::FORBIDDEN, "FORBIDDEN", "invalid download link (request a new one from /download)");
    let expires: i64 = q.expires.as_deref().and_then(|e| e.parse().ok()).ok_or_else(forbidden)?;
    let token = q.token.ok_or_else(forbidden)?;
    let now = now_millis();
    let expires_ms = expires.checked_mul(1000).ok_or_else(|| {
        ApiError::invalid(format!("expires must be a Unix time in seconds, got {expires} (request a new link from /download)"))
    })?;
    if expires_ms <= now {
        return Err(expired("this download link has expired; request a new one"));
    }
    let export = state.store.get_export_for_download(&id).await?.ok_or_else(|| ApiError::not_found("export", &id))?;
    let Some(secret) = export.download_secret.as_deref() else {
        if export.record.status == "expired" {
            return Err(expired(&format!("export {id} expired")));
        }
        return Err(ApiError::not_found("export file", &id));
    };
    if !bool::from(link_token(secret, &id, expires).as_bytes().ct_eq(token.as_bytes())) {
        return Err(forbidden());
    }
    if export.record.expires_at.is_some_and(|at| at <= now) {
        return Err(expired(&format!("export {id} expired")));
    }
    let bytes = state.store.export_content(&id).await?.ok_or_else(|| {
        ApiError::new(StatusCode::GONE, "EXPORT_EXPIRED", format!("the file of export {id} is no longer available"))
    })?;
    let disposition = format!("attachment; filename=\"hookbridge-export-{id}.jsonl\"");
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson".to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}
