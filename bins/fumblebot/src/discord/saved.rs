//! Saved rolls, kept in Core per user: `/save`, `/saved`, `/r` and `/unsave`.

use critfumble_dice::{Dialect, ParseOptions, parse_with};
use critfumble_sdk::wire::{PageRequest, SaveRollRequest, SavedRoll};

use super::handler::{Invocation, core_trouble};
use super::reply::{Followup, Reply, code, later, whisper};
use super::roll::roll_and_report;
use super::text::{caret_error, escape_markdown};
use crate::state::AppState;

/// `/save name expression`: checks both here, so that a typo is caught before it is kept.
pub fn save(state: &AppState, invocation: &Invocation, name: &str, expression: &str) -> Reply {
    let name = name.trim();
    if let Err(error) = SavedRoll::validate_name(name) {
        return whisper(&format!(
            "That name won't do: {}.",
            escape_markdown(&error.to_string())
        ));
    }
    // Checked with the limits of a roll, so that what is saved can be rolled.
    let options = ParseOptions {
        dialect: Dialect::Default,
        limits: super::roll::limits(),
    };
    if let Err(error) = parse_with(expression, &options) {
        return whisper(&caret_error(expression, &error));
    }
    let (state, invocation) = (state.clone(), invocation.clone());
    let (name, expression) = (name.to_owned(), expression.to_owned());
    later(true, async move {
        let text = match save_in_core(&state, &invocation, &name, &expression).await {
            Ok(saved) => format!(
                "Saved **{}**: {}. Roll it with `/r {}`.",
                escape_markdown(&saved.name),
                code(&saved.expression),
                escape_markdown(&saved.name)
            ),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, true)
    })
}

async fn save_in_core(
    state: &AppState,
    invocation: &Invocation,
    name: &str,
    expression: &str,
) -> Result<SavedRoll, critfumble_sdk::SdkError> {
    let (client, _) = state.core().acting_for(&invocation.actor).await?;
    client
        .save_roll(
            name,
            &SaveRollRequest {
                expression: expression.to_owned(),
            },
        )
        .await
}

/// `/saved`: the user's saved rolls.
pub fn list(state: &AppState, invocation: &Invocation) -> Reply {
    let (state, invocation) = (state.clone(), invocation.clone());
    later(true, async move {
        let text = match saved_rolls(&state, &invocation).await {
            Ok(saved) if saved.is_empty() => {
                "You have no saved rolls. Save one with `/save attack 1d20+5`.".to_owned()
            }
            Ok(saved) => {
                let mut text = String::from("**Your saved rolls**");
                for roll in saved {
                    text.push_str(&format!(
                        "\n{}: {}",
                        escape_markdown(&roll.name),
                        code(&roll.expression)
                    ));
                }
                text
            }
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, true)
    })
}

/// The user's saved rolls (all of them: a user keeps at most 100).
pub async fn saved_rolls(
    state: &AppState,
    invocation: &Invocation,
) -> Result<Vec<SavedRoll>, critfumble_sdk::SdkError> {
    let (client, _) = state.core().acting_for(&invocation.actor).await?;
    let page = client
        .list_saved_rolls(&PageRequest {
            cursor: None,
            limit: Some(PageRequest::MAX_LIMIT),
        })
        .await?;
    Ok(page.items)
}

/// `/r name [private]`: rolls a saved roll, reported like any other roll.
pub fn roll_saved(state: &AppState, invocation: &Invocation, name: &str, private: bool) -> Reply {
    let (state, invocation, name) = (state.clone(), invocation.clone(), name.to_owned());
    later(private, async move {
        let found = match state.core().acting_for(&invocation.actor).await {
            Ok((client, _)) => client.get_saved_roll(&name).await,
            Err(error) => Err(error),
        };
        match found {
            Ok(Some(saved)) => {
                match roll_and_report(
                    &state,
                    &invocation,
                    &saved.expression,
                    Dialect::Default,
                    private,
                )
                .await
                {
                    Ok(posted) => posted.later(),
                    Err(refusal) => Followup::text(&refusal, private),
                }
            }
            Ok(None) => Followup::text(
                &format!(
                    "You have no saved roll called **{}**. `/saved` lists yours.",
                    escape_markdown(&name)
                ),
                private,
            ),
            Err(error) => Followup::text(&core_trouble(&error), private),
        }
    })
}

/// `/unsave name`.
pub fn unsave(state: &AppState, invocation: &Invocation, name: &str) -> Reply {
    let (state, invocation, name) = (state.clone(), invocation.clone(), name.to_owned());
    later(true, async move {
        let deleted = match state.core().acting_for(&invocation.actor).await {
            Ok((client, _)) => client.delete_saved_roll(&name).await,
            Err(error) => Err(error),
        };
        let text = match deleted {
            Ok(()) => format!("Deleted **{}**.", escape_markdown(&name)),
            Err(error) if error.status() == Some(404) => format!(
                "You have no saved roll called **{}**.",
                escape_markdown(&name)
            ),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, true)
    })
}
