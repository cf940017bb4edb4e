//! Group commit for rolls: concurrent `POST /v1/rolls` requests are queued, and a writer
//! task stores everything queued so far in one transaction, so that one fsync acknowledges
//! many rolls. A request gets its answer only after that transaction has committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{mpsc, oneshot};

use crate::store::{BackendKind, Claim, PendingRoll, Store, StoreError, StoreResult};

/// The most rolls one transaction stores.
const MAX_BATCH: usize = 256;
/// How many requests may wait for a writer before new ones wait to enqueue.
const QUEUE_DEPTH: usize = 4096;

struct Job {
    roll: PendingRoll,
    reply: oneshot::Sender<StoreResult<Claim>>,
}

/// Hands rolls to the writer tasks (one for SQLite, which has a single writer anyway;
/// several for PostgreSQL, whose commits can overlap).
#[derive(Clone)]
pub struct RollWriter {
    queues: Arc<Vec<mpsc::Sender<Job>>>,
    next: Arc<AtomicUsize>,
}

impl RollWriter {
    /// Starts the writer tasks on the current tokio runtime.
    pub fn start(store: Store, lease_millis: i64) -> RollWriter {
        let writers = match store.kind() {
            BackendKind::Sqlite => 1,
            BackendKind::Postgres => 4,
        };
        let queues = (0..writers)
            .map(|_| {
                let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
                tokio::spawn(write_batches(store.clone(), lease_millis, receiver));
                sender
            })
            .collect();
        RollWriter {
            queues: Arc::new(queues),
            next: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Stores one roll (in whatever batch it lands in) and returns the key's outcome.
    pub async fn write(&self, roll: PendingRoll) -> StoreResult<Claim> {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.queues.len();
        let (reply, answer) = oneshot::channel();
        self.queues[index]
            .send(Job { roll, reply })
            .await
            .map_err(|_| StoreError::Database("the roll writer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| StoreError::Database("the roll writer dropped a roll".to_owned()))?
    }
}

/// Stores whatever is queued, in batches, until every sender is gone.
async fn write_batches(store: Store, lease_millis: i64, mut receiver: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch: Vec<PendingRoll> = jobs.iter().map(|job| job.roll.clone()).collect();
        // The whole batch in one go first; if any roll fails, again with a savepoint each,
        // so that only the failing rolls fail.
        let mut outcome = store.insert_rolls(&batch, lease_millis, false).await;
        if outcome.is_err() && batch.len() > 1 {
            outcome = store.insert_rolls(&batch, lease_millis, true).await;
        }
        match outcome {
            Ok(results) => {
                for (job, result) in jobs.drain(..).zip(results) {
                    // The client may have gone away; its roll is stored all the same.
                    let _ = job.reply.send(result);
                }
            }
            Err(error) => {
                tracing::error!(%error, rolls = jobs.len(), "a batch of rolls failed");
                let message = error.to_string();
                for job in jobs.drain(..) {
                    let _ = job.reply.send(Err(StoreError::Database(message.clone())));
                }
            }
        }
    }
}
