//! The load tools behind `benches/fumblebot-load` and `benches/fumblebot-services-load`
//! (not a test: run by those scripts, release build). Subcommands:
//!
//! - `requests`: writes signed `/roll 4d6kh3` interactions, one per line
//!   (`signature<TAB>timestamp<TAB>body`), for wrk to send;
//! - `drain`: fills a fresh outbox with rolls, then times FumbleBot's drainer delivering
//!   them to a running Core;
//! - `startup`: times the `fumblebot` binary from spawn to ready, with Core embedded on a
//!   fresh SQLite file;
//! - `vtt-seats`: makes games, campaigns and extension tokens through a running Core, checks
//!   one roll through the bridge, and writes the tokens and the `POST /vtt/rolls` body for
//!   wrk; `fake-discord` takes the relayed messages;
//! - `sse`: 1,000 extensions on one game's events, their memory and delivery latency;
//! - `ai`: what the AI service adds to a local provider's latency.

mod ai;
mod sse;
mod vtt;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use critfumble_fumblebot::core_access::CoreAccess;
use critfumble_fumblebot::outbox::{DiscordActor, Outbox, OutboxEntry, OutboxItem, SqliteOutbox};
use ed25519_dalek::{Signer, SigningKey};

/// The bench's signing key: its public half goes to `--discord-public-key`.
const SECRET: [u8; 32] = [42; 32];

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Prints the public key that matches the signatures.
    PublicKey,
    /// Writes `count` signed interactions to `out`.
    Requests {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        count: u64,
    },
    /// Fills an outbox with `count` rolls and times their delivery to Core.
    Drain {
        #[arg(long)]
        core_url: String,
        #[arg(long)]
        core_key: String,
        #[arg(long)]
        outbox: PathBuf,
        #[arg(long, default_value_t = 30_000)]
        count: usize,
    },
    /// Times the binary from spawn to `/readyz` answering, `runs` times.
    Startup {
        #[arg(long)]
        binary: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Makes `games` games with `tokens_per_game` extension tokens each through Core, checks
    /// one roll through FumbleBot, and writes `token<TAB>game_id` lines to `out` and the
    /// roll body template to `template`.
    VttSeats {
        #[arg(long)]
        core_url: String,
        #[arg(long)]
        core_key: String,
        #[arg(long)]
        webhook_secret: String,
        /// Core's SQLite file, where the extension tokens are issued.
        #[arg(long)]
        core_database: String,
        /// Core's key pepper (`CRITFUMBLE_KEY_PEPPER`).
        #[arg(long)]
        pepper: String,
        #[arg(long)]
        fumblebot: String,
        #[arg(long, default_value_t = 250)]
        games: usize,
        #[arg(long, default_value_t = 4)]
        tokens_per_game: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        template: PathBuf,
    },
    /// Prints a new webhook secret (`whsec_…`).
    WebhookSecret,
    /// Prints a new key pepper for Core (`CRITFUMBLE_KEY_PEPPER`).
    Pepper,
    /// A Discord that takes relayed messages until stopped, then prints how many.
    FakeDiscord {
        #[arg(long)]
        listen: String,
    },
    /// `clients` streams on one game of the binary (with Redis), then `events` events.
    Sse {
        #[arg(long)]
        binary: PathBuf,
        #[arg(long, default_value = "redis://127.0.0.1:6379")]
        redis_url: String,
        #[arg(long, default_value_t = 1_000)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        events: usize,
        #[arg(long, default_value_t = 250)]
        interval_ms: u64,
    },
    /// `count` chats directly to a local provider and through the binary's AI service.
    Ai {
        #[arg(long)]
        binary: PathBuf,
        #[arg(long, default_value_t = 2_000)]
        count: usize,
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::PublicKey => {
            println!(
                "{}",
                hex::encode(SigningKey::from_bytes(&SECRET).verifying_key().as_bytes())
            );
            Ok(())
        }
        Command::Requests { out, count } => requests(&out, count),
        Command::Drain {
            core_url,
            core_key,
            outbox,
            count,
        } => drain(&core_url, &core_key, &outbox, count).await,
        Command::Startup { binary, runs } => startup(&binary, runs).await,
        Command::VttSeats {
            core_url,
            core_key,
            webhook_secret,
            core_database,
            pepper,
            fumblebot,
            games,
            tokens_per_game,
            out,
            template,
        } => {
            let secret = critfumble_sdk::webhook::WebhookSecret::from_whsec(&webhook_secret)?;
            let prefix = format!("b{}", chrono::Utc::now().timestamp_millis());
            let minter = vtt::TokenMinter::open(&core_database, &pepper, &core_key).await?;
            let seats = vtt::seats(
                &core_url,
                &core_key,
                &secret,
                &minter,
                &prefix,
                games,
                tokens_per_game,
            )
            .await?;
            vtt::check_one_roll(&fumblebot, &seats[0], &format!("-{prefix}-check")).await?;
            vtt::warm_tokens(&fumblebot, &seats).await?;
            vtt::write_seats(&seats, &out)?;
            std::fs::write(&template, vtt::roll_template()?)?;
            println!("{} extension tokens in {games} games", seats.len());
            Ok(())
        }
        Command::WebhookSecret => {
            let secret = critfumble_sdk::webhook::WebhookSecret::generate(&mut rand::rng());
            println!("{}", secret.to_whsec());
            Ok(())
        }
        Command::Pepper => {
            println!("{}", pepper());
            Ok(())
        }
        Command::FakeDiscord { listen } => vtt::fake_discord(&listen).await,
        Command::Sse {
            binary,
            redis_url,
            clients,
            events,
            interval_ms,
        } => {
            sse::run(
                &binary,
                &redis_url,
                clients,
                events,
                Duration::from_millis(interval_ms),
            )
            .await
        }
        Command::Ai {
            binary,
            count,
            delay_ms,
        } => ai::run(&binary, count, Duration::from_millis(delay_ms)).await,
    }
}

/// A `/roll 4d6kh3` interaction as Discord sends it, by one of 1,000 users.
fn interaction(id: u64) -> String {
    let user = format!("7000000000000{:05}", id % 1_000);
    serde_json::json!({
        "id": id.to_string(), "application_id": "900000000000000001", "type": 2,
        "token": format!("token-{id}"), "version": 1,
        "guild_id": "910000000000000001", "channel_id": "930000000000000001",
        "channel": {"id": "930000000000000001", "type": 0, "name": "table"},
        "member": {"user": {"id": user, "username": "bench", "discriminator": "0",
                            "global_name": "Bench", "avatar": null},
                   "roles": [], "joined_at": "2025-01-01T00:00:00.000000+00:00",
                   "deaf": false, "mute": false, "flags": 0, "permissions": "3072"},
        "data": {"id": "950000000000000000", "name": "roll", "type": 1,
                 "options": [{"name": "expression", "type": 3, "value": "4d6kh3"}]},
        "app_permissions": "2248473465835073", "locale": "en-US", "guild_locale": "en-US",
        "entitlements": [], "authorizing_integration_owners": {"0": "910000000000000001"},
        "context": 0, "attachment_size_limit": 10485760
    })
    .to_string()
}

fn requests(out: &Path, count: u64) -> anyhow::Result<()> {
    let key = SigningKey::from_bytes(&SECRET);
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    // Ids far from any a test uses, different on each run so that Core stores every roll.
    let base = u64::try_from(chrono::Utc::now().timestamp_millis())? * 1_000;
    for n in 0..count {
        let body = interaction(base + n);
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body.as_bytes());
        let signature = hex::encode(key.sign(&message).to_bytes());
        writeln!(file, "{signature}\t{timestamp}\t{body}")?;
    }
    file.flush()?;
    Ok(())
}

async fn drain(core_url: &str, core_key: &str, path: &Path, count: usize) -> anyhow::Result<()> {
    let outbox = Outbox::Sqlite(SqliteOutbox::open(path).await?);
    let base = chrono::Utc::now().timestamp_millis();
    // A real roll's tree, as FumbleBot reports it.
    let expr = critfumble_dice::parse("4d6kh3")?;
    let rolled = critfumble_dice::replay(
        &expr,
        &[6, 5, 3, 1],
        &critfumble_dice::RollOptions::default(),
    )?;
    let tree = serde_json::to_value(&rolled)?;
    let appends = (0..count).map(|n| {
        let (outbox, tree) = (outbox.clone(), tree.clone());
        async move {
            let roll = serde_json::from_value(serde_json::json!({
                "source": "discord",
                "actor": {"discord_id": format!("7100000000000{:05}", n % 1_000), "name": "Bench"},
                "channel_id": "930000000000000001",
                "expression": "4d6kh3", "total": tree["value"],
                "rolled": tree,
                "rolled_at": "2026-11-25T20:00:00Z"
            }))?;
            let entry = OutboxEntry {
                idempotency_key: format!("discord:bench-{base}-{n}"),
                actor: DiscordActor {
                    discord_id: format!("7100000000000{:05}", n % 1_000),
                    name: "Bench".into(),
                    avatar: None,
                },
                item: OutboxItem::Roll(Box::new(roll)),
            };
            outbox.append(&entry).await.map_err(anyhow::Error::from)
        }
    });
    for result in futures_util::future::join_all(appends).await {
        result?;
    }
    anyhow::ensure!(
        outbox.pending().await? >= count as u64,
        "the outbox lost entries"
    );
    let core = Arc::new(CoreAccess::new(core_url, core_key)?);
    // The time includes what a real drain does once per user and channel: the upserts of
    // the 1,000 users and the lookup of the channel's campaign.
    let started = Instant::now();
    let wake = Arc::new(tokio::sync::Notify::new());
    // Rolls only: no webhook to sign.
    tokio::spawn(critfumble_fumblebot::outbox::drain::run(
        outbox.clone(),
        core,
        wake,
        None,
    ));
    while outbox.pending().await? > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(300),
            "the drain stalled"
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(outbox.parked().await? == 0, "entries were parked");
    println!(
        "drain: {count} rolls in {seconds:.2} s = {:.0} rolls/s",
        count as f64 / seconds
    );
    Ok(())
}

async fn startup(binary: &Path, runs: usize) -> anyhow::Result<()> {
    let public_key = hex::encode(SigningKey::from_bytes(&SECRET).verifying_key().as_bytes());
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let core_port = free_port()?;
        let started = Instant::now();
        let mut child = tokio::process::Command::new(binary)
            .current_dir(dir.path())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(["--core-listen", &format!("127.0.0.1:{core_port}")])
            .args(["--discord-public-key", &public_key])
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("cannot start fumblebot")?;
        wait_ready(
            &client,
            &format!("http://127.0.0.1:{port}"),
            Duration::from_secs(30),
            Duration::from_millis(2),
        )
        .await?;
        times.push(started.elapsed());
        child.kill().await?;
    }
    times.sort();
    let shown: Vec<String> = times
        .iter()
        .map(|t| format!("{} ms", t.as_millis()))
        .collect();
    println!(
        "startup to ready (embedded Core, fresh SQLite): median {} ms; runs: {}",
        times[times.len() / 2].as_millis(),
        shown.join(", ")
    );
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A `fumblebot` started by a bench, with Core embedded; killed when dropped.
struct Child {
    child: tokio::process::Child,
    /// FumbleBot's origin.
    origin: String,
    /// The embedded Core's origin.
    core_url: String,
}

/// Starts the binary in `dir` (where the embedded Core keeps its SQLite file and service
/// key) on `port`, with `args` and `env` added, and waits until it is ready. Core's rate
/// limits per user and per address are off: one machine stands in for a thousand users'
/// browsers here, and the bench measures FumbleBot.
async fn spawn_fumblebot(
    binary: &Path,
    dir: &Path,
    port: u16,
    args: &[&str],
    env: &[(&str, &str)],
    pepper: &str,
) -> anyhow::Result<Child> {
    let core_port = free_port()?;
    let mut command = tokio::process::Command::new(binary);
    command
        .current_dir(dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--core-listen", &format!("127.0.0.1:{core_port}")])
        .args(["--discord-api-base", "http://127.0.0.1:9"])
        .args(args)
        .env("RUST_LOG", "error")
        .env("CRITFUMBLE_KEY_PEPPER", pepper)
        .env("CRITFUMBLE_RATE_LIMIT_USER_PER_MINUTE", "0")
        .env("CRITFUMBLE_RATE_LIMIT_USER_IP_PER_MINUTE", "0")
        .env("CRITFUMBLE_RATE_LIMIT_IP_PER_MINUTE", "0")
        .env_remove("DATABASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().context("cannot start fumblebot")?;
    let origin = format!("http://127.0.0.1:{port}");
    wait_ready(
        &reqwest::Client::new(),
        &origin,
        Duration::from_secs(60),
        Duration::from_millis(20),
    )
    .await?;
    Ok(Child {
        child,
        origin,
        core_url: format!("http://127.0.0.1:{core_port}"),
    })
}

/// The `q` quantile of sorted latencies, in milliseconds.
fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1_000.0
}

/// A process's resident memory, in KiB (`VmRSS` in `/proc/<pid>/status`).
fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

/// Waits until the FumbleBot at `origin` answers `/readyz`, asking every `poll`, for at
/// most `limit`.
async fn wait_ready(
    client: &reqwest::Client,
    origin: &str,
    limit: Duration,
    poll: Duration,
) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("{origin}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
        if ready {
            return Ok(());
        }
        anyhow::ensure!(started.elapsed() < limit, "{origin} never ready");
        tokio::time::sleep(poll).await;
    }
}

/// A new key pepper for a bench's Core: 48 hex digits.
fn pepper() -> String {
    hex::encode(rand::random::<[u8; 24]>())
}
