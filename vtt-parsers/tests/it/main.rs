//! The integration tests of `critfumble-vtt`: fixtures, errors, write-back and properties.

mod errors;
mod fixtures;
mod properties;
mod writeback;
