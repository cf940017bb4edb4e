//! Known models: context windows, output limits, tokenizers and prices.
//!
//! Prices are US dollars per million tokens as published by OpenAI and Anthropic in
//! late 2025 (standard tier, 5-minute cache writes for Anthropic). They change: treat
//! a [`crate::CostEstimate`] as an estimate and update [`MODELS`] when the pages change.

use crate::Provider;

/// How text is turned into tokens for a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tokenizer {
    /// OpenAI's `o200k_base` (GPT-4o, GPT-4.1, GPT-5, o-series).
    O200kBase,
    /// OpenAI's `cl100k_base` (GPT-4, GPT-3.5).
    Cl100kBase,
    /// No public tokenizer: the conservative estimate of [`crate::estimate_tokens`].
    Estimate,
}

/// Prices in US dollars per million tokens, stored as whole micro-dollars
/// (`2_500_000` is $2.50) so that cost arithmetic is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Prices {
    /// Uncached input tokens.
    pub input_micros_per_mtok: u64,
    /// Output tokens.
    pub output_micros_per_mtok: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_micros_per_mtok: u64,
    /// Input tokens written to the prompt cache (Anthropic; OpenAI does not charge extra).
    pub cache_write_micros_per_mtok: u64,
}

/// What the prompt builder and the cost estimate need to know about a model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelInfo {
    /// The model id, or the prefix of dated snapshot ids (`gpt-4o` matches `gpt-4o-2024-08-06`).
    pub id: String,
    /// Who serves it.
    pub provider: Provider,
    /// Input plus output tokens the model accepts.
    pub context_window: usize,
    /// The most output tokens one response may have.
    pub max_output_tokens: usize,
    /// How to count its tokens.
    pub tokenizer: Tokenizer,
    /// What it costs, when known (models on self-hosted servers have no price).
    pub prices: Option<Prices>,
}

impl ModelInfo {
    /// A model that is not in the table, such as one served by Ollama or vLLM
    /// through the OpenAI-compatible API. It has no price and its tokens are estimated.
    pub fn custom(
        id: impl Into<String>,
        provider: Provider,
        context_window: usize,
        max_output_tokens: usize,
    ) -> ModelInfo {
        ModelInfo {
            id: id.into(),
            provider,
            context_window,
            max_output_tokens,
            tokenizer: Tokenizer::Estimate,
            prices: None,
        }
    }
}

/// One row of the static table.
#[derive(Debug, Clone, Copy)]
pub struct KnownModel {
    /// Model id or snapshot prefix.
    pub id: &'static str,
    /// Who serves it.
    pub provider: Provider,
    /// Context window in tokens.
    pub context_window: usize,
    /// Output limit in tokens.
    pub max_output_tokens: usize,
    /// Tokenizer.
    pub tokenizer: Tokenizer,
    /// Prices.
    pub prices: Prices,
}

const fn usd(input: u64, output: u64, cache_read: u64, cache_write: u64) -> Prices {
    Prices {
        input_micros_per_mtok: input,
        output_micros_per_mtok: output,
        cache_read_micros_per_mtok: cache_read,
        cache_write_micros_per_mtok: cache_write,
    }
}

const fn openai(id: &'static str, context: usize, output: usize, prices: Prices) -> KnownModel {
    KnownModel {
        id,
        provider: Provider::OpenAi,
        context_window: context,
        max_output_tokens: output,
        tokenizer: Tokenizer::O200kBase,
        prices,
    }
}

const fn anthropic(id: &'static str, output: usize, prices: Prices) -> KnownModel {
    KnownModel {
        id,
        provider: Provider::Anthropic,
        context_window: 200_000,
        max_output_tokens: output,
        tokenizer: Tokenizer::Estimate,
        prices,
    }
}

/// The models this crate knows, with prices in micro-dollars per million tokens.
pub const MODELS: &[KnownModel] = &[
    openai(
        "gpt-5",
        400_000,
        128_000,
        usd(1_250_000, 10_000_000, 125_000, 0),
    ),
    openai(
        "gpt-5-mini",
        400_000,
        128_000,
        usd(250_000, 2_000_000, 25_000, 0),
    ),
    openai(
        "gpt-5-nano",
        400_000,
        128_000,
        usd(50_000, 400_000, 5_000, 0),
    ),
    openai(
        "gpt-4.1",
        1_047_576,
        32_768,
        usd(2_000_000, 8_000_000, 500_000, 0),
    ),
    openai(
        "gpt-4.1-mini",
        1_047_576,
        32_768,
        usd(400_000, 1_600_000, 100_000, 0),
    ),
    openai(
        "gpt-4.1-nano",
        1_047_576,
        32_768,
        usd(100_000, 400_000, 25_000, 0),
    ),
    openai(
        "gpt-4o",
        128_000,
        16_384,
        usd(2_500_000, 10_000_000, 1_250_000, 0),
    ),
    openai(
        "gpt-4o-mini",
        128_000,
        16_384,
        usd(150_000, 600_000, 75_000, 0),
    ),
    KnownModel {
        tokenizer: Tokenizer::Cl100kBase,
        ..openai(
            "gpt-4-turbo",
            128_000,
            4_096,
            usd(10_000_000, 30_000_000, 10_000_000, 0),
        )
    },
    anthropic(
        "claude-opus-4-5",
        64_000,
        usd(5_000_000, 25_000_000, 500_000, 6_250_000),
    ),
    anthropic(
        "claude-opus-4-1",
        32_000,
        usd(15_000_000, 75_000_000, 1_500_000, 18_750_000),
    ),
    anthropic(
        "claude-opus-4",
        32_000,
        usd(15_000_000, 75_000_000, 1_500_000, 18_750_000),
    ),
    anthropic(
        "claude-sonnet-4-5",
        64_000,
        usd(3_000_000, 15_000_000, 300_000, 3_750_000),
    ),
    anthropic(
        "claude-sonnet-4",
        64_000,
        usd(3_000_000, 15_000_000, 300_000, 3_750_000),
    ),
    anthropic(
        "claude-haiku-4-5",
        64_000,
        usd(1_000_000, 5_000_000, 100_000, 1_250_000),
    ),
    anthropic(
        "claude-3-5-haiku",
        8_192,
        usd(800_000, 4_000_000, 80_000, 1_000_000),
    ),
];

/// Looks a model up by id. Dated snapshots match their family by the longest
/// prefix followed by `-`: `claude-sonnet-4-5-20250929` is `claude-sonnet-4-5`,
/// and `gpt-4o-mini-2024-07-18` is `gpt-4o-mini`, not `gpt-4o`.
///
/// ```
/// let model = critfumble_ai::model_info("gpt-4o-2024-08-06").ok_or("unknown model")?;
/// assert_eq!(model.context_window, 128_000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn model_info(id: &str) -> Option<ModelInfo> {
    find_known(id).map(|known| ModelInfo {
        id: id.to_owned(),
        provider: known.provider,
        context_window: known.context_window,
        max_output_tokens: known.max_output_tokens,
        tokenizer: known.tokenizer,
        prices: Some(known.prices),
    })
}

fn find_known(id: &str) -> Option<&'static KnownModel> {
    MODELS
        .iter()
        .filter(|known| {
            id == known.id
                || id
                    .strip_prefix(known.id)
                    .is_some_and(|rest| rest.starts_with('-') && is_snapshot_suffix(&rest[1..]))
        })
        .max_by_key(|known| known.id.len())
}

/// A snapshot suffix is a date (`20250929`, `2024-08-06`) or `latest`, so that
/// `gpt-4o-mini` is not mistaken for a snapshot of `gpt-4o`.
fn is_snapshot_suffix(rest: &str) -> bool {
    rest == "latest" || (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_resolve_to_their_family() {
        let cases = [
            ("gpt-4o", Some("gpt-4o")),
            ("gpt-4o-2024-08-06", Some("gpt-4o")),
            ("gpt-4o-mini-2024-07-18", Some("gpt-4o-mini")),
            ("gpt-4.1-nano", Some("gpt-4.1-nano")),
            ("claude-sonnet-4-5-20250929", Some("claude-sonnet-4-5")),
            ("claude-sonnet-4-20250514", Some("claude-sonnet-4")),
            ("claude-3-5-haiku-latest", Some("claude-3-5-haiku")),
            ("gpt-4o-audio-preview", None),
            ("llama3.1:8b", None),
        ];
        for (id, family) in cases {
            assert_eq!(find_known(id).map(|known| known.id), family, "{id}");
            assert_eq!(
                model_info(id).map(|model| model.id),
                family.map(|_| id.to_owned())
            );
        }
    }

    #[test]
    fn every_model_has_room_for_its_output() {
        for known in MODELS {
            assert!(
                known.max_output_tokens < known.context_window,
                "{}",
                known.id
            );
            assert!(
                known.prices.output_micros_per_mtok > known.prices.input_micros_per_mtok,
                "{}",
                known.id
            );
        }
    }
}
