//! Log exports.

use super::{mirror, opt_ts, same, ts};

mirror! {
    /// An export job and, once completed, its file's facts.
    ExportRecord from hookbridge::ExportRecord {
        /// UUIDv7.
        id: String => same,
        /// Owning project.
        project_id: String => same,
        /// `pending`, `processing`, `completed`, `failed` or `expired`.
        status: String => same,
        /// Start of the exported time range (RFC 3339).
        filter_start_time: String => ts,
        /// End of the exported time range (RFC 3339).
        filter_end_time: String => ts,
        /// Creation time (RFC 3339).
        created_at: String => ts,
        /// Status filter, if any.
        filter_status: Option<String> => same,
        /// Endpoint filter, if any.
        filter_endpoint_id: Option<String> => same,
        /// Rows written.
        row_count: Option<i64> => same,
        /// File size.
        file_size_bytes: Option<i64> => same,
        /// Why the export failed.
        error_message: Option<String> => same,
        /// When the job started (RFC 3339).
        started_at: Option<String> => opt_ts,
        /// When the job completed (RFC 3339).
        completed_at: Option<String> => opt_ts,
        /// When the download link expires (RFC 3339).
        expires_at: Option<String> => opt_ts,
    }
}
