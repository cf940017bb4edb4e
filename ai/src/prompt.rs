//! Building the prompt for an AI chat request within the model's token budget.
//!
//! This module is pure: no I/O, no clock, no async runtime. It compiles for
//! `wasm32-unknown-unknown`.
//!
//! # Layout
//!
//! The stable part comes first so that prompt caches can reuse it:
//!
//! 1. system block 1 (cache breakpoint): the persona and its rules, the same for every campaign;
//! 2. system block 2 (cache breakpoint): game-system guidance and the `<campaign>`;
//! 3. system block 3, only when Core sent `system` messages: those instructions;
//! 4. the conversation history, oldest first, its newest message marked as a cache breakpoint;
//! 5. the last user message: a `<context>` with `<characters>`, `<recent_rolls>`,
//!    `<session_notes>` and `<retrieved_notes>`, then the question.
//!
//! # Budget
//!
//! The prompt may use the model's context window minus the output limit minus
//! a margin (and at most [`PromptOptions::max_prompt_tokens`]). The system
//! prompt and the question are always kept; then, in priority order, the
//! character sheets, the campaign, the recent rolls, the session notes, the
//! retrieved notes, and the history from newest to oldest are added while they
//! fit. Items are kept or dropped whole, and [`BuiltPrompt::dropped`] lists what
//! was left out. The finished request is counted once more as a whole and, if
//! token merges across item boundaries push it over, the lowest-priority item
//! goes too, so [`BuiltPrompt::prompt_tokens`] never exceeds the budget.

use critfumble_sdk::wire::{AiChatRequest, ChatRole};

use crate::model::ModelInfo;
use crate::request::{CompletionRequest, Role};
use crate::tokens::TokenCounter;
use crate::{AiError, model_info};
use assembly::{Assembly, CONTEXT_PREAMBLE, PRIORITY, SECTIONS, candidates};

mod assembly;
mod persona;
mod render;
#[cfg(test)]
mod tests;

pub use persona::GameSystem;

/// A note found for this question by retrieval (FumbleBot's search over the
/// campaign's notes), which the SDK's context does not carry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RetrievedNote {
    /// The note's title.
    pub title: String,
    /// The text.
    pub text: String,
}

/// How to build a prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptOptions {
    /// The model, which sets the context window and the tokenizer.
    pub model: ModelInfo,
    /// The output limit sent to the provider; it is reserved out of the window.
    pub max_output_tokens: usize,
    /// Tokens kept free for counting error and provider framing.
    pub margin_tokens: usize,
    /// A lower cap on the prompt than the window allows, to bound cost.
    pub max_prompt_tokens: Option<usize>,
    /// Notes retrieved for this question, most relevant first.
    pub retrieved_notes: Vec<RetrievedNote>,
    /// Sampling temperature, when not the provider's default.
    pub temperature: Option<f32>,
}

impl PromptOptions {
    /// Defaults for `model`: at most 1,024 output tokens, a margin of 2% of
    /// the window (at least 256 tokens), no cap, no retrieved notes.
    pub fn new(model: ModelInfo) -> PromptOptions {
        PromptOptions {
            max_output_tokens: model.max_output_tokens.min(1024),
            margin_tokens: (model.context_window / 50).max(256),
            model,
            max_prompt_tokens: None,
            retrieved_notes: Vec::new(),
            temperature: None,
        }
    }

    /// Defaults for a model from the table ([`crate::MODELS`]).
    pub fn for_model_id(id: &str) -> Result<PromptOptions, AiError> {
        model_info(id)
            .map(PromptOptions::new)
            .ok_or_else(|| AiError::UnknownModel(id.to_owned()))
    }
}

/// How the window was divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Budget {
    /// The model's context window.
    pub context_window: usize,
    /// Reserved for the answer.
    pub max_output_tokens: usize,
    /// Kept free.
    pub margin_tokens: usize,
    /// What the prompt may use.
    pub prompt_tokens: usize,
}

/// What a piece of the prompt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// The system prompt (always kept).
    System,
    /// The question (always kept).
    Question,
    /// A character sheet.
    Character,
    /// The campaign summary.
    Campaign,
    /// A recent roll.
    RecentRoll,
    /// One session's notes.
    SessionNotes,
    /// A retrieved note.
    RetrievedNote,
    /// An earlier chat message.
    History,
}

/// One piece of the prompt and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PromptItem {
    /// What it is.
    pub kind: ItemKind,
    /// Which one (a character's name, a roll's expression, `user message 3`).
    pub label: String,
    /// Its tokens, counted on its own.
    pub tokens: usize,
}

/// A prompt ready to send, with an account of what went in and what was left out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuiltPrompt {
    /// The request to send, with `client::LlmProvider` (feature `client`) or any other client.
    pub request: CompletionRequest,
    /// How the window was divided.
    pub budget: Budget,
    /// Tokens in the whole request, counted after assembly.
    pub prompt_tokens: usize,
    /// Whether that count is exact (tiktoken) rather than the estimate.
    pub exact_count: bool,
    /// The game system whose guidance was used.
    pub game_system: GameSystem,
    /// What went in, in priority order.
    pub included: Vec<PromptItem>,
    /// What did not fit, in priority order.
    pub dropped: Vec<PromptItem>,
}
/// Builds the prompt for `request` within the budget of `options`.
///
/// ```
/// use critfumble_ai::{PromptOptions, build_prompt};
/// use critfumble_sdk::wire::{AiChatRequest, ChatMessage};
///
/// let request = AiChatRequest {
///     messages: vec![ChatMessage::user("Can a prone creature be grappled?")],
///     context: Default::default(),
///     model: None,
/// };
/// let prompt = build_prompt(&request, &PromptOptions::for_model_id("claude-haiku-4-5")?)?;
/// assert_eq!(prompt.request.messages.len(), 1);
/// assert!(prompt.prompt_tokens <= prompt.budget.prompt_tokens);
/// assert!(prompt.dropped.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build_prompt(
    request: &AiChatRequest,
    options: &PromptOptions,
) -> Result<BuiltPrompt, AiError> {
    let counter = TokenCounter::for_model(&options.model);
    let budget = budget(options)?;
    let (question, earlier) = match request.messages.split_last() {
        Some((last, earlier)) if last.role == ChatRole::User && !last.content.trim().is_empty() => {
            (last.content.as_str(), earlier)
        }
        _ => return Err(AiError::NoQuestion),
    };
    let context = &request.context;
    let game_system = context
        .campaign
        .as_ref()
        .map_or(GameSystem::Generic, |campaign| {
            GameSystem::from_name(&campaign.game_system)
        });

    let service_instructions: Vec<&str> = earlier
        .iter()
        .filter(|message| message.role == ChatRole::System)
        .map(|message| message.content.as_str())
        .collect();
    let candidates = candidates(request, options, earlier, &counter);

    let mut builder = Assembly {
        options,
        game_system,
        service_instructions,
        question,
        candidates: &candidates,
        chosen: vec![false; candidates.len()],
    };
    let required = counter.count_request(&builder.assemble());
    if required > budget.prompt_tokens {
        return Err(AiError::BudgetTooSmall {
            model: options.model.id.clone(),
            needed: required,
            budget: budget.prompt_tokens,
        });
    }

    // Greedy fill by marginal cost, in priority order.
    let mut used = required;
    let mut opened = Vec::new();
    let mut history_full = false;
    for kind in PRIORITY {
        for (index, candidate) in candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.item.kind == kind)
        {
            if kind == ItemKind::History && history_full {
                continue;
            }
            // The first item of a section also pays for the section's tags, and
            // the first section for the <context> around them all.
            let section = SECTIONS.iter().find(|(section, ..)| *section == kind);
            let mut cost = candidate.item.tokens;
            if let Some((_, tag, note)) = section.filter(|_| !opened.contains(&kind)) {
                cost += counter.count(&format!("<{tag}>\n{note}\n</{tag}>\n"));
                if opened.is_empty() {
                    cost += counter.count(&format!("<context>\n{CONTEXT_PREAMBLE}</context>\n\n"));
                }
            }
            if used + cost <= budget.prompt_tokens {
                used += cost;
                builder.chosen[index] = true;
                if section.is_some() && !opened.contains(&kind) {
                    opened.push(kind);
                }
            } else if kind == ItemKind::History {
                // Older messages without the newer ones would make no sense.
                history_full = true;
            }
        }
    }
    builder.drop_leading_assistant();

    // Check the assembled whole; merges across boundaries can differ from the sum.
    let mut assembled = builder.assemble();
    let mut prompt_tokens = counter.count_request(&assembled);
    while prompt_tokens > budget.prompt_tokens {
        let Some(last) = builder.lowest_priority_chosen() else {
            break;
        };
        builder.chosen[last] = false;
        builder.drop_leading_assistant();
        assembled = builder.assemble();
        prompt_tokens = counter.count_request(&assembled);
    }

    let mut included = vec![
        PromptItem {
            kind: ItemKind::System,
            label: "system prompt".to_owned(),
            tokens: counter.count(&assembled.system_text()),
        },
        PromptItem {
            kind: ItemKind::Question,
            label: "question".to_owned(),
            tokens: counter.count(question),
        },
    ];
    let mut dropped = Vec::new();
    for (candidate, chosen) in candidates.iter().zip(&builder.chosen) {
        if *chosen {
            included.push(candidate.item.clone())
        } else {
            dropped.push(candidate.item.clone())
        }
    }
    Ok(BuiltPrompt {
        request: assembled,
        budget,
        prompt_tokens,
        exact_count: counter.is_exact(),
        game_system,
        included,
        dropped,
    })
}

fn budget(options: &PromptOptions) -> Result<Budget, AiError> {
    let window = options.model.context_window;
    let reserved = options.max_output_tokens + options.margin_tokens;
    if window <= reserved {
        return Err(AiError::NoRoomForPrompt {
            model: options.model.id.clone(),
            context_window: window,
            max_output_tokens: options.max_output_tokens,
            margin: options.margin_tokens,
        });
    }
    let available = window - reserved;
    Ok(Budget {
        context_window: window,
        max_output_tokens: options.max_output_tokens,
        margin_tokens: options.margin_tokens,
        prompt_tokens: options
            .max_prompt_tokens
            .map_or(available, |cap| cap.min(available)),
    })
}
impl BuiltPrompt {
    /// The prompt as plain text, for logs, reviews and snapshot tests: the
    /// budget, each system block and message with its role, and what was dropped.
    pub fn transcript(&self) -> String {
        let mut out = format!(
            "model {} | window {} - output {} - margin {} = budget {} | used {} ({})\n",
            self.request.model,
            self.budget.context_window,
            self.budget.max_output_tokens,
            self.budget.margin_tokens,
            self.budget.prompt_tokens,
            self.prompt_tokens,
            if self.exact_count {
                "exact"
            } else {
                "estimate"
            },
        );
        for block in &self.request.system {
            let cache = if block.cache_breakpoint {
                " [cache breakpoint]"
            } else {
                ""
            };
            out.push_str(&format!("=== system{cache}\n{}\n", block.text));
        }
        for message in &self.request.messages {
            let role = match message.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            let cache = if message.cache_breakpoint {
                " [cache breakpoint]"
            } else {
                ""
            };
            out.push_str(&format!("=== {role}{cache}\n{}\n", message.content));
        }
        out.push_str("=== dropped\n");
        if self.dropped.is_empty() {
            out.push_str("(nothing)\n");
        }
        for item in &self.dropped {
            out.push_str(&format!(
                "{:?} {:?} ({} tokens)\n",
                item.kind, item.label, item.tokens
            ));
        }
        out
    }
}
