//! The export worker and its files. Each export the API creates is written in the background
//! as JSON lines, one log item a line, into `<data_dir>/exports/<export id>.jsonl` (mode 0600
//! in a 0700 directory), page by page, then recorded `completed` with a download secret and an
//! expiry (`--export-ttl-secs`). A file lives as long as its download window: the janitor
//! deletes it afterwards and marks the export `expired`. A failed export's partial file is
//! deleted at once, and exports cut off by a restart are marked `failed` at start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;

use crate::clock::now_millis;
use crate::config::Config;
use crate::domain::messages::stored_status;
use crate::ids;
use crate::store::{CompletedExport, ExportCreate, ListCursor, LogEntry, LogFilter, NewExport, Store, StoreError, StoredExport};

/// Expired exports handled per store round trip.
const BATCH: usize = 100;
/// Messages read per page while writing a file.
const PAGE: usize = 1000;

/// Appends one log entry to an export file's buffer as its JSON line (without the newline).
/// The line is the API's log item, so the HTTP layer supplies it.
pub type LineWriter = fn(&mut Vec<u8>, LogEntry) -> serde_json::Result<()>;

/// Starts export jobs and keeps the running ones, so that shutdown can wait for them.
#[derive(Clone)]
pub struct ExportJobs {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    write_line: LineWriter,
    running: Arc<Mutex<JoinSet<()>>>,
}

impl ExportJobs {
    /// A worker that writes files with `write_line`.
    pub fn new(store: Arc<dyn Store>, config: Arc<Config>, write_line: LineWriter) -> Self {
        ExportJobs { store, config, write_line, running: Arc::default() }
    }

    /// Stores a new `pending` export, unless the project already has `max_live` exports
    /// pending, processing or downloadable, and starts writing its file in the background.
    pub async fn create(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError> {
        let outcome = self.store.create_export(export, max_live).await?;
        if let ExportCreate::Created(stored) = &outcome {
            self.submit(stored.as_ref().clone());
        }
        Ok(outcome)
    }

    /// Writes the file of a stored (`pending`) export in the background and records the outcome.
    fn submit(&self, export: StoredExport) {
        let job = self.clone();
        if let Ok(mut running) = self.running.lock() {
            while running.try_join_next().is_some() {}
            running.spawn(async move { job.run(export).await });
        }
    }

    /// Waits up to `grace` for the running exports, then stops the rest (the next start marks
    /// them `failed`, see [`fail_interrupted`]).
    pub async fn shutdown(self, grace: Duration) {
        let Ok(mut running) = self.running.lock().map(|mut r| std::mem::take(&mut *r)) else { return };
        if tokio::time::timeout(grace, async { while running.join_next().await.is_some() {} }).await.is_err() {
            tracing::warn!(
                exports = running.len(),
                "stopped unfinished exports at shutdown; they are marked failed at the next start"
            );
            running.shutdown().await;
        }
    }

    async fn run(&self, export: StoredExport) {
        let id = export.record.id.clone();
        if let Err(error) = self.write(&export).await {
            tracing::warn!(export_id = %id, %error, "export failed");
            if let Err(e) = remove(&path(&self.config.data_dir, &id)).await {
                tracing::error!(export_id = %id, error = %e, "cannot delete the partial export file");
            }
            if let Err(e) = self.store.fail_export(&id, error, now_millis()).await {
                tracing::error!(export_id = %id, error = %e, "cannot record the export failure");
            }
        }
    }

    async fn write(&self, export: &StoredExport) -> Result<(), String> {
        let record = &export.record;
        let status = record.filter_status.as_deref().map(stored_status).transpose().map_err(|e| e.to_string())?;
        self.store.start_export(&record.id, now_millis()).await.map_err(|e| e.to_string())?;
        let (data_dir, export_id) = (self.config.data_dir.clone(), record.id.clone());
        let (path, mut file) =
            tokio::task::spawn_blocking(move || create(&data_dir, &export_id)).await.map_err(|e| e.to_string())??;
        let mut after: Option<ListCursor> = None;
        let (mut rows, mut size) = (0i64, 0i64);
        loop {
            let filter = LogFilter {
                project_id: record.project_id.clone(),
                direction: export.direction,
                status,
                endpoint_id: record.filter_endpoint_id.clone(),
                start_ms: Some(record.filter_start_time.unix_millis()),
                end_ms: Some(record.filter_end_time.unix_millis()),
                limit: PAGE,
                after: after.take(),
            };
            let page = self.store.list_messages(filter).await.map_err(|e| e.to_string())?;
            let mut buf = Vec::with_capacity(page.items.len() * 256);
            for entry in page.items {
                (self.write_line)(&mut buf, entry).map_err(|e| e.to_string())?;
                buf.push(b'\n');
                rows += 1;
            }
            size += buf.len() as i64;
            file = tokio::task::spawn_blocking(move || file.write_all(&buf).map(|()| file))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("cannot write the export file: {e}"))?;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        tokio::task::spawn_blocking(move || file.sync_all()).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
        let completed_at = now_millis();
        let done = CompletedExport {
            row_count: rows,
            file_size_bytes: size,
            file_path: path.to_string_lossy().into_owned(),
            download_secret: ids::secret_token(),
            completed_at,
            expires_at: completed_at.saturating_add(i64::try_from(self.config.export_ttl.as_millis()).unwrap_or(i64::MAX)),
        };
        self.store.complete_export(&record.id, done).await.map_err(|e| e.to_string())
    }
}

/// Where the file of an export lives.
pub fn path(data_dir: &Path, export_id: &str) -> PathBuf {
    data_dir.join("exports").join(format!("{export_id}.jsonl"))
}

/// Creates the (new) file of an export, mode 0600, and its directory, mode 0700.
pub fn create(data_dir: &Path, export_id: &str) -> Result<(PathBuf, std::fs::File), String> {
    let path = path(data_dir, export_id);
    if let Some(dir) = path.parent() {
        crate::data_dir::ensure_private_dir(dir)?;
    }
    let file = crate::data_dir::create_private_file(&path).map_err(|e| format!("cannot create the export file: {e}"))?;
    Ok((path, file))
}

/// Deletes a file; one that is already gone (or whose directory is not one) counts as deleted.
pub async fn remove(path: &Path) -> Result<(), String> {
    let owned = path.to_owned();
    match tokio::task::spawn_blocking(move || std::fs::remove_file(owned)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(()),
        Ok(Err(e)) => Err(format!("cannot delete {}: {e}", path.display())),
        Err(e) => Err(format!("cannot delete {}: {e}", path.display())),
    }
}

/// Deletes the files of exports whose download window ended at or before `now_ms` and marks
/// them `expired`; returns how many. A file that cannot be deleted is retried on the next pass.
pub async fn delete_expired(store: &dyn Store, now_ms: i64) -> usize {
    let mut deleted = 0;
    loop {
        let batch = match store.expired_export_files(now_ms, BATCH).await {
            Ok(batch) => batch,
            Err(e) => {
                tracing::error!(error = %e, "cannot list expired export files; will retry");
                return deleted;
            }
        };
        let full = batch.len() == BATCH;
        let mut progressed = false;
        for expired in batch {
            if let Err(error) = remove(Path::new(&expired.file_path)).await {
                tracing::error!(export_id = %expired.export_id, %error, "cannot delete an expired export file; will retry");
                continue;
            }
            match store.forget_export_file(&expired.export_id).await {
                Ok(()) => {
                    deleted += 1;
                    progressed = true;
                }
                Err(e) => tracing::error!(export_id = %expired.export_id, error = %e, "cannot mark an export expired"),
            }
        }
        if !full || !progressed {
            return deleted;
        }
    }
}

/// At start: marks exports left `pending` or `processing` by the previous process `failed` and
/// deletes their partial files, so they neither hang forever nor count against the export cap.
pub async fn fail_interrupted(store: &dyn Store, data_dir: &Path) -> Result<(), String> {
    let ids = store.fail_interrupted_exports(now_millis()).await.map_err(|e| e.to_string())?;
    for id in &ids {
        remove(&path(data_dir, id)).await?;
    }
    if !ids.is_empty() {
        tracing::warn!(exports = ids.len(), "marked exports interrupted by the last shutdown as failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
        let export = NewExport {
            id: ids::uuid7(),
            project_id: caller.project_id.clone(),
            direction: Direction::Outbound,
            start_ms: 0,
            end_ms: now,
            status: None,
            endpoint_id: None,
            created_at: now,
        };
        let jobs = ExportJobs::new(store.clone(), config, |buf, entry| serde_json::to_writer(buf, &entry.message_id));
        let ExportCreate::Created(stored) = jobs.create(export, 3).await.expect("create") else {
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
