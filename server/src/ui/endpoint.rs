//! One outbound endpoint: its settings, the edit form (URL, description, rate limit, burst,
//! signature scheme), and its signing keys with rotate and delete. Actions run the API's own
//! handlers, so validation, the SSRF policy and errors are the API's.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use hookbridge::signing::SignatureScheme;

use super::csrf::Action;
use super::layout::{
    Nav, action_button, csrf_field, error_page, esc, facts, notice, opt_num, page, paused_badge, query_value, time,
};
use super::session::UiSession;
use super::{Params, after_action, done_notice};
use crate::error::{ApiError, ApiResult};
use crate::http::endpoints::{UpdateBody, delete_key as api_delete_key, endpoint_not_found, update as api_update};
use crate::http::extract::{JsonBody, PathParams};
use crate::state::AppState;
use crate::store::SigningKeyWrite;

/// The page of endpoint `id`.
fn page_path(id: &str) -> String {
    format!("/ui/endpoints/{}", query_value(id))
}

/// `GET /ui/endpoints/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    session: UiSession,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let project = session.caller.project_id.clone();
    let loaded = async {
        let endpoint = state.store.get_endpoint(&project, &id).await?.ok_or_else(|| endpoint_not_found(&id))?;
        let keys = match state.store.list_signing_keys(&project, &id).await? {
            SigningKeyWrite::Done(keys) => keys,
            _ => return Err(endpoint_not_found(&id)),
        };
        Ok::<_, ApiError>((endpoint, keys))
    };
    let (e, keys) = match loaded.await {
        Ok(found) => found,
        Err(e) => return error_page(Some(&session), &e, "/ui/endpoints"),
    };
    let path = page_path(&e.id);
    let toggle = if e.paused {
        action_button(&session, &format!("{path}/resume"), "Resume", "")
    } else {
        action_button(&session, &format!("{path}/pause"), "Pause", "secondary")
    };
    let items = [
        ("State", paused_badge(e.paused).to_owned()),
        ("URL", format!("<code>{}</code>", esc(&e.url))),
        ("Description", esc(e.description.as_deref().unwrap_or("—"))),
        ("Rate limit", e.rate_limit_rps.filter(|r| *r > 0).map(|r| format!("{r} per second")).unwrap_or_else(|| "none".into())),
        ("Burst", opt_num(e.burst.filter(|b| *b > 0))),
        ("Signature scheme", e.signature_scheme.as_str().to_owned()),
        ("Created", time(e.created_at)),
        ("Updated", time(e.updated_at)),
    ];
    let facts = facts(&items);
    let schemes: String = SignatureScheme::ALL
        .iter()
        .map(|s| {
            let sel = if *s == e.signature_scheme { " selected" } else { "" };
            format!(r#"<option value="{0}"{sel}>{0}</option>"#, s.as_str())
        })
        .collect();
    let rows: String = keys
        .iter()
        .map(|k| {
            let delete = action_button(&session, &format!("{path}/keys/{}/delete", query_value(&k.id)), "Delete key", "danger");
            format!(
                r#"<tr><td data-label="Key"><code>{}</code></td><td data-label="Ends with"><code>…{}</code></td><td data-label="Created">{}</td><td class="actions">{delete}</td></tr>"#,
                esc(&k.id),
                esc(&k.key_hint),
                time(k.created_at),
            )
        })
        .collect();
    let body = format!(
        r#"{notice}<p class="mono">{id}</p><div class="actions">{toggle}<a class="button secondary" href="/ui/messages?endpoint_id={qid}">Messages</a></div>
{facts}
<section aria-labelledby="edit"><h2 id="edit">Edit</h2>
<form method="post" action="{path}" class="card">{csrf}
<label for="url">URL</label><input id="url" name="url" type="url" required value="{url}">
<label for="description">Description (empty: none)</label><input id="description" name="description" maxlength="500" value="{description}">
<label for="rate_limit_rps">Rate limit, requests per second (0: none)</label><input id="rate_limit_rps" name="rate_limit_rps" type="number" min="0" max="1000" inputmode="numeric" value="{rate}">
<label for="burst">Burst (0: the rate limit)</label><input id="burst" name="burst" type="number" min="0" max="10000" inputmode="numeric" value="{burst}">
<label for="signature_scheme">Signature scheme</label><select id="signature_scheme" name="signature_scheme">{schemes}</select>
<button type="submit">Save changes</button></form></section>
<section aria-labelledby="keys"><h2 id="keys">Signing keys</h2>
<p class="hint">Deliveries are signed with every active key (at most two), so a receiver can switch secrets without missing one. The last key cannot be deleted.</p>
<table><caption>Active signing keys</caption><thead><tr><th scope="col">Key</th><th scope="col">Ends with</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead><tbody>{rows}</tbody></table>
<div class="actions">{rotate}</div></section>
<p><a href="/ui/endpoints">All endpoints</a></p>"#,
        notice = notice(done_notice(&Params::parse(query))),
        id = esc(&e.id),
        qid = query_value(&e.id),
        path = esc(&path),
        csrf = csrf_field(&session),
        url = esc(&e.url),
        description = esc(e.description.as_deref().unwrap_or("")),
        rate = e.rate_limit_rps.unwrap_or(0),
        burst = e.burst.unwrap_or(0),
        rotate = action_button(&session, &format!("{path}/rotate"), "Add a signing key (rotate)", "secondary"),
    );
    page(StatusCode::OK, &format!("Endpoint {}", e.id), Some(&session), Nav::Endpoints, &body)
}

/// A whole-number form field: empty is 0; anything else that is not a number is refused with
/// the field's name.
fn number_field(action: &Action, name: &str) -> ApiResult<Option<i64>> {
    match action.raw_field(name) {
        None => Ok(None),
        Some("") => Ok(Some(0)),
        Some(text) => {
            text.parse().map(Some).map_err(|_| ApiError::invalid(format!("{name} must be a whole number, got {text:?}")))
        }
    }
}

/// `POST /ui/endpoints/{id}`: saves the edit form through the API's update (fields the form
/// does not send stay as they are).
pub async fn update(State(state): State<AppState>, Path(id): Path<String>, action: Action) -> Response {
    let back = page_path(&id);
    let body = number_field(&action, "rate_limit_rps").and_then(|rate| {
        Ok(UpdateBody {
            url: action.field("url").map(str::to_owned),
            description: action.raw_field("description").map(str::to_owned),
            rate_limit_rps: rate,
            burst: number_field(&action, "burst")?,
            headers: None,
            signature_scheme: action.field("signature_scheme").map(|s| serde_json::Value::String(s.to_owned())),
        })
    });
    let result = match body {
        Ok(body) => api_update(State(state), action.session.caller.clone(), PathParams(id), JsonBody(body)).await,
        Err(e) => Err(e),
    };
    after_action(&action.session, result, &format!("{back}?done=updated"), &back)
}

/// `POST /ui/endpoints/{id}/keys/{key_id}/delete`: deletes a signing key (the API refuses the last one).
pub async fn delete_key(State(state): State<AppState>, Path((id, key_id)): Path<(String, String)>, action: Action) -> Response {
    let back = page_path(&id);
    let result = api_delete_key(State(state), action.session.caller.clone(), PathParams((id, key_id))).await;
    after_action(&action.session, result, &format!("{back}?done=key_deleted"), &back)
}
