//! When and how long to wait before retrying: exponential backoff with jitter, and `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// How a client retries failed requests.
///
/// Retried: connection failures, timeouts, and the statuses 408, 409, 429 and 5xx. Other 4xx
/// are never retried. A request that the server cannot deduplicate (a `POST` or `PATCH`
/// without an `Idempotency-Key` or webhook id) is retried only when it surely was not
/// processed: a refused connection, 429, or 503, so that an AI chat is never paid twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff before the first retry; it doubles with each retry.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client will wait; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The backoff after failed attempt number `attempt` (1-based), with "equal jitter":
    /// half of the exponential delay is fixed and half is random, so retries spread out
    /// without ever coming back immediately. `random` is any uniformly random `u64`.
    pub fn backoff(&self, attempt: u32, random: u64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let half = ceiling / 2;
        let half_nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if half_nanos == 0 {
            0
        } else {
            random % (half_nanos + 1)
        };
        half + Duration::from_nanos(jitter)
    }

    /// The wait before the next attempt: the backoff, or the server's `Retry-After` when
    /// that is longer. `None` when `Retry-After` asks for more than `max_retry_after`.
    pub fn delay(
        &self,
        attempt: u32,
        random: u64,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let backoff = self.backoff(attempt, random);
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// Whether a response status is worth retrying at all.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || (500..=599).contains(&status)
}

/// Whether a status proves that the server did not process the request.
pub(crate) fn status_means_not_processed(status: u16) -> bool {
    matches!(status, 429 | 503)
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP date (relative to `now`).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_inside_bounds() {
        let policy = RetryPolicy::default();
        for attempt in 1..=8 {
            let ceiling = (Duration::from_millis(200) * (1 << (attempt - 1))).min(policy.max_delay);
            for random in [0, 1, 12_345_678_901, u64::MAX] {
                let delay = policy.backoff(attempt, random);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{attempt} {delay:?}"
                );
            }
        }
        assert_eq!(policy.backoff(1, 0), Duration::from_millis(100));
        assert_eq!(policy.backoff(40, 0), Duration::from_secs(5));
    }

    #[test]
    fn retry_after_wins_when_longer_and_caps_the_wait() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, 0, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.delay(1, 0, Some(Duration::ZERO)),
            Some(Duration::from_millis(100))
        );
        assert_eq!(policy.delay(1, 0, Some(Duration::from_secs(61))), None);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        let now = Utc
            .with_ymd_and_hms(2015, 10, 21, 7, 27, 0)
            .single()
            .expect("valid");
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn statuses() {
        for status in [408, 409, 429, 500, 502, 503, 504] {
            assert!(retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 413, 422] {
            assert!(!retryable_status(status), "{status}");
        }
    }
}
