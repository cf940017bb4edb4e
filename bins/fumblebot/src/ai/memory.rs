//! The AI service's short-term state: answers cached for 60 s, and each campaign's tokens
//! spent today (UTC). In this process, or in Redis so that every FumbleBot process shares
//! them. A Redis failure never refuses a chat: the cache misses and the cap is not counted.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use critfumble_sdk::wire::AiChatResponse;
use redis::AsyncCommands as _;
use redis::aio::ConnectionManager;

/// How long an answer is served from the cache.
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// The most answers cached in memory; past it, expired ones go, then all.
const CACHE_CAPACITY: usize = 10_000;
/// The most campaign-day token counters kept in memory.
const COUNTER_CAPACITY: usize = 100_000;

/// Where the cache and the counters live.
pub enum AiMemory {
    /// In this process.
    Local {
        /// Answers by request hash, with when they expire.
        cache: Mutex<HashMap<String, (Instant, AiChatResponse)>>,
        /// Tokens by (campaign, UTC day number).
        tokens: Mutex<HashMap<(String, i64), u64>>,
    },
    /// In Redis, under `{prefix}:ai:…`.
    Redis {
        /// The connection.
        connection: ConnectionManager,
        /// The key prefix.
        prefix: String,
    },
}

impl std::fmt::Debug for AiMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AiMemory::Local { .. } => "AiMemory::Local",
            AiMemory::Redis { .. } => "AiMemory::Redis",
        })
    }
}

impl AiMemory {
    /// State in this process.
    pub fn local() -> AiMemory {
        AiMemory::Local {
            cache: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// State in Redis.
    pub fn redis(connection: ConnectionManager, prefix: &str) -> AiMemory {
        AiMemory::Redis {
            connection,
            prefix: prefix.to_owned(),
        }
    }

    /// The cached answer under `key`, if younger than [`CACHE_TTL`].
    pub async fn cached(&self, key: &str) -> Option<AiChatResponse> {
        match self {
            AiMemory::Local { cache, .. } => {
                let cache = lock(cache);
                cache
                    .get(key)
                    .filter(|(expires, _)| *expires > Instant::now())
                    .map(|(_, answer)| answer.clone())
            }
            AiMemory::Redis { connection, prefix } => {
                let stored: Result<Option<String>, _> = connection
                    .clone()
                    .get(format!("{prefix}:ai:cache:{key}"))
                    .await;
                match stored {
                    Ok(stored) => stored.and_then(|json| serde_json::from_str(&json).ok()),
                    Err(error) => {
                        tracing::warn!(%error, "ai cache unavailable: asking the provider");
                        None
                    }
                }
            }
        }
    }

    /// Caches `answer` under `key` for [`CACHE_TTL`].
    pub async fn cache(&self, key: &str, answer: &AiChatResponse) {
        match self {
            AiMemory::Local { cache, .. } => {
                let mut cache = lock(cache);
                let now = Instant::now();
                if cache.len() >= CACHE_CAPACITY {
                    cache.retain(|_, (expires, _)| *expires > now);
                    if cache.len() >= CACHE_CAPACITY {
                        cache.clear();
                    }
                }
                cache.insert(key.to_owned(), (now + CACHE_TTL, answer.clone()));
            }
            AiMemory::Redis { connection, prefix } => {
                let Ok(json) = serde_json::to_string(answer) else {
                    return;
                };
                let stored: Result<(), _> = connection
                    .clone()
                    .set_ex(
                        format!("{prefix}:ai:cache:{key}"),
                        json,
                        CACHE_TTL.as_secs(),
                    )
                    .await;
                if let Err(error) = stored {
                    tracing::warn!(%error, "cannot cache an ai answer");
                }
            }
        }
    }

    /// Tokens `campaign` has spent on UTC day `day` (days since 1970-01-01).
    pub async fn tokens_spent(&self, campaign: &str, day: i64) -> u64 {
        match self {
            AiMemory::Local { tokens, .. } => lock(tokens)
                .get(&(campaign.to_owned(), day))
                .copied()
                .unwrap_or(0),
            AiMemory::Redis { connection, prefix } => {
                let spent: Result<Option<u64>, _> = connection
                    .clone()
                    .get(format!("{prefix}:ai:tokens:{campaign}:{day}"))
                    .await;
                spent
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "ai token counters unavailable");
                        None
                    })
                    .unwrap_or(0)
            }
        }
    }

    /// Adds `count` tokens to what `campaign` spent on UTC day `day`.
    pub async fn add_tokens(&self, campaign: &str, day: i64, count: u64) {
        match self {
            AiMemory::Local { tokens, .. } => {
                let mut tokens = lock(tokens);
                if tokens.len() >= COUNTER_CAPACITY {
                    tokens.retain(|(_, at), _| *at >= day);
                }
                let spent = tokens.entry((campaign.to_owned(), day)).or_insert(0);
                *spent = spent.saturating_add(count);
            }
            AiMemory::Redis { connection, prefix } => {
                let key = format!("{prefix}:ai:tokens:{campaign}:{day}");
                let added: Result<(), _> = redis::pipe()
                    .cmd("INCRBY")
                    .arg(&key)
                    .arg(count)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(2 * 86_400)
                    .ignore()
                    .query_async(&mut connection.clone())
                    .await;
                if let Err(error) = added {
                    tracing::warn!(%error, "cannot count ai tokens");
                }
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
