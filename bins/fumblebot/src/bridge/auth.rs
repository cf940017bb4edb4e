//! Who calls the bridge, and what their token may do: the extension presents a Core user
//! token (`Authorization: Bearer cfk_…`), which FumbleBot checks with Core: `GET
//! /v1/me/token` says what the token is and which scopes it holds (any token may ask), and
//! `GET /v1/me`, for a token that may read, whose it is. Each route then needs the scopes
//! [`BridgeRoute::scopes`] names, checked before any body is read, since FumbleBot acts in
//! Core with its own service key and Core cannot check them itself. Answers, scopes
//! included, are cached for at most 60 s (refusals for 5 s, so that a flood of bad tokens
//! does not become a flood on Core), keyed by the token's SHA-256, never the token itself.
//! Each token is rate limited, and each client address may fail the check [`IP_FAILURES`]
//! times a minute: past that, a token not already known good is refused with 429 before
//! Core is asked, so that rotating random tokens does not cost a Core call each. Both
//! counts are the rate limiter's, so with `--redis-url` they hold across every process; the
//! answers are cached per process.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use critfumble_sdk::client::ClientConfig;
use critfumble_sdk::wire::{ErrorCode, KeyScope, TokenScope, User};
use critfumble_sdk::{CoreClient, SdkError};
use sha2::{Digest as _, Sha256};

use super::BridgeRoute;
use crate::error::ApiError;
use crate::ratelimit::Verdict;
use crate::state::AppState;

/// How long Core's answer for a good token is reused.
pub const TOKEN_TTL: Duration = Duration::from_secs(60);
/// How long a refusal is reused.
const REFUSAL_TTL: Duration = Duration::from_secs(5);
/// The most tokens remembered.
const CACHE_MAX: usize = 50_000;
/// Requests one token may make per 10 s.
pub const TOKEN_RATE: u32 = 100;

/// Failed token checks one client address may make per [`IP_FAILURE_WINDOW`].
pub const IP_FAILURES: u32 = 20;
/// The window of [`IP_FAILURES`].
pub const IP_FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// A user token Core accepted: what it may do, and whose it is.
#[derive(Debug, Clone)]
struct Accepted {
    scopes: Vec<TokenScope>,
    /// `None` when the token lacks `read`: Core then does not say whose it is.
    user: Option<User>,
}

impl Accepted {
    /// The token's user, when it holds every scope `route` needs: 403 naming the first
    /// scope it lacks.
    fn user_for(self, route: BridgeRoute) -> Result<User, ApiError> {
        let lacks = |scope: TokenScope| {
            ApiError::new(
                ErrorCode::Forbidden,
                format!(
                    "this token lacks the '{scope}' scope that {} needs",
                    route.name()
                ),
            )
        };
        if let Some(scope) = route
            .scopes()
            .iter()
            .find(|scope| !self.scopes.contains(scope))
        {
            return Err(lacks(*scope));
        }
        self.user.ok_or_else(|| lacks(TokenScope::Read))
    }
}

/// Until when an answer holds, and Core's answer (`None`: Core refused the token).
type Answer = (Instant, Option<Accepted>);

/// Core's answers about tokens, by the token's hash.
#[derive(Debug, Default)]
pub struct TokenCache {
    answers: Mutex<HashMap<[u8; 32], Answer>>,
}

impl TokenCache {
    fn get(&self, hash: &[u8; 32]) -> Option<Option<Accepted>> {
        let answers = lock(&self.answers);
        let (until, accepted) = answers.get(hash)?;
        (*until > Instant::now()).then(|| accepted.clone())
    }

    fn put(&self, hash: [u8; 32], accepted: Option<Accepted>) {
        let mut answers = lock(&self.answers);
        let now = Instant::now();
        if answers.len() >= CACHE_MAX {
            answers.retain(|_, (until, _)| *until > now);
            if answers.len() >= CACHE_MAX {
                answers.clear();
            }
        }
        let ttl = if accepted.is_some() {
            TOKEN_TTL
        } else {
            REFUSAL_TTL
        };
        answers.insert(hash, (now + ttl, accepted));
    }
}

/// The user behind the request's token, sent from `peer` (when known), for `route`: 401
/// without one or with one Core refuses, 403 when it lacks a scope the route needs, 429 past
/// the token's rate or past the address's failures, 503 when Core cannot be asked.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    route: BridgeRoute,
) -> Result<User, ApiError> {
    let unauthorized = |message: &str| ApiError::new(ErrorCode::Unauthorized, message);
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            unauthorized("an authorization header with a crit-fumble token is required")
        })?;
    let token = critfumble_sdk::api_key::parse_bearer(header)
        .map_err(|error| unauthorized(&error.to_string()))?;
    let hash: [u8; 32] = Sha256::digest(token.expose_secret().as_bytes()).into();
    let bucket = format!("vtt:t:{}", hex::encode(&hash[..12]));
    if let Verdict::Limited { retry_after_secs } = state
        .limiter()
        .check_key(&bucket, TOKEN_RATE, crate::config::RATE_WINDOW)
        .await
    {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("this token made more than {TOKEN_RATE} requests in 10 s"),
        )
        .retry_after(retry_after_secs));
    }
    let cache = state.bridge().tokens();
    let known = match cache.get(&hash) {
        Some(known) => known,
        None => {
            if let Some(ip) = peer
                && let Verdict::Limited { retry_after_secs } = state
                    .limiter()
                    .peek_key(&failures_key(ip), IP_FAILURES, IP_FAILURE_WINDOW)
                    .await
            {
                return Err(ApiError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "this address presented more than {IP_FAILURES} tokens core refused \
                         in a minute"
                    ),
                )
                .retry_after(retry_after_secs));
            }
            let client = CoreClient::with_config(
                ClientConfig::new(state.core().base_url(), token.expose_secret())
                    .with_timeout(Duration::from_secs(5)),
            )
            .map_err(|_| ApiError::new(ErrorCode::Internal, "cannot ask core"))?;
            let answer = match ask_core(&client).await {
                Ok(answer) => answer,
                Err(error) => {
                    tracing::warn!(%error, "core cannot check a bridge token");
                    return Err(ApiError::new(
                        ErrorCode::Unavailable,
                        "core cannot check the token now",
                    )
                    .retry_after(5));
                }
            };
            cache.put(hash, answer.clone());
            answer
        }
    };
    match known {
        Some(accepted) => accepted.user_for(route),
        None => {
            if let Some(ip) = peer {
                // Counted, not judged: the next unknown token from `ip` is judged above.
                let _ = state
                    .limiter()
                    .check_key(&failures_key(ip), IP_FAILURES, IP_FAILURE_WINDOW)
                    .await;
            }
            Err(unauthorized("core does not accept this token"))
        }
    }
}

/// Core's word on a token: what it is (`GET /v1/me/token`, which any token may ask), then,
/// for a user token that may read, whose it is (`GET /v1/me`). `Ok(None)`: Core refused it,
/// or it is not a user token (a service key); `Err`: Core could not answer.
async fn ask_core(client: &CoreClient) -> Result<Option<Accepted>, SdkError> {
    let refused = |error: &SdkError| matches!(error.status(), Some(401 | 403));
    let key = match client.current_token().await {
        Ok(key) => key,
        Err(error) if refused(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    if key.scope != KeyScope::User {
        return Ok(None);
    }
    if !key.scopes.contains(&TokenScope::Read) {
        return Ok(Some(Accepted {
            scopes: key.scopes,
            user: None,
        }));
    }
    match client.me().await {
        Ok(user) => Ok(Some(Accepted {
            scopes: key.scopes,
            user: Some(user),
        })),
        // Revoked or expired between the two questions.
        Err(error) if refused(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The rate limiter's key of the failed token checks from `ip`.
fn failures_key(ip: IpAddr) -> String {
    format!("vtt:f:{ip}")
}

/// The caller of `route` (checked first, token and scopes, so that no body is read for a
/// stranger) and the request body: at most `limit` bytes, read as `T` and checked with
/// `validate`.
pub async fn caller_and_request<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    route: BridgeRoute,
    body: axum::body::Body,
    limit: usize,
    validate: fn(&T) -> Result<(), SdkError>,
) -> Result<(User, T), ApiError> {
    let user = caller(state, headers, peer, route).await?;
    let body = crate::error::read_body(body, limit).await?;
    let request: T = crate::error::parse_json(&body)?;
    validate(&request)?;
    Ok((user, request))
}

/// The client's address, from the connection (absent where the router is served without
/// it).
pub type Peer = Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>;

/// The address of a [`Peer`].
pub fn peer_ip(peer: &Peer) -> Option<IpAddr> {
    peer.as_ref().map(|info| info.0.0.ip())
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
