//! Discord OAuth2 login (authorization code with `state` and PKCE), server-side sessions,
//! and logout.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use critfumble_sdk::wire::{ErrorBody, ErrorCode, UpsertUserRequest};
use serde::Deserialize;

use crate::auth::{SESSION_COOKIE, cookie_value};
use crate::error::{AppError, AppResult};
use crate::extract::ApiQuery;
use crate::state::{AppState, DiscordConfig};

/// The cookie that binds an OAuth2 `state` to the browser that started the login.
const STATE_COOKIE: &str = "cf_oauth_state";
/// How long a login may take between the redirect and the callback.
pub const STATE_MAX_AGE_SECS: i64 = 600;
/// How long a session lasts.
const SESSION_MAX_AGE_SECS: i64 = 30 * 24 * 60 * 60;

/// Redirects to Discord's authorization page (`identify` scope, PKCE S256). The state and
/// the PKCE verifier travel in a signed, short-lived cookie, so that a visit writes
/// nothing to the database.
#[utoipa::path(get, path = "/auth/discord/login", tag = "auth",
    responses((status = 303, description = "redirect to Discord"),
        (status = 503, body = ErrorBody)))]
pub async fn login(State(state): State<AppState>) -> AppResult<Response> {
    let discord = configured(&state)?;
    let oauth_state = crate::token::random_base64(32).map_err(AppError::internal)?;
    let verifier = crate::token::random_base64(48).map_err(AppError::internal)?;
    let issued_at = chrono::Utc::now().timestamp();
    let signed_state = state
        .login_key()
        .sign(&format!("{oauth_state}.{verifier}.{issued_at}"));
    let mut url = url::Url::parse(&format!("{}/oauth2/authorize", discord.api_base))
        .map_err(AppError::internal)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &discord.client_id)
        .append_pair("scope", "identify")
        .append_pair("redirect_uri", &redirect_uri(&state))
        .append_pair("state", &oauth_state)
        .append_pair("code_challenge", &crate::token::pkce_challenge(&verifier))
        .append_pair("code_challenge_method", "S256")
        .append_pair("prompt", "none");
    let cookie = cookie(
        &state,
        STATE_COOKIE,
        &signed_state,
        "/auth/discord",
        STATE_MAX_AGE_SECS,
    );
    let mut response = Redirect::to(url.as_str()).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// The query Discord sends back to the callback.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
}

#[derive(Deserialize)]
struct DiscordUser {
    id: String,
    username: String,
    global_name: Option<String>,
    avatar: Option<String>,
}

/// Exchanges the code (with the PKCE verifier), fetches `/users/@me`, upserts the user,
/// and starts a session: an HttpOnly, SameSite=Lax cookie (Secure behind https).
#[utoipa::path(get, path = "/auth/discord/callback", tag = "auth",
    params(("code" = Option<String>, Query), ("state" = Option<String>, Query)),
    responses((status = 303, description = "logged in: redirect to the home page"),
        (status = 400, body = ErrorBody), (status = 502, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn callback(
    State(state): State<AppState>,
    parts: Parts,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> AppResult<Response> {
    let discord = configured(&state)?;
    if let Some(error) = query.error {
        return Err(AppError::bad_request(format!(
            "discord refused the login: {error}{}",
            query
                .error_description
                .map(|text| format!(" ({text})"))
                .unwrap_or_default()
        )));
    }
    let (Some(code), Some(oauth_state)) = (query.code, query.state) else {
        return Err(AppError::bad_request(
            "the callback needs 'code' and 'state'",
        ));
    };
    let browser_state = cookie_value(&parts, STATE_COOKIE).unwrap_or_default();
    let verifier = login_verifier(&state, &browser_state, &oauth_state)?;
    let token = exchange_code(&state, discord, &code, &verifier).await?;
    let discord_user = fetch_me(&state, discord, &token).await?;
    let name = discord_user
        .global_name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or(discord_user.username);
    let (user, _) = state
        .store()
        .upsert_user(
            &discord_user.id,
            &UpsertUserRequest {
                name,
                avatar: discord_user.avatar,
            },
        )
        .await?;
    let session_token = crate::token::random_base64(32).map_err(AppError::internal)?;
    state
        .store()
        .insert_web_session(
            &crate::token::sha256_hex(session_token.as_bytes()),
            user.id,
            crate::store::now_millis() + SESSION_MAX_AGE_SECS * 1000,
        )
        .await?;
    tracing::info!(user = %user.id, "logged in with discord");
    let mut response = Redirect::to("/").into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        cookie(
            &state,
            SESSION_COOKIE,
            &session_token,
            "/",
            SESSION_MAX_AGE_SECS,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        cookie(&state, STATE_COOKIE, "", "/auth/discord", 0),
    );
    Ok(response)
}

/// Ends the cookie session (deleting it server-side) and clears the cookie.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "logged out")))]
pub async fn logout(State(state): State<AppState>, parts: Parts) -> AppResult<Response> {
    end_session(&state, &parts, StatusCode::NO_CONTENT.into_response()).await
}

/// Deletes the request's session server-side and adds the header that clears its cookie
/// to `response` (the API's logout and the web app's).
pub async fn end_session(
    state: &AppState,
    parts: &Parts,
    mut response: Response,
) -> AppResult<Response> {
    if let Some(token) = crate::auth::session_cookie(parts) {
        state
            .store()
            .delete_web_session(&crate::token::sha256_hex(token.as_bytes()))
            .await?;
    }
    response.headers_mut().append(
        header::SET_COOKIE,
        cookie(state, SESSION_COOKIE, "", "/", 0),
    );
    Ok(response)
}

/// The PKCE verifier of the login this browser started: its signed state cookie must be
/// Core's, younger than [`STATE_MAX_AGE_SECS`], and name the `state` Discord sent back.
fn login_verifier(state: &AppState, cookie: &str, oauth_state: &str) -> AppResult<String> {
    let other_browser = || {
        AppError::bad_request(
            "the login was started in another browser (state cookie missing or different)",
        )
    };
    let value = state.login_key().verify(cookie).ok_or_else(other_browser)?;
    let mut fields = value.split('.');
    let (Some(signed_state), Some(verifier), Some(issued_at), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(other_browser());
    };
    if signed_state != oauth_state {
        return Err(other_browser());
    }
    let age = chrono::Utc::now().timestamp() - issued_at.parse::<i64>().unwrap_or(i64::MIN);
    if !(0..=STATE_MAX_AGE_SECS).contains(&age) {
        return Err(AppError::bad_request(
            "the login took too long: log in again",
        ));
    }
    Ok(verifier.to_owned())
}

fn configured(state: &AppState) -> AppResult<&DiscordConfig> {
    state.discord().ok_or_else(|| {
        AppError::new(
            ErrorCode::Unavailable,
            "discord login is not configured: set --discord-client-id and --discord-client-secret",
        )
    })
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}/auth/discord/callback", state.public_url())
}

fn cookie(state: &AppState, name: &str, value: &str, path: &str, max_age: i64) -> HeaderValue {
    let secure = if state.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let text =
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    // Names, paths and base64url values are visible ASCII, so this cannot fail.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Discord's answer stays in the log; the browser gets what failed and the request id
/// (added to every 5xx) to quote.
fn upstream(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::warn!(%error, "discord {what} failed");
    AppError::new(
        ErrorCode::UpstreamFailed,
        format!("discord {what} failed: try logging in again"),
    )
}

async fn exchange_code(
    state: &AppState,
    discord: &DiscordConfig,
    code: &str,
    verifier: &str,
) -> AppResult<String> {
    let redirect_uri = redirect_uri(state);
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", code)
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("code_verifier", verifier)
        .finish();
    let response = state
        .http()
        .post(format!("{}/oauth2/token", discord.api_base))
        .basic_auth(&discord.client_id, Some(&discord.client_secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| upstream("token exchange", e))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(upstream(
            "token exchange",
            format!("{status}: {}", body.chars().take(200).collect::<String>()),
        ));
    }
    let token: TokenResponse = response
        .json()
        .await
        .map_err(|e| upstream("token exchange", e))?;
    if !token.token_type.eq_ignore_ascii_case("bearer") {
        return Err(upstream(
            "token exchange",
            format!("unexpected token type '{}'", token.token_type),
        ));
    }
    Ok(token.access_token)
}

async fn fetch_me(
    state: &AppState,
    discord: &DiscordConfig,
    access_token: &str,
) -> AppResult<DiscordUser> {
    let response = state
        .http()
        .get(format!("{}/users/@me", discord.api_base))
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| upstream("user lookup", e))?;
    if !response.status().is_success() {
        return Err(upstream("user lookup", response.status()));
    }
    response
        .json()
        .await
        .map_err(|e| upstream("user lookup", e))
}
