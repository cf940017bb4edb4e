//! Two FumbleBot processes sharing the machine's real Redis: one outbox stream and one set
//! of rate-limit counters.

use std::time::Duration;

use serde_json::json;

use crate::harness::*;

const MIRA: &str = "800000000000000031";

/// Redis at 127.0.0.1:6379, or `None` (skipping) unless `CI=true`.
pub(crate) async fn redis_available() -> bool {
    let connect = async {
        redis::Client::open("redis://127.0.0.1:6379")?
            .get_multiplexed_async_connection()
            .await
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), connect).await {
        Ok(Ok(_)) => true,
        other => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and Redis at 127.0.0.1:6379 is unreachable: {other:?}"
            );
            eprintln!("skipping: Redis is unreachable");
            false
        }
    }
}

/// Waits, when needed, so that at least `needed` of the current fixed window of `window`
/// (the rate limiter's, aligned on Unix time) is left, and returns the window's index: a
/// test that counts up to a limit then does not see its count restart midway, and can
/// tell by [`window_index`] whether it did.
pub(crate) async fn in_a_fresh_window(window: Duration, needed: Duration) -> u64 {
    let window_ms = u64::try_from(window.as_millis()).unwrap();
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap();
    let left = window_ms - now_ms % window_ms;
    if left < u64::try_from(needed.as_millis()).unwrap() {
        tokio::time::sleep(Duration::from_millis(left + 50)).await;
    }
    window_index(window)
}

/// The index of the current fixed window of `window`, as the rate limiter counts it.
pub(crate) fn window_index(window: Duration) -> u64 {
    chrono::Utc::now().timestamp().unsigned_abs() / window.as_secs()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_outbox_and_the_limits() {
    if !redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let configure = |instance: &'static str| {
        let prefix = prefix.clone();
        move |config: &mut critfumble_fumblebot::Config| {
            config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
            config.redis_prefix = prefix;
            config.instance = Some(instance.to_owned());
            config.user_rate = 4;
        }
    };
    let first = TestBot::start_with(configure("a")).await;
    let second = TestBot::start_on(first.core.handle(), configure("b")).await;
    let roll = |id: u64| {
        command(
            id,
            MIRA,
            "roll",
            json!([string_option("expression", &format!("1d8 \"r{id}\""))]),
        )
    };
    // Four rolls across both processes, then the fifth is over the shared limit.
    for (bot, id) in [(&first, 1), (&second, 2), (&first, 3), (&second, 4)] {
        let (_, body) = bot.send(&roll(id)).await;
        assert_eq!(
            body["data"]["flags"].as_u64().unwrap_or(0) & 64,
            0,
            "{body}"
        );
    }
    let (_, limited) = first.send(&roll(5)).await;
    assert_eq!(limited["data"]["flags"], 64, "{limited}");
    // Each roll reaches Core once, whichever process drained it.
    let rolls = first.core.wait_for_rolls(4).await;
    let mut labels: Vec<String> = rolls.into_iter().filter_map(|roll| roll.label).collect();
    labels.sort();
    assert_eq!(labels, ["r1", "r2", "r3", "r4"]);
    let mut connection = redis::Client::open("redis://127.0.0.1:6379")
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}:outbox"))
        .arg(format!("{prefix}:outbox:parked"))
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// The bridge's counters with `--redis-url`: one token's requests and one address's failed
/// token checks are counted once across both processes, so that spreading them over
/// processes gains nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_bridge_limits() {
    use critfumble_fumblebot::bridge::auth::{IP_FAILURE_WINDOW, IP_FAILURES, TOKEN_RATE};
    if !redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let shared = |instance: &'static str| {
        let prefix = prefix.clone();
        move |config: &mut critfumble_fumblebot::Config| {
            crate::bridge::configure_bridge(config);
            config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
            config.redis_prefix = prefix;
            config.instance = Some(instance.to_owned());
        }
    };
    let bridge = crate::bridge::Bridge::start_with(shared("a")).await;
    let second = TestBot::start_on(bridge.bot.core.handle(), shared("b")).await;
    let origins = [
        bridge.url(""),
        format!("http://{}", second.running.address()),
    ];
    let chat = |origin: &str, token: &str| {
        bridge
            .http
            .post(format!("{origin}/vtt/chat"))
            .bearer_auth(token.to_owned())
            .body("{}")
            .send()
    };

    // One token, 250 requests spread over both processes: 100 pass (refused for their
    // empty body, 400), the rest are over the one limit (429). Counted per process, all
    // 250 would pass.
    let window = critfumble_fumblebot::config::RATE_WINDOW;
    let began = in_a_fresh_window(window, Duration::from_secs(6)).await;
    let mut statuses = Vec::new();
    for n in 0..250 {
        let response = chat(&origins[n % 2], &bridge.mira).await.unwrap();
        statuses.push(response.status().as_u16());
    }
    let passed = statuses.iter().filter(|status| **status == 400).count();
    let limited = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(passed + limited, 250, "{statuses:?}");
    if window_index(window) == began {
        assert_eq!(passed, TOKEN_RATE as usize, "{statuses:?}");
    } else {
        // The run crossed into a second window: at most two windows' worth passed.
        assert!(
            passed <= 2 * TOKEN_RATE as usize && limited >= 50,
            "{statuses:?}"
        );
    }

    // Forged tokens from one address, alternating between the processes: the first 20
    // cost a check with Core each (401), then both processes refuse before asking (429).
    let began = in_a_fresh_window(IP_FAILURE_WINDOW, Duration::from_secs(15)).await;
    let mut statuses = Vec::new();
    for n in 0..30 {
        let forged =
            critfumble_sdk::api_key::ApiKey::generate(critfumble_sdk::api_key::KeyEnv::Live);
        let response = chat(&origins[n % 2], forged.expose_secret()).await.unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        window_index(IP_FAILURE_WINDOW),
        began,
        "the run took over 15 s"
    );
    let limit = IP_FAILURES as usize;
    assert_eq!(statuses[..limit], vec![401; limit][..], "{statuses:?}");
    assert_eq!(statuses[limit..], vec![429; 30 - limit][..], "{statuses:?}");
    // Bob's real token, which neither process has seen, now waits too: the address is over
    // its failures on every process.
    for origin in &origins {
        let response = chat(origin, &bridge.bob).await.unwrap();
        assert_eq!(response.status().as_u16(), 429);
    }
}

/// The limiter's Redis counters give the verdicts its memory ones give (the unit tests'
/// known answers), on Redis's clock, and each counter expires with its window.
#[tokio::test]
async fn redis_counters_count_as_memory_ones_do() {
    use critfumble_fumblebot::ratelimit::{RateLimiter, Verdict};
    if !redis_available().await {
        return;
    }
    let client = redis::Client::open("redis://127.0.0.1:6379").expect("redis url");
    let mut connection = redis::aio::ConnectionManager::new(client)
        .await
        .expect("redis");
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let limiter = RateLimiter::redis(2, 3, connection.clone(), &prefix);
    for _ in 0..2 {
        assert_eq!(limiter.check("1", Some("g")).await, Verdict::Allowed);
    }
    // The third of user 1 waits for the 10 s window their first command opened.
    match limiter.check("1", Some("g")).await {
        Verdict::Limited { retry_after_secs } => {
            assert!((9..=10).contains(&retry_after_secs), "{retry_after_secs}");
        }
        Verdict::Allowed => panic!("a third command of user 1 ran"),
    }
    // The guild counted 3: full for user 2 as well, and not for user 2 outside it.
    assert!(matches!(
        limiter.check("2", Some("g")).await,
        Verdict::Limited { .. }
    ));
    assert_eq!(limiter.check("2", None).await, Verdict::Allowed);
    // A peek counts nothing: two peeks, then two counts, then the limit.
    let minute = Duration::from_secs(60);
    for _ in 0..2 {
        assert_eq!(limiter.peek_key("f", 2, minute).await, Verdict::Allowed);
    }
    for _ in 0..2 {
        assert_eq!(limiter.check_key("f", 2, minute).await, Verdict::Allowed);
    }
    match limiter.peek_key("f", 2, minute).await {
        Verdict::Limited { retry_after_secs } => {
            assert!((59..=60).contains(&retry_after_secs), "{retry_after_secs}");
        }
        Verdict::Allowed => panic!("a peek after two counts of two allowed"),
    }
    // Four counters (user 1, user 2, the guild, "f"), each expiring within its window.
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:rate:*"))
        .query_async(&mut connection)
        .await
        .expect("KEYS");
    assert_eq!(keys.len(), 4, "{keys:?}");
    for key in keys {
        let left_ms: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .expect("PTTL");
        let window_ms = if key.contains(":f:") { 60_000 } else { 10_000 };
        assert!((1..=window_ms).contains(&left_ms), "{key}: {left_ms}");
    }
}
