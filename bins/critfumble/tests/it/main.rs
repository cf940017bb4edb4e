//! The integration tests of the `critfumble` binary.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod vtt;
