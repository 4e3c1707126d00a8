//! The writer thread: every write of the SQLite store runs here, in group-committed batches.
//!
//! The thread takes whatever jobs are waiting and runs them in one transaction, then answers
//! every caller once the commit's outcome is known. Jobs run without a savepoint of their own;
//! a job that fails without having
//! written anything costs the batch nothing. Only when a job fails after writing is the batch
//! rolled back and run again with each job in its own savepoint, so one failing job never spoils
//! the others. Every transaction statement is a cached prepared statement.
//!
//! Durability per batch: the writer's connection commits with `synchronous = NORMAL` (written
//! to the WAL, no fsync). With `--sqlite-synchronous full`, a batch with at least one durable
//! job (a send, an API change: anything a caller is told has been stored) is then made durable
//! with one `fdatasync` of the WAL file before any caller is answered, which is what SQLite's
//! `FULL` does at commit. A batch of only queue bookkeeping (claims, releases, attempt outcomes)
//! is not synced: it reaches the disk with the next durable batch or checkpoint (both sync the
//! whole WAL). A crash of the process loses nothing (the OS holds the data); a power loss can
//! lose the latest bookkeeping, which at worst makes a message due again (a redelivery).
//! (Switching `PRAGMA synchronous` per batch would do the same, but SQLite recompiles a pragma
//! statement on every run.)

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::Synchronous;
use crate::store::StoreError;

/// Most jobs folded into one transaction.
const MAX_BATCH: usize = 1024;

/// A write job waiting for the writer thread.
pub(super) type Job = Box<dyn WriteJob>;

/// One write job: run (possibly twice, see the module docs), then answered once.
pub(super) trait WriteJob: Send {
    /// Runs the job on the transaction's connection and keeps its result; false when it failed.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Replaces the job's result with an error of the transaction machinery around it.
    fn fail(&mut self, error: StoreError);
    /// Answers the caller with the job's result, or with `commit`'s error if the batch did not commit.
    fn finish(self: Box<Self>, commit: Result<(), StoreError>);
    /// Whether the caller is told the job's writes are stored (they must reach the disk first).
    fn durable(&self) -> bool;
}

/// A job built from a closure and the channel its result goes back on.
pub(super) struct ClosureJob<R, F> {
    f: F,
    result: Option<Result<R, StoreError>>,
    reply: oneshot::Sender<Result<R, StoreError>>,
    durable: bool,
}

impl<R, F> ClosureJob<R, F> {
    /// A job running `f`, answering on `reply`.
    pub(super) fn new(f: F, reply: oneshot::Sender<Result<R, StoreError>>, durable: bool) -> Self {
        ClosureJob { f, result: None, reply, durable }
    }
}

impl<R, F> WriteJob for ClosureJob<R, F>
where
    R: Send,
    F: Fn(&Connection) -> Result<R, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let result = (self.f)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn fail(&mut self, error: StoreError) {
        self.result = Some(Err(error));
    }

    fn finish(self: Box<Self>, commit: Result<(), StoreError>) {
        let result = match commit {
            Ok(()) => self.result.unwrap_or(Err(StoreError::Closed)),
            Err(e) => Err(e),
        };
        let _ = self.reply.send(result);
    }

    fn durable(&self) -> bool {
        self.durable
    }
}

/// Runs the writer until every sender is gone.
/// `conn` must commit with `synchronous = NORMAL` (or less); with [`Synchronous::Full`] the
/// writer syncs `wal` itself after each durable batch.
pub(super) fn run(conn: Connection, synchronous: Synchronous, wal: PathBuf, jobs: mpsc::Receiver<Job>) {
    let mut writer = Writer { conn, sync_wal: synchronous == Synchronous::Full, wal, wal_file: None };
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = jobs.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let commit = writer.commit_batch(&mut batch);
        for job in batch.drain(..) {
            job.finish(commit.clone());
        }
    }
}

struct Writer {
    conn: Connection,
    /// Durable batches are synced (`--sqlite-synchronous full`).
    sync_wal: bool,
    /// The database's WAL file.
    wal: PathBuf,
    /// The WAL file, opened at the first sync (SQLite keeps it while the connection is open).
    wal_file: Option<File>,
}

impl Writer {
    /// Runs `jobs` in one transaction and commits it.
    fn commit_batch(&mut self, jobs: &mut [Job]) -> Result<(), StoreError> {
        self.exec("BEGIN IMMEDIATE")?;
        if !self.run_plain(jobs) {
            // A job failed after writing: undo the batch, then give each job its own savepoint.
            if !self.conn.is_autocommit() {
                self.exec("ROLLBACK")?;
            }
            self.exec("BEGIN IMMEDIATE")?;
            for job in jobs.iter_mut() {
                self.run_in_savepoint(job.as_mut());
            }
        }
        let commit = self.exec("COMMIT");
        if commit.is_err() && !self.conn.is_autocommit() {
            let _ = self.exec("ROLLBACK");
        }
        commit?;
        if self.sync_wal && jobs.iter().any(|job| job.durable()) {
            self.sync()?;
        }
        Ok(())
    }

    /// Makes every commit so far durable: one `fdatasync` of the WAL file.
    fn sync(&mut self) -> Result<(), StoreError> {
        let cannot = |e: std::io::Error| StoreError::Io(format!("cannot sync {}: {e}", self.wal.display()));
        if self.wal_file.is_none() {
            let file = File::open(&self.wal).map_err(cannot)?;
            // Once: the directory entry of a WAL file SQLite may have just created.
            if let Some(dir) = self.wal.parent() {
                File::open(dir).and_then(|d| d.sync_all()).map_err(cannot)?;
            }
            self.wal_file = Some(file);
        }
        match &self.wal_file {
            Some(file) => file.sync_data().map_err(cannot),
            None => Ok(()),
        }
    }

    /// Runs every job without savepoints; false if one failed after writing (or its failure
    /// ended the transaction), so the batch must be undone.
    fn run_plain(&self, jobs: &mut [Job]) -> bool {
        for job in jobs.iter_mut() {
            let before = self.conn.total_changes();
            if !job.run(&self.conn) && (self.conn.total_changes() != before || self.conn.is_autocommit()) {
                return false;
            }
        }
        true
    }

    /// Runs one job in its own savepoint: if it fails, only its writes are undone.
    fn run_in_savepoint(&self, job: &mut dyn WriteJob) {
        if let Err(e) = self.exec("SAVEPOINT job") {
            job.fail(e);
            return;
        }
        let undo = if job.run(&self.conn) { Ok(()) } else { self.exec("ROLLBACK TO job") };
        if let Err(e) = undo.and_then(|()| self.exec("RELEASE job")) {
            job.fail(e);
        }
    }

    /// Runs a statement without parameters or rows through the statement cache.
    fn exec(&self, sql: &str) -> Result<(), StoreError> {
        exec(&self.conn, sql)
    }
}

/// Runs a statement without parameters or rows (`SAVEPOINT`, `COMMIT`…) on `conn` through its
/// statement cache.
pub(super) fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)?.raw_execute()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job for `batch`, and where its answer arrives.
    fn job<F>(f: F, durable: bool) -> (Job, oneshot::Receiver<Result<i64, StoreError>>)
    where
        F: Fn(&Connection) -> Result<i64, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        (Box::new(ClosureJob::new(f, tx, durable)), rx)
    }

    fn insert(conn: &Connection, n: i64) -> Result<i64, StoreError> {
        conn.prepare_cached("INSERT INTO t (n) VALUES (?1)")?.execute([n])?;
        Ok(n)
    }

    #[test]
    fn a_job_failing_after_writing_spoils_only_its_own_writes() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER NOT NULL)").unwrap();
        let mut writer = Writer { conn, sync_wal: false, wal: PathBuf::new(), wal_file: None };
        let (first, first_answer) = job(|conn| insert(conn, 1), true);
        // Writes, then fails: its row must not be committed.
        let (broken, broken_answer) = job(
            |conn| {
                insert(conn, 2)?;
                Err(StoreError::Io("job failed".into()))
            },
            true,
        );
        // Fails without writing: costs the batch nothing.
        let (refused, refused_answer) = job(|_| Err(StoreError::Io("refused".into())), false);
        let (last, last_answer) = job(|conn| insert(conn, 3), false);
        let mut batch = vec![first, broken, refused, last];

        let commit = writer.commit_batch(&mut batch);
        assert!(commit.is_ok());
        for job in batch {
            job.finish(commit.clone());
        }
        assert_eq!(first_answer.blocking_recv().unwrap().unwrap(), 1);
        assert!(broken_answer.blocking_recv().unwrap().is_err());
        assert!(refused_answer.blocking_recv().unwrap().is_err());
        assert_eq!(last_answer.blocking_recv().unwrap().unwrap(), 3);
        let mut stmt = writer.conn.prepare("SELECT n FROM t ORDER BY n").unwrap();
        let rows: Vec<i64> = stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(rows, vec![1, 3], "every job's writes but the failed one's are committed, once");
    }
}
