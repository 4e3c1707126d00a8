//! The SQLite store: one database file in the data dir, WAL mode, versioned migrations.
//!
//! Writes go through one writer thread (`writer.rs`) that batches whatever is waiting into a
//! single transaction (group commit): the batch commits once, and only then is every job's
//! caller answered. So a send is acknowledged only after it is durable, without paying one fsync
//! per request; the delivery queue's own bookkeeping (claims, releases, outcomes) does not wait
//! for the disk at all. Reads use a small pool of connections.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Semaphore, oneshot};

use crate::secrets::{SecretBox, SecretsSettings};
use crate::store::StoreError;

mod actors;
mod api_keys;
mod attempts;
mod backlog;
mod deletion;
mod due_work;
mod endpoints;
mod export_files;
mod exports;
mod health;
mod held;
mod inbound;
mod message_queries;
mod message_writes;
mod messages;
mod projects;
mod pull;
mod queue;
mod retention;
mod secrets;
mod server_settings;
mod signing_keys;
mod status;
mod targets;
mod ui_sessions;
mod writer;

/// Embedded migrations, applied in order; the index + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_exports_direction.sql"),
    include_str!("migrations/0003_ingest_abuse.sql"),
    include_str!("migrations/0004_secrets_key.sql"),
    include_str!("migrations/0005_fair_claims.sql"),
    include_str!("migrations/0006_api_key_scopes.sql"),
    include_str!("migrations/0007_v2msg.sql"),
    include_str!("migrations/0008_v2inbound.sql"),
    include_str!("migrations/0009_v2pull.sql"),
    include_str!("migrations/0010_sigout.sql"),
    include_str!("migrations/0011_presets.sql"),
    include_str!("migrations/0012_ui2.sql"),
    include_str!("migrations/0013_drop_messages_due.sql"),
    include_str!("migrations/0014_endpoint_held_index.sql"),
];

/// Reader connections.
const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

/// How hard SQLite syncs to disk on commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    /// fsync on every commit: survives power loss (default).
    Full,
    /// fsync at checkpoints: survives a process crash, may lose the last commits on power loss.
    Normal,
}

/// Handle to the SQLite database; cheap to clone.
#[derive(Clone)]
pub struct SqliteStore {
    writer: mpsc::Sender<writer::Job>,
    readers: Arc<ReaderPool>,
    path: PathBuf,
    secrets: Arc<SecretBox>,
}

struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl SqliteStore {
    /// Opens (creating if needed, mode 0600 in a 0700 dir) `<data_dir>/hookbridge.db`, applies
    /// migrations, loads the secrets keys (creating the key file of a database without encrypted
    /// secrets), encrypts or re-encrypts stored secrets as needed ([`crate::secrets`]) and starts
    /// the writer thread. Fails when the secrets key is not the one the database was encrypted with.
    pub fn open(data_dir: &Path, synchronous: Synchronous, keys: &SecretsSettings) -> Result<Self, StoreError> {
        crate::data_dir::ensure_private_dir(data_dir).map_err(StoreError::Io)?;
        let path = data_dir.join("hookbridge.db");
        // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
        crate::data_dir::open_private_file(&path)
            .map_err(|e| StoreError::Io(format!("cannot create the database {}: {e}", path.display())))?;
        let mut writer_conn = open_connection(&path, synchronous)?;
        migrate(&mut writer_conn)?;
        let stored_key_id = secrets::stored_key_id(&writer_conn)?;
        let keys = Arc::new(keys.load(stored_key_id.as_deref()).map_err(StoreError::Io)?);
        secrets::startup_pass(&mut writer_conn, &keys)?;
        for companion in ["hookbridge.db-wal", "hookbridge.db-shm", "hookbridge.db-journal"] {
            crate::data_dir::restrict_file(&data_dir.join(companion)).map_err(StoreError::Io)?;
        }
        let mut idle = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let conn = open_connection(&path, synchronous)?;
            idle.push(conn);
        }
        // From here the writer commits without fsync and syncs the WAL itself after durable
        // batches ([`writer`]).
        writer_conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        let (tx, rx) = mpsc::channel();
        let wal = data_dir.join("hookbridge.db-wal");
        std::thread::Builder::new()
            .name("hookbridge-sqlite-writer".into())
            .spawn(move || {
                let mut writer_conn = writer_conn;
                if let Err(e) = targets::keep_on(&mut writer_conn) {
                    tracing::warn!(error = %e, "delivery targets are read for every claim: cannot hook the writer's connection");
                }
                writer::run(writer_conn, synchronous, wal, rx)
            })
            .map_err(|e| StoreError::Io(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore {
            writer: tx,
            readers: Arc::new(ReaderPool { idle: Mutex::new(idle), permits: Semaphore::new(READERS) }),
            path,
            secrets: keys,
        })
    }

    /// The keys that seal and open stored secrets (cheap to clone into a job).
    pub(crate) fn secrets(&self) -> Arc<SecretBox> {
        self.secrets.clone()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in the next group-committed write transaction; resolves once the batch is durable.
    /// If `f` fails, only its own changes are rolled back. `f` may run twice (when another job
    /// of its batch fails after writing, the batch is undone and run again job by job), so it
    /// must not act outside the connection.
    pub async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: Fn(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.submit(f, true).await
    }

    /// Like [`SqliteStore::write`], for the delivery queue's bookkeeping (claims, releases,
    /// attempt outcomes): resolves once committed, without waiting for the disk unless a durable
    /// job shares the batch. A power loss can undo it, which at worst causes a redelivery.
    pub(super) async fn write_relaxed<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: Fn(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.submit(f, false).await
    }

    async fn submit<R, F>(&self, f: F, durable: bool) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: Fn(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.writer.send(Box::new(writer::ClosureJob::new(f, tx, durable))).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on a reader connection (off the async threads).
    pub async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let _permit = self.readers.permits.acquire().await.map_err(|_| StoreError::Closed)?;
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.idle.lock().map_err(|_| StoreError::Closed)?.pop().ok_or(StoreError::Closed)?;
            let result = f(&conn);
            if let Ok(mut idle) = pool.idle.lock() {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Io(format!("reader task failed: {e}")))?
    }
}

fn open_connection(path: &Path, synchronous: Synchronous) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let sync = match synchronous {
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = 10000; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;"
    ))?;
    // Plans must not depend on bound values: otherwise SQLite marks a statement whose parameter
    // it compared with a partial index's condition (`idempotency_key IS NOT NULL` on messages)
    // to be recompiled each time that parameter is bound again, e.g. every `WHERE id = ?1`.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Every store query goes through `prepare_cached`; the default 16 slots would thrash.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )?;
    let current: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    if current as usize > MIGRATIONS.len() {
        return Err(StoreError::Io(format!(
            "database schema version {current} is newer than this server supports ({}); upgrade the server",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            rusqlite::params![i as i64 + 1, crate::clock::now_millis()],
        )?;
        tx.commit()?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    Ok(())
}
