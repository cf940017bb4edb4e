//! Game-aware prompts within a token budget, and OpenAI and Anthropic clients,
//! for a tabletop-RPG assistant.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(feature = "client")]
pub mod client;
mod error;
mod model;
mod prompt;
mod request;
mod sdk;
mod tokens;
mod usage;

pub use error::{AiError, Provider};
pub use model::{KnownModel, MODELS, ModelInfo, Prices, Tokenizer, model_info};
pub use prompt::{
    Budget, BuiltPrompt, GameSystem, ItemKind, PromptItem, PromptOptions, RetrievedNote,
    build_prompt,
};
pub use request::{Completion, CompletionRequest, Message, Role, StopReason, SystemBlock};
pub use sdk::token_usage;
pub use tokens::{TokenCounter, estimate_tokens};
pub use usage::{CostEstimate, Usage};
