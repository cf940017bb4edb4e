//! The Anthropic client against a local server replaying the Messages API.

use critfumble_ai::client::{AnthropicProvider, LlmProvider, ProviderConfig};
use critfumble_ai::{
    AiError, CompletionRequest, Message, StopReason, SystemBlock, Usage, model_info,
};

use crate::server::{Server, StreamEnd, awkward_chunks, json, sse, stream_outcome};

const KEY: &str = "sk-ant-api03-test-0123456789abcdef";

const MESSAGE: &str = r#"{
  "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [
    {"type": "text", "text": "Last session the party "},
    {"type": "text", "text": "reached Phandalin."}
  ],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 412,
    "cache_creation_input_tokens": 1830,
    "cache_read_input_tokens": 0,
    "cache_creation": {"ephemeral_5m_input_tokens": 1830, "ephemeral_1h_input_tokens": 0},
    "output_tokens": 58,
    "service_tier": "standard"
  }
}"#;

/// A stream with CRLF line ends, a ping, and a thinking-free text block.
const STREAM: &str = concat!(
    "event: message_start\r\n",
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1830,\"output_tokens\":1}}}\r\n\r\n",
    "event: content_block_start\r\n",
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\r\n\r\n",
    "event: ping\r\n",
    "data: {\"type\": \"ping\"}\r\n\r\n",
    "event: content_block_delta\r\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Recap: the party \"}}\r\n\r\n",
    "event: content_block_delta\r\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"fought the 🐉 at Cragmaw — Brokk rolled a nat 20.\"}}\r\n\r\n",
    "event: content_block_stop\r\n",
    "data: {\"type\":\"content_block_stop\",\"index\":0}\r\n\r\n",
    "event: message_delta\r\n",
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":24}}\r\n\r\n",
    "event: message_stop\r\n",
    "data: {\"type\":\"message_stop\"}\r\n\r\n",
);

fn request() -> CompletionRequest {
    CompletionRequest {
        model: "claude-sonnet-4-5".to_owned(),
        system: vec![
            SystemBlock {
                text: "You help a game master.".to_owned(),
                cache_breakpoint: true,
            },
            SystemBlock {
                text: "<campaign>Lost Mine</campaign>".to_owned(),
                cache_breakpoint: true,
            },
        ],
        messages: vec![Message::user("Recap last session")],
        max_output_tokens: 24,
        temperature: None,
    }
}

fn config(server: &Server) -> ProviderConfig {
    server.config(KEY, "")
}

#[tokio::test]
async fn complete_sends_the_documented_headers_and_maps_usage() {
    let server = Server::start(vec![json(200, MESSAGE)]).await;
    let provider = AnthropicProvider::new(config(&server)).expect("provider");
    let completion = provider.complete(&request()).await.expect("completion");
    assert_eq!(completion.text, "Last session the party reached Phandalin.");
    assert_eq!(completion.stop_reason, StopReason::EndTurn);
    let usage = Usage {
        input_tokens: 412,
        output_tokens: 58,
        cache_read_tokens: 0,
        cache_write_tokens: 1830,
    };
    assert_eq!(completion.usage, usage);
    // Sonnet 4.5: $3 in, $15 out, $3.75 cache write per MTok.
    let prices = model_info(&completion.model)
        .and_then(|m| m.prices)
        .expect("priced");
    assert_eq!(
        completion.usage.cost(&prices).nano_usd,
        (412 * 3_000_000 + 58 * 15_000_000 + 1830 * 3_750_000) / 1_000
    );
    assert_eq!(completion.usage.cost(&prices).to_string(), "$0.008969");

    let sent = &server.received()[0];
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.headers["x-api-key"], KEY);
    assert_eq!(sent.headers["anthropic-version"], "2023-06-01");
    assert!(sent.headers.get("authorization").is_none());
    assert_eq!(sent.body["max_tokens"], 24);
    assert_eq!(sent.body["system"][1]["cache_control"]["type"], "ephemeral");
    assert_eq!(sent.body["messages"][0]["role"], "user");
}

#[tokio::test]
async fn stream_split_at_awkward_boundaries_gives_the_same_answer() {
    for sizes in [&[1][..], &[2, 9, 5], &[13], &[101, 3], &[8192]] {
        let server =
            Server::start(vec![sse(awkward_chunks(STREAM, sizes), StreamEnd::Close)]).await;
        let provider = AnthropicProvider::new(config(&server)).expect("provider");
        let outcome = stream_outcome(&provider, &request()).await;
        assert!(outcome.error.is_none(), "{sizes:?}: {:?}", outcome.error);
        assert_eq!(
            outcome.text,
            "Recap: the party fought the 🐉 at Cragmaw — Brokk rolled a nat 20."
        );
        let summary = outcome.summary.expect("summary");
        assert_eq!(summary.model, "claude-sonnet-4-5-20250929");
        assert_eq!(summary.stop_reason, StopReason::MaxTokens);
        assert_eq!(
            summary.usage,
            Some(Usage {
                input_tokens: 412,
                output_tokens: 24,
                cache_read_tokens: 1830,
                cache_write_tokens: 0
            })
        );
        assert_eq!(server.received()[0].body["stream"], true);
    }
}

#[tokio::test]
async fn a_stream_that_breaks_halfway_has_unknown_usage() {
    // message_start already reported input tokens, but the output count never came.
    let half = &STREAM[..STREAM.find("event: content_block_stop").expect("fixture")];
    for end in [StreamEnd::Close, StreamEnd::Abort] {
        let server = Server::start(vec![sse(awkward_chunks(half, &[40]), end)]).await;
        let provider = AnthropicProvider::new(config(&server)).expect("provider");
        let outcome = stream_outcome(&provider, &request()).await;
        // An aborted connection may lose what the server had buffered, so only a prefix is certain.
        let full = "Recap: the party fought the 🐉 at Cragmaw — Brokk rolled a nat 20.";
        assert!(full.starts_with(&outcome.text), "{outcome:?}");
        assert_eq!(outcome.usage(), None, "usage must be unknown, not zero");
        assert!(
            matches!(outcome.error, Some(AiError::StreamInterrupted { .. })),
            "{:?}",
            outcome.error
        );
    }
}

#[tokio::test]
async fn an_in_stream_error_event_ends_the_stream() {
    let first_delta = STREAM.find("event: content_block_stop").expect("fixture");
    let body = format!(
        "{}event: error\ndata: {{\"type\": \"error\", \"error\": {{\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}}}\n\n",
        &STREAM[..first_delta]
    );
    let server = Server::start(vec![sse(vec![body.into_bytes()], StreamEnd::Close)]).await;
    let provider = AnthropicProvider::new(config(&server)).expect("provider");
    let outcome = stream_outcome(&provider, &request()).await;
    assert_eq!(outcome.usage(), None);
    match outcome.error {
        Some(AiError::StreamFailure { kind, message, .. }) => {
            assert_eq!(
                (kind.as_str(), message.as_str()),
                ("overloaded_error", "Overloaded")
            );
        }
        other => panic!("{other:?}"),
    }
    // Errors inside a stream are not retried: the answer had already started.
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn errors_map_by_status_and_body() {
    let cases = [
        (400, "invalid_request_error", "max_tokens: Field required"),
        (401, "authentication_error", "invalid x-api-key"),
        (
            413,
            "request_too_large",
            "Request exceeds the maximum allowed number of bytes.",
        ),
    ];
    for (status, kind, message) in cases {
        let body = format!(
            r#"{{"type":"error","error":{{"type":"{kind}","message":"{message}"}},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}}"#
        );
        let server = Server::start(vec![json(status, &body)]).await;
        let provider = AnthropicProvider::new(config(&server)).expect("provider");
        let error = provider.complete(&request()).await.expect_err("error");
        match error {
            AiError::Api {
                status: got,
                kind: got_kind,
                message: got_message,
                request_id,
                ..
            } => {
                assert_eq!(
                    (got, got_kind.as_str(), got_message.as_str()),
                    (status, kind, message)
                );
                assert_eq!(request_id.as_deref(), Some("req_011CSHoEeqs5C35K2UUqR7Fy"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(server.received().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn the_key_never_appears_in_debug_or_errors() {
    let echo = format!(
        r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {KEY}"}}}}"#
    );
    let server = Server::start(vec![json(401, &echo)]).await;
    let provider = AnthropicProvider::new(config(&server)).expect("provider");
    let error = provider.complete(&request()).await.expect_err("401");
    let printed = format!("{provider:?} {error} {error:?} {:?}", config(&server));
    assert!(!printed.contains(KEY), "the key leaked: {printed}");
    assert!(printed.contains("<redacted>"));
}

#[tokio::test]
async fn a_provider_chosen_at_run_time_works_through_the_trait() {
    let server = Server::start(vec![json(200, MESSAGE)]).await;
    let provider: Box<dyn LlmProvider> = critfumble_ai::client::provider_from_config(
        critfumble_ai::Provider::Anthropic,
        config(&server),
    )
    .expect("provider");
    assert_eq!(provider.provider(), critfumble_ai::Provider::Anthropic);
    let completion = provider.complete(&request()).await.expect("completion");
    assert_eq!(completion.model, "claude-sonnet-4-5-20250929");
    assert_eq!(server.received()[0].path, "/v1/messages");
}
