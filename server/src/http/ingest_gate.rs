//! The front half of every ingest route (inbound and pull endpoints alike): read the request,
//! find the endpoint, and run the checks of [`crate::ingest`] in their order. Every refusal is
//! answered and recorded through [`crate::ingest::rejection::refuse`]; a paused endpoint answers
//! 503 `ENDPOINT_PAUSED` with `Retry-After` (not recorded). What passes is handed back as
//! [`Admitted`] for the route to store.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::clock::now_millis;
use crate::delivery::pacing::Admission;
use crate::http::backpressure::Unstored;
use crate::http::{ApiError, AppState};
use crate::ids;
use crate::ingest::endpoint_checks;
use crate::ingest::rejection::{Reason, Rejection, RequestFacts, refuse};
use crate::ingest::replay;
use crate::ingest::request::{self, BodyError, MAX_INGEST_BYTES};
use crate::store::inbound::{ReplayGuard, StoredInbound};
use crate::store::{Direction, StoreError};

/// Seconds a sender is asked to wait before retrying a paused endpoint.
const PAUSED_RETRY_AFTER: u64 = 60;

/// What kind of endpoint a route ingests for.
pub struct IngestKind {
    /// How messages name it ("inbound endpoint", "pull endpoint").
    pub noun: &'static str,
    /// The queue whose high-water mark refuses new requests ([`crate::http::backpressure`]);
    /// `None` when accepted requests queue no delivery.
    pub backpressure: Option<Direction>,
}

/// A request that passed every check, ready to store.
pub struct Admitted<X> {
    /// The endpoint (as ingest sees it).
    pub endpoint: StoredInbound,
    /// What else the lookup found about the endpoint.
    pub extra: X,
    /// The request headers.
    pub headers: HeaderMap,
    /// The body as sent.
    pub body: Bytes,
    /// What to remember against a replay of the signature.
    pub replay_guard: Option<ReplayGuard>,
    /// Arrival (Unix ms).
    pub received_at: i64,
    /// The sender address.
    pub source_ip: Option<IpAddr>,
    /// The place under the queue high-water mark, held until the request is stored and dropped with it.
    _unstored: Option<Unstored>,
    /// The place at the intake pacing gate, held until the request is stored and dropped with it.
    _pacing: Option<Admission>,
}

impl<X> Admitted<X> {
    /// The status answered on success: the endpoint's `ingest_response_code` (202 when not a 2xx).
    pub fn success_status(&self) -> StatusCode {
        StatusCode::from_u16(u16::try_from(self.endpoint.settings.ingest_response_code).unwrap_or(0))
            .ok()
            .filter(StatusCode::is_success)
            .unwrap_or(StatusCode::ACCEPTED)
    }

    /// The answer (and rejection record) when the store found the signature already accepted.
    pub async fn refuse_replayed(&self, state: &AppState) -> Response {
        let header = crate::ingest::signature_header(&self.endpoint.settings).unwrap_or("the signature header");
        let facts = RequestFacts {
            endpoint: Some(&self.endpoint),
            source_ip: self.source_ip,
            headers: &self.headers,
            received_at: self.received_at,
        };
        refuse(state, facts, replay::refusal(header)).await
    }
}

/// 503 `ENDPOINT_PAUSED` with `Retry-After` (not a recorded rejection).
pub fn paused_answer(kind: &IngestKind, endpoint_id: &str) -> Response {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ENDPOINT_PAUSED",
        format!("{} {endpoint_id} is paused and not accepting webhooks; retry later", kind.noun),
    )
    .with_retry_after(PAUSED_RETRY_AFTER)
    .into_response()
}

/// Reads the request on an ingest path `/{endpoint_id}/{secret_token}`, finds the endpoint with
/// `lookup` (any project, deleted included; with whatever else the route needs about it) and runs the checks in order: the endpoint exists
/// and is live, the token matches, the method is POST, the endpoint is not paused, the queue has
/// room, the body is within 1 MB, then the endpoint's own checks. Any refusal is the `Err` answer.
pub async fn admit<X, F, Fut>(state: &AppState, request: Request, kind: &IngestKind, lookup: F) -> Result<Admitted<X>, Response>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Option<(StoredInbound, X)>, StoreError>>,
{
    let received_at = now_millis();
    let (mut parts, body) = request.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let source_ip = request::client_address(peer, &parts.headers, state.config.trust_forwarded_for);
    let (endpoint_id, token) = match Path::<(String, String)>::from_request_parts(&mut parts, state).await {
        Ok(Path(p)) => p,
        Err(e) => return Err(ApiError::invalid(format!("invalid ingest path: {}", e.body_text())).into_response()),
    };
    let headers = parts.headers;
    let facts = |endpoint| RequestFacts { endpoint, source_ip, headers: &headers, received_at };

    let target = if uuid::Uuid::parse_str(&endpoint_id).is_ok() {
        lookup(endpoint_id.clone()).await.map_err(|e| ApiError::from(e).into_response())?
    } else {
        None
    };
    let Some((endpoint, extra)) = target else {
        let rejection = Rejection::new(Reason::EndpointNotFound, format!("no {} has id {endpoint_id:?}", kind.noun));
        return Err(refuse(state, facts(None), rejection).await);
    };
    let refusal = if endpoint.deleted {
        Some(Rejection::new(Reason::EndpointDeleted, format!("{} {endpoint_id} was deleted", kind.noun)))
    } else if !bool::from(ids::sha256_hex(token.as_bytes()).as_bytes().ct_eq(endpoint.secret_token_hash.as_bytes())) {
        Some(Rejection::new(Reason::InvalidSecret, "the secret token in the ingest URL is not valid for this endpoint"))
    } else if parts.method != Method::POST {
        Some(Rejection::new(Reason::InvalidMethod, format!("method {} is not allowed; send webhooks with POST", parts.method)))
    } else {
        None
    };
    if let Some(rejection) = refusal {
        return Err(refuse(state, facts(Some(&endpoint)), rejection).await);
    }
    if endpoint.paused {
        return Err(paused_answer(kind, &endpoint_id));
    }
    // A place under the queue high-water mark, held until the request is stored.
    let unstored = match kind.backpressure {
        Some(direction) => Some(
            state.backpressure.admit_below_mark(&endpoint.project_id, direction).await.map_err(IntoResponse::into_response)?,
        ),
        None => None,
    };
    let body = match request::read_body(&headers, body, MAX_INGEST_BYTES).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            let rejection =
                Rejection::new(Reason::PayloadTooLarge, format!("the body is over the limit of {MAX_INGEST_BYTES} bytes (1 MB)"));
            return Err(refuse(state, facts(Some(&endpoint)), rejection).await);
        }
        Err(BodyError::Broken(e)) => {
            return Err(ApiError::invalid(format!("cannot read the request body: {e}")).into_response());
        }
    };
    let uri: &Uri = &parts.uri;
    let replay_guard = match endpoint_checks(&endpoint, &headers, uri, &body, received_at, source_ip) {
        Ok(guard) => guard,
        Err(rejection) => return Err(refuse(state, facts(Some(&endpoint)), rejection).await),
    };
    // A place at the pacing gate, taken once every check passed and held until the request is stored.
    let pacing = match kind.backpressure {
        Some(direction) => Some(state.backpressure.pace(direction).await.map_err(IntoResponse::into_response)?),
        None => None,
    };
    Ok(Admitted { endpoint, extra, headers, body, replay_guard, received_at, source_ip, _unstored: unstored, _pacing: pacing })
}
