//! Outbound endpoints, pause/resume and signing keys.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::{Page, is_truthy_map, seg};
use crate::client::{Client, DataMeta, NextCursorMeta};
use crate::error::Result;
use crate::models::{
    CreateEndpointResponse, Endpoint, EndpointSummary, HeaderMap, ListEndpointsResponse, PauseState, RotateSecretResponse,
    SigningKey,
};
use crate::query::Query;
use crate::signing::SignatureScheme;
use crate::transport::Call;

/// Optional settings of a new endpoint; like the Python SDK, only truthy values are sent
/// (an empty description, 0 and an empty map are left out).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateEndpointOptions {
    /// Description (at most 500 characters).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// Deliveries per second (0 = unlimited).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub rate_limit_rps: i64,
    /// Burst allowance (defaults to `rate_limit_rps` on the server).
    #[cfg_attr(feature = "uniffi", uniffi(default = 0))]
    pub burst: i64,
    /// Headers added to every delivery.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub headers: Option<HeaderMap>,
    /// How deliveries are signed (not sent when `None`: the server's default, `hookbridge`).
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub signature_scheme: Option<SignatureScheme>,
}

/// Fields to change on an endpoint; every `Some` is sent, including `""`, 0 and an empty map
/// (0 clears the rate limit, an empty map clears the headers).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UpdateEndpointOptions {
    /// New URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub url: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub description: Option<String>,
    /// New rate limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub rate_limit_rps: Option<i64>,
    /// New burst.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub burst: Option<i64>,
    /// New headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub headers: Option<HeaderMap>,
    /// New signature scheme; the endpoint's signing keys stay (see the signature-schemes docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub signature_scheme: Option<SignatureScheme>,
}

#[derive(Serialize)]
struct CreateBody<'a> {
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rate_limit_rps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    burst: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<&'a HeaderMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature_scheme: Option<SignatureScheme>,
}

impl Client {
    /// Creates an endpoint and its first signing key; the secret is returned only this once.
    pub async fn create_endpoint(&self, url: &str, options: &CreateEndpointOptions) -> Result<CreateEndpointResponse> {
        let body = CreateBody {
            url,
            description: options.description.as_deref().filter(|d| !d.is_empty()),
            rate_limit_rps: Some(options.rate_limit_rps).filter(|v| *v != 0),
            burst: Some(options.burst).filter(|v| *v != 0),
            headers: if is_truthy_map(&options.headers) { options.headers.as_ref() } else { None },
            signature_scheme: options.signature_scheme,
        };
        self.data(Call::new(Method::POST, "/v1/endpoints").json(&body)?).await
    }

    /// One endpoint (without its secret).
    pub async fn get_endpoint(&self, endpoint_id: &str) -> Result<Endpoint> {
        self.data(Call::new(Method::GET, format!("/v1/endpoints/{}", seg(endpoint_id)))).await
    }

    /// A page of endpoints; `has_more` is true when the server gave a next cursor.
    pub async fn list_endpoints(&self, page: &Page) -> Result<ListEndpointsResponse> {
        let mut q = Query::new();
        q.opt("limit", page.limit).opt("cursor", page.cursor.as_ref());
        let list: DataMeta<Vec<EndpointSummary>, Option<NextCursorMeta>> =
            self.decode(Call::new(Method::GET, "/v1/endpoints").query(q)).await?;
        let next_cursor = list.meta.unwrap_or_default().next_cursor;
        Ok(ListEndpointsResponse {
            endpoints: list.data,
            has_more: next_cursor.as_deref().is_some_and(|c| !c.is_empty()),
            next_cursor,
        })
    }

    /// Changes the given fields of an endpoint.
    pub async fn update_endpoint(&self, endpoint_id: &str, changes: &UpdateEndpointOptions) -> Result<()> {
        self.ignore(Call::new(Method::PATCH, format!("/v1/endpoints/{}", seg(endpoint_id))).json(changes)?).await
    }

    /// Deletes an endpoint; its undelivered messages fail permanently.
    pub async fn delete_endpoint(&self, endpoint_id: &str) -> Result<()> {
        self.ignore(Call::new(Method::DELETE, format!("/v1/endpoints/{}", seg(endpoint_id)))).await
    }

    /// Pauses delivery to an endpoint; sends are still accepted and stored.
    /// `messages_requeued` is whatever the server reports (`None` when it reports nothing).
    pub async fn pause_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("/v1/endpoints/{}/pause", seg(endpoint_id)))).await
    }

    /// Resumes delivery; `messages_requeued` counts the held messages re-scheduled.
    pub async fn resume_endpoint(&self, endpoint_id: &str) -> Result<PauseState> {
        self.data(Call::new(Method::POST, format!("/v1/endpoints/{}/resume", seg(endpoint_id)))).await
    }

    /// Adds a signing key (at most 2 active); deliveries are then signed with both.
    pub async fn create_endpoint_signing_key(&self, endpoint_id: &str) -> Result<RotateSecretResponse> {
        self.data(Call::new(Method::POST, format!("/v1/endpoints/{}/signing-keys", seg(endpoint_id)))).await
    }

    /// The endpoint's signing keys (hints only, no secrets).
    pub async fn list_endpoint_signing_keys(&self, endpoint_id: &str) -> Result<Vec<SigningKey>> {
        self.data(Call::new(Method::GET, format!("/v1/endpoints/{}/signing-keys", seg(endpoint_id)))).await
    }

    /// Deletes a signing key (the last one cannot be deleted).
    pub async fn delete_endpoint_signing_key(&self, endpoint_id: &str, key_id: &str) -> Result<()> {
        let path = format!("/v1/endpoints/{}/signing-keys/{}", seg(endpoint_id), seg(key_id));
        self.ignore(Call::new(Method::DELETE, path)).await
    }

    /// Same as [`Client::create_endpoint_signing_key`]: the old key keeps signing until deleted.
    pub async fn rotate_endpoint_secret(&self, endpoint_id: &str) -> Result<RotateSecretResponse> {
        self.create_endpoint_signing_key(endpoint_id).await
    }
}
