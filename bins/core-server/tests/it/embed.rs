//! `EmbeddedCore`: Core opened inside another process, with a service key it keeps.

use critfumble_core::EmbeddedCore;
use critfumble_sdk::CoreClient;

use crate::harness::{Backend, TestDatabase, serve_args};

async fn serve(core: EmbeddedCore) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        core.serve(listener, std::future::pending()).await.unwrap();
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_core_serves_and_keeps_its_service_key() {
    let database = TestDatabase::new(Backend::Sqlite).await;
    let args = serve_args(&database.url);
    let first = EmbeddedCore::open(&args).await.unwrap();
    let key = first.service_key().to_owned();
    assert!(key.starts_with("cfk_dev_"), "{key}");
    let first_store = first.store().clone();
    let base_url = serve(first).await;
    // The key works as a service key: it may upsert users.
    let client = CoreClient::new(base_url, key.clone()).unwrap();
    let user = client
        .upsert_user(
            "700",
            &critfumble_sdk::wire::UpsertUserRequest {
                name: "Eve".into(),
                avatar: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(user.discord_id, "700");
    first_store.close().await;
    // Opening the same database again reuses the kept key rather than minting another.
    let second = EmbeddedCore::open(&args).await.unwrap();
    assert_eq!(second.service_key(), key);
    // A kept key that is no longer valid (here: garbage) is replaced by a working one.
    let kept = format!("{}.service-key", database.url);
    std::fs::write(&kept, "cfk_dev_not_a_key").unwrap();
    second.store().close().await;
    drop(second);
    let third = EmbeddedCore::open(&args).await.unwrap();
    assert_ne!(third.service_key(), key);
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), third.service_key());
    let third_key = third.service_key().to_owned();
    let client = CoreClient::new(serve(third).await, third_key).unwrap();
    assert_eq!(
        client.acting_as("700").unwrap().me().await.unwrap().id,
        user.id
    );
}

#[test]
fn default_args_are_core_defaults() {
    let args = EmbeddedCore::default_args().unwrap();
    // The environment of the test run may set DATABASE_URL; the listen default is fixed.
    assert_eq!(args.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(args.idempotency_lease_secs, 30);
}
