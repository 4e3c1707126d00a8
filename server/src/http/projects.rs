//! Projects of the caller's tenant (self-hosted: usable with an API key). A project key sees
//! only its own project and changes none; an admin key lists, creates, updates and deletes
//! every project of its tenant.

use crate::http::openapi::op;
use axum::extract::State;
use axum::routing::{delete, get, post, put};
use serde::Deserialize;

use super::auth::Caller;
use super::extract::{JsonBody, PathParams};
use super::{ApiError, ApiResult, AppState, Reply, Route};
use crate::clock::timestamp;
use crate::store::ProjectRecord;
use crate::store::tenancy::DEFAULT_PROJECT_RATE_LIMIT;

/// Longest project name.
const MAX_NAME: usize = 255;

impl From<ProjectRecord> for hookbridge::Project {
    fn from(p: ProjectRecord) -> Self {
        hookbridge::Project {
            id: p.id,
            tenant_id: p.tenant_id,
            name: p.name,
            status: p.status,
            rate_limit_default: p.rate_limit_default,
            created_at: timestamp(p.created_at),
        }
    }
}

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: "/v1/projects",
            summary: "List projects",
            authenticated: true,
            handler: get(list),
            doc: op("list_projects").data::<Vec<hookbridge::Project>>(),
        },
        Route {
            method: "POST",
            path: "/v1/projects",
            summary: "Create a project",
            authenticated: true,
            handler: post(create),
            doc: op("create_project").created().body::<ProjectBody>().data::<hookbridge::Project>(),
        },
        Route {
            method: "GET",
            path: "/v1/projects/{project_id}",
            summary: "Get a project",
            authenticated: true,
            handler: get(fetch),
            doc: op("get_project").data::<hookbridge::Project>(),
        },
        Route {
            method: "PUT",
            path: "/v1/projects/{project_id}",
            summary: "Update a project (partial)",
            authenticated: true,
            handler: put(update),
            doc: op("update_project").optional_body::<ProjectBody>().data::<hookbridge::Project>(),
        },
        Route {
            method: "DELETE",
            path: "/v1/projects/{project_id}",
            summary: "Delete a project and revoke its keys",
            authenticated: true,
            handler: delete(remove),
            doc: op("delete_project").data::<hookbridge::DeleteResult>(),
        },
    ]
}

fn check_name(name: &str) -> ApiResult<()> {
    let len = name.trim().chars().count();
    if len == 0 || name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!("name must be 1 to {MAX_NAME} characters")));
    }
    Ok(())
}

/// `None` or 0 means the system default; negative values are refused.
fn rate_limit(value: Option<i64>) -> ApiResult<Option<i64>> {
    match value {
        None => Ok(None),
        Some(0) => Ok(Some(DEFAULT_PROJECT_RATE_LIMIT)),
        Some(v) if v > 0 => Ok(Some(v)),
        Some(v) => Err(ApiError::invalid(format!("rate_limit_default must be 0 or more, got {v}"))),
    }
}

async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Reply> {
    let mut projects = state.store.list_projects(&caller.tenant_id).await?;
    if !caller.is_admin() {
        projects.retain(|p| p.id == caller.project_id);
    }
    Ok(Reply::ok(projects.into_iter().map(hookbridge::Project::from).collect::<Vec<_>>()))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[schemars(rename = "ProjectRequest")]
struct ProjectBody {
    name: Option<String>,
    rate_limit_default: Option<i64>,
}

async fn create(State(state): State<AppState>, caller: Caller, JsonBody(body): JsonBody<ProjectBody>) -> ApiResult<Reply> {
    caller.require_admin("creating a project")?;
    let Some(name) = body.name else {
        return Err(ApiError::invalid("name is required"));
    };
    check_name(&name)?;
    let rate = rate_limit(body.rate_limit_default)?.unwrap_or(DEFAULT_PROJECT_RATE_LIMIT);
    Ok(Reply::created(hookbridge::Project::from(state.store.create_project(&caller.tenant_id, name, rate).await?)))
}

async fn fetch(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    // Another project is as invisible to a project key as any other resource of it.
    if !caller.is_admin() && id != caller.project_id {
        return Err(ApiError::not_found("project", &id));
    }
    match state.store.get_project(&caller.tenant_id, &id).await? {
        Some(project) => Ok(Reply::ok(hookbridge::Project::from(project))),
        None => Err(ApiError::not_found("project", &id)),
    }
}

async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(id): PathParams<String>,
    JsonBody(body): JsonBody<ProjectBody>,
) -> ApiResult<Reply> {
    caller.require_admin("changing a project")?;
    if let Some(name) = &body.name {
        check_name(name)?;
    }
    let rate = rate_limit(body.rate_limit_default)?;
    match state.store.update_project(&caller.tenant_id, &id, body.name, rate).await? {
        Some(project) => {
            // Cached callers carry the old rate limit.
            state.auth_cache.forget_project(&id);
            Ok(Reply::ok(hookbridge::Project::from(project)))
        }
        None => Err(ApiError::not_found("project", &id)),
    }
}

async fn remove(State(state): State<AppState>, caller: Caller, PathParams(id): PathParams<String>) -> ApiResult<Reply> {
    caller.require_admin("deleting a project")?;
    match state.store.delete_project(&caller.tenant_id, &id).await? {
        Some(revoked) => {
            for key_id in revoked {
                state.auth_cache.forget_key(&key_id);
            }
            Ok(Reply::ok(hookbridge::DeleteResult { deleted: true, id: Some(id) }))
        }
        None => Err(ApiError::not_found("project", &id)),
    }
}
