//! When to retry a failed request and how long to wait, as the official
//! OpenAI and Anthropic SDKs decide it.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// Error codes that mean "out of money": retrying cannot help and would only
/// spend the user's time, so these 429s are final.
const QUOTA_CODES: [&str; 2] = ["insufficient_quota", "enforced_spend_limit_reached"];

/// Whether `code` (an error `type` or `code` from the body) is a quota error.
pub(crate) fn is_quota_code(code: &str) -> bool {
    QUOTA_CODES.contains(&code)
}

/// Whether to retry a response with `status`, given the provider's
/// `x-should-retry` hint and whether the body named a quota error.
pub(crate) fn should_retry_status(status: u16, headers: &HeaderMap, quota: bool) -> bool {
    if quota {
        return false;
    }
    match headers
        .get("x-should-retry")
        .and_then(|value| value.to_str().ok())
    {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    // 529 (Anthropic's overloaded_error) falls in the 5xx range.
    matches!(status, 408 | 409 | 429 | 500..=599)
}

/// The server's requested delay from `retry-after-ms` (milliseconds, the
/// OpenAI and Anthropic extension) or `retry-after` (seconds). HTTP-date
/// values of `retry-after` are not parsed; they fall back to backoff.
pub(crate) fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<f64>().ok())
            .filter(|value| value.is_finite() && *value >= 0.0)
    };
    number("retry-after-ms")
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .or_else(|| number("retry-after").map(Duration::from_secs_f64))
}

/// How long to wait before retry number `retry` (0 for the first retry).
///
/// A server delay between 0 and `max_honoured` is used as is (the SDKs honour
/// up to 60 s); otherwise the delay is `initial * 2^retry`, capped at `max`,
/// times a jitter factor in [0.75, 1], so that many clients do not retry in step.
pub(crate) fn backoff_delay(
    retry: u32,
    server: Option<Duration>,
    initial: Duration,
    max: Duration,
    max_honoured: Duration,
    jitter_unit: f64,
) -> Duration {
    if let Some(server) = server.filter(|delay| !delay.is_zero() && *delay <= max_honoured) {
        return server;
    }
    let exponential = initial
        .saturating_mul(2u32.saturating_pow(retry.min(16)))
        .min(max);
    exponential.mul_f64(1.0 - 0.25 * jitter_unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retryable_statuses_follow_the_sdks() {
        let none = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(should_retry_status(status, &none, false), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!should_retry_status(status, &none, false), "{status}");
        }
    }

    #[test]
    fn quota_is_never_retried_even_when_the_server_says_so() {
        let yes = headers(&[("x-should-retry", "true")]);
        assert!(!should_retry_status(429, &yes, true));
        assert!(is_quota_code("insufficient_quota"));
        assert!(is_quota_code("enforced_spend_limit_reached"));
        assert!(!is_quota_code("rate_limit_exceeded"));
    }

    #[test]
    fn x_should_retry_overrides_the_status() {
        assert!(should_retry_status(
            400,
            &headers(&[("x-should-retry", "true")]),
            false
        ));
        assert!(!should_retry_status(
            503,
            &headers(&[("x-should-retry", "false")]),
            false
        ));
    }

    #[test]
    fn server_delay_prefers_milliseconds() {
        assert_eq!(
            server_delay(&headers(&[("retry-after-ms", "250"), ("retry-after", "3")])),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            server_delay(&headers(&[("retry-after", "2")])),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            server_delay(&headers(&[("retry-after", "1.5")])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            server_delay(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(server_delay(&headers(&[("retry-after", "-1")])), None);
    }

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let initial = Duration::from_millis(500);
        let max = Duration::from_secs(8);
        let honoured = Duration::from_secs(60);
        let delay = |retry, jitter| backoff_delay(retry, None, initial, max, honoured, jitter);
        assert_eq!(delay(0, 0.0), Duration::from_millis(500));
        assert_eq!(delay(1, 0.0), Duration::from_secs(1));
        assert_eq!(delay(2, 1.0), Duration::from_millis(1500));
        assert_eq!(delay(10, 0.0), max);
        assert_eq!(delay(u32::MAX, 0.0), max);
        let server = |value| backoff_delay(0, Some(value), initial, max, honoured, 0.0);
        assert_eq!(server(Duration::from_secs(30)), Duration::from_secs(30));
        // Zero and absurdly long server delays fall back to backoff.
        assert_eq!(server(Duration::ZERO), initial);
        assert_eq!(server(Duration::from_secs(3600)), initial);
    }
}
