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
//!
//! On a slow disk a durable batch may wait a little for more durable jobs ([`Gathering`]): as
//! many as the last durable batch saw callers, for at most 1 ms, and only when the last sync of
//! the WAL took at least [`GATHER_WORTH`]. Callers that write again as soon as they are answered
//! then share one sync instead of splitting into two halves that take turns. A lone caller never
//! waits.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::Synchronous;
use crate::store::StoreError;
use crate::store::gathering::{Gathering, Waited};

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
    Writer::new(conn, synchronous == Synchronous::Full, wal).serve(&jobs);
}

impl Writer {
    /// A writer committing on `conn`; with `sync_wal`, durable batches are synced (`wal`).
    fn new(conn: Connection, sync_wal: bool, wal: PathBuf) -> Self {
        Writer { conn, sync_wal, wal, wal_file: None, last_sync: Duration::ZERO, gather_from: GATHER_WORTH, syncs: 0 }
    }

    /// Commits the jobs of `jobs` in batches until every sender is gone.
    fn serve(&mut self, jobs: &mpsc::Receiver<Job>) {
        let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        // The next batch's jobs while the last one's callers are answered.
        let mut spare: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        let mut gathering = Gathering::default();
        loop {
            if batch.is_empty() {
                match jobs.recv() {
                    Ok(first) => batch.push(first),
                    Err(_) => return,
                }
            }
            take_waiting(jobs, &mut batch);
            let mut waited = Waited::No;
            if self.sync_wal && self.last_sync >= self.gather_from {
                let wanted = gathering.wait_for(durable(&batch));
                if wanted > 0 {
                    waited = wait_for_writers(jobs, &mut batch, wanted, GATHER_MAX);
                }
            }
            let taken = durable(&batch);
            let commit = self.commit_batch(&mut batch);
            // The jobs that came during the commit, counted before its callers are answered
            // (and may write again), are callers of their own.
            let mut next = std::mem::take(&mut spare);
            take_waiting(jobs, &mut next);
            let queued = durable(&next);
            let mut done = std::mem::replace(&mut batch, next);
            for job in done.drain(..) {
                job.finish(commit.clone());
            }
            spare = done;
            if taken > 0 {
                gathering.after(taken, queued, waited);
            }
        }
    }
}

/// Longest a durable batch waits for the writers of the last one to write again.
const GATHER_MAX: Duration = Duration::from_millis(1);
/// Durable batches wait for writers only when the last sync of the WAL took at least this long:
/// on a disk that syncs faster, the writer idling while callers come back costs more than the
/// commit it saves (`bench/server.sh` at 16 senders: 8,090–9,889 sends/s with the wait against
/// 11,272–11,692 without, on a disk syncing in 0.09 ms).
const GATHER_WORTH: Duration = Duration::from_micros(500);

/// Moves the jobs waiting now into `batch`, up to [`MAX_BATCH`].
fn take_waiting(jobs: &mpsc::Receiver<Job>, batch: &mut Vec<Job>) {
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
}

/// Durable jobs in `batch` (each is a caller waiting for its write to reach the disk).
fn durable(batch: &[Job]) -> usize {
    batch.iter().filter(|job| job.durable()).count()
}

/// Adds jobs to `batch` until it holds `wanted` durable ones, for at most `limit`.
fn wait_for_writers(jobs: &mpsc::Receiver<Job>, batch: &mut Vec<Job>, wanted: usize, limit: Duration) -> Waited {
    let deadline = Instant::now() + limit;
    let mut have = durable(batch);
    while have < wanted && batch.len() < MAX_BATCH {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else { return Waited::RanOut };
        match jobs.recv_timeout(left) {
            Ok(job) => {
                have += usize::from(job.durable());
                batch.push(job);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => return Waited::RanOut,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    Waited::Filled
}

struct Writer {
    conn: Connection,
    /// Durable batches are synced (`--sqlite-synchronous full`).
    sync_wal: bool,
    /// The database's WAL file.
    wal: PathBuf,
    /// The WAL file, opened at the first sync (SQLite keeps it while the connection is open).
    wal_file: Option<File>,
    /// How long the last sync of the WAL took.
    last_sync: Duration,
    /// Durable batches wait for writers once a sync takes this long ([`GATHER_WORTH`]).
    gather_from: Duration,
    /// Syncs of the WAL so far.
    syncs: u64,
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
        let started = Instant::now();
        let synced = match &self.wal_file {
            Some(file) => file.sync_data().map_err(cannot),
            None => Ok(()),
        };
        self.last_sync = started.elapsed();
        self.syncs += 1;
        synced
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
/// statement cache. A `ROLLBACK` also empties the writer's delivery targets ([`super::targets`]).
pub(super) fn exec(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    if sql.starts_with("ROLLBACK") {
        // Also `ROLLBACK TO`, which SQLite's rollback hook does not see.
        super::targets::forget();
    }
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
        let mut writer = Writer::new(conn, false, PathBuf::new());
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

    /// Syncs of the WAL when `callers` threads each write `each` durable rows, one at a time,
    /// writing again as soon as they are answered; `gather_from` as [`Writer::gather_from`].
    fn syncs_of_looping_callers(callers: i64, each: i64, gather_from: Duration) -> u64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("writer.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (n INTEGER NOT NULL)")
            .unwrap();
        let mut writer = Writer::new(conn, true, dir.path().join("writer.db-wal"));
        writer.gather_from = gather_from;
        let (queue, jobs) = mpsc::channel::<Job>();
        let threads: Vec<_> = (0..callers)
            .map(|c| {
                let queue = queue.clone();
                std::thread::spawn(move || {
                    for i in 0..each {
                        let (job, answer) = job(move |conn| insert(conn, c * 1_000 + i), true);
                        queue.send(job).unwrap();
                        answer.blocking_recv().unwrap().unwrap();
                    }
                })
            })
            .collect();
        drop(queue);
        writer.serve(&jobs);
        for thread in threads {
            thread.join().unwrap();
        }
        let rows: i64 = writer.conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, callers * each, "every durable write committed once");
        writer.syncs
    }

    #[test]
    fn looping_callers_share_syncs_when_the_writer_waits_for_them() {
        let (callers, each) = (8, 40);
        let alone = syncs_of_looping_callers(callers, each, Duration::MAX);
        let gathered = syncs_of_looping_callers(callers, each, Duration::ZERO);
        eprintln!(
            "{} durable writes from {callers} looping callers: {alone} syncs without waiting, {gathered} with",
            callers * each
        );
        // With the wait a batch holds about all the callers: 40 syncs at best. Without it, one
        // half commits while the other waits (59 to 79 syncs in runs on a 2-core machine).
        assert!(gathered <= (each * 7 / 5) as u64, "{gathered} syncs with the wait ({alone} without)");
    }
}
