//! The PostgreSQL store: the same traits as SQLite, for any number of server processes on one
//! database. PostgreSQL does the coordination with its own locking: work is claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease, idempotency is a unique index, cluster-wide jobs take an
//! advisory lock, and `LISTEN`/`NOTIFY` wakes every node when work is stored.
//!
//! Connections come from a pool (deadpool-postgres over tokio-postgres). When the database
//! cannot be reached, every method fails with [`StoreError::Unavailable`] (the API answers 503
//! with `Retry-After`), and the pool reconnects by itself once the database is back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

use crate::secrets::{SecretBox, SecretsSettings};
use crate::store::StoreError;

mod actors;
mod attempts;
mod backlog;
mod caps;
mod claim;
mod deletion;
mod due_work;
mod endpoints;
mod exports;
mod health;
mod inbound;
mod message_insert;
mod messages;
mod notify;
mod pull;
mod queue;
mod retention;
mod secrets;
mod send_batch;
mod signing_keys;
mod sql;
mod tenancy;
mod ui_sessions;

/// Embedded migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_queue.sql"),
    include_str!("migrations/0003_jobs.sql"),
    include_str!("migrations/0004_v2msg.sql"),
    include_str!("migrations/0005_v2inbound.sql"),
    include_str!("migrations/0006_v2pull.sql"),
    include_str!("migrations/0007_sigout.sql"),
    include_str!("migrations/0008_presets.sql"),
    include_str!("migrations/0009_ui2.sql"),
];

/// Advisory lock key held while migrations run, so nodes starting together migrate once.
const MIGRATION_LOCK: i64 = 0x4842_4d49_4752_4154; // "HBMIGRAT"

/// Pooled connections per node.
const POOL_SIZE: usize = 16;
/// Pooled connections per node for the delivery queue (claims, attempt records, releases).
const DELIVERY_POOL_SIZE: usize = 4;
/// How the delivery queue's connections commit: without waiting for the WAL flush. A claim,
/// release or attempt record lost in a database crash only means a redelivery, which
/// at-least-once allows; sends and every other write keep waiting for their flush.
const DELIVERY_SESSION_OPTIONS: &str = "-c synchronous_commit=off";
/// How long a request waits for a pooled connection (or a new one) before answering 503.
const CONNECT_WAIT: Duration = Duration::from_secs(5);

/// Handle to the PostgreSQL database; cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Connections of the delivery queue, committing without waiting for the WAL flush
    /// ([`DELIVERY_SESSION_OPTIONS`]).
    delivery: Pool,
    secrets: Arc<SecretBox>,
    url: Arc<str>,
    /// This process's name in leases (`messages.leased_by`).
    node_id: Arc<str>,
    /// Fired when another node stores due work (see [`notify`]).
    wake: Arc<tokio::sync::Notify>,
    /// Whether the listener behind `wake` runs.
    listening: Arc<std::sync::atomic::AtomicBool>,
    /// Fired when this node stored due work: the announcer tells the other nodes.
    announce: Arc<tokio::sync::Notify>,
    /// Whether the announcer runs.
    announcing: Arc<std::sync::atomic::AtomicBool>,
    /// The payload of this process's notifications (a UUIDv7), so its listener can skip its
    /// own: its engine was woken directly.
    announcer_tag: Arc<str>,
    /// Stores concurrent sends together, one statement and one commit per batch.
    sends: send_batch::SendBatcher,
    /// Connections holding the advisory lock of each cluster-wide job this node leads.
    job_leads: Arc<tokio::sync::Mutex<HashMap<String, deadpool_postgres::ClientWrapper>>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("database", &redact_url(&self.url)).finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (a `postgres://` URL or a libpq key=value string), applies migrations
    /// under an advisory lock (safe when several nodes start at once), loads the secrets keys and
    /// seals or re-seals stored secrets as needed. Fails when the database cannot be reached or
    /// the secrets key is not the one the database was encrypted with.
    pub async fn connect(url: &str, keys: &SecretsSettings) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Io(format!("invalid --database-url {}: {e}", redact_url(url))))?;
        let mut delivery_config = config.clone();
        let options = match config.get_options() {
            Some(options) => format!("{options} {DELIVERY_SESSION_OPTIONS}"),
            None => DELIVERY_SESSION_OPTIONS.to_owned(),
        };
        delivery_config.options(&options);
        let pool = build_pool(config, POOL_SIZE)?;
        let delivery = build_pool(delivery_config, DELIVERY_POOL_SIZE)?;
        let mut client = pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot connect to the database {}: {e}", redact_url(url))))?;
        migrate(&mut client).await?;
        let stored_key_id = secrets::stored_key_id(&client).await?;
        let keys = Arc::new(keys.load(stored_key_id.as_deref()).map_err(StoreError::Io)?);
        secrets::startup_pass(&mut client, &keys).await?;
        drop(client);
        Ok(PgStore {
            sends: send_batch::SendBatcher::start(pool.clone(), delivery.clone(), keys.clone(), send_batch::GATHER_MAX),
            pool,
            delivery,
            secrets: keys,
            url: Arc::from(url),
            node_id: Arc::from(default_node_id()),
            wake: Arc::default(),
            listening: Arc::default(),
            announce: Arc::default(),
            announcing: Arc::default(),
            announcer_tag: Arc::from(crate::ids::uuid7()),
            job_leads: Arc::default(),
        })
    }

    /// This process's node id, written into the leases it takes.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Names this process `node_id` in its leases (default: `hostname-pid-random`). A stable id
    /// lets a restarted node take back at once the leases its previous run left behind.
    pub fn set_node_id(&mut self, node_id: &str) {
        self.node_id = Arc::from(node_id);
    }

    /// Lets a batch of sends wait up to `gather` for the senders the last batch answered
    /// (default 1 ms). Call before the store takes sends: the batcher started by
    /// [`PgStore::connect`] is replaced.
    pub fn set_send_gather(&mut self, gather: Duration) {
        self.sends = send_batch::SendBatcher::start(self.pool.clone(), self.delivery.clone(), self.secrets.clone(), gather);
    }

    /// The database URL this store was opened with (may hold a password: never log it as is).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The keys that seal and open stored secrets.
    pub(crate) fn secrets(&self) -> Arc<SecretBox> {
        self.secrets.clone()
    }

    /// A pooled connection, or [`StoreError::Unavailable`] when none can be had in time.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// A pooled connection of the delivery queue, whose commits do not wait for the WAL flush:
    /// only for writes whose loss in a database crash means at worst a redelivery.
    pub(super) async fn delivery_client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.delivery.get().await.map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

/// A pool of up to `size` connections to `config`.
fn build_pool(config: tokio_postgres::Config, size: usize) -> Result<Pool, StoreError> {
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(CONNECT_WAIT))
        .create_timeout(Some(CONNECT_WAIT))
        .recycle_timeout(Some(CONNECT_WAIT))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| StoreError::Io(format!("cannot set up the database pool: {e}")))
}

/// `hostname-pid-random`: unique for every run of every process.
fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "node".to_owned());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..8])
}

/// Applies the pending migrations while holding [`MIGRATION_LOCK`]; each runs in its own
/// transaction with its version row, so a crash leaves the schema at a known version.
async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_err)?;
    let result = migrate_locked(client).await;
    let unlock = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_err);
    result.and(unlock.map(|_| ()))
}

async fn migrate_locked(client: &mut Client) -> Result<(), StoreError> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        .await
        .map_err(pg_err)?;
    let current: i64 =
        client.query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations", &[]).await.map_err(pg_err)?.get(0);
    if current as usize > MIGRATIONS.len() {
        return Err(StoreError::Io(format!(
            "database schema version {current} is newer than this server supports ({}); upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = client.transaction().await.map_err(pg_err)?;
        tx.batch_execute(sql).await.map_err(pg_err)?;
        let version = i as i64 + 1;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
            &[&version, &crate::clock::now_millis()],
        )
        .await
        .map_err(pg_err)?;
        tx.commit().await.map_err(pg_err)?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

/// Maps a driver error: lost or refused connections and a database that is shutting down or
/// starting become [`StoreError::Unavailable`]; everything else is a database error.
pub(crate) fn pg_err(e: tokio_postgres::Error) -> StoreError {
    if e.is_closed() {
        return StoreError::Unavailable(e.to_string());
    }
    match e.code() {
        None => StoreError::Unavailable(e.to_string()),
        Some(code) if is_unavailable(code) => StoreError::Unavailable(e.to_string()),
        Some(_) => StoreError::Database(e.to_string()),
    }
}

fn is_unavailable(code: &SqlState) -> bool {
    let c = code.code();
    // Class 08: connection exceptions; 57P01..57P03: admin/crash shutdown, cannot connect now.
    c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03" | "53300")
}

/// Column `idx` of a row, or [`StoreError::Corrupt`] when it does not hold a `T` (never a panic).
pub(crate) fn col<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a tokio_postgres::Row, idx: usize) -> Result<T, StoreError> {
    row.try_get(idx).map_err(|e| StoreError::Corrupt(format!("column {idx}: {e}")))
}

/// Whether the error is a unique-constraint violation (e.g. an idempotency key inserted by
/// another node at the same moment).
pub(crate) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// The URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some(hookbridge::REDACTED));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) if url.contains("password") => hookbridge::REDACTED.to_owned(),
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_messages() {
        let shown = redact_url("postgres://hb:s3cret@127.0.0.1:5432/hb");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("127.0.0.1:5432/hb"), "{shown}");
        assert_eq!(redact_url("host=/tmp password=s3cret dbname=hb"), hookbridge::REDACTED);
        assert_eq!(redact_url("host=/tmp dbname=hb"), "host=/tmp dbname=hb");
    }
}
