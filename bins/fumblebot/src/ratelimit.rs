//! Rate limits per user and per guild, and any other named count (the bridge's tokens,
//! games and failed token checks, the AI service's campaigns): fixed windows, counted in
//! memory, or in Redis when several processes share the load (one `INCR` per key and
//! window), so that one limit holds across every process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::ConnectionManager;

use crate::config::RATE_WINDOW;

/// Whether a command may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Under both limits.
    Allowed,
    /// Over a limit; the window ends in this many seconds.
    Limited {
        /// Seconds until the window ends (at least 1).
        retry_after_secs: u64,
    },
}

/// The counters of this process, or of every process through Redis.
pub struct RateLimiter {
    per_user: u32,
    per_guild: u32,
    counters: Counters,
}

enum Counters {
    /// By key: when the key's current window ends (Unix seconds), and the count in it.
    Memory(Mutex<HashMap<String, (u64, u32)>>),
    Redis {
        connection: ConnectionManager,
        prefix: String,
    },
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_user", &self.per_user)
            .field("per_guild", &self.per_guild)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// Counters in this process.
    pub fn in_memory(per_user: u32, per_guild: u32) -> RateLimiter {
        RateLimiter {
            per_user,
            per_guild,
            counters: Counters::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// Counters in Redis under `{prefix}:rate:…`, shared by every process.
    pub fn redis(
        per_user: u32,
        per_guild: u32,
        connection: ConnectionManager,
        prefix: &str,
    ) -> RateLimiter {
        RateLimiter {
            per_user,
            per_guild,
            counters: Counters::Redis {
                connection,
                prefix: prefix.to_owned(),
            },
        }
    }

    /// Counts one command by `user` (in `guild`, if any) and says whether it may run. A
    /// Redis failure lets the command run: the limits protect, they must not take the bot
    /// down with Redis.
    pub async fn check(&self, user: &str, guild: Option<&str>) -> Verdict {
        let now = chrono::Utc::now().timestamp().max(0).unsigned_abs();
        self.check_at(user, guild, now).await
    }

    /// [`RateLimiter::check`] at the Unix time `now` (seconds).
    pub(crate) async fn check_at(&self, user: &str, guild: Option<&str>, now: u64) -> Verdict {
        let mut keys = vec![(format!("u:{user}"), self.per_user)];
        if let Some(guild) = guild {
            keys.push((format!("g:{guild}"), self.per_guild));
        }
        self.check_keys(&keys, RATE_WINDOW, now).await
    }

    /// Counts one request against `key` (named by the caller, such as `ai:c:<campaign>`)
    /// with its own `limit` per `window`, in the same counters.
    pub async fn check_key(&self, key: &str, limit: u32, window: Duration) -> Verdict {
        let now = chrono::Utc::now().timestamp().max(0).unsigned_abs();
        self.check_keys(&[(key.to_owned(), limit)], window, now)
            .await
    }

    /// Whether `key` already reached `limit` in this window of `window`, without counting
    /// anything: for counts of failures, checked before an attempt and counted after it
    /// failed (with [`RateLimiter::check_key`]).
    pub async fn peek_key(&self, key: &str, limit: u32, window: Duration) -> Verdict {
        let now = chrono::Utc::now().timestamp().max(0).unsigned_abs();
        self.peek_at(key, limit, window, now).await
    }

    pub(crate) async fn peek_at(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: u64,
    ) -> Verdict {
        let window_secs = window.as_secs().max(1);
        let window_index = now / window_secs;
        let retry_after_secs = ((window_index + 1) * window_secs - now).max(1);
        let count = match &self.counters {
            Counters::Memory(map) => {
                let map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                map.get(key)
                    .filter(|(ends, _)| *ends == (window_index + 1) * window_secs)
                    .map_or(0, |(_, count)| *count)
            }
            Counters::Redis { connection, prefix } => {
                let counted: Result<Option<u32>, _> = redis::cmd("GET")
                    .arg(format!("{prefix}:rate:{key}:{window_secs}:{window_index}"))
                    .query_async(&mut connection.clone())
                    .await;
                match counted {
                    Ok(count) => count.unwrap_or(0),
                    Err(error) => {
                        tracing::warn!(%error, "rate-limit counters unavailable: allowing the request");
                        0
                    }
                }
            }
        };
        if count >= limit {
            Verdict::Limited { retry_after_secs }
        } else {
            Verdict::Allowed
        }
    }

    async fn check_keys(&self, keys: &[(String, u32)], window: Duration, now: u64) -> Verdict {
        let window_secs = window.as_secs().max(1);
        let window_index = now / window_secs;
        let retry_after_secs = ((window_index + 1) * window_secs - now).max(1);
        let counts = match self.count(keys, window_secs, window_index, now).await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(%error, "rate-limit counters unavailable: allowing the request");
                return Verdict::Allowed;
            }
        };
        if counts
            .iter()
            .zip(keys)
            .any(|(count, (_, limit))| count > limit)
        {
            Verdict::Limited { retry_after_secs }
        } else {
            Verdict::Allowed
        }
    }

    async fn count(
        &self,
        keys: &[(String, u32)],
        window_secs: u64,
        window: u64,
        now: u64,
    ) -> Result<Vec<u32>, redis::RedisError> {
        match &self.counters {
            Counters::Memory(map) => {
                let mut map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                // Keys count in windows of different lengths: what has ended is what goes.
                if map.len() > 100_000 {
                    map.retain(|_, (ends, _)| *ends > now);
                }
                let ends = (window + 1) * window_secs;
                Ok(keys
                    .iter()
                    .map(|(key, _)| {
                        let slot = map.entry(key.clone()).or_insert((ends, 0));
                        if slot.0 != ends {
                            *slot = (ends, 0);
                        }
                        slot.1 = slot.1.saturating_add(1);
                        slot.1
                    })
                    .collect())
            }
            Counters::Redis { connection, prefix } => {
                let mut pipeline = redis::pipe();
                for (key, _) in keys {
                    let key = format!("{prefix}:rate:{key}:{window_secs}:{window}");
                    pipeline
                        .cmd("INCR")
                        .arg(&key)
                        .cmd("EXPIRE")
                        .arg(&key)
                        .arg(2 * window_secs)
                        .ignore();
                }
                pipeline.query_async(&mut connection.clone()).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three seconds into a window.
    const NOW: u64 = 1_700_000_003;

    #[tokio::test]
    async fn users_and_guilds_are_limited_separately() {
        let limiter = RateLimiter::in_memory(3, 5);
        for _ in 0..3 {
            assert_eq!(
                limiter.check_at("1", Some("g"), NOW).await,
                Verdict::Allowed
            );
        }
        // The fourth command of user 1 is refused until the window ends, 7 s later.
        match limiter.check_at("1", Some("g"), NOW).await {
            Verdict::Limited { retry_after_secs } => assert_eq!(retry_after_secs, 7),
            Verdict::Allowed => panic!("a fourth command in one window ran"),
        }
        // User 2 may run one more in the guild (the guild counted 4 so far), then the
        // guild is full for everyone in it, but not outside it.
        assert_eq!(
            limiter.check_at("2", Some("g"), NOW).await,
            Verdict::Allowed
        );
        assert!(matches!(
            limiter.check_at("3", Some("g"), NOW).await,
            Verdict::Limited { .. }
        ));
        assert_eq!(limiter.check_at("3", None, NOW).await, Verdict::Allowed);
    }

    #[tokio::test]
    async fn a_peek_counts_nothing_and_sees_what_was_counted() {
        let limiter = RateLimiter::in_memory(20, 300);
        let window = Duration::from_secs(60);
        // 1,700,000,003 is 23 s into a minute.
        for _ in 0..2 {
            assert_eq!(
                limiter.peek_at("f:ip", 2, window, NOW).await,
                Verdict::Allowed
            );
        }
        for _ in 0..2 {
            limiter
                .check_keys(&[("f:ip".to_owned(), 2)], window, NOW)
                .await;
        }
        assert_eq!(
            limiter.peek_at("f:ip", 2, window, NOW).await,
            Verdict::Limited {
                retry_after_secs: 37
            }
        );
        // The next minute starts afresh.
        assert_eq!(
            limiter.peek_at("f:ip", 2, window, NOW + 37).await,
            Verdict::Allowed
        );
    }

    #[tokio::test]
    async fn a_new_window_starts_afresh() {
        let limiter = RateLimiter::in_memory(1, 100);
        assert_eq!(limiter.check_at("1", None, NOW).await, Verdict::Allowed);
        assert!(matches!(
            limiter.check_at("1", None, NOW + 6).await,
            Verdict::Limited {
                retry_after_secs: 1
            }
        ));
        assert_eq!(limiter.check_at("1", None, NOW + 7).await, Verdict::Allowed);
    }
}
