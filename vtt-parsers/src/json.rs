//! Reading JSON with the path of every value kept, so that errors name the field at fault.

use serde_json::Value;

use crate::error::VttError;
use crate::record::{Parsed, RollRecord};

/// Parses `input` as JSON, converting the error at the boundary.
pub(crate) fn parse(input: &str) -> Result<Value, VttError> {
    serde_json::from_str(input).map_err(|error| VttError::from_json(&error))
}

/// A JSON value inside its document, so that an error can name the value's path
/// (`rolls[0].terms[2]`).
///
/// The path is only worked out when an error needs it, by finding the value in
/// its document: reading a valid message builds no path strings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub(crate) value: &'a Value,
    /// The document the value is in.
    root: &'a Value,
    /// Where the document itself sits, when it was read from a JSON string field.
    prefix: &'a str,
}

impl<'a> At<'a> {
    pub(crate) fn root(value: &'a Value) -> Self {
        At {
            value,
            root: value,
            prefix: "",
        }
    }

    /// A document read from the string at path `prefix` of another one.
    pub(crate) fn nested(value: &'a Value, prefix: &'a str) -> Self {
        At {
            value,
            root: value,
            prefix,
        }
    }

    fn child(&self, value: &'a Value) -> At<'a> {
        At { value, ..*self }
    }

    /// The path of this value, e.g. `data.rolls[0]` (empty for the root of the input).
    pub(crate) fn path(&self) -> String {
        let mut inner = String::new();
        find(self.root, self.value, &mut inner);
        join(self.prefix, &inner)
    }

    /// The path of a child field, for error messages.
    pub(crate) fn path_of(&self, key: &str) -> String {
        join(&self.path(), key)
    }

    /// The field `key`, or `None` when it is absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<At<'a>> {
        match self.value.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(self.child(value)),
        }
    }

    /// The field `key`, which must be present and not null.
    pub(crate) fn require(&self, key: &str) -> Result<At<'a>, VttError> {
        self.get(key)
            .ok_or_else(|| VttError::missing(self.path_of(key)))
    }

    /// This value must be an object.
    pub(crate) fn object(self) -> Result<At<'a>, VttError> {
        if self.value.is_object() {
            Ok(self)
        } else {
            Err(self.wrong("must be an object"))
        }
    }

    pub(crate) fn wrong(&self, problem: &str) -> VttError {
        let path = self.path();
        let field = if path.is_empty() {
            "(root)".to_string()
        } else {
            path
        };
        VttError::invalid(field, problem)
    }

    pub(crate) fn str(&self) -> Result<&'a str, VttError> {
        self.value
            .as_str()
            .ok_or_else(|| self.wrong("must be a string"))
    }

    pub(crate) fn f64(&self) -> Result<f64, VttError> {
        let number = match self.value {
            Value::Number(number) => number.as_f64(),
            // Some sources write numbers as strings ("17").
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        number
            .filter(|number| number.is_finite())
            .ok_or_else(|| self.wrong("must be a number"))
    }

    pub(crate) fn i64(&self) -> Result<i64, VttError> {
        let number = self.f64()?;
        if number.fract() == 0.0 && number.abs() < 9.0e15 {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "checked to be a whole number below 2^53"
            )]
            Ok(number as i64)
        } else {
            Err(self.wrong("must be a whole number"))
        }
    }

    pub(crate) fn bool(&self) -> Result<bool, VttError> {
        match self.value {
            Value::Bool(flag) => Ok(*flag),
            Value::Number(number) => Ok(number.as_f64().is_some_and(|n| n != 0.0)),
            _ => Err(self.wrong("must be true or false")),
        }
    }

    pub(crate) fn array(&self) -> Result<Vec<At<'a>>, VttError> {
        let items = self
            .value
            .as_array()
            .ok_or_else(|| self.wrong("must be an array"))?;
        Ok(items.iter().map(|value| self.child(value)).collect())
    }

    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, VttError> {
        self.get(key).map(|at| at.str()).transpose()
    }

    pub(crate) fn opt_f64(&self, key: &str) -> Result<Option<f64>, VttError> {
        self.get(key).map(|at| at.f64()).transpose()
    }

    pub(crate) fn opt_bool(&self, key: &str) -> Result<bool, VttError> {
        Ok(self
            .get(key)
            .map(|at| at.bool())
            .transpose()?
            .unwrap_or(false))
    }

    pub(crate) fn opt_array(&self, key: &str) -> Result<Vec<At<'a>>, VttError> {
        Ok(self
            .get(key)
            .map(|at| at.array())
            .transpose()?
            .unwrap_or_default())
    }

    /// A field that may be a string or a number (ids), as a string.
    pub(crate) fn opt_id(&self, key: &str) -> Result<Option<String>, VttError> {
        match self.get(key) {
            None => Ok(None),
            Some(at) => match at.value {
                Value::String(text) => Ok(Some(text.clone())),
                Value::Number(number) => Ok(Some(number.to_string())),
                _ => Err(at.wrong("must be a string or a number")),
            },
        }
    }
}

/// Appends `.key` (or `key` at the start) to `path`; `key` may also be `[index]`.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else if key.is_empty() {
        path.to_string()
    } else if key.starts_with('[') {
        format!("{path}{key}")
    } else {
        format!("{path}.{key}")
    }
}

/// Writes the path from `node` to `target` into `path`; false when `target` is not under `node`.
///
/// Recursion is bounded: serde_json refuses documents nested deeper than 128.
fn find(node: &Value, target: &Value, path: &mut String) -> bool {
    if std::ptr::eq(node, target) {
        return true;
    }
    let length = path.len();
    match node {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push_str(&format!("[{index}]"));
                if find(item, target, path) {
                    return true;
                }
                path.truncate(length);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if find(item, target, path) {
                    return true;
                }
                path.truncate(length);
            }
        }
        _ => {}
    }
    false
}

/// Parses a JSON input of one message object or an array of them, each with `message`.
pub(crate) fn parse_each(
    input: &str,
    message: fn(At<'_>) -> Result<RollRecord, VttError>,
) -> Result<Parsed, VttError> {
    let root = parse(input)?;
    let (messages, many) = match &root {
        Value::Array(items) if items.is_empty() => {
            return Err(VttError::invalid(
                "(root)",
                "is an empty array: the input holds no message",
            ));
        }
        Value::Array(_) => (At::root(&root).array()?, true),
        _ => (vec![At::root(&root)], false),
    };
    let records = messages
        .into_iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(crate::pack(records, many))
}
