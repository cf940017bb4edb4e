//! The integration tests of `critfumble-vtt`: fixtures, errors, write-back and properties.
// Helpers outside `#[test]` functions unwrap too: a broken fixture should fail loudly.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod errors;
mod fixtures;
mod hostile;
mod linear;
mod properties;
mod writeback;
