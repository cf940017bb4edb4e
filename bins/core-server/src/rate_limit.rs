//! Rate limits per principal (user, service key) and per client address, as the
//! generic cell rate algorithm (GCRA): in this process with `governor`, or shared by every
//! Core process through Redis when `--redis-url` is set.
//!
//! Who is counted where: a request without credentials (login, webhooks, a missing key)
//! and one whose credentials fail counts against its address; a user's request (token,
//! session, or a service key acting for them) against the user; a request with a user's
//! own credentials also against its address, in a class of its own with a higher limit,
//! so that one host holding many tokens is throttled as a whole; a service key's own
//! requests against the key. A limit of 0 per minute turns that class off.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use uuid::Uuid;

use crate::config::ServeArgs;
use crate::error::AppError;
use crate::state::AppState;

mod redis;

/// Who a request is counted against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A user: their token, their session, or a service key acting for them.
    User(Uuid),
    /// A service key acting for nobody.
    Service(Uuid),
    /// A client address, for requests without (valid) credentials.
    Address(IpAddr),
    /// A client address, for requests with a user's own credentials (any user's).
    UserAddress(IpAddr),
}

/// A limit: so many requests a minute on average, so many at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The average rate, per minute.
    pub per_minute: NonZeroU32,
    /// How many requests may come at once.
    pub burst: NonZeroU32,
}

impl Limit {
    /// The limit for `per_minute` and `burst`; `None` (no limit) when `per_minute` is 0.
    pub fn new(per_minute: u32, burst: u32) -> Option<Limit> {
        Some(Limit {
            per_minute: NonZeroU32::new(per_minute)?,
            burst: NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN),
        })
    }

    fn quota(self) -> Quota {
        Quota::per_minute(self.per_minute).allow_burst(self.burst)
    }

    /// The time between two requests at the average rate.
    fn interval(self) -> Duration {
        Duration::from_secs(60) / self.per_minute.get()
    }
}

/// The limits of each class of principal, and where their counters live.
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    users: Class<Uuid>,
    services: Class<Uuid>,
    addresses: Class<IpAddr>,
    user_addresses: Class<IpAddr>,
    redis: Option<redis::SharedLimiter>,
    /// The header a trusted reverse proxy puts the client's address in.
    client_ip_header: Option<String>,
}

/// One class of principal: its limit, and its counters in this process.
struct Class<K: std::hash::Hash + Eq + Clone> {
    limit: Option<Limit>,
    local: Option<DefaultKeyedRateLimiter<K>>,
}

impl<K: std::hash::Hash + Eq + Clone> Class<K> {
    fn new(limit: Option<Limit>) -> Self {
        Class {
            limit,
            local: limit.map(|limit| governor::RateLimiter::keyed(limit.quota())),
        }
    }

    fn check_local(&self, key: &K) -> Result<(), Duration> {
        match &self.local {
            Some(limiter) => limiter
                .check_key(key)
                .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now())),
            None => Ok(()),
        }
    }
}

impl RateLimiter {
    /// The limiter the flags describe; with `--redis-url`, its counters live in Redis.
    pub async fn from_args(args: &ServeArgs) -> anyhow::Result<RateLimiter> {
        let redis = match &args.redis_url {
            Some(url) => Some(redis::SharedLimiter::connect(url).await?),
            None => None,
        };
        Ok(RateLimiter {
            inner: Arc::new(Inner {
                users: Class::new(Limit::new(
                    args.rate_limit_user_per_minute,
                    args.rate_limit_user_burst,
                )),
                services: Class::new(Limit::new(
                    args.rate_limit_service_per_minute,
                    args.rate_limit_service_burst,
                )),
                addresses: Class::new(Limit::new(
                    args.rate_limit_ip_per_minute,
                    args.rate_limit_ip_burst,
                )),
                user_addresses: Class::new(Limit::new(
                    args.rate_limit_user_ip_per_minute,
                    args.rate_limit_user_ip_burst,
                )),
                redis,
                client_ip_header: args.client_ip_header.clone(),
            }),
        })
    }

    /// Counts one request of `principal`: `Err` with a 429 and its `Retry-After` when the
    /// principal is over its limit.
    pub async fn check(&self, principal: Principal) -> Result<(), AppError> {
        let (limit, local) = match principal {
            Principal::User(id) => (self.inner.users.limit, self.inner.users.check_local(&id)),
            Principal::Service(id) => (
                self.inner.services.limit,
                self.inner.services.check_local(&id),
            ),
            Principal::Address(ip) => (
                self.inner.addresses.limit,
                self.inner.addresses.check_local(&ip),
            ),
            Principal::UserAddress(ip) => (
                self.inner.user_addresses.limit,
                self.inner.user_addresses.check_local(&ip),
            ),
        };
        let Some(limit) = limit else {
            return Ok(());
        };
        let verdict = match &self.inner.redis {
            // Redis holds the shared counter; the local one is only a fallback for when
            // Redis cannot be reached (a limit per process is better than none).
            Some(redis) => match redis.check(&key_of(principal), limit).await {
                Ok(verdict) => verdict,
                Err(error) => {
                    tracing::warn!(%error, "redis rate limit failed: counting in this process");
                    local
                }
            },
            None => local,
        };
        verdict.map_err(|wait| too_many(principal, wait))
    }

    /// The client's address: the trusted proxy's header when one is configured, else the
    /// peer of the connection (`None` when the server was not started with connect info).
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
        if let Some(name) = &self.inner.client_ip_header {
            // A proxy appends the address it saw, so the last entry is the one it vouches for.
            return headers
                .get(name.as_str())
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .and_then(|value| value.trim().parse().ok());
        }
        peer
    }

    /// Drops the counters of principals that have been quiet long enough to be back at
    /// full burst, so that the maps do not grow with every address ever seen.
    pub fn forget_idle(&self) {
        for limiter in [&self.inner.users.local, &self.inner.services.local]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        for limiter in [
            &self.inner.addresses.local,
            &self.inner.user_addresses.local,
        ]
        .into_iter()
        .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

fn key_of(principal: Principal) -> String {
    match principal {
        Principal::User(id) => format!("critfumble:rate:user:{id}"),
        Principal::Service(id) => format!("critfumble:rate:service:{id}"),
        Principal::Address(ip) => format!("critfumble:rate:ip:{ip}"),
        Principal::UserAddress(ip) => format!("critfumble:rate:user-ip:{ip}"),
    }
}

fn too_many(principal: Principal, wait: Duration) -> AppError {
    let who = match principal {
        Principal::User(_) => "this user",
        Principal::Service(_) => "this service key",
        Principal::Address(_) | Principal::UserAddress(_) => "this address",
    };
    // Whole seconds, rounded up: a client that waits as told is let in.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    AppError {
        retry_after: Some(seconds.max(1)),
        ..AppError::new(
            critfumble_sdk::wire::ErrorCode::RateLimited,
            format!(
                "too many requests from {who}: retry in {} s",
                seconds.max(1)
            ),
        )
    }
}

/// Middleware: counts a request that carries no credentials against its address. Requests
/// with credentials are counted by the authentication extractor, once it knows who they are.
pub async fn limit_anonymous(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let has_credentials =
        headers.contains_key(header::AUTHORIZATION) || crate::auth::has_session_cookie(headers);
    if !has_credentials {
        let limiter = state.rate_limiter();
        let peer = request
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        if let Err(error) = limiter.check(address_of(limiter, headers, peer)).await {
            return error.into_response();
        }
    }
    next.run(request).await
}

/// The principal of a request without (valid) credentials: its address, or the
/// unspecified address for all requests whose address is unknown.
pub fn address_of(limiter: &RateLimiter, headers: &HeaderMap, peer: Option<IpAddr>) -> Principal {
    Principal::Address(known_or_unspecified(limiter, headers, peer))
}

/// The address principal of a request with a user's own credentials.
pub fn user_address_of(
    limiter: &RateLimiter,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Principal {
    Principal::UserAddress(known_or_unspecified(limiter, headers, peer))
}

fn known_or_unspecified(
    limiter: &RateLimiter,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> IpAddr {
    limiter
        .client_ip(headers, peer)
        .unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_of_zero_is_no_limit() {
        assert_eq!(Limit::new(0, 10), None);
        let limit = Limit::new(120, 0).expect("a limit");
        assert_eq!(limit.burst.get(), 1);
        assert_eq!(limit.interval(), Duration::from_millis(500));
    }

    #[test]
    fn local_counters_allow_the_burst_then_refuse() {
        let class = Class::new(Limit::new(60, 3));
        let key = Uuid::nil();
        for _ in 0..3 {
            assert_eq!(class.check_local(&key), Ok(()));
        }
        let wait = class.check_local(&key).expect_err("over the burst");
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        // Another key has its own counter.
        assert_eq!(class.check_local(&Uuid::max()), Ok(()));
    }
}
