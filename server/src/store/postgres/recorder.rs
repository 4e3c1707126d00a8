//! Group commit of attempt records: concurrent [`PgStore::record`] calls (the delivery engine
//! records each finished attempt as it ends, or batches of them) are queued to a writer task,
//! which writes everything queued meanwhile in one statement ([`super::attempts`]) and answers
//! every caller, with up to [`WRITERS`] statements at once. Under load a node so records many
//! attempts per statement; when idle, one attempt is written at once, with no added wait.
//! Statements running at once never touch the same message: a message's next attempt needs a
//! new claim, which needs this attempt recorded first.

use std::sync::{Arc, OnceLock};

use tokio::sync::{Semaphore, mpsc, oneshot};

use super::{PgStore, attempts};
use crate::store::{AttemptRecord, StoreError};

/// Most records written in one statement.
const MAX_BATCH: usize = 4_096;
/// Most statements writing records at once (the delivery pool has room for them and for claims).
const WRITERS: usize = 2;

/// One caller's records, its node id, and where its answer goes: for each record, whether it
/// was recorded.
struct Job {
    records: Vec<AttemptRecord>,
    node: Arc<str>,
    reply: oneshot::Sender<Result<Vec<bool>, StoreError>>,
}

/// The queue to the writer task, started on first use.
#[derive(Clone, Default)]
pub(super) struct Recorder(Arc<OnceLock<mpsc::UnboundedSender<Job>>>);

impl PgStore {
    /// Records `records` (with the records of concurrent calls, in one statement); for each
    /// record, whether it was recorded (`false`: its claim is no longer this node's).
    pub(super) async fn record(&self, records: Vec<AttemptRecord>) -> Result<Vec<bool>, StoreError> {
        let queue = self.recorder.0.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(write_loop(self.delivery.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job { records, node: self.node_id.clone(), reply })
            .map_err(|_| StoreError::Io("the attempt recorder has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Io("the attempt recorder has stopped".into()))?
    }
}

/// Writes what is queued, one statement per batch, until every store handle is gone.
async fn write_loop(pool: deadpool_postgres::Pool, mut queue: mpsc::UnboundedReceiver<Job>) {
    let writers = Arc::new(Semaphore::new(WRITERS));
    while let Some(first) = queue.recv().await {
        // While every writer is busy, records pile up into the next batch.
        let Ok(writer) = writers.clone().acquire_owned().await else { return };
        let mut jobs = vec![first];
        let mut count = jobs[0].records.len();
        while count < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => {
                    count += job.records.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let pool = pool.clone();
        tokio::spawn(async move {
            // Jobs of one node id (every job, unless the id changed meanwhile) share a statement.
            while !jobs.is_empty() {
                let node = jobs[0].node.clone();
                let (batch, rest): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|j| j.node == node);
                jobs = rest;
                write(&pool, &node, batch).await;
            }
            drop(writer);
        });
    }
}

/// Writes one batch and answers its callers.
async fn write(pool: &deadpool_postgres::Pool, node: &str, jobs: Vec<Job>) {
    let mut records = Vec::with_capacity(jobs.iter().map(|j| j.records.len()).sum());
    let mut replies = Vec::with_capacity(jobs.len());
    for job in jobs {
        replies.push((job.records.len(), job.reply));
        records.extend(job.records);
    }
    let result = match pool.get().await {
        Ok(client) => attempts::record_batch(&client, &records, node).await,
        Err(e) => Err(StoreError::Unavailable(e.to_string())),
    };
    let mut offset = 0;
    for (n, reply) in replies {
        let answer = result.as_ref().map(|recorded| recorded.get(offset..offset + n).map_or_else(Vec::new, <[bool]>::to_vec));
        offset += n;
        let _ = reply.send(answer.map_err(Clone::clone));
    }
}
