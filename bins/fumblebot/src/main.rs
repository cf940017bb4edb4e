//! The `fumblebot` binary: parses flags, installs tracing, starts, and stops on a signal.

use clap::Parser;
use critfumble_fumblebot::Config;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than glibc's allocator: a request allocates many small, short-lived
/// values on two threads, and glibc's `malloc`/`free` were about 13 % of the interactions
/// bench's samples (bins/fumblebot/README.md, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    if config.generate_api_key {
        println!(
            "{}",
            critfumble_fumblebot::ai::generate_api_key().expose_secret()
        );
        return Ok(());
    }
    let running = critfumble_fumblebot::start(config).await?;
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    running.stop().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
