//! Autocomplete: the user's saved rolls and last expressions for `expression`, saved names
//! for `/r` and `/unsave`, the sheet's names for `/check`, the user's campaigns for `/link`.
//! Discord waits at most 3 seconds, so a slow Core gives what is known without it.

use std::time::Duration;

use serenity::all::{
    AutocompleteChoice, CommandInteraction, CreateAutocompleteResponse, CreateInteractionResponse,
};

use super::check::{ABILITIES, SKILLS, characters_of};
use super::handler::{Invocation, string};
use super::reply::Reply;
use super::saved::saved_rolls;
use super::text::clip;
use crate::state::AppState;

/// Discord shows at most 25 choices.
const MAX_CHOICES: usize = 25;
/// How long Core may take before autocomplete answers without it.
const CORE_BUDGET: Duration = Duration::from_millis(1_500);

/// Answers an autocomplete interaction.
pub async fn answer(state: &AppState, command: &CommandInteraction) -> Reply {
    let invocation = Invocation::of_command(command);
    let Some(focused) = command.data.autocomplete() else {
        return choices(Vec::new());
    };
    let typed = focused.value.trim().to_lowercase();
    let options = command.data.options();
    let candidates: Vec<(String, String)> = match (command.data.name.as_str(), focused.name) {
        (_, "expression") => expressions(state, &invocation).await,
        ("r" | "unsave", "name") => saved(state, &invocation).await,
        ("check", "name") => check_names(state, &invocation, string(&options, "kind")).await,
        ("check", "character") => characters(state, &invocation).await,
        ("link", "campaign") => campaigns(state, &invocation).await,
        _ => Vec::new(),
    };
    choices(
        candidates
            .into_iter()
            .filter(|(name, value)| {
                typed.is_empty()
                    || name.to_lowercase().contains(&typed)
                    || value.to_lowercase().contains(&typed)
            })
            .take(MAX_CHOICES)
            .collect(),
    )
}

fn choices(pairs: Vec<(String, String)>) -> Reply {
    let choices = pairs
        .into_iter()
        // Names and values are limited to 100 characters.
        .map(|(name, value)| AutocompleteChoice::new(clip(&name, 100), clip(&value, 100)))
        .collect();
    Reply::now(CreateInteractionResponse::Autocomplete(
        CreateAutocompleteResponse::new().set_choices(choices),
    ))
}

async fn within_budget<T>(work: impl std::future::Future<Output = Option<T>>) -> Option<T> {
    tokio::time::timeout(CORE_BUDGET, work).await.ok().flatten()
}

/// Saved rolls first (shown as `name: expression`, filled in as the expression), then the
/// user's last expressions.
async fn expressions(state: &AppState, invocation: &Invocation) -> Vec<(String, String)> {
    let saved = within_budget(async { saved_rolls(state, invocation).await.ok() })
        .await
        .unwrap_or_default();
    let mut pairs: Vec<(String, String)> = saved
        .into_iter()
        .filter(|roll| roll.expression.chars().count() <= 100)
        .map(|roll| {
            (
                format!("{}: {}", roll.name, roll.expression),
                roll.expression,
            )
        })
        .collect();
    pairs.extend(
        state
            .recent_expressions(invocation.user_id)
            .into_iter()
            .filter(|expression| expression.chars().count() <= 100)
            .map(|expression| (expression.clone(), expression)),
    );
    pairs
}

async fn saved(state: &AppState, invocation: &Invocation) -> Vec<(String, String)> {
    within_budget(async { saved_rolls(state, invocation).await.ok() })
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|roll| (format!("{}: {}", roll.name, roll.expression), roll.name))
        .collect()
}

async fn check_names(
    state: &AppState,
    invocation: &Invocation,
    kind: Option<&str>,
) -> Vec<(String, String)> {
    if kind != Some("skill") {
        return ABILITIES
            .iter()
            .map(|(full, _)| ((*full).to_owned(), (*full).to_owned()))
            .collect();
    }
    let sheet_skills = within_budget(async {
        let characters = characters_of(state, invocation).await.ok()?.ok()?;
        Some(
            characters
                .into_iter()
                .next()?
                .sheet
                .skills
                .into_iter()
                .map(|(skill, modifier)| (format!("{skill} ({modifier:+})"), skill))
                .collect::<Vec<_>>(),
        )
    })
    .await;
    sheet_skills.unwrap_or_else(|| {
        SKILLS
            .iter()
            .map(|skill| ((*skill).to_owned(), (*skill).to_owned()))
            .collect()
    })
}

async fn characters(state: &AppState, invocation: &Invocation) -> Vec<(String, String)> {
    within_budget(async {
        let characters = characters_of(state, invocation).await.ok()?.ok()?;
        Some(
            characters
                .into_iter()
                .map(|character| (character.name.clone(), character.name))
                .collect(),
        )
    })
    .await
    .unwrap_or_default()
}

async fn campaigns(state: &AppState, invocation: &Invocation) -> Vec<(String, String)> {
    within_budget(async {
        let (_, campaigns) = super::campaign::campaigns_of(state, invocation)
            .await
            .ok()?;
        Some(
            campaigns
                .into_iter()
                .map(|campaign| (campaign.name, campaign.id.to_string()))
                .collect(),
        )
    })
    .await
    .unwrap_or_default()
}
