//! Pull endpoints (store and poll): endpoints, their events, pull logs and metrics.

use super::HookBridgeClient;
use crate::error::HookBridgeError;
use crate::json::{JsonInput, json_object, json_text};
use hookbridge::models::*;
use hookbridge::{DeletePullEventsFilter, Page, PullEndpointSettings, PullEventsQuery, PullLogsQuery};

type Result<T> = std::result::Result<T, HookBridgeError>;

#[uniffi::export(async_runtime = "tokio")]
impl HookBridgeClient {
    /// Creates a pull endpoint; the ingest URL with its secret token is returned only this once.
    #[uniffi::method(default(settings = None))]
    pub async fn create_pull_endpoint(&self, settings: Option<PullEndpointSettings>) -> Result<CreatePullEndpointResponse> {
        Ok(self.inner.create_pull_endpoint(&settings.unwrap_or_default()).await?)
    }

    /// A page of pull endpoints; `has_more` is true when the server gave a next cursor.
    #[uniffi::method(default(page = None))]
    pub async fn list_pull_endpoints(&self, page: Option<Page>) -> Result<ListPullEndpointsResponse> {
        Ok(self.inner.list_pull_endpoints(&page.unwrap_or_default()).await?)
    }

    /// One pull endpoint with its event counts.
    pub async fn get_pull_endpoint(&self, endpoint_id: String) -> Result<PullEndpoint> {
        Ok(self.inner.get_pull_endpoint(&endpoint_id).await?)
    }

    /// Changes the given settings of a pull endpoint; returns the endpoint.
    pub async fn update_pull_endpoint(&self, endpoint_id: String, settings: PullEndpointSettings) -> Result<PullEndpoint> {
        Ok(self.inner.update_pull_endpoint(&endpoint_id, &settings).await?)
    }

    /// Sends exactly `fields` (a JSON object) as the update body.
    pub async fn update_pull_endpoint_fields(&self, endpoint_id: String, fields: JsonInput) -> Result<PullEndpoint> {
        let fields = json_object(fields.parse("fields")?, "fields")?;
        Ok(self.inner.update_pull_endpoint_fields(&endpoint_id, &fields).await?)
    }

    /// `update_pull_endpoint_fields` with the object as JSON text.
    pub async fn update_pull_endpoint_fields_json(&self, endpoint_id: String, fields_json: String) -> Result<PullEndpoint> {
        let fields = json_object(json_text(&fields_json, "fields")?, "fields")?;
        Ok(self.inner.update_pull_endpoint_fields(&endpoint_id, &fields).await?)
    }

    /// Deletes a pull endpoint.
    pub async fn delete_pull_endpoint(&self, endpoint_id: String) -> Result<DeleteResult> {
        Ok(self.inner.delete_pull_endpoint(&endpoint_id).await?)
    }

    /// Pauses ingest on a pull endpoint.
    pub async fn pause_pull_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.pause_pull_endpoint(&endpoint_id).await?)
    }

    /// Resumes ingest on a pull endpoint.
    pub async fn resume_pull_endpoint(&self, endpoint_id: String) -> Result<PauseState> {
        Ok(self.inner.resume_pull_endpoint(&endpoint_id).await?)
    }

    /// A page of a pull endpoint's events, newest first.
    #[uniffi::method(default(query = None))]
    pub async fn list_pull_events(&self, endpoint_id: String, query: Option<PullEventsQuery>) -> Result<ListPullEventsResponse> {
        Ok(self.inner.list_pull_events(&endpoint_id, &query.unwrap_or_default()).await?)
    }

    /// One event with its payload; unless `preview`, a `stored` event becomes `fetched`.
    #[uniffi::method(default(preview = false))]
    pub async fn get_pull_event(&self, endpoint_id: String, event_id: String, preview: bool) -> Result<PullEvent> {
        Ok(self.inner.get_pull_event(&endpoint_id, &event_id, preview).await?)
    }

    /// Acknowledges events (`→ delivered`).
    pub async fn ack_pull_events(&self, endpoint_id: String, event_ids: Vec<String>) -> Result<AckPullEventsResponse> {
        Ok(self.inner.ack_pull_events(&endpoint_id, &event_ids).await?)
    }

    /// A page of pull events across endpoints, newest first.
    #[uniffi::method(default(query = None))]
    pub async fn get_pull_logs(&self, query: Option<PullLogsQuery>) -> Result<PullLogsResponse> {
        Ok(self.inner.get_pull_logs(&query.unwrap_or_default()).await?)
    }

    /// Pull metrics over `window`, optionally for one endpoint.
    #[uniffi::method(default(window = "24h", pull_endpoint_id = None))]
    pub async fn get_pull_metrics(&self, window: String, pull_endpoint_id: Option<String>) -> Result<Metrics> {
        Ok(self.inner.get_pull_metrics(&window, pull_endpoint_id.as_deref()).await?)
    }

    /// Pull metrics bucketed over `window`.
    #[uniffi::method(default(window = "24h", pull_endpoint_id = None))]
    pub async fn get_pull_timeseries_metrics(
        &self,
        window: String,
        pull_endpoint_id: Option<String>,
    ) -> Result<PullTimeSeriesMetrics> {
        Ok(self.inner.get_pull_timeseries_metrics(&window, pull_endpoint_id.as_deref()).await?)
    }

    /// Deletes one event (payload purged, record kept).
    pub async fn delete_pull_event(&self, endpoint_id: String, event_id: String) -> Result<DeleteEventResult> {
        Ok(self.inner.delete_pull_event(&endpoint_id, &event_id).await?)
    }

    /// Deletes the given events (at most 100).
    pub async fn delete_pull_events_batch(&self, endpoint_id: String, event_ids: Vec<String>) -> Result<DeleteEventBatchResult> {
        Ok(self.inner.delete_pull_events_batch(&endpoint_id, &event_ids).await?)
    }

    /// Deletes every event matching the filters (at most 1000 per call).
    #[uniffi::method(default(filter = None))]
    pub async fn delete_pull_events_all(
        &self,
        endpoint_id: String,
        filter: Option<DeletePullEventsFilter>,
    ) -> Result<DeletePullEventsAllResult> {
        Ok(self.inner.delete_pull_events_all(&endpoint_id, &filter.unwrap_or_default()).await?)
    }
}
