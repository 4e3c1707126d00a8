//! Pull endpoints (store and poll): the endpoint configuration, the events senders post to its
//! ingest URL, and what receivers do with them (read, acknowledge, delete). A pull endpoint
//! never delivers anything itself; its events wait in `pull_events` until a receiver fetches them
//! or retention purges them. Verification settings are those of inbound endpoints
//! ([`InboundSettings`]), checked by the same ingest code.

use super::inbound::{InboundProfile, InboundSettings, IngestOutcome, ReplayGuard, StoredInbound};
use super::{ListCursor, ListPage, StoreError};
use crate::domain::pull::{EventTypeSource, PullEventStatus};

/// The pull-specific settings of an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PullProfile {
    /// Friendly name (`""` when none was given).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Days an event is kept after it was received.
    pub retention_days: i64,
    /// Where the event type is read, if anywhere.
    pub event_type_source: Option<EventTypeSource>,
    /// Dotted body path or header name of the event type.
    pub event_type_path: Option<String>,
}

/// A new pull endpoint.
#[derive(Clone, Debug)]
pub struct NewPullEndpoint {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Name, retention and event type settings.
    pub profile: PullProfile,
    /// Hex SHA-256 of the ingest URL's secret token.
    pub secret_token_hash: String,
    /// Verification settings (forwarding fields unused).
    pub settings: InboundSettings,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// A stored pull endpoint, its HMAC secret opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullEndpointRecord {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// Name, retention and event type settings.
    pub profile: PullProfile,
    /// Hex SHA-256 of the secret token.
    pub secret_token_hash: String,
    /// Verification settings.
    pub settings: InboundSettings,
    /// Whether ingest is paused.
    pub paused: bool,
    /// Whether the endpoint was deleted.
    pub deleted: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Last change (Unix ms).
    pub updated_at: i64,
}

impl PullEndpointRecord {
    /// The endpoint as the shared ingest checks see it (no forwarding URL, no signing).
    pub fn ingest_target(&self) -> StoredInbound {
        StoredInbound {
            id: self.id.clone(),
            project_id: self.project_id.clone(),
            profile: InboundProfile {
                name: self.profile.name.clone(),
                description: self.profile.description.clone(),
                url: String::new(),
                // Never forwarded, as a listener-mode inbound endpoint.
                mode: crate::domain::inbound::InboundMode::Cli,
            },
            secret_token_hash: self.secret_token_hash.clone(),
            settings: InboundSettings { signing_enabled: false, ..self.settings.clone() },
            paused: self.paused,
            deleted: self.deleted,
        }
    }
}

/// How many events are in each status (deleted events not counted), plus figures of a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PullCounts {
    /// In `stored`.
    pub stored: i64,
    /// In `fetched`.
    pub fetched: i64,
    /// In `delivered`.
    pub delivered: i64,
    /// Mean time from receipt to acknowledgement of the delivered ones (ms, rounded).
    pub avg_lifecycle_ms: i64,
}

impl PullCounts {
    /// All three statuses together.
    pub fn total(&self) -> i64 {
        self.stored.saturating_add(self.fetched).saturating_add(self.delivered)
    }
}

/// An accepted ingest request to store as an event.
#[derive(Clone, Debug)]
pub struct NewPullEvent {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// The endpoint that received it.
    pub pull_endpoint_id: String,
    /// Event type read from the body or a header.
    pub event_type: Option<String>,
    /// Content type of the body.
    pub content_type: String,
    /// JSON object of the request's kept headers.
    pub headers_json: Option<String>,
    /// The body as sent.
    pub payload: Vec<u8>,
    /// Hex SHA-256 of the body.
    pub payload_sha256: String,
    /// The sender's dedupe key.
    pub idempotency_key: Option<String>,
    /// When the request arrived (Unix ms).
    pub received_at: i64,
    /// From arrival to the store call (ms).
    pub ingest_ms: i64,
}

/// A stored event without its body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullEventRecord {
    /// UUIDv7.
    pub id: String,
    /// The endpoint that received it.
    pub pull_endpoint_id: String,
    /// The endpoint's name.
    pub endpoint_name: String,
    /// Event type.
    pub event_type: Option<String>,
    /// Where it stands.
    pub status: PullEventStatus,
    /// Content type of the body.
    pub content_type: String,
    /// JSON object of the request's kept headers.
    pub headers_json: Option<String>,
    /// Body size.
    pub size_bytes: i64,
    /// Unix ms.
    pub received_at: i64,
    /// From arrival to storage (ms).
    pub ingest_ms: Option<i64>,
    /// First non-preview read (Unix ms).
    pub fetched_at: Option<i64>,
    /// Acknowledgement (Unix ms).
    pub delivered_at: Option<i64>,
    /// Deletion (Unix ms); the body is gone from then on.
    pub deleted_at: Option<i64>,
    /// The API key that deleted it.
    pub deleted_by_api_key_id: Option<String>,
}

/// An event read with its body (`None` once deleted).
pub type PullEventRead = (PullEventRecord, Option<Vec<u8>>);

/// Filters of the event list and the pull logs.
#[derive(Clone, Debug)]
pub struct PullEventFilter {
    /// The caller's project.
    pub project_id: String,
    /// Only this endpoint.
    pub pull_endpoint_id: Option<String>,
    /// Only this status.
    pub status: Option<PullEventStatus>,
    /// Only this event type.
    pub event_type: Option<String>,
    /// Received at or after (Unix ms).
    pub start_ms: Option<i64>,
    /// Received at or before (Unix ms).
    pub end_ms: Option<i64>,
    /// Leave deleted events out.
    pub live_only: bool,
    /// Page size.
    pub limit: usize,
    /// Continue after this position.
    pub after: Option<ListCursor>,
}

/// What deleting one event did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PullDeletion {
    /// Deleted now (Unix ms).
    Deleted(i64),
    /// Deleted before, at this time (Unix ms).
    AlreadyDeleted(i64),
    /// No such event on the endpoint.
    NotFound,
}

/// Storage of pull endpoints and their events.
#[async_trait::async_trait]
pub trait PullStore: Send + Sync {
    /// Creates a pull endpoint.
    async fn create_pull_endpoint(&self, endpoint: NewPullEndpoint) -> Result<(), StoreError>;

    /// One live pull endpoint of the project.
    async fn get_pull_endpoint(&self, project_id: &str, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError>;

    /// A page of the project's live pull endpoints, newest first.
    async fn list_pull_endpoints(
        &self,
        project_id: &str,
        limit: usize,
        after: Option<ListCursor>,
    ) -> Result<ListPage<PullEndpointRecord>, StoreError>;

    /// Replaces the profile and settings of a live endpoint; false when there is none.
    async fn update_pull_endpoint(
        &self,
        project_id: &str,
        endpoint_id: &str,
        profile: PullProfile,
        settings: InboundSettings,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Soft-deletes an endpoint (its ingest URL stops working); false when there is no such
    /// live endpoint.
    async fn delete_pull_endpoint(&self, project_id: &str, endpoint_id: &str, now_ms: i64) -> Result<bool, StoreError>;

    /// Pauses or resumes ingest; false when there is no such live endpoint.
    async fn set_pull_paused(&self, project_id: &str, endpoint_id: &str, paused: bool, now_ms: i64) -> Result<bool, StoreError>;

    /// The endpoint's live events per status.
    async fn pull_counts(&self, project_id: &str, endpoint_id: &str) -> Result<PullCounts, StoreError> {
        self.pull_window_counts(project_id, Some(endpoint_id.to_owned()), 0, i64::MAX).await
    }

    /// An endpoint of any project by id, deleted ones included (the ingest route carries no API key).
    async fn pull_ingest_target(&self, endpoint_id: &str) -> Result<Option<PullEndpointRecord>, StoreError>;

    /// Stores an accepted request as a `stored` event, in one write: re-checks that the endpoint
    /// is live and not paused, applies the dedupe key and the replay guard (as
    /// [`super::InboundStore::accept_inbound`] does).
    async fn accept_pull_event(
        &self,
        event: NewPullEvent,
        replay_guard: Option<ReplayGuard>,
    ) -> Result<IngestOutcome, StoreError>;

    /// A page of events, newest first.
    async fn list_pull_events(&self, filter: PullEventFilter) -> Result<ListPage<PullEventRecord>, StoreError>;

    /// One event of the endpoint with its body (`None` once deleted); a non-preview read moves a
    /// `stored` event to `fetched` ([`PullEventStatus::after_read`]) and the record shows it.
    async fn read_pull_event(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_id: &str,
        preview: bool,
        now_ms: i64,
    ) -> Result<Option<PullEventRead>, StoreError>;

    /// Moves the given live events of the endpoint to `delivered`; how many moved.
    async fn ack_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        now_ms: i64,
    ) -> Result<usize, StoreError>;

    /// Deletes the given events of the endpoint (payload purged, dedupe key released, record
    /// kept), one outcome per id in order.
    async fn delete_pull_events(
        &self,
        project_id: &str,
        endpoint_id: &str,
        event_ids: Vec<String>,
        api_key_id: Option<String>,
        now_ms: i64,
    ) -> Result<Vec<PullDeletion>, StoreError>;

    /// Live events received in `[from_ms, until_ms)` per status, optionally of one endpoint.
    async fn pull_window_counts(
        &self,
        project_id: &str,
        endpoint_id: Option<String>,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<PullCounts, StoreError> {
        let width = until_ms.saturating_sub(from_ms).max(1);
        Ok(self.pull_series(project_id, endpoint_id, from_ms, width, 1).await?.into_iter().next().unwrap_or_default())
    }

    /// [`PullStore::pull_window_counts`] for `count` consecutive buckets of `width_ms` from `first_ms`.
    async fn pull_series(
        &self,
        project_id: &str,
        endpoint_id: Option<String>,
        first_ms: i64,
        width_ms: i64,
        count: usize,
    ) -> Result<Vec<PullCounts>, StoreError>;

    /// Deletes every event older than its endpoint's retention (see
    /// [`crate::domain::pull::retention_cutoff`]); how many went.
    async fn purge_expired_pull_events(&self, now_ms: i64) -> Result<u64, StoreError>;
}
