//! Who is calling: a service key (optionally acting for a user), a user token, or a browser
//! session cookie; and the campaign access rules built on that.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use critfumble_sdk::paths::ACT_AS_DISCORD_ID_HEADER;
use critfumble_sdk::wire::{Campaign, KeyScope, MemberRole, User};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::Store;

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
    /// The API key used, if any (none for a cookie).
    pub key_id: Option<Uuid>,
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

    /// Whether the caller sees everything: a service key acting for nobody.
    pub fn is_unrestricted(&self) -> bool {
        self.service && self.user.is_none()
    }

    /// The namespace of this caller's idempotency keys.
    pub fn idempotency_scope(&self) -> String {
        match (&self.user, self.service) {
            // Every service key is FumbleBot, so a retry after a key rotation still matches.
            (_, true) => "service".to_owned(),
            (Some(user), false) => format!("user:{}", user.id),
            (None, false) => "anonymous".to_owned(),
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

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Caller> {
        if let Some(authorization) = parts.headers.get(header::AUTHORIZATION) {
            let token = authorization
                .to_str()
                .ok()
                .and_then(|value| value.strip_prefix("Bearer "))
                .ok_or_else(|| {
                    AppError::unauthorized("the authorization header must be 'Bearer <api key>'")
                })?;
            return caller_from_key(parts, state, token.trim()).await;
        }
        if let Some(token) = session_cookie(parts) {
            let hash = crate::token::sha256_hex(token.as_bytes());
            if let Some(user_id) = state.store().web_session_user(&hash).await? {
                let user =
                    state.store().user(user_id).await?.ok_or_else(|| {
                        AppError::unauthorized("the session's user no longer exists")
                    })?;
                return Ok(Caller {
                    service: false,
                    user: Some(user),
                    key_id: None,
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
}

async fn caller_from_key(parts: &Parts, state: &AppState, presented: &str) -> AppResult<Caller> {
    let store = state.store();
    let invalid = || AppError::unauthorized("invalid api key");
    let presented = crate::keys::parse(presented, state.key_env())
        .map_err(|reason| AppError::unauthorized(format!("invalid api key: {reason}")))?;
    let key = store
        .api_key_by_prefix_cached(presented.lookup_prefix())
        .await?
        .ok_or_else(invalid)?;
    if !crate::keys::matches(&key.hash, &presented, state.pepper()) {
        return Err(invalid());
    }
    let now = crate::store::now_millis();
    if key.revoked_at.is_some() {
        return Err(AppError::unauthorized("this api key was revoked"));
    }
    if key.expires_at.is_some_and(|expires| expires <= now) {
        return Err(AppError::unauthorized("this api key has expired"));
    }
    // Best effort, at most once a minute (a write per request would queue behind the
    // single SQLite writer): a failed bookkeeping write must not fail the request.
    let recently_used = key.last_used_at.is_some_and(|used| used > now - 60_000);
    if !recently_used && let Err(error) = store.touch_api_key(key.id).await {
        tracing::warn!(%error, "cannot record api key use");
    }
    match key.scope {
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
                key_id: Some(key.id),
            })
        }
        KeyScope::User => {
            let user_id = key.user_id.ok_or_else(invalid)?;
            let user = store.user(user_id).await?.ok_or_else(invalid)?;
            Ok(Caller {
                service: false,
                user: Some(user),
                key_id: Some(key.id),
            })
        }
    }
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<String> {
    cookie_value(parts, SESSION_COOKIE)
}

/// The value of the cookie `name`, if the request carries one.
pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// Creates a service key and returns it (the only time it is visible).
pub async fn create_service_key(
    store: &Store,
    env: critfumble_sdk::api_key::KeyEnv,
    pepper: &critfumble_sdk::api_key::KeyPepper,
    name: &str,
) -> anyhow::Result<String> {
    let issued = crate::keys::issue(KeyScope::Service, env, pepper);
    store
        .insert_api_key(&crate::store::NewKey {
            prefix: &issued.prefix,
            hash: &issued.hash,
            scope: KeyScope::Service,
            user_id: None,
            name,
            expires_at: None,
        })
        .await?;
    Ok(issued.full)
}
