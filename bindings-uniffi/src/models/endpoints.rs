//! Outbound endpoints, their signing keys and pause state.

use std::collections::HashMap;

use super::{list, mirror, opt_headers, opt_ts, same, ts};

mirror! {
    /// An outbound endpoint (`get_endpoint`); the signing secret is never included.
    Endpoint from hookbridge::Endpoint {
        /// `ep_` + 32 hex.
        id: String => same,
        /// Destination URL.
        url: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Last change (RFC 3339).
        updated_at: String => ts,
        /// Whether delivery is paused.
        paused: bool => same,
        /// Description.
        description: Option<String> => same,
        /// Deliveries per second allowed (0 = unlimited).
        rate_limit_rps: Option<i64> => same,
        /// Burst allowance of the rate limiter.
        burst: Option<i64> => same,
        /// Headers added to every delivery.
        headers: Option<HashMap<String, String>> => opt_headers,
    }
}

mirror! {
    /// An endpoint as listed.
    EndpointSummary from hookbridge::EndpointSummary {
        /// `ep_` + 32 hex.
        id: String => same,
        /// Destination URL.
        url: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Whether delivery is paused.
        paused: bool => same,
        /// Description.
        description: Option<String> => same,
    }
}

mirror! {
    /// A newly created endpoint; `signing_secret` is shown only this once.
    CreateEndpointResponse from hookbridge::CreateEndpointResponse {
        /// `ep_` + 32 hex.
        id: String => same,
        /// Destination URL.
        url: String => same,
        /// Secret of the first signing key (`whsec_...`).
        signing_secret: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Description.
        description: Option<String> => same,
        /// Id of the first signing key (`sk_...`).
        signing_key_id: Option<String> => same,
        /// Last 4 characters of the secret.
        key_hint: Option<String> => same,
    }
}

mirror! {
    /// A page of endpoints; `has_more` is derived from `next_cursor`.
    ListEndpointsResponse from hookbridge::ListEndpointsResponse {
        /// The endpoints.
        endpoints: Vec<EndpointSummary> => list,
        /// Whether another page exists.
        has_more: bool => same,
        /// Cursor for the next page.
        next_cursor: Option<String> => same,
    }
}

mirror! {
    /// A new signing key (`create_endpoint_signing_key` / `rotate_endpoint_secret`).
    RotateSecretResponse from hookbridge::RotateSecretResponse {
        /// `sk_` + 32 hex.
        id: String => same,
        /// The new secret, shown only this once.
        signing_secret: String => same,
        /// Last 4 characters of the secret.
        key_hint: Option<String> => same,
        /// Creation time (RFC 3339).
        created_at: Option<String> => opt_ts,
    }
}

mirror! {
    /// A signing key as listed (no secret).
    SigningKey from hookbridge::SigningKey {
        /// `sk_` + 32 hex.
        id: String => same,
        /// Last 4 characters of the secret.
        key_hint: String => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
    }
}

mirror! {
    /// Pause state after pausing or resuming an endpoint.
    PauseState from hookbridge::PauseState {
        /// The endpoint.
        id: String => same,
        /// Whether it is paused now.
        paused: bool => same,
        /// On resume: messages re-scheduled for delivery.
        messages_requeued: Option<i64> => same,
    }
}
