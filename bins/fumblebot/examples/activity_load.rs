//! The Activity's load bench behind `benches/activity-load` (not a test: run by that
//! script, release build). One FumbleBot process, with Core embedded on a fresh SQLite file
//! and the fake Discord of the tests (`tests/it/fake_discord_oauth.rs`) for the instance
//! checks, serves WebSocket clients that run in this same process:
//!
//! - `one-room`: one room of `--sockets` players; `--rolls` rolls at `--rate` a second, by
//!   each player in turn; the time from sending a roll to each socket receiving it;
//! - `many-rooms`: `--rooms` rooms of `--per-room` players, each player rolling once a
//!   second (started at random points of the second) for `--seconds`; the same latency.
//!
//! Each roll carries its send time (microseconds since the bench began) as its label, so a
//! receiving socket reads its latency off the roll. Sessions are signed with the process's
//! key (the OAuth exchange is not what is measured). Every roll is also written to the
//! outbox and reported to the embedded Core, as in production.

#[path = "../tests/it/fake_discord_oauth.rs"]
#[expect(dead_code, reason = "the tests use more of the fake than the bench")]
#[expect(
    clippy::unwrap_used,
    reason = "the test fake fails loudly on setup errors, as in the tests"
)]
mod fake_discord_oauth;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use critfumble_fumblebot::Config;
use critfumble_sdk::wire::{TableClientMessage, TableServerMessage, TableUser};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// One room: every roll's latency to every socket.
    OneRoom {
        #[arg(long, default_value_t = 25)]
        sockets: usize,
        #[arg(long, default_value_t = 400)]
        rolls: usize,
        #[arg(long, default_value_t = 10)]
        rate: u64,
    },
    /// Many rooms, everyone rolling once a second.
    ManyRooms {
        #[arg(long, default_value_t = 200)]
        rooms: usize,
        #[arg(long, default_value_t = 10)]
        per_room: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Bench {
    address: std::net::SocketAddr,
    sessions: critfumble_fumblebot::activity::SessionKey,
    oauth: fake_discord_oauth::FakeDiscordOAuth,
    epoch: Instant,
    _dir: tempfile::TempDir,
    _running: critfumble_fumblebot::Running,
}

fn player(room: usize, seat: usize) -> TableUser {
    TableUser {
        id: format!(
            "{}",
            700_000_000_000_000_000u64 + (room * 1_000 + seat) as u64
        ),
        name: format!("P{room}-{seat}"),
        avatar: None,
    }
}

fn instance(room: usize) -> String {
    format!("i-bench-{room}")
}

impl Bench {
    async fn start() -> anyhow::Result<Bench> {
        let dir = tempfile::tempdir()?;
        let oauth = fake_discord_oauth::FakeDiscordOAuth::start().await;
        let mut args = critfumble_core::EmbeddedCore::default_args()?;
        args.database_url = dir.path().join("core.db").display().to_string();
        args.pepper = Some("bench-pepper-bench-pepper-bench-pepper".to_owned());
        args.webhook_secret = vec!["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".to_owned()];
        let core = critfumble_core::EmbeddedCore::open(&args).await?;
        let core_key = core.service_key().to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let core_url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { core.serve(listener, std::future::pending()).await });
        let mut config = Config::for_tests();
        config.core_url = Some(core_url);
        config.core_api_key = Some(core_key);
        config.outbox_path = dir.path().join("outbox.db");
        config.discord_application_id = Some(fake_discord_oauth::CLIENT_ID.parse()?);
        config.discord_token = Some(fake_discord_oauth::BOT_TOKEN.to_owned());
        config.discord_api_base = oauth.base().to_owned();
        let running = critfumble_fumblebot::start(config).await?;
        Ok(Bench {
            address: running.address(),
            sessions: running.state().activity().sessions().clone(),
            oauth,
            epoch: Instant::now(),
            _dir: dir,
            _running: running,
        })
    }

    /// A socket of `user` joined to `room`.
    async fn join(&self, room: usize, user: &TableUser) -> anyhow::Result<Socket> {
        let url = format!("ws://{}/activity/api/socket", self.address);
        let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
        let session = self
            .sessions
            .issue(user, chrono::Utc::now() + chrono::TimeDelta::hours(1));
        let join = TableClientMessage::Join {
            session,
            instance_id: instance(room),
            since: None,
        };
        socket
            .send(Message::text(serde_json::to_string(&join)?))
            .await?;
        loop {
            if let TableServerMessage::Joined { .. } = read(&mut socket).await? {
                return Ok(socket);
            }
        }
    }

    fn micros(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }
}

async fn read(socket: &mut Socket) -> anyhow::Result<TableServerMessage> {
    loop {
        let message = socket.next().await.context("the socket closed")??;
        if let Message::Text(text) = message {
            return Ok(serde_json::from_str(text.as_str())?);
        }
    }
}

fn roll_message(sent_micros: u64) -> Message {
    let roll = TableClientMessage::Roll {
        expression: format!("4d6kh3 \"t{sent_micros}\""),
    };
    Message::text(serde_json::to_string(&roll).unwrap_or_default())
}

/// Reads rolls until `until`, recording each one's latency (µs) from its label.
async fn listen(
    bench: Arc<Bench>,
    mut socket: futures_util::stream::SplitStream<Socket>,
    latencies: Arc<Mutex<Vec<u64>>>,
    until: Instant,
) {
    let mut mine = Vec::new();
    while let Ok(Some(Ok(message))) = tokio::time::timeout_at(until.into(), socket.next()).await {
        let Message::Text(text) = message else {
            continue;
        };
        if let Ok(TableServerMessage::Roll { roll, .. }) = serde_json::from_str(text.as_str())
            && let Some(sent) = roll
                .label
                .as_deref()
                .and_then(|label| label.strip_prefix('t'))
                .and_then(|micros| micros.parse::<u64>().ok())
        {
            mine.push(bench.micros().saturating_sub(sent));
        }
    }
    latencies
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .extend(mine);
}

fn report(name: &str, mut latencies: Vec<u64>, expected: usize) {
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] as f64 / 1_000.0;
    println!(
        "{name}: {} deliveries of {expected} expected; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

async fn one_room(
    bench: Arc<Bench>,
    sockets: usize,
    rolls: usize,
    rate: u64,
) -> anyhow::Result<()> {
    let users: Vec<TableUser> = (0..sockets).map(|seat| player(0, seat)).collect();
    let ids: Vec<&str> = users.iter().map(|user| user.id.as_str()).collect();
    bench
        .oauth
        .instance(&instance(0), "930000000000000001", &ids)
        .await;
    let mut joined = Vec::new();
    for user in &users {
        joined.push(bench.join(0, user).await?);
    }
    // The check before timing: one roll reaches every socket, the same roll.
    joined[0].send(roll_message(0)).await?;
    let mut first = None;
    for socket in &mut joined {
        let roll = loop {
            if let TableServerMessage::Roll { roll, .. } = read(socket).await? {
                break roll;
            }
        };
        anyhow::ensure!(
            roll.dice.len() == 4 && roll.user.id == users[0].id,
            "{roll:?}"
        );
        anyhow::ensure!(
            first.get_or_insert(roll.seq) == &roll.seq,
            "two different rolls"
        );
    }
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let until = Instant::now() + Duration::from_millis(rolls as u64 * 1_000 / rate + 3_000);
    let mut writers = Vec::new();
    let mut listeners = Vec::new();
    for socket in joined {
        let (writer, reader) = socket.split();
        writers.push(writer);
        listeners.push(tokio::spawn(listen(
            bench.clone(),
            reader,
            latencies.clone(),
            until,
        )));
    }
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    for n in 0..rolls {
        ticker.tick().await;
        writers[n % sockets]
            .send(roll_message(bench.micros()))
            .await?;
    }
    for listener in listeners {
        listener.await?;
    }
    let latencies = std::mem::take(
        &mut *latencies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    report(
        &format!("one room of {sockets}, {rolls} rolls at {rate}/s"),
        latencies,
        rolls * sockets,
    );
    Ok(())
}

async fn many_rooms(
    bench: Arc<Bench>,
    rooms: usize,
    per_room: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let mut sockets = Vec::new();
    for room in 0..rooms {
        let users: Vec<TableUser> = (0..per_room).map(|seat| player(room, seat)).collect();
        let ids: Vec<&str> = users.iter().map(|user| user.id.as_str()).collect();
        bench
            .oauth
            .instance(&instance(room), "930000000000000001", &ids)
            .await;
        for user in users {
            sockets.push(bench.join(room, &user).await?);
        }
    }
    // The check before timing: a roll in the first room reaches its sockets.
    sockets[0].send(roll_message(0)).await?;
    for socket in &mut sockets[..per_room] {
        loop {
            if let TableServerMessage::Roll { roll, .. } = read(socket).await? {
                anyhow::ensure!(roll.dice.len() == 4, "{roll:?}");
                break;
            }
        }
    }
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now() + Duration::from_millis(500);
    let until = start + Duration::from_secs(seconds) + Duration::from_secs(3);
    let mut tasks = Vec::new();
    for (n, socket) in sockets.into_iter().enumerate() {
        let (mut writer, reader) = socket.split();
        tasks.push(tokio::spawn(listen(
            bench.clone(),
            reader,
            latencies.clone(),
            until,
        )));
        let bench = bench.clone();
        // Each player rolls once a second, at its own point of the second.
        let offset = Duration::from_micros((n as u64 * 7_919_000) % 1_000_000);
        tasks.push(tokio::spawn(async move {
            let mut ticker =
                tokio::time::interval_at((start + offset).into(), Duration::from_secs(1));
            for _ in 0..seconds {
                ticker.tick().await;
                if writer.send(roll_message(bench.micros())).await.is_err() {
                    return;
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let latencies = std::mem::take(
        &mut *latencies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let players = rooms * per_room;
    report(
        &format!("{rooms} rooms of {per_room}, each player rolling 1/s for {seconds} s"),
        latencies,
        players * seconds as usize * per_room,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let bench = Arc::new(Bench::start().await?);
    match cli.command {
        Command::OneRoom {
            sockets,
            rolls,
            rate,
        } => one_room(bench, sockets, rolls, rate).await,
        Command::ManyRooms {
            rooms,
            per_room,
            seconds,
        } => many_rooms(bench, rooms, per_room, seconds).await,
    }
}
