//! [`Limits`]: caps on everything a user controls, checked before work is done.

use crate::ConfigError;

/// Caps on what one expression may ask for. Every cap is checked before the
/// work it guards: a literal `99999999d6` is refused by the parser, and a
/// computed count is checked before any die is rolled or any memory reserved.
///
/// Set them through [`Limits::checked`], which refuses a cap past what the
/// engine can hold; deserialized limits are checked the same way.
///
/// ```
/// use critfumble_dice::{ConfigError, Limits};
/// let limits = Limits { max_faces: 1_000_000_000, ..Limits::default() }.checked()?;
/// assert_eq!(limits.max_faces, 1_000_000_000);
/// assert!(Limits { max_faces: u64::MAX, ..Limits::default() }.checked().is_err());
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Limits {
    /// Dice rolled by one expression, explosions and rerolls included.
    /// Default 10,000; at most 2^32 − 1.
    pub max_dice: u64,
    /// Faces on one die. Default 1,000,000; at most 2^53 (no larger die
    /// shows every face exactly as a number).
    pub max_faces: u64,
    /// Extra dice that one die may add by exploding (or compounding). Default 100.
    pub max_explosions: u64,
    /// Rerolls of one die. Default 1,000.
    pub max_rerolls: u64,
    /// Expression length in bytes. Default 4,096; at most 2^32 − 1.
    pub max_length: usize,
    /// Nesting depth (parentheses, groups, function calls, unary signs, and
    /// each link of a D20 chain of dice of dice such as `1d2d2`). Default 64.
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

/// The most dice one roll can hold: a roll indexes its dice with `u32`.
const MOST_DICE: u64 = u32::MAX as u64;
/// The most faces a die can have: 2^53, past which not every face is a
/// distinct number.
const MOST_FACES: u64 = 1 << 53;
/// The longest expression: its nodes are indexed with `u32`.
const MOST_LENGTH: u64 = u32::MAX as u64;

impl Limits {
    /// These limits, if the engine can hold each of them, or the first one
    /// it cannot.
    pub fn checked(self) -> Result<Limits, ConfigError> {
        let check = |limit: &'static str, value: u64, max: u64| {
            if value > max {
                Err(ConfigError::LimitOutOfRange { limit, value, max })
            } else {
                Ok(())
            }
        };
        check("max_dice", self.max_dice, MOST_DICE)?;
        check("max_faces", self.max_faces, MOST_FACES)?;
        check("max_length", self.max_length as u64, MOST_LENGTH)?;
        Ok(self)
    }
}

/// The fields of [`Limits`] as serde reads them, before [`Limits::checked`].
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(remote = "Limits", default = "Limits::default")]
struct Unchecked {
    max_dice: u64,
    max_faces: u64,
    max_explosions: u64,
    max_rerolls: u64,
    max_length: usize,
    max_depth: usize,
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Limits {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Limits, D::Error> {
        Unchecked::deserialize(deserializer)?
            .checked()
            .map_err(serde::de::Error::custom)
    }
}
