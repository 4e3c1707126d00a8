//! The writer thread: every write of the SQLite store runs here, in group-committed batches.
//!
//! The thread takes whatever jobs are waiting and runs them in one transaction, then answers every caller once the commit's
//! outcome is known. Jobs run without a savepoint of their own; a job that fails without having
//! written anything costs the batch nothing. Only when a job fails after writing is the batch
//! rolled back and run again with each job in its own savepoint, so one failing job never spoils
//! the others. Every transaction statement is a cached prepared statement.
//!
//! Durability per batch: a batch with at least one durable job (a send, an API change: anything
//! a caller is told has been stored) commits with the configured `--sqlite-synchronous` (`full`:
//! fsync before the callers are answered). A batch of only queue bookkeeping (claims, releases,
//! attempt outcomes) commits with `synchronous = NORMAL`: written to the WAL without waiting for
//! the disk, and made durable by the next fsync (the next durable commit or checkpoint). A crash
//! of the process loses nothing (the OS holds the data); a power loss can lose the latest
//! bookkeeping, which at worst makes a message due again (a redelivery).

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
pub(super) fn run(conn: Connection, synchronous: Synchronous, jobs: mpsc::Receiver<Job>) {
    let mut writer = Writer { conn, synchronous, relaxed: false };
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
    synchronous: Synchronous,
    /// The connection currently commits with `synchronous = NORMAL` although `full` is configured.
    relaxed: bool,
}

impl Writer {
    /// Runs `jobs` in one transaction and commits it.
    fn commit_batch(&mut self, jobs: &mut [Job]) -> Result<(), StoreError> {
        self.set_durability(jobs.iter().any(|job| job.durable()))?;
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
        commit
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

    /// Commits the next batch durably (the configured mode) or relaxed (`NORMAL`).
    fn set_durability(&mut self, durable: bool) -> Result<(), StoreError> {
        if self.synchronous != Synchronous::Full || self.relaxed != durable {
            return Ok(());
        }
        self.exec(if durable { "PRAGMA synchronous = FULL" } else { "PRAGMA synchronous = NORMAL" })?;
        self.relaxed = !durable;
        Ok(())
    }

    /// Runs a statement without parameters or rows through the statement cache.
    fn exec(&self, sql: &str) -> Result<(), StoreError> {
        self.conn.prepare_cached(sql)?.raw_execute()?;
        Ok(())
    }
}
