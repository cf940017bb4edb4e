//! The commands that wait on Core or do heavy work: they defer, then edit the original
//! response through Discord's REST API (here, the fake). Saved rolls, `/stats`, campaigns
//! and their links, sessions, `/check`, `/ask`, autocomplete and `/help`.

use critfumble_sdk::wire::{AbilityScores, CharacterSheet, CreateCharacterRequest};
use serde_json::{Value, json};

use crate::fake_discord::Recorded;
use crate::harness::*;

const MIRA: &str = "800000000000000011";
const BRAM: &str = "800000000000000012";

/// Sends a command that must defer, and returns the edit of its original response.
pub(crate) async fn deferred(bot: &TestBot, interaction: &Value, ephemeral: bool) -> Recorded {
    let (status, body) = bot.send(interaction).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["type"], 5, "not deferred: {body}");
    if ephemeral {
        assert_eq!(body["data"]["flags"], 64, "{body}");
    } else {
        assert_eq!(
            body["data"]["flags"].as_u64().unwrap_or(0) & 64,
            0,
            "{body}"
        );
    }
    let token = interaction["token"].as_str().unwrap().to_owned();
    let path = format!("/api/v10/webhooks/{APPLICATION_ID}/{token}/messages/@original");
    bot.discord
        .wait_for(&path.clone(), |request| request.path == path)
        .await
}

pub(crate) fn edited(recorded: &Recorded) -> &str {
    recorded.body["content"].as_str().unwrap_or_default()
}

fn choices(body: &Value) -> Vec<(String, String)> {
    assert_eq!(body["type"], 8, "{body}");
    body["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|choice| {
            (
                choice["name"].as_str().unwrap().to_owned(),
                choice["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_rolls_live_in_core() {
    let bot = TestBot::start().await;
    let save = command(
        1,
        MIRA,
        "save",
        json!([
            string_option("name", "Sneak Attack"),
            string_option("expression", "1d20+7")
        ]),
    );
    let reply = deferred(&bot, &save, true).await;
    assert!(
        edited(&reply).starts_with("Saved **Sneak Attack**: `1d20+7`"),
        "{reply:?}"
    );
    assert_eq!(reply.body["allowed_mentions"]["parse"], json!([]));
    // Core holds it, for this user.
    let saved = bot
        .core
        .client()
        .acting_as(MIRA)
        .unwrap()
        .get_saved_roll("sneak attack")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(saved.expression, "1d20+7");
    // A bad expression is refused at once, with its caret, and nothing is saved.
    let bad = command(
        2,
        MIRA,
        "save",
        json!([
            string_option("name", "oops"),
            string_option("expression", "1d")
        ]),
    );
    let (_, body) = bot.send(&bad).await;
    assert_eq!(
        (body["type"].clone(), body["data"]["flags"].clone()),
        (json!(4), json!(64))
    );
    assert!(body["data"]["content"].as_str().unwrap().contains('^'));
    // /saved lists it; /r rolls it and reports it; autocomplete offers it.
    let list = deferred(&bot, &command(3, MIRA, "saved", json!([])), true).await;
    assert!(edited(&list).contains("Sneak Attack: `1d20+7`"), "{list:?}");
    let roll = deferred(
        &bot,
        &command(4, MIRA, "r", json!([string_option("name", "sneak attack")])),
        false,
    )
    .await;
    assert!(
        edited(&roll).starts_with(&format!("<@{MIRA}> 🎲 **")),
        "{roll:?}"
    );
    assert_eq!(
        roll.body["components"][0]["components"][0]["label"],
        "Reroll"
    );
    let rolls = bot.core.wait_for_rolls(1).await;
    assert_eq!(rolls[0].expression, "1d20+7");
    let focused = json!([{"name": "expression", "type": 3, "value": "sneak", "focused": true}]);
    let (_, body) = bot.send(&autocomplete(5, MIRA, "roll", focused)).await;
    assert_eq!(
        choices(&body),
        vec![("Sneak Attack: 1d20+7".to_owned(), "1d20+7".to_owned())]
    );
    // The last expressions come after the saved ones.
    bot.send(&command(
        6,
        MIRA,
        "roll",
        json!([string_option("expression", "4d6kh3")]),
    ))
    .await;
    let focused = json!([{"name": "expression", "type": 3, "value": "", "focused": true}]);
    let (_, body) = bot.send(&autocomplete(7, MIRA, "roll", focused)).await;
    let values: Vec<String> = choices(&body).into_iter().map(|(_, value)| value).collect();
    assert_eq!(values, ["1d20+7", "4d6kh3", "1d20+7"]);
    // Another user sees none of Mira's saved rolls.
    let focused = json!([{"name": "name", "type": 3, "value": "", "focused": true}]);
    let (_, body) = bot.send(&autocomplete(8, BRAM, "r", focused)).await;
    assert!(choices(&body).is_empty());
    // /unsave deletes it; a second time says there is none.
    let gone = deferred(
        &bot,
        &command(
            9,
            MIRA,
            "unsave",
            json!([string_option("name", "SNEAK ATTACK")]),
        ),
        true,
    )
    .await;
    assert_eq!(edited(&gone), "Deleted **SNEAK ATTACK**.");
    let again = deferred(
        &bot,
        &command(
            10,
            MIRA,
            "unsave",
            json!([string_option("name", "Sneak Attack")]),
        ),
        true,
    )
    .await;
    assert!(edited(&again).contains("no saved roll"), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_attach_a_png_chart() {
    let bot = TestBot::start().await;
    let stats = command(
        20,
        MIRA,
        "stats",
        json!([
            string_option("expression", "2d6"),
            string_option("vs", "1d12")
        ]),
    );
    let reply = deferred(&bot, &stats, false).await;
    assert!(edited(&reply).contains("`2d6`: exact"), "{reply:?}");
    assert!(edited(&reply).contains("P(A>B) = **"), "{reply:?}");
    assert_eq!(reply.files.len(), 1, "{reply:?}");
    let (_, file_name, png) = &reply.files[0];
    assert_eq!(file_name, "stats.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/fumblebot-stats.png"),
        png,
    )
    .unwrap();
    // A bad `vs` is refused at once.
    let bad = command(
        21,
        MIRA,
        "stats",
        json!([
            string_option("expression", "2d6"),
            string_option("vs", "2d")
        ]),
    );
    let (_, body) = bot.send(&bad).await;
    assert_eq!(body["data"]["flags"], 64);
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("In `vs`")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_links_sessions_checks_and_ask() {
    let bot = TestBot::start().await;
    // Without Manage Channels, no link.
    let create = command_as(
        30,
        MIRA,
        PLAYER,
        "campaign",
        json!([{"name": "new", "type": 1, "options": [string_option("name", "Curse of Strahd")]}]),
    );
    let (_, body) = bot.send(&create).await;
    assert_eq!(body["data"]["flags"], 64);
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Manage Channels")
    );
    // With it: a campaign with Mira as GM, linked to this channel, in Core.
    let mut create = create;
    create["id"] = json!("31");
    create["token"] = json!("token-31");
    create["member"]["permissions"] = json!(MANAGER);
    let reply = deferred(&bot, &create, false).await;
    assert!(
        edited(&reply).starts_with("Created the campaign **Curse of Strahd**"),
        "{reply:?}"
    );
    let client = bot.core.client();
    let campaign = client
        .campaign_by_discord_channel(CHANNEL_ID)
        .await
        .unwrap()
        .expect("the channel is linked");
    assert_eq!(campaign.discord_guild_id.as_deref(), Some(GUILD_ID));
    // A session, then a roll that belongs to it.
    let start = command(
        32,
        MIRA,
        "session",
        json!([{"name": "start", "type": 1, "options": [string_option("title", "Session 1")]}]),
    );
    let reply = deferred(&bot, &start, false).await;
    assert!(edited(&reply).starts_with("Session started"), "{reply:?}");
    bot.send(&command(
        33,
        MIRA,
        "roll",
        json!([string_option("expression", "1d20")]),
    ))
    .await;
    let rolls = bot.core.wait_for_rolls(1).await;
    assert_eq!(rolls[0].campaign_id, Some(campaign.id));
    assert!(rolls[0].session_id.is_some());
    // /check without a character says how to make one.
    let check = |id: u64| {
        command(
            id,
            MIRA,
            "check",
            json!([
                string_option("kind", "skill"),
                string_option("name", "stealth"),
                string_option("mode", "advantage")
            ]),
        )
    };
    let reply = deferred(&bot, &check(34), false).await;
    assert!(
        edited(&reply).contains("You have no character"),
        "{reply:?}"
    );
    let mira = client.acting_as(MIRA).unwrap();
    mira.create_character(
        campaign.id,
        &CreateCharacterRequest {
            owner_id: None,
            name: "Ireena".into(),
            sheet: CharacterSheet {
                level: Some(3),
                abilities: Some(AbilityScores {
                    strength: 10,
                    dexterity: 16,
                    constitution: 12,
                    intelligence: 10,
                    wisdom: 14,
                    charisma: 13,
                }),
                skills: [("Stealth".to_owned(), 5)].into_iter().collect(),
                ..CharacterSheet::default()
            },
        },
    )
    .await
    .unwrap();
    let reply = deferred(&bot, &check(35), false).await;
    assert!(
        edited(&reply).contains(r"Stealth check \(Ireena\)"),
        "{reply:?}"
    );
    let rolls = bot.core.wait_for_rolls(2).await;
    let check_roll = rolls
        .iter()
        .find(|roll| roll.expression.starts_with("2d20kh1+5"))
        .expect("the check was reported");
    assert_eq!(check_roll.label.as_deref(), Some("Stealth check (Ireena)"));
    assert!((6.0..=25.0).contains(&check_roll.total));
    // Autocomplete for /check offers the sheet's skills, and /link the user's campaigns.
    let focused = json!([string_option("kind", "skill"),
                         {"name": "name", "type": 3, "value": "st", "focused": true}]);
    let (_, body) = bot.send(&autocomplete(36, MIRA, "check", focused)).await;
    assert_eq!(
        choices(&body),
        vec![("Stealth (+5)".to_owned(), "Stealth".to_owned())]
    );
    let focused = json!([{"name": "campaign", "type": 3, "value": "strahd", "focused": true}]);
    let (_, body) = bot.send(&autocomplete(37, MIRA, "link", focused)).await;
    assert_eq!(
        choices(&body),
        vec![("Curse of Strahd".to_owned(), campaign.id.to_string())]
    );
    // /ask: Core's AI call reaches no AI service here, and the user is told so.
    let ask = command(
        38,
        MIRA,
        "ask",
        json!([string_option("question", "Who is Strahd?")]),
    );
    let reply = deferred(&bot, &ask, false).await;
    assert!(edited(&reply).contains("not configured"), "{reply:?}");
    // /session end, then /unlink (Manage Channels again).
    let end = command(
        39,
        MIRA,
        "session",
        json!([{"name": "end", "type": 1, "options": []}]),
    );
    assert!(edited(&deferred(&bot, &end, false).await).starts_with("Session ended"));
    let unlink = command_as(40, MIRA, MANAGER, "unlink", json!([]));
    assert!(edited(&deferred(&bot, &unlink, false).await).starts_with("Unlinked"));
    assert_eq!(
        client
            .campaign_by_discord_channel(CHANNEL_ID)
            .await
            .unwrap(),
        None
    );
    // /link by id (as autocomplete fills it in) links it again; Bram, not its GM, cannot.
    let link = |id: u64, user: &str| {
        command_as(
            id,
            user,
            MANAGER,
            "link",
            json!([string_option("campaign", &campaign.id.to_string())]),
        )
    };
    assert!(edited(&deferred(&bot, &link(41, MIRA), false).await).starts_with("Linked"));
    let refused = deferred(&bot, &link(42, BRAM), false).await;
    assert!(edited(&refused).contains("no campaign"), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_is_private_and_mentions_every_command() {
    let bot = TestBot::start().await;
    let (_, body) = bot.send(&command(50, MIRA, "help", json!([]))).await;
    assert_eq!(body["data"]["flags"], 64);
    let text = body["data"]["content"].as_str().unwrap();
    for name in [
        "/roll",
        "/stats",
        "/check",
        "/save",
        "/saved",
        "/r ",
        "/unsave",
        "/campaign",
        "/link",
        "/unlink",
        "/session",
        "/ask",
    ] {
        assert!(text.contains(name), "{name} missing from {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_errors_are_retried_and_never_stop_the_bot() {
    let bot = TestBot::start().await;
    for (id, status) in [(60_u64, 500_u16), (61, 429)] {
        // The first edit fails; the retry lands.
        bot.discord.fail_next(1, status).await;
        let reply = deferred(&bot, &command(id, MIRA, "saved", json!([])), true).await;
        assert!(edited(&reply).contains("no saved rolls"), "{reply:?}");
        let token = format!("token-{id}");
        let mut edits = 0;
        for _ in 0..50 {
            edits = bot
                .discord
                .requests()
                .await
                .into_iter()
                .filter(|request| request.path.contains(&token))
                .count();
            if edits >= 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(edits, 2, "{status}: one failed edit and one retry");
    }
    // Every edit failing is logged and dropped; the bot keeps answering.
    bot.discord.fail_next(100, 503).await;
    bot.send(&command(62, MIRA, "saved", json!([]))).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    bot.discord.fail_next(0, 503).await;
    let (status, body) = bot.send(&command(63, MIRA, "help", json!([]))).await;
    assert_eq!((status, body["type"].clone()), (200, json!(4)));
}
