//! Two FumbleBot processes sharing the machine's real Redis: one outbox stream and one set
//! of rate-limit counters.

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
