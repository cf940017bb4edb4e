//! The local outbox: a SQLite file in WAL mode. Appends are group-committed: a writer task
//! takes every append waiting and commits them in one transaction, so that many concurrent
//! rolls cost one commit, and each append returns only after its commit.

use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{OutboxError, Settlement, Taken, decode, retry_delay_millis};

/// The most appends one transaction takes.
const MAX_GROUP: usize = 512;

/// The most delivered entries one `DELETE` names (SQLite binds at most 32,766 values).
const DELETE_CHUNK: usize = 500;

type Append = (String, String, oneshot::Sender<Result<(), String>>);

/// A SQLite outbox; clones share the file, the writer and the entries in flight.
#[derive(Clone, Debug)]
pub struct SqliteOutbox {
    pool: SqlitePool,
    writer: mpsc::Sender<Append>,
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
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
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
            sqlx::query(statement).execute(&pool).await?;
        }
        let (writer, queue) = mpsc::channel(4 * MAX_GROUP);
        tokio::spawn(write_groups(pool.clone(), queue));
        Ok(SqliteOutbox {
            pool,
            writer,
            in_flight: Arc::default(),
        })
    }

    pub(super) async fn append(&self, key: &str, entry: String) -> Result<(), OutboxError> {
        let (done, committed) = oneshot::channel();
        self.writer
            .send((key.to_owned(), entry, done))
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
        let now = now_millis();
        let mut transaction = self.pool.begin().await?;
        // Delivered entries, the common case, leave in one statement per chunk: each
        // statement is a round trip to sqlx's SQLite worker thread, and a statement per
        // roll was a context switch per roll (perf: the scheduler's share of the
        // interactions bench).
        let delivered: Vec<i64> = settled
            .iter()
            .filter(|(_, settlement)| matches!(settlement, Settlement::Delivered))
            .map(|(taken, _)| taken.id.parse().unwrap_or(-1))
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
            query.execute(&mut *transaction).await?;
        }
        for (taken, settlement) in settled {
            let seq: i64 = taken.id.parse().unwrap_or(-1);
            match settlement {
                Settlement::Delivered => {}
                Settlement::Retry => {
                    sqlx::query(
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 \
                         WHERE seq = $2",
                    )
                    .bind(now + retry_delay_millis(taken.attempts))
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
        transaction.commit().await?;
        let mut in_flight = self.in_flight();
        for (taken, _) in settled {
            in_flight.remove(&taken.id.parse().unwrap_or(-1));
        }
        Ok(())
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

/// The writer task: one transaction per group of waiting appends, each answered after the
/// commit (or with the commit's error).
async fn write_groups(pool: SqlitePool, mut queue: mpsc::Receiver<Append>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while queue.recv_many(&mut group, MAX_GROUP).await > 0 {
        let result = write_group(&pool, &group)
            .await
            .map_err(|error| error.to_string());
        if let Err(error) = &result {
            tracing::error!(%error, entries = group.len(), "cannot write to the outbox");
        }
        for (_, _, done) in group.drain(..) {
            let _ = done.send(result.clone());
        }
    }
}

async fn write_group(pool: &SqlitePool, group: &[Append]) -> Result<(), sqlx::Error> {
    let mut transaction = pool.begin().await?;
    // Multi-row inserts of up to 64 rows (SQLite binds at most 32,766 values).
    for chunk in group.chunks(64) {
        let sql = format!(
            "INSERT INTO outbox (idempotency_key, entry) VALUES {}",
            (0..chunk.len())
                .map(|row| format!("({})", numbered(2 * row + 1, 2)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut query = sqlx::query(&sql);
        for (key, entry, _) in chunk {
            query = query.bind(key).bind(entry);
        }
        query.execute(&mut *transaction).await?;
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
