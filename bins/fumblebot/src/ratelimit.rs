//! Rate limits per user and per guild, and any other named count (the bridge's tokens,
//! games and failed token checks, the AI service's campaigns): fixed windows, counted in
//! memory, or in Redis when several processes share the load (one atomic round trip per
//! command), so that one limit holds across every process.
//!
//! A key's window opens at its first count and lasts the window's length; the next count
//! after it ends opens a new one. Windows aligned to the clock instead would let a burst
//! of twice the limit through around every boundary, and would split a short burst in two
//! whenever it happened to straddle one.

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
    /// By key: when the key's current window ends (Unix milliseconds), and the count in it.
    Memory(Mutex<HashMap<String, Window>>),
    Redis {
        connection: ConnectionManager,
        prefix: String,
    },
}

/// One key's current window in memory: when it ends, and its count so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    ends_ms: u64,
    count: u32,
}

/// What one key's count says: its count so far, and the milliseconds left in its window.
#[derive(Debug, Clone, Copy)]
struct Counted {
    count: u32,
    left_ms: u64,
}

impl Counted {
    fn verdict(self, limit: u32) -> Verdict {
        if self.count > limit {
            Verdict::Limited {
                retry_after_secs: self.left_ms.div_ceil(1000).max(1),
            }
        } else {
            Verdict::Allowed
        }
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("per_user", &self.per_user)
            .field("per_guild", &self.per_guild)
            .finish_non_exhaustive()
    }
}

fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis().max(0).unsigned_abs()
}

fn window_ms(window: Duration) -> u64 {
    u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1)
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
        self.check_at(user, guild, now_ms()).await
    }

    /// [`RateLimiter::check`] at the Unix time `now_ms` (milliseconds; the Redis counters
    /// keep time on Redis's clock).
    pub(crate) async fn check_at(&self, user: &str, guild: Option<&str>, now_ms: u64) -> Verdict {
        let mut keys = vec![(format!("u:{user}"), self.per_user)];
        if let Some(guild) = guild {
            keys.push((format!("g:{guild}"), self.per_guild));
        }
        self.check_keys(&keys, RATE_WINDOW, now_ms).await
    }

    /// Counts one request against `key` (named by the caller, such as `ai:c:<campaign>`)
    /// with its own `limit` per `window`, in the same counters.
    pub async fn check_key(&self, key: &str, limit: u32, window: Duration) -> Verdict {
        self.check_keys(&[(key.to_owned(), limit)], window, now_ms())
            .await
    }

    /// Whether `key` already reached `limit` in its current window of `window`, without
    /// counting anything: for counts of failures, checked before an attempt and counted
    /// after it failed (with [`RateLimiter::check_key`]).
    pub async fn peek_key(&self, key: &str, limit: u32, window: Duration) -> Verdict {
        self.peek_at(key, limit, window, now_ms()).await
    }

    pub(crate) async fn peek_at(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now_ms: u64,
    ) -> Verdict {
        let counted = match self.counted(key, window_ms(window), now_ms).await {
            Ok(counted) => counted,
            Err(error) => {
                tracing::warn!(%error, "rate-limit counters unavailable: allowing the request");
                return Verdict::Allowed;
            }
        };
        // A peek asks whether one more would pass: `limit` counted already means no.
        Counted {
            count: counted.count.saturating_add(1),
            ..counted
        }
        .verdict(limit)
    }

    /// What `key` counted so far in its current window, without counting.
    async fn counted(
        &self,
        key: &str,
        window_ms: u64,
        now_ms: u64,
    ) -> Result<Counted, redis::RedisError> {
        match &self.counters {
            Counters::Memory(map) => {
                let map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                Ok(match map.get(key) {
                    Some(window) if window.ends_ms > now_ms => Counted {
                        count: window.count,
                        left_ms: window.ends_ms - now_ms,
                    },
                    _ => Counted {
                        count: 0,
                        left_ms: window_ms,
                    },
                })
            }
            Counters::Redis { connection, prefix } => {
                let key = redis_key(prefix, key, window_ms);
                let (count, left_ms): (Option<u32>, i64) = redis::pipe()
                    .cmd("GET")
                    .arg(&key)
                    .cmd("PTTL")
                    .arg(&key)
                    .query_async(&mut connection.clone())
                    .await?;
                Ok(Counted {
                    count: count.unwrap_or(0),
                    left_ms: redis_left_ms(left_ms, window_ms),
                })
            }
        }
    }

    async fn check_keys(&self, keys: &[(String, u32)], window: Duration, now_ms: u64) -> Verdict {
        let counts = match self.count(keys, window_ms(window), now_ms).await {
            Ok(counts) => counts,
            Err(error) => {
                tracing::warn!(%error, "rate-limit counters unavailable: allowing the request");
                return Verdict::Allowed;
            }
        };
        // Over several limits, the command waits for the last of their windows to end.
        counts
            .iter()
            .zip(keys)
            .map(|(counted, (_, limit))| counted.verdict(*limit))
            .max_by_key(|verdict| match verdict {
                Verdict::Allowed => 0,
                Verdict::Limited { retry_after_secs } => *retry_after_secs,
            })
            .unwrap_or(Verdict::Allowed)
    }

    async fn count(
        &self,
        keys: &[(String, u32)],
        window_ms: u64,
        now_ms: u64,
    ) -> Result<Vec<Counted>, redis::RedisError> {
        match &self.counters {
            Counters::Memory(map) => {
                let mut map = map
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                // Keys count in windows of different lengths: what has ended is what goes.
                if map.len() > 100_000 {
                    map.retain(|_, window| window.ends_ms > now_ms);
                }
                Ok(keys
                    .iter()
                    .map(|(key, _)| {
                        let window = map.entry(key.clone()).or_insert(Window {
                            ends_ms: 0,
                            count: 0,
                        });
                        if window.ends_ms <= now_ms {
                            *window = Window {
                                ends_ms: now_ms.saturating_add(window_ms),
                                count: 0,
                            };
                        }
                        window.count = window.count.saturating_add(1);
                        Counted {
                            count: window.count,
                            left_ms: window.ends_ms - now_ms,
                        }
                    })
                    .collect())
            }
            Counters::Redis { connection, prefix } => {
                // In one MULTI: open the window if the key has none (SET NX with its
                // length), count, and read what is left of it. INCR keeps the key's expiry.
                let mut pipeline = redis::pipe();
                pipeline.atomic();
                for (key, _) in keys {
                    let key = redis_key(prefix, key, window_ms);
                    pipeline
                        .cmd("SET")
                        .arg(&key)
                        .arg(0)
                        .arg("PX")
                        .arg(window_ms)
                        .arg("NX")
                        .ignore()
                        .cmd("INCR")
                        .arg(&key)
                        .cmd("PTTL")
                        .arg(&key);
                }
                // Two replies per key: its count, then what is left of its window.
                let replies: Vec<i64> = pipeline.query_async(&mut connection.clone()).await?;
                Ok(replies
                    .chunks_exact(2)
                    .map(|reply| Counted {
                        count: u32::try_from(reply[0]).unwrap_or(u32::MAX),
                        left_ms: redis_left_ms(reply[1], window_ms),
                    })
                    .collect())
            }
        }
    }
}

/// The Redis key of `key`'s counter in windows of `window_ms` (a key counted in windows of
/// two lengths keeps two counters).
fn redis_key(prefix: &str, key: &str, window_ms: u64) -> String {
    format!("{prefix}:rate:{key}:{window_ms}ms")
}

/// What `PTTL` says is left of a window: negative when the key has no expiry or is gone,
/// which counts as a whole window.
fn redis_left_ms(pttl: i64, window_ms: u64) -> u64 {
    u64::try_from(pttl)
        .ok()
        .filter(|left| *left > 0)
        .unwrap_or(window_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Some time, in Unix milliseconds; the windows do not care where it falls.
    const NOW: u64 = 1_700_000_003_500;

    #[tokio::test]
    async fn users_and_guilds_are_limited_separately() {
        let limiter = RateLimiter::in_memory(3, 5);
        for _ in 0..3 {
            assert_eq!(
                limiter.check_at("1", Some("g"), NOW).await,
                Verdict::Allowed
            );
        }
        // The fourth command of user 1, 2.5 s after the first, waits for the window the
        // first one opened: 7.5 s, said as 8.
        match limiter.check_at("1", Some("g"), NOW + 2_500).await {
            Verdict::Limited { retry_after_secs } => assert_eq!(retry_after_secs, 8),
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
            limiter.peek_at("f:ip", 2, window, NOW + 23_000).await,
            Verdict::Limited {
                retry_after_secs: 37
            }
        );
        // A minute after the first failure, the count starts afresh.
        assert_eq!(
            limiter.peek_at("f:ip", 2, window, NOW + 60_000).await,
            Verdict::Allowed
        );
    }

    #[tokio::test]
    async fn a_window_opens_at_its_first_count_wherever_the_clock_is() {
        let limiter = RateLimiter::in_memory(2, 100);
        // Two commands a few milliseconds apart, on either side of a whole ten seconds
        // (1,700,000,010,000): one window, so the third is refused.
        for at in [NOW + 6_499, NOW + 6_501] {
            assert_eq!(limiter.check_at("1", None, at).await, Verdict::Allowed);
        }
        assert_eq!(
            limiter.check_at("1", None, NOW + 6_600).await,
            Verdict::Limited {
                retry_after_secs: 10
            }
        );
        // The window ends 10 s after the first; a refused command counted in it too, and
        // the next one opens a new window.
        assert!(matches!(
            limiter.check_at("1", None, NOW + 16_498).await,
            Verdict::Limited {
                retry_after_secs: 1
            }
        ));
        assert_eq!(
            limiter.check_at("1", None, NOW + 16_499).await,
            Verdict::Allowed
        );
    }
}
