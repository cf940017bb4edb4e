//! A light scan of a roll formula for its dice terms: faces, keep/drop and crit thresholds.
//!
//! This is not the dice grammar (that is `critfumble-dice`): it only finds
//! `NdX` terms and the few modifiers the parsers need to label the dice a
//! source reports (faces, which dice were kept, the crit threshold).

use crate::crit::{Compare, CritRule, Threshold};
use crate::record::{DiceTerm, Faces};

/// Which dice of a term count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    Highest(usize),
    Lowest(usize),
    DropHighest(usize),
    DropLowest(usize),
}

/// One `NdX...` term of a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DiceSpec {
    pub(crate) faces: Faces,
    pub(crate) keep: Option<Keep>,
    pub(crate) crit_success: Option<Threshold>,
    pub(crate) crit_failure: Option<Threshold>,
}

/// The dice terms of `formula`, in order, skipping `[labels]`.
pub(crate) fn dice_specs(formula: &str) -> Vec<DiceSpec> {
    let bytes = formula.as_bytes();
    let mut specs = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'[' {
            index = skip_label(bytes, index);
            continue;
        }
        // Roll20 attributes, queries and abilities (`@{bard|d20}`) are names, not dice.
        if b"@?%".contains(&byte) && bytes.get(index + 1) == Some(&b'{') {
            index = bytes[index..]
                .iter()
                .position(|&b| b == b'}')
                .map_or(bytes.len(), |offset| index + offset + 1);
            continue;
        }
        if byte == b'd' || byte == b'D' {
            let previous = index.checked_sub(1).map(|at| bytes[at]);
            let starts_term = previous.is_none_or(|p| !p.is_ascii_alphabetic() && p != b'_');
            if starts_term && let Some((spec, end)) = dice_at(bytes, index + 1) {
                specs.push(spec);
                index = end;
                continue;
            }
        }
        index += 1;
    }
    specs
}

fn skip_label(bytes: &[u8], open: usize) -> usize {
    bytes[open..]
        .iter()
        .position(|&b| b == b']')
        .map_or(bytes.len(), |offset| open + offset + 1)
}

fn number_at(bytes: &[u8], start: usize) -> (Option<i64>, usize) {
    let end = bytes[start..]
        .iter()
        .position(|b| !b.is_ascii_digit())
        .map_or(bytes.len(), |offset| start + offset);
    let digits = std::str::from_utf8(&bytes[start..end]).unwrap_or("");
    (digits.parse().ok(), end)
}

/// Reads the faces and modifiers after the `d` of a dice term.
fn dice_at(bytes: &[u8], start: usize) -> Option<(DiceSpec, usize)> {
    let (faces, mut index) = match bytes.get(start) {
        Some(b'F' | b'f') => (Faces::Fate, start + 1),
        Some(b'%') => (Faces::Number(100), start + 1),
        Some(b) if b.is_ascii_digit() => {
            let (number, end) = number_at(bytes, start);
            let faces = u32::try_from(number?).ok().filter(|&faces| faces > 0)?;
            (Faces::Number(faces), end)
        }
        _ => return None,
    };
    let mut spec = DiceSpec {
        faces,
        keep: None,
        crit_success: None,
        crit_failure: None,
    };
    // Modifiers are letters, comparators, digits and `!`, up to the next operator or space.
    while index < bytes.len() {
        let rest = &bytes[index..];
        if let Some((keep, end)) = keep_at(bytes, index) {
            spec.keep = Some(keep);
            index = end;
        } else if rest.starts_with(b"cs") || rest.starts_with(b"cf") {
            let (threshold, end) = threshold_at(bytes, index + 2);
            if rest.starts_with(b"cs") {
                spec.crit_success = threshold;
            } else {
                spec.crit_failure = threshold;
            }
            index = end;
        } else if rest[0].is_ascii_alphanumeric() || b"!<>=".contains(&rest[0]) {
            index += 1;
        } else {
            break;
        }
    }
    Some((spec, index))
}

fn keep_at(bytes: &[u8], index: usize) -> Option<(Keep, usize)> {
    let rest = &bytes[index..];
    let (make, skip): (fn(usize) -> Keep, usize) = if rest.starts_with(b"kh") {
        (Keep::Highest, 2)
    } else if rest.starts_with(b"kl") {
        (Keep::Lowest, 2)
    } else if rest.starts_with(b"dh") {
        (Keep::DropHighest, 2)
    } else if rest.starts_with(b"dl") {
        (Keep::DropLowest, 2)
    } else if rest.starts_with(b"k") && rest.get(1).is_some_and(u8::is_ascii_digit) {
        (Keep::Highest, 1)
    } else if rest.starts_with(b"d") && rest.get(1).is_some_and(u8::is_ascii_digit) {
        (Keep::DropLowest, 1)
    } else {
        return None;
    };
    let (count, end) = number_at(bytes, index + skip);
    let count = count.and_then(|c| usize::try_from(c).ok()).unwrap_or(1);
    Some((make(count), end))
}

fn threshold_at(bytes: &[u8], index: usize) -> (Option<Threshold>, usize) {
    let (compare, skip) = match (bytes.get(index), bytes.get(index + 1)) {
        (Some(b'>'), Some(b'=')) | (Some(b'>'), _) => (Compare::AtLeast, 1),
        (Some(b'<'), Some(b'=')) | (Some(b'<'), _) => (Compare::AtMost, 1),
        (Some(b'='), _) => (Compare::Equal, 1),
        _ => (Compare::Equal, 0),
    };
    let mut start = index + skip;
    if bytes.get(start) == Some(&b'=') {
        start += 1;
    }
    let (point, end) = number_at(bytes, start);
    (point.map(|point| Threshold { compare, point }), end)
}

/// The crit rule of a roll: the thresholds of its first d20 term that sets any.
pub(crate) fn crit_rule(specs: &[DiceSpec]) -> CritRule {
    let mut rule = CritRule::default();
    for spec in specs.iter().filter(|spec| spec.faces == Faces::Number(20)) {
        if let Some(success) = spec.crit_success {
            rule.success = success;
        }
        if let Some(failure) = spec.crit_failure {
            rule.failure = failure;
        }
    }
    rule
}

/// Marks which results of `term` count under `keep`, when the source does not say.
///
/// Ties keep the earlier die, as Roll20 and Foundry do.
pub(crate) fn apply_keep(term: &mut DiceTerm, keep: Keep) {
    let len = term.results.len();
    let mut order: Vec<usize> = (0..len).collect();
    // Highest first; a stable sort keeps earlier dice first among equals.
    order.sort_by(|&a, &b| term.results[b].value.cmp(&term.results[a].value));
    let kept: Vec<usize> = match keep {
        Keep::Highest(n) => order.iter().copied().take(n).collect(),
        Keep::DropLowest(n) => order.iter().copied().take(len.saturating_sub(n)).collect(),
        Keep::Lowest(n) | Keep::DropHighest(n) => {
            order.sort_by(|&a, &b| term.results[a].value.cmp(&term.results[b].value));
            let count = if matches!(keep, Keep::Lowest(_)) {
                n
            } else {
                len.saturating_sub(n)
            };
            order.iter().copied().take(count).collect()
        }
    };
    for (index, result) in term.results.iter_mut().enumerate() {
        result.kept = kept.contains(&index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DieResult;

    #[test]
    fn finds_terms_and_skips_labels() {
        let specs = dice_specs("1d20cs>18 + 1[STR d8] + 2d6!");
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].faces, Faces::Number(20));
        assert_eq!(specs[0].crit_success, Some(Threshold::at_least(18)));
        assert_eq!(specs[1].faces, Faces::Number(6));
    }

    #[test]
    fn reads_keep_and_fate_and_percent() {
        let specs = dice_specs("2d20kh1 + 4dF + d% + 4d6dl1 + 2d20kl");
        let keeps: Vec<_> = specs.iter().map(|spec| spec.keep).collect();
        assert_eq!(
            keeps,
            [
                Some(Keep::Highest(1)),
                None,
                None,
                Some(Keep::DropLowest(1)),
                Some(Keep::Lowest(1))
            ]
        );
        assert_eq!(specs[1].faces, Faces::Fate);
        assert_eq!(specs[2].faces, Faces::Number(100));
    }

    #[test]
    fn words_with_d_are_not_dice() {
        assert!(dice_specs("@{bard|d20} and 5d0 fire").is_empty());
        assert_eq!(dice_specs("d8").len(), 1);
    }

    #[test]
    fn keep_marks_the_right_dice() {
        let mut term = DiceTerm {
            faces: Some(Faces::Number(20)),
            results: vec![
                DieResult {
                    value: 7,
                    kept: true,
                },
                DieResult {
                    value: 15,
                    kept: true,
                },
            ],
        };
        apply_keep(&mut term, Keep::Lowest(1));
        assert_eq!(
            term.results.iter().map(|r| r.kept).collect::<Vec<_>>(),
            [true, false]
        );
        apply_keep(&mut term, Keep::Highest(1));
        assert_eq!(
            term.results.iter().map(|r| r.kept).collect::<Vec<_>>(),
            [false, true]
        );
    }
}
