//! The caller's own things: user tokens for the browser extension (and the one presented),
//! and linked VTT accounts.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{
    ApiKeyInfo, CreateTokenRequest, CreatedToken, ErrorBody, ErrorCode, KeyScope, Page,
    PageRequest, VttAccountLink,
};
use uuid::Uuid;

use crate::auth::{Authorized, Caller, Read, Tokens, Unscoped, Write};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use critfumble_sdk::api_key::{ApiKey, StoredApiKey};

/// The token or key the request presents: its scopes and expiry, never its secret. Any
/// credentials may ask, whatever their scopes, so that a client (FumbleBot's VTT bridge,
/// the extension) can learn what a token may do; a browser session presents no token (404).
#[utoipa::path(get, path = "/v1/me/token", tag = "me",
    responses((status = 200, body = ApiKeyInfo), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn current_token(caller: Authorized<Unscoped>) -> AppResult<Json<ApiKeyInfo>> {
    caller.key.clone().map(Json).ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            "this request presents a browser session, not a token",
        )
    })
}

/// Issues a user token (shown once), for the browser extension or a script. Needs the
/// `tokens` scope (the web app's session holds it), a user rather than a service key, and
/// only scopes the issuing credentials hold; the token expires within 90 days (30 by
/// default).
#[utoipa::path(post, path = "/v1/me/tokens", tag = "me", request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Authorized<Tokens>,
    ApiJson(request): ApiJson<CreateTokenRequest>,
) -> AppResult<(StatusCode, Json<CreatedToken>)> {
    let user = own_user(&caller)?;
    request.validate()?;
    let now = chrono::Utc::now();
    let expires_at = request.expiry(now)?;
    // A token can do no more than the credentials that issue it.
    if let Some(scope) = request.scopes.iter().find(|scope| !caller.may(**scope)) {
        return Err(AppError::forbidden(format!(
            "cannot issue a token with the '{scope}' scope: the issuing credentials lack it"
        )));
    }
    let mut scopes = request.scopes.clone();
    scopes.sort_unstable();
    scopes.dedup();
    let token = ApiKey::generate(state.key_env());
    let stored = StoredApiKey::issue(
        crate::store::new_id(),
        request.name.clone(),
        &token,
        state.pepper(),
        KeyScope::User,
        Some(user),
        now,
    )
    .with_expiry(Some(expires_at))
    .with_scopes(scopes);
    let key = state.store().insert_api_key(&stored).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: token.expose_secret().to_owned(),
            key,
        }),
    ))
}

/// The caller's user tokens (never the tokens themselves).
#[utoipa::path(get, path = "/v1/me/tokens", tag = "me",
    params(PageRequest),
    responses((status = 200, body = Page<ApiKeyInfo>), (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Authorized<Tokens>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<ApiKeyInfo>>> {
    let user = own_user(&caller)?;
    let limit = page.effective_limit();
    let tokens = state
        .store()
        .user_tokens(user, crate::api::id_cursor(&page)?, limit)
        .await?;
    Ok(Json(crate::api::keyset_page(tokens, limit, |token| {
        token.id
    })))
}

/// Revokes one of the caller's user tokens; another user's token is 404.
#[utoipa::path(delete, path = "/v1/me/tokens/{token_id}", tag = "me",
    params(("token_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Authorized<Tokens>,
    ApiPath(token_id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let user = own_user(&caller)?;
    state
        .store()
        .revoke_user_token(user, token_id)
        .await
        .map_err(|_| AppError::not_found(format!("token {token_id}")))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's linked VTT accounts.
#[utoipa::path(get, path = "/v1/me/vtt-accounts", tag = "me",
    params(PageRequest),
    responses((status = 200, body = Page<VttAccountLink>), (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_vtt_accounts(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<VttAccountLink>>> {
    let user = caller.require_user()?;
    let links = state.store().vtt_accounts(user.id).await?;
    crate::api::page_in_memory(links, |link| link.id, &page).map(Json)
}

/// Unlinks one of the caller's VTT accounts; another user's link is 404.
#[utoipa::path(delete, path = "/v1/me/vtt-accounts/{link_id}", tag = "me",
    params(("link_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn unlink_vtt_account(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(link_id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let user = caller.require_user()?;
    state
        .store()
        .delete_vtt_account(user.id, link_id)
        .await
        .map_err(|_| AppError::not_found(format!("vtt account link {link_id}")))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user behind a cookie or user token; service keys cannot manage user tokens.
fn own_user(caller: &Caller) -> AppResult<Uuid> {
    if caller.service {
        return Err(AppError::forbidden(
            "user tokens are managed by the user (cookie or user token), not by a service key",
        ));
    }
    Ok(caller.require_user()?.id)
}
