//! A fast lane for the most common expressions: sums of plain dice and whole
//! numbers with no spaces (`1d20`, `8d6`, `1d20+1d4+3`, `3d6+2d8-1`).
//!
//! It builds exactly the nodes, spans and dice hint the full grammar would,
//! and gives up (returning `None`) on anything else, including every input
//! the full grammar would refuse, so that errors always come from one place.

use crate::ast::{BinaryOp, Count, Dice, Expr, Faces, Node, NodeId, NodeKind};
use crate::{ParseOptions, Span};
use smallvec::SmallVec;

/// One term of the sum.
enum Term {
    Dice { count: Option<u64>, faces: u64 },
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
        let (term, end) = term(bytes, at)?;
        let kind = match term {
            Term::Dice { count, faces } => {
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
                    modifiers: Vec::new(),
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

/// `NdM`, `dM` or `N` at `at`, and where it ends; `None` for anything else.
fn term(bytes: &[u8], at: usize) -> Option<(Term, usize)> {
    let (count_len, count) = digits(bytes, at)?;
    let after_count = at + count_len;
    match bytes.get(after_count) {
        Some(b'd' | b'D') => {
            let (faces_len, faces) = digits(bytes, after_count + 1)?;
            if faces_len == 0 {
                return None;
            }
            let count = (count_len > 0).then_some(count);
            Some((Term::Dice { count, faces }, after_count + 1 + faces_len))
        }
        // A number followed by `.` is a decimal, and anything else is not ours.
        Some(b'+' | b'-') | None if count_len > 0 => Some((Term::Number(count), after_count)),
        _ => None,
    }
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
