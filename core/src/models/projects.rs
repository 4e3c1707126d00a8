//! Projects.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// A project: the unit that owns keys, endpoints and messages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Project {
    /// UUIDv7.
    pub id: String,
    /// Tenant that owns the project.
    pub tenant_id: String,
    /// Display name.
    pub name: String,
    /// `active`, `suspended` or `deleted`.
    pub status: String,
    /// API requests per minute allowed for the project.
    pub rate_limit_default: i64,
    /// Creation time.
    pub created_at: Timestamp,
}
