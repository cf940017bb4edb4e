//! The parser for Roll20, Foundry and Avrae notation: hand-written
//! precedence climbing that pushes nodes into the [`Expr`] arena in
//! post-order, with nom for a few lexemes (numbers, whitespace, compare
//! operators).

mod fast;
mod lexeme;
mod modifier;
mod reference;

use crate::ast::{
    BinaryOp, Count, Dice, Expr, Faces, Func, Group, GroupStyle, Node, NodeId, NodeKind, UnaryOp,
};
use crate::{Dialect, DiceError, LimitKind, Limits, Span};
pub(crate) use lexeme::MAX_EXACT;
use lexeme::{float_literal, integer_literal, ws};
use smallvec::SmallVec;

/// How to read an expression.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Whose meaning to use where the notations disagree.
    pub dialect: Dialect,
    /// Caps on what the expression may ask for.
    pub limits: Limits,
}

impl ParseOptions {
    /// Options for a dialect, with the default limits.
    pub fn dialect(dialect: Dialect) -> Self {
        ParseOptions {
            dialect,
            limits: Limits::default(),
        }
    }
}

/// Parses an expression in the default dialect with the default limits.
///
/// ```
/// let expr = critfumble_dice::parse("2d20kh1 + 5")?;
/// assert_eq!(expr.to_string(), "2d20kh1 + 5");
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn parse(input: &str) -> Result<Expr, DiceError> {
    parse_with(input, &ParseOptions::default())
}

/// Parses an expression with the given dialect and limits.
///
/// ```
/// use critfumble_dice::{parse_with, Dialect, ParseOptions};
/// // In Roll20, `>` includes the value: this counts dice showing 5 or 6.
/// let expr = parse_with("3d6>5", &ParseOptions::dialect(Dialect::Roll20))?;
/// assert_eq!(expr.to_string(), "3d6>=5");
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn parse_with(input: &str, options: &ParseOptions) -> Result<Expr, DiceError> {
    let options = &ParseOptions {
        limits: options.dialect.limits(options.limits),
        ..*options
    };
    let limits = &options.limits;
    if input.len() > limits.max_length {
        return Err(DiceError::Limit {
            kind: LimitKind::Length,
            limit: limits.max_length as u64,
            span: Span::new(0, input.len()),
        });
    }
    if let Some(expr) = fast::plain_sum(input, options) {
        return Ok(expr);
    }
    let mut parser = Parser {
        input,
        options,
        nodes: node_storage(input),
        depth: 0,
        dice_hint: 0,
    };
    let start = ws(input);
    if start.is_empty() {
        return Err(DiceError::syntax(
            "expected an expression",
            Span::new(input.len(), input.len()),
        ));
    }
    let (rest, _root) = parser.expression(start)?;
    let comment = parser.comment(rest)?;
    Ok(Expr {
        nodes: parser.nodes,
        comment,
        dialect: options.dialect,
        dice_hint: parser.dice_hint,
    })
}

type Parsed<'a> = Result<(&'a str, NodeId), DiceError>;

pub(crate) struct Parser<'a, 'o> {
    input: &'a str,
    options: &'o ParseOptions,
    nodes: SmallVec<[Node; 1]>,
    depth: usize,
    dice_hint: u64,
}

impl<'a> Parser<'a, '_> {
    /// Byte offset of `rest` in the input.
    fn pos(&self, rest: &str) -> usize {
        self.input.len() - rest.len()
    }

    fn span(&self, from: &str, to: &str) -> Span {
        Span::new(self.pos(from), self.pos(to))
    }

    /// A span of one character at `rest` (or an empty span at the end).
    fn here(&self, rest: &str) -> Span {
        let start = self.pos(rest);
        Span::new(start, start + rest.chars().next().map_or(0, char::len_utf8))
    }

    fn push(&mut self, kind: NodeKind, span: Span) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node { kind, span });
        id
    }

    fn node_span(&self, id: NodeId) -> Span {
        self.nodes[id.index()].span
    }

    fn enter(&mut self, at: &str) -> Result<(), DiceError> {
        self.depth += 1;
        if self.depth > self.options.limits.max_depth {
            return Err(DiceError::Limit {
                kind: LimitKind::Depth,
                limit: self.options.limits.max_depth as u64,
                span: self.here(at),
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn expected(&self, what: &str, at: &str) -> DiceError {
        let found = match at.chars().next() {
            None => "the end of the expression".to_string(),
            Some(c) => format!("'{c}'"),
        };
        DiceError::syntax(format!("expected {what}, found {found}"), self.here(at))
    }

    pub(crate) fn expression(&mut self, s: &'a str) -> Parsed<'a> {
        self.binary(s, 0)
    }

    /// Precedence climbing over d20's comparisons, `+ -`, `* / // %` and the
    /// right-associative `** ^`.
    fn binary(&mut self, s: &'a str, min_precedence: u8) -> Parsed<'a> {
        let (mut rest, mut lhs) = self.unary(s)?;
        loop {
            let after_ws = ws(rest);
            let d20 = self.options.dialect.python_arithmetic();
            let Some((op, after_op)) = lexeme::binary_op(after_ws, d20) else {
                break;
            };
            let precedence = op.precedence();
            if precedence < min_precedence {
                break;
            }
            let next_min = if op == BinaryOp::Pow {
                precedence
            } else {
                precedence + 1
            };
            let operand = ws(after_op);
            if operand.is_empty() {
                return Err(self.expected(
                    &format!("a number or dice after '{}'", op.symbol()),
                    operand,
                ));
            }
            // `**` nests to the right, so a chain of them counts toward the depth limit.
            let nests = op == BinaryOp::Pow;
            if nests {
                self.enter(after_ws)?;
            }
            let (r, rhs) = self.binary(operand, next_min)?;
            if nests {
                self.leave();
            }
            let span = self.node_span(lhs).to(self.node_span(rhs));
            lhs = self.push(NodeKind::Binary { op, lhs, rhs }, span);
            rest = r;
        }
        Ok((rest, lhs))
    }

    /// `-x` and `+x`; the operand is a power expression, so `-2**2` is `-(2**2)`.
    fn unary(&mut self, s: &'a str) -> Parsed<'a> {
        let op = match s.as_bytes().first() {
            Some(b'-') => UnaryOp::Neg,
            Some(b'+') => UnaryOp::Plus,
            _ => return self.postfix(s),
        };
        self.enter(s)?;
        let operand = ws(&s[1..]);
        if operand.is_empty() {
            return Err(self.expected("a number or dice after the sign", operand));
        }
        let (rest, inner) = self.binary(operand, BinaryOp::Pow.precedence())?;
        self.leave();
        let span = Span::new(self.pos(s), self.node_span(inner).end);
        Ok((
            rest,
            self.push(NodeKind::Unary { op, operand: inner }, span),
        ))
    }

    /// A primary followed by any number of `[label]`s.
    fn postfix(&mut self, s: &'a str) -> Parsed<'a> {
        let (mut rest, mut id) = self.primary(s)?;
        loop {
            let after_ws = ws(rest);
            if !after_ws.starts_with('[') {
                return Ok((rest, id));
            }
            let body = &after_ws[1..];
            let Some(close) = body.find(']') else {
                return Err(DiceError::syntax(
                    "expected ']' to close the label",
                    self.span(after_ws, ""),
                ));
            };
            let label = body[..close].trim().to_string();
            rest = &body[close + 1..];
            let span = Span::new(self.node_span(id).start, self.pos(rest));
            id = self.push(NodeKind::Labeled { inner: id, label }, span);
        }
    }

    fn primary(&mut self, s: &'a str) -> Parsed<'a> {
        let Some(first) = s.chars().next() else {
            return Err(self.expected("a number or dice", s));
        };
        match first {
            '0'..='9' | '.' => self.number_or_dice(s),
            'd' | 'D' => self.dice(s, s, Count::Implicit),
            '(' if self.options.dialect.has_sets() => self.parenthesized_or_set(s),
            '(' => {
                let (rest, inner) = self.parenthesized(s)?;
                if starts_dice(rest) {
                    self.dice(s, rest, Count::Computed(inner))
                } else {
                    self.no_dangling_d(rest)?;
                    Ok((rest, inner))
                }
            }
            '{' => self.group(s),
            '[' if s.starts_with("[[") && self.options.dialect.nested_inline_rolls() => {
                let (rest, inner) = self.inline_roll(s)?;
                if starts_dice(rest) {
                    self.dice(s, rest, Count::Computed(inner))
                } else {
                    self.no_dangling_d(rest)?;
                    Ok((rest, inner))
                }
            }
            '?' | '@' => self.reference(s),
            c if c.is_ascii_alphabetic() => self.call(s),
            _ => Err(self.expected("a number, dice or '('", s)),
        }
    }

    /// `( expr )`, returning the inner node (parentheses leave no node).
    fn parenthesized(&mut self, s: &'a str) -> Parsed<'a> {
        self.enter(s)?;
        let inner_start = ws(&s[1..]);
        if inner_start.is_empty() || inner_start.starts_with(')') {
            return Err(self.expected("an expression after '('", inner_start));
        }
        let (rest, inner) = self.expression(inner_start)?;
        let rest = ws(rest);
        let Some(rest) = rest.strip_prefix(')') else {
            return Err(self.expected("')' to close the '(' here", rest));
        };
        self.leave();
        // The node's span takes in its parentheses, so that errors underline them.
        self.nodes[inner.index()].span = self.span(s, rest);
        Ok((rest, inner))
    }

    /// Roll20's nested inline roll `[[ expr ]]` used as a number: the inner
    /// roll, whose total counts where it stands (`[[1d3]]d8`). It reads
    /// (and prints) as the parenthesized expression.
    fn inline_roll(&mut self, s: &'a str) -> Parsed<'a> {
        self.enter(s)?;
        let inner_start = ws(&s[2..]);
        if inner_start.is_empty() || inner_start.starts_with("]]") {
            return Err(self.expected("an expression after '[['", inner_start));
        }
        let (rest, inner) = self.expression(inner_start)?;
        let rest = ws(rest);
        let Some(rest) = rest.strip_prefix("]]") else {
            return Err(self.expected("']]' to close the inline roll", rest));
        };
        self.leave();
        self.nodes[inner.index()].span = self.span(s, rest);
        Ok((rest, inner))
    }

    /// Avrae's `( … )`: a parenthesized expression, or a set when it holds a
    /// comma or nothing (`(1d8, 5)`, `(7,)`, `()`), with its keep and drop.
    fn parenthesized_or_set(&mut self, s: &'a str) -> Parsed<'a> {
        self.enter(s)?;
        let mut rest = ws(&s[1..]);
        let mut items = Vec::new();
        let mut is_set = false;
        if let Some(after) = rest.strip_prefix(')') {
            is_set = true;
            rest = after;
        } else {
            loop {
                if rest.is_empty() {
                    return Err(self.expected("an expression after '('", rest));
                }
                let (after, item) = self.expression(rest)?;
                items.push(item);
                let after = ws(after);
                if let Some(after) = after.strip_prefix(',') {
                    is_set = true;
                    let after = ws(after);
                    if let Some(after) = after.strip_prefix(')') {
                        rest = after;
                        break;
                    }
                    rest = after;
                } else if let Some(after) = after.strip_prefix(')') {
                    rest = after;
                    break;
                } else {
                    return Err(self.expected("',' or ')' in the set", after));
                }
            }
        }
        self.leave();
        if let (false, [inner]) = (is_set, items.as_slice()) {
            let inner = *inner;
            self.nodes[inner.index()].span = self.span(s, rest);
            if starts_dice(rest) {
                return self.dice(s, rest, Count::Computed(inner));
            }
            self.no_dangling_d(rest)?;
            return Ok((rest, inner));
        }
        let (rest, modifiers) = self.modifiers(rest, true)?;
        if let Some(modifier) = modifiers.iter().find(|m| !m.kind.is_keep_or_drop()) {
            return Err(DiceError::syntax(
                "only keep ('k') and drop ('p') apply to a set, as in d20",
                modifier.span,
            ));
        }
        let span = self.span(s, rest);
        let group = Group {
            items,
            modifiers,
            style: GroupStyle::Set,
        };
        Ok((rest, self.push(NodeKind::Group(group), span)))
    }

    fn number_or_dice(&mut self, s: &'a str) -> Parsed<'a> {
        if let Ok((rest, digits)) = integer_literal(s)
            && starts_dice(rest)
        {
            let count = self.dice_count(digits, s, rest)?;
            return self.dice(s, rest, Count::Literal(count));
        }
        let (rest, value) = float_literal(s).map_err(|_| self.expected("a number", s))?;
        let span = self.span(s, rest);
        let value = value.ok_or_else(|| {
            DiceError::syntax(
                "this number is too large to compute exactly (at most 2^53)",
                span,
            )
        })?;
        if starts_dice(rest) {
            return Err(DiceError::invalid(
                "the number of dice must be a whole number",
                span,
            ));
        }
        self.no_dangling_d(rest)?;
        Ok((rest, self.push(NodeKind::Number(value), span)))
    }

    /// A `d` right after a count with no faces after it: `2d`, `(1d4)dx`.
    fn no_dangling_d(&self, rest: &str) -> Result<(), DiceError> {
        if rest.starts_with(['d', 'D']) {
            return Err(self.expected("the number of faces after 'd'", &rest[1..]));
        }
        Ok(())
    }

    fn dice_count(&mut self, digits: &str, from: &str, to: &str) -> Result<u64, DiceError> {
        let limits = &self.options.limits;
        let span = self.span(from, to);
        let too_many = || DiceError::Limit {
            kind: LimitKind::Dice,
            limit: limits.max_dice,
            span,
        };
        let count = lexeme::digits_value(digits).ok_or_else(too_many)?;
        self.dice_hint = self.dice_hint.saturating_add(count);
        if count > limits.max_dice || self.dice_hint > limits.max_dice {
            return Err(too_many());
        }
        Ok(count)
    }

    /// `d` + faces + modifiers, starting at the `d` in `at`; `start` is where
    /// the count began. Avrae reads a `d` after dice as dice of dice: `4d6d2`
    /// is `(4d6)d2`. Each link of such a chain nests one level, like the
    /// parentheses it stands for, so it counts against `max_depth`: a chain
    /// as long as the input is refused with the depth limit rather than
    /// walked once per link by every evaluator after the parser.
    fn dice(&mut self, start: &'a str, at: &'a str, count: Count) -> Parsed<'a> {
        let (mut rest, mut id) = self.dice_term(start, at, count)?;
        let mut links = 0;
        while self.options.dialect.d_after_dice_is_dice() && starts_dice(rest) {
            self.enter(rest)?;
            links += 1;
            (rest, id) = self.dice_term(start, rest, Count::Computed(id))?;
        }
        for _ in 0..links {
            self.leave();
        }
        Ok((rest, id))
    }

    /// One dice term of [`Self::dice`], without the chain after it.
    fn dice_term(&mut self, start: &'a str, at: &'a str, count: Count) -> Parsed<'a> {
        let after_d = &at[1..];
        let (mut rest, faces) = self.faces(after_d)?;
        let modifiers;
        (rest, modifiers) = self.modifiers(rest, false)?;
        let span = self.span(start, rest);
        let dice = Dice {
            count,
            faces,
            modifiers,
        };
        crate::termination::check_static(&dice, self.options.dialect, span)?;
        Ok((rest, self.push(NodeKind::Dice(dice), span)))
    }

    fn faces(&mut self, s: &'a str) -> Result<(&'a str, Faces), DiceError> {
        let limits = &self.options.limits;
        match s.chars().next() {
            Some('%') => Ok((&s[1..], Faces::Percent)),
            Some('F' | 'f') => Ok((&s[1..], Faces::Fate)),
            Some('(') => {
                let (rest, inner) = self.parenthesized(s)?;
                Ok((rest, Faces::Computed(inner)))
            }
            Some('[') if s.starts_with("[[") && self.options.dialect.nested_inline_rolls() => {
                let (rest, inner) = self.inline_roll(s)?;
                Ok((rest, Faces::Computed(inner)))
            }
            Some('0'..='9') => {
                let (rest, digits) =
                    integer_literal(s).map_err(|_| self.expected("the number of faces", s))?;
                let span = self.span(s, rest);
                let too_many = || DiceError::Limit {
                    kind: LimitKind::Faces,
                    limit: limits.max_faces,
                    span,
                };
                let faces = lexeme::digits_value(digits).ok_or_else(too_many)?;
                if faces > limits.max_faces {
                    return Err(too_many());
                }
                if faces == 0 {
                    return Err(DiceError::invalid("a die needs at least one face", span));
                }
                if rest.starts_with('.') {
                    return Err(DiceError::invalid(
                        "the number of faces must be a whole number",
                        span,
                    ));
                }
                Ok((rest, Faces::Literal(faces)))
            }
            _ => Err(self.expected("the number of faces after 'd'", s)),
        }
    }

    fn group(&mut self, s: &'a str) -> Parsed<'a> {
        self.enter(s)?;
        let mut items = Vec::new();
        let mut rest = ws(&s[1..]);
        if rest.starts_with('}') {
            return Err(self.expected("a roll inside the group", rest));
        }
        loop {
            let (r, item) = self.expression(rest)?;
            items.push(item);
            let r = ws(r);
            if let Some(r) = r.strip_prefix(',') {
                rest = ws(r);
            } else if let Some(r) = r.strip_prefix('}') {
                rest = r;
                break;
            } else {
                return Err(self.expected("',' or '}' in the group", r));
            }
        }
        self.leave();
        let (rest, modifiers) = self.modifiers(rest, true)?;
        let span = self.span(s, rest);
        Ok((
            rest,
            self.push(
                NodeKind::Group(Group {
                    items,
                    modifiers,
                    style: GroupStyle::Braces,
                }),
                span,
            ),
        ))
    }

    fn call(&mut self, s: &'a str) -> Parsed<'a> {
        let name_len = s
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(s.len());
        let name = &s[..name_len];
        let name_span = self.span(s, &s[name_len..]);
        let Some(func) = Func::from_name(name) else {
            return Err(DiceError::syntax(
                format!(
                    "unknown function or word '{name}': expected a number, dice, '(' or a function such as floor, max or sqrt"
                ),
                name_span,
            ));
        };
        let open = ws(&s[name_len..]);
        if !open.starts_with('(') {
            return Err(self.expected(&format!("'(' after '{name}'"), open));
        }
        self.enter(open)?;
        let mut args = Vec::new();
        let mut rest = ws(&open[1..]);
        let (least, most) = func.arity();
        loop {
            if rest.is_empty() || rest.starts_with(')') {
                return Err(self.expected(&format!("an argument of '{name}'"), rest));
            }
            let (after, arg) = self.expression(rest)?;
            args.push(arg);
            let after = ws(after);
            if let Some(after) = after.strip_prefix(',') {
                rest = ws(after);
            } else if let Some(after) = after.strip_prefix(')') {
                rest = after;
                break;
            } else {
                return Err(self.expected(&format!("',' or ')' in '{name}( … )'"), after));
            }
        }
        self.leave();
        let span = self.span(s, rest);
        if args.len() < least || args.len() > most {
            let takes = match (least, most) {
                (1, 1) => "one argument".to_string(),
                (a, b) if a == b => format!("{a} arguments"),
                (a, b) => format!("{a} to {b} arguments"),
            };
            return Err(DiceError::invalid(
                format!("'{}' takes {takes}, not {}", func.name(), args.len()),
                span,
            ));
        }
        Ok((rest, self.push(NodeKind::Call { func, args }, span)))
    }

    /// What may follow the expression: nothing, a quoted label, `# comment`, or free text.
    fn comment(&self, rest: &'a str) -> Result<Option<String>, DiceError> {
        let trimmed = ws(rest);
        if trimmed.is_empty() {
            return Ok(None);
        }
        if let Some(body) = trimmed.strip_prefix('"') {
            let (text, after) = lexeme::quoted(body).ok_or_else(|| {
                DiceError::syntax("expected '\"' to close the label", self.span(trimmed, ""))
            })?;
            let after = ws(after);
            if !after.is_empty() {
                return Err(self.expected("the end after the quoted label", after));
            }
            return Ok(Some(text));
        }
        if let Some(body) = trimmed.strip_prefix('#') {
            return Ok(Some(body.trim().to_string()));
        }
        let had_space = trimmed.len() < rest.len();
        if had_space && trimmed.starts_with(|c: char| c.is_alphabetic()) {
            let word = trimmed.split_whitespace().next().unwrap_or_default();
            if lexeme::looks_like_modifier(word) {
                return Err(DiceError::syntax(
                    format!(
                        "'{word}' reads as a modifier: write it right after the dice, with no space"
                    ),
                    self.span(trimmed, &trimmed[word.len()..]),
                ));
            }
            return Ok(Some(trimmed.trim_end().to_string()));
        }
        Err(self.expected("an operator or the end of the expression", trimmed))
    }
}

/// Room for the nodes: inline for a lone term such as `1d20` or `4d6kh3`
/// (no allocation at all), else enough for the input in one allocation.
pub(super) fn node_storage(input: &str) -> SmallVec<[Node; 1]> {
    let structural = |b: u8| {
        matches!(
            b,
            b'+' | b'-'
                | b'*'
                | b'/'
                | b'%'
                | b'^'
                | b'('
                | b')'
                | b'{'
                | b'}'
                | b'['
                | b']'
                | b','
                | b'@'
                | b'?'
        )
    };
    if input.bytes().any(structural) {
        SmallVec::with_capacity((input.len() / 2).clamp(2, 64))
    } else {
        SmallVec::new()
    }
}

/// Whether `s` starts a dice term: a `d` followed by faces.
fn starts_dice(s: &str) -> bool {
    let b = s.as_bytes();
    matches!(b.first(), Some(b'd' | b'D'))
        && (matches!(b.get(1), Some(b'0'..=b'9' | b'%' | b'F' | b'f' | b'('))
            || b.get(1..3) == Some(b"[["))
}

#[cfg(test)]
mod tests;
