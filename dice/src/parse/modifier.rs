//! Modifiers after dice (`kh3`, `!>5`, `ro<2`, `cs>=5`, …) and after groups.

use super::Parser;
use super::lexeme::{compare_op, signed_integer};
use crate::DiceError;
use crate::ast::{
    Compare, CompareOp, ExplodeStyle, Modifier, ModifierKind, RerollStyle, Select, SortOrder,
};

/// The modifier tags, longest first so that `kh` wins over `k`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    Explode(ExplodeStyle),
    KeepHigh,
    KeepLow,
    Keep,
    DropHigh,
    DropLow,
    Drop,
    AvraeDropHigh,
    AvraeDropLow,
    AvraeDrop,
    Reroll(Option<RerollStyle>),
    Min,
    Max,
    CountSuccesses,
    CountFailures,
    DeductFailures,
    SubtractFailures,
    Margin,
    Even,
    Odd,
    Sort(SortOrder),
    Roll20Success,
    Roll20Failure,
    Matches { total: bool },
}

const TAGS: &[(&str, Tag)] = &[
    ("even", Tag::Even),
    ("odd", Tag::Odd),
    ("min", Tag::Min),
    ("max", Tag::Max),
    ("!!", Tag::Explode(ExplodeStyle::Compound)),
    ("!p", Tag::Explode(ExplodeStyle::Penetrate)),
    ("xo", Tag::Explode(ExplodeStyle::Once)),
    ("kh", Tag::KeepHigh),
    ("kl", Tag::KeepLow),
    ("dh", Tag::DropHigh),
    ("dl", Tag::DropLow),
    ("ph", Tag::AvraeDropHigh),
    ("pl", Tag::AvraeDropLow),
    ("ro", Tag::Reroll(Some(RerollStyle::Once))),
    ("rr", Tag::Reroll(Some(RerollStyle::Until))),
    ("ra", Tag::Reroll(Some(RerollStyle::Add))),
    ("mi", Tag::Min),
    ("ma", Tag::Max),
    ("cs", Tag::CountSuccesses),
    ("cf", Tag::CountFailures),
    ("df", Tag::DeductFailures),
    ("sf", Tag::SubtractFailures),
    ("ms", Tag::Margin),
    ("mt", Tag::Matches { total: true }),
    ("sa", Tag::Sort(SortOrder::Ascending)),
    ("sd", Tag::Sort(SortOrder::Descending)),
    ("!", Tag::Explode(ExplodeStyle::Explode)),
    ("x", Tag::Explode(ExplodeStyle::Explode)),
    ("e", Tag::Explode(ExplodeStyle::Explode)),
    ("k", Tag::Keep),
    ("d", Tag::Drop),
    ("p", Tag::AvraeDrop),
    ("r", Tag::Reroll(None)),
    ("s", Tag::Sort(SortOrder::Ascending)),
    ("m", Tag::Matches { total: false }),
    ("f", Tag::Roll20Failure),
    (">", Tag::Roll20Success),
    ("<", Tag::Roll20Success),
    ("=", Tag::Roll20Success),
];

/// Whether a (lowercased) byte can start a tag. A `match` rather than a slice
/// search, which would call `memchr` for every dice term.
fn starts_modifier(first: u8) -> bool {
    matches!(
        first,
        b'!' | b'x'
            | b'e'
            | b'k'
            | b'd'
            | b'p'
            | b'r'
            | b'm'
            | b'c'
            | b's'
            | b'f'
            | b'o'
            | b'<'
            | b'>'
            | b'='
    )
}

fn starts_with_ignore_case(s: &str, tag: &str) -> bool {
    s.as_bytes()
        .get(..tag.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(tag.as_bytes()))
}

impl<'a> Parser<'a, '_> {
    /// Parses the modifiers right after dice (or a group), with no space before each.
    pub(super) fn modifiers(
        &mut self,
        mut s: &'a str,
        group: bool,
    ) -> Result<(&'a str, Vec<Modifier>), DiceError> {
        let mut modifiers = Vec::new();
        while let Some((rest, modifier)) = self.modifier(s, group)? {
            modifiers.push(modifier);
            s = rest;
        }
        Ok((s, modifiers))
    }

    fn modifier(&self, s: &'a str, group: bool) -> Result<Option<(&'a str, Modifier)>, DiceError> {
        let d20 = self.options.dialect.d_after_dice_is_dice();
        let Some(first) = s.as_bytes().first().map(u8::to_ascii_lowercase) else {
            return Ok(None);
        };
        // Most dice are followed by an operator or the end: decide on one byte.
        if !starts_modifier(first) && !first.is_ascii_alphabetic() {
            return Ok(None);
        }
        if d20 {
            match first {
                // d20's comparisons, not success counting.
                b'<' | b'>' | b'=' => return Ok(None),
                b'!' if s.starts_with("!=") => return Ok(None),
                b'!' => {
                    return Err(DiceError::syntax(
                        "d20 has no '!': it explodes with 'e' and a selector, such as 1d6e6",
                        self.here(s),
                    ));
                }
                _ => {}
            }
        }
        let found = TAGS.iter().find(|(text, tag)| {
            text.as_bytes()[0] == first
                && starts_with_ignore_case(s, text)
                && !(d20
                    && matches!(
                        tag,
                        Tag::DropHigh | Tag::DropLow | Tag::Drop | Tag::DeductFailures
                    ))
        });
        let Some(&(text, tag)) = found else {
            if d20 && first == b'd' {
                return Ok(None);
            }
            let word: String = s.chars().take_while(char::is_ascii_alphanumeric).collect();
            return Err(DiceError::syntax(
                format!("unknown modifier '{word}'"),
                self.span(s, &s[word.len().max(1)..]),
            ));
        };
        // Roll20's bare success compare keeps its operator for the compare point.
        let after = if tag == Tag::Roll20Success {
            s
        } else {
            &s[text.len()..]
        };
        let (rest, kind) = self.modifier_kind(tag, text, after)?;
        let span = self.span(s, rest);
        if group && !allowed_on_group(&kind) {
            return Err(DiceError::syntax(
                format!(
                    "the modifier '{text}' cannot apply to a group: only keep, drop and success counting can"
                ),
                span,
            ));
        }
        Ok(Some((rest, Modifier { kind, span })))
    }

    fn modifier_kind(
        &self,
        tag: Tag,
        text: &str,
        s: &'a str,
    ) -> Result<(&'a str, ModifierKind), DiceError> {
        let dialect = self.options.dialect;
        Ok(match tag {
            Tag::Explode(style) => {
                let (s, cap) = self.cap(s, text)?;
                let (rest, on) = self.compare_point(s, text, false)?;
                (rest, ModifierKind::Explode { style, on, cap })
            }
            Tag::KeepHigh
            | Tag::KeepLow
            | Tag::DropHigh
            | Tag::DropLow
            | Tag::AvraeDropHigh
            | Tag::AvraeDropLow => {
                let (rest, n) = self.count_after(s, text)?;
                let select = match tag {
                    Tag::KeepHigh | Tag::DropHigh | Tag::AvraeDropHigh => Select::Highest(n),
                    _ => Select::Lowest(n),
                };
                let keep = matches!(tag, Tag::KeepHigh | Tag::KeepLow);
                (
                    rest,
                    if keep {
                        ModifierKind::Keep(select)
                    } else {
                        ModifierKind::Drop(select)
                    },
                )
            }
            Tag::Keep | Tag::AvraeDrop => {
                let select_by_value = dialect.avrae_selectors() || compare_op(s).is_some();
                let (rest, select) = if select_by_value {
                    let (rest, on) = self.compare_point(s, text, true)?;
                    (rest, on.map_or(Select::Highest(1), Select::Matching))
                } else {
                    let (rest, n) = self.count_after(s, text)?;
                    (
                        rest,
                        if tag == Tag::Keep {
                            Select::Highest(n)
                        } else {
                            Select::Lowest(n)
                        },
                    )
                };
                (
                    rest,
                    if tag == Tag::Keep {
                        ModifierKind::Keep(select)
                    } else {
                        ModifierKind::Drop(select)
                    },
                )
            }
            Tag::Drop => {
                let (rest, n) = self.count_after(s, text)?;
                (rest, ModifierKind::Drop(Select::Lowest(n)))
            }
            Tag::Reroll(style) => {
                let style = style.unwrap_or(if dialect.plain_reroll_until() {
                    RerollStyle::Until
                } else {
                    RerollStyle::Once
                });
                let (s, cap) = match style {
                    RerollStyle::Add => (s, None),
                    _ => self.cap(s, text)?,
                };
                let (rest, on) = self.compare_point(s, text, false)?;
                (rest, ModifierKind::Reroll { style, on, cap })
            }
            Tag::Min | Tag::Max => {
                let (rest, value) = self.value_after(s, text)?;
                (
                    rest,
                    if tag == Tag::Min {
                        ModifierKind::Min(value)
                    } else {
                        ModifierKind::Max(value)
                    },
                )
            }
            Tag::CountSuccesses if dialect.cs_cf_are_critical_ranges() => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::CriticalSuccess(on))
            }
            Tag::CountFailures if dialect.cs_cf_are_critical_ranges() => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::CriticalFailure(on))
            }
            Tag::CountSuccesses | Tag::Roll20Success => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::CountSuccesses(on))
            }
            Tag::CountFailures => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::CountFailures(on))
            }
            Tag::DeductFailures => match self.compare_point(s, text, false)? {
                (rest, Some(on)) => (rest, ModifierKind::DeductFailures(on)),
                (rest, None) => (rest, ModifierKind::DeductNonSuccesses),
            },
            Tag::Roll20Failure => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::DeductFailures(on))
            }
            Tag::SubtractFailures => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::SubtractFailures(on))
            }
            Tag::Margin => {
                let (rest, on) = self.required_compare(s, text)?;
                (rest, ModifierKind::MarginOfSuccess(on))
            }
            Tag::Matches { total } => {
                let digits = s.bytes().take_while(u8::is_ascii_digit).count();
                let (rest, min_count) = if digits == 0 {
                    (s, 2)
                } else {
                    self.count_after(s, text)?
                };
                if min_count < 2 {
                    return Err(DiceError::syntax(
                        format!("a match needs at least 2 dice, not {min_count}"),
                        self.span(s, rest),
                    ));
                }
                let (rest, on) = match compare_op(rest) {
                    Some(_) => self.compare_point(rest, text, true)?,
                    None => (rest, None),
                };
                (
                    rest,
                    ModifierKind::Matches {
                        min_count,
                        on,
                        total,
                    },
                )
            }
            Tag::Even => (s, ModifierKind::CountEven),
            Tag::Odd => (s, ModifierKind::CountOdd),
            Tag::Sort(order) => (s, ModifierKind::Sort(order)),
        })
    }

    /// Foundry's cap before a compare point (`2` in `x2>=7` and `r2<3`): a
    /// number directly followed by a compare operator. Otherwise the number
    /// is the compare point itself (`x6`), and there is no cap.
    fn cap(&self, s: &'a str, tag: &str) -> Result<(&'a str, Option<u64>), DiceError> {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0
            || !self.options.dialect.capped_modifiers()
            || compare_op(&s[digits..]).is_none()
        {
            return Ok((s, None));
        }
        let (rest, cap) = self.count_after(s, tag)?;
        Ok((rest, Some(cap)))
    }

    /// A whole number of dice after `kh`, `dl`, … .
    fn count_after(&self, s: &'a str, tag: &str) -> Result<(&'a str, u64), DiceError> {
        let digits_len = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 && self.options.dialect.bare_keep_is_one() {
            // Foundry: `2d20kh` keeps the highest one.
            return Ok((s, 1));
        }
        if digits_len == 0 {
            return Err(DiceError::syntax(
                format!("expected a number after '{tag}'"),
                self.here(s),
            ));
        }
        let rest = &s[digits_len..];
        let n = s[..digits_len]
            .parse()
            .map_err(|_| DiceError::syntax("this number is too large", self.span(s, rest)))?;
        Ok((rest, n))
    }

    /// A signed whole number after `min`, `max`, … .
    fn value_after(&self, s: &'a str, tag: &str) -> Result<(&'a str, i64), DiceError> {
        let (rest, text) = signed_integer(s).map_err(|_| {
            DiceError::syntax(format!("expected a number after '{tag}'"), self.here(s))
        })?;
        let value = exact_value(text).ok_or_else(|| {
            DiceError::syntax(
                "this number is too large (at most 2^53)",
                self.span(s, rest),
            )
        })?;
        Ok((rest, value))
    }

    fn required_compare(&self, s: &'a str, tag: &str) -> Result<(&'a str, Compare), DiceError> {
        match self.compare_point(s, tag, true)? {
            (rest, Some(on)) => Ok((rest, on)),
            (_, None) => Err(DiceError::syntax(
                format!("expected a compare point after '{tag}', such as >=5"),
                self.here(s),
            )),
        }
    }

    /// `>=5`, `<2`, `=3` or a bare `3` (equal). `None` when there is none and it is optional.
    fn compare_point(
        &self,
        s: &'a str,
        tag: &str,
        required: bool,
    ) -> Result<(&'a str, Option<Compare>), DiceError> {
        let inclusive = self.options.dialect.inclusive_compare();
        let (op, after_op) = match compare_op(s) {
            Some((CompareOp::Gt, rest)) if inclusive => (CompareOp::Ge, rest),
            Some((CompareOp::Lt, rest)) if inclusive => (CompareOp::Le, rest),
            Some((op, rest)) => (op, rest),
            None => (CompareOp::Eq, s),
        };
        let has_op = after_op.len() < s.len();
        // A bare compare value is unsigned: `1d6!-1` is `1d6!` minus 1, as in
        // Roll20 and Foundry. A negative one needs its operator: `!=-1`.
        let number = if has_op {
            signed_integer(after_op)
        } else {
            super::lexeme::integer_literal(after_op)
        };
        match number {
            Ok((rest, text)) => {
                let value = exact_value(text).ok_or_else(|| {
                    DiceError::syntax(
                        "this number is too large (at most 2^53)",
                        self.span(after_op, rest),
                    )
                })?;
                Ok((rest, Some(Compare { op, value })))
            }
            Err(_) if has_op || required => Err(DiceError::syntax(
                format!(
                    "expected a number after '{tag}{}'",
                    &s[..s.len() - after_op.len()]
                ),
                self.here(after_op),
            )),
            Err(_) => Ok((s, None)),
        }
    }
}

/// A compare or clamp value within ±2^53, so that arithmetic on it stays exact.
fn exact_value(text: &str) -> Option<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|v| v.unsigned_abs() <= 1 << 53)
}

fn allowed_on_group(kind: &ModifierKind) -> bool {
    matches!(
        kind,
        ModifierKind::Keep(_)
            | ModifierKind::Drop(_)
            | ModifierKind::CountSuccesses(_)
            | ModifierKind::CountFailures(_)
            | ModifierKind::DeductFailures(_)
    )
}
