//! `report_roll` against a real Core, started in this process on a fresh SQLite file.

use critfumble_core::config::{Secrets, ServeArgs};
use critfumble_core::{AppState, Store};
use critfumble_sdk::CoreClient;
use critfumble_sdk::api_key::KeyEnv;

use super::run;

/// A Core on 127.0.0.1:0 and a service key for it.
struct Core {
    url: String,
    key: String,
    _dir: tempfile::TempDir,
}

async fn start_core() -> Core {
    let dir = tempfile::tempdir().unwrap();
    let args = ServeArgs {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: dir.path().join("core.db").display().to_string(),
        discord_client_id: None,
        discord_client_secret: None,
        discord_api_base: "http://127.0.0.1:9/api".to_owned(),
        public_url: Some("http://127.0.0.1:9".to_owned()),
        webhook_secret: vec!["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".to_owned()],
        pepper: Some("example-pepper-example-pepper-example".to_owned()),
        fumblebot_url: "http://127.0.0.1:9".to_owned(),
        fumblebot_api_key: None,
        key_env: KeyEnv::Dev,
        idempotency_lease_secs: 30,
        rate_limit_user_per_minute: 0,
        rate_limit_user_burst: 0,
        rate_limit_service_per_minute: 0,
        rate_limit_service_burst: 0,
        rate_limit_ip_per_minute: 0,
        rate_limit_ip_burst: 0,
        rate_limit_user_ip_per_minute: 0,
        rate_limit_user_ip_burst: 0,
        client_ip_header: None,
        redis_url: None,
        ai_daily_tokens_per_campaign: 0,
    };
    let secrets = Secrets::resolve(&args).unwrap();
    let store = Store::connect(&args.database_url).await.unwrap();
    let key = critfumble_core::auth::create_service_key(
        &store,
        args.key_env,
        &secrets.pepper,
        "examples",
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(store, &args, &secrets).await.unwrap();
    tokio::spawn(async move {
        critfumble_core::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    Core {
        url,
        key,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_roll_stores_the_roll_in_core() {
    let core = start_core().await;
    let (url, key) = (core.url.clone(), core.key.clone());
    // The example is a separate process; wait for it off the runtime's threads.
    let out = tokio::task::spawn_blocking(move || {
        let env = [
            ("CRITFUMBLE_CORE_URL", url.as_str()),
            ("CRITFUMBLE_API_KEY", key.as_str()),
        ];
        run("report_roll", &["2d20kh1+5", "11"], &env)
    })
    .await
    .unwrap();
    let (id, markdown) = out.trim_end().split_once(' ').unwrap();
    // The oracle: Core's own record of the roll, read back through the SDK.
    let client = CoreClient::new(core.url.clone(), core.key.clone()).unwrap();
    let stored = client.get_roll(id.parse().unwrap()).await.unwrap();
    let expr = critfumble_dice::parse("2d20kh1+5").unwrap();
    let rolled = critfumble_dice::roll_with(
        &expr,
        &mut critfumble_dice::seeded_rng(11),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(stored.expression, "2d20kh1+5");
    assert_eq!(stored.total, rolled.total());
    // Core replayed the reported dice through the engine and found the same tree.
    assert_eq!(stored.verified, Some(true));
    assert_eq!(stored.markdown.as_deref(), Some(markdown));
    assert_eq!(markdown, rolled.markdown());
}

#[test]
fn report_roll_without_core_says_what_to_set() {
    let path = env!("CARGO_BIN_EXE_report_roll");
    let output = std::process::Command::new(path)
        .env_remove("CRITFUMBLE_CORE_URL")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("set CRITFUMBLE_CORE_URL"));
}
