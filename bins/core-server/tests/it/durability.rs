//! The durability test: Core as a child process, thousands of concurrent idempotent rolls,
//! `kill -9` in the middle, a restart, and a check that every acknowledged roll is stored
//! exactly once; then every key is retried and nothing is missing or duplicated.

use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use critfumble_core::Store;
use critfumble_core::config::Secrets;
use critfumble_sdk::CoreClient;
use critfumble_sdk::client::{ClientConfig, RetryPolicy};
use critfumble_sdk::wire::{NewRoll, Page, Roll, RollQuery};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::harness::{Backend, PEPPER, TestDatabase, WEBHOOK_SECRET, serve_args};
use crate::on_both_backends;

/// How many rolls the clients send in total.
const ROLLS: usize = 3000;
/// How many clients send them concurrently.
const CLIENTS: usize = 32;
/// The server is killed once this many rolls were acknowledged.
const KILL_AFTER: usize = 1000;

on_both_backends!(acknowledged_rolls_survive_kill_9);

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

async fn start_core(database_url: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_critfumble-core"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url])
        .args(["--webhook-secret", WEBHOOK_SECRET, "--pepper", PEPPER])
        .args(["--idempotency-lease-secs", "2"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let ready = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
        if ready {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("critfumble-core did not become ready on port {port}");
}

fn roll(n: usize) -> NewRoll {
    serde_json::from_value(serde_json::json!({
        "source": "api",
        "actor": {"name": "load"},
        "expression": "1d20",
        "total": (n % 20) + 1,
        "rolled": {"sides": 20, "results": [(n % 20) + 1]},
        "label": format!("roll-{n}"),
        "rolled_at": "2026-11-25T20:00:00Z"
    }))
    .unwrap()
}

async fn all_rolls(client: &CoreClient) -> Vec<Roll> {
    let mut rolls = Vec::new();
    let mut query = RollQuery {
        limit: Some(200),
        ..RollQuery::default()
    };
    loop {
        let page: Page<Roll> = client.list_rolls(&query).await.unwrap();
        rolls.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return rolls,
        }
    }
}

async fn acknowledged_rolls_survive_kill_9(backend: Backend) {
    let database = TestDatabase::new(backend).await;
    let args = serve_args(&database.url);
    let secrets = Secrets::resolve(&args).unwrap();
    let store = Store::connect(&database.url).await.unwrap();
    let key =
        critfumble_core::auth::create_service_key(&store, args.key_env, &secrets.pepper, "load")
            .await
            .unwrap();
    store.close().await;

    let port = free_port();
    let base_url = format!("http://127.0.0.1:{port}");
    let child = Arc::new(Mutex::new(start_core(&database.url, port).await));
    // No retries in the first phase: a roll either got its 201 or it did not.
    let once = CoreClient::with_config(
        ClientConfig::new(base_url.clone(), key.clone())
            .with_retry(RetryPolicy::none())
            .with_timeout(Duration::from_secs(10)),
    )
    .unwrap();
    let acknowledged: Arc<Mutex<HashMap<usize, Roll>>> = Arc::default();
    let acked_count = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let killer = {
        let child = child.clone();
        let acked_count = acked_count.clone();
        tokio::spawn(async move {
            while acked_count.load(Ordering::SeqCst) < KILL_AFTER {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            // SIGKILL: no shutdown, no flush.
            child.lock().await.start_kill().unwrap();
        })
    };
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (once, acknowledged, acked_count, next) = (
            once.clone(),
            acknowledged.clone(),
            acked_count.clone(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= ROLLS {
                    return;
                }
                match once
                    .report_roll_with_key(&roll(n), &format!("durable-{n}"))
                    .await
                {
                    Ok(stored) => {
                        acknowledged.lock().await.insert(n, stored);
                        acked_count.fetch_add(1, Ordering::SeqCst);
                    }
                    // The server died: this roll may or may not be stored.
                    Err(_) => return,
                }
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    killer.await.unwrap();
    let _ = child.lock().await.wait().await;
    let acknowledged = Arc::try_unwrap(acknowledged).unwrap().into_inner();
    assert!(
        acknowledged.len() >= KILL_AFTER && acknowledged.len() < ROLLS,
        "the kill should land mid-run, got {} acknowledgements",
        acknowledged.len()
    );

    // Restart on the same database: every acknowledged roll is there exactly once.
    let _restarted = start_core(&database.url, port).await;
    let patient = CoreClient::with_config(
        ClientConfig::new(base_url.clone(), key.clone()).with_retry(RetryPolicy {
            max_attempts: 12,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        }),
    )
    .unwrap();
    let stored = all_rolls(&patient).await;
    let stored_ids: HashSet<_> = stored.iter().map(|roll| roll.id).collect();
    assert_eq!(stored_ids.len(), stored.len(), "a roll id appears twice");
    for (n, roll) in &acknowledged {
        assert!(
            stored_ids.contains(&roll.id),
            "acknowledged roll {n} was lost"
        );
    }
    let labels: Vec<_> = stored
        .iter()
        .filter_map(|roll| roll.label.clone())
        .collect();
    let unique: HashSet<_> = labels.iter().collect();
    assert_eq!(unique.len(), labels.len(), "a roll was stored twice");

    // Retry every key: acknowledged ones replay the same roll, the rest are stored now.
    let retried = Arc::new(Mutex::new(HashMap::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (patient, retried, next) = (patient.clone(), retried.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= ROLLS {
                    return;
                }
                let stored = patient
                    .report_roll_with_key(&roll(n), &format!("durable-{n}"))
                    .await
                    .unwrap_or_else(|error| panic!("retry of roll {n} failed: {error}"));
                retried.lock().await.insert(n, stored);
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let retried = Arc::try_unwrap(retried).unwrap().into_inner();
    for (n, roll) in &acknowledged {
        assert_eq!(retried[n].id, roll.id, "roll {n} was not replayed");
    }
    let stored = all_rolls(&patient).await;
    assert_eq!(stored.len(), ROLLS, "every roll stored exactly once");
    let labels: HashSet<_> = stored
        .iter()
        .filter_map(|roll| roll.label.clone())
        .collect();
    assert_eq!(labels.len(), ROLLS);
    eprintln!(
        "durability ({backend:?}): {} of {ROLLS} acknowledged before kill -9, all kept; \
         {} stored after retries",
        acknowledged.len(),
        stored.len()
    );
}
