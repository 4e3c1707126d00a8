//! The endpoints page: list (cursor pages), create, pause and resume, rotate the signing secret.
//! Actions run the API's own handlers, so validation and errors are the API's.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::csrf::Action;
use super::layout::{Nav, action_button, csrf_field, error_page, esc, notice, page, paused_badge, query_value, time};
use super::session::UiSession;
use super::{Params, after_action, done_notice};
use crate::http::endpoints::{CreateBody, create as api_create, create_key, pause as api_pause, resume as api_resume};
use crate::http::extract::{JsonBody, PathParams, cursor};
use crate::state::AppState;

/// Endpoints per page.
const PAGE_SIZE: usize = 50;

/// `GET /ui/endpoints`.
pub async fn list(State(state): State<AppState>, session: UiSession, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query);
    let listed = match cursor(params.get("cursor")) {
        Ok(after) => state.store.list_endpoints(&session.caller.project_id, PAGE_SIZE, after).await.map_err(Into::into),
        Err(e) => Err(e),
    };
    let listed = match listed {
        Ok(page) => page,
        Err(e) => return error_page(Some(&session), &e, "/ui/endpoints"),
    };
    let rows: String = listed
        .items
        .iter()
        .map(|e| {
            let toggle = if e.paused {
                action_button(&session, &format!("/ui/endpoints/{}/resume", e.id), "Resume", "")
            } else {
                action_button(&session, &format!("/ui/endpoints/{}/pause", e.id), "Pause", "secondary")
            };
            let rotate = action_button(&session, &format!("/ui/endpoints/{}/rotate", e.id), "Rotate secret", "secondary");
            format!(
                r#"<tr><td data-label="Endpoint"><a href="/ui/endpoints/{}"><code>{}</code></a><br>{}</td><td data-label="Description">{}</td><td data-label="State">{}</td><td data-label="Created">{}</td><td data-label="Messages"><a href="/ui/messages?endpoint_id={}">Messages</a></td><td class="actions">{toggle}{rotate}</td></tr>"#,
                query_value(&e.id),
                esc(&e.id),
                esc(&e.url),
                esc(e.description.as_deref().unwrap_or("")),
                paused_badge(e.paused),
                time(e.created_at),
                query_value(&e.id),
            )
        })
        .collect();
    let table = if rows.is_empty() {
        "<p>No endpoints yet.</p>".to_owned()
    } else {
        format!(
            r#"<table><caption>Outbound endpoints</caption><thead><tr><th scope="col">Endpoint</th><th scope="col">Description</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Messages</th><th scope="col">Actions</th></tr></thead><tbody>{rows}</tbody></table>"#
        )
    };
    let more = listed
        .next
        .map(|c| format!(r#"<p><a href="/ui/endpoints?cursor={}">Next page</a></p>"#, query_value(&c.encode())))
        .unwrap_or_default();
    let body = format!(
        r#"{}<section aria-labelledby="new-endpoint"><h2 id="new-endpoint">New endpoint</h2>
<form method="post" action="/ui/endpoints" class="card">{}
<label for="url">URL</label><input id="url" name="url" type="url" required placeholder="https://example.com/webhooks">
<label for="description">Description (optional)</label><input id="description" name="description" maxlength="500">
<button type="submit">Create endpoint</button></form></section>
<section aria-label="Endpoints">{table}{more}</section>"#,
        notice(done_notice(&params)),
        csrf_field(&session),
    );
    page(StatusCode::OK, "Endpoints", Some(&session), Nav::Endpoints, &body)
}

/// The new signing secret, shown once after create or rotate.
fn secret_page(session: &UiSession, title: &str, data: &serde_json::value::RawValue, endpoint_id: &str) -> Response {
    let data: serde_json::Value = serde_json::from_str(data.get()).unwrap_or_default();
    let secret = data.get("signing_secret").and_then(|s| s.as_str()).unwrap_or("");
    let body = format!(
        r#"<p class="notice" role="status">Endpoint <code>{}</code>: copy the signing secret now; it is not shown again.</p>
<label for="secret">Signing secret</label><input id="secret" readonly value="{}">
<p><a href="/ui/endpoints">Back to endpoints</a></p>"#,
        esc(endpoint_id),
        esc(secret)
    );
    page(StatusCode::OK, title, Some(session), Nav::Endpoints, &body)
}

/// `POST /ui/endpoints`: creates an endpoint and shows its signing secret once.
pub async fn create(State(state): State<AppState>, action: Action) -> Response {
    let body = CreateBody {
        url: action.field("url").unwrap_or("").to_owned(),
        description: action.field("description").map(str::to_owned),
        ..CreateBody::default()
    };
    match api_create(State(state), action.session.caller.clone(), JsonBody(body)).await {
        Ok(reply) => {
            let data: serde_json::Value = serde_json::from_str(reply.data().get()).unwrap_or_default();
            let id = data.get("id").and_then(|s| s.as_str()).unwrap_or("");
            secret_page(&action.session, "Endpoint created", reply.data(), id)
        }
        Err(e) => error_page(Some(&action.session), &e, "/ui/endpoints"),
    }
}

/// `POST /ui/endpoints/{id}/pause`.
pub async fn pause(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let result = api_pause(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, "/ui/endpoints?done=paused", "/ui/endpoints")
}

/// `POST /ui/endpoints/{id}/resume`.
pub async fn resume(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let result = api_resume(State(state), action.session.caller.clone(), PathParams(id)).await;
    after_action(&action.session, result, "/ui/endpoints?done=resumed", "/ui/endpoints")
}

/// `POST /ui/endpoints/{id}/rotate`: adds a signing key (the API's rotate-secret) and shows its
/// secret once; the endpoint signs with both keys until the old one is deleted.
pub async fn rotate(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    match create_key(State(state), action.session.caller.clone(), PathParams(id.clone())).await {
        Ok(reply) => secret_page(&action.session, "Secret rotated", reply.data(), &id),
        Err(e) => error_page(Some(&action.session), &e, "/ui/endpoints"),
    }
}
