//! End-to-end tests of the `critfumble` binary: output, JSON shapes and exit codes.
#![expect(
    clippy::expect_used,
    reason = "a test that cannot run the binary should stop loudly"
)]

mod output;
mod roll;
mod stats;
mod vtt;
