//! The Discord Activity against a fake Discord OAuth server and a real Core: the code
//! exchange and the identity check, the table's socket (join, roll, broadcast, reconnect,
//! the rate limit, and every way a socket is refused), `/roll` appearing on the table,
//! `/table`, and one room served by two FumbleBot processes sharing Redis.

use std::time::Duration;

use critfumble_fumblebot::Config;
use critfumble_sdk::wire::{
    CreateCampaignRequest, RollSource, TableClientMessage, TableRoll, TableServerMessage,
    TableTokenResponse, TableUser, UpsertUserRequest, table_close,
};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::fake_discord_oauth::{self, FakeDiscordOAuth, fake_user};
use crate::harness::*;
use crate::shared_redis::redis_available;

const MIRA: &str = "800000000000000061";
const TOM: &str = "800000000000000062";
const STRANGER: &str = "800000000000000063";
const INSTANCE: &str = "i-1276580072400224306-gc-910000000000000001-930000000000000001";

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Table {
    bot: TestBot,
    oauth: FakeDiscordOAuth,
}

fn activity_config(oauth: &FakeDiscordOAuth) -> impl FnOnce(&mut Config) + use<> {
    let base = oauth.base().to_owned();
    move |config: &mut Config| {
        config.discord_token = Some(fake_discord_oauth::BOT_TOKEN.to_owned());
        config.activity_api_base = Some(base);
        config.discord_client_secret = Some(fake_discord_oauth::CLIENT_SECRET.to_owned());
        config.activity_roll_rate = 3;
    }
}

impl Table {
    async fn start() -> Table {
        Table::start_with(|_| {}).await
    }

    /// A table whose FumbleBot's config `more` changes after the Activity's own settings.
    async fn start_with(more: impl FnOnce(&mut Config)) -> Table {
        let oauth = FakeDiscordOAuth::start().await;
        let activity = activity_config(&oauth);
        let bot = TestBot::start_with(move |config| {
            activity(config);
            more(config);
        })
        .await;
        oauth.instance(INSTANCE, CHANNEL_ID, &[MIRA, TOM]).await;
        Table { bot, oauth }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.bot.running.address())
    }

    /// `authorize` then `POST /activity/api/token`, as the app does.
    async fn sign_in(&self, id: &str, name: &str) -> TableTokenResponse {
        let code = format!("code-{}", uuid::Uuid::new_v4().simple());
        self.oauth.grant(&code, &fake_user(id, name)).await;
        let response = reqwest::Client::new()
            .post(self.url("/activity/api/token"))
            .json(&json!({"code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn connect(&self) -> Socket {
        connect_to(&self.bot).await
    }

    /// Signs `id` in and joins the table from the start: the session and the open socket.
    async fn seat(&self, id: &str, name: &str) -> (TableTokenResponse, Socket) {
        let signed_in = self.sign_in(id, name).await;
        let mut socket = self.connect().await;
        join(&mut socket, &signed_in.session, None).await;
        (signed_in, socket)
    }
}

async fn connect_to(bot: &TestBot) -> Socket {
    let url = format!("ws://{}/activity/api/socket", bot.running.address());
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn send(socket: &mut Socket, message: &TableClientMessage) {
    socket
        .send(Message::text(serde_json::to_string(message).unwrap()))
        .await
        .unwrap();
}

async fn join(socket: &mut Socket, session: &str, since: Option<u64>) -> TableServerMessage {
    send(
        socket,
        &TableClientMessage::Join {
            session: session.to_owned(),
            instance_id: INSTANCE.to_owned(),
            since,
        },
    )
    .await;
    next(socket).await
}

async fn next(socket: &mut Socket) -> TableServerMessage {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .unwrap_or_else(|_| panic!("no message within 10 s"))
            .unwrap_or_else(|| panic!("the socket closed"))
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).unwrap();
        }
        assert!(!message.is_close(), "closed: {message:?}");
    }
}

async fn next_roll(socket: &mut Socket) -> TableRoll {
    loop {
        match next(socket).await {
            TableServerMessage::Roll { roll, .. } => return roll,
            TableServerMessage::Refused { message, .. } => panic!("refused: {message}"),
            _ => {}
        }
    }
}

async fn roll(socket: &mut Socket, expression: &str) {
    send(
        socket,
        &TableClientMessage::Roll {
            expression: expression.to_owned(),
        },
    )
    .await;
}

/// The close frame's code and reason.
async fn closed(socket: &mut Socket) -> (u16, String) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .unwrap_or_else(|_| panic!("not closed within 15 s"));
        match message {
            Some(Ok(Message::Close(Some(frame)))) => {
                return (u16::from(frame.code), frame.reason.to_string());
            }
            Some(Ok(Message::Close(None))) | None | Some(Err(_)) => return (0, String::new()),
            Some(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_exchange_names_the_user_discord_confirms() {
    let table = Table::start().await;
    let signed_in = table.sign_in(MIRA, "Mira").await;
    assert_eq!(
        signed_in.user,
        TableUser {
            id: MIRA.to_owned(),
            name: "Mira".to_owned(),
            avatar: None
        }
    );
    assert!(signed_in.access_token.starts_with("fake-access-"));
    // The session is FumbleBot's, for that user, and checks with its key.
    let claims = table
        .bot
        .running
        .state()
        .activity()
        .sessions()
        .verify(&signed_in.session, chrono::Utc::now())
        .unwrap();
    assert_eq!(claims.user.id, MIRA);
    assert_eq!(table.oauth.exchanges(), 1);

    let client = reqwest::Client::new();
    let post = |body: serde_json::Value| {
        client
            .post(table.url("/.proxy/activity/api/token"))
            .json(&body)
            .send()
    };
    // A code Discord does not know (or one used already) is 401, naming the field.
    let response = post(json!({"code": "made-up"})).await.unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["details"]["field"], "code");
    // A client that names its own user id is refused before Discord is asked.
    let code = "code-with-a-claim";
    table.oauth.grant(code, &fake_user(MIRA, "Mira")).await;
    let response = post(json!({"code": code, "user_id": TOM})).await.unwrap();
    assert_eq!(response.status(), 400);
    let response = post(json!({"code": ""})).await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(table.oauth.exchanges(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_client_secret_gets_no_session() {
    let oauth = FakeDiscordOAuth::start().await;
    // Discord refuses a wrong secret (401); without a secret the endpoint is not
    // configured (503).
    for (secret, status) in [(Some("not-the-secret"), 401), (None, 503)] {
        let bot = TestBot::start_with(|config| {
            activity_config(&oauth)(config);
            config.discord_client_secret = secret.map(str::to_owned);
        })
        .await;
        oauth.grant("code-1", &fake_user(MIRA, "Mira")).await;
        let response = reqwest::Client::new()
            .post(format!(
                "http://{}/activity/api/token",
                bot.running.address()
            ))
            .json(&json!({"code": "code-1"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_at_the_table_reaches_everyone_and_core_stores_it() {
    let table = Table::start().await;
    // The channel belongs to Mira's campaign.
    let core = table.bot.core.client();
    core.upsert_user(
        MIRA,
        &UpsertUserRequest {
            name: "Mira".to_owned(),
            avatar: None,
        },
    )
    .await
    .unwrap();
    let campaign = core
        .acting_as(MIRA)
        .unwrap()
        .create_campaign(&CreateCampaignRequest {
            name: "Curse of Strahd".to_owned(),
            game_system: "dnd5e".to_owned(),
            description: None,
            discord_guild_id: Some(GUILD_ID.to_owned()),
            discord_channel_id: Some(CHANNEL_ID.to_owned()),
            vtt_game: None,
        })
        .await
        .unwrap();

    let mira = table.sign_in(MIRA, "Mira").await;
    let tom = table.sign_in(TOM, "Tom").await;
    let mut mira_socket = table.connect().await;
    let mut tom_socket = table.connect().await;
    let TableServerMessage::Joined { you, rolls, .. } =
        join(&mut mira_socket, &mira.session, None).await
    else {
        panic!("joined");
    };
    assert_eq!(you.id, MIRA);
    assert!(rolls.is_empty());
    let TableServerMessage::Joined { participants, .. } =
        join(&mut tom_socket, &tom.session, None).await
    else {
        panic!("joined");
    };
    assert_eq!(
        participants
            .iter()
            .map(|p| p.user.name.as_str())
            .collect::<Vec<_>>(),
        ["Mira", "Tom"]
    );

    roll(&mut mira_socket, "2d20kh1+5 \"Attack\"").await;
    let seen_by_mira = next_roll(&mut mira_socket).await;
    let seen_by_tom = next_roll(&mut tom_socket).await;
    assert_eq!(seen_by_mira, seen_by_tom);
    assert_eq!(seen_by_tom.user.id, MIRA);
    assert_eq!(seen_by_tom.source, RollSource::Activity);
    assert_eq!(seen_by_tom.seq, 1);
    assert_eq!(seen_by_tom.dice.len(), 2);
    let kept = seen_by_tom.dice.iter().find(|die| die.kept).unwrap();
    assert_eq!(seen_by_tom.total, kept.value as f64 + 5.0);

    // Core stored it as an activity roll in the channel's campaign, with the same dice.
    let stored = table.bot.core.wait_for_rolls(1).await;
    assert_eq!(stored[0].source, RollSource::Activity);
    assert_eq!(stored[0].campaign_id, Some(campaign.id));
    assert_eq!(stored[0].channel_id.as_deref(), Some(CHANNEL_ID));
    assert_eq!(stored[0].actor.discord_id.as_deref(), Some(MIRA));
    assert_eq!(stored[0].total, seen_by_tom.total);
    assert_eq!(stored[0].label.as_deref(), Some("Attack"));

    // A bad expression is refused to its roller only, with a caret under the fault.
    roll(&mut tom_socket, "1d20+").await;
    let message = loop {
        match next(&mut tom_socket).await {
            TableServerMessage::Refused { message, .. } => break message,
            TableServerMessage::Participants { .. } => {}
            other => panic!("{other:?}"),
        }
    };
    assert!(message.contains('^'), "{message}");

    // `/roll` in the channel appears on the table as a Discord roll.
    let (status, _) = table
        .bot
        .send(&command(
            70,
            TOM,
            "roll",
            json!([string_option("expression", "1d6 \"Damage\"")]),
        ))
        .await;
    assert_eq!(status, 200);
    let from_discord = next_roll(&mut mira_socket).await;
    assert_eq!(from_discord.source, RollSource::Discord);
    assert_eq!(from_discord.label.as_deref(), Some("Damage"));
    assert_eq!(from_discord.seq, 2);
    // A private /roll stays off the table.
    table
        .bot
        .send(&command(
            71,
            TOM,
            "roll",
            json!([
                string_option("expression", "1d4 \"secret\""),
                bool_option("private", true)
            ]),
        ))
        .await;
    roll(&mut tom_socket, "1d8 \"after\"").await;
    assert_eq!(
        next_roll(&mut mira_socket).await.label.as_deref(),
        Some("after")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_gets_what_it_missed() {
    let table = Table::start().await;
    let (_, mut mira_socket) = table.seat(MIRA, "Mira").await;
    let (tom, mut tom_socket) = table.seat(TOM, "Tom").await;
    roll(&mut mira_socket, "1d20 \"one\"").await;
    let first = next_roll(&mut tom_socket).await;
    assert_eq!(next_roll(&mut mira_socket).await, first);
    // Tom's connection drops; Mira rolls twice meanwhile.
    drop(tom_socket);
    roll(&mut mira_socket, "1d20 \"two\"").await;
    roll(&mut mira_socket, "1d20 \"three\"").await;
    next_roll(&mut mira_socket).await;
    assert_eq!(next_roll(&mut mira_socket).await.seq, 3);
    // Discord's list of the instance's users is reused for the reconnect.
    let lookups = table.oauth.instance_lookups();
    let mut tom_socket = table.connect().await;
    let TableServerMessage::Joined { rolls, .. } =
        join(&mut tom_socket, &tom.session, Some(first.seq)).await
    else {
        panic!("joined");
    };
    assert_eq!(
        rolls
            .iter()
            .map(|r| (r.seq, r.label.as_deref()))
            .collect::<Vec<_>>(),
        [(2, Some("two")), (3, Some("three"))]
    );
    assert_eq!(table.oauth.instance_lookups(), lookups);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sockets_are_closed_with_a_reason_and_the_room_goes_on() {
    let table = Table::start().await;
    let mira = table.sign_in(MIRA, "Mira").await;
    let mut mira_socket = table.connect().await;
    join(&mut mira_socket, &mira.session, None).await;

    // A forged session: Mira's claims with the signature of another key.
    let other_key = critfumble_fumblebot::activity::SessionKey::generate();
    let forged = other_key.issue(&mira.user, chrono::Utc::now() + chrono::TimeDelta::hours(1));
    let mut socket = table.connect().await;
    send(
        &mut socket,
        &TableClientMessage::Join {
            session: forged,
            instance_id: INSTANCE.to_owned(),
            since: None,
        },
    )
    .await;
    assert_eq!(closed(&mut socket).await.0, table_close::BAD_SESSION);

    // An expired session signed with the right key.
    let key = table.bot.running.state().activity().sessions().clone();
    let expired = key.issue(
        &mira.user,
        chrono::Utc::now() - chrono::TimeDelta::seconds(1),
    );
    let mut socket = table.connect().await;
    join_raw(&mut socket, &expired, INSTANCE).await;
    assert_eq!(closed(&mut socket).await.0, table_close::SESSION_EXPIRED);

    // A real user with a real session, in an instance Discord does not list them in.
    let stranger = table.sign_in(STRANGER, "Stranger").await;
    let mut socket = table.connect().await;
    join_raw(&mut socket, &stranger.session, INSTANCE).await;
    assert_eq!(closed(&mut socket).await.0, table_close::NOT_IN_INSTANCE);
    // An instance that does not exist, or an id that could not be one.
    for instance in ["i-unknown", "../../users/@me", &"i".repeat(500)] {
        let mut socket = table.connect().await;
        join_raw(&mut socket, &mira.session, instance).await;
        assert_eq!(
            closed(&mut socket).await.0,
            table_close::NOT_IN_INSTANCE,
            "{instance}"
        );
    }

    // Malformed messages: not JSON, an unknown type, a roll before joining, a second join,
    // binary, and a message past the size limit.
    for first in [
        Message::text("not json"),
        Message::text(r#"{"type":"shout","text":"hi"}"#),
        Message::text(r#"{"type":"roll","expression":"1d20"}"#),
        Message::binary(vec![1, 2, 3]),
        Message::text("x".repeat(critfumble_sdk::wire::TABLE_MESSAGE_MAX_BYTES + 1)),
    ] {
        let mut socket = table.connect().await;
        let _ = socket.send(first).await;
        let (code, _) = closed(&mut socket).await;
        // The size limit is the WebSocket's own (1009) when the frame is too big.
        assert!(
            code == table_close::MALFORMED || code == 1009 || code == 0,
            "{code}"
        );
    }
    let mut socket = table.connect().await;
    join(&mut socket, &mira.session, None).await;
    join_raw(&mut socket, &mira.session, INSTANCE).await;
    assert_eq!(
        closed(&mut socket).await,
        (table_close::MALFORMED, "already joined".to_owned())
    );

    // Through all of it, Mira's own socket still rolls.
    roll(&mut mira_socket, "1d20 \"still here\"").await;
    assert_eq!(
        next_roll(&mut mira_socket).await.label.as_deref(),
        Some("still here")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_leaves_the_instance_loses_the_table() {
    // Discord's list of the instance's users is reused for 200 ms, not 30 s.
    let table = Table::start_with(|config| config.activity_instance_ttl_ms = 200).await;
    let (_, mut mira_socket) = table.seat(MIRA, "Mira").await;
    let (tom, mut tom_socket) = table.seat(TOM, "Tom").await;
    // Past two lifetimes of the list, both are still at the table.
    tokio::time::sleep(Duration::from_millis(500)).await;
    roll(&mut tom_socket, "1d20 \"before\"").await;
    assert_eq!(
        next_roll(&mut mira_socket).await.label.as_deref(),
        Some("before")
    );

    // Tom leaves the voice channel: Discord lists only Mira. His socket is closed without
    // him sending anything, and he cannot join again.
    table.oauth.instance(INSTANCE, CHANNEL_ID, &[MIRA]).await;
    let (code, reason) = tokio::time::timeout(Duration::from_secs(5), closed(&mut tom_socket))
        .await
        .expect("closed within 5 s");
    assert_eq!(
        (code, reason.as_str()),
        (
            table_close::NOT_IN_INSTANCE,
            "you left that activity instance"
        )
    );
    let mut again = table.connect().await;
    join_raw(&mut again, &tom.session, INSTANCE).await;
    assert_eq!(closed(&mut again).await.0, table_close::NOT_IN_INSTANCE);

    // Mira's table goes on, and she sees that Tom has gone.
    roll(&mut mira_socket, "1d20 \"after\"").await;
    let mut seen_roll = false;
    let mut tom_gone = false;
    while !(seen_roll && tom_gone) {
        match next(&mut mira_socket).await {
            TableServerMessage::Roll { roll, .. } => {
                assert_eq!(roll.label.as_deref(), Some("after"));
                seen_roll = true;
            }
            TableServerMessage::Participants { participants } => {
                tom_gone = participants.iter().all(|p| p.user.id != TOM);
            }
            _ => {}
        }
    }
}

async fn join_raw(socket: &mut Socket, session: &str, instance_id: &str) {
    send(
        socket,
        &TableClientMessage::Join {
            session: session.to_owned(),
            instance_id: instance_id.to_owned(),
            since: None,
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolls_are_limited_per_user() {
    let table = Table::start().await;
    let mira = table.sign_in(MIRA, "Mira").await;
    let mut socket = table.connect().await;
    join(&mut socket, &mira.session, None).await;
    // Well past 3 a second: some are refused with a wait, and every roll made is counted.
    for _ in 0..12 {
        roll(&mut socket, "1d6").await;
    }
    let (mut made, mut refused) = (0, 0);
    while made + refused < 12 {
        match next(&mut socket).await {
            TableServerMessage::Roll { .. } => made += 1,
            TableServerMessage::Refused { retry_after_ms, .. } => {
                assert!(retry_after_ms.unwrap() >= 1_000);
                refused += 1;
            }
            _ => {}
        }
    }
    assert!(refused >= 6, "{made} made, {refused} refused");
    assert!((3..=6).contains(&made), "{made} made");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_launches_the_activity() {
    let bot = TestBot::start().await;
    let (status, body) = bot.send(&command(80, MIRA, "table", json!([]))).await;
    assert_eq!(status, 200);
    // Launch Activity carries no data (serenity writes it as null).
    assert_eq!(body["type"], 12);
    assert_eq!(body["data"], serde_json::Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_room_across_two_processes_sharing_redis() {
    if !redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let oauth = FakeDiscordOAuth::start().await;
    oauth.instance(INSTANCE, CHANNEL_ID, &[MIRA, TOM]).await;
    let shared = |instance: &'static str| {
        let prefix = prefix.clone();
        let activity = activity_config(&oauth);
        move |config: &mut Config| {
            activity(config);
            config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
            config.redis_prefix = prefix;
            config.instance = Some(instance.to_owned());
            config.activity_secret = Some("a-secret-both-processes-share-0123456789".to_owned());
        }
    };
    let first = TestBot::start_with(shared("a")).await;
    let second = TestBot::start_on(first.core.handle(), shared("b")).await;
    // Signed in through the first process; the session works on the second.
    let table = Table {
        bot: first,
        oauth: oauth.clone(),
    };
    let mira = table.sign_in(MIRA, "Mira").await;
    let tom = table.sign_in(TOM, "Tom").await;
    let mut mira_socket = table.connect().await;
    join(&mut mira_socket, &mira.session, None).await;
    let mut tom_socket = connect_to(&second).await;
    let TableServerMessage::Joined { participants, .. } =
        join(&mut tom_socket, &tom.session, None).await
    else {
        panic!("joined");
    };
    assert_eq!(participants.len(), 2);

    roll(&mut mira_socket, "3d6 \"one\"").await;
    let seen = next_roll(&mut tom_socket).await;
    assert_eq!(seen.label.as_deref(), Some("one"));
    assert_eq!(next_roll(&mut mira_socket).await, seen);
    roll(&mut tom_socket, "1d20 \"two\"").await;
    assert_eq!(next_roll(&mut mira_socket).await.seq, 2);
    // Tom drops and comes back to the first process: he gets what he missed.
    drop(tom_socket);
    roll(&mut mira_socket, "1d4 \"three\"").await;
    next_roll(&mut mira_socket).await;
    let mut tom_socket = table.connect().await;
    let TableServerMessage::Joined { rolls, .. } =
        join(&mut tom_socket, &tom.session, Some(2)).await
    else {
        panic!("joined");
    };
    assert_eq!(rolls.iter().map(|r| r.seq).collect::<Vec<_>>(), [3]);
    // `/roll` on the second process reaches Mira on the first.
    second
        .send(&command(
            90,
            TOM,
            "roll",
            json!([string_option("expression", "1d12 \"four\"")]),
        ))
        .await;
    assert_eq!(
        next_roll(&mut mira_socket).await.label.as_deref(),
        Some("four")
    );
    // Core got the table's rolls from both processes.
    let stored = table.bot.core.wait_for_rolls(4).await;
    assert_eq!(
        stored
            .iter()
            .filter(|r| r.source == RollSource::Activity)
            .count(),
        3
    );

    // Everyone leaves: the room's keys are gone from Redis.
    drop(mira_socket);
    drop(tom_socket);
    let mut connection = redis::Client::open("redis://127.0.0.1:6379")
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}:activity:*"))
            .query_async(&mut connection)
            .await
            .unwrap();
        if keys.is_empty() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "left: {keys:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quick_buttons_get_the_sessions_saved_rolls_only() {
    let table = Table::start().await;
    let core = table.bot.core.client();
    for (id, name, saved) in [(MIRA, "Mira", "attack"), (TOM, "Tom", "sneak")] {
        core.upsert_user(
            id,
            &UpsertUserRequest {
                name: name.to_owned(),
                avatar: None,
            },
        )
        .await
        .unwrap();
        core.acting_as(id)
            .unwrap()
            .save_roll(
                saved,
                &critfumble_sdk::wire::SaveRollRequest {
                    expression: "1d20+5".to_owned(),
                },
            )
            .await
            .unwrap();
    }
    let mira = table.sign_in(MIRA, "Mira").await;
    let client = reqwest::Client::new();
    let saved = |session: Option<String>| {
        let mut request = client.get(table.url("/activity/api/saved"));
        if let Some(session) = session {
            request = request.bearer_auth(session);
        }
        request.send()
    };
    let response = saved(Some(mira.session.clone())).await.unwrap();
    assert_eq!(response.status(), 200);
    let rolls: Vec<critfumble_sdk::wire::TableSavedRoll> = response.json().await.unwrap();
    assert_eq!(
        rolls,
        [critfumble_sdk::wire::TableSavedRoll {
            name: "attack".to_owned(),
            expression: "1d20+5".to_owned()
        }]
    );
    // No session, or one FumbleBot did not sign: 401.
    let forged = critfumble_fumblebot::activity::SessionKey::generate()
        .issue(&mira.user, chrono::Utc::now() + chrono::TimeDelta::hours(1));
    for session in [None, Some(forged)] {
        assert_eq!(saved(session).await.unwrap().status(), 401);
    }
}
