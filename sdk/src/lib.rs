//! The Crit-Fumble wire contract: JSON types shared by Core and FumbleBot, signed webhooks,
//! API keys and (with the `client` feature) typed HTTP clients.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod api_key;
#[cfg(feature = "client")]
pub mod client;
mod error;
pub mod paths;
pub mod retry;
pub mod webhook;
pub mod wire;

#[cfg(feature = "client")]
pub use client::{ClientConfig, CoreClient, FumbleBotClient};
pub use error::SdkError;
pub use retry::RetryPolicy;
