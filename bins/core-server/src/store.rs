//! The `Store`: every read and write Core makes, on SQLite or PostgreSQL.
//!
//! There are two concrete sqlx pools and no `Any` driver. The SQL is written once, in the
//! subset both engines accept (`$N` placeholders, `RETURNING`, `ON CONFLICT`), and the
//! `with_pool!` macro expands each query once per backend, so both arms are type-checked
//! against their own driver. Each backend has its own versioned migrations, run at start-up.

use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

mod ai;
mod campaigns;
mod characters;
mod idempotency;
mod keys;
mod luck;
mod rolls;
mod saved_rolls;
mod sessions;
mod users;
mod vtt;

pub use ai::{ConversationUsage, UsageReader};
pub use idempotency::{Claim, IdempotencyRecord, REPLAY_WINDOW_MILLIS};
pub use keys::KEY_CACHE_TTL;
pub use luck::MemberFaces;
pub use rolls::{D20Summary, PendingRoll, RollPage, RollReader, for_each_d20};
pub use saved_rolls::{SaveOutcome, saved_roll_key};
pub use vtt::{Delivery, EventRejected};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$store` uses.
///
/// The body is expanded twice, once per driver, so a query that one engine's types reject
/// fails to compile rather than at run time.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// A storage failure: the caller maps it to a response in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row the request named does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint rejected the write.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database could not be reached or rejected the statement.
    #[error("database error: {0}")]
    Database(String),
    /// A paging cursor that this store did not issue.
    #[error("invalid cursor '{0}'")]
    BadCursor(String),
    /// A stored value did not decode (for example a corrupt JSON column).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            other => StoreError::Database(other.to_string()),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The concrete pool behind a [`Store`].
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which engine a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// The embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Core's persistent state: cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Recently read API keys (see [`Store::api_key_by_prefix_cached`]).
    pub(crate) key_cache: std::sync::Arc<keys::KeyCache>,
}

impl Store {
    /// Runs a `DELETE` whose `$1`, `$2`, … are `ids` (as text, in order), and
    /// answers `NotFound` when it removed no row.
    pub(crate) async fn delete_one(&self, sql: &'static str, ids: &[Uuid]) -> StoreResult<()> {
        let deleted = with_pool!(self, |pool| {
            let mut query = sqlx::query(sql);
            for id in ids {
                query = query.bind(id.to_string());
            }
            query.execute(pool).await?.rows_affected()
        });
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Connects to `database_url` and runs the pending migrations.
    ///
    /// `postgres://` and `postgresql://` URLs select PostgreSQL; anything else is a SQLite
    /// file, either `sqlite://path` or a bare path. A SQLite file is created when missing.
    pub async fn connect(database_url: &str) -> StoreResult<Store> {
        let store = if database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
        {
            let options = PgConnectOptions::from_str(database_url)
                .map_err(|e| StoreError::Database(format!("bad postgres url: {e}")))?;
            // Few connections: each is a server process, and more of them running at once
            // than the server has cores only adds switching (measured on 2 cores: 8 served
            // pages at p99 17 ms with 64 clients where 32 took 32 ms; benches/README.md).
            // The roll writers hold up to four during their commits.
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Store {
                backend: Backend::Postgres(pool),
                key_cache: std::sync::Arc::default(),
            }
        } else {
            let path = database_url
                .strip_prefix("sqlite://")
                .or_else(|| database_url.strip_prefix("sqlite:"))
                .unwrap_or(database_url);
            // WAL lets readers run beside the single writer; synchronous=FULL makes every
            // commit fsync the WAL before it returns, so an acknowledged write survives
            // kill -9 and power loss; the busy timeout queues writers instead of failing.
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            // No ping before a connection is handed out: a ping is one more round trip to
            // the connection's worker thread for each query, and a local file does not drop
            // connections as a server can.
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Store {
                backend: Backend::Sqlite(pool),
                key_cache: std::sync::Arc::default(),
            }
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Which engine this store runs on.
    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Applies the versioned migrations of this backend that have not run yet.
    async fn migrate(&self) -> StoreResult<()> {
        let result = match &self.backend {
            Backend::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Backend::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        };
        result.map_err(|e| StoreError::Database(format!("migration failed: {e}")))
    }

    /// Checks that the database answers a trivial query (`/readyz`).
    pub async fn ping(&self) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every pooled connection, waiting for the ones in use.
    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await);
    }
}

/// The current time in milliseconds since the Unix epoch, the unit every timestamp column uses.
pub(crate) fn now_millis() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests;

/// Converts a stored millisecond timestamp to the wire type.
pub(crate) fn to_timestamp(millis: i64) -> StoreResult<critfumble_sdk::wire::Timestamp> {
    chrono::DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {millis} is out of range")))
}

/// Converts an optional stored millisecond timestamp to the wire type.
pub(crate) fn to_optional_timestamp(
    millis: Option<i64>,
) -> StoreResult<Option<critfumble_sdk::wire::Timestamp>> {
    millis.map(to_timestamp).transpose()
}

/// Converts a wire timestamp to the millisecond column unit.
pub(crate) fn to_millis(timestamp: critfumble_sdk::wire::Timestamp) -> i64 {
    timestamp.timestamp_millis()
}

/// Parses a stored UUID column.
pub(crate) fn to_id(text: &str) -> StoreResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|e| StoreError::Corrupt(format!("bad id '{text}': {e}")))
}

/// Parses an optional stored UUID column.
pub(crate) fn to_optional_id(text: Option<&str>) -> StoreResult<Option<uuid::Uuid>> {
    text.map(to_id).transpose()
}

/// Parses a stored enum column with the SDK's `FromStr`.
pub(crate) fn to_enum<T: std::str::FromStr>(text: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| StoreError::Corrupt(e.to_string()))
}

/// A fresh, time-ordered id: ids double as paging cursors.
pub(crate) fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
