//! The web app: server-rendered pages on the same store, the same auth and the same
//! handlers as the API (a page authenticates the browser session once, then calls the
//! API's handler for what it shows or changes), with askama templates compiled in and
//! static assets served from the binary.
//!
//! Every response carries a strict Content-Security-Policy (no inline script),
//! `X-Content-Type-Options`, `Referrer-Policy` and `frame-ancestors 'none'`; every form
//! post is checked for its `Origin` and a CSRF token bound to the session
//! ([`session::CsrfForm`]).

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;

pub mod assets;
pub mod assistant;
pub mod campaign;
pub mod characters;
pub mod error;
pub mod home;
pub mod luck;
pub mod rolls;
pub mod session;
pub mod tokens;
pub mod usage;
pub mod view;
pub mod vtt;

pub use error::PageError;

/// The Content-Security-Policy of every page: scripts, styles and images only from Core,
/// no inline script or style, no framing, forms post only to Core.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     base-uri 'none'; frame-ancestors 'none'";

/// The web app's routes, to merge into Core's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/logout", post(home::logout))
        .route("/campaigns", post(home::create_campaign))
        .route("/campaigns/{campaign_id}", get(campaign::campaign))
        .route(
            "/campaigns/{campaign_id}/characters",
            post(characters::create),
        )
        .route(
            "/campaigns/{campaign_id}/characters/{character_id}",
            get(characters::sheet).post(characters::update),
        )
        .route("/campaigns/{campaign_id}/luck", get(luck::luck))
        .route(
            "/campaigns/{campaign_id}/assistant",
            get(assistant::assistant).post(assistant::ask),
        )
        .route("/rolls/{roll_id}", get(rolls::shared_roll))
        .route("/tokens", get(tokens::tokens).post(tokens::issue))
        .route("/tokens/{token_id}/revoke", post(tokens::revoke))
        .route(
            "/link-vtt",
            get(vtt::link_page).post(vtt::issue_bridge_token),
        )
        .route("/link-vtt/accounts/{link_id}/unlink", post(vtt::unlink))
        .route("/usage", get(usage::usage))
        .route("/static/{file}", get(assets::asset))
        .layer(middleware::from_fn(security_headers))
}

/// Adds the security headers to every page and asset.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
