//! The outbox: every report FumbleBot owes Core (today, each roll made in Discord), written
//! down before the Discord reply goes out and removed only once Core acknowledged it.
//!
//! It is the one piece of FumbleBot's state that outlives a restart, and it holds nothing
//! that Core will not also hold. Two backends: a local SQLite file (one process), or a Redis
//! stream with a consumer group (several processes share one stream, and a dead process's
//! entries are claimed by the others). [`drain`] delivers the entries in the background.

use critfumble_sdk::wire::{NewRoll, WebhookEvent};
use serde::{Deserialize, Serialize};

pub mod drain;
mod redis_stream;
mod sqlite;

pub use redis_stream::RedisOutbox;
pub use sqlite::SqliteOutbox;

/// The Discord user a report acts for (`x-act-as-discord-id`), with what Core needs to
/// create them on first sight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordActor {
    /// The user's snowflake.
    pub discord_id: String,
    /// The name shown for them.
    pub name: String,
    /// Their avatar hash, if any.
    #[serde(default)]
    pub avatar: Option<String>,
}

impl DiscordActor {
    /// The actor for a user Core already knows (the bridge's token holder).
    pub fn of_user(user: &critfumble_sdk::wire::User) -> DiscordActor {
        DiscordActor {
            discord_id: user.discord_id.clone(),
            name: user.name.clone(),
            avatar: user.avatar.clone(),
        }
    }
}

/// What an entry asks of Core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body", rename_all = "snake_case")]
pub enum OutboxItem {
    /// `POST /v1/rolls`.
    Roll(Box<NewRoll>),
    /// `POST /v1/webhooks/fumblebot`, signed when sent, with the entry's idempotency key as
    /// its `webhook-id` (so that Core applies it once).
    Webhook(Box<WebhookEvent>),
}

/// One report owed to Core.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The `Idempotency-Key` every attempt sends (`discord:<interaction id>`; a webhook's
    /// `webhook-id`), so that Core stores the report once however often it is sent.
    pub idempotency_key: String,
    /// Who it acts for.
    pub actor: DiscordActor,
    /// What it asks.
    pub item: OutboxItem,
}

/// An entry taken for delivery, with the backend's handle to settle it.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The backend's id of the entry (a row number, or a stream entry id).
    pub id: String,
    /// How many times it was taken before.
    pub attempts: u32,
    /// The entry, or why its stored text did not decode (it is then parked).
    pub entry: Result<OutboxEntry, String>,
}

/// What became of a taken entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Core acknowledged it (2xx, or a replay of an earlier acknowledgement): remove it.
    Delivered,
    /// Core could not take it now (unreachable, 408, 429, 5xx, still in flight): keep it.
    Retry,
    /// Core refused it for good (a 4xx other than 408 and 429): move it aside and log it,
    /// so that it is never sent again.
    Park(String),
}

/// Failures of the outbox's own storage.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The SQLite file failed.
    #[error("outbox database: {0}")]
    Sqlite(#[from] sqlx::Error),
    /// Redis failed.
    #[error("outbox redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// An entry did not encode.
    #[error("outbox entry: {0}")]
    Encode(#[from] serde_json::Error),
    /// The writer task stopped (the process is shutting down).
    #[error("the outbox writer has stopped")]
    Closed,
}

/// The outbox of this process.
#[derive(Clone, Debug)]
pub enum Outbox {
    /// A local SQLite file.
    Sqlite(SqliteOutbox),
    /// A Redis stream shared by several processes.
    Redis(RedisOutbox),
}

impl Outbox {
    /// Appends an entry; it is stored (committed, or written to Redis) when this returns.
    pub async fn append(&self, entry: &OutboxEntry) -> Result<(), OutboxError> {
        let text = serde_json::to_string(entry)?;
        match self {
            Outbox::Sqlite(outbox) => outbox.append(&entry.idempotency_key, text).await,
            Outbox::Redis(outbox) => outbox.append(&text).await,
        }
    }

    /// Up to `max` entries that are due for delivery, oldest first.
    pub async fn take(&self, max: usize) -> Result<Vec<Taken>, OutboxError> {
        match self {
            Outbox::Sqlite(outbox) => outbox.take(max).await,
            Outbox::Redis(outbox) => outbox.take(max).await,
        }
    }

    /// Records what became of taken entries.
    pub async fn settle(&self, settled: &[(Taken, Settlement)]) -> Result<(), OutboxError> {
        match self {
            Outbox::Sqlite(outbox) => outbox.settle(settled).await,
            Outbox::Redis(outbox) => outbox.settle(settled).await,
        }
    }

    /// How many entries wait for Core (taken ones included).
    pub async fn pending(&self) -> Result<u64, OutboxError> {
        match self {
            Outbox::Sqlite(outbox) => outbox.pending().await,
            Outbox::Redis(outbox) => outbox.pending().await,
        }
    }

    /// How many entries were parked.
    pub async fn parked(&self) -> Result<u64, OutboxError> {
        match self {
            Outbox::Sqlite(outbox) => outbox.parked().await,
            Outbox::Redis(outbox) => outbox.parked().await,
        }
    }
}

/// Decodes a stored entry; a failure is kept as text so that the entry is parked.
pub(crate) fn decode(text: &str) -> Result<OutboxEntry, String> {
    serde_json::from_str(text).map_err(|error| format!("undecodable outbox entry: {error}"))
}

/// The wait before retrying an entry that failed `attempts` times: 250 ms doubling to 30 s.
pub(crate) fn retry_delay_millis(attempts: u32) -> i64 {
    (250_i64 << attempts.min(7)).min(30_000)
}

#[cfg(test)]
mod tests;
