//! Results of deleting messages (outbound and inbound).

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, optional_timestamp};

/// Outcomes of deleting one message of a batch (`DeleteOutcome` in Python 2.0).
pub mod outcome {
    /// Deleted by this call.
    pub const DELETED: &str = "deleted";
    /// Deleted before.
    pub const ALREADY_DELETED: &str = "already_deleted";
    /// No such message.
    pub const NOT_FOUND: &str = "not_found";
}

/// Result of `delete_message` / `delete_inbound_message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteMessageResult {
    /// The message.
    pub message_id: String,
    /// When it was deleted (the first deletion's time when it was deleted before).
    pub deleted_at: Timestamp,
    /// Whether it was deleted before this call.
    pub already_deleted: bool,
}

/// One message of a batch deletion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteBatchItemResult {
    /// The message.
    pub message_id: String,
    /// One of [`outcome`].
    pub outcome: String,
    /// When it was deleted (absent when not found).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "optional_timestamp")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<Timestamp>"))]
    pub deleted_at: Option<Timestamp>,
}

/// Result of `delete_messages_batch` / `delete_inbound_messages_batch`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteBatchResult {
    /// One result per id, in the order given.
    #[serde(default)]
    pub results: Vec<DeleteBatchItemResult>,
    /// Messages deleted by this call.
    pub deleted_count: i64,
    /// Messages deleted before.
    pub already_deleted_count: i64,
    /// Ids with no message.
    pub not_found_count: i64,
}

/// A partial failure reported beside the data of a delete-all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeletePartialError {
    /// `DELETE_FAILED` or `PARTIAL_DELETE_FAILURE`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// Result of `delete_messages_all` / `delete_inbound_messages_all`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeleteAllResult {
    /// Messages deleted by this call.
    pub deleted: i64,
    /// Their ids.
    #[serde(default)]
    pub deleted_message_ids: Vec<String>,
    /// A partial failure, when the server reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<DeletePartialError>,
}
