//! The tooltip of a Roll20 inline roll: `Rolling 1d20+5 = (<span class="basicdiceroll">12</span>)+5`.
//!
//! The tooltip sits in the `title` (or `original-title`) attribute of a
//! `span.inlinerollresult`. Each parenthesized run of `span.basicdiceroll` is
//! one dice term; its faces come from the matching `NdX` of the formula.
//! Beyond20's pre-rolled dice read `Rolling 9 [1d20 + 2] = (7) + 2 = 9`: the
//! real formula is in the brackets and the dice are bare numbers.

use crate::crit::CritRule;
use crate::formula::{self, DiceSpec};
use crate::record::{DiceTerm, DieResult, Faces};

/// One inline roll, read from its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InlineRoll {
    /// The formula verbatim, or `None` when the tooltip has none.
    pub(crate) formula: Option<String>,
    pub(crate) dice: Vec<DiceTerm>,
    pub(crate) rule: CritRule,
    /// The formula to replay with the dice, when the roll can be replayed.
    pub(crate) replay_formula: Option<String>,
}

/// Reads a tooltip (entities already decoded).
pub(crate) fn parse_title(title: &str) -> InlineRoll {
    let after = match title.find("Rolling ") {
        Some(index) => &title[index + "Rolling ".len()..],
        None => title,
    };
    let (formula_part, breakdown) = match after.find(" = ") {
        Some(index) => (&after[..index], &after[index + 3..]),
        None => (after, ""),
    };
    let formula_part = formula_part.trim();
    if let Some(inner) = beyond20_formula(formula_part) {
        let specs = formula::dice_specs(inner);
        let mut dice = bare_groups(breakdown, &specs);
        for (term, spec) in dice.iter_mut().zip(&specs) {
            if let Some(keep) = spec.keep {
                formula::apply_keep(term, keep);
            }
        }
        return InlineRoll {
            formula: Some(inner.to_string()),
            dice,
            rule: formula::crit_rule(&specs),
            replay_formula: Some(inner.to_string()),
        };
    }
    let specs = formula::dice_specs(formula_part);
    let dice = span_groups(breakdown, &specs);
    InlineRoll {
        formula: (!formula_part.is_empty()).then(|| formula_part.to_string()),
        dice,
        rule: formula::crit_rule(&specs),
        replay_formula: (!formula_part.is_empty()).then(|| formula_part.to_string()),
    }
}

/// `9 [1d20 + 2]` gives `1d20 + 2`.
fn beyond20_formula(part: &str) -> Option<&str> {
    let open = part.find(" [")?;
    let number = &part[..open];
    let inner = part[open + 2..].strip_suffix(']')?;
    let is_number = !number.is_empty() && number.trim_start_matches('-').parse::<f64>().is_ok();
    (is_number && !inner.contains(']') && !inner.contains('[')).then_some(inner)
}

fn faces_for(specs: &[DiceSpec], index: usize) -> Option<Faces> {
    specs.get(index).map(|spec| spec.faces)
}

fn die_value(text: &str, faces: Option<Faces>) -> Option<i64> {
    let text = text.trim();
    match text {
        "+" => Some(1),
        "-" | "\u{2212}" => Some(-1),
        "" if faces == Some(Faces::Fate) => Some(0),
        _ => text.parse().ok(),
    }
}

enum Token {
    Open,
    Close,
    Die { text: String, dropped: bool },
    Separator,
    Other,
}

fn tokens(breakdown: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = breakdown;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            let Some(end) = rest.find('>') else { break };
            let tag = &rest[..=end];
            rest = &rest[end + 1..];
            if tag.starts_with("<span") && tag.contains("basicdiceroll") {
                let close = rest.find("</span>").unwrap_or(rest.len());
                tokens.push(Token::Die {
                    text: crate::html::plain_text(&rest[..close]),
                    dropped: tag.contains("dropped"),
                });
                rest = rest.get(close + "</span>".len()..).unwrap_or("");
            }
            continue;
        }
        tokens.push(match c {
            '(' => Token::Open,
            ')' => Token::Close,
            '+' | ',' => Token::Separator,
            c if c.is_whitespace() => Token::Separator,
            _ => Token::Other,
        });
        rest = &rest[c.len_utf8()..];
    }
    tokens
}

/// Each `(` die (`+` die)* `)` run is one term.
fn span_groups(breakdown: &str, specs: &[DiceSpec]) -> Vec<DiceTerm> {
    let tokens = tokens(breakdown);
    let mut terms = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        if !matches!(tokens[index], Token::Open) {
            index += 1;
            continue;
        }
        let mut cursor = index + 1;
        let mut results = Vec::new();
        let faces = faces_for(specs, terms.len());
        let mut closed = false;
        while let Some(token) = tokens.get(cursor) {
            match token {
                Token::Die { text, dropped } => {
                    if let Some(value) = die_value(text, faces) {
                        results.push(DieResult {
                            value,
                            kept: !dropped,
                        });
                    }
                }
                Token::Separator => {}
                Token::Close => {
                    closed = true;
                    break;
                }
                Token::Open | Token::Other => break,
            }
            cursor += 1;
        }
        if closed && !results.is_empty() {
            terms.push(DiceTerm { faces, results });
            index = cursor + 1;
        } else {
            index += 1;
        }
    }
    terms
}

/// Beyond20's breakdown: `(7) + 2 = 9` or `(17, 3) + 5 = 22`.
fn bare_groups(breakdown: &str, specs: &[DiceSpec]) -> Vec<DiceTerm> {
    let mut terms = Vec::new();
    let mut rest = breakdown;
    while let Some(open) = rest.find('(') {
        if !specs.is_empty() && terms.len() >= specs.len() {
            break;
        }
        let Some(close) = rest[open..].find(')').map(|offset| open + offset) else {
            break;
        };
        let inside = &rest[open + 1..close];
        let faces = faces_for(specs, terms.len());
        let values: Option<Vec<i64>> = inside
            .split([',', '+'])
            .map(|part| die_value(part, faces))
            .collect();
        if let Some(values) = values.filter(|values| !values.is_empty()) {
            terms.push(DiceTerm {
                faces,
                results: values
                    .into_iter()
                    .map(|value| DieResult { value, kept: true })
                    .collect(),
            });
        }
        rest = &rest[close + 1..];
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crit::Threshold;

    fn values(roll: &InlineRoll) -> Vec<Vec<(i64, bool)>> {
        roll.dice
            .iter()
            .map(|term| term.results.iter().map(|r| (r.value, r.kept)).collect())
            .collect()
    }

    #[test]
    fn reads_a_sheet_roll_with_quantum_image() {
        let roll = parse_title(
            r#"<img src="/images/quantumrollwhite.png" class="inlineqroll"> Rolling 1d20cs>20 + 1[STR] + 2[PROF] = (<span class="basicdiceroll critsuccess ">20</span>)+1+2"#,
        );
        assert_eq!(
            roll.formula.as_deref(),
            Some("1d20cs>20 + 1[STR] + 2[PROF]")
        );
        assert_eq!(values(&roll), [[(20, true)]]);
        assert_eq!(roll.dice[0].faces, Some(Faces::Number(20)));
        assert_eq!(roll.rule.success, Threshold::at_least(20));
    }

    #[test]
    fn reads_dropped_dice_and_several_terms() {
        let roll = parse_title(
            r#"Rolling 2d20kh1+1d4 = (<span class="basicdiceroll">4</span>+<span class="basicdiceroll dropped critfail">1</span>)+(<span class="basicdiceroll">3</span>)"#,
        );
        assert_eq!(
            values(&roll),
            [vec![(4, true), (1, false)], vec![(3, true)]]
        );
        assert_eq!(roll.dice[1].faces, Some(Faces::Number(4)));
    }

    #[test]
    fn reads_nested_groups() {
        let roll = parse_title(
            r#"Rolling (1D6 + (2)[MOD])*2 + (1d8)[EXTRA] = ((<span class="basicdiceroll">4</span>)+(2))*2+((<span class="basicdiceroll critfail ">1</span>))"#,
        );
        assert_eq!(values(&roll), [[(4, true)], [(1, true)]]);
        assert_eq!(roll.dice[1].faces, Some(Faces::Number(8)));
    }

    #[test]
    fn reads_fate_dice() {
        let roll = parse_title(
            r#"Rolling 4dF = (<span class="basicdiceroll">+</span>+<span class="basicdiceroll">-</span>+<span class="basicdiceroll"></span>+<span class="basicdiceroll">+</span>)"#,
        );
        assert_eq!(
            values(&roll),
            [[(1, true), (-1, true), (0, true), (1, true)]]
        );
        assert_eq!(roll.dice[0].faces, Some(Faces::Fate));
    }

    #[test]
    fn reads_beyond20_prerolled_dice() {
        let roll = parse_title("Rolling 9 [1d20 + 2] = (7) + 2 = 9");
        assert_eq!(roll.formula.as_deref(), Some("1d20 + 2"));
        assert_eq!(values(&roll), [[(7, true)]]);
        let advantage = parse_title("Rolling 22 [2d20kh1 + 5] = (17, 3) + 5 = 22");
        assert_eq!(values(&advantage), [[(17, true), (3, false)]]);
    }

    #[test]
    fn a_constant_roll_has_no_dice() {
        let roll = parse_title("Rolling 2[CON] = 2");
        assert!(roll.dice.is_empty());
        assert_eq!(roll.formula.as_deref(), Some("2[CON]"));
    }
}
