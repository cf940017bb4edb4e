//! The usage page: AI token usage by day and by model, for the user's own conversations
//! and those of the campaigns they GM (the API's `GET /v1/usage` rules).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_sdk::wire::{UsageGroupBy, UsageQuery, UsageRow};

use super::PageError;
use super::session::SignedIn;
use super::view::{Layout, render};
use crate::extract::ApiQuery;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "usage.html")]
struct UsagePage {
    layout: Layout,
    /// Each table: its title, the name of its key column, and its rows.
    sections: Vec<(&'static str, &'static str, Vec<UsageRow>)>,
}

impl UsagePage {
    fn cost(&self, row: &UsageRow) -> String {
        format!("${:.4}", row.estimated_cost_usd)
    }
}

async fn report(
    state: &AppState,
    session: &SignedIn,
    group_by: UsageGroupBy,
) -> Result<Vec<UsageRow>, PageError> {
    Ok(crate::api::ai::usage(
        State(state.clone()),
        session.authorized()?,
        ApiQuery(UsageQuery {
            group_by,
            campaign_id: None,
            since: None,
            until: None,
        }),
    )
    .await?
    .0
    .rows)
}

/// `GET /usage`.
pub async fn usage(
    State(state): State<AppState>,
    session: SignedIn,
) -> Result<Response, PageError> {
    render(&UsagePage {
        layout: Layout::of(&session),
        sections: vec![
            (
                "By day",
                "Day",
                report(&state, &session, UsageGroupBy::Day).await?,
            ),
            (
                "By model",
                "Model",
                report(&state, &session, UsageGroupBy::Model).await?,
            ),
        ],
    })
}
