//! The VTT events' load: `clients` extensions listening to one game's `GET /vtt/events` on
//! one FumbleBot process (Core embedded, events in Redis), the process's memory per idle
//! stream, and how long a published event takes to reach every one of them.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use critfumble_sdk::webhook::WebhookSecret;
use critfumble_sdk::wire::VttChatEvent;
use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use crate::{Child, free_port, percentile, resident_kib, spawn_fumblebot};

/// What a client reports.
enum Heard {
    /// The stream is open (its first comment arrived).
    Connected,
    /// Event `n` arrived at this instant.
    Event(usize, Instant),
}

/// Runs the bench: `clients` streams, then `events` events `interval` apart.
pub(crate) async fn run(
    binary: &Path,
    redis_url: &str,
    clients: usize,
    events: usize,
    interval: Duration,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let prefix = format!("bench-sse-{}", chrono::Utc::now().timestamp_millis());
    let secret = WebhookSecret::generate(&mut rand::rng());
    let port = free_port()?;
    let whsec = secret.to_whsec();
    let pepper = crate::pepper();
    let Child {
        child,
        origin,
        core_url,
    } = spawn_fumblebot(
        binary,
        dir.path(),
        port,
        &[
            "--redis-url",
            redis_url,
            "--redis-prefix",
            &prefix,
            "--webhook-secret",
            &whsec,
        ],
        &[],
        &pepper,
    )
    .await?;
    let pid = child.id().context("fumblebot has no pid")?;
    let core_key = std::fs::read_to_string(dir.path().join("critfumble.db.service-key"))
        .context("the embedded core's service key")?;
    let core_key = core_key.trim();
    let database = dir.path().join("critfumble.db").display().to_string();
    let minter = crate::vtt::TokenMinter::open(&database, &pepper, core_key).await?;
    let seats =
        crate::vtt::seats(&core_url, core_key, &secret, &minter, &prefix, 1, clients).await?;
    let game_id = seats[0].game_id.clone();

    // A tenth of the streams first, so that what the first ones allocate once (pools,
    // caches, the Redis reader) is not counted per stream.
    let warm = (clients / 10).max(1);
    let (heard, mut hearing) = mpsc::unbounded_channel();
    let http = reqwest::Client::builder().build()?;
    let mut seats = seats.into_iter();
    let started = Instant::now();
    open_streams(&http, &origin, seats.by_ref().take(warm), &heard);
    wait_connected(&mut hearing, warm).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = resident_kib(pid)?;
    open_streams(&http, &origin, seats, &heard);
    drop(heard);
    wait_connected(&mut hearing, clients - warm).await?;
    let connect_seconds = started.elapsed().as_secs_f64();
    // Idle for a moment, so that what the connections allocated has settled.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resident_kib(pid)?;
    let per_connection = (after.saturating_sub(before)) as f64 / (clients - warm) as f64;

    let redis = redis::Client::open(redis_url)?;
    let mut connection = redis.get_multiplexed_async_connection().await?;
    let stream = format!("{prefix}:vtt:events:roll20:{game_id}");
    let mut published = Vec::with_capacity(events);
    for n in 0..events {
        let text = format!("bench {n}");
        let message = critfumble_vtt::DiscordMessage {
            author: "Bench",
            content: &text,
        };
        // The entry as FumbleBot's own publish writes it (the id is the stream's).
        let event = VttChatEvent {
            id: String::new(),
            author: "Bench".to_owned(),
            text: text.clone(),
            roll20: critfumble_vtt::to_roll20(&message),
            foundry: critfumble_vtt::to_foundry(&message).content,
            sent_at: chrono::Utc::now(),
        };
        let json = serde_json::to_string(&event)?;
        published.push(Instant::now());
        let _: String = redis::cmd("XADD")
            .arg(&stream)
            .arg("MAXLEN")
            .arg("~")
            .arg(10_000)
            .arg("*")
            .arg("event")
            .arg(json)
            .query_async(&mut connection)
            .await?;
        tokio::time::sleep(interval).await;
    }
    let mut latencies = Vec::with_capacity(clients * events);
    let mut per_event: HashMap<usize, usize> = HashMap::new();
    while latencies.len() < clients * events {
        match tokio::time::timeout(Duration::from_secs(30), hearing.recv()).await {
            Ok(Some(Heard::Event(n, at))) => {
                latencies.push(at.duration_since(published[n]));
                *per_event.entry(n).or_default() += 1;
            }
            Ok(Some(Heard::Connected)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    anyhow::ensure!(
        latencies.len() == clients * events && per_event.values().all(|count| *count == clients),
        "{} of {} deliveries arrived",
        latencies.len(),
        clients * events
    );
    latencies.sort();
    println!(
        "sse: {clients} streams opened in {connect_seconds:.1} s; resident memory {before} KiB \
         with {warm} open, {after} KiB with all: {per_connection:.1} KiB per idle stream"
    );
    println!(
        "sse: {events} events to {clients} streams each ({} deliveries): p50 {:.1} ms, \
         p99 {:.1} ms, max {:.1} ms from XADD to the client",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    let _: () = redis::cmd("DEL")
        .arg(&stream)
        .arg(format!("{prefix}:vtt:presence:roll20:{game_id}"))
        .query_async(&mut connection)
        .await?;
    drop(child);
    Ok(())
}

/// Opens a stream for each seat, 64 connecting at a time.
fn open_streams(
    http: &reqwest::Client,
    origin: &str,
    seats: impl Iterator<Item = crate::vtt::Seat>,
    heard: &mpsc::UnboundedSender<Heard>,
) {
    let connecting = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    for seat in seats {
        let (http, heard, connecting) = (http.clone(), heard.clone(), connecting.clone());
        let url = format!("{origin}/vtt/events?vtt=roll20&game_id={}", seat.game_id);
        tokio::spawn(async move {
            let permit = connecting.acquire_owned().await.ok();
            let result = listen(&http, &url, &seat.token, &heard, permit).await;
            if let Err(error) = result {
                eprintln!("a client failed: {error:#}");
            }
        });
    }
}

/// Waits until `count` more streams are open.
async fn wait_connected(
    hearing: &mut mpsc::UnboundedReceiver<Heard>,
    count: usize,
) -> anyhow::Result<()> {
    let mut connected = 0;
    while connected < count {
        match tokio::time::timeout(Duration::from_secs(120), hearing.recv()).await {
            Ok(Some(Heard::Connected)) => connected += 1,
            Ok(Some(Heard::Event(..))) => anyhow::bail!("an event before any was published"),
            Ok(None) | Err(_) => anyhow::bail!("only {connected} of {count} streams opened"),
        }
    }
    Ok(())
}

/// One extension: opens the stream, reports it open, then reports each event's number
/// and arrival.
async fn listen(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    heard: &mpsc::UnboundedSender<Heard>,
    mut permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> anyhow::Result<()> {
    // As an EventSource does, a refused connection (503 while Core is slow to check the
    // token, 429) is tried again after the server's wait.
    let mut attempts = 0;
    let response = loop {
        let response = http.get(url).bearer_auth(token).send().await?;
        let status = response.status();
        if status.is_success() {
            break response;
        }
        attempts += 1;
        if attempts >= 5 || !matches!(status.as_u16(), 429 | 503) {
            anyhow::bail!("{status}: {}", response.text().await?);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut open = false;
    while let Some(chunk) = body.next().await {
        buffer.push_str(std::str::from_utf8(&chunk?)?);
        // The stream's first comment, `: connected`.
        if !open
            && buffer
                .lines()
                .any(|line| line.strip_prefix(':').map(str::trim) == Some("connected"))
        {
            open = true;
            // The next client may connect.
            drop(permit.take());
            heard.send(Heard::Connected).ok();
        }
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let Some(data) = block.lines().find_map(|line| line.strip_prefix("data: ")) else {
                continue;
            };
            let event: VttChatEvent = serde_json::from_str(data)?;
            let n = event
                .text
                .strip_prefix("bench ")
                .and_then(|n| n.parse().ok())
                .context("an event the bench did not publish")?;
            heard.send(Heard::Event(n, Instant::now())).ok();
        }
    }
    Ok(())
}
