//! `GET /v1/actors/lookup?user_id=a,b&api_key_id=c,d`: API key ids of the caller's project
//! resolve to their labels; ids of other projects' keys and unknown ids are left out. User ids
//! resolve to nothing: a self-hosted server has no user accounts.

use crate::http::openapi::op;
use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use hookbridge::ActorLookupResult;
use serde::Deserialize;

use super::auth::Caller;
use super::extract::QueryParams;
use super::{ApiError, ApiResult, AppState, Reply, Route};

/// Most ids per parameter.
pub const MAX_IDS: usize = 100;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    vec![Route {
        method: "GET",
        path: "/v1/actors/lookup",
        summary: "Resolve API key ids to their labels (user_id and api_key_id: comma-separated, at most 100 each)",
        authenticated: true,
        handler: get(lookup),
        doc: op("lookup_actors").query::<LookupQuery>().data::<hookbridge::ActorLookupResult>(),
    }]
}

#[derive(Deserialize, schemars::JsonSchema)]
struct LookupQuery {
    user_id: Option<String>,
    api_key_id: Option<String>,
}

/// The ids of a comma-separated parameter (blank items skipped, duplicates once).
fn ids(field: &str, value: Option<&str>) -> Result<Vec<String>, ApiError> {
    let mut out: Vec<String> = Vec::new();
    for id in value.unwrap_or_default().split(',').map(str::trim).filter(|id| !id.is_empty()) {
        if id.len() > 100 {
            return Err(ApiError::invalid(format!("{field} holds an id longer than 100 characters")));
        }
        if !out.iter().any(|known| known == id) {
            out.push(id.to_owned());
        }
    }
    if out.len() > MAX_IDS {
        return Err(ApiError::invalid(format!("{field} may name at most {MAX_IDS} ids, got {}", out.len())));
    }
    Ok(out)
}

async fn lookup(State(state): State<AppState>, caller: Caller, QueryParams(q): QueryParams<LookupQuery>) -> ApiResult<Reply> {
    // Validated for size and shape, then resolved to nothing.
    ids("user_id", q.user_id.as_deref())?;
    let key_ids = ids("api_key_id", q.api_key_id.as_deref())?;
    let labels = if key_ids.is_empty() { Vec::new() } else { state.store.api_key_labels(&caller.project_id, key_ids).await? };
    let api_keys = labels.into_iter().map(|(id, label)| (id, HashMap::from([("label".to_owned(), label)]))).collect();
    Ok(Reply::ok(ActorLookupResult { users: Some(HashMap::new()), api_keys: Some(api_keys) }))
}
