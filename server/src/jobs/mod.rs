//! Background jobs: the retention janitor ([`retention`]) and the export worker ([`exports`]).
//! [`Jobs::start`] starts them beside the server; [`Jobs::shutdown`] stops the janitor and lets
//! running exports finish within a bounded time. A job that must run on one server process at
//! a time (the janitor) asks the store first ([`crate::store::RetentionStore::try_lead`]).

pub mod exports;
pub mod retention;

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::config::Config;
use crate::store::Store;
use exports::{ExportJobs, LineWriter};

/// How long shutdown waits for running exports before stopping them.
const EXPORT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The running background jobs.
pub struct Jobs {
    janitor: JoinHandle<()>,
    exports: ExportJobs,
}

impl Jobs {
    /// Starts the janitor and the export worker; export files are written line by line with
    /// `write_line`.
    pub fn start(store: Arc<dyn Store>, config: Arc<Config>, write_line: LineWriter) -> Self {
        let janitor = retention::start(store.clone(), config.clone());
        Jobs { janitor, exports: ExportJobs::new(store, config, write_line) }
    }

    /// Where new exports are submitted (shared with the request handlers).
    pub fn exports(&self) -> ExportJobs {
        self.exports.clone()
    }

    /// Stops the janitor at once and waits for running exports (bounded); what is cut off is
    /// built again by another process once its lease ends, or (SQLite) marked `failed` at the
    /// next start.
    pub async fn shutdown(self) {
        self.janitor.abort();
        self.exports.shutdown(EXPORT_DRAIN_TIMEOUT).await;
    }
}
