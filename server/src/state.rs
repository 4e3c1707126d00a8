//! What every request handler shares: [`AppState`] (the store, the configuration, the delivery
//! engine's handle, counters, caches and limits), the [`Route`] type every HTTP area lists its
//! routes with, and the authenticated [`Caller`] with the [`AuthCache`] of API key lookups.
//! It sits at the crate root so that the HTTP layer and the ingest logic both depend on it
//! without depending on each other.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::routing::MethodRouter;

use crate::config::Config;
use crate::delivery::DeliveryHandle;
use crate::error::ApiError;
use crate::http::backpressure::Backpressure;
use crate::http::openapi::Operation;
use crate::http::queue_depth::QueueDepthCache;
use crate::http::rate_limit::ApiLimits;
use crate::ingest::rejection_log::RejectionLog;
use crate::jobs::exports::ExportJobs;
use crate::store::Store;
use crate::store::tenancy::{KeyMode, KeyRank, KeyScope};
use crate::telemetry::Telemetry;

/// How long a positive lookup is trusted before the key is checked again (deleted keys stop
/// working within this time on other server processes; immediately on this one).
const CACHE_TTL: Duration = Duration::from_secs(5);

/// Shared state of every handler: one reference-counted [`Shared`], so the clone axum makes for
/// every extractor and middleware is one counter increment, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state of a server with these parts.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares, behind [`AppState`].
pub struct Shared {
    /// Persistent storage.
    pub store: Arc<dyn Store>,
    /// Server configuration.
    pub config: Arc<Config>,
    /// Wakes the delivery engine when new work is stored.
    pub delivery: DeliveryHandle,
    /// Writes the files of new exports in the background.
    pub exports: ExportJobs,
    /// Prometheus counters.
    pub telemetry: Arc<Telemetry>,
    /// API key lookups.
    pub auth_cache: Arc<AuthCache>,
    /// What refused ingest requests may store (rate limits and caps).
    pub rejection_log: Arc<RejectionLog>,
    /// Queue depth figures shared by `/metrics` scrapes.
    pub queue_depth: Arc<QueueDepthCache>,
    /// Per-project API rate limits and the failed-authentication throttle.
    pub api_limits: Arc<ApiLimits>,
    /// The queue high-water mark that sends and ingest pass before they are stored.
    pub backpressure: Arc<Backpressure>,
    /// The secrets key the store seals with; also seals the dashboard's session tokens.
    pub secrets: Arc<crate::secrets::SecretBox>,
}

/// One route: where, what it does, its handler and its documentation; the same list builds the
/// router and the OpenAPI document.
pub struct Route {
    /// HTTP method in upper case.
    pub method: &'static str,
    /// axum path, e.g. `/v1/messages/{message_id}`.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Whether an API key is required.
    pub authenticated: bool,
    /// The handler.
    pub handler: MethodRouter<AppState>,
    /// What the OpenAPI document says of it: operationId, body, query and answer types.
    pub doc: Operation,
}

/// The caller: which key, which project, and what the key may do.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The API key id.
    pub key_id: String,
    /// The project every resource of this request belongs to.
    pub project_id: String,
    /// The project's tenant.
    pub tenant_id: String,
    /// `Admin` keys also manage the tenant's projects and their keys.
    pub scope: KeyScope,
    /// `live` or `test`.
    pub mode: KeyMode,
    /// The project's API requests per minute.
    pub rate_limit_per_minute: i64,
}

impl Caller {
    /// Whether this is an admin key.
    pub fn is_admin(&self) -> bool {
        self.scope == KeyScope::Admin
    }

    /// The key's scope and mode.
    pub fn rank(&self) -> KeyRank {
        KeyRank { scope: self.scope, mode: self.mode }
    }

    /// 403 `FORBIDDEN` unless this is an admin key; `action` says what was refused.
    pub fn require_admin(&self, action: &str) -> Result<(), ApiError> {
        if self.is_admin() {
            return Ok(());
        }
        Err(ApiError::forbidden(format!("{action} needs an admin API key; this key acts only inside its own project")))
    }
}

/// Cache of key hash to caller.
#[derive(Default)]
pub struct AuthCache {
    entries: RwLock<HashMap<String, (Caller, Instant)>>,
}

impl AuthCache {
    /// The caller of a key hash, while its entry is fresh.
    pub fn get(&self, hash: &str) -> Option<Caller> {
        let entries = self.entries.read().ok()?;
        entries.get(hash).filter(|(_, at)| at.elapsed() < CACHE_TTL).map(|(c, _)| c.clone())
    }

    /// Remembers the caller of a key hash.
    pub fn put(&self, hash: String, caller: Caller) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(hash, (caller, Instant::now()));
        }
    }

    /// Forgets a key at once (after it is deleted).
    pub fn forget_key(&self, key_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (c, _)| c.key_id != key_id);
        }
    }

    /// Forgets every key of a project (after its settings changed).
    pub fn forget_project(&self, project_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (c, _)| c.project_id != project_id);
        }
    }
}
