//! Conversions to the SDK's wire types, so FumbleBot can answer Core with them.

use critfumble_sdk::wire::TokenUsage;

use crate::{Provider, Usage, model_info};

/// The SDK's [`TokenUsage`] for one model call: the tokens, the latency and
/// the estimated cost from the price table.
///
/// Models without a price (self-hosted servers behind the OpenAI-compatible
/// API) cost nothing per token, so their estimate is 0. A call whose usage is
/// unknown (a stream that broke) has no `Usage` and so no `TokenUsage`: report
/// it as unknown rather than calling this with zeros.
///
/// ```
/// use critfumble_ai::{Provider, Usage, token_usage};
/// let usage = Usage { input_tokens: 1_000, output_tokens: 200, ..Usage::default() };
/// let wire = token_usage(Provider::Anthropic, "claude-haiku-4-5-20251001", &usage, 850);
/// assert_eq!(wire.provider, "anthropic");
/// assert!((wire.estimated_cost_usd - 0.002).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn token_usage(provider: Provider, model: &str, usage: &Usage, latency_ms: u64) -> TokenUsage {
    let cost = model_info(model)
        .and_then(|info| info.prices)
        .map_or(0.0, |prices| usage.cost(&prices).usd());
    TokenUsage {
        provider: provider.to_string(),
        model: model.to_owned(),
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        cache_read_tokens: usage.cache_read_tokens,
        cache_write_tokens: usage.cache_write_tokens,
        latency_ms,
        estimated_cost_usd: cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_carried_over() {
        let usage = Usage {
            input_tokens: 10,
            output_tokens: 20,
            cache_read_tokens: 30,
            cache_write_tokens: 40,
        };
        let wire = token_usage(Provider::OpenAi, "llama3.1:8b", &usage, 7);
        assert_eq!(
            (
                wire.input_tokens,
                wire.output_tokens,
                wire.cache_read_tokens,
                wire.cache_write_tokens,
                wire.latency_ms
            ),
            (10, 20, 30, 40, 7)
        );
        assert_eq!(
            (wire.provider.as_str(), wire.model.as_str()),
            ("openai", "llama3.1:8b")
        );
        assert_eq!(wire.estimated_cost_usd, 0.0);
    }
}
