//! `POST /discord/interactions`: signatures, PING, `/roll`, its button, limits, hostile
//! text, and 1,000 concurrent rolls that each reach Core exactly once.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::harness::*;

const MIRA: &str = "800000000000000001";
const BRAM: &str = "800000000000000002";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_checked_before_anything_else() {
    let bot = TestBot::start().await;
    // PING gets PONG.
    let (status, body) = bot.send(&ping()).await;
    assert_eq!((status, body), (200, json!({"type": 1, "data": null})));
    let body = ping().to_string();
    let now = chrono::Utc::now().timestamp().to_string();
    // A signature of another body, a bad signature, missing headers: 401.
    let other = sign(&now, "{\"type\":2}");
    for (signature, timestamp) in [
        (other.as_str(), now.as_str()),
        (&"00".repeat(64), now.as_str()),
        ("not hex", now.as_str()),
    ] {
        let (status, body) = bot
            .oneshot(signed_request(&body, timestamp, signature))
            .await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let unsigned = axum::http::Request::post("/discord/interactions")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.clone()))
        .unwrap();
    assert_eq!(bot.oneshot(unsigned).await.0, 401);
    // A genuine signature over a stale timestamp: 401.
    let stale = (chrono::Utc::now().timestamp() - 600).to_string();
    let (status, body_json) = bot
        .oneshot(signed_request(&body, &stale, &sign(&stale, &body)))
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        body_json["error"]["message"],
        "the signature timestamp is stale"
    );
    // Well signed but not an interaction: 400.
    let garbage = "{\"type\":\"nope\"}";
    let (status, _) = bot
        .oneshot(signed_request(garbage, &now, &sign(&now, garbage)))
        .await;
    assert_eq!(status, 400);
    // Nothing reached Core.
    assert!(bot.core.rolls().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_key_the_endpoint_is_unavailable() {
    let bot = TestBot::start_with(|config| config.discord_public_key = None).await;
    assert_eq!(bot.send(&ping()).await.0, 503);
}

fn roll(id: u64, user: &str, expression: &str) -> Value {
    command(
        id,
        user,
        "roll",
        json!([string_option("expression", expression)]),
    )
}

fn content(body: &Value) -> &str {
    body["data"]["content"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_is_answered_at_once_and_reaches_core_once() {
    let bot = TestBot::start().await;
    let (status, body) = bot.send(&roll(1001, MIRA, "2d20kh1+5 \"Attack\"")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], 4);
    let text = content(&body);
    assert!(text.starts_with(&format!("<@{MIRA}> 🎲 **")), "{text}");
    assert!(text.contains("2d20kh1 ("), "{text}");
    // No mention pings, and the Reroll button carries the roller and the expression.
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    let button = &body["data"]["components"][0]["components"][0];
    assert_eq!(
        button["custom_id"],
        format!("reroll:{MIRA}:no:2d20kh1+5 \"Attack\"")
    );
    assert_eq!(button["label"], "Reroll");
    // The total in the reply is the total Core stored, from the same dice.
    let rolls = bot.core.wait_for_rolls(1).await;
    let stored = &rolls[0];
    assert_eq!(stored.label.as_deref(), Some("Attack"));
    assert_eq!(stored.source.as_str(), "discord");
    assert_eq!(stored.actor.discord_id.as_deref(), Some(MIRA));
    assert_eq!(stored.channel_id.as_deref(), Some(CHANNEL_ID));
    assert!(
        text.starts_with(&format!("<@{MIRA}> 🎲 **{}**", stored.total)),
        "{text}"
    );
    assert_eq!(
        stored.markdown.as_deref(),
        text.split_once('\n').map(|(_, md)| md)
    );
    // Sent again (Discord retried, or a replay), it is stored once.
    let (status, _) = bot.send(&roll(1001, MIRA, "2d20kh1+5 \"Attack\"")).await;
    assert_eq!(status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(bot.core.rolls().await.len(), 1);

    // Private: ephemeral (flag 64), and Core keeps it private.
    let private = command(
        1002,
        MIRA,
        "roll",
        json!([
            string_option("expression", "1d6"),
            bool_option("private", true)
        ]),
    );
    let (_, body) = bot.send(&private).await;
    assert_eq!(body["data"]["flags"], 64);
    let rolls = bot.core.wait_for_rolls(2).await;
    assert!(
        rolls
            .iter()
            .any(|roll| roll.private && roll.expression == "1d6")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_huge_expressions_get_clear_answers() {
    let bot = TestBot::start().await;
    let (_, body) = bot.send(&roll(2001, MIRA, "1d20kh+5")).await;
    assert_eq!(body["data"]["flags"], 64, "{body}");
    let text = content(&body);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2], "1d20kh+5", "{text}");
    assert_eq!(lines[3].find('^'), Some(6), "{text}");
    // 100d6 lists its dice; 1000d1000 sums them up; both fit one message with the total.
    for (id, expression) in [(2002, "100d6"), (2003, "1000d1000")] {
        let (status, body) = bot.send(&roll(id, MIRA, expression)).await;
        assert_eq!(status, 200);
        let text = content(&body);
        assert!(
            text.chars().count() <= 2000,
            "{expression}: {} chars",
            text.len()
        );
        assert!(text.starts_with(&format!("<@{MIRA}> 🎲 **")), "{text}");
    }
    let rolls = bot.core.wait_for_rolls(2).await;
    assert!(rolls.iter().any(|roll| roll.expression == "1000d1000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_labels_are_inert() {
    let bot = TestBot::start().await;
    let hostile = "[x](https://evil) @everyone **";
    for (id, label) in [
        (3001, hostile.to_owned()),
        (3002, format!("{hostile}{}", "y".repeat(3000))),
    ] {
        let (_, body) = bot
            .send(&roll(id, MIRA, &format!("1d20 \"{label}\"")))
            .await;
        let text = content(&body);
        assert!(text.chars().count() <= 2000);
        assert!(
            !text.contains("[x](https://evil)"),
            "a link survived: {text}"
        );
        assert!(
            !text.contains("https://evil"),
            "an autolink survived: {text}"
        );
        assert!(!text.contains("@everyone"), "a mention survived: {text}");
        assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_roller_may_reroll() {
    let bot = TestBot::start().await;
    let (_, body) = bot.send(&roll(4001, MIRA, "1d20+2")).await;
    let custom_id = body["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, other) = bot.send(&button(4002, BRAM, &custom_id)).await;
    assert_eq!(other["data"]["flags"], 64);
    assert!(content(&other).contains("not your roll"), "{other}");
    let (_, again) = bot.send(&button(4003, MIRA, &custom_id)).await;
    assert_eq!(again["type"], 4);
    assert!(content(&again).starts_with(&format!("<@{MIRA}> 🎲 **")));
    // Two rolls in Core: the first and the reroll (its own interaction id); none for Bram.
    let rolls = bot.core.wait_for_rolls(2).await;
    assert_eq!(rolls.len(), 2);
    assert!(
        rolls
            .iter()
            .all(|roll| roll.actor.discord_id.as_deref() == Some(MIRA))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_rate_limited_with_a_friendly_message() {
    let bot = TestBot::start_with(|config| config.user_rate = 3).await;
    for id in 0..3 {
        let (_, body) = bot.send(&roll(5000 + id, MIRA, "1d4")).await;
        assert_eq!(body["type"], 4);
        assert_eq!(
            body["data"]["flags"].as_u64().unwrap_or(0) & 64,
            0,
            "{body}"
        );
    }
    let (_, limited) = bot.send(&roll(5003, MIRA, "1d4")).await;
    assert_eq!(limited["data"]["flags"], 64);
    assert!(content(&limited).contains("Try again in"), "{limited}");
    // Another user is not limited by Mira's rolls.
    let (_, other) = bot.send(&roll(5004, BRAM, "1d4")).await;
    assert!(content(&other).starts_with(&format!("<@{BRAM}>")));
    assert_eq!(bot.core.wait_for_rolls(4).await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_rolls_reach_core_exactly_once() {
    const ROLLS: u64 = 1000;
    let bot = std::sync::Arc::new(
        TestBot::start_with(|config| {
            config.user_rate = 1_000_000;
            config.guild_rate = 1_000_000;
        })
        .await,
    );
    let mut tasks = Vec::new();
    for n in 0..ROLLS {
        let bot = bot.clone();
        tasks.push(tokio::spawn(async move {
            let user = format!("8000000000000{:05}", n % 50);
            let (status, body) = bot
                .send(&roll(10_000 + n, &user, &format!("1d20 \"roll-{n}\"")))
                .await;
            assert_eq!(status, 200, "{body}");
            let total: f64 = content(&body)
                .split("**")
                .nth(1)
                .and_then(|total| total.parse().ok())
                .unwrap();
            (format!("roll-{n}"), total)
        }));
    }
    let mut answered = HashMap::new();
    for task in tasks {
        let (label, total) = task.await.unwrap();
        answered.insert(label, total);
    }
    let rolls = bot.core.wait_for_rolls(ROLLS as usize).await;
    assert_eq!(rolls.len(), ROLLS as usize);
    let mut stored = HashMap::new();
    for roll in rolls {
        let label = roll.label.clone().unwrap();
        assert!(
            stored.insert(label, roll.total).is_none(),
            "a roll was stored twice"
        );
    }
    assert_eq!(stored, answered);
}
