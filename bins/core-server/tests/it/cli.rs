//! The binary: `keys create`, start-up with no settings (development secrets), clear errors
//! for missing secrets, and a graceful stop on SIGTERM.

use std::process::Command;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_critfumble-core");

#[test]
fn keys_create_prints_only_the_key_and_refuses_user_scope() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let output = Command::new(BIN)
        .args([
            "--database-url",
            db.to_str().unwrap(),
            "keys",
            "create",
            "--scope",
            "service",
        ])
        .env_remove("CRITFUMBLE_WEBHOOK_SECRET")
        .env_remove("CRITFUMBLE_KEY_PEPPER")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.trim();
    assert!(
        key.starts_with("cfk_dev_") && !key.contains('\n'),
        "{stdout:?}"
    );
    critfumble_sdk::api_key::ApiKey::parse(key).unwrap();
    // With no secrets given, development secrets were generated beside the database.
    let secrets = dir.path().join("cli.db.secrets.json");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&secrets).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    assert!(String::from_utf8_lossy(&output.stderr).contains("development secrets"));
    let output = Command::new(BIN)
        .args([
            "--database-url",
            db.to_str().unwrap(),
            "keys",
            "create",
            "--scope",
            "user",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--scope must be 'service'"));
}

#[test]
fn postgres_needs_explicit_secrets() {
    let output = Command::new(BIN)
        .args(["--database-url", "postgres://postgres@127.0.0.1:5432/test"])
        .env_remove("CRITFUMBLE_WEBHOOK_SECRET")
        .env_remove("CRITFUMBLE_KEY_PEPPER")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("missing secret") && stderr.contains("CRITFUMBLE_KEY_PEPPER"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_with_no_settings_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(BIN)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("CRITFUMBLE_WEBHOOK_SECRET")
        .env_remove("CRITFUMBLE_KEY_PEPPER")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client =
        critfumble_sdk::CoreClient::new(format!("http://127.0.0.1:{port}"), "unused").unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if client.ready().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the server did not start with no settings");
    // The default database file was created in the working directory.
    assert!(dir.path().join("critfumble.db").exists());
    let pid = child.id().unwrap().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server stops within 10 s of SIGTERM")
        .unwrap();
    assert!(status.success(), "graceful stop exits 0, got {status}");
}

/// Runs `critfumble-core keys ...` on the database at `db` with the test secrets; returns
/// standard output, failing the test on a non-zero exit.
fn keys(db: &str, args: &[&str]) -> String {
    let output = Command::new(BIN)
        .args(["--database-url", db])
        .args(["--webhook-secret", crate::harness::WEBHOOK_SECRET])
        .args(["--pepper", crate::harness::PEPPER])
        .arg("keys")
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "keys {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The id of the listed key whose prefix starts `key`, and the rest of its row.
fn listed(list: &str, key: &str) -> (uuid::Uuid, String) {
    list.lines()
        .skip(1)
        .find_map(|row| {
            let mut columns = row.split('\t');
            let id = columns.next()?;
            let prefix = columns.next()?;
            key.starts_with(prefix)
                .then(|| (id.parse().unwrap(), row.to_owned()))
        })
        .unwrap_or_else(|| panic!("{key} is not in:\n{list}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_with_an_overlap_and_revoke_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.db").display().to_string();
    let old = keys(&db, &["create", "--name", "fumblebot"])
        .trim()
        .to_owned();
    let (old_id, _) = listed(&keys(&db, &["list"]), &old);
    let new = keys(
        &db,
        &["rotate", &old_id.to_string(), "--overlap-hours", "1"],
    )
    .trim()
    .to_owned();
    let list = keys(&db, &["list"]);
    let (new_id, new_row) = listed(&list, &new);
    let (_, old_row) = listed(&list, &old);
    assert!(
        new_row.contains("fumblebot") && new_row.ends_with("never"),
        "{new_row}"
    );
    assert!(old_row.contains("\texpires "), "{old_row}");
    // Both keys work during the overlap: /v1/me answers 403 (a service key acting for
    // nobody is no user), not 401.
    let server = crate::harness::TestServer::start_with(crate::harness::Backend::Sqlite, |args| {
        args.database_url = db.clone();
    })
    .await;
    let me = |key: &str| {
        server
            .http
            .get(format!("{}/v1/me", server.base_url))
            .bearer_auth(key)
            .send()
    };
    assert_eq!(me(&old).await.unwrap().status(), 403);
    assert_eq!(me(&new).await.unwrap().status(), 403);
    // Revoking the new key ends it at once (this process clears its key cache; the
    // server's cache holds keys for at most 2 s).
    keys(&db, &["revoke", &new_id.to_string()]);
    tokio::time::sleep(critfumble_core::store::KEY_CACHE_TTL).await;
    assert_eq!(me(&new).await.unwrap().status(), 401);
    assert_eq!(me(&old).await.unwrap().status(), 403);
    // A rotation without overlap ends the old key now.
    keys(
        &db,
        &["rotate", &old_id.to_string(), "--overlap-hours", "0"],
    );
    tokio::time::sleep(critfumble_core::store::KEY_CACHE_TTL).await;
    let expired = me(&old).await.unwrap();
    assert_eq!(expired.status(), 401);
    assert!(expired.text().await.unwrap().contains("expired"));
}
