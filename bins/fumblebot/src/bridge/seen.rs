//! Which VTT messages were received already, so that one sent twice (an extension reload,
//! two players with the extension in one game) is relayed and reported once. In this
//! process for a day, or in Redis (`SET NX`) so that every FumbleBot process agrees.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// How long a message is remembered.
pub const SEEN_TTL: Duration = Duration::from_secs(86_400);
/// The most messages remembered in memory.
const SEEN_MAX: usize = 200_000;

/// The messages seen.
pub enum SeenMessages {
    /// In this process.
    Local(Mutex<HashMap<String, Instant>>),
    /// In Redis, under `{prefix}:vtt:seen:…`.
    Redis {
        /// The connection.
        connection: ConnectionManager,
        /// The key prefix.
        prefix: String,
    },
}

impl std::fmt::Debug for SeenMessages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SeenMessages::Local(_) => "SeenMessages::Local",
            SeenMessages::Redis { .. } => "SeenMessages::Redis",
        })
    }
}

impl SeenMessages {
    /// Records `key` and says whether this is its first time. A Redis failure counts as a
    /// first time: Core's idempotency key still stores the roll once.
    pub async fn first_time(&self, key: &str) -> bool {
        match self {
            SeenMessages::Local(seen) => {
                let mut seen = seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let now = Instant::now();
                if seen.len() >= SEEN_MAX {
                    seen.retain(|_, until| *until > now);
                    if seen.len() >= SEEN_MAX {
                        seen.clear();
                    }
                }
                match seen.get(key) {
                    Some(until) if *until > now => false,
                    _ => {
                        seen.insert(key.to_owned(), now + SEEN_TTL);
                        true
                    }
                }
            }
            SeenMessages::Redis { connection, prefix } => {
                let set: Result<Option<String>, _> = redis::cmd("SET")
                    .arg(format!("{prefix}:vtt:seen:{key}"))
                    .arg(1)
                    .arg("NX")
                    .arg("EX")
                    .arg(SEEN_TTL.as_secs())
                    .query_async(&mut connection.clone())
                    .await;
                match set {
                    Ok(answer) => answer.is_some(),
                    Err(error) => {
                        tracing::warn!(%error, "cannot record a vtt message as seen");
                        true
                    }
                }
            }
        }
    }
}
