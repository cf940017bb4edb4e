//! The OpenAI client against a local server replaying Chat Completions.

use std::time::Duration;

use critfumble_ai::client::{LlmProvider, OpenAiProvider, OutputLimitField, StreamEvent};
use critfumble_ai::{
    AiError, CompletionRequest, Message, StopReason, SystemBlock, Usage, model_info,
};
use futures_util::StreamExt;

use crate::server::{
    Reply, Server, StreamEnd, awkward_chunks, json, json_with, sse, stream_outcome,
};

const KEY: &str = "sk-proj-test-0123456789abcdef";

pub(crate) const COMPLETION: &str = r#"{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "Brokk should use his longbow: the wyvern is flying.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
  },
  "service_tier": "default",
  "system_fingerprint": "fp_06737a9306"
}"#;

pub(crate) const STREAM: &str = concat!(
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"The wyvern \"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"flies: use the longbow 🏹, café-style.\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n",
    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1741570283,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[],\"usage\":{\"prompt_tokens\":1117,\"completion_tokens\":12,\"total_tokens\":1129,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n",
    "data: [DONE]\n\n",
);

fn request() -> CompletionRequest {
    CompletionRequest {
        model: "gpt-4o-mini".to_owned(),
        system: vec![SystemBlock {
            text: "You help a game master.".to_owned(),
            cache_breakpoint: true,
        }],
        messages: vec![Message::user(
            "What's Brokk's best attack against a flying target?",
        )],
        max_output_tokens: 300,
        temperature: None,
    }
}

#[expect(
    clippy::expect_used,
    reason = "a test helper fails the test on a setup error"
)]
async fn provider(server: &Server) -> OpenAiProvider {
    OpenAiProvider::new(server.config(KEY, "/v1")).expect("provider")
}

#[tokio::test]
async fn complete_maps_text_usage_and_cost() {
    let server = Server::start(vec![json(200, COMPLETION)]).await;
    let completion = provider(&server)
        .await
        .complete(&request())
        .await
        .expect("completion");
    assert_eq!(
        completion.text,
        "Brokk should use his longbow: the wyvern is flying."
    );
    assert_eq!(completion.model, "gpt-4o-mini-2024-07-18");
    assert_eq!(completion.stop_reason, StopReason::EndTurn);
    let usage = Usage {
        input_tokens: 93,
        output_tokens: 46,
        cache_read_tokens: 1024,
        cache_write_tokens: 0,
    };
    assert_eq!(completion.usage, usage);
    // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out per MTok.
    let prices = model_info(&completion.model)
        .and_then(|m| m.prices)
        .expect("priced");
    let expected_pico = 93 * 150_000 + 1024 * 75_000 + 46 * 600_000;
    assert_eq!(
        completion.usage.cost(&prices).nano_usd,
        expected_pico / 1_000
    );

    let sent = &server.received()[0];
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(sent.headers["authorization"], format!("Bearer {KEY}"));
    assert_eq!(sent.body["max_completion_tokens"], 300);
    assert_eq!(sent.body["messages"][0]["role"], "system");
    assert!(sent.body.get("stream").is_none());
}

#[tokio::test]
async fn stream_split_at_awkward_boundaries_gives_the_same_answer() {
    // Piece sizes chosen to cut inside "data:", inside the emoji and the é, and between "\n\n".
    for sizes in [&[1][..], &[3, 7, 2], &[17, 5], &[64], &[4096]] {
        let chunks = awkward_chunks(STREAM, sizes);
        let server = Server::start(vec![sse(chunks, StreamEnd::Close)]).await;
        let outcome = stream_outcome(&provider(&server).await, &request()).await;
        assert!(outcome.error.is_none(), "{sizes:?}: {:?}", outcome.error);
        assert_eq!(
            outcome.text, "The wyvern flies: use the longbow 🏹, café-style.",
            "{sizes:?}"
        );
        let summary = outcome.summary.expect("summary");
        assert_eq!(summary.stop_reason, StopReason::EndTurn);
        assert_eq!(summary.model, "gpt-4o-mini-2024-07-18");
        assert_eq!(
            summary.usage,
            Some(Usage {
                input_tokens: 1117,
                output_tokens: 12,
                cache_read_tokens: 0,
                cache_write_tokens: 0
            })
        );
        let sent = &server.received()[0];
        assert_eq!(sent.body["stream"], true);
        assert_eq!(sent.body["stream_options"]["include_usage"], true);
    }
}

#[tokio::test]
async fn stream_yields_deltas_then_the_summary() {
    let server = Server::start(vec![sse(
        vec![STREAM.as_bytes().to_vec()],
        StreamEnd::Close,
    )])
    .await;
    let stream = provider(&server)
        .await
        .stream(&request())
        .await
        .expect("stream");
    let events: Vec<_> = stream.map(|item| item.expect("event")).collect().await;
    assert_eq!(events.len(), 3);
    assert_eq!(events[0], StreamEvent::TextDelta("The wyvern ".to_owned()));
    assert!(matches!(events[2], StreamEvent::Finished(_)));
}

#[tokio::test]
async fn a_stream_that_breaks_halfway_has_unknown_usage() {
    let half = &STREAM[..STREAM.find("\"finish_reason\":\"stop\"").expect("fixture")];
    for end in [StreamEnd::Close, StreamEnd::Abort] {
        let server = Server::start(vec![sse(awkward_chunks(half, &[50]), end)]).await;
        let outcome = stream_outcome(&provider(&server).await, &request()).await;
        assert_eq!(
            outcome.text,
            "The wyvern flies: use the longbow 🏹, café-style."
        );
        assert!(outcome.summary.is_none());
        assert_eq!(outcome.usage(), None, "usage must be unknown, not zero");
        match outcome.error {
            Some(AiError::StreamInterrupted { received_chars, .. }) => {
                assert_eq!(received_chars, outcome.text.chars().count());
            }
            other => panic!("expected an interrupted stream, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_without_stream_usage_reports_none() {
    // Some OpenAI-compatible servers ignore stream_options.include_usage.
    let without_usage: String = STREAM
        .split("\n\n")
        .filter(|event| !event.contains("\"usage\":{"))
        .map(|event| format!("{event}\n\n"))
        .collect();
    let server = Server::start(vec![sse(
        vec![
            without_usage.trim_end().as_bytes().to_vec(),
            b"\n\n".to_vec(),
        ],
        StreamEnd::Close,
    )])
    .await;
    let outcome = stream_outcome(&provider(&server).await, &request()).await;
    let summary = outcome.summary.expect("completed");
    assert_eq!(summary.usage, None);
}

#[tokio::test]
async fn an_in_stream_error_chunk_ends_the_stream() {
    let body = "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n";
    let server = Server::start(vec![sse(vec![body.as_bytes().to_vec()], StreamEnd::Close)]).await;
    let outcome = stream_outcome(&provider(&server).await, &request()).await;
    assert!(
        matches!(outcome.error, Some(AiError::StreamFailure { ref kind, .. }) if kind == "server_error"),
        "{:?}",
        outcome.error
    );
}

#[tokio::test]
async fn errors_map_by_status_and_body() {
    let cases: [(u16, &str, &str); 3] = [
        (
            400,
            r#"{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}"#,
            "unsupported_parameter",
        ),
        (
            401,
            &format!(
                r#"{{"error":{{"message":"Incorrect API key provided: {KEY}. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}}}"#
            ),
            "invalid_api_key",
        ),
        (
            404,
            r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            "model_not_found",
        ),
    ];
    for (status, body, code) in cases {
        let server = Server::start(vec![json_with(
            status,
            &[("x-request-id", "req_abc")],
            body,
        )])
        .await;
        let error = provider(&server)
            .await
            .complete(&request())
            .await
            .expect_err("error");
        match &error {
            AiError::Api {
                status: got,
                kind,
                request_id,
                ..
            } => {
                assert_eq!(
                    (*got, kind.as_str(), request_id.as_deref()),
                    (status, code, Some("req_abc"))
                );
            }
            other => panic!("{other:?}"),
        }
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains(KEY), "the key leaked: {printed}");
        assert_eq!(server.received().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn a_slow_server_times_out() {
    let slow = Reply::Delayed(Duration::from_secs(5), Box::new(json(200, COMPLETION)));
    let server = Server::start(vec![slow]).await;
    let mut config = server.config(KEY, "/v1");
    config.timeout = Duration::from_millis(200);
    config.retry = critfumble_ai::client::RetryPolicy::none();
    let started = std::time::Instant::now();
    let error = OpenAiProvider::new(config)
        .expect("provider")
        .complete(&request())
        .await
        .expect_err("timeout");
    assert!(
        matches!(
            error,
            AiError::Timeout {
                timeout_ms: 200,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_stalled_stream_hits_the_idle_timeout() {
    let (dropped, _notice) = tokio::sync::oneshot::channel();
    let first = STREAM.split_inclusive("\n\n").take(2).collect::<String>();
    let server = Server::start(vec![sse(
        vec![first.into_bytes()],
        StreamEnd::Hang { dropped },
    )])
    .await;
    let mut config = server.config(KEY, "/v1");
    config.stream_idle_timeout = Duration::from_millis(200);
    let provider = OpenAiProvider::new(config).expect("provider");
    let outcome = stream_outcome(&provider, &request()).await;
    assert_eq!(outcome.text, "The wyvern ");
    assert!(
        matches!(outcome.error, Some(AiError::Timeout { .. })),
        "{:?}",
        outcome.error
    );
    assert_eq!(outcome.usage(), None);
}

#[tokio::test]
async fn dropping_a_stream_closes_the_connection() {
    let (dropped, notice) = tokio::sync::oneshot::channel();
    let first = STREAM.split_inclusive("\n\n").take(2).collect::<String>();
    let server = Server::start(vec![sse(
        vec![first.into_bytes()],
        StreamEnd::Hang { dropped },
    )])
    .await;
    let mut stream = provider(&server)
        .await
        .stream(&request())
        .await
        .expect("stream");
    assert_eq!(
        stream.next().await.expect("event").expect("delta"),
        StreamEvent::TextDelta("The wyvern ".to_owned())
    );
    drop(stream);
    tokio::time::timeout(Duration::from_secs(5), notice)
        .await
        .expect("the server saw the client leave")
        .expect("signal");
}

#[tokio::test]
async fn compatible_servers_need_no_key_and_may_want_max_tokens() {
    let server = Server::start(vec![json(200, COMPLETION)]).await;
    let config = server.config("", "/v1");
    OpenAiProvider::new(config)
        .expect("provider")
        .with_output_limit_field(OutputLimitField::MaxTokens)
        .complete(&request())
        .await
        .expect("completion");
    let sent = &server.received()[0];
    assert!(sent.headers.get("authorization").is_none());
    assert_eq!(sent.body["max_tokens"], 300);
    assert!(sent.body.get("max_completion_tokens").is_none());
}

#[tokio::test]
async fn dropping_a_request_future_closes_the_connection() {
    let (dropped, notice) = tokio::sync::oneshot::channel();
    let server = Server::start(vec![Reply::Silent { dropped }]).await;
    let provider = provider(&server).await;
    let request = request();
    let gave_up =
        tokio::time::timeout(Duration::from_millis(200), provider.complete(&request)).await;
    assert!(gave_up.is_err(), "the silent server cannot have answered");
    tokio::time::timeout(Duration::from_secs(5), notice)
        .await
        .expect("the server saw the client leave")
        .expect("signal");
}
