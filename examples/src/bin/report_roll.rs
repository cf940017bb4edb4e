//! Rolls an expression and reports the roll to Core with the SDK's
//! `CoreClient`, then prints the id Core stored it under.
//!
//! ```text
//! CRITFUMBLE_CORE_URL=http://127.0.0.1:8080 CRITFUMBLE_API_KEY=cfk_dev_... \
//!     cargo run -p critfumble-examples --bin report_roll -- "1d20+5" [SEED]
//! ```

use std::process::ExitCode;

use critfumble_dice::parse;
use critfumble_sdk::CoreClient;
use critfumble_sdk::wire::{NewRoll, RollActor, RollSource, RolledNode};

fn required(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see the top of src/bin/report_roll.rs)"))
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let core = CoreClient::new(
        required("CRITFUMBLE_CORE_URL")?,
        required("CRITFUMBLE_API_KEY")?,
    )?;
    let mut args = std::env::args().skip(1);
    let expression = args.next().unwrap_or_else(|| "1d20+5".to_owned());
    let expr = parse(&expression)?;
    let rolled = critfumble_examples::roll_with_seed(&expr, args.next())?;
    let roll = NewRoll {
        source: RollSource::Api,
        actor: RollActor {
            name: "the report_roll example".into(),
            ..RollActor::default()
        },
        campaign_id: None,
        session_id: None,
        channel_id: None,
        expression: expression.clone(),
        dialect: None,
        total: rolled.total(),
        // The engine's JSON is the wire's tree: Core replays its dice to check the total.
        rolled: Some(RolledNode::from_json(serde_json::to_value(&rolled)?)),
        markdown: Some(rolled.markdown()),
        label: Some("reported by an example".into()),
        private: false,
        vtt_record: None,
        verified: None,
        rolled_at: chrono::Utc::now(),
    };
    roll.validate()?;
    // The client retries safely: it sends one idempotency key for every attempt.
    let stored = core.report_roll(&roll).await?;
    println!("{} {}", stored.id, rolled.markdown());
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    critfumble_examples::finish(run().await)
}
