//! The tooltip of a Roll20 inline roll: `Rolling 1d20+5 = (<span class="basicdiceroll">12</span>)+5`.
//!
//! The tooltip sits in the `title` (or `original-title`) attribute of a
//! `span.inlinerollresult`. Each parenthesized run of `span.basicdiceroll` is
//! one dice term; its faces come from the matching `NdX` of the formula.
//! Beyond20's pre-rolled dice read `Rolling 9 [1d20 + 2] = (7) + 2 = 9`: the
//! real formula is in the brackets and the dice are bare numbers.

use critfumble_dice::{Dialect, Expr};
use tl::{Node, NodeHandle};

use crate::crit::CritRule;
use crate::html;
use crate::record::{DiceTerm, DieResult, Faces};
use crate::terms::{self, DiceSpec};

/// One inline roll, read from its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InlineRoll {
    /// The formula verbatim, or `None` when the tooltip has none.
    pub(crate) formula: Option<String>,
    pub(crate) dice: Vec<DiceTerm>,
    pub(crate) rule: CritRule,
    /// The formula as the dice engine reads it, to replay with the dice.
    pub(crate) expr: Option<Expr>,
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
        let expr = terms::read(inner, Dialect::Roll20);
        let specs = expr.as_ref().map(terms::dice_specs).unwrap_or_default();
        let mut dice = bare_groups(breakdown, &specs);
        for (term, spec) in dice.iter_mut().zip(&specs) {
            terms::apply_keep(term, &spec.keep);
        }
        return InlineRoll {
            formula: Some(inner.to_string()),
            dice,
            rule: expr.as_ref().map(terms::crit_rule).unwrap_or_default(),
            expr,
        };
    }
    let expr = terms::read(formula_part, Dialect::Roll20);
    let specs = expr.as_ref().map(terms::dice_specs).unwrap_or_default();
    InlineRoll {
        formula: (!formula_part.is_empty()).then(|| formula_part.to_string()),
        dice: span_groups(breakdown, &specs),
        rule: expr.as_ref().map(terms::crit_rule).unwrap_or_default(),
        expr,
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
    specs.get(index).and_then(|spec| spec.faces)
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

/// What the breakdown of a tooltip is made of, in document order.
enum Token {
    Open,
    Close,
    Die { text: String, dropped: bool },
    Separator,
    Other,
}

/// The breakdown's tokens, read through `tl`: each `span.basicdiceroll` is a
/// die (dropped when it has the class `dropped`), and the text between them
/// gives the parentheses and separators.
fn tokens(breakdown: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let Some(dom) = html::parse(breakdown) else {
        return tokens;
    };
    let parser = dom.parser();
    let mut stack: Vec<NodeHandle> = dom.children().iter().rev().copied().collect();
    while let Some(handle) = stack.pop() {
        match handle.get(parser) {
            Some(Node::Tag(tag)) if html::has_class(tag, "basicdiceroll") => {
                tokens.push(Token::Die {
                    text: html::visible_text(parser, &html::children(tag), &|_| html::Visit::Enter),
                    dropped: html::has_class(tag, "dropped"),
                });
            }
            Some(Node::Tag(tag)) => stack.extend(html::children(tag).into_iter().rev()),
            Some(Node::Raw(text)) => {
                for c in html::decode_entities(&text.as_utf8_str()).chars() {
                    tokens.push(match c {
                        '(' => Token::Open,
                        ')' => Token::Close,
                        '+' | ',' => Token::Separator,
                        c if c.is_whitespace() => Token::Separator,
                        _ => Token::Other,
                    });
                }
            }
            Some(Node::Comment(_)) | None => {}
        }
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
            // The scan stopped at `cursor` without a term: no token before it
            // can open one, so resume there (each token is read once).
            index = cursor.max(index + 1);
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
    use crate::crit::at_least;

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
        assert_eq!(roll.rule.success, at_least(20));
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
