//! The delivery queue: finding due work per project and endpoint, claiming what the delivery
//! engine's fairness policy allots with a lease, recording attempts atomically with the message
//! state, and releasing claims without an attempt.

use std::collections::HashMap;

use hookbridge::signing::SignatureScheme;

use super::{Direction, StoreError};
use crate::domain::MessageStatus;
use crate::telemetry::QueueDepth;

/// A message claimed for one delivery attempt, with everything needed to send it.
#[derive(Clone)]
pub struct ClaimedDelivery {
    /// The message.
    pub message_id: String,
    /// Its project.
    pub project_id: String,
    /// Outbound send or inbound forward.
    pub direction: Direction,
    /// The endpoint (rate limits are kept per endpoint).
    pub endpoint_id: String,
    /// Where to POST.
    pub url: String,
    /// `Content-Type` of the payload.
    pub content_type: String,
    /// The exact bytes to POST.
    pub payload: Vec<u8>,
    /// Extra headers: endpoint headers, then per-message headers (later entries win).
    pub headers: Vec<(String, String)>,
    /// Active signing secrets, oldest first (empty: no signature header).
    pub secrets: Vec<String>,
    /// How the delivery is signed (inbound forwards: always `hookbridge`).
    pub signature_scheme: SignatureScheme,
    /// Unix seconds for `X-Webhook-Timestamp`.
    pub signed_at: i64,
    /// Number of this attempt (1-based).
    pub attempt_no: i64,
    /// Retries already taken on the 429 track.
    pub fast_retry_count: i64,
    /// Retries already taken on the slow track.
    pub slow_retry_count: i64,
    /// Endpoint rate limit (deliveries per second, 0 = unlimited).
    pub rate_limit_rps: i64,
    /// Endpoint burst (0 = same as the rate).
    pub burst: i64,
    /// When the message was created (Unix ms), for send-to-delivery latency.
    pub created_at: i64,
    /// When the message became due (Unix ms): its queue delay is the claim's time minus this.
    pub due_at: i64,
}

/// Shows what a delivery is about, never what it carries: header values (often receiver
/// credentials), signing secrets and the payload are left out.
impl std::fmt::Debug for ClaimedDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimedDelivery")
            .field("message_id", &self.message_id)
            .field("project_id", &self.project_id)
            .field("direction", &self.direction)
            .field("endpoint_id", &self.endpoint_id)
            .field("url", &self.url)
            .field("payload_bytes", &self.payload.len())
            .field("header_names", &self.headers.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>())
            .field("secrets", &hookbridge::REDACTED)
            .field("attempt_no", &self.attempt_no)
            .finish_non_exhaustive()
    }
}

/// What one scan for due work may take, from the delivery engine's fairness state
/// (`crate::delivery::fairness`): free worker slots per project and endpoint, and where the
/// round-robins over projects and endpoints continue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DueScan {
    /// Work must be due at this time (Unix ms).
    pub now_ms: i64,
    /// Most attempts the engine can start now.
    pub room: usize,
    /// Free slots of a project with no attempt in flight.
    pub project_limit: usize,
    /// Free slots of every project with attempts in flight (0: leave the project out).
    pub project_free: HashMap<String, usize>,
    /// Free slots of an endpoint with no attempt in flight.
    pub endpoint_limit: usize,
    /// Free slots of every endpoint with attempts in flight (0: leave the endpoint out).
    pub endpoint_free: HashMap<String, usize>,
    /// Project the scan starts at, wrapping around; `None`: the first.
    pub start_project: Option<String>,
    /// Per project, the endpoint served last: the project's scan starts after it, wrapping around.
    pub endpoint_cursors: HashMap<String, String>,
    /// Most projects and endpoints looked at; a scan that runs out reports where it stopped.
    pub budget: usize,
}

impl DueScan {
    /// Attempts the project may still start.
    pub fn free_for_project(&self, project_id: &str) -> usize {
        self.project_free.get(project_id).copied().unwrap_or(self.project_limit)
    }

    /// Attempts the endpoint may still start.
    pub fn free_for_endpoint(&self, endpoint_id: &str) -> usize {
        self.endpoint_free.get(endpoint_id).copied().unwrap_or(self.endpoint_limit)
    }
}

/// An endpoint with messages due now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueHead {
    /// Its project.
    pub project_id: String,
    /// The endpoint (outbound or inbound).
    pub endpoint_id: String,
    /// Messages due now, counted up to what the scan allowed the endpoint and its project.
    pub due: usize,
}

/// What a scan for due work found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DueWork {
    /// Endpoints with due work the scan may take from, grouped by project in scan order.
    pub heads: Vec<DueHead>,
    /// Every project with waiting work that the scan looked at, in scan order.
    pub projects: Vec<String>,
    /// Earliest time at which work of a project and endpoint with free slots becomes due, or a
    /// lease expires.
    pub next_due_at: Option<i64>,
    /// Some lease has expired: its message is due again once [`DeliveryQueue::claim`] runs.
    pub expired_leases: bool,
    /// Where a scan that ran out of budget stopped: the project, and the last endpoint looked at.
    pub stopped_at: Option<(String, Option<String>)>,
}

/// What a send holding a free worker slot asks of its store: to store the send already claimed
/// (see [`crate::store::MessageStore::accept_send_and_claim`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLease {
    /// How long the claim's lease lasts, in ms.
    pub lease_ms: i64,
    /// Most attempts the endpoint may have in flight in total (`--endpoint-concurrency`), as in
    /// [`Allocation::endpoint_limit`].
    pub endpoint_limit: usize,
}

/// How many due messages to claim from one endpoint (oldest due first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// The endpoint's project.
    pub project_id: String,
    /// The endpoint.
    pub endpoint_id: String,
    /// Most messages to claim.
    pub count: usize,
    /// Most attempts the endpoint may have in flight in total (`--endpoint-concurrency`); a
    /// store shared by several processes counts every process's live leases against it.
    pub endpoint_limit: usize,
}

/// What an attempt did to its message.
#[derive(Clone, Debug, PartialEq)]
pub enum NextState {
    /// 2xx: delivered.
    Succeeded,
    /// Retry at this time (Unix ms); `fast` when on the 429 track.
    Retry {
        /// Due time of the next attempt.
        at_ms: i64,
        /// Whether the retry is on the fast (429) track.
        fast: bool,
    },
    /// Non-retryable answer or attempts exhausted: into the dead letter queue.
    FailedPermanent,
}

impl NextState {
    /// The status the message takes.
    pub fn status(&self) -> MessageStatus {
        match self {
            NextState::Succeeded => MessageStatus::Succeeded,
            NextState::Retry { .. } => MessageStatus::PendingRetry,
            NextState::FailedPermanent => MessageStatus::FailedPermanent,
        }
    }
}

/// One finished attempt to record.
#[derive(Clone, Debug)]
pub struct AttemptRecord {
    /// The message.
    pub message_id: String,
    /// Its project.
    pub project_id: String,
    /// Its direction.
    pub direction: Direction,
    /// Attempt number (1-based).
    pub attempt_no: i64,
    /// HTTP status, when an answer came.
    pub response_status: Option<i64>,
    /// Duration of the attempt.
    pub latency_ms: i64,
    /// Error text (transport error or `HTTP <status>`).
    pub error: Option<String>,
    /// What happens next.
    pub next: NextState,
    /// Receiver's `Retry-After`, in ms, if any.
    pub retry_after_ms: Option<i64>,
    /// When the attempt finished (Unix ms).
    pub finished_at: i64,
    /// What was sent and received.
    pub detail: crate::delivery::attempt_detail::AttemptDetail,
}

/// SQL: the status a released message returns to: `queued` before its first attempt, else
/// `pending_retry`; a message deleted meanwhile is never attempted again and ends
/// `failed_permanent` (see [`crate::domain::deletion`]). The same text on every store.
pub(crate) const RELEASED_STATUS: &str = "CASE WHEN deleted_at IS NOT NULL THEN 'failed_permanent' \
     WHEN attempt_count = 0 THEN 'queued' ELSE 'pending_retry' END";

/// A message row just claimed, before its endpoint's facts are added.
pub(crate) struct ClaimedRow {
    /// The message.
    pub id: String,
    /// Its project.
    pub project_id: String,
    /// Its direction.
    pub direction: Direction,
    /// Its endpoint.
    pub endpoint_id: String,
    /// The URL stored with the message.
    pub destination_url: String,
    /// `Content-Type` of the payload.
    pub content_type: String,
    /// The payload (`None`: purged).
    pub payload: Option<Vec<u8>>,
    /// Stored JSON object of per-message headers.
    pub headers: Option<String>,
    /// Unix seconds for `X-Webhook-Timestamp`.
    pub signed_at: i64,
    /// Attempts made so far.
    pub attempt_count: i64,
    /// Retries taken on the 429 track.
    pub fast_retry_count: i64,
    /// Retries taken on the slow track.
    pub slow_retry_count: i64,
    /// Creation time (Unix ms).
    pub created_at: i64,
    /// When the message became due (Unix ms; a claimed row is due, so it has one).
    pub due_at: i64,
}

/// What a store knows about an endpoint to deliver to it.
pub(crate) struct DeliveryTarget {
    /// Where to POST (empty: the message's own destination URL).
    pub url: String,
    /// The endpoint's headers.
    pub headers: Vec<(String, String)>,
    /// Active signing secrets, oldest first.
    pub secrets: Vec<String>,
    /// How deliveries are signed.
    pub signature_scheme: SignatureScheme,
    /// Deliveries per second (0 = unlimited).
    pub rate_limit_rps: i64,
    /// Burst (0 = the rate).
    pub burst: i64,
}

impl DeliveryTarget {
    /// A target whose headers are the opened JSON object `headers`, signed with the
    /// `hookbridge` scheme (see [`DeliveryTarget::signed_with`]).
    pub(crate) fn new(url: String, headers: Option<&str>, secrets: Vec<String>, rate_limit_rps: i64, burst: i64) -> Self {
        let signature_scheme = SignatureScheme::Hookbridge;
        DeliveryTarget { url, headers: parse_headers(headers), secrets, signature_scheme, rate_limit_rps, burst }
    }

    /// The same target signed with the stored scheme `name` (an outbound endpoint's setting).
    pub(crate) fn signed_with(self, name: &str) -> Self {
        DeliveryTarget { signature_scheme: super::rows::stored_scheme(name), ..self }
    }
}

/// Why a claimed message cannot be delivered at all (it fails permanently).
pub(crate) enum Undeliverable {
    /// Its endpoint was deleted.
    EndpointDeleted,
    /// Its payload was purged.
    PayloadPurged,
}

impl Undeliverable {
    /// The message's `last_error`.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Undeliverable::EndpointDeleted => "endpoint deleted",
            Undeliverable::PayloadPurged => "payload no longer retained",
        }
    }
}

impl ClaimedRow {
    /// The row of send `m`, stored already claimed with `url` as its destination: never tried,
    /// due since it was created.
    pub(crate) fn of_send(m: &super::NewMessage, url: String) -> Self {
        ClaimedRow {
            id: m.id.clone(),
            project_id: m.project_id.clone(),
            direction: m.direction,
            endpoint_id: m.endpoint_id.clone(),
            destination_url: url,
            content_type: m.content_type.clone(),
            payload: Some(m.payload.clone()),
            headers: m.headers_json.clone(),
            signed_at: m.signed_at,
            attempt_count: 0,
            fast_retry_count: 0,
            slow_retry_count: 0,
            created_at: m.created_at,
            due_at: m.created_at,
        }
    }

    /// The delivery of this row to `target` (`None`: the endpoint is gone).
    pub(crate) fn into_delivery(self, target: Option<&DeliveryTarget>) -> Result<ClaimedDelivery, Undeliverable> {
        let target = target.ok_or(Undeliverable::EndpointDeleted)?;
        let payload = self.payload.ok_or(Undeliverable::PayloadPurged)?;
        let mut headers = target.headers.clone();
        headers.extend(parse_headers(self.headers.as_deref()));
        Ok(ClaimedDelivery {
            message_id: self.id,
            project_id: self.project_id,
            direction: self.direction,
            endpoint_id: self.endpoint_id,
            url: if target.url.is_empty() { self.destination_url } else { target.url.clone() },
            content_type: self.content_type,
            payload,
            headers,
            secrets: target.secrets.clone(),
            signature_scheme: target.signature_scheme,
            signed_at: self.signed_at,
            attempt_no: self.attempt_count.saturating_add(1),
            fast_retry_count: self.fast_retry_count,
            slow_retry_count: self.slow_retry_count,
            rate_limit_rps: target.rate_limit_rps,
            burst: target.burst,
            created_at: self.created_at,
            due_at: self.due_at,
        })
    }
}

impl Direction {
    /// The direction stored as `text` (anything but `inbound` is outbound).
    pub(crate) fn from_stored(text: &str) -> Self {
        if text == "inbound" { Direction::Inbound } else { Direction::Outbound }
    }
}

/// Reads a stored JSON object of headers; anything else yields no headers.
fn parse_headers(json: Option<&str>) -> Vec<(String, String)> {
    let Some(json) = json else { return Vec::new() };
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(json) {
        Ok(map) => map
            .into_iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// SQL (every store): waiting, paused and dead-lettered messages counted by status.
pub(crate) const QUEUE_DEPTH_SQL: &str = "SELECT status, COUNT(*) FROM messages \
     WHERE status IN ('queued', 'pending_retry', 'paused', 'failed_permanent') GROUP BY status";

/// Adds one row of [`QUEUE_DEPTH_SQL`] to `depth`.
pub(crate) fn add_to_depth(depth: &mut QueueDepth, status: &str, count: i64) {
    let count = u64::try_from(count).unwrap_or(0);
    match MessageStatus::parse(status) {
        Some(MessageStatus::Queued | MessageStatus::PendingRetry) => depth.pending += count,
        Some(MessageStatus::Paused) => depth.paused += count,
        Some(MessageStatus::FailedPermanent) => depth.dead_letter += count,
        _ => {}
    }
}

/// How a recorded attempt changes its message.
pub(crate) struct AttemptEffect {
    /// The attempt's `outcome`.
    pub outcome: &'static str,
    /// The message's new status.
    pub status: MessageStatus,
    /// The message's next due time.
    pub next_attempt_at: Option<i64>,
    /// Added to `fast_retry_count`.
    pub fast_inc: i64,
    /// Added to `slow_retry_count`.
    pub slow_inc: i64,
    /// The message was delivered.
    pub succeeded: bool,
    /// The message failed for good.
    pub failed: bool,
}

impl NextState {
    /// What this next state writes.
    pub(crate) fn effect(&self) -> AttemptEffect {
        let (outcome, next_attempt_at, fast_inc, slow_inc) = match self {
            NextState::Succeeded => ("succeeded", None, 0, 0),
            NextState::Retry { at_ms, fast: true } => ("retry_fast", Some(*at_ms), 1, 0),
            NextState::Retry { at_ms, fast: false } => ("retry_slow", Some(*at_ms), 0, 1),
            NextState::FailedPermanent => ("failed_permanent", None, 0, 0),
        };
        AttemptEffect {
            outcome,
            status: self.status(),
            next_attempt_at,
            fast_inc,
            slow_inc,
            succeeded: matches!(self, NextState::Succeeded),
            failed: matches!(self, NextState::FailedPermanent),
        }
    }
}

/// The queue operations of the delivery engine.
#[async_trait::async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Looks for due work as [`DueScan`] allows: projects with waiting work in turn from
    /// `start_project`, and in each project its endpoints in turn after the endpoint served last,
    /// skipping paused endpoints and projects or endpoints without free slots.
    async fn due_work(&self, scan: DueScan) -> Result<DueWork, StoreError>;

    /// Claims, for each allocation, up to `count` of the endpoint's messages due at `now_ms`
    /// (oldest due first), leasing each until `now_ms + lease_ms`. Paused endpoints are skipped.
    async fn claim(&self, now_ms: i64, lease_ms: i64, allocations: Vec<Allocation>) -> Result<Vec<ClaimedDelivery>, StoreError>;

    /// Takes back the leases that expired at `now_ms` (a worker that died or stalled), each with
    /// an `interrupted` attempt, in the same transaction ([`crate::domain::interruption`]; the
    /// message is due again at once unless `max_attempts` is reached). Returns how many.
    async fn reclaim_expired_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError>;

    /// Records finished attempts: for each, the attempt row and the message's new state, atomically.
    async fn record_attempts(&self, records: Vec<AttemptRecord>) -> Result<(), StoreError>;

    /// Puts claimed messages whose request was never sent back, due at `due_at_ms`, without
    /// counting an attempt (rate limited, no free slot).
    async fn release(&self, message_ids: Vec<String>, due_at_ms: i64) -> Result<(), StoreError>;

    /// Gives up this process's claims whose request was started but will not finish (a graceful
    /// shutdown that stops waiting for receivers): each gets an `interrupted` attempt, in the same
    /// transaction, and is due again at `now_ms` unless `max_attempts` is reached. Returns how
    /// many were still leased.
    async fn abandon(&self, message_ids: Vec<String>, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError>;

    /// Called once at start-up: takes back the leased messages no live process can still be
    /// delivering, each with an `interrupted` attempt (its request may have reached the
    /// receiver), due again at once unless `max_attempts` is reached. On SQLite (one process)
    /// that is every lease; on a store shared by several processes, only leases that expired or
    /// that this process's own id held in an earlier run, never the live leases of other
    /// processes. Returns how many.
    async fn release_orphaned_leases(&self, now_ms: i64, max_attempts: u32) -> Result<u64, StoreError>;

    /// Queue figures for `/metrics` and readiness.
    async fn queue_depth(&self) -> Result<QueueDepth, StoreError>;

    /// For a store shared by several processes: a signal that fires when another process stored
    /// work that is due now (the store starts listening on the first call). The delivery engine
    /// waits on it besides its own wake-ups. `None` (the default): only this process stores work.
    fn wake_source(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::ClaimedDelivery;
    use crate::store::inbound::{InboundSettings, NewSigningKey};
    use crate::store::{CompletedExport, Direction};

    #[test]
    fn store_records_never_print_a_secret() {
        let delivery = ClaimedDelivery {
            message_id: "msg_1".into(),
            project_id: "proj_1".into(),
            direction: Direction::Outbound,
            endpoint_id: "ep_1".into(),
            url: "https://receiver.example/hook".into(),
            content_type: "application/json".into(),
            payload: b"{\"card\":\"payloadsecret\"}".to_vec(),
            headers: vec![("Authorization".into(), "Bearer headersecret".into())],
            secrets: vec!["whsec_signingsecret".into()],
            signature_scheme: Default::default(),
            signed_at: 0,
            attempt_no: 1,
            fast_retry_count: 0,
            slow_retry_count: 0,
            rate_limit_rps: 0,
            burst: 0,
            created_at: 0,
            due_at: 0,
        };
        let settings = InboundSettings { hmac_secret: Some("hmacsecret".into()), ..Default::default() };
        let key = NewSigningKey { id: "sk_1".into(), secret: "whsec_keysecret".into() };
        let export = CompletedExport {
            row_count: 1,
            file_size_bytes: 1,
            download_secret: "downloadsecret".into(),
            completed_at: 0,
            expires_at: 0,
        };
        let printed = format!("{delivery:?} {settings:?} {key:?} {export:?}");
        for secret in ["payloadsecret", "headersecret", "signingsecret", "hmacsecret", "keysecret", "downloadsecret"] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(printed.contains("msg_1") && printed.contains("Authorization") && printed.contains("sk_1"), "{printed}");
    }
}
