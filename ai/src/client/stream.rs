//! A streamed answer: text deltas, then a summary with the usage.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use std::future::Future;

use futures_util::{Stream, StreamExt};

use super::sse::{SseEvent, SseParser};
use crate::{AiError, Provider, StopReason, Usage};
use critfumble_sdk::retry::error_chain;

/// One item of a [`CompletionStream`].
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// The next piece of the answer.
    TextDelta(String),
    /// The answer is complete; this is the last item.
    Finished(StreamSummary),
}

/// How a stream that completed ended.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSummary {
    /// The model that answered.
    pub model: String,
    /// Why it stopped.
    pub stop_reason: StopReason,
    /// Tokens used. `None` when the server sent no usage (some OpenAI-compatible
    /// servers ignore `stream_options.include_usage`); unknown, not zero.
    pub usage: Option<Usage>,
}

/// Everything a stream produced, for callers that want the whole answer but
/// also need to know what happened when it broke.
#[derive(Debug)]
pub struct StreamOutcome {
    /// The text that arrived, complete or not.
    pub text: String,
    /// The summary, present only when the stream completed.
    pub summary: Option<StreamSummary>,
    /// The error that ended the stream early, if any. Then `summary` is `None`
    /// and the usage is unknown.
    pub error: Option<AiError>,
}

impl StreamOutcome {
    /// The usage, when it is known: only for streams that completed and reported it.
    pub fn usage(&self) -> Option<Usage> {
        self.summary.as_ref().and_then(|summary| summary.usage)
    }
}

/// What a provider-specific decoder makes of one server-sent event.
pub(crate) enum Decoded {
    Delta(String),
    Finished(StreamSummary),
}

/// Turns one provider's events into [`Decoded`] items.
pub(crate) trait Decoder: Send + 'static {
    fn decode(&mut self, event: SseEvent, out: &mut Vec<Decoded>) -> Result<(), AiError>;
}

/// The body as chunks, with transport errors already turned into messages.
type ByteStream = Pin<Box<dyn Stream<Item = Result<Vec<u8>, String>> + Send>>;

/// A streamed answer. It yields [`StreamEvent::TextDelta`]s and then one
/// [`StreamEvent::Finished`]; if the stream breaks it yields one error and ends,
/// and the usage of that request is unknown. Dropping it closes the connection.
pub struct CompletionStream {
    provider: Provider,
    body: ByteStream,
    parser: SseParser,
    decoder: Box<dyn Decoder>,
    pending: VecDeque<Result<StreamEvent, AiError>>,
    idle_timeout: Duration,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    received_chars: usize,
    done: bool,
}

impl std::fmt::Debug for CompletionStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionStream")
            .field("provider", &self.provider)
            .field("received_chars", &self.received_chars)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl CompletionStream {
    pub(crate) fn new(
        provider: Provider,
        response: reqwest::Response,
        decoder: Box<dyn Decoder>,
        idle_timeout: Duration,
    ) -> CompletionStream {
        let body = response.bytes_stream().map(|chunk| {
            chunk
                .map(|bytes| bytes.to_vec())
                .map_err(|error| error_chain(&error))
        });
        CompletionStream {
            provider,
            body: Box::pin(body),
            parser: SseParser::default(),
            decoder,
            pending: VecDeque::new(),
            idle_timeout,
            idle: None,
            received_chars: 0,
            done: false,
        }
    }

    /// Reads the stream to its end and gathers the text, the summary and any error.
    pub async fn collect_outcome(mut self) -> StreamOutcome {
        let mut text = String::new();
        while let Some(item) = self.next().await {
            match item {
                Ok(StreamEvent::TextDelta(delta)) => text.push_str(&delta),
                Ok(StreamEvent::Finished(summary)) => {
                    return StreamOutcome {
                        text,
                        summary: Some(summary),
                        error: None,
                    };
                }
                Err(error) => {
                    return StreamOutcome {
                        text,
                        summary: None,
                        error: Some(error),
                    };
                }
            }
        }
        // Unreachable in practice: the stream always ends with a summary or an error.
        StreamOutcome {
            text,
            summary: None,
            error: None,
        }
    }

    fn interrupted(&self, message: String) -> AiError {
        AiError::StreamInterrupted {
            provider: self.provider,
            received_chars: self.received_chars,
            message,
        }
    }

    /// Hands a chunk to the parser and the decoder, queueing what they produce.
    fn absorb(&mut self, chunk: &[u8]) {
        let mut events = Vec::new();
        if let Err(message) = self.parser.push(chunk, &mut events) {
            self.fail(self.interrupted(message));
            return;
        }
        for event in events {
            let mut decoded = Vec::new();
            if let Err(error) = self.decoder.decode(event, &mut decoded) {
                self.fail(error);
                return;
            }
            for item in decoded {
                match item {
                    Decoded::Delta(text) => {
                        self.received_chars += text.chars().count();
                        self.pending.push_back(Ok(StreamEvent::TextDelta(text)));
                    }
                    Decoded::Finished(summary) => {
                        self.pending.push_back(Ok(StreamEvent::Finished(summary)));
                        self.done = true;
                        return;
                    }
                }
            }
        }
    }

    fn fail(&mut self, error: AiError) {
        self.pending.push_back(Err(error));
        self.done = true;
    }
}

impl Stream for CompletionStream {
    type Item = Result<StreamEvent, AiError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.pending.pop_front() {
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    this.idle = None;
                    this.absorb(&chunk);
                }
                Poll::Ready(Some(Err(message))) => {
                    let error = this.interrupted(message);
                    this.fail(error);
                }
                Poll::Ready(None) => {
                    let error = this.interrupted(
                        "the connection closed before the provider finished the answer".to_owned(),
                    );
                    this.fail(error);
                }
                Poll::Pending => {
                    let timeout = this.idle_timeout;
                    let idle = this
                        .idle
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                    if idle.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let error = AiError::Timeout {
                        provider: this.provider,
                        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                    };
                    this.fail(error);
                }
            }
        }
    }
}
