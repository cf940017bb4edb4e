//! The `critfumble-core` binary: parses flags, installs tracing, and serves or manages keys.

use anyhow::Context;
use clap::Parser;
use critfumble_core::config::{Cli, Command, KeysCommand, Secrets, ServeArgs};
use critfumble_core::{AppState, Store};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr, so that `keys create` prints only the key on stdout.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.serve).await,
        Command::Keys {
            command: KeysCommand::Create { scope, name },
        } => create_key(cli.serve, &scope, &name).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let secrets = Secrets::resolve(&args)?;
    let store = Store::connect(&args.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", args.database_url))?;
    let purged = critfumble_core::housekeeping::purge_at_start(&store).await?;
    tracing::info!(backend = ?store.kind(), purged, "database ready");
    critfumble_core::housekeeping::spawn_hourly_purge(store.clone());
    let state = AppState::new(store.clone(), &args, &secrets)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "critfumble-core listening");
    axum::serve(listener, critfumble_core::app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Requests in flight have finished; let the pool flush and close its connections.
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn create_key(args: ServeArgs, scope: &str, name: &str) -> anyhow::Result<()> {
    if scope != "service" {
        anyhow::bail!(
            "--scope must be 'service' (user tokens are issued by POST /v1/me/tokens), got '{scope}'"
        );
    }
    let secrets = Secrets::resolve(&args)?;
    let store = Store::connect(&args.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", args.database_url))?;
    let key =
        critfumble_core::auth::create_service_key(&store, args.key_env, &secrets.pepper, name)
            .await?;
    store.close().await;
    eprintln!("created a service key; it is shown only once, store it now:");
    println!("{key}");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, which starts the graceful shutdown.
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
    tracing::info!("shutting down: finishing requests in flight");
}
