//! The `client` feature's tests: a scripted server, sample values, and one module per topic.
#![expect(
    clippy::expect_used,
    reason = "test helpers outside #[test] functions fail loudly"
)]

mod core_campaigns;
mod core_play;
mod errors;
mod every_method;
mod fixtures;
mod fumblebot_client;
mod retries;
mod server;
mod webhooks;
