//! The Roll20 chat log: the `outerHTML` of one or more `div.message` elements.
//!
//! - `rollresult` (`/roll`): `div.formula` holds `rolling <formula>`, each
//!   `div.dicegrouping` one dice term of `div.diceroll.dN` dice whose face is in
//!   `div.didroll`, and `div.rolled` the total.
//! - Inline rolls are `span.inlinerollresult` with their breakdown in `title`
//!   or `original-title` (see [`super::inline`]).
//! - Roll templates are `div.sheet-rolltemplate-<name>`.
//! - A message without `span.by` continues the previous sender's messages.
//! - A whisper's `span.by` reads `(From Alice):`, or `(To GM):` for the sender's own.

use critfumble_dice::Dialect;
use tl::{HTMLTag, Node, NodeHandle, Parser};

use crate::error::VttError;
use crate::html::{self, Visit};
use crate::record::{DiceTerm, DieResult, ExtraRoll, Faces, Kind, Parsed, RollRecord, Source};
use crate::roll20::{By, parse_title, template_role};
use crate::{terms, verify};

/// The sender state carried from one message to the next continuation message.
#[derive(Debug, Default)]
struct Carry {
    by: Option<By>,
}

/// Parses the chat HTML.
pub(crate) fn parse(input: &str) -> Result<Parsed, VttError> {
    let dom = html::parse(input)
        .ok_or_else(|| VttError::element("(document)", "could not be read as html"))?;
    let parser = dom.parser();
    let messages = message_handles(parser, dom.children());
    if messages.is_empty() {
        return Err(VttError::element(
            "div.message",
            "is missing: the input holds no chat message",
        ));
    }
    let mut carry = Carry::default();
    let many = messages.len() > 1;
    let records = messages
        .into_iter()
        .filter_map(|handle| html::tag(parser, handle))
        .map(|tag| message(parser, tag, &mut carry))
        .collect();
    Ok(crate::pack(records, many))
}

/// Every innermost `div.message`, in document order.
fn message_handles(parser: &Parser<'_>, roots: &[NodeHandle]) -> Vec<NodeHandle> {
    // (handle, holds another message) in document order.
    let mut found: Vec<(NodeHandle, bool)> = Vec::new();
    // The messages that enclose the current node: (depth, index in `found`).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut stack: Vec<(NodeHandle, usize)> = roots.iter().rev().map(|&h| (h, 0)).collect();
    while let Some((handle, depth)) = stack.pop() {
        let Some(tag) = html::tag(parser, handle) else {
            continue;
        };
        while open
            .last()
            .is_some_and(|&(open_depth, _)| open_depth >= depth)
        {
            open.pop();
        }
        if tag.name().as_utf8_str().eq_ignore_ascii_case("div") && html::has_class(tag, "message") {
            if let Some(&(_, outer)) = open.last() {
                found[outer].1 = true;
            }
            open.push((depth, found.len()));
            found.push((handle, false));
        }
        stack.extend(
            html::children(tag)
                .into_iter()
                .rev()
                .map(|h| (h, depth + 1)),
        );
    }
    found
        .into_iter()
        .filter(|&(_, holds_another)| !holds_another)
        .map(|(handle, _)| handle)
        .collect()
}

fn message(parser: &Parser<'_>, tag: &HTMLTag<'_>, carry: &mut Carry) -> RollRecord {
    let classes = html::classes(tag);
    let has = |name: &str| classes.contains(&name);
    let mut record = RollRecord::new(Source::Roll20Dom, Kind::Chat);
    record.message_id = html::attribute(tag, "data-messageid");
    let all = html::descendants(parser, tag);
    let tags: Vec<&HTMLTag<'_>> = all
        .iter()
        .filter_map(|&handle| html::tag(parser, handle))
        .collect();

    let by = tags
        .iter()
        .find(|t| html::has_class(t, "by"))
        .and_then(|t| {
            By::parse(&html::visible_text(parser, &html::children(t), &|_| {
                Visit::Enter
            }))
        });
    let is_emote = has("emote");
    let by = match by {
        Some(by) => {
            if !is_emote {
                carry.by = Some(by.clone());
            }
            Some(by)
        }
        None if is_emote || has("desc") => None,
        None => carry.by.clone(),
    };
    let whisper = has("whisper") || has("private") || has("gmrollresult");
    match by {
        Some(By::Speaker(name)) => record.speaker = Some(name),
        // The receiver of a whisper is the reader, whom the message does not name.
        Some(By::From(name)) => record.speaker = Some(name),
        Some(By::To(name)) => record.whisper_to = Some(vec![name]),
        None => {}
    }
    record.private = whisper || record.whisper_to.is_some();

    if has("rollresult") || has("gmrollresult") {
        roll_result(parser, &tags, &mut record);
        return record;
    }

    let template = tags
        .iter()
        .find_map(|t| template_name(t).map(|name| (*t, name)));
    if let Some((template_tag, name)) = &template {
        template_message(parser, template_tag, name, &mut record);
        if !record.dice.is_empty() || record.total.is_some() {
            return record;
        }
    }

    let inline = inline_rolls(parser, tag);
    let rolls: Vec<ExtraRoll> = inline.iter().map(|found| found.roll.clone()).collect();
    record.kind = if is_emote {
        Kind::Emote
    } else if rolls.is_empty() {
        Kind::Chat
    } else {
        Kind::ChatWithRolls
    };
    record.text = Some(message_text(parser, tag));
    if template.is_some() {
        record.label = template_label(parser, tags.as_slice());
    }
    record.set_rolls(rolls);
    record
}

/// The text of a message, without avatar, time stamp and sender, each inline roll replaced by its total.
fn message_text(parser: &Parser<'_>, tag: &HTMLTag<'_>) -> String {
    html::visible_text(parser, &html::children(tag), &|t| {
        let classes = html::classes(t);
        if classes
            .iter()
            .any(|c| matches!(*c, "spacer" | "avatar" | "tstamp" | "by" | "flyout"))
        {
            Visit::Skip
        } else if classes.contains(&"inlinerollresult") {
            Visit::Replace(html::visible_text(parser, &html::children(t), &|_| {
                Visit::Enter
            }))
        } else {
            Visit::Enter
        }
    })
}

fn template_name(tag: &HTMLTag<'_>) -> Option<String> {
    tag.attributes().class_iter()?.find_map(|class| {
        let name = class.strip_prefix("sheet-rolltemplate-")?;
        (name != "darkmode" && !name.is_empty()).then(|| name.to_string())
    })
}

/// The roll's name in a template: the first of its name-like elements, in
/// document order. An inline roll inside the name shows its total there, as
/// in Roll20's `HIT DICE (D8+2)`, where the 2 is a roll of `2[CON]`.
fn template_label(parser: &Parser<'_>, tags: &[&HTMLTag<'_>]) -> Option<String> {
    const NAME_CLASSES: [&str; 5] = [
        "sheet-rname",
        "sheet-label",
        "sheet-title",
        "sheet-header",
        "sheet-name",
    ];
    tags.iter()
        .filter(|t| NAME_CLASSES.iter().any(|class| html::has_class(t, class)))
        .take(NAME_CANDIDATES)
        .map(|t| {
            html::visible_text(parser, &html::children(t), &|inner| {
                if html::has_class(inner, "inlinerollresult") {
                    Visit::Replace(html::visible_text(parser, &html::children(inner), &|_| {
                        Visit::Enter
                    }))
                } else {
                    Visit::Enter
                }
            })
        })
        .find(|text| !text.is_empty())
}

fn template_message(
    parser: &Parser<'_>,
    template: &HTMLTag<'_>,
    name: &str,
    record: &mut RollRecord,
) {
    let all = html::descendants(parser, template);
    let tags: Vec<&HTMLTag<'_>> = all.iter().filter_map(|&h| html::tag(parser, h)).collect();
    let label = template_label(parser, &tags).unwrap_or_else(|| name.to_string());
    let mut rolls = inline_rolls(parser, template);
    if rolls.is_empty() {
        return;
    }
    for found in &mut rolls {
        found.roll.role = template_role(name, &found.around, Some(&label));
    }
    record.kind = Kind::Roll;
    record.label = Some(label);
    record.set_rolls(rolls.into_iter().map(|found| found.roll).collect());
}

/// How many enclosing elements of an inline roll [`template_role`] looks at.
const NEAR_ANCESTORS: usize = 8;

/// How many characters after an inline roll [`template_role`] reads.
const TEXT_AFTER: usize = 40;

/// How many name-like elements [`template_label`] tries before giving up.
const NAME_CANDIDATES: usize = 8;

/// An inline roll found in a message.
struct Found {
    roll: ExtraRoll,
    /// The classes of the elements around it, for [`template_role`].
    around: String,
}

/// Every inline roll under `root` in document order, with its replay.
fn inline_rolls(parser: &Parser<'_>, root: &HTMLTag<'_>) -> Vec<Found> {
    let mut rolls = Vec::new();
    // The tags above the current one, outermost first.
    let mut above: Vec<NodeHandle> = Vec::new();
    // (node, depth, the node after it among its siblings)
    let mut stack: Vec<(NodeHandle, usize, Option<NodeHandle>)> = Vec::new();
    push_children(&mut stack, root, 0);
    while let Some((handle, depth, next)) = stack.pop() {
        let Some(tag) = html::tag(parser, handle) else {
            continue;
        };
        above.truncate(depth);
        if html::has_class(tag, "inlinerollresult") {
            // The nearest few enclosing elements decide a roll's role.
            let mut around: Vec<String> = above[above.len().saturating_sub(NEAR_ANCESTORS)..]
                .iter()
                .filter_map(|&h| html::tag(parser, h)?.attributes().class())
                .map(|class| class.as_utf8_str().into_owned())
                .collect();
            // So does the text right after it: "+5 to hit", "7 slashing damage".
            if let Some(Node::Raw(text)) = next.and_then(|n| n.get(parser)) {
                let text = text.as_utf8_str();
                let end = text
                    .char_indices()
                    .nth(TEXT_AFTER)
                    .map_or(text.len(), |(i, _)| i);
                around.push(text[..end].to_ascii_lowercase());
            }
            rolls.push(inline_roll(parser, tag, around.join(" ")));
            continue;
        }
        above.push(handle);
        push_children(&mut stack, tag, depth + 1);
    }
    rolls
}

/// Pushes the children of `tag` so that they pop in document order, each with its next sibling.
fn push_children(
    stack: &mut Vec<(NodeHandle, usize, Option<NodeHandle>)>,
    tag: &HTMLTag<'_>,
    depth: usize,
) {
    let children = html::children(tag);
    for (index, &child) in children.iter().enumerate().rev() {
        stack.push((child, depth, children.get(index + 1).copied()));
    }
}

fn inline_roll(parser: &Parser<'_>, tag: &HTMLTag<'_>, around: String) -> Found {
    let shown = html::visible_text(parser, &html::children(tag), &|_| Visit::Enter);
    let total = shown.parse::<f64>().ok().filter(|t| t.is_finite());
    let title = html::attribute(tag, "original-title").or_else(|| html::attribute(tag, "title"));
    let parsed = title.as_deref().map(parse_title);
    let (formula, dice, rule, expr) = match parsed {
        Some(p) => (p.formula, p.dice, p.rule, p.expr),
        None => (None, Vec::new(), crate::crit::CritRule::default(), None),
    };
    let roll = ExtraRoll {
        verified: verify::check(expr.as_ref(), &dice, total),
        formula,
        total,
        crit: rule.judge(&dice),
        dice,
        label: None,
        role: None,
    };
    Found { roll, around }
}

/// The dice of a `/roll` message, in one pass over its tags (document order):
/// each `div.dicegrouping` starts a term, each `div.diceroll` describes the die
/// whose face the next `div.didroll` shows.
fn dice_groups(parser: &Parser<'_>, tags: &[&HTMLTag<'_>]) -> Vec<DiceTerm> {
    let mut dice: Vec<DiceTerm> = Vec::new();
    let mut die: (Option<Faces>, bool) = (None, false);
    for tag in tags {
        if html::has_class(tag, "dicegrouping") {
            dice.push(DiceTerm {
                faces: None,
                results: Vec::new(),
            });
        } else if html::has_class(tag, "diceroll") {
            let faces = tag.attributes().class_iter().and_then(|mut classes| {
                classes.find_map(|class| match class.strip_prefix('d')? {
                    "F" | "f" => Some(Faces::Fate),
                    number => number
                        .parse::<u32>()
                        .ok()
                        .filter(|&f| f > 0)
                        .map(Faces::Number),
                })
            });
            die = (faces, html::has_class(tag, "dropped"));
        } else if html::has_class(tag, "didroll")
            && let Some(term) = dice.last_mut()
        {
            let (faces, dropped) = die;
            let value = match html::own_text(parser, tag).as_str() {
                "+" => Some(1),
                "-" => Some(-1),
                "" | "0" if faces == Some(Faces::Fate) => Some(0),
                other => other.parse::<i64>().ok(),
            };
            if let Some(value) = value {
                term.faces = term.faces.or(faces);
                term.results.push(DieResult {
                    value,
                    kept: !dropped,
                });
            }
        }
    }
    dice.retain(|term| !term.results.is_empty());
    dice
}

/// A `/roll` message: `div.formula`, `div.dicegrouping`s and `div.rolled`.
fn roll_result(parser: &Parser<'_>, tags: &[&HTMLTag<'_>], record: &mut RollRecord) {
    record.kind = Kind::Roll;
    let text_of =
        |t: &HTMLTag<'_>| html::visible_text(parser, &html::children(t), &|_| Visit::Enter);
    let formula = tags
        .iter()
        .find(|t| html::has_class(t, "formula") && !html::has_class(t, "formattedformula"))
        .map(|t| text_of(t));
    let formula = formula.map(|f| f.strip_prefix("rolling ").map(str::to_string).unwrap_or(f));
    let total = tags
        .iter()
        .find(|t| html::has_class(t, "rolled"))
        .and_then(|t| text_of(t).parse::<f64>().ok())
        .filter(|t| t.is_finite());
    let mut dice = dice_groups(parser, tags);
    let expr = formula
        .as_deref()
        .and_then(|formula| terms::read(formula, Dialect::Roll20));
    let specs = expr.as_ref().map(terms::dice_specs).unwrap_or_default();
    for (term, spec) in dice.iter_mut().zip(&specs) {
        term.faces = term.faces.or(spec.faces);
    }
    let rule = expr.as_ref().map(terms::crit_rule).unwrap_or_default();
    record.set_rolls(vec![ExtraRoll {
        verified: verify::check(expr.as_ref(), &dice, total),
        crit: rule.judge(&dice),
        formula,
        total,
        dice,
        label: None,
        role: None,
    }]);
}
