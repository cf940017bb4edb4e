//! The gateway, offline: FumbleBot registers its commands with one bulk overwrite, connects
//! to the fake's gateway (whose URL it gets from `GET /gateway`), identifies, and answers a
//! slash command that arrives as INTERACTION_CREATE through the REST callback; the roll
//! lands in a real Core.

use serde_json::json;

use crate::harness::*;

const MIRA: &str = "800000000000000021";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_over_the_gateway_is_answered_and_stored() {
    let bot = TestBot::start_with(|config| {
        config.discord_token = Some("fake-bot-token".to_owned());
        config.discord_guild = Some(GUILD_ID.parse().unwrap());
    })
    .await;
    // One bulk overwrite, scoped to the development guild.
    let registered = bot
        .discord
        .wait_for("the command registration", |request| {
            request.method == "PUT"
                && request.path
                    == format!("/api/v10/applications/{APPLICATION_ID}/guilds/{GUILD_ID}/commands")
        })
        .await;
    let names: Vec<&str> = registered
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|command| command["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "roll", "stats", "check", "save", "saved", "r", "unsave", "ask", "campaign", "link",
            "unlink", "session", "status", "table", "help"
        ]
    );
    bot.discord.wait_for_identify().await;

    // /roll over the gateway: the reply goes back through the interaction callback.
    let interaction = command(
        7001,
        MIRA,
        "roll",
        json!([string_option("expression", "3d6 \"Gateway\"")]),
    );
    bot.discord
        .dispatch("INTERACTION_CREATE", interaction)
        .await;
    let callback = bot
        .discord
        .wait_for("the interaction callback", |request| {
            request.path == "/api/v10/interactions/7001/token-7001/callback"
        })
        .await;
    assert_eq!(callback.body["type"], 4);
    let content = callback.body["data"]["content"].as_str().unwrap();
    assert!(
        content.starts_with(&format!("<@{MIRA}> 🎲 **")),
        "{content}"
    );
    assert_eq!(
        callback.body["data"]["allowed_mentions"]["parse"],
        json!([])
    );
    let rolls = bot.core.wait_for_rolls(1).await;
    assert_eq!(rolls[0].label.as_deref(), Some("Gateway"));
    assert!(content.starts_with(&format!("<@{MIRA}> 🎲 **{}**", rolls[0].total)));

    // A command that waits on Core: deferred through the callback, then the original edited.
    let saved = command(7002, MIRA, "saved", json!([]));
    bot.discord.dispatch("INTERACTION_CREATE", saved).await;
    let deferral = bot
        .discord
        .wait_for("the deferral", |request| {
            request.path == "/api/v10/interactions/7002/token-7002/callback"
        })
        .await;
    assert_eq!(
        (
            deferral.body["type"].clone(),
            deferral.body["data"]["flags"].clone()
        ),
        (json!(5), json!(64))
    );
    let edit = bot
        .discord
        .wait_for("the edit", |request| {
            request.path
                == format!("/api/v10/webhooks/{APPLICATION_ID}/token-7002/messages/@original")
        })
        .await;
    assert!(
        edit.body["content"]
            .as_str()
            .unwrap()
            .contains("no saved rolls"),
        "{edit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_gateway_is_off() {
    let bot = TestBot::start().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Nothing was registered and nobody asked for the gateway.
    assert!(bot.discord.requests().await.is_empty());
    // The HTTP side still serves.
    assert_eq!(bot.send(&ping()).await.0, 200);
}
