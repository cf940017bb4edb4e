//! A fast lane for the most common expressions: sums of whole numbers and
//! dice with no spaces, each die term plain or with one keep or drop of the
//! highest or lowest N (`1d20`, `8d6`, `1d20+1d4+3`, `2d20kh1+5`, `4d6dl1`).
//!
//! It builds exactly the nodes, spans and dice hint the full grammar would,
//! and gives up (returning `None`) on anything else, including every input
//! the full grammar would refuse, so that errors always come from one place.

use crate::ast::{
    BinaryOp, Count, Dice, Expr, Faces, Modifier, ModifierKind, Node, NodeId, NodeKind, Select,
};
use crate::{ParseOptions, Span};
use smallvec::SmallVec;

/// One term of the sum.
enum Term {
    Dice {
        count: Option<u64>,
        faces: u64,
        keep: Option<Modifier>,
    },
    Number(u64),
}

/// The expression, when it is a plain sum the fast lane can build.
pub(super) fn plain_sum(input: &str, options: &ParseOptions) -> Option<Expr> {
    let bytes = input.as_bytes();
    if bytes.is_empty() || bytes.len() > options.limits.max_length {
        return None;
    }
    // Inline for one term; one allocation, sized for the input, for a sum.
    let mut nodes: SmallVec<[Node; 1]> = SmallVec::new();
    let mut dice_hint = 0u64;
    let mut at = 0;
    let mut pending: Option<(BinaryOp, NodeId)> = None;
    loop {
        let start = at;
        let (term, end) = term(bytes, at, options.dialect.d_after_dice_is_dice())?;
        let kind = match term {
            Term::Dice { count, faces, keep } => {
                let limits = &options.limits;
                // As the full grammar does: only a written count adds to the hint.
                if let Some(n) = count {
                    dice_hint = dice_hint.checked_add(n)?;
                    if n > limits.max_dice || dice_hint > limits.max_dice {
                        return None;
                    }
                }
                if faces == 0 || faces > limits.max_faces {
                    return None;
                }
                NodeKind::Dice(Dice {
                    count: count.map_or(Count::Implicit, Count::Literal),
                    faces: Faces::Literal(faces),
                    modifiers: match keep {
                        Some(keep) => vec![keep],
                        None => Vec::new(),
                    },
                })
            }
            Term::Number(value) if value <= 1 << 53 => NodeKind::Number(value as f64),
            Term::Number(_) => return None,
        };
        let id = NodeId(nodes.len() as u32);
        nodes.push(Node {
            kind,
            span: Span::new(start, end),
        });
        let right = match pending.take() {
            Some((op, lhs)) => {
                let span = Span::new(nodes[lhs.index()].span.start, end);
                nodes.push(Node {
                    kind: NodeKind::Binary { op, lhs, rhs: id },
                    span,
                });
                NodeId(nodes.len() as u32 - 1)
            }
            None => id,
        };
        match bytes.get(end) {
            None => {
                return Some(Expr {
                    nodes,
                    comment: None,
                    dialect: options.dialect,
                    dice_hint,
                });
            }
            Some(b'+') => pending = Some((BinaryOp::Add, right)),
            Some(b'-') => pending = Some((BinaryOp::Sub, right)),
            Some(_) => return None,
        }
        if nodes.len() == 1 {
            nodes.reserve((input.len() / 2).clamp(2, 64));
        }
        at = end + 1;
        if nodes.len() > 64 {
            return None;
        }
    }
}

/// `NdM`, `dM`, `NdMkhK` (or `kl`, `dh`, `dl`) or `N` at `at`, and where it
/// ends; `None` for anything else. `d_is_dice`: the dialect reads a `d` after
/// dice as more dice (Avrae), so `dh` and `dl` are left to the full grammar.
fn term(bytes: &[u8], at: usize, d_is_dice: bool) -> Option<(Term, usize)> {
    let (count_len, count) = digits(bytes, at)?;
    let after_count = at + count_len;
    match bytes.get(after_count) {
        Some(b'd' | b'D') => {
            let (faces_len, faces) = digits(bytes, after_count + 1)?;
            if faces_len == 0 {
                return None;
            }
            let count = (count_len > 0).then_some(count);
            let mut end = after_count + 1 + faces_len;
            // Decided on one byte: most dice are followed by an operator or the end.
            let keep = match bytes.get(end) {
                Some(b'k' | b'K' | b'd' | b'D') => {
                    let (keep, keep_end) = keep_or_drop(bytes, end, d_is_dice)?;
                    end = keep_end;
                    Some(keep)
                }
                _ => None,
            };
            Some((Term::Dice { count, faces, keep }, end))
        }
        // A number followed by `.` is a decimal, and anything else is not ours.
        Some(b'+' | b'-') | None if count_len > 0 => Some((Term::Number(count), after_count)),
        _ => None,
    }
}

/// `khN`, `klN`, `dhN` or `dlN` (any case, N written out) at `at`, and where it ends.
fn keep_or_drop(bytes: &[u8], at: usize, d_is_dice: bool) -> Option<(Modifier, usize)> {
    let &[first, second] = bytes.get(at..at + 2)? else {
        return None;
    };
    let keep = match first.to_ascii_lowercase() {
        b'k' => true,
        b'd' if !d_is_dice => false,
        _ => return None,
    };
    let select: fn(u64) -> Select = match second.to_ascii_lowercase() {
        b'h' => Select::Highest,
        b'l' => Select::Lowest,
        _ => return None,
    };
    let (len, n) = digits(bytes, at + 2)?;
    if len == 0 {
        // A bare `kh` means `kh1` in Foundry and is an error elsewhere: the
        // full grammar decides.
        return None;
    }
    let kind = if keep {
        ModifierKind::Keep(select(n))
    } else {
        ModifierKind::Drop(select(n))
    };
    let end = at + 2 + len;
    Some((
        Modifier {
            kind,
            span: Span::new(at, end),
        },
        end,
    ))
}

/// The length and value of the run of ASCII digits at `at`, in one pass;
/// `None` when the value does not fit in a `u64`.
#[inline]
fn digits(bytes: &[u8], at: usize) -> Option<(usize, u64)> {
    let mut value = 0u64;
    let mut len = 0;
    for &b in bytes.get(at..).unwrap_or_default() {
        if !b.is_ascii_digit() {
            break;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        len += 1;
    }
    Some((len, value))
}
