//! The rate-limit counters shared through Redis: one GCRA step per request, in a Lua
//! script so that reading and moving a principal's counter is one atomic round trip.

use std::time::Duration;

use redis::aio::ConnectionManager;

use super::Limit;

/// GCRA over one key holding the "theoretical arrival time" in microseconds, on Redis's
/// clock (so that every Core process agrees on it). Returns 0 when the request may pass,
/// else how many microseconds until it would. Microseconds since 1970 stay below 2^53, so
/// Lua's doubles hold them exactly.
const GCRA: &str = r"
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now_us)
if tat < now_us then tat = now_us end
local allowed_at = tat - tolerance
if now_us < allowed_at then return allowed_at - now_us end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
    math.ceil((new_tat - now_us) / 1000) + 1000)
return 0
";

/// A connection to the Redis that holds the counters.
#[derive(Clone)]
pub(super) struct SharedLimiter {
    connection: ConnectionManager,
    script: redis::Script,
}

impl SharedLimiter {
    /// Connects to `url` (`redis://127.0.0.1:6379`), failing at start-up rather than at
    /// the first request.
    pub(super) async fn connect(url: &str) -> anyhow::Result<SharedLimiter> {
        let client = redis::Client::open(url)
            .map_err(|error| anyhow::anyhow!("--redis-url (CRITFUMBLE_REDIS_URL): {error}"))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(|error| anyhow::anyhow!("cannot reach redis at {url}: {error}"))?;
        Ok(SharedLimiter {
            connection,
            script: redis::Script::new(GCRA),
        })
    }

    /// One request of the principal behind `key`: `Ok(Err(wait))` when it is over `limit`.
    pub(super) async fn check(
        &self,
        key: &str,
        limit: Limit,
    ) -> redis::RedisResult<Result<(), Duration>> {
        let interval = limit.interval();
        let tolerance = interval * (limit.burst.get() - 1);
        let mut connection = self.connection.clone();
        let wait_us: u64 = self
            .script
            .key(key)
            .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
            .arg(u64::try_from(tolerance.as_micros()).unwrap_or(u64::MAX))
            .invoke_async(&mut connection)
            .await?;
        Ok(if wait_us == 0 {
            Ok(())
        } else {
            Err(Duration::from_micros(wait_us))
        })
    }
}
