//! Who calls the bridge: the extension presents a Core user token (`Authorization: Bearer
//! cfk_…`), which FumbleBot checks with Core's `GET /v1/me`. Answers are cached for at most
//! 60 s (refusals for 5 s, so that a flood of bad tokens does not become a flood on Core),
//! keyed by the token's SHA-256, never the token itself. Each token is rate limited, and
//! each client address may fail the check [`IP_FAILURES`] times a minute: past that, a
//! token not already known good is refused with 429 before Core is asked, so that rotating
//! random tokens does not cost a Core call each. Both counts are the rate limiter's, so
//! with `--redis-url` they hold across every process; the answers are cached per process.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use critfumble_sdk::CoreClient;
use critfumble_sdk::client::ClientConfig;
use critfumble_sdk::wire::{ErrorCode, User};
use sha2::{Digest as _, Sha256};

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

/// Until when an answer holds, and the user (`None`: Core refused the token).
type Answer = (Instant, Option<User>);

/// Core's answers about tokens, by the token's hash.
#[derive(Debug, Default)]
pub struct TokenCache {
    answers: Mutex<HashMap<[u8; 32], Answer>>,
}

impl TokenCache {
    fn get(&self, hash: &[u8; 32]) -> Option<Option<User>> {
        let answers = lock(&self.answers);
        let (until, user) = answers.get(hash)?;
        (*until > Instant::now()).then(|| user.clone())
    }

    fn put(&self, hash: [u8; 32], user: Option<User>) {
        let mut answers = lock(&self.answers);
        let now = Instant::now();
        if answers.len() >= CACHE_MAX {
            answers.retain(|_, (until, _)| *until > now);
            if answers.len() >= CACHE_MAX {
                answers.clear();
            }
        }
        let ttl = if user.is_some() {
            TOKEN_TTL
        } else {
            REFUSAL_TTL
        };
        answers.insert(hash, (now + ttl, user));
    }
}

/// The user behind the request's token, sent from `peer` (when known): 401 without one or
/// with one Core refuses, 429 past the token's rate or past the address's failures, 503
/// when Core cannot be asked.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
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
            let answer = match client.me().await {
                Ok(user) => Some(user),
                Err(error) if matches!(error.status(), Some(401 | 403)) => None,
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
        Some(user) => Ok(user),
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

/// The rate limiter's key of the failed token checks from `ip`.
fn failures_key(ip: IpAddr) -> String {
    format!("vtt:f:{ip}")
}

/// The caller (checked first, so that no body is read for a stranger) and the request
/// body: at most `limit` bytes, read as `T` and checked with `validate`.
pub async fn caller_and_request<T: serde::de::DeserializeOwned>(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
    body: axum::body::Body,
    limit: usize,
    validate: fn(&T) -> Result<(), critfumble_sdk::SdkError>,
) -> Result<(User, T), ApiError> {
    let user = caller(state, headers, peer).await?;
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
