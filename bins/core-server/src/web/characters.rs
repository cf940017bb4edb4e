//! A character's sheet, its edit form (the GM or the character's owner), and creating a
//! character, through the API's character handlers.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_sdk::wire::{
    Character, CharacterSheet, CreateCharacterRequest, HitPoints, MemberRole,
    UpdateCharacterRequest,
};
use serde::Deserialize;
use uuid::Uuid;

use super::PageError;
use super::session::{CsrfForm, SignedIn};
use super::view::{Layout, render, see_other};
use crate::auth::Need;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "character.html")]
struct SheetPage {
    layout: Layout,
    campaign_id: Uuid,
    campaign_name: String,
    character: Character,
    may_edit: bool,
    hp_current: String,
    hp_max: String,
}

/// `GET /campaigns/{id}/characters/{id}`: the sheet, with the edit form for the GM or owner.
pub async fn sheet(
    State(state): State<AppState>,
    session: SignedIn,
    ApiPath((campaign_id, character_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    let (campaign, role) = session
        .caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let character = crate::api::characters::get_character(
        State(state),
        session.authorized()?,
        ApiPath((campaign_id, character_id)),
    )
    .await?
    .0;
    let hp = character.sheet.hp.as_ref();
    render(&SheetPage {
        layout: Layout::of(&session),
        campaign_id,
        campaign_name: campaign.name,
        may_edit: role == Some(MemberRole::Gm) || character.owner_id == session.user.id,
        hp_current: hp.map(|hp| hp.current.to_string()).unwrap_or_default(),
        hp_max: hp.map(|hp| hp.max.to_string()).unwrap_or_default(),
        character,
    })
}

/// The fields of the character forms; empty fields are left unset.
#[derive(Debug, Deserialize)]
pub struct CharacterForm {
    name: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    ac: String,
    #[serde(default)]
    hp_current: String,
    #[serde(default)]
    hp_max: String,
    #[serde(default)]
    notes: String,
}

impl CharacterForm {
    /// The sheet these fields describe, over `sheet` (which keeps what the form lacks).
    fn sheet(&self, mut sheet: CharacterSheet) -> Result<CharacterSheet, PageError> {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|value| !value.is_empty());
        sheet.class = text(&self.class);
        sheet.notes = text(&self.notes);
        sheet.level = number("level", &self.level)?;
        sheet.ac = number("ac", &self.ac)?;
        sheet.hp = match (
            number::<i32>("hp_current", &self.hp_current)?,
            number::<i32>("hp_max", &self.hp_max)?,
        ) {
            (None, None) => None,
            (current, Some(max)) => Some(HitPoints {
                current: current.unwrap_or(max),
                max,
                temp: sheet.hp.map(|hp| hp.temp).unwrap_or_default(),
            }),
            (Some(_), None) => {
                return Err(PageError::bad_request(
                    "invalid hp_max: give the maximum hit points with the current ones",
                ));
            }
        };
        Ok(sheet)
    }
}

/// An optional number from a form field, or 400 naming the field.
fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<Option<T>, PageError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| PageError::bad_request(format!("invalid {field}: '{text}' is not a number")))
}

/// `POST /campaigns/{id}/characters/{id}`: saves the edit form (the API decides who may).
pub async fn update(
    State(state): State<AppState>,
    ApiPath((campaign_id, character_id)): ApiPath<(Uuid, Uuid)>,
    CsrfForm { session, form }: CsrfForm<CharacterForm>,
) -> Result<Response, PageError> {
    let current = crate::api::characters::get_character(
        State(state.clone()),
        session.authorized()?,
        ApiPath((campaign_id, character_id)),
    )
    .await?
    .0;
    let request = UpdateCharacterRequest {
        name: Some(form.name.trim().to_owned()),
        sheet: Some(form.sheet(current.sheet)?),
    };
    let _saved = crate::api::characters::update_character(
        State(state),
        session.authorized()?,
        ApiPath((campaign_id, character_id)),
        ApiJson(request),
    )
    .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign_id}/characters/{character_id}"
    )))
}

/// `POST /campaigns/{id}/characters`: creates a character owned by the user.
pub async fn create(
    State(state): State<AppState>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    CsrfForm { session, form }: CsrfForm<CharacterForm>,
) -> Result<Response, PageError> {
    let request = CreateCharacterRequest {
        owner_id: None,
        name: form.name.trim().to_owned(),
        sheet: form.sheet(CharacterSheet::default())?,
    };
    let (_, character) = crate::api::characters::create_character(
        State(state),
        session.authorized()?,
        ApiPath(campaign_id),
        ApiJson(request),
    )
    .await?;
    Ok(see_other(&format!(
        "/campaigns/{campaign_id}/characters/{}",
        character.id
    )))
}
