//! [`Dialect`]: where Roll20, Foundry VTT and Avrae's d20 disagree, and what we pick.

/// Which system's meaning to use where the notations truly disagree.
///
/// There is one parser; a dialect only changes the meaning (or, for `d` after
/// dice, the reading) of the few constructs below. Everything else is accepted
/// in every dialect.
///
/// | construct | `Roll20` | `Foundry` | `D20` (Avrae) | `Default` |
/// |---|---|---|---|---|
/// | `>N` / `<N` in compare points (`!>5`, `r<2`, `3d6>4`, `cs>4`) | `>=` / `<=` | strict | strict | strict |
/// | `r` | reroll until the condition fails | reroll once | reroll once | reroll once |
/// | `k3` with no `h`/`l` | keep highest 3 | keep highest 3 | keep dice *showing* 3 (selector) | keep highest 3 |
/// | `d` after dice (`4d6d1`) | drop lowest | drop lowest | a new dice term: `(4d6)d1` | drop lowest |
/// | `d%` | d100 (1–100) | d100 (1–100) | tens die (0, 10, …, 90) | d100 (1–100) |
/// | `cs>18` / `cf<3` | which faces show as critical (the total is unchanged) | count successes / failures | count successes / failures | count successes / failures |
/// | `kh` / `kl` / `dh` / `dl` with no number | refused | keep or drop 1 | refused | refused |
/// | `{3d20+5}>21` (a group of one roll) | each die is its own element | the sum is one element | the sum is one element | each die is its own element |
/// | `(1d8, 5, 2d4)kh1`, `(7,)`, `()` | refused | refused | a set: its kept members add up | refused |
/// | `kh2kl1` (two selectors of one operator) | one after the other | one after the other | one selection, the union | one after the other |
/// | `1d20 >= 15`, `==`, `!=`, `<`, `<=`, `>` between terms | refused | refused | 1 or 0 | refused |
/// | `%` | sign of the dividend (`-7 % 3` is `-1`) | the same | sign of the divisor (`-7 % 3` is `2`) | the same as Roll20 |
/// | the total | as computed | as computed | truncated toward 0 (`7/2` totals 3) | as computed |
/// | dice rolled by one expression | the limits' `max_dice` | the same | at most 1,000 | the same |
/// | `!` (explode) | explodes | explodes | refused: d20 spells it `e` | explodes |
/// | a computed count or faces of 2.6 (`(1.6+1)d4`) | rounded: 3 | refused | refused | refused |
/// | `[[1d3]]d8` (a nested inline roll as a number) | the inner roll's total | refused | refused | the inner roll's total |
/// | `3d8x2>=7`, `4d6r2<3` (a number before the compare point) | no cap: `x2` explodes on 2 | at most 2 explosions (rerolls) for the term | no cap | as Foundry |
/// | `{4d6+3d8}k4` (one sub-roll of several dice terms, keep or drop) | its dice are the elements | the sum is one element | the sum is one element | its dice are the elements |
///
/// `rr` always rerolls until the condition fails and `ro` always rerolls once;
/// `>=` and `<=` are accepted everywhere. Read the same in every dialect:
/// the functions of [`Func`](crate::Func) (Foundry's, of which Roll20 has
/// `floor ceil round abs`), Roll20's matches `m` and `mt`, and, outside
/// d20 (where a `d` after dice starts more dice), `df` with no target
/// (Foundry: each die that is not a success counts −1).
///
/// **Division and rounding** follow Roll20 and Foundry (both JavaScript)
/// outside the D20 dialect: `/` is true division (`7/2` is `3.5`), `%` keeps
/// the sign of the dividend (`-7 % 3` is `-1`), `floor` rounds toward −∞,
/// `ceil` toward +∞, and `round` rounds halves toward +∞ (`round(-2.5)` is
/// `-2`), as JavaScript's `Math.round` does. `//` is floor division (`-7 // 2`
/// is `-4`) in every dialect.
///
/// **Avrae's d20** (its README's grammar and `models.py`) is followed where
/// it differs: `%` is Python's (the divisor's sign); comparisons bind
/// loosest and give 1 or 0; the total shown is the value truncated toward 0
/// (d20 users see whole numbers), while each node keeps its exact value, so
/// the tree still shows `1/2` as 0.5; more than 1,000 dice rolled (rerolls
/// and explosions included) is refused, as d20's `TooManyRolls`; `!` is
/// refused; `ra` adds at most one die to a term, for the first die that
/// matches, as d20's `explode_once` selects at most one target; and several
/// selectors on one operator (`kh2kl1`, `p1p2`) select together, the union
/// of what each selects from the same dice, as d20 merges consecutive
/// operations of one kind. A set takes only `k` and `p` (d20: rerolls,
/// explosions and clamps are "dice only").
///
/// **Replay order**, in every dialect: a term draws its initial dice first,
/// in order, as Foundry, Avrae and rpg-dice-roller do; then, die by die,
/// each die's rerolls and the dice its explosions (and Avrae's `ra`) add,
/// each added die with what it adds in turn. A forced replay
/// ([`replay`](crate::replay), `--dice`, the VTT verification) takes faces
/// in that order, so a Foundry roll replays with its dice as Foundry's roll
/// JSON records them: `2d6r1` recorded as 1, 1, 5, 3 rerolls both ones into
/// 5 and 3. Foundry checks the dice its explosions add after every initial
/// die (breadth first), we right after the die that added them: the faces
/// and the total agree, and only a second explosion from an added die, when
/// another initial die also explodes, is shown under another die. A rolled
/// tree lists each die followed by what it added; the dice that an
/// explosion or `ra` added, their rerolled-away dice included, carry
/// `added`, which tells them from the next die, so that the draws can be
/// read back from the tree (as Core does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Dialect {
    /// Our default, the table's last column: Foundry's meaning for compare
    /// points, `r`, `cs`/`cf` and `d%`; Roll20's for a group of one roll
    /// (each die its own element) and a `kh`/`kl` with no number (refused);
    /// plus every construct of the other two.
    #[default]
    Default,
    /// Roll20's chat `/roll` and inline rolls.
    Roll20,
    /// Foundry VTT's `Roll` formulas.
    Foundry,
    /// Avrae's d20 library (D&D Beyond's Discord bot).
    D20,
}

impl Dialect {
    /// Whether `>` and `<` include the value itself (Roll20).
    pub fn inclusive_compare(self) -> bool {
        matches!(self, Dialect::Roll20)
    }

    /// Whether a plain `r` rerolls until the condition fails (Roll20).
    pub fn plain_reroll_until(self) -> bool {
        matches!(self, Dialect::Roll20)
    }

    /// Whether `k`/`p` take Avrae's selectors, so that `k3` keeps dice showing 3.
    pub fn avrae_selectors(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether a `d` after dice starts a new dice term rather than dropping.
    pub fn d_after_dice_is_dice(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether `d%` is Avrae's tens die (0, 10, …, 90) rather than a d100.
    pub fn percentile_is_tens(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether `cs` and `cf` set the critical range (Roll20) rather than count.
    pub fn cs_cf_are_critical_ranges(self) -> bool {
        matches!(self, Dialect::Roll20)
    }

    /// Whether `kh`, `kl`, `dh` and `dl` with no number keep or drop 1 (Foundry).
    pub fn bare_keep_is_one(self) -> bool {
        matches!(self, Dialect::Foundry)
    }

    /// Whether `%` is Python's modulo and `==`, `!=`, `<`, `<=`, `>`, `>=`
    /// compare two terms (d20).
    pub fn python_arithmetic(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether `( … )` with a comma, or empty, is Avrae's set.
    pub fn has_sets(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether consecutive keep (or drop) modifiers select together, the
    /// union of their selections (d20), rather than one after the other.
    pub fn merges_selectors(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// Whether the total is truncated toward 0 (d20).
    pub fn truncates_total(self) -> bool {
        matches!(self, Dialect::D20)
    }

    /// The most dice that d20 rolls in one expression.
    pub const D20_MAX_DICE: u64 = 1_000;

    /// The limits to use in this dialect: d20 rolls at most
    /// [`D20_MAX_DICE`](Self::D20_MAX_DICE) dice, whatever `limits` allow.
    ///
    /// ```
    /// use critfumble_dice::{Dialect, Limits};
    /// assert_eq!(Dialect::D20.limits(Limits::default()).max_dice, 1_000);
    /// assert_eq!(Dialect::Roll20.limits(Limits::default()).max_dice, 10_000);
    /// ```
    pub fn limits(self, limits: crate::Limits) -> crate::Limits {
        match self {
            Dialect::D20 => crate::Limits {
                max_dice: limits.max_dice.min(Self::D20_MAX_DICE),
                ..limits
            },
            _ => limits,
        }
    }

    /// A computed number of dice or faces as the dialect reads it: Roll20
    /// rounds it (JavaScript's `Math.round`, so `(1.6+1)d4` rolls 3 dice);
    /// the others take it as it is and refuse a fraction.
    ///
    /// ```
    /// use critfumble_dice::Dialect;
    /// assert_eq!(Dialect::Roll20.computed_dice(2.6), 3.0);
    /// assert_eq!(Dialect::Roll20.computed_dice(2.5), 3.0);
    /// assert_eq!(Dialect::Foundry.computed_dice(2.6), 2.6);
    /// ```
    pub fn computed_dice(self, value: f64) -> f64 {
        match self {
            Dialect::Roll20 => crate::Func::Round.apply(&[value]) + 0.0,
            _ => value,
        }
    }

    /// Whether `[[ … ]]` inside an expression is a nested inline roll whose
    /// total is a number there (Roll20, and our default).
    pub fn nested_inline_rolls(self) -> bool {
        matches!(self, Dialect::Roll20 | Dialect::Default)
    }

    /// Whether a number between `x` or `r` and a compare point caps how
    /// often it applies to the term, as Foundry reads `3d8x2>=7` (Foundry,
    /// and our default).
    pub fn capped_modifiers(self) -> bool {
        matches!(self, Dialect::Foundry | Dialect::Default)
    }

    /// Whether a group of one roll treats each of its dice as an element.
    pub fn single_group_per_die(self) -> bool {
        matches!(self, Dialect::Roll20 | Dialect::Default)
    }
}

impl std::str::FromStr for Dialect {
    type Err = crate::ConfigError;

    /// Reads `default`, `roll20`, `foundry` (or `fvtt`) or `d20` (or
    /// `avrae`), in any case.
    ///
    /// ```
    /// use critfumble_dice::{ConfigError, Dialect};
    /// assert_eq!("Roll20".parse::<Dialect>()?, Dialect::Roll20);
    /// assert!(matches!("dnd".parse::<Dialect>(), Err(ConfigError::UnknownDialect { .. })));
    /// # Ok::<(), ConfigError>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Ok(Dialect::Default),
            "roll20" => Ok(Dialect::Roll20),
            "foundry" | "fvtt" => Ok(Dialect::Foundry),
            "d20" | "avrae" => Ok(Dialect::D20),
            _ => Err(crate::ConfigError::UnknownDialect {
                name: s.to_string(),
            }),
        }
    }
}
