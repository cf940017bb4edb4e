//! Saved rolls: a user's named dice expressions (`/save attack 1d20+5`, then `/r attack`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::check_text;
use crate::SdkError;

/// A dice expression a user saved under a name. Names are unique per user without regard
/// to case: `Attack` and `attack` are the same saved roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedRoll {
    /// Core's id for the saved roll.
    pub id: Uuid,
    /// The name, as the user last wrote it.
    pub name: String,
    /// The dice expression.
    pub expression: String,
    /// When it was first saved.
    pub created_at: DateTime<Utc>,
    /// When its expression was last replaced.
    pub updated_at: DateTime<Utc>,
}

impl SavedRoll {
    /// The most saved rolls one user may keep.
    pub const MAX_PER_USER: usize = 100;
    /// The longest name, in characters.
    pub const MAX_NAME_CHARS: usize = 50;
    /// The longest expression, in characters (as for a reported roll).
    pub const MAX_EXPRESSION_CHARS: usize = 1_000;

    /// Checks a name: not blank, at most [`SavedRoll::MAX_NAME_CHARS`] characters, and no
    /// control characters (a name is shown in Discord and typed in commands).
    pub fn validate_name(name: &str) -> Result<(), SdkError> {
        check_text("name", name, Self::MAX_NAME_CHARS)?;
        if name.chars().any(char::is_control) {
            return Err(SdkError::invalid(
                "name",
                "must not hold control characters",
            ));
        }
        if name.trim() != name {
            return Err(SdkError::invalid(
                "name",
                "must not start or end with whitespace",
            ));
        }
        Ok(())
    }
}

/// The body of `PUT /v1/me/saved-rolls/{name}`: creates the saved roll or replaces its
/// expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SaveRollRequest {
    /// The dice expression (1 to 1,000 characters).
    pub expression: String,
}

impl SaveRollRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text(
            "expression",
            &self.expression,
            SavedRoll::MAX_EXPRESSION_CHARS,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<(), SdkError>) -> Option<String> {
        match result {
            Ok(()) => None,
            Err(SdkError::Invalid { field, .. }) => Some(field),
            Err(other) => panic!("unexpected error {other}"),
        }
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(field_of(SavedRoll::validate_name("Sneak attack")), None);
        assert_eq!(field_of(SavedRoll::validate_name(&"é".repeat(50))), None);
        for bad in ["", "   ", " padded", "tab\there", &"x".repeat(51)] {
            assert_eq!(
                field_of(SavedRoll::validate_name(bad)),
                Some("name".into()),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn expressions_are_checked_and_the_body_is_strict() {
        let ok = SaveRollRequest {
            expression: "1d20+5".into(),
        };
        assert_eq!(field_of(ok.validate()), None);
        let long = SaveRollRequest {
            expression: "1".repeat(1_001),
        };
        assert_eq!(field_of(long.validate()), Some("expression".into()));
        let unknown = serde_json::from_str::<SaveRollRequest>(r#"{"expression":"1","x":1}"#);
        assert!(unknown.is_err_and(|e| e.to_string().contains("unknown field `x`")));
    }
}
