//! Export files on disk: `<data_dir>/exports/<export id>.jsonl`, mode 0600 in a 0700 directory.
//! A file lives as long as its download window (`--export-ttl-secs`): the janitor deletes it
//! afterwards and marks the export `expired`. A failed export's partial file is deleted at once,
//! and exports cut off by a restart are marked `failed` at start.

use std::path::{Path, PathBuf};

use crate::store::Store;

/// Expired exports handled per store round trip.
const BATCH: usize = 100;

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
    let ids = store.fail_interrupted_exports(crate::clock::now_millis()).await.map_err(|e| e.to_string())?;
    for id in &ids {
        remove(&path(data_dir, id)).await?;
    }
    if !ids.is_empty() {
        tracing::warn!(exports = ids.len(), "marked exports interrupted by the last shutdown as failed");
    }
    Ok(())
}
