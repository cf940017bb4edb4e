//! "Link a VTT": what linking does, whether the extension is installed (`static/link.js`
//! asks it), a fresh bridge token for the extension when the user agrees, and the linked
//! VTT accounts with an unlink button.
//!
//! The page and the extension find each other through `window.postMessage` on the page's
//! own origin: the page sends `{type: "critfumble:hello"}`, the extension's content script
//! answers `{type: "critfumble:extension", version, extension_id}`. After consent the page
//! hands over `{type: "critfumble:bridge-token", token, core_url, expires_at}`: in
//! Chromium with `chrome.runtime.sendMessage(extension_id, …)` (the extension's
//! `externally_connectable`), in Firefox, whose `extension_id` is null, by `postMessage`.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_sdk::wire::{CreateTokenRequest, TokenScope, VttAccountLink};
use uuid::Uuid;

use super::PageError;
use super::session::{CsrfForm, NoFields, SignedIn};
use super::view::{Layout, render, see_other, time};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// How long a bridge token lives: the extension asks for a new one when it expires.
pub const BRIDGE_TOKEN_DAYS: i64 = 30;

#[derive(Template)]
#[template(path = "link_vtt.html")]
struct LinkPage {
    layout: Layout,
    accounts: Vec<VttAccountLink>,
    bridge_token: Option<String>,
    expires_at: String,
    core_url: String,
}

async fn page(
    state: AppState,
    session: &SignedIn,
    bridge: Option<(String, String)>,
) -> Result<Response, PageError> {
    let accounts = crate::api::me::list_vtt_accounts(
        State(state.clone()),
        session.authorized()?,
        super::view::first_page(),
    )
    .await?
    .0
    .items;
    let (bridge_token, expires_at) = bridge.unzip();
    render(&LinkPage {
        layout: Layout::of(session),
        accounts,
        bridge_token,
        expires_at: expires_at.unwrap_or_default(),
        core_url: state.public_url().to_owned(),
    })
}

/// `GET /link-vtt`.
pub async fn link_page(
    State(state): State<AppState>,
    session: SignedIn,
) -> Result<Response, PageError> {
    page(state, &session, None).await
}

/// `POST /link-vtt`: the user agreed; issues a bridge token (`read` and `rolls:write`,
/// expiring) and hands it to the extension from the page.
pub async fn issue_bridge_token(
    State(state): State<AppState>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let expires_at = chrono::Utc::now() + chrono::TimeDelta::days(BRIDGE_TOKEN_DAYS);
    let request = CreateTokenRequest {
        name: "VTT bridge (browser extension)".to_owned(),
        expires_at: Some(expires_at),
        scopes: TokenScope::DEFAULT.to_vec(),
    };
    let (_, created) = crate::api::me::create_token(
        State(state.clone()),
        session.authorized()?,
        ApiJson(request),
    )
    .await?;
    let bridge = (created.0.token, expires_at.to_rfc3339());
    page(state, &session, Some(bridge)).await
}

/// `POST /link-vtt/accounts/{id}/unlink`.
pub async fn unlink(
    State(state): State<AppState>,
    ApiPath(link_id): ApiPath<Uuid>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    crate::api::me::unlink_vtt_account(State(state), session.authorized()?, ApiPath(link_id))
        .await?;
    Ok(see_other("/link-vtt"))
}

/// How a link's verification time reads.
fn verified(link: &VttAccountLink) -> String {
    link.verified_at.as_ref().map(time).unwrap_or_default()
}

impl LinkPage {
    fn verified(&self, link: &VttAccountLink) -> String {
        verified(link)
    }
}
