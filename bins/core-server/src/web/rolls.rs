//! One roll's share page: what a member sends to show a roll (anyone who may see the roll
//! through the API may open it; anyone else gets 404).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use uuid::Uuid;

use super::PageError;
use super::session::SignedIn;
use super::view::{Layout, RollView, render};
use crate::extract::ApiPath;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "shared_roll.html")]
struct SharedRollPage {
    layout: Layout,
    roll: RollView,
    campaign_id: Option<Uuid>,
    markdown: String,
}

/// `GET /rolls/{id}`: the roll, as the API's `GET /v1/rolls/{id}` lets the user see it.
pub async fn shared_roll(
    State(state): State<AppState>,
    session: SignedIn,
    ApiPath(roll_id): ApiPath<Uuid>,
) -> Result<Response, PageError> {
    let roll = crate::api::rolls::get_roll(State(state), session.authorized()?, ApiPath(roll_id))
        .await?
        .0;
    render(&SharedRollPage {
        layout: Layout::of(&session),
        roll: RollView::of(&roll),
        campaign_id: roll.campaign_id,
        markdown: roll.markdown.clone().unwrap_or_default(),
    })
}
