//! The campaign page: members and roles, links, sessions, characters, and the roll
//! history, paged and filtered by member, session and source.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_sdk::wire::{
    Campaign, CampaignMember, Character, GameSession, MemberRole, RollQuery, RollSource,
};
use serde::Deserialize;
use uuid::Uuid;

use super::PageError;
use super::session::SignedIn;
use super::view::{FILTER_SOURCES, Layout, RollView, render, time};
use crate::auth::Need;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Rolls per page of the history.
pub const HISTORY_PAGE: u32 = 25;
/// Sessions listed on the page (the newest).
const SESSIONS_SHOWN: u32 = 20;

/// The history's filters, as the filter form sends them (an empty field is no filter).
#[derive(Debug, Default, Deserialize)]
pub struct HistoryFilter {
    #[serde(default)]
    member: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    cursor: String,
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    campaign: Campaign,
    is_gm: bool,
    user_id: Uuid,
    members: Vec<CampaignMember>,
    active_session: Option<GameSession>,
    sessions: Vec<GameSession>,
    characters: Vec<Character>,
    rolls: Vec<RollView>,
    next_page: Option<String>,
    filter_member: String,
    filter_session: String,
    filter_source: String,
    sources: [(&'static str, &'static str); 4],
}

impl CampaignPage {
    fn time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        time(at)
    }

    fn role(&self, role: &MemberRole) -> &'static str {
        match role {
            MemberRole::Gm => "GM",
            _ => "player",
        }
    }

    fn may_edit(&self, character: &Character) -> bool {
        self.is_gm || character.owner_id == self.user_id
    }
}

/// Parses an optional id from a filter field, naming the field when it is not one.
fn optional_id(field: &str, text: &str) -> Result<Option<Uuid>, PageError> {
    if text.is_empty() {
        return Ok(None);
    }
    Uuid::parse_str(text)
        .map(Some)
        .map_err(|_| PageError::bad_request(format!("the {field} filter is not an id: '{text}'")))
}

/// `GET /campaigns/{id}`: members only (404 for anyone else, as in the API).
pub async fn campaign(
    State(state): State<AppState>,
    session: SignedIn,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(filter): ApiQuery<HistoryFilter>,
) -> Result<Response, PageError> {
    let store = state.store();
    let (campaign, role) = session
        .caller
        .campaign_access(store, campaign_id, Need::Member)
        .await?;
    let source =
        if filter.source.is_empty() {
            None
        } else {
            Some(filter.source.parse::<RollSource>().map_err(|_| {
                PageError::bad_request(format!("unknown source '{}'", filter.source))
            })?)
        };
    let query = RollQuery {
        campaign_id: Some(campaign_id),
        session_id: optional_id("session", &filter.session)?,
        user_id: optional_id("member", &filter.member)?,
        source,
        cursor: (!filter.cursor.is_empty()).then(|| filter.cursor.clone()),
        limit: Some(HISTORY_PAGE),
        ..RollQuery::default()
    };
    // Independent reads, run at once (each on its own pooled connection).
    let reader = crate::api::rolls::reader(&session.caller);
    let ((rolls, next_cursor), members, sessions, active_session, characters) = tokio::try_join!(
        store.rolls(&query, reader, HISTORY_PAGE),
        store.members(campaign_id),
        store.sessions(campaign_id, None, SESSIONS_SHOWN),
        store.active_session(campaign_id),
        store.characters(campaign_id),
    )?;
    let next_page = next_cursor.map(|cursor| {
        serde_urlencoded::to_string([
            ("member", filter.member.as_str()),
            ("session", filter.session.as_str()),
            ("source", filter.source.as_str()),
            ("cursor", cursor.as_str()),
        ])
        .unwrap_or_default()
    });
    render(&CampaignPage {
        layout: Layout::of(&session),
        is_gm: role == Some(MemberRole::Gm),
        user_id: session.user.id,
        campaign,
        members,
        active_session,
        sessions,
        characters,
        rolls: rolls.iter().map(RollView::of).collect(),
        next_page,
        filter_member: filter.member,
        filter_session: filter.session,
        filter_source: filter.source,
        sources: FILTER_SOURCES,
    })
}
