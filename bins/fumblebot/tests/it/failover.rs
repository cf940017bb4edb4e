//! Two `fumblebot` processes sharing the machine's Redis: an extension listening to a
//! game's events on process A, A killed with `kill -9` while events are being published,
//! and the extension reconnecting to process B with `Last-Event-ID`: it gets every event
//! exactly once, in order.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use critfumble_fumblebot::bridge::events::cursor;
use critfumble_sdk::wire::{Vtt, VttChatEvent};
use futures_util::StreamExt as _;
use tokio::process::{Child, Command};

use crate::bridge::{Bridge, WEBHOOK_SECRET, configure_bridge};
use crate::durability::{free_port, wait_ready};

const EVENTS: usize = 300;
/// Events the client receives from A before A is killed.
const KILL_AFTER: usize = 100;
const REDIS: &str = "redis://127.0.0.1:6379";

/// The binary on `port`, sharing Redis under `prefix`, against the bridge's Core.
async fn start_process(
    bridge: &Bridge,
    dir: &std::path::Path,
    port: u16,
    prefix: &str,
    instance: &str,
) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_fumblebot"))
        .current_dir(dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--core-url", &bridge.bot.core.base_url])
        .args(["--core-api-key", &bridge.bot.core.service_key])
        .args(["--discord-api-base", "http://127.0.0.1:9"])
        .args(["--redis-url", REDIS, "--redis-prefix", prefix])
        .args(["--instance", instance])
        .env("CRITFUMBLE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("RUST_LOG", "warn")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_ready(port).await;
    child
}

/// The complete events at the front of `buffer` (blocks ended by a blank line), removed
/// from it; a block cut off by the kill stays, and is dropped with the connection.
fn take_events(buffer: &mut String) -> Vec<VttChatEvent> {
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let id = block.lines().find_map(|line| line.strip_prefix("id: "));
        let data = block.lines().find_map(|line| line.strip_prefix("data: "));
        if let (Some(id), Some(data)) = (id, data) {
            let event: VttChatEvent = serde_json::from_str(data).unwrap();
            assert_eq!(event.id, id, "{block}");
            events.push(event);
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_client_of_a_killed_process_resumes_on_another_exactly_once() {
    if !crate::shared_redis::redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    // The in-process FumbleBot publishes, as the one whose gateway received the messages.
    let publisher_prefix = prefix.clone();
    let bridge = Bridge::start_with(move |config| {
        configure_bridge(config);
        config.redis_url = Some(REDIS.to_owned());
        config.redis_prefix = publisher_prefix;
        config.instance = Some("publisher".to_owned());
    })
    .await;
    let channel = "930000000000000991";
    bridge.campaign(channel, Vtt::Roll20, "game-f").await;
    let ports = [free_port(), free_port()];
    let dir = tempfile::tempdir().unwrap();
    let mut first = start_process(&bridge, dir.path(), ports[0], &prefix, "a").await;
    let _second = start_process(&bridge, dir.path(), ports[1], &prefix, "b").await;

    let connect = |port: u16, last: Option<String>| {
        let mut request = bridge
            .http
            .get(format!(
                "http://127.0.0.1:{port}/vtt/events?vtt=roll20&game_id=game-f"
            ))
            .bearer_auth(&bridge.mira);
        if let Some(last) = last {
            request = request.header("last-event-id", last);
        }
        request.send()
    };
    let response = connect(ports[0], None).await.unwrap();
    assert_eq!(response.status(), 200);

    // Discord messages arrive steadily while the client listens.
    let published = Arc::new(AtomicUsize::new(0));
    let publishing = {
        let (state, published) = (bridge.bot.running.state().clone(), published.clone());
        tokio::spawn(async move {
            for n in 0..EVENTS {
                critfumble_fumblebot::bridge::chat::from_discord(
                    &state,
                    channel,
                    "Mira",
                    false,
                    &format!("event {n}"),
                )
                .await;
                published.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    let mut received: Vec<VttChatEvent> = Vec::new();
    let mut published_at_kill = None;
    let mut response = response;
    let mut port = ports[0];
    loop {
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        // Until the stream ends (the process died) or every event arrived.
        while received.len() < EVENTS {
            let chunk = tokio::time::timeout(Duration::from_secs(15), stream.next())
                .await
                .unwrap_or_else(|_| panic!("no event for 15 s after {}", received.len()));
            let Some(Ok(chunk)) = chunk else { break };
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            received.extend(take_events(&mut buffer));
            if published_at_kill.is_none() && received.len() >= KILL_AFTER {
                // SIGKILL: the process cannot close its streams or finish anything.
                first.start_kill().unwrap();
                first.wait().await.unwrap();
                published_at_kill = Some(published.load(Ordering::SeqCst));
            }
        }
        if received.len() >= EVENTS {
            break;
        }
        assert_eq!(port, ports[0], "the stream from the second process ended");
        assert!(
            published_at_kill.is_some(),
            "the stream ended before the kill"
        );
        // The client reconnects to the other process with the last id it saw.
        port = ports[1];
        let last = received.last().map(|event| event.id.clone());
        response = connect(port, last).await.unwrap();
        assert_eq!(response.status(), 200);
    }
    publishing.await.unwrap();
    let published_at_kill = published_at_kill.expect("the first process was never killed");
    assert!(
        published_at_kill < EVENTS,
        "every event was published before the kill: {published_at_kill}"
    );
    let texts: Vec<String> = received.iter().map(|event| event.text.clone()).collect();
    let expected: Vec<String> = (0..EVENTS).map(|n| format!("event {n}")).collect();
    assert_eq!(texts, expected);
    let ids: Vec<(u64, u64)> = received
        .iter()
        .map(|event| cursor(&event.id).unwrap())
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");

    let mut connection = redis::Client::open(REDIS)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}:vtt:events:roll20:game-f"))
        .arg(format!("{prefix}:vtt:presence:roll20:game-f"))
        .query_async(&mut connection)
        .await
        .unwrap();
}
