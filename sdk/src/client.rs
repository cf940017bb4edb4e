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
mod retry;

pub use self::core::CoreClient;
pub use self::fumblebot::FumbleBotClient;
pub use self::retry::{RetryPolicy, parse_retry_after};

/// Where a client connects and how patient it is.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    base_url: String,
    token: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
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
