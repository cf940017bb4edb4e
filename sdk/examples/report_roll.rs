//! Rolls an expression with `critfumble-dice` and reports it to Core, tree and all, so
//! that Core can replay the dice and mark the roll verified: `CRITFUMBLE_CORE_URL`,
//! `CRITFUMBLE_API_KEY` and optionally `CRITFUMBLE_DISCORD_ID` (to act for that user with
//! a service key) come from the environment.
//!
//! ```text
//! CRITFUMBLE_CORE_URL=http://127.0.0.1:8080 CRITFUMBLE_API_KEY=cfk_dev_... \
//!     cargo run -p critfumble-sdk --example report_roll --features client -- 1d20+5
//! ```

use std::env;
use std::process::ExitCode;

use critfumble_sdk::CoreClient;
use critfumble_sdk::wire::{NewRoll, RollActor, RollSource, RolledNode};

fn required(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("set {name} (see the top of examples/report_roll.rs)"))
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let url = required("CRITFUMBLE_CORE_URL")?;
    let key = required("CRITFUMBLE_API_KEY")?;
    let expression = env::args().nth(1).unwrap_or_else(|| "1d20".to_owned());
    let parsed = critfumble_dice::parse(&expression)?;
    let rolled = critfumble_dice::roll(&parsed)?;
    let total = rolled.total();
    // The engine's JSON is the wire's tree: Core replays its dice to check the total.
    let tree = RolledNode::from_json(serde_json::to_value(&rolled)?);

    let mut core = CoreClient::new(url, key)?;
    let discord_id = env::var("CRITFUMBLE_DISCORD_ID").ok();
    if let Some(discord_id) = &discord_id {
        core = core.acting_as(discord_id)?;
    }
    let roll = NewRoll {
        source: RollSource::Api,
        actor: RollActor {
            discord_id,
            name: "report_roll example".into(),
            ..RollActor::default()
        },
        campaign_id: None,
        session_id: None,
        channel_id: None,
        expression: expression.clone(),
        dialect: None,
        total,
        rolled: Some(tree),
        markdown: Some(rolled.markdown()),
        label: Some("reported by the SDK example".into()),
        private: false,
        vtt_record: None,
        verified: None,
        rolled_at: chrono::Utc::now(),
    };
    roll.validate()?;
    let stored = core.report_roll(&roll).await?;
    println!("{}", serde_json::to_string_pretty(&stored)?);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
