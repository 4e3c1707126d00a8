//! A blocking client over the same async code: each call runs the async operation to completion
//! on the process-wide runtime ([`crate::runtime`]). Do not call it from inside an async runtime.
//! After `fork()`, make new clients in the child: a client's connections belong to the process
//! that created it.

use tokio::runtime::Runtime;

use crate::api::{
    CreateEndpointOptions, CreateExportOptions, InboundEndpointSettings, InboundLogsQuery, LogsQuery, Page, RejectionsQuery,
    ReplayAllOptions, SendOptions, UpdateEndpointOptions,
};
use crate::config::ClientConfig;
use crate::error::Result;
use crate::models::*;

/// Blocking twin of [`crate::Client`] with the same methods.
#[derive(Clone, Debug)]
pub struct Client {
    inner: crate::Client,
    runtime: &'static Runtime,
}

impl Client {
    /// Creates a client; fails for an empty API key or a bad URL (before starting any thread).
    pub fn new(config: ClientConfig) -> Result<Self> {
        let inner = crate::Client::new(config)?;
        Ok(Client { inner, runtime: crate::runtime::shared()? })
    }

    /// The async client this one drives.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// The validated configuration.
    pub fn config(&self) -> &ClientConfig {
        self.inner.config()
    }
}

macro_rules! blocking {
    ($( $(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)*) -> $ret:ty; )*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    self.runtime.block_on(self.inner.$name($($arg),*))
                }
            )*
        }
    };
}

blocking! {
    /// See [`crate::Client::send`].
    fn send(&self, endpoint_id: &str, payload: &serde_json::Value, options: &SendOptions) -> SendWebhookResponse;
    /// See [`crate::Client::get_message`].
    fn get_message(&self, message_id: &str) -> Message;
    /// See [`crate::Client::replay`].
    fn replay(&self, message_id: &str) -> ();
    /// See [`crate::Client::cancel_retry`].
    fn cancel_retry(&self, message_id: &str) -> ();
    /// See [`crate::Client::retry_now`].
    fn retry_now(&self, message_id: &str) -> ();
    /// See [`crate::Client::replay_all_messages`].
    fn replay_all_messages(&self, options: &ReplayAllOptions) -> ReplayAllMessagesResponse;
    /// See [`crate::Client::replay_batch_messages`].
    fn replay_batch_messages(&self, message_ids: &[String]) -> ReplayBatchMessagesResponse;
    /// See [`crate::Client::get_logs`].
    fn get_logs(&self, query: &LogsQuery) -> LogsResponse;
    /// See [`crate::Client::get_metrics`].
    fn get_metrics(&self, window: &str) -> Metrics;
    /// See [`crate::Client::get_timeseries_metrics`].
    fn get_timeseries_metrics(&self, window: &str, endpoint_id: Option<&str>) -> TimeSeriesMetrics;
    /// See [`crate::Client::get_dlq_messages`].
    fn get_dlq_messages(&self, page: &Page) -> DlqMessagesResponse;
    /// See [`crate::Client::replay_from_dlq`].
    fn replay_from_dlq(&self, message_id: &str) -> ();
    /// See [`crate::Client::list_api_keys`].
    fn list_api_keys(&self) -> Vec<ApiKeyInfo>;
    /// See [`crate::Client::create_api_key`].
    fn create_api_key(&self, mode: &str, label: Option<&str>) -> CreateApiKeyResponse;
    /// See [`crate::Client::delete_api_key`].
    fn delete_api_key(&self, key_id: &str) -> ();
    /// See [`crate::Client::list_projects`].
    fn list_projects(&self) -> Vec<Project>;
    /// See [`crate::Client::create_project`].
    fn create_project(&self, name: &str, rate_limit_default: Option<i64>) -> Project;
    /// See [`crate::Client::get_project`].
    fn get_project(&self, project_id: &str) -> Project;
    /// See [`crate::Client::update_project`].
    fn update_project(&self, project_id: &str, name: Option<&str>, rate_limit_default: Option<i64>) -> Project;
    /// See [`crate::Client::delete_project`].
    fn delete_project(&self, project_id: &str) -> ();
    /// See [`crate::Client::create_endpoint`].
    fn create_endpoint(&self, url: &str, options: &CreateEndpointOptions) -> CreateEndpointResponse;
    /// See [`crate::Client::get_endpoint`].
    fn get_endpoint(&self, endpoint_id: &str) -> Endpoint;
    /// See [`crate::Client::list_endpoints`].
    fn list_endpoints(&self, page: &Page) -> ListEndpointsResponse;
    /// See [`crate::Client::update_endpoint`].
    fn update_endpoint(&self, endpoint_id: &str, changes: &UpdateEndpointOptions) -> ();
    /// See [`crate::Client::delete_endpoint`].
    fn delete_endpoint(&self, endpoint_id: &str) -> ();
    /// See [`crate::Client::pause_endpoint`].
    fn pause_endpoint(&self, endpoint_id: &str) -> PauseState;
    /// See [`crate::Client::resume_endpoint`].
    fn resume_endpoint(&self, endpoint_id: &str) -> PauseState;
    /// See [`crate::Client::create_endpoint_signing_key`].
    fn create_endpoint_signing_key(&self, endpoint_id: &str) -> RotateSecretResponse;
    /// See [`crate::Client::list_endpoint_signing_keys`].
    fn list_endpoint_signing_keys(&self, endpoint_id: &str) -> Vec<SigningKey>;
    /// See [`crate::Client::delete_endpoint_signing_key`].
    fn delete_endpoint_signing_key(&self, endpoint_id: &str, key_id: &str) -> ();
    /// See [`crate::Client::rotate_endpoint_secret`].
    fn rotate_endpoint_secret(&self, endpoint_id: &str) -> RotateSecretResponse;
    /// See [`crate::Client::get_subscription`].
    fn get_subscription(&self) -> Subscription;
    /// See [`crate::Client::create_checkout`].
    fn create_checkout(&self, plan: &str, interval: &str) -> CheckoutSession;
    /// See [`crate::Client::create_portal`].
    fn create_portal(&self, return_url: Option<&str>) -> PortalSession;
    /// See [`crate::Client::get_usage_history`].
    fn get_usage_history(&self, limit: i64, offset: i64) -> UsageHistoryResponse;
    /// See [`crate::Client::get_invoices`].
    fn get_invoices(&self, limit: i64, starting_after: Option<&str>) -> InvoicesResponse;
    /// See [`crate::Client::handle_stripe_webhook`].
    fn handle_stripe_webhook(&self, payload: &serde_json::Value) -> bool;
    /// See [`crate::Client::create_inbound_endpoint`].
    fn create_inbound_endpoint(&self, url: &str, settings: &InboundEndpointSettings) -> CreateInboundEndpointResponse;
    /// See [`crate::Client::create_inbound_endpoint_with`].
    fn create_inbound_endpoint_with(&self, url: Option<&str>, settings: &InboundEndpointSettings) -> CreateInboundEndpointResponse;
    /// See [`crate::Client::list_inbound_endpoints`].
    fn list_inbound_endpoints(&self, page: &Page) -> ListInboundEndpointsResponse;
    /// See [`crate::Client::get_inbound_endpoint`].
    fn get_inbound_endpoint(&self, endpoint_id: &str) -> InboundEndpoint;
    /// See [`crate::Client::update_inbound_endpoint`].
    fn update_inbound_endpoint(&self, endpoint_id: &str, settings: &InboundEndpointSettings) -> UpdateResult;
    /// See [`crate::Client::update_inbound_endpoint_fields`].
    fn update_inbound_endpoint_fields(&self, endpoint_id: &str, fields: &serde_json::Map<String, serde_json::Value>) -> UpdateResult;
    /// See [`crate::Client::delete_inbound_endpoint`].
    fn delete_inbound_endpoint(&self, endpoint_id: &str) -> DeleteResult;
    /// See [`crate::Client::pause_inbound_endpoint`].
    fn pause_inbound_endpoint(&self, endpoint_id: &str) -> PauseState;
    /// See [`crate::Client::resume_inbound_endpoint`].
    fn resume_inbound_endpoint(&self, endpoint_id: &str) -> PauseState;
    /// See [`crate::Client::create_inbound_signing_key`].
    fn create_inbound_signing_key(&self, endpoint_id: &str) -> RotateSecretResponse;
    /// See [`crate::Client::list_inbound_signing_keys`].
    fn list_inbound_signing_keys(&self, endpoint_id: &str) -> Vec<SigningKey>;
    /// See [`crate::Client::delete_inbound_signing_key`].
    fn delete_inbound_signing_key(&self, endpoint_id: &str, key_id: &str) -> ();
    /// See [`crate::Client::listen_inbound_endpoint`].
    fn listen_inbound_endpoint(&self, endpoint_id: &str, after: Option<&str>) -> ListenInboundEndpointResponse;
    /// See [`crate::Client::get_inbound_message`].
    fn get_inbound_message(&self, message_id: &str) -> InboundMessage;
    /// See [`crate::Client::replay_inbound_message`].
    fn replay_inbound_message(&self, message_id: &str) -> ReplayMessageResponse;
    /// See [`crate::Client::replay_all_inbound_messages`].
    fn replay_all_inbound_messages(&self, status: &str, inbound_endpoint_id: Option<&str>, limit: Option<i64>) -> ReplayAllMessagesResponse;
    /// See [`crate::Client::replay_batch_inbound_messages`].
    fn replay_batch_inbound_messages(&self, message_ids: &[String]) -> ReplayBatchMessagesResponse;
    /// See [`crate::Client::get_inbound_logs`].
    fn get_inbound_logs(&self, query: &InboundLogsQuery) -> InboundLogsResponse;
    /// See [`crate::Client::get_inbound_metrics`].
    fn get_inbound_metrics(&self, window: &str, inbound_endpoint_id: Option<&str>) -> InboundMetrics;
    /// See [`crate::Client::get_inbound_timeseries_metrics`].
    fn get_inbound_timeseries_metrics(&self, window: &str, inbound_endpoint_id: Option<&str>) -> TimeSeriesMetrics;
    /// See [`crate::Client::list_inbound_rejections`].
    fn list_inbound_rejections(&self, query: &RejectionsQuery) -> InboundRejectionsResponse;
    /// See [`crate::Client::create_export`].
    fn create_export(&self, options: &CreateExportOptions) -> ExportRecord;
    /// See [`crate::Client::list_exports`].
    fn list_exports(&self) -> Vec<ExportRecord>;
    /// See [`crate::Client::get_export`].
    fn get_export(&self, export_id: &str) -> ExportRecord;
    /// See [`crate::Client::download_export`].
    fn download_export(&self, export_id: &str) -> String;
}
