//! The one retry core of Crit-Fumble's HTTP clients (this crate's and `critfumble-ai`'s):
//! exponential backoff with jitter, `Retry-After` read and clamped, the retry loop, and the
//! text of an error with its causes.
//!
//! Each client decides *whether* a failure may be retried (that depends on its protocol:
//! Core's `409` for a key still in flight is transient, its other `409`s are not); this
//! module decides *how long* to wait and runs the loop.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest `Retry-After` this module reads. Longer values (up to `1e20` seconds, or a
/// date years away) are clamped to it before any `Duration` is built, so no header can
/// overflow one; [`RetryPolicy::max_retry_after`] then decides whether to wait at all.
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(24 * 60 * 60);

/// How a client retries failed requests: how many attempts, and how long it waits.
///
/// The wait after a failed attempt is an exponential backoff with "equal jitter" (half of
/// the delay fixed, half random), or the server's `Retry-After` when that is longer. A
/// `Retry-After` longer than `max_retry_after` ends the retries: the server asked for
/// more patience than the caller has, and the error says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff ceiling before the first retry; it doubles with each retry.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client will wait; a longer one ends the retries.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, backoff from 200 ms up to 10 s, `Retry-After` up to a minute.
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

    /// The backoff after failed attempt number `attempt` (1-based), with equal jitter:
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

/// Whether a status is worth another attempt whatever the protocol: 408, 429 and 5xx.
///
/// `409` is not in it: it usually means a conflict that a retry only repeats. A client
/// whose server uses a `409` for something transient (Core's idempotency key still in
/// flight, a provider's lock timeout) says so itself.
pub fn transient_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

/// Reads a `Retry-After` value: delay-seconds (a fraction is allowed, as some providers
/// send) or an HTTP date, relative to `now`. A negative or unreadable value is `None`; a
/// date in the past is zero; anything longer than [`RETRY_AFTER_CEILING`] is clamped to it.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return seconds_to_duration(seconds);
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?.to_utc();
    let wait = (date - now).to_std().unwrap_or(Duration::ZERO);
    Some(wait.min(RETRY_AFTER_CEILING))
}

/// The server's requested wait, from the headers `lookup` finds: `retry-after-ms`
/// (milliseconds, an extension OpenAI and Anthropic send) first, then `retry-after`.
pub fn server_delay<'a>(
    lookup: impl Fn(&'static str) -> Option<&'a str>,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let millis = lookup("retry-after-ms")
        .and_then(|value| value.trim().parse::<f64>().ok())
        .and_then(|millis| seconds_to_duration(millis / 1000.0));
    millis.or_else(|| lookup("retry-after").and_then(|value| parse_retry_after(value, now)))
}

/// A finite, non-negative number of seconds as a `Duration`, clamped to the ceiling
/// before the conversion (which panics on values past `u64::MAX` seconds).
fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(
        seconds.min(RETRY_AFTER_CEILING.as_secs_f64()),
    ))
}

/// The error and its sources, joined with `: `: reqwest's top message alone is often just
/// "error sending request".
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// One failed attempt, as the client judged it.
#[derive(Debug)]
pub struct Failure<E> {
    /// What went wrong; returned to the caller when no retry follows.
    pub error: E,
    /// Whether another attempt may help and is safe (the request was not processed, or
    /// the server can tell a repeat from a new request).
    pub retry: bool,
    /// How long the server asked the client to wait, if it did.
    pub retry_after: Option<Duration>,
}

/// Runs `attempt` (called with the attempt number, from 1) until it succeeds, fails for
/// good, or the policy's attempts run out; waits [`RetryPolicy::delay`] in between.
#[cfg(feature = "retry")]
pub async fn run<T, E, F, Fut>(policy: &RetryPolicy, mut attempt: F) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Failure<E>>>,
{
    use rand::Rng as _;
    let mut number = 1;
    loop {
        let failure = match attempt(number).await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if !failure.retry || number >= policy.max_attempts {
            return Err(failure.error);
        }
        let Some(delay) = policy.delay(number, rand::rng().next_u64(), failure.retry_after) else {
            return Err(failure.error);
        };
        tracing::warn!(
            attempt = number,
            max_attempts = policy.max_attempts,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %failure.error,
            "retrying request"
        );
        tokio::time::sleep(delay).await;
        number += 1;
    }
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
        let last = policy.backoff(u32::MAX, u64::MAX);
        assert!(last >= Duration::from_secs(5) && last <= Duration::from_secs(10));
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

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0)
            .single()
            .expect("valid")
    }

    #[test]
    fn retry_after_parses_seconds_fractions_and_dates() {
        let now = now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
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
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("inf", now), None);
    }

    #[test]
    fn huge_retry_after_is_clamped_not_a_panic() {
        let now = now();
        for value in [
            "1e20",
            "18446744073709551616",
            "1e308",
            "Fri, 01 Jan 9999 00:00:00 GMT",
        ] {
            assert_eq!(
                parse_retry_after(value, now),
                Some(RETRY_AFTER_CEILING),
                "{value}"
            );
        }
        let lookup = |name: &str| (name == "retry-after-ms").then_some("1e20");
        assert_eq!(server_delay(lookup, now), Some(RETRY_AFTER_CEILING));
        // A clamped wait is longer than any policy waits: the retries end.
        assert_eq!(
            RetryPolicy::default().delay(1, 0, Some(RETRY_AFTER_CEILING)),
            None
        );
    }

    #[test]
    fn server_delay_prefers_milliseconds() {
        let now = now();
        let both = |name: &str| match name {
            "retry-after-ms" => Some("250"),
            "retry-after" => Some("3"),
            _ => None,
        };
        assert_eq!(server_delay(both, now), Some(Duration::from_millis(250)));
        let seconds = |name: &str| (name == "retry-after").then_some("2");
        assert_eq!(server_delay(seconds, now), Some(Duration::from_secs(2)));
        assert_eq!(server_delay(|_| None, now), None);
    }

    #[test]
    fn transient_statuses_leave_out_conflicts() {
        for status in [408, 429, 500, 502, 503, 504, 529] {
            assert!(transient_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 413, 422] {
            assert!(!transient_status(status), "{status}");
        }
    }

    #[test]
    fn error_chain_joins_the_causes() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&error), "outer: inner");
    }

    #[cfg(feature = "retry")]
    #[tokio::test]
    async fn run_stops_at_success_a_final_failure_or_the_last_attempt() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        };
        let calls = std::cell::Cell::new(0);
        let outcome: Result<u32, &str> = run(&policy, |number| {
            calls.set(calls.get() + 1);
            async move {
                if number < 3 {
                    Err(Failure {
                        error: "busy",
                        retry: true,
                        retry_after: None,
                    })
                } else {
                    Ok(number)
                }
            }
        })
        .await;
        assert_eq!((outcome, calls.get()), (Ok(3), 3));
        calls.set(0);
        let final_failure: Result<(), &str> = run(&policy, |_| {
            calls.set(calls.get() + 1);
            async {
                Err(Failure {
                    error: "conflict",
                    retry: false,
                    retry_after: None,
                })
            }
        })
        .await;
        assert_eq!((final_failure, calls.get()), (Err("conflict"), 1));
        calls.set(0);
        let exhausted: Result<(), &str> = run(&policy, |_| {
            calls.set(calls.get() + 1);
            async {
                Err(Failure {
                    error: "down",
                    retry: true,
                    retry_after: Some(Duration::from_millis(3)),
                })
            }
        })
        .await;
        assert_eq!((exhausted, calls.get()), (Err("down"), 4));
    }
}
