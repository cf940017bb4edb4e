//! The fake Discord of FumbleBot's integration tests (`tests/it/fake_discord.rs`: REST
//! and the gateway) as a process, so that the browser extension's end-to-end test
//! (`scripts/test-extension`) runs FumbleBot against the same fake. It prints one line of
//! JSON, `{"base": "http://127.0.0.1:<port>"}`, for `--discord-api-base`, and serves until
//! it is killed. The test drives it through `/_fake/...` (see the module's docs).
#![expect(
    clippy::unwrap_used,
    reason = "a test fixture: a setup failure should stop it loudly"
)]

#[path = "../tests/it/fake_discord.rs"]
#[expect(
    dead_code,
    reason = "the in-process tests' helpers (wait_for, fail_next) are not used by the process"
)]
mod fake_discord;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let discord = fake_discord::FakeDiscord::start().await;
    println!("{}", serde_json::json!({"base": discord.base()}));
    tokio::signal::ctrl_c().await.unwrap();
}
