//! Rate limits: the defaults (a user's flood is throttled, FumbleBot's traffic is not), and
//! counters shared through Redis by two Core processes on one database.

use clap::Parser as _;
use critfumble_core::config::{Cli, ServeArgs};

use crate::harness::{Auth, Backend, TestServer};

/// The Redis the tests use.
const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Whether Redis answers. Without it the Redis test is skipped, except under `CI=true`,
/// where it fails.
async fn redis_available() -> bool {
    let reachable = tokio::net::TcpStream::connect("127.0.0.1:6379")
        .await
        .is_ok();
    if !reachable {
        if std::env::var("CI").is_ok_and(|value| value == "true") {
            panic!("CI=true and Redis at {REDIS_URL} is unreachable");
        }
        eprintln!("skipping: Redis at {REDIS_URL} is unreachable");
    }
    reachable
}

/// The limits a deployment gets when it sets none.
fn default_limits(args: &mut ServeArgs) {
    let defaults = Cli::parse_from(["critfumble-core"]).serve;
    args.rate_limit_user_per_minute = defaults.rate_limit_user_per_minute;
    args.rate_limit_user_burst = defaults.rate_limit_user_burst;
    args.rate_limit_service_per_minute = defaults.rate_limit_service_per_minute;
    args.rate_limit_service_burst = defaults.rate_limit_service_burst;
    args.rate_limit_ip_per_minute = defaults.rate_limit_ip_per_minute;
    args.rate_limit_ip_burst = defaults.rate_limit_ip_burst;
    args.rate_limit_user_ip_per_minute = defaults.rate_limit_user_ip_per_minute;
    args.rate_limit_user_ip_burst = defaults.rate_limit_user_ip_burst;
}

async fn statuses(server: &TestServer, auth: &Auth, path: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::with_capacity(count);
    for _ in 0..count {
        statuses.push(server.get(auth, path).await.status.as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defaults_throttle_a_users_flood_but_not_fumblebot() {
    let server = TestServer::start_with(Backend::Sqlite, default_limits).await;
    let user = server.user("900", "Flo").await;
    let token = server.token_for(&user).await;
    // The load benchmark's traffic, as FumbleBot's: a service key acting for nobody.
    let service = statuses(&server, &Auth::Service, "/healthz", 1).await;
    assert_eq!(service, [200]);
    let service = statuses(&server, &Auth::Service, "/v1/rolls", 1_000).await;
    assert!(
        service.iter().all(|&status| status == 200),
        "the service was throttled"
    );
    // A user gets a burst of 120, then 10 a second.
    let user = statuses(&server, &token, "/v1/me", 200).await;
    let served = user.iter().filter(|&&status| status == 200).count();
    assert!((120..140).contains(&served), "{served} of 200 served");
    assert!(user.contains(&429));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_shares_the_counters_of_two_core_processes() {
    if !redis_available().await {
        return;
    }
    let shared = |args: &mut ServeArgs| {
        args.redis_url = Some(REDIS_URL.to_owned());
        args.rate_limit_user_per_minute = 6;
        args.rate_limit_user_burst = 6;
    };
    let first = TestServer::start_with(Backend::Sqlite, shared).await;
    let url = first.database_url().to_owned();
    let second = TestServer::start_with(Backend::Sqlite, |args| {
        shared(args);
        args.database_url = url;
    })
    .await;
    let user = first.user("901", "Ada").await;
    let token = first.token_for(&user).await;
    // Six requests are the burst, split over both processes; the seventh is refused by
    // whichever process gets it, as one counter in Redis holds all of them.
    let mut served = 0;
    for n in 0..6 {
        let server = if n % 2 == 0 { &first } else { &second };
        served += usize::from(server.get(&token, "/v1/me").await.status == 200);
    }
    assert_eq!(served, 6);
    for server in [&first, &second] {
        let limited = server.get(&token, "/v1/me").await;
        limited.expect_error(429, "rate_limited");
        let wait = limited.retry_after();
        assert!((1..=10).contains(&wait), "{wait}");
    }
}
