//! The errors: [`DiceError`] for an expression, with the [`Span`] it points
//! at, and [`ConfigError`] for options that are not about any expression.

/// A byte range in the expression that an error (or an AST node) refers to.
///
/// `start` and `end` are byte offsets into the original input, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets, `end` exclusive).
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Which configurable limit an expression ran into. See [`crate::Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum LimitKind {
    /// Total dice rolled by one expression, explosions and rerolls included.
    Dice,
    /// Faces on one die.
    Faces,
    /// Extra dice that one die may add by exploding.
    Explosions,
    /// Rerolls of one die.
    Rerolls,
    /// Length of the expression in bytes.
    Length,
    /// Nesting depth of the expression.
    Depth,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitKind::Dice => "number of dice",
            LimitKind::Faces => "number of faces",
            LimitKind::Explosions => "number of explosions of one die",
            LimitKind::Rerolls => "number of rerolls of one die",
            LimitKind::Length => "expression length",
            LimitKind::Depth => "nesting depth",
        })
    }
}

/// Everything that can go wrong parsing, bounding or rolling an expression.
///
/// Every variant carries the [`Span`] of the input it is about, so that a
/// front end can underline it (see [`DiceError::span`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DiceError {
    /// The input is not a valid expression.
    #[error("{message}")]
    Syntax {
        /// What was expected, e.g. `expected a number after 'kh'`.
        message: String,
        /// Where.
        span: Span,
    },
    /// A configured limit was exceeded.
    #[error("{kind} exceeds the limit of {limit}")]
    Limit {
        /// Which limit.
        kind: LimitKind,
        /// The configured maximum.
        limit: u64,
        /// The part of the expression that asked for too much.
        span: Span,
    },
    /// A modifier that would never stop, e.g. `1d1!` or `1d6r<6` in Roll20.
    #[error("{message}")]
    NeverStops {
        /// Why it never stops.
        message: String,
        /// The modifier.
        span: Span,
    },
    /// Dice that cannot be rolled: zero faces, a negative count, a fractional count.
    #[error("{message}")]
    InvalidDice {
        /// What is wrong with them.
        message: String,
        /// The dice term.
        span: Span,
    },
    /// A result is too large to be computed exactly (beyond ±2^53).
    #[error("the result is too large to compute exactly")]
    Overflow {
        /// The operation that overflowed.
        span: Span,
    },
    /// A result that is not a real number, e.g. `(-8) ** 0.5`.
    #[error("the result is not a real number")]
    NotANumber {
        /// The operation.
        span: Span,
    },
    /// Division or remainder by zero.
    #[error("division by zero")]
    DivisionByZero {
        /// The division.
        span: Span,
    },
    /// A `?{query}` or `@reference` with no value in the supplied map.
    #[error("no value was given for '{name}'")]
    MissingReference {
        /// The name as written, e.g. `str.mod` or `Bonus`.
        name: String,
        /// The reference.
        span: Span,
    },
    /// A forced sequence of dice ran out before the roll was done.
    #[error("the forced dice ran out: a d{faces} needed a value after {used} were used")]
    ForcedDiceExhausted {
        /// The faces of the die that needed a value (`F` for Fate).
        faces: String,
        /// How many forced values had been used.
        used: usize,
        /// The dice term that needed it.
        span: Span,
    },
    /// Forced faces left over once the roll was done.
    #[error("forced dice were left over after the roll: {unused} not used")]
    UnusedForcedDice {
        /// How many were not used.
        unused: usize,
        /// The whole expression.
        span: Span,
    },
    /// A forced die value that the die cannot show.
    #[error("the forced value {value} cannot come from a d{faces}")]
    ForcedDieImpossible {
        /// The value that was forced.
        value: i64,
        /// The faces of the die (`F` for Fate).
        faces: String,
        /// The dice term.
        span: Span,
    },
}

impl DiceError {
    /// The part of the input this error is about.
    pub fn span(&self) -> Span {
        match self {
            DiceError::Syntax { span, .. }
            | DiceError::Limit { span, .. }
            | DiceError::NeverStops { span, .. }
            | DiceError::InvalidDice { span, .. }
            | DiceError::Overflow { span }
            | DiceError::NotANumber { span }
            | DiceError::DivisionByZero { span }
            | DiceError::MissingReference { span, .. }
            | DiceError::ForcedDiceExhausted { span, .. }
            | DiceError::UnusedForcedDice { span, .. }
            | DiceError::ForcedDieImpossible { span, .. } => *span,
        }
    }

    pub(crate) fn syntax(message: impl Into<String>, span: Span) -> Self {
        DiceError::Syntax {
            message: message.into(),
            span,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>, span: Span) -> Self {
        DiceError::InvalidDice {
            message: message.into(),
            span,
        }
    }

    /// Renders the error under the input with a caret line, for terminals:
    ///
    /// ```text
    /// 1d20kh+5
    ///       ^ expected a number after 'kh'
    /// ```
    pub fn render_with_input(&self, input: &str) -> String {
        let span = self.span();
        let start = input.get(..span.start).map_or(0, |s| s.chars().count());
        let width = input
            .get(span.start..span.end)
            .map_or(1, |s| s.chars().count().max(1));
        format!(
            "{input}\n{pad}{carets} {self}",
            pad = " ".repeat(start),
            carets = "^".repeat(width)
        )
    }
}

/// An option that the engine cannot take: an unknown dialect name, or a
/// limit past what it can hold.
///
/// Not a [`DiceError`]: every one of those points at a part of an
/// expression ([`DiceError::span`]), and these come before there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A dialect name that is none of `default`, `roll20`, `foundry` (or
    /// `fvtt`) and `d20` (or `avrae`).
    #[error("unknown dialect '{name}': expected default, roll20, foundry or d20")]
    UnknownDialect {
        /// The name as given.
        name: String,
    },
    /// A limit set past the most the engine can hold.
    #[error("{limit} is {value}, past its most of {max}")]
    LimitOutOfRange {
        /// The field of [`crate::Limits`], e.g. `max_faces`.
        limit: &'static str,
        /// The value given.
        value: u64,
        /// The most it can be.
        max: u64,
    },
}
