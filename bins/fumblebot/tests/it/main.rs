//! Integration tests of FumbleBot: the HTTP interactions endpoint through the router, the
//! gateway against a fake Discord, and the outbox against a real Core, in-process and as
//! separate processes.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions should fail loudly on setup errors"
)]

mod fake_discord;
mod fake_discord_oauth;
mod fake_provider;
mod harness;

mod activity;
mod ai_service;
mod bridge;
mod bridge_scopes;
mod commands;
mod durability;
mod failover;
mod gateway;
mod interactions;
mod link_pending;
mod shared_redis;
