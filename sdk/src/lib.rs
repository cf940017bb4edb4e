//! The Crit-Fumble wire contract: JSON types shared by Core and FumbleBot, signed webhooks,
//! API keys and (with the `client` feature) typed HTTP clients.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod error;
pub mod paths;
pub mod wire;

pub use error::SdkError;
