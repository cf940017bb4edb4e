//! Which provider failures are worth another attempt, as the official OpenAI and
//! Anthropic SDKs decide it. How long to wait, and the loop itself, are
//! `critfumble_sdk::retry`'s, shared with the SDK's clients.

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
    // Both SDKs also retry 409, which these providers send for a lock timeout, not for a
    // conflict a retry would repeat; 529 (Anthropic's overloaded_error) is a 5xx.
    status == 409 || critfumble_sdk::retry::transient_status(status)
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
}
