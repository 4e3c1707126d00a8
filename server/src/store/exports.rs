//! Log exports.

use super::{CompletedExport, NewExport, StoreError, StoredExport};

/// Storage of log exports.
#[async_trait::async_trait]
pub trait ExportStore: Send + Sync {
    /// Stores a new `pending` export.
    async fn create_export(&self, export: NewExport) -> Result<StoredExport, StoreError>;

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
}
