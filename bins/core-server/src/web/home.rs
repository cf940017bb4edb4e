//! The home page (what Crit-Fumble is, or the user's campaigns), creating a campaign, and
//! logging out.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::response::Response;
use critfumble_sdk::wire::{Campaign, CreateCampaignRequest};
use serde::Deserialize;

use super::PageError;
use super::session::{CsrfForm, NoFields, Visitor};
use super::view::{Layout, render, see_other};
use crate::extract::ApiJson;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    campaigns: Vec<Campaign>,
}

/// `GET /`: the pitch and the login link, or the signed-in user's campaigns.
pub async fn home(State(state): State<AppState>, visitor: Visitor) -> Result<Response, PageError> {
    let Some(session) = visitor.signed_in else {
        return render(&HomePage {
            layout: Layout::anonymous(),
            campaigns: Vec::new(),
        });
    };
    let page = crate::api::campaigns::list_campaigns(
        State(state),
        session.authorized()?,
        super::view::first_page(),
    )
    .await?
    .0;
    render(&HomePage {
        layout: Layout::of(&session),
        campaigns: page.items,
    })
}

/// The new-campaign form.
#[derive(Debug, Deserialize)]
pub struct NewCampaignForm {
    name: String,
    game_system: String,
}

/// `POST /campaigns`: creates a campaign through the API's handler; the user is its GM.
pub async fn create_campaign(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<NewCampaignForm>,
) -> Result<Response, PageError> {
    let request = CreateCampaignRequest {
        name: form.name.trim().to_owned(),
        game_system: form.game_system.trim().to_owned(),
        description: None,
        discord_guild_id: None,
        discord_channel_id: None,
        vtt_game: None,
    };
    let (_, campaign) = crate::api::campaigns::create_campaign(
        State(state),
        session.authorized()?,
        ApiJson(request),
    )
    .await?;
    Ok(see_other(&format!("/campaigns/{}", campaign.id)))
}

/// `POST /logout`: ends the session and returns home.
pub async fn logout(
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, PageError> {
    let (parts, body) = request.into_parts();
    // The form is checked (origin and token) before the session ends.
    <CsrfForm<NoFields> as FromRequest<AppState>>::from_request(
        Request::from_parts(parts.clone(), body),
        &state,
    )
    .await?;
    Ok(crate::api::login::end_session(&state, &parts, see_other("/")).await?)
}
