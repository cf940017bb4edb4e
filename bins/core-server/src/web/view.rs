//! What the templates show: the layout's signed-in state, and rolls, times and dice as
//! text. Templates escape every value; only the dice crate's SVG charts go in raw.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};
use critfumble_sdk::wire::{Roll, RollSource, RolledNode};

use super::PageError;
use super::session::SignedIn;

/// The page frame's state: who is signed in, and the CSRF token for the logout form.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// The signed-in user's name.
    pub user_name: Option<String>,
    /// The session's CSRF token (empty when anonymous).
    pub csrf: String,
}

impl Layout {
    /// The frame of an anonymous page.
    pub fn anonymous() -> Layout {
        Layout::default()
    }

    /// The frame of a signed-in page.
    pub fn of(session: &SignedIn) -> Layout {
        Layout {
            user_name: Some(session.user.name.clone()),
            csrf: session.csrf.clone(),
        }
    }
}

/// The first page of a list at the API's largest page size: what a page shows at once.
pub fn first_page() -> crate::extract::ApiQuery<critfumble_sdk::wire::PageRequest> {
    crate::extract::ApiQuery(critfumble_sdk::wire::PageRequest {
        cursor: None,
        limit: Some(critfumble_sdk::wire::PageRequest::MAX_LIMIT),
    })
}

/// Renders a template into a response.
pub fn render(template: &impl Template) -> Result<Response, PageError> {
    Ok(Html(template.render()?).into_response())
}

/// `303 See Other` to `to`: where a form post lands.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A time as the page shows it (UTC, to the minute).
pub fn time(at: &chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// How a source reads on the page.
pub fn source_name(source: RollSource) -> &'static str {
    match source {
        RollSource::Discord => "Discord",
        RollSource::Roll20 => "Roll20",
        RollSource::Foundry => "Foundry",
        RollSource::DndBeyond => "D&D Beyond",
        RollSource::Web => "Web",
        RollSource::Api => "API",
        RollSource::Activity => "Activity",
    }
}

/// The sources a history can be filtered by, as (value, name).
pub const FILTER_SOURCES: [(&str, &str); 4] = [
    ("discord", "Discord"),
    ("roll20", "Roll20"),
    ("foundry", "Foundry"),
    ("dndbeyond", "D&D Beyond"),
];

/// One die as shown: its face, and whether it counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DieView {
    /// The face.
    pub value: i64,
    /// Whether it was kept.
    pub kept: bool,
}

/// One roll as the history shows it.
#[derive(Clone, Debug)]
pub struct RollView {
    /// Its id (the share link).
    pub id: String,
    /// Who rolled.
    pub who: String,
    /// The expression.
    pub expression: String,
    /// The label, if any.
    pub label: String,
    /// The total.
    pub total: String,
    /// Every die the roll shows, in order.
    pub dice: Vec<DieView>,
    /// Whether Core replayed it to its total.
    pub verified: bool,
    /// Where it was made.
    pub source: &'static str,
    /// When.
    pub at: String,
    /// Whether it is private.
    pub private: bool,
}

impl RollView {
    /// The view of `roll`.
    pub fn of(roll: &Roll) -> RollView {
        RollView {
            id: roll.id.to_string(),
            who: roll.actor.name.clone(),
            expression: roll.expression.clone(),
            label: roll.label.clone().unwrap_or_default(),
            total: number(roll.total),
            dice: roll.rolled.as_ref().map(dice_of).unwrap_or_default(),
            verified: roll.verified == Some(true),
            source: source_name(roll.source),
            at: time(&roll.rolled_at),
            private: roll.private,
        }
    }
}

/// Every die of a rolled tree, in order.
pub fn dice_of(tree: &RolledNode) -> Vec<DieView> {
    tree.post_order()
        .into_iter()
        .filter_map(|node| match node {
            RolledNode::Dice(dice) => Some(dice),
            _ => None,
        })
        .flat_map(|dice| {
            dice.dice.iter().map(|die| DieView {
                value: die.value,
                kept: die.kept,
            })
        })
        .collect()
}

/// A total as text: whole numbers without a decimal point.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:.2}")
    }
}
