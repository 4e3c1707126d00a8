//! Log exports.

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, optional_timestamp};

/// An export job and, once completed, its file's facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ExportRecord {
    /// UUIDv7.
    pub id: String,
    /// Owning project.
    pub project_id: String,
    /// `pending`, `processing`, `completed`, `failed` or `expired`.
    pub status: String,
    /// Start of the exported time range.
    pub filter_start_time: Timestamp,
    /// End of the exported time range.
    pub filter_end_time: Timestamp,
    /// Creation time.
    pub created_at: Timestamp,
    /// Status filter, if any.
    #[serde(default)]
    pub filter_status: Option<String>,
    /// Endpoint filter, if any.
    #[serde(default)]
    pub filter_endpoint_id: Option<String>,
    /// Rows written.
    #[serde(default)]
    pub row_count: Option<i64>,
    /// File size.
    #[serde(default)]
    pub file_size_bytes: Option<i64>,
    /// Why the export failed.
    #[serde(default)]
    pub error_message: Option<String>,
    /// When the job started.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub started_at: Option<Timestamp>,
    /// When the job completed.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub completed_at: Option<Timestamp>,
    /// When the download link expires.
    #[serde(default, with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub expires_at: Option<Timestamp>,
}
