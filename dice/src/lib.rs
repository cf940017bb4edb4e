//! Dice notation for tabletop RPGs (work in progress: the error type).
#![deny(missing_docs)]

mod error;

pub use error::{DiceError, LimitKind, Span};
