//! Account linking while Core is down: a caller whose token Core accepted in the last
//! minute gets 202 `pending`, the signed event waits in the outbox, and once Core is back
//! the link is stored exactly once; a token FumbleBot has not seen cannot be checked, so it
//! gets 503 and nothing is queued.

use std::time::Duration;

use critfumble_sdk::wire::{VttLinkReceipt, VttLinkStatus};
use serde_json::json;
use tokio::sync::oneshot;

use crate::bridge::{MIRA, configure_bridge};
use crate::harness::{TestBot, TestCore};

/// Core on a fixed address and a database that outlive it, so that it can be stopped and
/// started again.
struct RestartableCore {
    database: std::path::PathBuf,
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<critfumble_core::Store>>,
}

impl RestartableCore {
    /// Starts Core, and a handle on it for the test.
    async fn start(database: std::path::PathBuf, port: u16) -> (RestartableCore, TestCore) {
        let mut core = RestartableCore {
            database,
            port,
            stop: None,
            serving: None,
        };
        let handle = core.serve().await;
        (core, handle)
    }

    async fn serve(&mut self) -> TestCore {
        let database = self.database.display().to_string();
        let (core, mut handle) = TestCore::open_with(|args| args.database_url = database).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        handle.base_url = format!("http://127.0.0.1:{}", self.port);
        let (stop, stopped) = oneshot::channel();
        self.stop = Some(stop);
        self.serving = Some(tokio::spawn(async move {
            core.serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
            core.store().clone()
        }));
        handle
    }

    /// Stops Core (its connections closed, its database closed) and checks that nothing
    /// answers on its address.
    async fn stop(&mut self) {
        let _ = self.stop.take().unwrap().send(());
        let serving = self.serving.take().unwrap();
        let Ok(stopped) = tokio::time::timeout(Duration::from_secs(20), serving).await else {
            panic!("core did not stop");
        };
        let store = stopped.unwrap();
        store.close().await;
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_err(),
            "core still answers"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_while_core_is_down_is_stored_once_when_it_returns() {
    let dir = tempfile::tempdir().unwrap();
    let port = crate::durability::free_port();
    let (mut core, handle) = RestartableCore::start(dir.path().join("core.db"), port).await;
    let mira = handle.user_token(MIRA, "Mira").await;
    let bob = handle.user_token("700000000000000029", "Bob").await;
    let bot = TestBot::start_on(handle.handle(), configure_bridge).await;
    let http = reqwest::Client::new();
    let post = |token: &str, body: serde_json::Value| {
        http.post(format!(
            "http://{}/vtt/accounts/link",
            bot.running.address()
        ))
        .bearer_auth(token.to_owned())
        .json(&body)
        .send()
    };
    // Mira's extension calls the bridge while Core is up: her token is checked once.
    let response = http
        .post(format!("http://{}/vtt/chat", bot.running.address()))
        .bearer_auth(&mira)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    core.stop().await;
    let link = json!({"vtt": "roll20", "vtt_user_id": "-Mira-Roll20", "display_name": "Mira"});
    // Linked while Core is away, and again (an extension retrying): each is pending.
    for _ in 0..2 {
        let response = post(&mira, link.clone()).await.unwrap();
        assert_eq!(response.status(), 202);
        let receipt: VttLinkReceipt = response.json().await.unwrap();
        assert_eq!(receipt.status, VttLinkStatus::Pending);
    }
    // Bob's token is real, but FumbleBot has not seen it and cannot ask Core: nothing can
    // vouch for it, so nothing is queued for it.
    let response = post(
        &bob,
        json!({"vtt": "roll20", "vtt_user_id": "-Bob-Roll20", "display_name": "Bob"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(bot.running.state().outbox().pending().await.unwrap(), 2);

    // Core comes back on the same address and database; the outbox delivers.
    let handle = core.serve().await;
    let as_mira = handle.client().acting_as(MIRA).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while bot.running.state().outbox().pending().await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox never delivered the links"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(bot.running.state().outbox().parked().await.unwrap(), 0);
    let accounts = as_mira.list_vtt_accounts().await.unwrap().items;
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0].vtt_user_id, "-Mira-Roll20");
    assert!(accounts[0].verified_at.is_some());
    let as_bob = handle.client().acting_as("700000000000000029").unwrap();
    assert!(as_bob.list_vtt_accounts().await.unwrap().items.is_empty());
    // With Core up, the same link is Core's verdict again.
    let response = post(&mira, link).await.unwrap();
    assert_eq!(response.status(), 200);
    let receipt: VttLinkReceipt = response.json().await.unwrap();
    assert_eq!(receipt.status, VttLinkStatus::AlreadyLinked);
    core.stop().await;
}
