//! Unit tests of the budget arithmetic and the history rules.

use critfumble_sdk::wire::{AiChatRequest, ChatMessage, ChatRole};

use super::*;
use crate::Provider;

fn tiny_model(window: usize) -> PromptOptions {
    let mut options =
        PromptOptions::new(ModelInfo::custom("local", Provider::OpenAi, window, 4096));
    options.max_output_tokens = 100;
    options.margin_tokens = 50;
    options
}

fn chat(messages: Vec<ChatMessage>) -> AiChatRequest {
    AiChatRequest {
        messages,
        context: Default::default(),
        model: None,
    }
}

#[test]
fn the_budget_is_window_minus_output_minus_margin_capped() {
    let mut options = tiny_model(10_000);
    assert_eq!(budget(&options).expect("room").prompt_tokens, 9_850);
    options.max_prompt_tokens = Some(2_000);
    assert_eq!(budget(&options).expect("room").prompt_tokens, 2_000);
    options.max_prompt_tokens = Some(20_000);
    assert_eq!(budget(&options).expect("room").prompt_tokens, 9_850);
}

#[test]
fn no_room_for_a_prompt_is_an_error() {
    let error = budget(&tiny_model(150)).expect_err("no room");
    assert_eq!(
        error.to_string(),
        "model 'local' has a context window of 150 tokens, too small for 100 output tokens and a margin of 50 tokens"
    );
}

#[test]
fn the_last_message_must_be_a_user_question() {
    let options = tiny_model(10_000);
    for messages in [
        vec![],
        vec![ChatMessage::user("hi"), ChatMessage::assistant("hello")],
        vec![ChatMessage::user("   ")],
        vec![ChatMessage {
            role: ChatRole::System,
            content: "be brief".to_owned(),
        }],
    ] {
        let error = build_prompt(&chat(messages), &options).expect_err("no question");
        assert!(matches!(error, AiError::NoQuestion), "{error:?}");
    }
}

#[test]
fn a_question_larger_than_the_budget_is_an_error() {
    let options = tiny_model(2_000);
    let error = build_prompt(
        &chat(vec![ChatMessage::user("word ".repeat(3_000))]),
        &options,
    )
    .expect_err("too big");
    match error {
        AiError::BudgetTooSmall { needed, budget, .. } => {
            assert!(needed > budget && budget == 1_850)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn history_keeps_the_newest_and_starts_with_a_user_message() {
    let mut messages = Vec::new();
    for turn in 0..40 {
        messages.push(ChatMessage::user(format!(
            "question {turn} {}",
            "about grappling rules ".repeat(20)
        )));
        messages.push(ChatMessage::assistant(format!(
            "answer {turn} {}",
            "you may shove or grapple ".repeat(20)
        )));
    }
    messages.push(ChatMessage::user("and now?"));
    let mut options = tiny_model(100_000);
    options.max_prompt_tokens = Some(3_000);
    let prompt = build_prompt(&chat(messages), &options).expect("prompt");
    assert!(prompt.prompt_tokens <= 3_000);
    let kept = &prompt.request.messages;
    assert_eq!(kept.first().map(|m| m.role), Some(Role::User));
    assert_eq!(kept.last().map(|m| m.content.as_str()), Some("and now?"));
    // The kept history is the newest stretch: it ends with the last answer.
    assert!(kept[kept.len() - 2].content.starts_with("answer 39 "));
    assert!(
        prompt
            .dropped
            .iter()
            .all(|item| item.kind == ItemKind::History)
    );
    assert_eq!(prompt.dropped.len() + kept.len() - 1, 80);
    assert_eq!(
        prompt.dropped.last().map(|item| item.label.as_str()),
        Some("user message 1")
    );
}

#[test]
fn system_messages_become_service_instructions() {
    let messages = vec![
        ChatMessage {
            role: ChatRole::System,
            content: "Answer in French.".to_owned(),
        },
        ChatMessage::user("What is a saving throw?"),
    ];
    let prompt = build_prompt(&chat(messages), &tiny_model(100_000)).expect("prompt");
    let last = prompt.request.system.last().expect("block");
    assert_eq!(
        last.text,
        "Instructions from the Crit-Fumble service:\nAnswer in French."
    );
    assert!(!last.cache_breakpoint);
    assert_eq!(prompt.request.messages.len(), 1);
}
