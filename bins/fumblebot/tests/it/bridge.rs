//! The VTT bridge through a real socket: user tokens checked with a real Core, each VTT
//! format parsed, verified, relayed to the fake Discord and stored in Core once even when
//! sent twice, chat both ways, Server-Sent Events with `Last-Event-ID`, CORS, and account
//! linking through the signed webhook.

use std::time::Duration;

use critfumble_sdk::wire::{
    Campaign, DiscordLinkRequest, ErrorBody, Vtt, VttAccountLink, VttChatEvent, VttGame,
    VttLinkReceipt, VttLinkStatus, VttRollReceipt,
};
use futures_util::StreamExt as _;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fake_discord::Recorded;
use crate::harness::{GUILD_ID, TestBot};

/// The secret the test Core checks webhooks with (the harness's).
pub(crate) const WEBHOOK_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const EXTENSION_ORIGIN: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
pub(crate) const MIRA: &str = "700000000000000021";
const BOB: &str = "700000000000000022";

/// A fixture of `critfumble-vtt`'s tests, and the record its `.expected.json` holds.
pub(crate) fn fixture(path: &str) -> (String, Value) {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vtt-parsers/tests/fixtures/"
    );
    let raw = std::fs::read_to_string(format!("{root}{path}")).unwrap();
    let stem = path.rsplit_once('.').unwrap().0;
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}{stem}.expected.json")).unwrap(),
    )
    .unwrap();
    let record = match expected {
        Value::Array(mut records) => records.remove(0),
        record => record,
    };
    (raw, record)
}

pub(crate) fn configure_bridge(config: &mut critfumble_fumblebot::Config) {
    config.webhook_secret = Some(WEBHOOK_SECRET.to_owned());
    config.bridge_origins = vec![EXTENSION_ORIGIN.to_owned()];
}

/// FumbleBot with Mira (a GM whose campaigns are linked to Discord channels) and Bob
/// (a member of none), each with an extension token.
pub(crate) struct Bridge {
    pub(crate) bot: TestBot,
    pub(crate) mira: String,
    pub(crate) bob: String,
    pub(crate) http: reqwest::Client,
}

impl Bridge {
    pub(crate) async fn start() -> Bridge {
        Self::start_with(|_| {}).await
    }

    /// A bridge whose configuration `extra` changes after the bridge's settings.
    pub(crate) async fn start_with(
        extra: impl FnOnce(&mut critfumble_fumblebot::Config),
    ) -> Bridge {
        let bot = TestBot::start_with(|config| {
            configure_bridge(config);
            extra(config);
        })
        .await;
        let mira = bot.core.user_token(MIRA, "Mira").await;
        let bob = bot.core.user_token(BOB, "Bob").await;
        Bridge {
            bot,
            mira,
            bob,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.bot.running.address())
    }

    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.post_raw(path, token, body.to_string()).await
    }

    pub(crate) async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: String,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A campaign of Mira's linked to `channel` and to `vtt` game `game_id`, which Mira
    /// first proves she runs through the bridge's account link.
    pub(crate) async fn campaign(&self, channel: &str, vtt: Vtt, game_id: &str) -> Campaign {
        let (status, body) = self
            .post(
                "/vtt/accounts/link",
                Some(&self.mira),
                json!({"vtt": vtt, "vtt_user_id": format!("mira-{vtt}"), "display_name": "Mira",
                       "game_id": game_id}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let mira = self.bot.core.client().acting_as(MIRA).unwrap();
        let campaign: Campaign = mira
            .create_campaign(
                &serde_json::from_value(
                    json!({"name": format!("{vtt} table"), "game_system": "dnd5e"}),
                )
                .unwrap(),
            )
            .await
            .unwrap();
        mira.link_discord(
            campaign.id,
            &DiscordLinkRequest {
                guild_id: GUILD_ID.to_owned(),
                channel_id: channel.to_owned(),
            },
        )
        .await
        .unwrap();
        mira.link_vtt_game(
            campaign.id,
            &VttGame {
                vtt,
                game_id: game_id.to_owned(),
            },
        )
        .await
        .unwrap()
    }

    /// The VTT accounts Core holds linked to the user `discord_id`.
    pub(crate) async fn vtt_accounts_of(&self, discord_id: &str) -> Vec<VttAccountLink> {
        self.bot
            .core
            .client()
            .acting_as(discord_id)
            .unwrap()
            .list_vtt_accounts()
            .await
            .unwrap()
            .items
    }

    /// The messages the fake Discord received in `channel`.
    pub(crate) async fn channel_messages(&self, channel: &str) -> Vec<Recorded> {
        let path = format!("/api/v10/channels/{channel}/messages");
        self.bot
            .discord
            .requests()
            .await
            .into_iter()
            .filter(|request| request.method == Method::POST && request.path == path)
            .collect()
    }
}

pub(crate) fn error_field(body: &Value) -> String {
    let error: ErrorBody = serde_json::from_value(body.clone()).unwrap();
    error.error.details.map_or_else(String::new, |details| {
        details["field"].as_str().unwrap_or_default().to_owned()
    })
}

#[tokio::test]
async fn each_format_is_verified_relayed_and_stored_once() {
    let bridge = Bridge::start().await;
    let cases = [
        (
            Vtt::Roll20,
            "roll20-html",
            "roll20-html/rollresult_basic.html",
            "930000000000000101",
        ),
        (
            Vtt::Foundry,
            "foundry",
            "foundry/exploding_and_reroll.json",
            "930000000000000102",
        ),
        (
            Vtt::DndBeyond,
            "ddb",
            "ddb/check_basic.json",
            "930000000000000103",
        ),
    ];
    for (vtt, format, path, channel) in cases {
        let campaign = bridge
            .campaign(channel, vtt, &format!("game-{format}"))
            .await;
        let (raw, expected) = fixture(path);
        let body = json!({"vtt": vtt, "game_id": format!("game-{format}"), "format": format,
                          "raw": raw});
        // Sent twice: an extension reload, or two players with the extension.
        let (status, first) = bridge
            .post("/vtt/rolls", Some(&bridge.mira), body.clone())
            .await;
        assert_eq!(status, 200, "{path}: {first}");
        let (status, second) = bridge.post("/vtt/rolls", Some(&bridge.mira), body).await;
        assert_eq!(status, 200, "{path}: {second}");
        let first: VttRollReceipt = serde_json::from_value(first).unwrap();
        let second: VttRollReceipt = serde_json::from_value(second).unwrap();
        assert_eq!((first.duplicate, second.duplicate), (false, true), "{path}");
        assert_eq!(first.idempotency_key, second.idempotency_key);
        assert_eq!(first.campaign_id, campaign.id);
        assert_eq!(first.verified, Some(true), "{path}");
        assert_eq!(first.total, expected["total"].as_f64(), "{path}");
        assert_eq!(
            first.formula.as_deref(),
            expected["formula"].as_str(),
            "{path}"
        );
        let relayed = bridge
            .bot
            .discord
            .wait_for("the relayed roll", |request| {
                request.path == format!("/api/v10/channels/{channel}/messages")
            })
            .await;
        let content = relayed.body["content"].as_str().unwrap();
        assert!(content.contains('✓'), "{content}");
        assert_eq!(
            relayed.body["allowed_mentions"]["parse"],
            json!([]),
            "{:?}",
            relayed.body
        );
    }
    // Core stored each roll once, verified by its own replay, in its campaign.
    let rolls = bridge.bot.core.wait_for_rolls(3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rolls_now = bridge.bot.core.rolls().await;
    assert_eq!(rolls_now.len(), 3, "{rolls_now:#?}");
    for roll in &rolls {
        assert_eq!(roll.verified, Some(true), "{roll:?}");
        assert!(roll.campaign_id.is_some());
    }
    for (_, _, _, channel) in cases {
        assert_eq!(bridge.channel_messages(channel).await.len(), 1, "{channel}");
    }
}

#[tokio::test]
async fn a_tampered_total_is_relayed_with_a_warning_and_stored_as_unverified() {
    let bridge = Bridge::start().await;
    let channel = "930000000000000201";
    bridge.campaign(channel, Vtt::Roll20, "game-t").await;
    let (raw, expected) = fixture("roll20-html/tampered_damage_roll.html");
    assert_eq!(expected["verified"], json!(false));
    let (status, body) = bridge
        .post(
            "/vtt/rolls",
            Some(&bridge.mira),
            json!({"vtt": "roll20", "game_id": "game-t", "format": "roll20-html", "raw": raw}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], json!(false));
    let relayed = bridge
        .bot
        .discord
        .wait_for("the relayed roll", |request| request.path.contains(channel))
        .await;
    let content = relayed.body["content"].as_str().unwrap();
    assert!(content.contains("do not add up"), "{content}");
    let rolls = bridge.bot.core.wait_for_rolls(1).await;
    assert_eq!(rolls[0].verified, Some(false));
}

#[tokio::test]
async fn only_members_with_a_token_core_accepts_are_heard() {
    let bridge = Bridge::start().await;
    bridge
        .campaign("930000000000000301", Vtt::Roll20, "game-m")
        .await;
    let (raw, _) = fixture("roll20-html/rollresult_basic.html");
    let body = json!({"vtt": "roll20", "game_id": "game-m", "format": "roll20-html", "raw": raw});
    let forged = critfumble_sdk::api_key::ApiKey::generate(critfumble_sdk::api_key::KeyEnv::Live);
    for (token, expected) in [
        (None, 401),
        (Some("cfk_not_a_key"), 401),
        (Some(forged.expose_secret()), 401),
        // A real token of a user who is not in the game's campaign.
        (Some(bridge.bob.as_str()), 403),
    ] {
        let (status, answer) = bridge.post("/vtt/rolls", token, body.clone()).await;
        assert_eq!(status, expected, "{token:?}: {answer}");
    }
    // Core's service key is not a user token: Core says so (`GET /v1/me/token`), and the
    // bridge acts for users only.
    let service = bridge.bot.core.service_key.clone();
    let (status, _) = bridge.post("/vtt/rolls", Some(&service), body).await;
    assert_ne!(status, 200);
    assert!(bridge.bot.core.rolls().await.is_empty());
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let bridge = Bridge::start().await;
    bridge
        .campaign("930000000000000401", Vtt::Roll20, "game-b")
        .await;
    let mira = Some(bridge.mira.as_str());
    let (raw, _) = fixture("roll20-html/rollresult_basic.html");
    let cases = [
        (
            json!({"vtt": "roll20", "game_id": "game-b", "format": "foundry", "raw": raw}),
            422,
            "format",
        ),
        (
            json!({"vtt": "roll20", "game_id": "game-b", "format": "roll20-html", "raw": "<div>no message</div>"}),
            400,
            "raw",
        ),
        (
            json!({"vtt": "roll20", "game_id": "game-b", "format": "roll20-html", "raw": ""}),
            422,
            "raw",
        ),
        (
            json!({"vtt": "roll20", "game_id": "nobody's", "format": "roll20-html", "raw": raw}),
            404,
            "game_id",
        ),
        (
            json!({"vtt": "roll20", "game_id": "game-b", "format": "roll20-html"}),
            400,
            "",
        ),
        (
            json!({"vtt": "myst", "game_id": "game-b", "format": "roll20-html", "raw": raw}),
            400,
            "vtt",
        ),
    ];
    for (body, expected, field) in cases {
        let (status, answer) = bridge.post("/vtt/rolls", mira, body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert_eq!(error_field(&answer), field, "{answer}");
    }
    // A raw message over 4 MiB, and a body over the limit.
    let big = "x".repeat(4 * 1024 * 1024 + 1);
    let (status, answer) = bridge
        .post(
            "/vtt/rolls",
            mira,
            json!({"vtt": "roll20", "game_id": "game-b", "format": "roll20-html", "raw": big}),
        )
        .await;
    assert_eq!(
        (status, error_field(&answer).as_str()),
        (422, "raw"),
        "{answer}"
    );
    let (status, answer) = bridge
        .post_raw(
            "/vtt/rolls",
            mira,
            format!("\"{}\"", "x".repeat(10 * 1024 * 1024)),
        )
        .await;
    assert_eq!(status, 413, "{answer}");
    assert!(bridge.bot.core.rolls().await.is_empty());
}

#[tokio::test]
async fn chat_from_the_vtt_reaches_discord_inert() {
    let bridge = Bridge::start().await;
    let channel = "930000000000000501";
    bridge.campaign(channel, Vtt::Foundry, "world-c").await;
    let (status, body) = bridge
        .post(
            "/vtt/chat",
            Some(&bridge.mira),
            json!({"vtt": "foundry", "game_id": "world-c", "speaker": "Zed",
                   "text": "@everyone [free gold](https://evil) **loud**"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel_id"], channel);
    let sent = bridge
        .bot
        .discord
        .wait_for("the chat line", |request| request.path.contains(channel))
        .await;
    let content = sent.body["content"].as_str().unwrap();
    assert!(!content.contains("@everyone"), "{content}");
    assert!(!content.contains("](https://"), "{content}");
    assert!(content.contains("\\*\\*loud\\*\\*"), "{content}");
    assert_eq!(sent.body["allowed_mentions"]["parse"], json!([]));
}

/// `GET /vtt/events` of game `game_id` on the FumbleBot at `origin`, as Mira.
pub(crate) async fn listen(
    bridge: &Bridge,
    origin: &str,
    game_id: &str,
    last: Option<&str>,
) -> reqwest::Response {
    let mut request = bridge
        .http
        .get(format!("{origin}/vtt/events?vtt=roll20&game_id={game_id}"))
        .bearer_auth(&bridge.mira);
    if let Some(last) = last {
        request = request.header("last-event-id", last);
    }
    request.send().await.unwrap()
}

/// Reads SSE events from `response` until `count` `discord_message` events arrived.
async fn read_events(response: reqwest::Response, count: usize) -> (Vec<VttChatEvent>, String) {
    let mut stream = response.bytes_stream();
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
        events = text
            .split("\n\n")
            .filter_map(|block| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix("data: "))
                    .and_then(|data| serde_json::from_str(data).ok())
            })
            .collect();
    }
    (events, text)
}

#[tokio::test]
async fn discord_messages_reach_the_vtt_over_sse_and_a_returning_client_misses_nothing() {
    let bridge = Bridge::start().await;
    let channel = "930000000000000601";
    bridge.campaign(channel, Vtt::Roll20, "game-s").await;
    let origin = bridge.url("");
    let response = listen(&bridge, &origin, "game-s", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let state = bridge.bot.running.state().clone();
    // A Discord message in the linked channel (as the gateway hands it over), and a
    // bot's, which is never published.
    critfumble_fumblebot::bridge::chat::from_discord(
        &state,
        channel,
        "Mira",
        false,
        "!roll 1d20 [[1d20]] hi",
    )
    .await;
    critfumble_fumblebot::bridge::chat::from_discord(&state, channel, "FumbleBot", true, "a roll")
        .await;
    critfumble_fumblebot::bridge::chat::from_discord(&state, channel, "Mira", false, "second")
        .await;
    let (events, text) = read_events(response, 2).await;
    assert!(
        text.starts_with(":connected\nretry: 3000") || text.contains("retry: 3000"),
        "{text}"
    );
    assert_eq!(
        events.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["!roll 1d20 [[1d20]] hi", "second"]
    );
    // Roll20 would run neither the command nor the inline roll.
    assert!(!events[0].roll20.contains("[["), "{}", events[0].roll20);
    assert!(!events[0].roll20.starts_with('!'), "{}", events[0].roll20);
    assert!(text.contains(&format!("id: {}", events[1].id)));
    // The client drops; two messages come while it is away; it returns with the last id.
    critfumble_fumblebot::bridge::chat::from_discord(&state, channel, "Mira", false, "third").await;
    critfumble_fumblebot::bridge::chat::from_discord(&state, channel, "Mira", false, "fourth")
        .await;
    let response = listen(&bridge, &origin, "game-s", Some(&events[1].id)).await;
    let (missed, _) = read_events(response, 2).await;
    assert_eq!(
        missed.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["third", "fourth"]
    );
    // A member of no campaign of the game may not listen.
    let refused = bridge
        .http
        .get(bridge.url("/vtt/events?vtt=roll20&game_id=game-s"))
        .bearer_auth(&bridge.bob)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn cors_admits_only_the_extension() {
    let bridge = Bridge::start().await;
    for (origin, admitted) in [(EXTENSION_ORIGIN, true), ("https://evil.example", false)] {
        let response = bridge
            .http
            .request(Method::OPTIONS, bridge.url("/vtt/rolls"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
            .await
            .unwrap();
        let allowed = response
            .headers()
            .get("access-control-allow-origin")
            .map(|value| value.to_str().unwrap().to_owned());
        assert_eq!(
            allowed.as_deref() == Some(origin),
            admitted,
            "{origin}: {allowed:?}"
        );
    }
}

#[tokio::test]
async fn linking_is_signed_applied_once_and_conflicts_are_reported() {
    let bridge = Bridge::start().await;
    let link =
        json!({"vtt": "roll20", "vtt_user_id": "-M54pm-khgKWF5-SLCa3", "display_name": "Mira"});
    let (status, body) = bridge
        .post("/vtt/accounts/link", Some(&bridge.mira), link.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    let receipt: VttLinkReceipt = serde_json::from_value(body).unwrap();
    assert_eq!(receipt.status, VttLinkStatus::Linked);
    let (status, body) = bridge
        .post("/vtt/accounts/link", Some(&bridge.mira), link.clone())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "already_linked");
    let accounts = bridge.vtt_accounts_of(MIRA).await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].vtt_user_id, "-M54pm-khgKWF5-SLCa3");
    assert!(accounts[0].verified_at.is_some());
    // Bob claims Mira's Roll20 account: Core refuses, and says so.
    let (status, body) = bridge
        .post("/vtt/accounts/link", Some(&bridge.bob), link)
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_field(&body), "vtt_user_id");
    // No password or cookie field is accepted.
    let (status, body) = bridge
        .post(
            "/vtt/accounts/link",
            Some(&bridge.mira),
            json!({"vtt": "roll20", "vtt_user_id": "x", "password": "hunter2"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_field(&body), "password");
}

/// Two FumbleBot processes on the machine's real Redis: a Discord message handled by one
/// reaches an SSE client of the other, and a client that drops and returns to the first
/// gets what it missed, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_processes_through_redis_streams() {
    if !crate::shared_redis::redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let shared = |instance: &'static str| {
        let prefix = prefix.clone();
        move |config: &mut critfumble_fumblebot::Config| {
            config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
            config.redis_prefix = prefix;
            config.instance = Some(instance.to_owned());
        }
    };
    let bridge = Bridge::start_with(shared("a")).await;
    let configure_second = shared("b");
    let second = TestBot::start_on(bridge.bot.core.handle(), |config| {
        configure_bridge(config);
        configure_second(config);
    })
    .await;
    let channel = "930000000000000701";
    bridge.campaign(channel, Vtt::Roll20, "game-r").await;
    let second_origin = format!("http://{}", second.running.address());
    let response = listen(&bridge, &second_origin, "game-r", None).await;
    assert_eq!(response.status(), 200);
    let first_state = bridge.bot.running.state().clone();
    for text in ["one", "two"] {
        critfumble_fumblebot::bridge::chat::from_discord(
            &first_state,
            channel,
            "Mira",
            false,
            text,
        )
        .await;
    }
    let (events, _) = read_events(response, 2).await;
    assert_eq!(
        events.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["one", "two"]
    );
    // The client drops; the second process publishes while it is away; the client comes
    // back to the first process with the last id it saw.
    let second_state = second.running.state().clone();
    for text in ["three", "four"] {
        critfumble_fumblebot::bridge::chat::from_discord(
            &second_state,
            channel,
            "Mira",
            false,
            text,
        )
        .await;
    }
    let response = listen(&bridge, &bridge.url(""), "game-r", Some(&events[1].id)).await;
    let (missed, text) = read_events(response, 2).await;
    assert_eq!(
        missed.iter().map(|e| e.text.as_str()).collect::<Vec<_>>(),
        ["three", "four"],
        "{text}"
    );
    let mut connection = redis::Client::open("redis://127.0.0.1:6379")
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}:vtt:events:roll20:game-r"))
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// `/status` in the campaign's channel names who has the extension connected to its game.
#[tokio::test]
async fn status_shows_who_has_the_extension_connected() {
    let bridge = Bridge::start().await;
    bridge
        .campaign(crate::harness::CHANNEL_ID, Vtt::Foundry, "world-p")
        .await;
    let ask = |id: u64| crate::harness::command(id, MIRA, "status", json!([]));
    let before = crate::commands::deferred(&bridge.bot, &ask(801), false).await;
    let before = crate::commands::edited(&before);
    assert!(before.contains("no extension is connected"), "{before}");
    let origin = bridge.url("");
    let response = bridge
        .http
        .get(format!("{origin}/vtt/events?vtt=foundry&game_id=world-p"))
        .bearer_auth(&bridge.mira)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let after = crate::commands::deferred(&bridge.bot, &ask(802), false).await;
    let after = crate::commands::edited(&after);
    assert!(after.contains("connected for Mira"), "{after}");
    drop(response);
}

/// An idle stream gets a keep-alive comment every 15 s, so that proxies keep it open.
#[tokio::test]
async fn an_idle_stream_gets_keep_alives() {
    let bridge = Bridge::start().await;
    bridge
        .campaign("930000000000000901", Vtt::Roll20, "game-k")
        .await;
    let origin = bridge.url("");
    let response = listen(&bridge, &origin, "game-k", None).await;
    let started = std::time::Instant::now();
    let mut stream = response.bytes_stream();
    let mut text = String::new();
    while !text.contains("keep-alive") {
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(14) && waited <= Duration::from_secs(17),
        "{waited:?}: {text}"
    );
}

/// Stopping FumbleBot returns even while an extension's event stream is open (the stream
/// never ends by itself), after the shutdown grace, so that the process exits on SIGTERM.
#[tokio::test]
async fn stopping_returns_with_an_event_stream_open() {
    let bridge = Bridge::start().await;
    bridge
        .campaign("930000000000000902", Vtt::Roll20, "game-s")
        .await;
    let origin = bridge.url("");
    let response = listen(&bridge, &origin, "game-s", None).await;
    let mut stream = response.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(std::str::from_utf8(&first).unwrap().contains("connected"));
    let started = std::time::Instant::now();
    let stopped = tokio::time::timeout(
        critfumble_fumblebot::SHUTDOWN_GRACE * 4,
        bridge.bot.running.stop(),
    )
    .await;
    assert!(
        stopped.is_ok(),
        "stop() still waiting after {:?}",
        started.elapsed()
    );
}

/// A flood from one token is cut at 100 requests per 10 s, before Core is asked anything.
#[tokio::test]
async fn a_flood_from_one_token_is_rate_limited() {
    let bridge = Bridge::start().await;
    let started = std::time::Instant::now();
    let mut limited = 0;
    let mut waits = Vec::new();
    for _ in 0..250 {
        let response = bridge
            .http
            .post(bridge.url("/vtt/chat"))
            .bearer_auth(&bridge.mira)
            .body("{}")
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            // Past the limit: refused with the wait.
            429 => {
                limited += 1;
                waits.push(
                    response.headers()["retry-after"]
                        .to_str()
                        .unwrap()
                        .parse::<u64>()
                        .unwrap(),
                );
            }
            // Within it: refused for the empty body.
            400 => {}
            other => panic!("{other}"),
        }
    }
    // 250 requests within 10 s touch at most two windows of 100.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(limited >= 50, "{limited}");
    assert!(
        waits.iter().all(|wait| (1..=10).contains(wait)),
        "{waits:?}"
    );
    // Bob's token has its own allowance.
    let (status, _) = bridge
        .post_raw("/vtt/chat", Some(&bridge.bob), "{}".to_owned())
        .await;
    assert_eq!(status, 400);
}

/// Rotating random tokens from one address: each of the first 20 costs a Core check and
/// is refused (401); past that, an unknown token is refused with 429 and Retry-After, which
/// only the bridge's own count can answer (Core would say 401). A token already known good
/// from that address still passes.
#[tokio::test]
async fn rotating_forged_tokens_from_one_address_are_cut_before_core() {
    let bridge = Bridge::start().await;
    crate::shared_redis::in_a_fresh_window(
        critfumble_fumblebot::bridge::auth::IP_FAILURE_WINDOW,
        std::time::Duration::from_secs(15),
    )
    .await;
    // Mira's token is checked once, and known good from then on.
    let (status, _) = bridge
        .post_raw("/vtt/chat", Some(&bridge.mira), "{}".to_owned())
        .await;
    assert_eq!(status, 400);
    let mut statuses = Vec::new();
    let mut waits = Vec::new();
    for _ in 0..30 {
        let forged =
            critfumble_sdk::api_key::ApiKey::generate(critfumble_sdk::api_key::KeyEnv::Live);
        let response = bridge
            .http
            .post(bridge.url("/vtt/chat"))
            .bearer_auth(forged.expose_secret())
            .body("{}")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if let Some(wait) = response.headers().get("retry-after") {
            waits.push(wait.to_str().unwrap().parse::<u64>().unwrap());
        }
    }
    let limit = critfumble_fumblebot::bridge::auth::IP_FAILURES as usize;
    assert_eq!(statuses[..limit], vec![401; limit][..], "{statuses:?}");
    assert_eq!(statuses[limit..], vec![429; 30 - limit][..], "{statuses:?}");
    assert_eq!(waits.len(), 30 - limit);
    assert!(
        waits.iter().all(|wait| (1..=60).contains(wait)),
        "{waits:?}"
    );
    // The good token is not caught by the address's failures.
    let (status, _) = bridge
        .post_raw("/vtt/chat", Some(&bridge.mira), "{}".to_owned())
        .await;
    assert_eq!(status, 400);
}
