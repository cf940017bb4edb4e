//! [`Limits`]: caps on everything a user controls, checked before work is done.

use serde::{Deserialize, Serialize};

/// Caps on what one expression may ask for. Every cap is checked before the
/// work it guards: a literal `99999999d6` is refused by the parser, and a
/// computed count is checked before any die is rolled or any memory reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Dice rolled by one expression, explosions and rerolls included. Default 10,000.
    pub max_dice: u64,
    /// Faces on one die. Default 1,000,000.
    pub max_faces: u64,
    /// Extra dice that one die may add by exploding (or compounding). Default 100.
    pub max_explosions: u64,
    /// Rerolls of one die. Default 1,000.
    pub max_rerolls: u64,
    /// Expression length in bytes. Default 4,096.
    pub max_length: usize,
    /// Nesting depth (parentheses, groups, function calls, unary signs). Default 64.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_dice: 10_000,
            max_faces: 1_000_000,
            max_explosions: 100,
            max_rerolls: 1_000,
            max_length: 4_096,
            max_depth: 64,
        }
    }
}
