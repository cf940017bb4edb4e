//! OpenAI Chat Completions (`POST /chat/completions`), plain and streamed.

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::sse::SseEvent;
use super::stream::{Decoded, Decoder};
use super::transport::Transport;
use super::{CompletionStream, LlmProvider, ProviderConfig, StreamSummary};
use crate::{AiError, Completion, CompletionRequest, Provider, Role, StopReason, Usage};

/// A client for OpenAI Chat Completions or any server that speaks it.
///
/// The system blocks are joined into one `system` message at the front, so the
/// stable prefix stays first and OpenAI's automatic prompt caching can reuse it.
#[derive(Debug)]
pub struct OpenAiProvider {
    transport: Transport,
    output_limit: OutputLimitField,
}

/// The request field that carries the output limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputLimitField {
    /// `max_completion_tokens`: what OpenAI wants, and what its reasoning models require.
    #[default]
    MaxCompletionTokens,
    /// `max_tokens`: what Ollama, llama.cpp and older OpenAI-compatible servers read.
    MaxTokens,
}

impl OpenAiProvider {
    /// A client for `config.base_url` + `/chat/completions`.
    pub fn new(config: ProviderConfig) -> Result<OpenAiProvider, AiError> {
        let auth = (!config.api_key.is_empty()).then(|| {
            (
                reqwest::header::AUTHORIZATION,
                format!("Bearer {}", config.api_key.expose()),
            )
        });
        let transport = Transport::new(Provider::OpenAi, config, "/chat/completions", auth, &[])?;
        Ok(OpenAiProvider {
            transport,
            output_limit: OutputLimitField::default(),
        })
    }

    /// Sends the output limit in `field` instead of `max_completion_tokens`,
    /// for OpenAI-compatible servers that only read `max_tokens`.
    pub fn with_output_limit_field(mut self, field: OutputLimitField) -> OpenAiProvider {
        self.output_limit = field;
        self
    }

    /// The JSON body for `request`, with the output limit in `output_limit`.
    pub fn request_body(
        request: &CompletionRequest,
        stream: bool,
        output_limit: OutputLimitField,
    ) -> Value {
        let mut messages = Vec::with_capacity(request.messages.len() + 1);
        if !request.system.is_empty() {
            messages.push(json!({"role": "system", "content": request.system_text()}));
        }
        for message in &request.messages {
            let role = match message.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            messages.push(json!({"role": role, "content": message.content}));
        }
        let limit_field = match output_limit {
            OutputLimitField::MaxCompletionTokens => "max_completion_tokens",
            OutputLimitField::MaxTokens => "max_tokens",
        };
        let mut body = json!({"model": request.model, "messages": messages});
        body[limit_field] = json!(request.max_output_tokens);
        if let Some(temperature) = request.temperature {
            body["temperature"] = json!(temperature);
        }
        if stream {
            body["stream"] = json!(true);
            body["stream_options"] = json!({"include_usage": true});
        }
        body
    }
}

impl LlmProvider for OpenAiProvider {
    fn provider(&self) -> Provider {
        Provider::OpenAi
    }

    fn complete<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Completion, AiError>> {
        Box::pin(self.transport.complete(
            Self::request_body(request, false, self.output_limit),
            parse_completion,
        ))
    }

    fn stream<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<CompletionStream, AiError>> {
        let decoder = Box::new(OpenAiDecoder::default());
        Box::pin(self.transport.stream(
            Self::request_body(request, true, self.output_limit),
            decoder,
        ))
    }
}

fn invalid(message: impl Into<String>) -> AiError {
    AiError::InvalidResponse {
        provider: Provider::OpenAi,
        message: message.into(),
    }
}

/// `stop`, `length`, `content_filter`, `tool_calls` (and the old `function_call`).
fn stop_reason(reason: &str) -> StopReason {
    match reason {
        "stop" => StopReason::EndTurn,
        "length" => StopReason::MaxTokens,
        "content_filter" => StopReason::ContentFilter,
        "tool_calls" | "function_call" => StopReason::ToolUse,
        other => StopReason::Other(other.to_owned()),
    }
}

/// `prompt_tokens` includes `prompt_tokens_details.cached_tokens`; see [`Usage`].
fn usage(value: &Value) -> Option<Usage> {
    let prompt = value["prompt_tokens"].as_u64()?;
    let completion = value["completion_tokens"].as_u64()?;
    let cached = value["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap_or(0);
    Some(Usage {
        input_tokens: prompt.saturating_sub(cached),
        output_tokens: completion,
        cache_read_tokens: cached.min(prompt),
        cache_write_tokens: 0,
    })
}

pub(crate) fn parse_completion(body: &[u8]) -> Result<Completion, AiError> {
    let json: Value = serde_json::from_slice(body)
        .map_err(|error| invalid(format!("the body is not JSON: {error}")))?;
    let choice = &json["choices"][0];
    let message = &choice["message"];
    // A refusal comes with `content: null` and the text in `refusal`.
    let text = message["content"]
        .as_str()
        .or_else(|| message["refusal"].as_str())
        .ok_or_else(|| invalid("choices[0].message has no content"))?;
    Ok(Completion {
        text: text.to_owned(),
        model: json["model"].as_str().unwrap_or_default().to_owned(),
        stop_reason: stop_reason(choice["finish_reason"].as_str().unwrap_or("unknown")),
        usage: usage(&json["usage"]).ok_or_else(|| invalid("the body has no usage"))?,
    })
}

/// Chunks carry `choices[0].delta.content` and `finish_reason`; with
/// `include_usage` one last chunk has empty `choices` and the `usage`; `[DONE]` ends it.
#[derive(Default)]
struct OpenAiDecoder {
    model: String,
    finish_reason: Option<String>,
    usage: Option<Usage>,
}

impl Decoder for OpenAiDecoder {
    fn decode(&mut self, event: SseEvent, out: &mut Vec<Decoded>) -> Result<(), AiError> {
        if event.data == "[DONE]" {
            out.push(Decoded::Finished(StreamSummary {
                model: std::mem::take(&mut self.model),
                stop_reason: stop_reason(self.finish_reason.as_deref().unwrap_or("unknown")),
                usage: self.usage,
            }));
            return Ok(());
        }
        let chunk: Value = serde_json::from_str(&event.data)
            .map_err(|error| invalid(format!("a stream chunk is not JSON: {error}")))?;
        if chunk["error"].is_object() {
            let error = &chunk["error"];
            return Err(AiError::StreamFailure {
                provider: Provider::OpenAi,
                kind: error["code"]
                    .as_str()
                    .or(error["type"].as_str())
                    .unwrap_or("unknown")
                    .to_owned(),
                message: error["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        if let Some(model) = chunk["model"].as_str() {
            model.clone_into(&mut self.model);
        }
        if let Some(choices) = chunk["choices"].as_array() {
            for choice in choices
                .iter()
                .filter(|choice| choice["index"].as_u64().unwrap_or(0) == 0)
            {
                if let Some(text) = choice["delta"]["content"]
                    .as_str()
                    .filter(|text| !text.is_empty())
                {
                    out.push(Decoded::Delta(text.to_owned()));
                }
                if let Some(reason) = choice["finish_reason"].as_str() {
                    self.finish_reason = Some(reason.to_owned());
                }
            }
        }
        if let Some(usage) = usage(&chunk["usage"]) {
            self.usage = Some(usage);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Message, SystemBlock};

    #[test]
    fn body_has_the_system_message_first_and_asks_for_stream_usage() {
        let request = CompletionRequest {
            model: "gpt-4o-mini".to_owned(),
            system: vec![
                SystemBlock {
                    text: "persona".to_owned(),
                    cache_breakpoint: true,
                },
                SystemBlock {
                    text: "campaign".to_owned(),
                    cache_breakpoint: true,
                },
            ],
            messages: vec![Message::user("hi")],
            max_output_tokens: 100,
            temperature: None,
        };
        let body =
            OpenAiProvider::request_body(&request, true, OutputLimitField::MaxCompletionTokens);
        expect_test::expect![[r#"{"max_completion_tokens":100,"messages":[{"content":"persona\n\ncampaign","role":"system"},{"content":"hi","role":"user"}],"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}"#]]
        .assert_eq(&body.to_string());
    }

    #[test]
    fn cached_tokens_are_split_out_of_prompt_tokens() {
        let value = json!({"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
            "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}});
        assert_eq!(
            usage(&value),
            Some(Usage {
                input_tokens: 86,
                output_tokens: 300,
                cache_read_tokens: 1920,
                cache_write_tokens: 0
            })
        );
    }
}
