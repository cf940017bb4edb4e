//! The crate's one error type, [`VttError`].

/// Why an input could not be turned into roll records.
///
/// Every variant names the place at fault: a JSON field path such as
/// `rolls[0].terms[2].faces`, or an HTML element such as `div.message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VttError {
    /// The input is larger than [`crate::MAX_INPUT_BYTES`].
    #[error("input is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The input is not valid JSON.
    #[error("input is not valid json at line {line}, column {column}: {reason}")]
    Json {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the JSON reader found wrong.
        reason: String,
    },
    /// A required field is absent.
    #[error("missing field `{field}`")]
    MissingField {
        /// Path of the field, e.g. `data.rolls[0].result`.
        field: String,
    },
    /// A field is present but has the wrong type or an impossible value.
    #[error("field `{field}` {problem}")]
    InvalidField {
        /// Path of the field, e.g. `rolls[0].terms[1].faces`.
        field: String,
        /// What is wrong with it, e.g. `must be a number`.
        problem: String,
    },
    /// An HTML element the format needs is absent or malformed.
    #[error("element `{element}` {problem}")]
    InvalidElement {
        /// The element, e.g. `div.message` or `span.inlinerollresult`.
        element: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The format name is not one of the known formats.
    #[error("unknown format `{name}`, expected one of roll20-html, roll20-api, foundry, ddb")]
    UnknownFormat {
        /// The name that was given.
        name: String,
    },
}

impl VttError {
    pub(crate) fn missing(field: impl Into<String>) -> Self {
        VttError::MissingField {
            field: field.into(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        VttError::InvalidField {
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub(crate) fn element(element: impl Into<String>, problem: impl Into<String>) -> Self {
        VttError::InvalidElement {
            element: element.into(),
            problem: problem.into(),
        }
    }

    /// Converts a `serde_json` error at the boundary, so that its type does not leak.
    pub(crate) fn from_json(error: &serde_json::Error) -> Self {
        let full = error.to_string();
        // serde_json appends " at line L column C"; the variant carries those apart.
        let reason = match full.rfind(" at line ") {
            Some(index) => full[..index].to_string(),
            None => full,
        };
        VttError::Json {
            line: error.line(),
            column: error.column(),
            reason,
        }
    }
}
