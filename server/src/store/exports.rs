//! Log exports.

use super::columns::Columns;
use super::{CompletedExport, Direction, ExportJob, NewExport, StoreError, StoredExport};
use crate::secrets::{SecretBox, SecretField};

/// The columns every backend selects for an export, in this order (see [`ExportColumns`]).
pub(crate) const EXPORT_COLUMNS: &str = "id, project_id, status, filter_start_time, filter_end_time, created_at, \
    filter_status, filter_endpoint_id, row_count, file_size_bytes, error_message, started_at, completed_at, expires_at, \
    direction, file_path, download_token";

/// One export row as stored (the download secret sealed), in the order of [`EXPORT_COLUMNS`];
/// both backends read rows into it and build the record with [`ExportColumns::into_export`].
pub(crate) struct ExportColumns {
    job: ExportJob,
    direction: String,
    file_path: Option<String>,
    download_token: Option<String>,
}

impl ExportColumns {
    /// Reads a row selected with [`EXPORT_COLUMNS`].
    pub(crate) fn read<R: Columns>(r: &R) -> Result<ExportColumns, R::Error> {
        Ok(ExportColumns {
            job: ExportJob {
                id: r.text(0)?,
                project_id: r.text(1)?,
                status: r.text(2)?,
                filter_start_ms: r.int(3)?,
                filter_end_ms: r.int(4)?,
                created_at: r.int(5)?,
                filter_status: r.opt_text(6)?,
                filter_endpoint_id: r.opt_text(7)?,
                row_count: r.opt_int(8)?,
                file_size_bytes: r.opt_int(9)?,
                error_message: r.opt_text(10)?,
                started_at: r.opt_int(11)?,
                completed_at: r.opt_int(12)?,
                expires_at: r.opt_int(13)?,
            },
            direction: r.text(14)?,
            file_path: r.opt_text(15)?,
            download_token: r.opt_text(16)?,
        })
    }

    /// The stored export, its download secret opened with `keys`.
    pub(crate) fn into_export(self, keys: &SecretBox) -> Result<StoredExport, StoreError> {
        let download_secret = keys.open_opt(SecretField::ExportDownloadSecret, &self.job.id, self.download_token.as_deref())?;
        Ok(StoredExport {
            record: self.job,
            direction: if self.direction == "inbound" { Direction::Inbound } else { Direction::Outbound },
            file_path: self.file_path,
            download_secret,
        })
    }
}

/// Outcome of creating an export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExportCreate {
    /// Stored as `pending`.
    Created(Box<StoredExport>),
    /// The project already has this many exports pending, processing or downloadable; nothing stored.
    LimitReached(i64),
}

/// Storage of log exports and of their content (the JSON lines a download answers).
///
/// An export is built by whichever server process claims it ([`ExportStore::claim_export`]);
/// the claim is a lease that writing the content renews, so when the builder dies another
/// process claims the export again once the lease ends and builds it from the start. Every
/// write of a builder names its claim and is refused once the claim is lost.
#[async_trait::async_trait]
pub trait ExportStore: Send + Sync {
    /// Stores a new `pending` export unless the project already has `max_live` exports that are
    /// pending, processing, or completed and not yet expired at `export.created_at`.
    async fn create_export(&self, export: NewExport, max_live: u32) -> Result<ExportCreate, StoreError>;

    /// The project's exports, newest first.
    async fn list_exports(&self, project_id: &str) -> Result<Vec<StoredExport>, StoreError>;

    /// One export of the project.
    async fn get_export(&self, project_id: &str, export_id: &str) -> Result<Option<StoredExport>, StoreError>;

    /// Deletes an export of the project and its content; `false` when there is no such export.
    /// A build still running for it finds its claim gone and stores nothing.
    async fn delete_export(&self, project_id: &str, export_id: &str) -> Result<bool, StoreError>;

    /// One export of any project (for signed download links, which carry no API key).
    async fn get_export_for_download(&self, export_id: &str) -> Result<Option<StoredExport>, StoreError>;

    /// Claims the oldest export waiting to be built (`pending`, or `processing` with a lease that
    /// ended at or before `now_ms` because its builder died), marks it `processing` under the claim
    /// `claimant` until `lease_until`, and returns it; `None` when nothing waits.
    async fn claim_export(&self, claimant: &str, now_ms: i64, lease_until: i64) -> Result<Option<StoredExport>, StoreError>;

    /// Appends part `part` of the export's content (whole JSON lines; part 0 first, and part 0
    /// discards whatever an earlier claim wrote) and extends the lease to `lease_until`, if
    /// `claimant` still holds the export. `Ok(false)`: the claim is lost; nothing was written.
    async fn append_export_content(
        &self,
        export_id: &str,
        claimant: &str,
        part: i64,
        content: Vec<u8>,
        lease_until: i64,
    ) -> Result<bool, StoreError>;

    /// Marks an export `completed` (its content written), if `claimant` still holds it;
    /// `Ok(false)` when the claim is lost.
    async fn complete_export(&self, export_id: &str, claimant: &str, done: CompletedExport) -> Result<bool, StoreError>;

    /// Marks an export `failed` and deletes its partial content, if `claimant` still holds it.
    async fn fail_export(&self, export_id: &str, claimant: &str, error: String, now_ms: i64) -> Result<(), StoreError>;

    /// The content of a completed export; `None` once it is gone.
    async fn export_content(&self, export_id: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Deletes the content of up to `limit` completed exports whose download window ended at or
    /// before `now_ms` and marks them `expired` (forgetting their download secret); returns how
    /// many. Content that cannot be deleted stays, and its export is tried again next time.
    async fn expire_exports(&self, now_ms: i64, limit: usize) -> Result<usize, StoreError>;

    /// At start: marks every export whose builder died with the previous process `failed` (and
    /// deletes its partial content); returns their ids. A store shared by several processes
    /// answers none: their leases end and another process builds them.
    async fn fail_interrupted_exports(&self, now_ms: i64) -> Result<Vec<String>, StoreError>;
}
