//! End-to-end tests of the `critfumble` binary: output, JSON shapes and exit codes.
#![expect(
    clippy::expect_used,
    reason = "a test that cannot run the binary should stop loudly"
)]

mod roll;
mod stats;
