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
        Command::Keys { command } => keys(cli.serve, command).await,
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
    let state = AppState::new(store.clone(), &args, &secrets).await?;
    critfumble_core::housekeeping::spawn_rate_limit_cleanup(&state);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %listener.local_addr()?, "critfumble-core listening");
    critfumble_core::serve(listener, state, shutdown_signal()).await?;
    // Requests in flight have finished; let the pool flush and close its connections.
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn keys(args: ServeArgs, command: KeysCommand) -> anyhow::Result<()> {
    if let KeysCommand::Create { scope, .. } = &command
        && scope != "service"
    {
        anyhow::bail!(
            "--scope must be 'service' (user tokens are issued by POST /v1/me/tokens), got '{scope}'"
        );
    }
    let secrets = Secrets::resolve(&args)?;
    let store = Store::connect(&args.database_url)
        .await
        .with_context(|| format!("cannot open the database at {}", args.database_url))?;
    let outcome = run_keys(&args, &secrets, &store, command).await;
    store.close().await;
    outcome
}

async fn run_keys(
    args: &ServeArgs,
    secrets: &Secrets,
    store: &Store,
    command: KeysCommand,
) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { name, .. } => {
            let key = critfumble_core::auth::create_service_key(
                store,
                args.key_env,
                &secrets.pepper,
                &name,
            )
            .await?;
            eprintln!("created a service key; it is shown only once, store it now:");
            println!("{key}");
        }
        KeysCommand::List => print!("{}", critfumble_core::keys::list(store).await?),
        KeysCommand::Revoke { id } => {
            let key = critfumble_core::keys::revoke(store, id).await?;
            eprintln!("revoked service key {} ({})", key.id, key.name);
        }
        KeysCommand::Rotate { id, overlap_hours } => {
            let overlap = chrono::TimeDelta::hours(i64::from(overlap_hours));
            let (new, old) =
                critfumble_core::keys::rotate(store, args.key_env, &secrets.pepper, id, overlap)
                    .await?;
            let ends = old.expires_at.map(|at| at.to_rfc3339()).unwrap_or_default();
            eprintln!(
                "created a new service key named '{}'; the old key {} keeps working until \
                 {ends}. The new key is shown only once, store it now:",
                old.name, old.id
            );
            println!("{new}");
        }
    }
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
