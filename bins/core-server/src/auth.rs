//! Who is calling: a service key (optionally acting for a user), a user token, or a browser
//! session cookie; what their credentials let them do; and the campaign access rules built
//! on that. Handlers take an [`Authorized`] caller, whose type names the scope the route
//! needs ([`RouteScope`]), so no route can skip the check.

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use critfumble_sdk::api_key::{KeyRejection, parse_bearer};
use critfumble_sdk::paths::ACT_AS_DISCORD_ID_HEADER;
use critfumble_sdk::wire::{ApiKeyInfo, Campaign, KeyScope, MemberRole, TokenScope, User};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::rate_limit::Principal;
use crate::state::AppState;
use crate::store::Store;

mod scopes;

pub use scopes::{Ai, Authorized, Read, RollsWrite, RouteScope, Tokens, Unscoped, Write};

/// The name of the browser session cookie.
pub const SESSION_COOKIE: &str = "cf_session";

/// The authenticated caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Whether the credentials were a service key.
    pub service: bool,
    /// The user the request acts as: the token's or cookie's owner, or the user a service
    /// key names in `x-act-as-discord-id`. `None` only for a service acting for nobody.
    pub user: Option<User>,
    /// The API key or user token presented, if any (none for a cookie).
    pub key: Option<ApiKeyInfo>,
    /// What the credentials may do: every scope for a service key and a browser session,
    /// the token's own for a user token.
    pub scopes: Vec<TokenScope>,
}

impl Caller {
    /// The acting user, or 403 for a service key that named none.
    pub fn require_user(&self) -> AppResult<&User> {
        self.user.as_ref().ok_or_else(|| {
            AppError::forbidden(format!(
                "this endpoint acts for a user: send the '{ACT_AS_DISCORD_ID_HEADER}' header \
                 with the service key"
            ))
        })
    }

    /// 403 unless the credentials are a service key.
    pub fn require_service(&self) -> AppResult<()> {
        if self.service {
            Ok(())
        } else {
            Err(AppError::forbidden("this endpoint needs a service api key"))
        }
    }

    /// Whether the credentials hold `scope`.
    pub fn may(&self, scope: TokenScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Whether the caller sees everything: a service key acting for nobody.
    pub fn is_unrestricted(&self) -> bool {
        self.service && self.user.is_none()
    }

    /// The namespace of this caller's idempotency keys. A service key acting for a user
    /// has one per user, so that one user's key can never replay another user's request;
    /// it is not the key's id, so that a retry after a key rotation still matches.
    pub fn idempotency_scope(&self) -> String {
        match (&self.user, self.service) {
            (Some(user), true) => format!("service:user:{}", user.id),
            (None, true) => "service".to_owned(),
            (Some(user), false) => format!("user:{}", user.id),
            (None, false) => "anonymous".to_owned(),
        }
    }

    /// Who the request is counted against for rate limits.
    fn principal(&self) -> Option<Principal> {
        match (&self.user, &self.key) {
            (Some(user), _) => Some(Principal::User(user.id)),
            (None, Some(key)) => Some(Principal::Service(key.id)),
            (None, None) => None,
        }
    }

    /// The caller's access to a campaign: 404 when it does not exist or the caller is not a
    /// member (so that non-members cannot probe ids), 403 when `need` is `Gm` and the
    /// caller is only a player. An unrestricted service key has GM rights everywhere.
    pub async fn campaign_access(
        &self,
        store: &Store,
        campaign_id: Uuid,
        need: Need,
    ) -> AppResult<(Campaign, Option<MemberRole>)> {
        let campaign = store
            .campaign(campaign_id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("campaign {campaign_id}")))?;
        let Some(user) = &self.user else {
            return if self.service {
                Ok((campaign, None))
            } else {
                Err(AppError::not_found(format!("campaign {campaign_id}")))
            };
        };
        let role = store
            .member_role(campaign_id, user.id)
            .await?
            .ok_or_else(|| AppError::not_found(format!("campaign {campaign_id}")))?;
        if need == Need::Gm && role != MemberRole::Gm {
            return Err(AppError::forbidden("only the campaign's gm may do this"));
        }
        Ok((campaign, Some(role)))
    }

    /// The same verdict as [`Caller::campaign_access`] (404 for a missing campaign or a
    /// non-member, 403 for a player when `need` is `Gm`) for handlers that do not need the
    /// campaign itself: one query, not two. A membership row proves that its campaign
    /// exists (its foreign key cascades on delete), so a user costs only that row, and an
    /// unrestricted service key only an existence check.
    pub async fn check_campaign_access(
        &self,
        store: &Store,
        campaign_id: Uuid,
        need: Need,
    ) -> AppResult<Option<MemberRole>> {
        let not_found = || AppError::not_found(format!("campaign {campaign_id}"));
        let Some(user) = &self.user else {
            return if self.service && store.campaign_exists(campaign_id).await? {
                Ok(None)
            } else {
                Err(not_found())
            };
        };
        let role = store
            .member_role(campaign_id, user.id)
            .await?
            .ok_or_else(not_found)?;
        if need == Need::Gm && role != MemberRole::Gm {
            return Err(AppError::forbidden("only the campaign's gm may do this"));
        }
        Ok(Some(role))
    }
}

/// What a request needs in a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Any member.
    Member,
    /// The game master.
    Gm,
}

/// Authenticates a request and counts it against its principal's rate limit. Credentials
/// that fail count against the client's address, so that guessing keys is throttled too.
pub async fn authenticate(parts: &Parts, state: &AppState) -> AppResult<Caller> {
    let outcome = identify(parts, state).await;
    let limiter = state.rate_limiter();
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    match outcome {
        Ok(caller) => {
            if let Some(principal) = caller.principal() {
                limiter.check(principal).await?;
            }
            if caller.user.is_some() && !caller.service {
                limiter
                    .check(crate::rate_limit::user_address_of(
                        limiter,
                        &parts.headers,
                        peer,
                    ))
                    .await?;
            }
            record_identity(&caller, parts);
            Ok(caller)
        }
        Err(error) => {
            let has_credentials = parts.headers.contains_key(header::AUTHORIZATION)
                || has_session_cookie(&parts.headers);
            // A request without credentials was counted by the middleware already.
            if has_credentials && error.status == axum::http::StatusCode::UNAUTHORIZED {
                limiter
                    .check(crate::rate_limit::address_of(limiter, &parts.headers, peer))
                    .await?;
            }
            Err(error)
        }
    }
}

/// Writes who is calling into the request's span, so that every log line of a service
/// key acting for a user names both.
fn record_identity(caller: &Caller, parts: &Parts) {
    let span = tracing::Span::current();
    if let Some(key) = &caller.key {
        span.record("key_id", tracing::field::display(key.id));
    }
    if let Some(user) = &caller.user {
        span.record("user_id", tracing::field::display(user.id));
    }
    if caller.service
        && let Some(discord_id) = parts
            .headers
            .get(ACT_AS_DISCORD_ID_HEADER)
            .and_then(|value| value.to_str().ok())
    {
        span.record("acting_for", discord_id);
    }
}

async fn identify(parts: &Parts, state: &AppState) -> AppResult<Caller> {
    if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
        let text = authorization.to_str().map_err(|_| {
            AppError::unauthorized("the authorization header must be 'Bearer <api key>'")
        })?;
        return caller_from_key(parts, state, text).await;
    }
    if let Some(token) = session_cookie(parts) {
        let hash = crate::token::sha256_hex(token.as_bytes());
        if let Some(user_id) = state.store().web_session_user(&hash).await? {
            let user = state
                .store()
                .user(user_id)
                .await?
                .ok_or_else(|| AppError::unauthorized("the session's user no longer exists"))?;
            // The web app's session is the user at the keyboard: it holds every scope,
            // `tokens` included, which is how tokens are normally minted.
            return Ok(Caller {
                service: false,
                user: Some(user),
                key: None,
                scopes: TokenScope::ALL.to_vec(),
            });
        }
        return Err(AppError::unauthorized(
            "the session cookie is expired or unknown: log in again",
        ));
    }
    Err(AppError::unauthorized(
        "missing credentials: send 'Authorization: Bearer <api key>' or log in",
    ))
}

/// The one key check, the SDK's: the bearer scheme (any case), the key's shape, checksum
/// and environment, then the stored hash (in constant time), revocation and expiry.
async fn caller_from_key(
    parts: &Parts,
    state: &AppState,
    authorization: &str,
) -> AppResult<Caller> {
    let store = state.store();
    let unauthorized = |error: critfumble_sdk::SdkError| AppError::unauthorized(error.to_string());
    let presented = parse_bearer(authorization)
        .and_then(|key| key.for_env(state.key_env()))
        .map_err(unauthorized)?;
    let key = store
        .api_key_by_prefix_cached(presented.lookup_prefix())
        .await?
        .ok_or_else(|| AppError::unauthorized(KeyRejection::Mismatch.message()))?;
    let now = chrono::Utc::now();
    key.authenticate(&presented, state.pepper(), now)
        .map_err(|rejection| AppError::unauthorized(rejection.message()))?;
    // Best effort, at most once a minute (a write per request would queue behind the
    // single SQLite writer): a failed bookkeeping write must not fail the request.
    let recently_used = key
        .info
        .last_used_at
        .is_some_and(|used| used > now - chrono::TimeDelta::minutes(1));
    if !recently_used && let Err(error) = store.touch_api_key(key.info.id).await {
        tracing::warn!(%error, "cannot record api key use");
    }
    match key.info.scope {
        KeyScope::Service => {
            let acting = parts
                .headers
                .get(ACT_AS_DISCORD_ID_HEADER)
                .map(|value| {
                    value.to_str().map_err(|_| {
                        AppError::bad_request(format!(
                            "the '{ACT_AS_DISCORD_ID_HEADER}' header is not ascii"
                        ))
                    })
                })
                .transpose()?;
            let user = match acting {
                Some(discord_id) => {
                    Some(store.user_by_discord_id(discord_id).await?.ok_or_else(|| {
                        AppError::not_found(format!(
                            "user with discord id '{discord_id}' (upsert it first with \
                             PUT /v1/users/discord/{{discord_id}})"
                        ))
                    })?)
                }
                None => None,
            };
            Ok(Caller {
                service: true,
                user,
                key: Some(key.info),
                scopes: TokenScope::ALL.to_vec(),
            })
        }
        KeyScope::User => {
            let invalid = || AppError::unauthorized(KeyRejection::Mismatch.message());
            let user_id = key.info.user_id.ok_or_else(invalid)?;
            let user = store.user(user_id).await?.ok_or_else(invalid)?;
            Ok(Caller {
                service: false,
                user: Some(user),
                scopes: key.info.scopes.clone(),
                key: Some(key.info),
            })
        }
    }
}

/// Whether the request carries a session cookie (checked or not).
pub fn has_session_cookie(headers: &HeaderMap) -> bool {
    cookie_in(headers, SESSION_COOKIE).is_some()
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    cookie_value(parts, SESSION_COOKIE)
}

/// The value of the cookie `name`, if the request carries one.
pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Creates a service key named `name` and returns it (the only time it is visible) with
/// its record.
pub async fn create_service_key(
    store: &Store,
    env: critfumble_sdk::api_key::KeyEnv,
    pepper: &critfumble_sdk::api_key::KeyPepper,
    name: &str,
) -> anyhow::Result<String> {
    let key = critfumble_sdk::api_key::ApiKey::generate(env);
    let stored = critfumble_sdk::api_key::StoredApiKey::issue(
        crate::store::new_id(),
        name,
        &key,
        pepper,
        KeyScope::Service,
        None,
        chrono::Utc::now(),
    )
    .with_scopes(TokenScope::ALL.to_vec());
    store.insert_api_key(&stored).await?;
    Ok(key.expose_secret().to_owned())
}
