//! Integration tests of critfumble-sdk: the clients against real HTTP servers on 127.0.0.1:0.

#[cfg(feature = "client")]
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod core_client;
#[cfg(feature = "client")]
mod errors;
#[cfg(feature = "client")]
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod fixtures;
#[cfg(feature = "client")]
mod fumblebot_client;
#[cfg(feature = "openapi")]
mod openapi;
#[cfg(feature = "client")]
mod retries;
#[cfg(feature = "client")]
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod server;
#[cfg(feature = "client")]
mod webhooks;
