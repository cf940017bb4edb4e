//! The integration tests of `critfumble-dice`: one binary, one module per concern.
#![expect(
    clippy::expect_used,
    reason = "test helpers panic on a broken fixture, which fails the test that called them"
)]

mod avrae;
#[cfg(feature = "chart")]
mod chart;
mod corpus;
mod deep;
mod distribution;
mod exhaustive;
mod fairness;
mod forced;
mod foundry;
#[cfg(feature = "serde")]
mod json;
mod monte_carlo;
mod properties;
mod robustness;
mod roll20;
mod seeds;
