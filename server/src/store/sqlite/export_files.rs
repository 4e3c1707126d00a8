//! Export content in files, as the SQLite store keeps it: `<data_dir>/exports/<export id>.jsonl`,
//! mode 0600 in a 0700 directory, written part by part as the export is built. A file lives as
//! long as its download window (`--export-ttl-secs`); a failed export's partial file is deleted
//! at once. (PostgreSQL keeps the content in the database, so any node serves any download.)

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the file of an export lives.
pub(super) fn path(data_dir: &Path, export_id: &str) -> PathBuf {
    data_dir.join("exports").join(format!("{export_id}.jsonl"))
}

/// Writes part `part` of an export's file: part 0 starts a new file (mode 0600, its directory
/// 0700, replacing what an earlier attempt left), later parts append. Returns the file's path.
pub(super) async fn write_part(data_dir: &Path, export_id: &str, part: i64, content: Vec<u8>) -> Result<PathBuf, String> {
    let path = path(data_dir, export_id);
    let target = path.clone();
    blocking(move || {
        let mut file = if part == 0 {
            if let Some(dir) = target.parent() {
                crate::data_dir::ensure_private_dir(dir)?;
            }
            remove_now(&target)?;
            crate::data_dir::create_private_file(&target).map_err(|e| format!("cannot create the export file: {e}"))?
        } else {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&target)
                .map_err(|e| format!("cannot open the export file {}: {e}", target.display()))?
        };
        file.write_all(&content).map_err(|e| format!("cannot write the export file: {e}"))
    })
    .await?;
    Ok(path)
}

/// Flushes a finished file to disk.
pub(super) async fn sync(path: &Path) -> Result<(), String> {
    let target = path.to_owned();
    blocking(move || {
        std::fs::File::open(&target)
            .and_then(|f| f.sync_all())
            .map_err(|e| format!("cannot sync the export file {}: {e}", target.display()))
    })
    .await
}

/// The content of a file; `None` when it is gone.
pub(super) async fn read(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let target = path.to_owned();
    blocking(move || match std::fs::read(&target) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(None),
        Err(e) => Err(format!("cannot read the export file {}: {e}", target.display())),
    })
    .await
}

/// Deletes a file; one that is already gone (or whose directory is not one) counts as deleted.
pub(super) async fn remove(path: &Path) -> Result<(), String> {
    let target = path.to_owned();
    blocking(move || remove_now(&target)).await
}

fn remove_now(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => Ok(()),
        Err(e) => Err(format!("cannot delete {}: {e}", path.display())),
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|e| format!("export file task failed: {e}"))?
}
