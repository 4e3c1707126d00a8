//! The export worker: every server process runs one. It claims exports waiting to be built from
//! the store ([`crate::store::ExportStore::claim_export`]) and writes their content as JSON lines,
//! one log item a line, one page of logs per part, renewing its lease with every part; then it
//! records the export `completed` with a download secret and an expiry (`--export-ttl-secs`).
//! Where the content lives is the store's business: files in the data dir (SQLite), the
//! database (PostgreSQL, so any node serves any download).
//!
//! A process that dies mid-export stops renewing its lease: with a database shared by several
//! processes another one claims the export once the lease ends and builds it again from the
//! start (late writes of the dead claim are refused); with SQLite the next start marks it
//! `failed`. A new export wakes the worker of the process that stored it at once; every worker
//! also looks for work every few seconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::clock::now_millis;
use crate::config::Config;
use crate::domain::messages::stored_status;
use crate::ids;
use crate::store::{
    CompletedExport, ExportCreate, ExportScope, ListCursor, LogEntry, LogFilter, NewExport, Store, StoreError, StoredExport,
};

/// Expired exports handled per store round trip.
const BATCH: usize = 100;
/// Messages read per page (one part of the content).
const PAGE: usize = 1000;
/// How long a claim lasts without renewal (each written part renews it).
const LEASE_MS: i64 = 15_000;
/// How often an idle worker looks for exports (stored by other processes, or whose builder died).
const POLL: Duration = Duration::from_secs(2);
/// Exports one process builds at once.
const MAX_BUILDS: usize = 2;

/// Appends one log entry to an export's buffer as its JSON line (without the newline).
/// The line is the API's log item, so the HTTP layer supplies it.
pub type LineWriter = fn(&mut Vec<u8>, LogEntry) -> serde_json::Result<()>;

/// This process's export worker: stores new exports and builds waiting ones in the background.
#[derive(Clone)]
pub struct ExportJobs {
    store: Arc<dyn Store>,
    /// Exports a project may have pending, processing or downloadable (`--max-exports-per-project`).
    max_live: u32,
    wake: Arc<Notify>,
    stop: Arc<Notify>,
    worker: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl ExportJobs {
    /// Starts a worker that writes content lines with `write_line`.
    pub fn new(store: Arc<dyn Store>, config: Arc<Config>, write_line: LineWriter) -> Self {
        let (wake, stop) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let max_live = config.max_exports_per_project;
        let builder = Builder { store: store.clone(), config, write_line };
        let worker = tokio::spawn(builder.run(wake.clone(), stop.clone()));
        ExportJobs { store, max_live, wake, stop, worker: Arc::new(Mutex::new(Some(worker))) }
    }

    /// The exports a project may have pending, processing or downloadable at once.
    pub fn max_live(&self) -> u32 {
        self.max_live
    }

    /// Stores a new `pending` export of `scope`, unless its project already has
    /// [`ExportJobs::max_live`] exports pending, processing or downloadable, and wakes the worker
    /// to build it.
    pub async fn create(&self, scope: ExportScope) -> Result<ExportCreate, StoreError> {
        let export = NewExport { id: ids::uuid7(), scope, created_at: now_millis() };
        let outcome = self.store.create_export(export, self.max_live).await?;
        if matches!(outcome, ExportCreate::Created(_)) {
            self.wake.notify_one();
        }
        Ok(outcome)
    }

    /// Stops claiming, and waits up to `grace` for the exports being built (those waiting are
    /// claimed first), then stops the rest: another process takes them over when their lease
    /// ends, or (SQLite) the next start marks them `failed`.
    pub async fn shutdown(self, grace: Duration) {
        let Some(mut worker) = self.worker.lock().ok().and_then(|mut w| w.take()) else { return };
        self.stop.notify_one();
        if tokio::time::timeout(grace, &mut worker).await.is_err() {
            tracing::warn!("stopped unfinished exports at shutdown");
            worker.abort();
        }
    }
}

#[derive(Clone)]
struct Builder {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    write_line: LineWriter,
}

/// Why a build stopped before completing.
enum Stop {
    /// Another process took the export over (this one's lease ended).
    Lost,
    /// The store cannot be reached: the lease ends and the export is built again later.
    Unavailable(String),
    /// The export cannot be built: it is marked `failed`.
    Failed(String),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(message) => Stop::Unavailable(message),
            other => Stop::Failed(other.to_string()),
        }
    }
}

impl Builder {
    /// Claims and builds exports until `stop`; then claims once more and lets the builds finish.
    async fn run(self, wake: Arc<Notify>, stop: Arc<Notify>) {
        let mut building = JoinSet::new();
        loop {
            self.claim(&mut building).await;
            tokio::select! {
                _ = stop.notified() => break,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                Some(_) = building.join_next(), if !building.is_empty() => {}
            }
        }
        self.claim(&mut building).await;
        while building.join_next().await.is_some() {}
    }

    /// Claims waiting exports while this process builds fewer than [`MAX_BUILDS`].
    async fn claim(&self, building: &mut JoinSet<()>) {
        while building.len() < MAX_BUILDS {
            let claimant = format!("pid{}-{}", std::process::id(), ids::uuid7());
            let now = now_millis();
            match self.store.claim_export(&claimant, now, now.saturating_add(LEASE_MS)).await {
                Ok(Some(export)) => {
                    building.spawn(self.clone().build(export, claimant));
                }
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for exports to build; will retry");
                    return;
                }
            }
        }
    }

    /// Builds one claimed export and records the outcome.
    async fn build(self, export: StoredExport, claimant: String) {
        let id = export.record.id.clone();
        match self.write(&export, &claimant).await {
            Ok(()) => {}
            Err(Stop::Lost) => tracing::warn!(export_id = %id, "another server process took this export over"),
            Err(Stop::Unavailable(error)) => {
                tracing::warn!(export_id = %id, %error, "export interrupted by a database outage; it is built again later")
            }
            Err(Stop::Failed(error)) => {
                tracing::warn!(export_id = %id, %error, "export failed");
                if let Err(e) = self.store.fail_export(&id, &claimant, error, now_millis()).await {
                    tracing::error!(export_id = %id, error = %e, "cannot record the export failure");
                }
            }
        }
    }

    async fn write(&self, export: &StoredExport, claimant: &str) -> Result<(), Stop> {
        let record = &export.record;
        let status = record.filter_status.as_deref().map(stored_status).transpose()?;
        let mut after: Option<ListCursor> = None;
        let (mut part, mut rows, mut size) = (0i64, 0i64, 0i64);
        loop {
            let filter = LogFilter {
                project_id: record.project_id.clone(),
                direction: export.direction,
                status,
                endpoint_id: record.filter_endpoint_id.clone(),
                start_ms: Some(record.filter_start_ms),
                end_ms: Some(record.filter_end_ms),
                limit: PAGE,
                after: after.take(),
            };
            let page = self.store.list_messages(filter).await?;
            let mut buf = Vec::with_capacity(page.items.len() * 256);
            for entry in page.items {
                (self.write_line)(&mut buf, entry).map_err(|e| Stop::Failed(e.to_string()))?;
                buf.push(b'\n');
                rows = rows.saturating_add(1);
            }
            size = size.saturating_add(i64::try_from(buf.len()).unwrap_or(i64::MAX));
            let lease_until = now_millis().saturating_add(LEASE_MS);
            if !self.store.append_export_content(&record.id, claimant, part, buf, lease_until).await? {
                return Err(Stop::Lost);
            }
            part = part.saturating_add(1);
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let completed_at = now_millis();
        let ttl = i64::try_from(self.config.export_ttl.as_millis()).unwrap_or(i64::MAX);
        let done = CompletedExport {
            row_count: rows,
            file_size_bytes: size,
            download_secret: ids::secret_token(),
            completed_at,
            expires_at: completed_at.saturating_add(ttl),
        };
        if self.store.complete_export(&record.id, claimant, done).await? { Ok(()) } else { Err(Stop::Lost) }
    }
}

/// Deletes the content of exports whose download window ended at or before `now_ms` and marks
/// them `expired`; returns how many. Content that cannot be deleted is retried on the next pass.
pub async fn delete_expired(store: &dyn Store, now_ms: i64) -> usize {
    let mut deleted = 0;
    loop {
        match store.expire_exports(now_ms, BATCH).await {
            Ok(n) => {
                deleted += n;
                if n < BATCH {
                    return deleted;
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot delete the content of expired exports; will retry");
                return deleted;
            }
        }
    }
}

/// At start: marks exports whose builder died with the previous process `failed` (deleting
/// their partial content), so they neither hang forever nor count against the export cap. A
/// store shared by several processes marks none: their leases end and another process builds them.
pub async fn fail_interrupted(store: &dyn Store) -> Result<(), String> {
    let ids = store.fail_interrupted_exports(now_millis()).await.map_err(|e| e.to_string())?;
    if !ids.is_empty() {
        tracing::warn!(exports = ids.len(), "marked exports interrupted by the last shutdown as failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::{Args, Config};
    use crate::store::Direction;
    use crate::store::sqlite::{SqliteStore, Synchronous};
    use crate::store::tenancy::DataDirMode;

    #[tokio::test]
    async fn shutdown_lets_a_running_export_finish() {
        let dir = tempfile::tempdir().expect("a temporary data dir");
        let args = Args { data_dir: Some(dir.path().to_owned()), ..Default::default() };
        let config = Arc::new(Config::resolve(args).expect("a configuration"));
        let sqlite = SqliteStore::open(&config.data_dir, Synchronous::Normal, &config.secrets).expect("a store");
        let store: Arc<dyn Store> = Arc::new(sqlite);
        let key = store.ensure_bootstrap(None, DataDirMode::Production).await.expect("bootstrap").created_key.expect("a key");
        let caller = store.authenticate(&ids::sha256_hex(key.as_bytes())).await.expect("lookup").expect("a valid key");
        let now = now_millis();
        let export = ExportScope {
            project_id: caller.project_id.clone(),
            direction: Direction::Outbound,
            start_ms: 0,
            end_ms: now,
            status: None,
            endpoint_id: None,
        };
        let jobs = ExportJobs::new(store.clone(), config, |buf, entry| serde_json::to_writer(buf, &entry.message_id));
        let ExportCreate::Created(stored) = jobs.create(export).await.expect("create") else {
            panic!("the export cap is not reached by one export");
        };
        jobs.shutdown(Duration::from_secs(60)).await;

        let id = stored.record.id.clone();

        let done = store.get_export(&caller.project_id, &id).await.expect("read").expect("the export");
        assert_eq!(done.record.status, "completed", "shutdown waited for the export");
        let file = done.file_path.expect("a file once completed");
        assert!(Path::new(&file).is_file(), "the export file {file} exists");
    }
}
