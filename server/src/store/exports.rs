//! Log exports.

use super::{CompletedExport, NewExport, StoreError, StoredExport};

/// Outcome of creating an export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportCreate {
    /// Stored as `pending`.
    Created(Box<StoredExport>),
    /// The project already has this many exports pending, processing or downloadable; nothing stored.
    LimitReached(i64),
}

/// An export whose download window has ended but whose file is still recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiredExportFile {
    /// Export id.
    pub export_id: String,
    /// The file to delete.
    pub file_path: String,
}

/// Storage of log exports.
#[async_trait::async_trait]
pub trait ExportStore: Send + Sync {
    /// Stores a new `pending` export unless the project already has `max_live` exports that are
    /// pending, processing, or completed and not yet expired at `export.created_at`.
    async fn create_export(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError>;

    /// The project's exports, newest first.
    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError>;

    /// One export of the project.
    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError>;

    /// One export of any project (for signed download links, which carry no API key).
    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError>;

    /// Marks an export `processing`.
    async fn start_export(&self, export_id: &str, now_ms: i64) -> Result<(), StoreError>;

    /// Marks an export `completed` with its file.
    async fn complete_export(&self, export_id: &str, done: CompletedExport) -> Result<(), StoreError>;

    /// Marks an export `failed`.
    async fn fail_export(&self, export_id: &str, error: String, now_ms: i64) -> Result<(), StoreError>;

    /// Up to `limit` completed exports that expired at or before `now_ms` and still have a file.
    async fn expired_export_files(&self, now_ms: i64, limit: usize) -> Result<Vec<ExpiredExportFile>, StoreError>;

    /// Marks an export `expired` and forgets its file and download secret (after the file is gone).
    async fn forget_export_file(&self, export_id: &str) -> Result<(), StoreError>;

    /// Marks every `pending` or `processing` export `failed` (their writer died with the previous
    /// process); returns their ids so their partial files can be deleted.
    async fn fail_interrupted_exports(&self, now_ms: i64) -> Result<Vec<String>, StoreError>;
}
