//! Projects.

use super::{mirror, same, ts};

mirror! {
    /// A project: the unit that owns keys, endpoints and messages.
    Project from hookbridge::Project {
        /// UUIDv7.
        id: String => same,
        /// Tenant that owns the project.
        tenant_id: String => same,
        /// Display name.
        name: String => same,
        /// `active`, `suspended` or `deleted`.
        status: String => same,
        /// API requests per minute allowed for the project.
        rate_limit_default: i64 => same,
        /// Creation time (RFC 3339).
        created_at: String => ts,
    }
}
