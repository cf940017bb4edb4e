//! Exactly once, with real processes: the `fumblebot` binary answers rolls while Core is
//! down and delivers them all once Core is up; and after `kill -9` in the middle of 1,000
//! rolls and a restart, every roll that was answered is in Core exactly once.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::harness::*;

pub(crate) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts the binary and waits until it is ready.
async fn start_bot(port: u16, core_url: &str, core_key: &str, outbox: &std::path::Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_fumblebot"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--core-url", core_url, "--core-api-key", core_key])
        .args(["--discord-public-key", &public_key_hex()])
        .args(["--discord-application-id", APPLICATION_ID])
        .args(["--discord-api-base", "http://127.0.0.1:9"])
        .args(["--outbox-path", &outbox.display().to_string()])
        .args(["--user-rate", "1000000", "--guild-rate", "1000000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    wait_ready(port).await;
    child
}

/// Waits until the FumbleBot on `port` answers `/readyz`.
pub(crate) async fn wait_ready(port: u16) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let ready = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
        if ready {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fumblebot did not become ready on port {port}");
}

/// Sends `/roll 1d20 "roll-{n}"` as interaction `id`; gives the answered total, or `None`
/// when no answer came (the process died).
async fn send_roll(client: &reqwest::Client, port: u16, id: u64, n: usize) -> Option<f64> {
    let interaction = command(
        id,
        &format!("8000000000000{:05}", n % 40),
        "roll",
        json!([string_option("expression", &format!("1d20 \"roll-{n}\""))]),
    );
    let body = interaction.to_string();
    let timestamp = chrono::Utc::now().timestamp().to_string();
    let response = client
        .post(format!("http://127.0.0.1:{port}/discord/interactions"))
        .header("content-type", "application/json")
        .header("x-signature-ed25519", sign(&timestamp, &body))
        .header("x-signature-timestamp", &timestamp)
        .body(body)
        .send()
        .await
        .ok()?;
    let reply: serde_json::Value = response.json().await.ok()?;
    reply["data"]["content"]
        .as_str()?
        .split("**")
        .nth(1)?
        .parse()
        .ok()
}

/// Checks that every answered roll is in Core exactly once, with the answered total, and
/// that no roll is in Core twice.
async fn check_exactly_once(core: &TestCore, answered: &HashMap<String, f64>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let rolls = core.rolls().await;
        let mut stored: HashMap<String, f64> = HashMap::new();
        for roll in &rolls {
            let label = roll.label.clone().unwrap();
            assert!(
                stored.insert(label.clone(), roll.total).is_none(),
                "{label} was stored twice"
            );
        }
        let missing: Vec<&String> = answered
            .keys()
            .filter(|label| !stored.contains_key(*label))
            .collect();
        if missing.is_empty() {
            for (label, total) in answered {
                assert_eq!(stored[label], *total, "{label}: the stored total differs");
            }
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} answered rolls never reached core, e.g. {:?}",
            missing.len(),
            missing.first()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolls_made_while_core_is_down_arrive_once_it_is_up() {
    let (core, mut test_core) = TestCore::open().await;
    let core_port = free_port();
    test_core.base_url = format!("http://127.0.0.1:{core_port}");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _bot = start_bot(
        port,
        &test_core.base_url,
        &test_core.service_key,
        &dir.path().join("outbox.db"),
    )
    .await;
    // 200 rolls, each answered at once although Core is unreachable.
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    let mut answered = HashMap::new();
    let sends = (0..200).map(|n| {
        let client = client.clone();
        async move { (n, send_roll(&client, port, 20_000 + n as u64, n).await) }
    });
    for (n, total) in futures_util::future::join_all(sends).await {
        answered.insert(
            format!("roll-{n}"),
            total.expect("answered while core is down"),
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "core's absence slowed the replies"
    );
    // Core comes up on its address; the outbox delivers everything, once.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", core_port))
        .await
        .unwrap();
    TestCore::serve(core, listener);
    check_exactly_once(&test_core, &answered).await;
    assert_eq!(test_core.rolls().await.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answered_rolls_survive_kill_9_exactly_once() {
    const ROLLS: usize = 1000;
    const KILL_AFTER: usize = 300;
    let core = TestCore::start().await;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox.db");
    let port = free_port();
    let bot = Arc::new(Mutex::new(
        start_bot(port, &core.base_url, &core.service_key, &outbox).await,
    ));
    let client = reqwest::Client::new();
    let answered: Arc<Mutex<HashMap<String, f64>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let answered_count = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (bot, answered_count) = (bot.clone(), answered_count.clone());
        tokio::spawn(async move {
            while answered_count.load(Ordering::SeqCst) < KILL_AFTER {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            // SIGKILL: no chance to flush or finish anything.
            bot.lock().await.start_kill().unwrap();
        })
    };
    let mut workers = Vec::new();
    for _ in 0..32 {
        let (client, answered, next, answered_count) = (
            client.clone(),
            answered.clone(),
            next.clone(),
            answered_count.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut failures = 0;
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= ROLLS {
                    return;
                }
                match send_roll(&client, port, 30_000 + n as u64, n).await {
                    Some(total) => {
                        answered.lock().await.insert(format!("roll-{n}"), total);
                        answered_count.fetch_add(1, Ordering::SeqCst);
                    }
                    // The process is gone: this worker stops; the rest are sent after the
                    // restart.
                    None => {
                        failures += 1;
                        if failures > 0 {
                            return;
                        }
                    }
                }
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    killer.await.unwrap();
    let _ = bot.lock().await.wait().await;
    let before_restart = answered.lock().await.len();
    assert!(before_restart >= KILL_AFTER, "{before_restart}");
    // Restart on the same outbox and send the rolls not yet sent.
    let restarted = start_bot(port, &core.base_url, &core.service_key, &outbox).await;
    let first_unsent = next.load(Ordering::SeqCst).min(ROLLS);
    let sends = (first_unsent..ROLLS).map(|n| {
        let client = client.clone();
        async move { (n, send_roll(&client, port, 30_000 + n as u64, n).await) }
    });
    for (n, total) in futures_util::future::join_all(sends).await {
        answered.lock().await.insert(
            format!("roll-{n}"),
            total.expect("answered after the restart"),
        );
    }
    let answered = answered.lock().await.clone();
    check_exactly_once(&core, &answered).await;
    // Labels are unique, so the check above also shows that nothing is in Core twice; the
    // rolls lost in flight at the kill were never answered, and may or may not be stored.
    let labels: HashSet<String> = core
        .rolls()
        .await
        .into_iter()
        .filter_map(|r| r.label)
        .collect();
    assert!(labels.len() >= answered.len());
    drop(restarted);
}
