//! References the caller fills in: Roll20 `?{Query|default}` and `@{attr}`, Foundry `@path.to.value`.

use super::lexeme::float_literal;
use super::{Parsed, Parser};
use crate::DiceError;
use crate::ast::{NodeKind, RefStyle, Reference};

impl<'a> Parser<'a, '_> {
    pub(super) fn reference(&mut self, s: &'a str) -> Parsed<'a> {
        let (rest, reference) = if let Some(body) = s.strip_prefix("?{") {
            self.query(s, body)?
        } else if let Some(body) = s.strip_prefix("@{") {
            let close = body.find('}').ok_or_else(|| {
                DiceError::syntax("expected '}' to close the attribute", self.span(s, ""))
            })?;
            let name = body[..close].trim();
            if name.is_empty() {
                return Err(DiceError::syntax(
                    "expected an attribute name inside '@{}'",
                    self.span(s, &body[close + 1..]),
                ));
            }
            let reference = Reference {
                style: RefStyle::Attribute,
                name: name.to_string(),
                default: None,
            };
            (&body[close + 1..], reference)
        } else {
            let body = &s[1..];
            let len = path_len(body);
            if len == 0 {
                return Err(self.expected("a name after '@', such as @str.mod", body));
            }
            let reference = Reference {
                style: RefStyle::Path,
                name: body[..len].to_string(),
                default: None,
            };
            (&body[len..], reference)
        };
        let span = self.span(s, rest);
        Ok((rest, self.push(NodeKind::Ref(reference), span)))
    }

    /// `?{Prompt}`, `?{Prompt|default}` or `?{Prompt|Label,value|…}` (the first option is the default).
    fn query(&self, s: &'a str, body: &'a str) -> Result<(&'a str, Reference), DiceError> {
        let close = body.find('}').ok_or_else(|| {
            DiceError::syntax("expected '}' to close the roll query", self.span(s, ""))
        })?;
        let inner = &body[..close];
        let rest = &body[close + 1..];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default().trim();
        if name.is_empty() {
            return Err(DiceError::syntax(
                "expected a prompt inside '?{}'",
                self.span(s, rest),
            ));
        }
        let default = match parts.next() {
            None => None,
            Some(option) => {
                let value_text = option.rsplit(',').next().unwrap_or(option).trim();
                let (sign, digits) = match value_text.strip_prefix('-') {
                    Some(digits) => (-1.0, digits.trim_start()),
                    None => (1.0, value_text),
                };
                match float_literal(digits) {
                    Ok(("", Some(value))) => Some(sign * value),
                    _ => {
                        return Err(DiceError::syntax(
                            format!(
                                "the default of the roll query '{name}' must be a number, found '{value_text}'"
                            ),
                            self.span(s, rest),
                        ));
                    }
                }
            }
        };
        Ok((
            rest,
            Reference {
                style: RefStyle::Query,
                name: name.to_string(),
                default,
            },
        ))
    }
}

/// Length of a Foundry data path: letters, digits, `_` and inner dots.
fn path_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return 0;
    }
    let mut len = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'.')
        .count();
    while len > 0 && bytes[len - 1] == b'.' {
        len -= 1;
    }
    len
}
