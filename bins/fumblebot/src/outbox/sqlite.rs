//! The local outbox: a SQLite file in WAL mode. Appends are group-committed: a writer task
//! takes every append waiting and commits them in one transaction, so that many concurrent
//! rolls cost one commit, and each append returns only after its commit.
//!
//! Every write (appends and settlements) goes through the writer task's one connection, so
//! writers never wait on SQLite's lock (a second writer would wait in SQLite's busy handler,
//! which sleeps whole milliseconds, on the path of a Discord reply). That connection is
//! owned by the task rather than borrowed from a pool: sqlx 0.8 pings a pooled connection
//! each time it returns to the pool, one more round trip to its worker thread per write.
//! Reads use a small pool (WAL readers do not block the writer), and the WAL is checkpointed
//! by a background task rather than by whichever commit crosses SQLite's threshold.

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{OutboxError, Settlement, Taken, decode, retry_delay_millis};

/// The most appends one transaction takes.
const MAX_GROUP: usize = 512;

/// The most delivered entries one `DELETE` names (SQLite binds at most 32,766 values).
const DELETE_CHUNK: usize = 500;

/// What the writer task is asked to do, answered after its commit (or with its error).
enum Write {
    /// Store one entry: `(idempotency key, entry)`.
    Append(String, String, oneshot::Sender<Result<(), String>>),
    /// Record the settlements of taken entries: `(seq, attempts, settlement)`.
    Settle(
        Vec<(i64, u32, Settlement)>,
        oneshot::Sender<Result<(), String>>,
    ),
}

/// A SQLite outbox; clones share the file, the writer and the entries in flight.
#[derive(Clone, Debug)]
pub struct SqliteOutbox {
    /// Reads: `take`, `pending`, `parked` and the checkpoints.
    pool: SqlitePool,
    writer: mpsc::Sender<Write>,
    /// Entries taken and not settled yet: not taken again meanwhile. Kept in memory, so
    /// that after a crash they are due again at once.
    in_flight: Arc<Mutex<HashSet<i64>>>,
}

impl SqliteOutbox {
    /// Opens (creating if missing) the outbox file at `path`.
    pub async fn open(path: &Path) -> Result<SqliteOutbox, OutboxError> {
        // WAL with synchronous=NORMAL: a commit is in the operating system's hands before
        // the roll is answered, so an answered roll survives a crash of the process
        // (`kill -9` included) without waiting for the disk. A power loss can lose the last
        // commits not yet delivered to Core; syncing each commit (FULL) costs a 4 ms fsync
        // on the reference machine, as much as the whole answer may take.
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        let mut connection = options
            .clone()
            .pragma("wal_autocheckpoint", "0")
            .connect()
            .await?;
        for statement in [
            "CREATE TABLE IF NOT EXISTS outbox (
                seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                idempotency_key TEXT NOT NULL,
                entry           TEXT NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL DEFAULT 0
            )",
            "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(next_attempt_at, seq)",
            "CREATE TABLE IF NOT EXISTS parked (
                seq             INTEGER PRIMARY KEY,
                idempotency_key TEXT NOT NULL,
                entry           TEXT NOT NULL,
                reason          TEXT NOT NULL,
                parked_at       INTEGER NOT NULL
            )",
        ] {
            sqlx::query(statement).execute(&mut connection).await?;
        }
        // No ping before a pooled connection is handed out: one more round trip to the
        // connection's worker thread, and a local file does not drop connections.
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        let (writer, queue) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(write(connection, queue));
        tokio::spawn(checkpoint(pool.clone(), writer.downgrade()));
        Ok(SqliteOutbox {
            pool,
            writer,
            in_flight: Arc::default(),
        })
    }

    pub(super) async fn append(&self, key: &str, entry: String) -> Result<(), OutboxError> {
        let (done, committed) = oneshot::channel();
        self.writer
            .send(Write::Append(key.to_owned(), entry, done))
            .await
            .map_err(|_| OutboxError::Closed)?;
        committed
            .await
            .map_err(|_| OutboxError::Closed)?
            .map_err(|message| OutboxError::Sqlite(sqlx::Error::Protocol(message)))
    }

    pub(super) async fn take(&self, max: usize) -> Result<Vec<Taken>, OutboxError> {
        let skip = self.in_flight().len();
        let rows = sqlx::query(
            "SELECT seq, entry, attempts FROM outbox WHERE next_attempt_at <= $1 \
             ORDER BY seq LIMIT $2",
        )
        .bind(now_millis())
        .bind(i64::try_from(max + skip).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let mut in_flight = self.in_flight();
        Ok(rows
            .into_iter()
            .filter(|row| in_flight.insert(row.get::<i64, _>(0)))
            .take(max)
            .map(|row| {
                let seq: i64 = row.get(0);
                let text: String = row.get(1);
                let attempts: i64 = row.get(2);
                Taken {
                    id: seq.to_string(),
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    entry: decode(&text),
                }
            })
            .collect())
    }

    pub(super) async fn settle(&self, settled: &[(Taken, Settlement)]) -> Result<(), OutboxError> {
        let request = settled
            .iter()
            .map(|(taken, settlement)| {
                (
                    taken.id.parse().unwrap_or(-1),
                    taken.attempts,
                    settlement.clone(),
                )
            })
            .collect();
        let (done, committed) = oneshot::channel();
        let sent = self.writer.send(Write::Settle(request, done)).await;
        let result = match sent {
            Ok(()) => committed
                .await
                .map_err(|_| OutboxError::Closed)
                .and_then(|result| {
                    result.map_err(|message| OutboxError::Sqlite(sqlx::Error::Protocol(message)))
                }),
            Err(_) => Err(OutboxError::Closed),
        };
        // Settled or not, the entries may be taken again: an entry whose settlement failed
        // is delivered again, which Core answers from its idempotency record.
        let mut in_flight = self.in_flight();
        for (taken, _) in settled {
            in_flight.remove(&taken.id.parse().unwrap_or(-1));
        }
        result
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) async fn pending(&self) -> Result<u64, OutboxError> {
        count(&self.pool, "SELECT COUNT(*) FROM outbox").await
    }

    pub(super) async fn parked(&self) -> Result<u64, OutboxError> {
        count(&self.pool, "SELECT COUNT(*) FROM parked").await
    }
}

async fn count(pool: &SqlitePool, sql: &str) -> Result<u64, OutboxError> {
    let count: i64 = sqlx::query_scalar(sql).fetch_one(pool).await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Copies the WAL back into the database file once a second while the outbox is open. A
/// passive checkpoint never waits for the writer, nor makes it wait. It stops with the
/// outbox (when the last handle to the writer is gone).
async fn checkpoint(pool: SqlitePool, outbox: mpsc::WeakSender<Write>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if outbox.upgrade().is_none() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(%error, "cannot checkpoint the outbox's WAL");
        }
    }
}

/// The writer task: the waiting appends in one statement (one commit), settlements each in
/// their own, in the order they were asked for.
async fn write(mut connection: SqliteConnection, mut queue: mpsc::Receiver<Write>) {
    let mut asked = Vec::with_capacity(MAX_GROUP);
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut asked, MAX_GROUP).await > 0 {
        for write in asked.drain(..) {
            match write {
                Write::Append(key, entry, done) => group.push((key, entry, done)),
                Write::Settle(settled, done) => {
                    append_group(&mut connection, &mut group).await;
                    let result = settle(&mut connection, &settled)
                        .await
                        .map_err(|error| error.to_string());
                    if let Err(error) = &result {
                        tracing::error!(%error, "cannot settle outbox entries");
                    }
                    let _ = done.send(result);
                }
            }
        }
        append_group(&mut connection, &mut group).await;
    }
}

type Append = (String, String, oneshot::Sender<Result<(), String>>);

/// Stores `group` and answers each append; leaves `group` empty.
async fn append_group(connection: &mut SqliteConnection, group: &mut Vec<Append>) {
    if group.is_empty() {
        return;
    }
    let result = insert_group(connection, group)
        .await
        .map_err(|error| error.to_string());
    if let Err(error) = &result {
        tracing::error!(%error, entries = group.len(), "cannot write to the outbox");
    }
    for (_, _, done) in group.drain(..) {
        let _ = done.send(result.clone());
    }
}

async fn insert_group(
    connection: &mut SqliteConnection,
    group: &[Append],
) -> Result<(), sqlx::Error> {
    // One multi-row INSERT for the whole group, committed on its own: a single statement is
    // atomic in SQLite, and each statement is a round trip to sqlx's worker thread, so an
    // explicit BEGIN and COMMIT around it would triple the round trips (and the thread
    // switches) that every answered roll waits for. MAX_GROUP rows bind 2 × 512 values, far
    // under SQLite's 32,766.
    let sql = format!(
        "INSERT INTO outbox (idempotency_key, entry) VALUES {}",
        (0..group.len())
            .map(|row| format!("({})", numbered(2 * row + 1, 2)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (key, entry, _) in group {
        query = query.bind(key).bind(entry);
    }
    query.execute(&mut *connection).await.map(|_| ())
}

/// Delivered entries, the common case, leave in one statement per chunk, outside any
/// transaction: a DELETE is atomic by itself, and an entry whose DELETE failed is only
/// delivered again, which Core answers from its idempotency record. Retries and parked
/// entries share one transaction (a parked entry moves between tables).
async fn settle(
    connection: &mut SqliteConnection,
    settled: &[(i64, u32, Settlement)],
) -> Result<(), sqlx::Error> {
    let delivered: Vec<i64> = settled
        .iter()
        .filter(|(_, _, settlement)| matches!(settlement, Settlement::Delivered))
        .map(|(seq, _, _)| *seq)
        .collect();
    for chunk in delivered.chunks(DELETE_CHUNK) {
        let sql = format!(
            "DELETE FROM outbox WHERE seq IN ({})",
            numbered(1, chunk.len())
        );
        let mut query = sqlx::query(&sql);
        for seq in chunk {
            query = query.bind(seq);
        }
        query.execute(&mut *connection).await?;
    }
    if delivered.len() == settled.len() {
        return Ok(());
    }
    let now = now_millis();
    let mut transaction = connection.begin().await?;
    for (seq, attempts, settlement) in settled {
        match settlement {
            Settlement::Delivered => {}
            Settlement::Retry => {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
                     WHERE seq = $2",
                )
                .bind(now + retry_delay_millis(*attempts))
                .bind(seq)
                .execute(&mut *transaction)
                .await?;
            }
            Settlement::Park(reason) => {
                sqlx::query(
                    "INSERT INTO parked (seq, idempotency_key, entry, reason, parked_at) \
                     SELECT seq, idempotency_key, entry, $1, $2 FROM outbox WHERE seq = $3",
                )
                .bind(reason)
                .bind(now)
                .bind(seq)
                .execute(&mut *transaction)
                .await?;
                sqlx::query("DELETE FROM outbox WHERE seq = $1")
                    .bind(seq)
                    .execute(&mut *transaction)
                    .await?;
            }
        }
    }
    transaction.commit().await
}

/// `count` numbered placeholders from `$from`: `$3, $4` for 3 and 2.
fn numbered(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod placeholder_tests {
    use super::numbered;

    #[test]
    fn numbered_placeholders() {
        assert_eq!(numbered(1, 3), "$1, $2, $3");
        assert_eq!(numbered(3, 2), "$3, $4");
    }
}
