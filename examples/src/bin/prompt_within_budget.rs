//! Builds an AI prompt from a campaign's context within a token budget, and
//! shows what went in and what was left out. Nothing is sent anywhere.
//!
//! ```text
//! cargo run -p critfumble-examples --bin prompt_within_budget -- [MAX_PROMPT_TOKENS]
//! ```

use std::process::ExitCode;

use critfumble_ai::{PromptOptions, build_prompt};
use critfumble_sdk::wire::{AiChatRequest, AiContext, ChatMessage, ContextRoll, SessionNotes};

/// A question with some history, a few recent rolls and two sessions of notes.
fn request() -> AiChatRequest {
    let at = |hour: u32| {
        chrono::NaiveDate::from_ymd_opt(2026, 3, 14)
            .and_then(|day| day.and_hms_opt(hour, 0, 0))
            .map(|time| time.and_utc())
            .unwrap_or_default()
    };
    let notes = |number: u32, text: &str| SessionNotes {
        session_id: uuid_for(number),
        title: Some(format!("Session {number}")),
        started_at: at(number),
        notes: text.repeat(8),
    };
    AiChatRequest {
        messages: vec![
            ChatMessage::user("We fought the owlbear last time. What did it drop?"),
            ChatMessage::assistant("A silver locket with a portrait of a drowned king inside."),
            ChatMessage::user("Can Brokk grapple the cultist leader while she is flying?"),
        ],
        context: AiContext {
            recent_rolls: vec![ContextRoll {
                actor_name: "Brokk".into(),
                expression: "1d20+7".into(),
                total: 19.0,
                label: Some("Athletics".into()),
                markdown: None,
                rolled_at: at(20),
            }],
            session_notes: vec![
                notes(
                    11,
                    "The party cleared the lighthouse and freed its keeper. ",
                ),
                notes(
                    12,
                    "The cult leader escaped on a giant bat toward the reef. ",
                ),
            ],
            ..AiContext::default()
        },
        model: None,
    }
}

/// A fixed session id, so that the example prints the same thing every run.
fn uuid_for(number: u32) -> uuid::Uuid {
    uuid::Uuid::from_u128(u128::from(number))
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let budget: usize = std::env::args()
        .nth(1)
        .map_or(Ok(2_000), |text| text.parse())?;
    let mut options = PromptOptions::for_model_id("gpt-4o-mini")?;
    // A cost cap far below the model's window.
    options.max_prompt_tokens = Some(budget);
    let prompt = build_prompt(&request(), &options)?;
    println!(
        "{} of {} prompt tokens ({})",
        prompt.prompt_tokens,
        prompt.budget.prompt_tokens,
        if prompt.exact_count {
            "exact"
        } else {
            "estimated"
        }
    );
    for item in &prompt.included {
        println!(
            "  in:  {:?} {} ({} tokens)",
            item.kind, item.label, item.tokens
        );
    }
    for item in &prompt.dropped {
        println!(
            "  out: {:?} {} ({} tokens)",
            item.kind, item.label, item.tokens
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    critfumble_examples::finish(run())
}
