//! Crit-Fumble Core: the HTTP API and storage behind `critfumble-core`.
//!
//! [`app`] builds the router from an [`AppState`]; [`Store`] is the database. The binary
//! (`src/main.rs`) only parses flags, installs tracing and serves.
#![deny(missing_docs)]

pub mod api;
pub mod auth;
pub mod config;
pub mod embed;
pub mod error;
pub mod extract;
pub mod housekeeping;
pub mod keys;
pub mod luck;
pub mod rate_limit;
pub mod roll_check;
pub mod roll_writer;
pub mod state;
pub mod store;
pub mod token;
pub mod web;

pub use api::{ApiDoc, app, serve};
pub use embed::EmbeddedCore;
pub use error::{AppError, AppResult};
pub use state::AppState;
pub use store::Store;

/// The largest request body Core accepts, in bytes.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;
