//! The integration tests of the `critfumble` binary.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

mod vtt;
