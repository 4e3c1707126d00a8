//! Storage: the records the server owns ([`records`] and the records beside each trait), one
//! trait per concept ([`TenancyStore`], [`EndpointStore`], [`MessageStore`], [`ExportStore`],
//! [`InboundStore`], [`PullStore`], [`DeliveryQueue`], [`BacklogStore`], [`RetentionStore`], [`HealthStore`], [`UiSessionStore`];
//! [`Store`] is all of them), and two implementations: SQLite ([`sqlite`], one process, the default) and
//! PostgreSQL ([`postgres`], any number of server processes on one database, work claimed with
//! `FOR UPDATE SKIP LOCKED`).
//!
//! A backend turns rows into records and records into rows, inside the transactions the trait
//! methods promise. It does not decide message rules: it reads the facts, asks
//! [`crate::domain`], and applies the answer, so both backends behave the same. It does not
//! build the API's wire shapes either: the HTTP layer makes those from the records. Background
//! jobs ask [`RetentionStore::try_lead`] before a pass, so a shared database can give a job to
//! one process at a time. The HTTP layer, the jobs and the delivery engine see only [`Store`].

pub mod actors;
pub mod attempts;
pub mod backlog;
pub mod columns;
pub mod deletion;
pub mod due_scan;
pub mod endpoints;
pub mod exports;
pub(crate) mod gathering;
pub mod health;
pub mod inbound;
pub mod list_query;
pub mod messages;
pub mod postgres;
pub mod pull;
pub mod pull_rows;
pub mod queue;
pub mod records;
pub mod retention;
pub mod rows;
pub mod sqlite;
pub mod tenancy;
pub mod ui_sessions;

pub use actors::ActorStore;
pub use attempts::AttemptStore;
pub use backlog::BacklogStore;
pub use deletion::DeletionStore;
pub use endpoints::EndpointStore;
pub use exports::{ExportCreate, ExportStore};
pub use health::HealthStore;
pub use inbound::InboundStore;
pub use messages::MessageStore;
pub use pull::PullStore;
pub use queue::{Allocation, AttemptRecord, ClaimedDelivery, DeliveryQueue, DueHead, DueScan, DueWork, NextState, SendLease};
pub use records::*;
pub use retention::RetentionStore;
pub use tenancy::TenancyStore;
pub use ui_sessions::UiSessionStore;

/// Everything the server needs from storage.
pub trait Store:
    TenancyStore
    + EndpointStore
    + MessageStore
    + DeletionStore
    + AttemptStore
    + ActorStore
    + ExportStore
    + InboundStore
    + PullStore
    + DeliveryQueue
    + BacklogStore
    + RetentionStore
    + HealthStore
    + UiSessionStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: TenancyStore
        + EndpointStore
        + MessageStore
        + DeletionStore
        + AttemptStore
        + ActorStore
        + ExportStore
        + InboundStore
        + PullStore
        + DeliveryQueue
        + BacklogStore
        + RetentionStore
        + HealthStore
        + UiSessionStore
        + Send
        + Sync
        + 'static
{
}

/// A storage failure (domain outcomes such as "not found" are part of each method's return type).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error: {0}")]
    Database(String),
    /// The store has shut down.
    #[error("the store is shut down")]
    Closed,
    /// File system or thread trouble.
    #[error("{0}")]
    Io(String),
    /// A stored value could not be decoded.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// The database cannot be reached right now (PostgreSQL down or restarting). Nothing was
    /// committed; the caller may try again later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}
