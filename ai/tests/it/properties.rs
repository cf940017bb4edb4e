//! Property tests: any context text builds a prompt within budget or gives a
//! clear error, never a panic, and data can never escape its delimiters.

use critfumble_ai::{AiError, ModelInfo, PromptOptions, Provider, build_prompt, estimate_tokens};
use critfumble_sdk::wire::{AiChatRequest, ChatMessage};
use proptest::prelude::*;

const LOST_MINE: &str = include_str!("fixtures/lost_mine.json");

fn request_with(text: &str, question: &str) -> AiChatRequest {
    let mut request: AiChatRequest =
        serde_json::from_str(LOST_MINE).unwrap_or_else(|_| unreachable!());
    let context = &mut request.context;
    if let Some(campaign) = context.campaign.as_mut() {
        campaign.description = Some(text.to_owned());
    }
    context.characters[0].sheet.notes = Some(text.to_owned());
    context.recent_rolls[0].markdown = Some(text.to_owned());
    context.session_notes[0].notes = text.to_owned();
    request.messages.push(ChatMessage::assistant(text));
    request.messages.push(ChatMessage::user(question));
    request
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_builds_within_budget_or_fails_cleanly(
        text in "\\PC{0,400}",
        question in "\\PC{0,200}",
        cap in 0usize..3_000,
    ) {
        let mut options = PromptOptions::new(ModelInfo::custom("m", Provider::Anthropic, 200_000, 4_096));
        options.max_prompt_tokens = Some(cap);
        match build_prompt(&request_with(&text, &question), &options) {
            Ok(prompt) => {
                prop_assert!(prompt.prompt_tokens <= cap);
                let last = &prompt.request.messages.last().map(|m| m.content.clone()).unwrap_or_default();
                prop_assert!(last.ends_with(question.as_str()));
                // Data never adds a tag: the only `</context>` is ours.
                let all: String = prompt.request.messages.iter().map(|m| m.content.as_str()).collect();
                prop_assert!(all.matches("</context>").count() <= 1);
            }
            Err(AiError::NoQuestion) => prop_assert!(question.trim().is_empty()),
            Err(AiError::BudgetTooSmall { needed, budget, .. }) => prop_assert!(needed > budget),
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    #[test]
    fn the_estimate_never_panics_and_grows_with_text(a in "\\PC{0,200}", b in "\\PC{0,200}") {
        let joined = format!("{a} {b}");
        prop_assert!(estimate_tokens(&joined) + 1 >= estimate_tokens(&a));
    }
}
