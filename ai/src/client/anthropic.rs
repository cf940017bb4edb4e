//! Anthropic Messages (`POST /v1/messages`), plain and streamed.

use futures_util::future::BoxFuture;
use reqwest::header::HeaderName;
use serde_json::{Value, json};

use super::sse::SseEvent;
use super::stream::{Decoded, Decoder};
use super::transport::Transport;
use super::{CompletionStream, LlmProvider, ProviderConfig, StreamSummary};
use crate::{AiError, Completion, CompletionRequest, Provider, Role, StopReason, Usage};

/// The API version this client speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Anthropic accepts at most four `cache_control` breakpoints per request.
const MAX_BREAKPOINTS: usize = 4;

/// A client for Anthropic Messages.
///
/// The system blocks go into the top-level `system` array, and each block or
/// message marked as a cache breakpoint gets `cache_control: {"type": "ephemeral"}`
/// (Anthropic allows four breakpoints; marks past the fourth are sent without one).
#[derive(Debug)]
pub struct AnthropicProvider {
    transport: Transport,
}

impl AnthropicProvider {
    /// A client for `config.base_url` + `/v1/messages`.
    pub fn new(config: ProviderConfig) -> Result<AnthropicProvider, AiError> {
        let auth = Some((
            HeaderName::from_static("x-api-key"),
            config.api_key.expose().to_owned(),
        ));
        let version = [("anthropic-version", ANTHROPIC_VERSION)];
        let transport =
            Transport::new(Provider::Anthropic, config, "/v1/messages", auth, &version)?;
        Ok(AnthropicProvider { transport })
    }

    /// The JSON body for `request`.
    pub fn request_body(request: &CompletionRequest, stream: bool) -> Value {
        let mut breakpoints = 0;
        let system: Vec<Value> = request
            .system
            .iter()
            .map(|block| {
                let mut value = json!({"type": "text", "text": block.text});
                if block.cache_breakpoint && breakpoints < MAX_BREAKPOINTS {
                    breakpoints += 1;
                    value["cache_control"] = json!({"type": "ephemeral"});
                }
                value
            })
            .collect();
        let messages: Vec<Value> = request
            .messages
            .iter()
            .map(|message| {
                let role = match message.role {
                    Role::User => "user",
                    Role::Assistant => "assistant",
                };
                if message.cache_breakpoint && breakpoints < MAX_BREAKPOINTS {
                    breakpoints += 1;
                    let block = json!({"type": "text", "text": message.content, "cache_control": {"type": "ephemeral"}});
                    json!({"role": role, "content": [block]})
                } else {
                    json!({"role": role, "content": message.content})
                }
            })
            .collect();
        let mut body = json!({
            "model": request.model,
            "max_tokens": request.max_output_tokens,
            "messages": messages,
        });
        if !system.is_empty() {
            body["system"] = Value::Array(system);
        }
        if let Some(temperature) = request.temperature {
            body["temperature"] = json!(temperature);
        }
        if stream {
            body["stream"] = json!(true);
        }
        body
    }
}

impl LlmProvider for AnthropicProvider {
    fn provider(&self) -> Provider {
        Provider::Anthropic
    }

    fn complete<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Completion, AiError>> {
        Box::pin(
            self.transport
                .complete(Self::request_body(request, false), parse_completion),
        )
    }

    fn stream<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<CompletionStream, AiError>> {
        let decoder = Box::new(AnthropicDecoder::default());
        Box::pin(
            self.transport
                .stream(Self::request_body(request, true), decoder),
        )
    }
}

fn invalid(message: impl Into<String>) -> AiError {
    AiError::InvalidResponse {
        provider: Provider::Anthropic,
        message: message.into(),
    }
}

/// `end_turn`, `stop_sequence`, `max_tokens`, `tool_use`, `refusal`, `pause_turn`.
fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "end_turn" | "stop_sequence" => StopReason::EndTurn,
        "max_tokens" => StopReason::MaxTokens,
        "refusal" => StopReason::ContentFilter,
        "tool_use" => StopReason::ToolUse,
        other => StopReason::Other(other.to_owned()),
    }
}

/// Reads the fields present in `value` into `usage`; `message_delta` carries
/// cumulative counts, so later values replace earlier ones.
fn merge_usage(usage: &mut Usage, value: &Value) {
    let fields: [(&str, &mut u64); 4] = [
        ("input_tokens", &mut usage.input_tokens),
        ("output_tokens", &mut usage.output_tokens),
        ("cache_read_input_tokens", &mut usage.cache_read_tokens),
        ("cache_creation_input_tokens", &mut usage.cache_write_tokens),
    ];
    for (name, slot) in fields {
        if let Some(count) = value[name].as_u64() {
            *slot = count;
        }
    }
}

pub(crate) fn parse_completion(body: &[u8]) -> Result<Completion, AiError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|error| invalid(format!("the body is not JSON: {error}")))?;
    let blocks = json["content"]
        .as_array()
        .ok_or_else(|| invalid("the body has no content array"))?;
    let text: String = blocks
        .iter()
        .filter(|block| block["type"] == "text")
        .filter_map(|block| block["text"].as_str())
        .collect();
    if !json["usage"].is_object() {
        return Err(invalid("the body has no usage"));
    }
    let mut usage = Usage::default();
    merge_usage(&mut usage, &json["usage"]);
    Ok(Completion {
        text,
        model: json["model"].as_str().unwrap_or_default().to_owned(),
        stop_reason: stop_reason(json["stop_reason"].as_str().unwrap_or("unknown")),
        usage,
    })
}

/// `message_start` (model, input usage), `content_block_start`,
/// `content_block_delta` (`text_delta`), `content_block_stop`, `message_delta`
/// (stop reason, cumulative usage), `message_stop`; `ping` is ignored and
/// `error` ends the stream. Unknown event types are ignored, as Anthropic asks.
#[derive(Default)]
struct AnthropicDecoder {
    model: String,
    started: bool,
    stop_reason: Option<String>,
    usage: Usage,
}

impl Decoder for AnthropicDecoder {
    fn decode(&mut self, event: SseEvent, out: &mut Vec<Decoded>) -> Result<(), AiError> {
        let json: Value = serde_json::from_str(&event.data)
            .map_err(|error| invalid(format!("a stream event is not JSON: {error}")))?;
        match json["type"]
            .as_str()
            .or(event.event.as_deref())
            .unwrap_or_default()
        {
            "message_start" => {
                let message = &json["message"];
                self.model = message["model"].as_str().unwrap_or_default().to_owned();
                merge_usage(&mut self.usage, &message["usage"]);
                self.started = true;
            }
            "content_block_start" => {
                let block = &json["content_block"];
                if let Some(text) = block["text"].as_str().filter(|text| !text.is_empty()) {
                    out.push(Decoded::Delta(text.to_owned()));
                }
            }
            "content_block_delta" => {
                let delta = &json["delta"];
                // thinking_delta, signature_delta and input_json_delta are not answer text.
                if delta["type"] == "text_delta"
                    && let Some(text) = delta["text"].as_str().filter(|text| !text.is_empty())
                {
                    out.push(Decoded::Delta(text.to_owned()));
                }
            }
            "message_delta" => {
                if let Some(reason) = json["delta"]["stop_reason"].as_str() {
                    self.stop_reason = Some(reason.to_owned());
                }
                merge_usage(&mut self.usage, &json["usage"]);
            }
            "message_stop" => out.push(Decoded::Finished(StreamSummary {
                model: std::mem::take(&mut self.model),
                stop_reason: stop_reason(self.stop_reason.as_deref().unwrap_or("unknown")),
                // Without message_start the input tokens were never reported.
                usage: self.started.then_some(self.usage),
            })),
            "error" => {
                let error = &json["error"];
                return Err(AiError::StreamFailure {
                    provider: Provider::Anthropic,
                    kind: error["type"].as_str().unwrap_or("unknown").to_owned(),
                    message: error["message"].as_str().unwrap_or_default().to_owned(),
                });
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, SystemBlock};

    #[test]
    fn body_has_top_level_system_with_cache_breakpoints() {
        let request = CompletionRequest {
            model: "claude-haiku-4-5".to_owned(),
            system: vec![
                SystemBlock {
                    text: "persona".to_owned(),
                    cache_breakpoint: true,
                },
                SystemBlock {
                    text: "campaign".to_owned(),
                    cache_breakpoint: true,
                },
                SystemBlock {
                    text: "volatile".to_owned(),
                    cache_breakpoint: false,
                },
            ],
            messages: vec![
                Message {
                    cache_breakpoint: true,
                    ..Message::user("earlier")
                },
                Message::user("hi"),
            ],
            max_output_tokens: 512,
            temperature: Some(0.5),
        };
        let body = AnthropicProvider::request_body(&request, false);
        expect_test::expect![[r#"{"max_tokens":512,"messages":[{"content":[{"cache_control":{"type":"ephemeral"},"text":"earlier","type":"text"}],"role":"user"},{"content":"hi","role":"user"}],"model":"claude-haiku-4-5","system":[{"cache_control":{"type":"ephemeral"},"text":"persona","type":"text"},{"cache_control":{"type":"ephemeral"},"text":"campaign","type":"text"},{"text":"volatile","type":"text"}],"temperature":0.5}"#]]
        .assert_eq(&body.to_string());
    }

    #[test]
    fn message_delta_usage_replaces_the_start_figures() {
        let mut usage = Usage::default();
        merge_usage(
            &mut usage,
            &json!({"input_tokens": 25, "output_tokens": 1,
            "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 0}),
        );
        merge_usage(&mut usage, &json!({"output_tokens": 15}));
        assert_eq!(
            usage,
            Usage {
                input_tokens: 25,
                output_tokens: 15,
                cache_read_tokens: 0,
                cache_write_tokens: 1000
            }
        );
    }
}
