//! Refused ingest requests: the reason codes of the rejection list plus
//! `signature_replayed` and the verification presets' own codes, the status and error code answered to the sender, and the record
//! written to the rejection log within the bounds of [`super::rejection_log`].

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::ids;
use crate::state::AppState;
use crate::store::inbound::{NewRejection, StoredInbound};
use crate::telemetry::Telemetry;

use super::rejection_log::{MAX_DETAIL_CHARS, cut};

/// Why an ingest request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No inbound endpoint has this id.
    EndpointNotFound,
    /// The endpoint was deleted.
    EndpointDeleted,
    /// The secret token in the path is wrong.
    InvalidSecret,
    /// The static token is missing or wrong.
    StaticTokenFailed,
    /// The HMAC signature (or its timestamp) is missing, wrong or outside the accepted window.
    HmacFailed,
    /// The sender address is not in the allow-list.
    IpNotAllowed,
    /// The body is over the limit.
    PayloadTooLarge,
    /// The method is not POST.
    InvalidMethod,
    /// The signed request (its signature over the same timestamp) was already accepted.
    SignatureReplayed,
    /// A verification preset refused the provider's signature; the preset-specific code
    /// (`stripe_signature_mismatch`, … see [`super::presets::ReasonCodes`]).
    PresetFailed(&'static str),
}

impl Reason {
    /// The stored `reason_code`.
    pub fn code(self) -> &'static str {
        match self {
            Reason::EndpointNotFound => "endpoint_not_found",
            Reason::EndpointDeleted => "endpoint_deleted",
            Reason::InvalidSecret => "invalid_secret",
            Reason::StaticTokenFailed => "static_token_failed",
            Reason::HmacFailed => "hmac_failed",
            Reason::IpNotAllowed => "ip_not_allowed",
            Reason::PayloadTooLarge => "payload_too_large",
            Reason::InvalidMethod => "invalid_method",
            Reason::SignatureReplayed => "signature_replayed",
            Reason::PresetFailed(code) => code,
        }
    }

    /// The HTTP status answered to the sender.
    pub fn status(self) -> StatusCode {
        match self {
            Reason::EndpointNotFound => StatusCode::NOT_FOUND,
            Reason::EndpointDeleted => StatusCode::GONE,
            Reason::InvalidSecret | Reason::StaticTokenFailed | Reason::HmacFailed | Reason::PresetFailed(_) => {
                StatusCode::UNAUTHORIZED
            }
            Reason::IpNotAllowed => StatusCode::FORBIDDEN,
            Reason::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Reason::InvalidMethod => StatusCode::METHOD_NOT_ALLOWED,
            Reason::SignatureReplayed => StatusCode::CONFLICT,
        }
    }

    /// The error code of the answer's envelope.
    pub fn error_code(self) -> &'static str {
        match self {
            Reason::EndpointNotFound => "ENDPOINT_NOT_FOUND",
            Reason::EndpointDeleted => "ENDPOINT_DELETED",
            Reason::InvalidSecret => "INVALID_SECRET",
            Reason::StaticTokenFailed => "STATIC_TOKEN_FAILED",
            Reason::HmacFailed | Reason::PresetFailed(_) => "HMAC_FAILED",
            Reason::IpNotAllowed => "IP_NOT_ALLOWED",
            Reason::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Reason::InvalidMethod => "METHOD_NOT_ALLOWED",
            Reason::SignatureReplayed => "SIGNATURE_REPLAYED",
        }
    }
}

/// A refusal: the reason and a sentence naming the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The reason code.
    pub reason: Reason,
    /// What exactly was wrong (stored as `reason_detail` and sent as the error message).
    pub detail: String,
}

impl Rejection {
    /// A refusal for `reason`.
    pub fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Rejection { reason, detail: detail.into() }
    }
}

/// What is known about the refused request.
pub struct RequestFacts<'a> {
    /// The endpoint, when identified.
    pub endpoint: Option<&'a StoredInbound>,
    /// The sender address.
    pub source_ip: Option<IpAddr>,
    /// The request headers (only their names are stored, masked).
    pub headers: &'a HeaderMap,
    /// Unix milliseconds.
    pub received_at: i64,
}

/// Records the refusal when the rejection log's rate allows it (a storage failure is logged,
/// not answered), counts it, and builds the answer to the sender: the error envelope with the
/// reason code, and the rejection id when a record was written. The detail is cut to
/// [`MAX_DETAIL_CHARS`] in the record and the answer alike.
pub async fn refuse(state: &AppState, facts: RequestFacts<'_>, rejection: Rejection) -> Response {
    let detail = cut(&rejection.detail, MAX_DETAIL_CHARS);
    let log = &state.rejection_log;
    let endpoint_id = facts.endpoint.map(|e| e.id.as_str());
    let mut recorded = None;
    if log.admit(facts.source_ip, endpoint_id, &state.telemetry.inbound_rejections_unrecorded) {
        let id = ids::uuid7();
        let record = NewRejection {
            id: id.clone(),
            project_id: facts.endpoint.map(|e| e.project_id.clone()),
            inbound_endpoint_id: endpoint_id.map(str::to_owned),
            reason_code: rejection.reason.code(),
            reason_detail: detail.clone(),
            source_ip: facts.source_ip.map(|ip| ip.to_string()),
            headers_redacted: log.redacted_headers(facts.headers),
            received_at: facts.received_at,
        };
        match state.store.record_rejection(record, log.limits().max_per_endpoint as usize).await {
            Ok(()) => recorded = Some(id),
            Err(e) => tracing::error!(error = %e, reason = rejection.reason.code(), "cannot record an inbound rejection"),
        }
    }
    Telemetry::inc(&state.telemetry.inbound_rejected);
    tracing::debug!(reason = rejection.reason.code(), detail = %detail, "inbound request rejected");
    let mut details = json!({ "reason_code": rejection.reason.code() });
    if let Some(id) = recorded {
        details["rejection_id"] = json!(id);
    }
    let mut response =
        ApiError::new(rejection.reason.status(), rejection.reason.error_code(), detail).with_details(details).into_response();
    if rejection.reason == Reason::InvalidMethod {
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    response
}
