//! Sending one JSON request with timeouts and retries, and reading provider error bodies.

use std::time::Duration;

use critfumble_sdk::retry::{self, Failure, error_chain};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::retry::{is_quota_code, should_retry_status};
use super::stream::Decoder;
use super::{CompletionStream, ProviderConfig};
use crate::{AiError, Completion, Provider};

/// An HTTP client bound to one provider endpoint and its credentials.
pub(crate) struct Transport {
    http: reqwest::Client,
    provider: Provider,
    url: String,
    headers: HeaderMap,
    config: ProviderConfig,
}

impl std::fmt::Debug for Transport {
    // The headers hold the key, so they are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("provider", &self.provider)
            .field("url", &self.url)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// `auth` is the header that carries the key; it is marked sensitive so
    /// that hyper and reqwest never log it.
    pub(crate) fn new(
        provider: Provider,
        config: ProviderConfig,
        path: &str,
        auth: Option<(HeaderName, String)>,
        extra: &[(&'static str, &'static str)],
    ) -> Result<Transport, AiError> {
        let invalid = |what: &str| AiError::InvalidConfig(what.to_owned());
        if !(config.base_url.starts_with("http://") || config.base_url.starts_with("https://")) {
            return Err(invalid("the base url must start with http:// or https://"));
        }
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = auth {
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| invalid("the api key contains characters not allowed in a header"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        for (name, value) in extra {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .build()
            .map_err(|_| invalid("the http client could not be set up"))?;
        let url = format!("{}{}", config.base_url.trim_end_matches('/'), path);
        Ok(Transport {
            http,
            provider,
            url,
            headers,
            config,
        })
    }

    /// Sends `body` and parses the whole answer with `parse`.
    pub(crate) async fn complete(
        &self,
        body: serde_json::Value,
        parse: fn(&[u8]) -> Result<Completion, AiError>,
    ) -> Result<Completion, AiError> {
        parse(&self.post(&body).await?)
    }

    /// Sends `body` and streams the answer through `decoder`.
    pub(crate) async fn stream(
        &self,
        body: serde_json::Value,
        decoder: Box<dyn Decoder>,
    ) -> Result<CompletionStream, AiError> {
        let response = self.post_for_stream(&body).await?;
        Ok(CompletionStream::new(
            self.provider,
            response,
            decoder,
            self.config.stream_idle_timeout,
        ))
    }

    /// Sends `body` and reads the whole answer, retrying as configured. The
    /// timeout covers each attempt from connecting to the last byte.
    async fn post(&self, body: &serde_json::Value) -> Result<Vec<u8>, AiError> {
        let timeout = self.config.timeout;
        self.with_retries(|| async {
            let whole = async {
                let response = self.attempt(body).await?;
                match response.bytes().await {
                    Ok(bytes) => Ok(bytes.to_vec()),
                    Err(error) => Err(self.transport_failure(&error)),
                }
            };
            tokio::time::timeout(timeout, whole)
                .await
                .unwrap_or_else(|_| Err(self.timeout_failure(timeout)))
        })
        .await
    }

    /// Sends `body` and returns the response once its headers say success, for
    /// streaming. Retries happen only until then.
    async fn post_for_stream(
        &self,
        body: &serde_json::Value,
    ) -> Result<reqwest::Response, AiError> {
        self.with_retries(|| self.attempt(body)).await
    }

    async fn with_retries<T, F, Fut>(&self, mut attempt: F) -> Result<T, AiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure<AiError>>>,
    {
        retry::run(&self.config.retry, |_| attempt()).await
    }

    /// One request up to its response headers, within the timeout.
    async fn attempt(
        &self,
        body: &serde_json::Value,
    ) -> Result<reqwest::Response, Failure<AiError>> {
        let request = self
            .http
            .post(&self.url)
            .headers(self.headers.clone())
            .body(body.to_string());
        let response = match tokio::time::timeout(self.config.timeout, request.send()).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => return Err(self.transport_failure(&error)),
            Err(_) => return Err(self.timeout_failure(self.config.timeout)),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = match tokio::time::timeout(self.config.timeout, response.bytes()).await {
            Ok(Ok(bytes)) => bytes.to_vec(),
            // The status alone decides; the body is only for the message.
            _ => Vec::new(),
        };
        let details = ProviderErrorBody::parse(&body, &headers);
        let quota = details.codes.iter().any(|code| is_quota_code(code));
        let retry = should_retry_status(status.as_u16(), &headers, quota);
        let message = self.config.api_key.redact(&details.message);
        let retry_after = retry::server_delay(
            |name| headers.get(name).and_then(|value| value.to_str().ok()),
            chrono::Utc::now(),
        );
        let error = if quota {
            let kind = details
                .codes
                .into_iter()
                .find(|code| is_quota_code(code))
                .unwrap_or_default();
            AiError::QuotaExceeded {
                provider: self.provider,
                kind,
                message,
            }
        } else {
            AiError::Api {
                provider: self.provider,
                status: status.as_u16(),
                kind: details
                    .codes
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "unknown".to_owned()),
                message,
                request_id: details.request_id,
                retry_after_secs: retry_after
                    .map(|delay| delay.as_millis().div_ceil(1000))
                    .map(|secs| u64::try_from(secs).unwrap_or(u64::MAX)),
            }
        };
        Err(Failure {
            error,
            retry,
            retry_after,
        })
    }

    fn transport_failure(&self, error: &reqwest::Error) -> Failure<AiError> {
        if error.is_timeout() {
            return self.timeout_failure(self.config.timeout);
        }
        Failure {
            error: AiError::Connection {
                provider: self.provider,
                message: self.config.api_key.redact(&error_chain(error)),
            },
            retry: true,
            retry_after: None,
        }
    }

    fn timeout_failure(&self, after: Duration) -> Failure<AiError> {
        Failure {
            error: AiError::Timeout {
                provider: self.provider,
                timeout_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            },
            retry: true,
            retry_after: None,
        }
    }
}

/// The useful parts of an OpenAI (`{"error": {"message", "type", "code"}}`) or
/// Anthropic (`{"type": "error", "error": {"type", "message"}, "request_id"}`) error body.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ProviderErrorBody {
    /// `code` before `type`: OpenAI puts `insufficient_quota` in both, and more specific
    /// things such as `rate_limit_exceeded` only in `code`.
    pub(crate) codes: Vec<String>,
    pub(crate) message: String,
    pub(crate) request_id: Option<String>,
}

impl ProviderErrorBody {
    pub(crate) fn parse(body: &[u8], headers: &HeaderMap) -> ProviderErrorBody {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let error = &json["error"];
        let text = |value: &serde_json::Value| value.as_str().map(str::to_owned);
        let codes = [&error["code"], &error["type"]]
            .into_iter()
            .filter_map(text)
            .collect();
        let message = text(&error["message"])
            .or_else(|| text(error))
            .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(500).collect());
        let request_id = ["x-request-id", "request-id"]
            .iter()
            .find_map(|name| headers.get(*name).and_then(|value| value.to_str().ok()))
            .map(str::to_owned)
            .or_else(|| text(&json["request_id"]));
        ProviderErrorBody {
            codes,
            message,
            request_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_error_body() {
        let body = br#"{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
        let parsed = ProviderErrorBody::parse(body, &HeaderMap::new());
        assert_eq!(parsed.codes, ["insufficient_quota", "insufficient_quota"]);
        assert_eq!(parsed.message, "You exceeded your current quota.");
    }

    #[test]
    fn anthropic_error_body() {
        let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011"}"#;
        let parsed = ProviderErrorBody::parse(body, &HeaderMap::new());
        assert_eq!(parsed.codes, ["overloaded_error"]);
        assert_eq!(parsed.message, "Overloaded");
        assert_eq!(parsed.request_id.as_deref(), Some("req_011"));
    }

    #[test]
    fn non_json_error_body_keeps_the_text() {
        let parsed = ProviderErrorBody::parse(b"502 Bad Gateway", &HeaderMap::new());
        assert!(parsed.codes.is_empty());
        assert_eq!(parsed.message, "502 Bad Gateway");
    }
}
