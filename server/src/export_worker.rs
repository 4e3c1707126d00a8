//! The export worker: every server process runs one. It claims exports waiting to be built from
//! the store ([`crate::store::ExportStore::claim_export`]) and writes their content, one page of
//! logs per part, renewing its lease with every part. A process that dies mid-export stops
//! renewing; with a database shared by several processes another one claims the export once
//! the lease ends and builds it again from the start, while the dead one's late writes (if any)
//! are refused. A new export wakes the worker of the process that stored it at once; the others
//! look for work every few seconds.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::clock::now_millis;
use crate::config::Config;
use crate::ids;
use crate::store::{CompletedExport, ListCursor, LogEntry, LogFilter, Store, StoreError, StoredExport};

/// How long a claim lasts without renewal (each written part renews it).
const LEASE_MS: i64 = 15_000;
/// How often an idle worker looks for exports (stored by other processes, or whose builder died).
const POLL: Duration = Duration::from_secs(2);
/// Exports one process builds at once.
const MAX_BUILDS: usize = 2;
/// Messages read per page (one part of the content).
const PAGE: usize = 1000;

/// Appends one log entry to a buffer as its JSON line (without the newline); the line is the
/// API's log item, so the HTTP layer supplies it.
pub type LineWriter = fn(&mut Vec<u8>, LogEntry) -> serde_json::Result<()>;

/// Handle to this process's export worker.
#[derive(Clone, Default)]
pub struct ExportWorker {
    wake: Arc<Notify>,
}

impl ExportWorker {
    /// Starts the worker; content lines are written with `write_line`.
    pub fn start(store: Arc<dyn Store>, config: Arc<Config>, write_line: LineWriter) -> (Self, tokio::task::JoinHandle<()>) {
        let worker = ExportWorker::default();
        let builder = Builder { store, config, write_line };
        let task = tokio::spawn(builder.run(worker.wake.clone()));
        (worker, task)
    }

    /// Tells the worker a new export is waiting.
    pub fn wake(&self) {
        self.wake.notify_one();
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
    async fn run(self, wake: Arc<Notify>) {
        let mut building = JoinSet::new();
        loop {
            while building.len() < MAX_BUILDS {
                let claimant = format!("pid{}-{}", std::process::id(), ids::uuid7());
                let now = now_millis();
                match self.store.claim_export(&claimant, now, now.saturating_add(LEASE_MS)).await {
                    Ok(Some(export)) => {
                        building.spawn(self.clone().build(export, claimant));
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot look for exports to build; will retry");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                Some(_) = building.join_next(), if !building.is_empty() => {}
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
        let mut after: Option<ListCursor> = None;
        let (mut part, mut rows, mut size) = (0i64, 0i64, 0i64);
        loop {
            let filter = LogFilter {
                project_id: record.project_id.clone(),
                direction: export.direction,
                status: record.filter_status.clone(),
                endpoint_id: record.filter_endpoint_id.clone(),
                start_ms: Some(record.filter_start_time.unix_millis()),
                end_ms: Some(record.filter_end_time.unix_millis()),
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
