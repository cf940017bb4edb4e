//! Counting tokens: exact for OpenAI models (with the `tiktoken` feature), a
//! conservative estimate for everything else.
//!
//! # The estimate
//!
//! Anthropic publishes no tokenizer for current Claude models, only a
//! `count_tokens` endpoint, and calling it would make prompt building do I/O.
//! [`estimate_tokens`] instead counts, in one pass over the text:
//!
//! - each run of ASCII letters as one token per 4 letters, rounded up;
//! - each run of digits as one token per 3 digits, rounded up;
//! - each other visible ASCII character (punctuation, Markdown) as one token;
//! - each run of two or more whitespace characters as one token;
//! - each non-ASCII character as one token.
//!
//! English prose comes out at roughly 3 characters per token, which is more
//! tokens than Claude's tokenizer (about 3.5 characters per token) or
//! `o200k_base` (about 4) produce, so a prompt that fits by the estimate fits
//! for real. The tests check it against published `count_tokens` figures and
//! against tiktoken. Each message adds [`TokenCounter::message_overhead`]
//! tokens for its role and delimiters.

use crate::model::{ModelInfo, Tokenizer};
use crate::request::CompletionRequest;

/// Counts tokens the way a given model does, or estimates them.
#[derive(Clone, Copy)]
pub struct TokenCounter {
    tokenizer: Tokenizer,
    #[cfg(feature = "tiktoken")]
    bpe: Option<&'static tiktoken_rs::CoreBPE>,
}

impl std::fmt::Debug for TokenCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCounter")
            .field("tokenizer", &self.tokenizer)
            .field("exact", &self.is_exact())
            .finish()
    }
}

impl TokenCounter {
    /// A counter for `model`'s tokenizer.
    pub fn for_model(model: &ModelInfo) -> TokenCounter {
        TokenCounter::new(model.tokenizer)
    }

    /// A counter for one tokenizer. Without the `tiktoken` feature every
    /// tokenizer falls back to [`estimate_tokens`].
    pub fn new(tokenizer: Tokenizer) -> TokenCounter {
        TokenCounter {
            tokenizer,
            #[cfg(feature = "tiktoken")]
            bpe: match tokenizer {
                Tokenizer::O200kBase => Some(tiktoken_rs::o200k_base_singleton()),
                Tokenizer::Cl100kBase => Some(tiktoken_rs::cl100k_base_singleton()),
                Tokenizer::Estimate => None,
            },
        }
    }

    /// Whether [`TokenCounter::count`] is exact rather than an estimate.
    pub fn is_exact(&self) -> bool {
        #[cfg(feature = "tiktoken")]
        {
            self.bpe.is_some()
        }
        #[cfg(not(feature = "tiktoken"))]
        {
            false
        }
    }

    /// The tokenizer this counter stands for.
    pub fn tokenizer(&self) -> Tokenizer {
        self.tokenizer
    }

    /// Tokens in `text`. Special-token strings such as `<|endoftext|>` in the
    /// text are counted as ordinary text, the way the API treats user content.
    pub fn count(&self, text: &str) -> usize {
        #[cfg(feature = "tiktoken")]
        if let Some(bpe) = self.bpe {
            return bpe.encode_ordinary(text).len();
        }
        estimate_tokens(text)
    }

    /// Tokens each chat message adds for its role and delimiters (OpenAI's
    /// documented 3 plus one for the role name; the same is assumed for Anthropic).
    pub fn message_overhead(&self) -> usize {
        4
    }

    /// Tokens every request adds once (the reply is primed with an assistant header).
    pub fn request_overhead(&self) -> usize {
        3
    }

    /// Tokens of a whole request: the system prompt and each message, with
    /// their framing, as the provider will count its input (before caching).
    pub fn count_request(&self, request: &CompletionRequest) -> usize {
        let system = if request.system.is_empty() {
            0
        } else {
            self.count(&request.system_text()) + self.message_overhead()
        };
        let messages: usize = request
            .messages
            .iter()
            .map(|message| self.count(&message.content) + self.message_overhead())
            .sum();
        self.request_overhead() + system + messages
    }
}

/// A conservative token estimate for text whose tokenizer is not available;
/// see the module documentation for the rule.
///
/// ```
/// assert_eq!(critfumble_ai::estimate_tokens("Roll 2d20kh1+5!"), 9);
/// ```
pub fn estimate_tokens(text: &str) -> usize {
    #[derive(PartialEq, Clone, Copy)]
    enum Run {
        None,
        Letters,
        Digits,
        Space,
    }
    let mut tokens = 0;
    let mut run = Run::None;
    let mut run_len = 0usize;
    let close = |run: Run, len: usize| match run {
        Run::Letters => len.div_ceil(4),
        Run::Digits => len.div_ceil(3),
        Run::Space => usize::from(len >= 2),
        Run::None => 0,
    };
    for c in text.chars() {
        let kind = if c.is_ascii_alphabetic() {
            Run::Letters
        } else if c.is_ascii_digit() {
            Run::Digits
        } else if c.is_whitespace() {
            Run::Space
        } else {
            Run::None
        };
        if kind != run {
            tokens += close(run, run_len);
            run = kind;
            run_len = 0;
        }
        if kind == Run::None {
            // Punctuation, symbols and every non-ASCII character count one each.
            tokens += 1;
        } else {
            run_len += 1;
        }
    }
    tokens + close(run, run_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_rules() {
        let cases = [
            ("", 0),
            ("a", 1),
            ("word", 1),
            ("words", 2),
            ("two words", 3),
            ("12345", 2),
            ("**18**", 5),
            ("a  b", 3),
            ("ドラゴン", 4),
            ("Roll 2d20kh1+5!", 9),
        ];
        for (text, expected) in cases {
            assert_eq!(estimate_tokens(text), expected, "{text:?}");
        }
    }

    #[test]
    fn estimate_counter_is_not_exact() {
        let counter = TokenCounter::new(Tokenizer::Estimate);
        assert!(!counter.is_exact());
        assert_eq!(counter.count("two words"), 3);
    }

    #[cfg(feature = "tiktoken")]
    #[test]
    fn tiktoken_counts_special_tokens_as_text() {
        let counter = TokenCounter::new(Tokenizer::O200kBase);
        assert!(counter.is_exact());
        assert_eq!(counter.count("hello world"), 2);
        assert!(counter.count("<|endoftext|>") > 1);
    }
}
