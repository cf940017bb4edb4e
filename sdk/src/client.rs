//! Typed HTTP clients for Core and FumbleBot (the `client` feature).
//!
//! Both clients send `Authorization: Bearer <key>`, apply a per-attempt timeout, retry as
//! [`RetryPolicy`] describes (exponential backoff with jitter, honouring `Retry-After`), and
//! return [`SdkError::Transport`](crate::SdkError::Transport),
//! [`SdkError::Timeout`](crate::SdkError::Timeout), [`SdkError::Api`](crate::SdkError::Api)
//! (with the parsed [`ErrorBody`](crate::wire::ErrorBody)) or
//! [`SdkError::Decode`](crate::SdkError::Decode).

use std::time::Duration;

mod core;
mod fumblebot;
mod http;

pub use self::core::CoreClient;
pub use self::fumblebot::FumbleBotClient;
pub use crate::retry::{RetryPolicy, parse_retry_after};

/// Where a client connects and how patient it is. Its `Debug` output leaves the
/// credential out.
#[derive(Clone)]
pub struct ClientConfig {
    base_url: String,
    token: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

impl ClientConfig {
    /// A configuration for `base_url` (`https://core.example`) and an API key or user token,
    /// with a 30 s timeout per attempt, a 5 s connect timeout and the default retries.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            user_agent: concat!("critfumble-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Sets the timeout of each attempt (connecting, sending and reading the body).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the timeout for opening a connection.
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the `User-Agent` header.
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_leaves_the_credential_out() {
        let key = "cfk_live_3xAmPlE0000000000000000_abcdef";
        let config = ClientConfig::new("http://127.0.0.1:9", key);
        let core = CoreClient::with_config(config.clone()).expect("valid config");
        let acting = core.acting_as("80351110224678912").expect("valid id");
        let bot = FumbleBotClient::with_config(config.clone()).expect("valid config");
        let printed = format!("{config:?} {core:?} {acting:?} {bot:?}");
        assert!(!printed.contains("3xAmPlE"), "{printed}");
        assert!(!printed.contains("80351110224678912"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
        assert!(printed.contains("http://127.0.0.1:9"), "{printed}");
    }
}
