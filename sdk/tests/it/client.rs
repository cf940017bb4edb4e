//! The `client` feature's tests: a scripted server, sample values, and one module per topic.

#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod core_client;
mod errors;
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod every_method;
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod fixtures;
mod fumblebot_client;
mod retries;
#[expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]
mod server;
mod webhooks;
