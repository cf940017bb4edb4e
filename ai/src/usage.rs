//! Token usage as the providers report it, and what it costs.

use std::fmt;

use crate::model::Prices;

/// Tokens one request used, normalised across providers.
///
/// `input_tokens` counts only input billed at the base rate. OpenAI's
/// `prompt_tokens` includes its cached tokens, so the OpenAI client subtracts
/// `prompt_tokens_details.cached_tokens` from it; Anthropic already reports
/// `input_tokens` without `cache_read_input_tokens` and `cache_creation_input_tokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    /// Input tokens billed at the base input price.
    pub input_tokens: u64,
    /// Output tokens (for reasoning models, including reasoning tokens).
    pub output_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cache_read_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_write_tokens: u64,
}

impl Usage {
    /// All input tokens, cached or not.
    pub fn total_input_tokens(&self) -> u64 {
        self.input_tokens + self.cache_read_tokens + self.cache_write_tokens
    }

    /// What this usage costs at `prices`.
    ///
    /// ```
    /// use critfumble_ai::{Usage, model_info};
    /// let prices = model_info("gpt-4o-mini").and_then(|m| m.prices).ok_or("no price")?;
    /// let usage = Usage { input_tokens: 1_000_000, output_tokens: 0, ..Usage::default() };
    /// assert_eq!(usage.cost(&prices).to_string(), "$0.150000");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cost(&self, prices: &Prices) -> CostEstimate {
        // micro-dollars per million tokens == pico-dollars per token; keep the
        // product exact in u128 and round to nano-dollars once at the end.
        let pico = u128::from(self.input_tokens) * u128::from(prices.input_micros_per_mtok)
            + u128::from(self.output_tokens) * u128::from(prices.output_micros_per_mtok)
            + u128::from(self.cache_read_tokens) * u128::from(prices.cache_read_micros_per_mtok)
            + u128::from(self.cache_write_tokens) * u128::from(prices.cache_write_micros_per_mtok);
        CostEstimate {
            nano_usd: u64::try_from(pico.div_ceil(1_000)).unwrap_or(u64::MAX),
        }
    }
}

/// An estimated cost in billionths of a US dollar, rounded up.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct CostEstimate {
    /// The cost in nano-dollars (1e-9 USD).
    pub nano_usd: u64,
}

impl CostEstimate {
    /// The cost in US dollars, for display and sums where rounding does not matter.
    pub fn usd(&self) -> f64 {
        self.nano_usd as f64 / 1e9
    }
}

impl fmt::Display for CostEstimate {
    /// Dollars with six decimals, rounded up to the next micro-dollar: `$0.001234`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.nano_usd.div_ceil(1_000);
        write!(f, "${}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_info;

    fn prices(model: &str) -> Prices {
        model_info(model)
            .and_then(|m| m.prices)
            .expect("known model")
    }

    #[test]
    fn cost_follows_the_price_table() {
        let usage = Usage {
            input_tokens: 1_200,
            output_tokens: 300,
            cache_read_tokens: 4_000,
            cache_write_tokens: 2_000,
        };
        // Sonnet 4.5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok.
        // 1200*3 + 300*15 + 4000*0.3 + 2000*3.75 = 3600 + 4500 + 1200 + 7500 micro-dollars.
        let cost = usage.cost(&prices("claude-sonnet-4-5-20250929"));
        assert_eq!(cost.nano_usd, 16_800_000);
        assert_eq!(cost.to_string(), "$0.016800");
        assert!((cost.usd() - 0.0168).abs() < 1e-12);
    }

    #[test]
    fn the_cheapest_token_has_an_exact_cost() {
        // One gpt-5-nano cached token costs $0.005 per MTok = 5 nano-dollars.
        let usage = Usage {
            cache_read_tokens: 1,
            ..Usage::default()
        };
        assert_eq!(usage.cost(&prices("gpt-5-nano")).nano_usd, 5);
        assert_eq!(usage.cost(&prices("gpt-5-nano")).to_string(), "$0.000001");
        assert_eq!(Usage::default().cost(&prices("gpt-5-nano")).nano_usd, 0);
    }

    #[test]
    fn huge_usage_saturates_instead_of_overflowing() {
        let usage = Usage {
            output_tokens: u64::MAX,
            ..Usage::default()
        };
        assert_eq!(usage.cost(&prices("claude-opus-4-1")).nano_usd, u64::MAX);
    }
}
