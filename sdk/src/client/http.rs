//! The request executor shared by both clients: auth, retries, timeouts and error mapping.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ClientConfig;
use crate::SdkError;
use crate::paths::{ACT_AS_DISCORD_ID_HEADER, IDEMPOTENCY_KEY_HEADER};
use crate::retry::{self, Failure, RetryPolicy, error_chain, transient_status};
use crate::webhook::WebhookSecret;
use crate::wire::{ErrorBody, ErrorCode};

/// The longest start of a non-JSON error body kept in [`SdkError::Api`].
const ERROR_TEXT_CHARS: usize = 500;

/// A configured HTTP client for one base URL and one credential.
#[derive(Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    base_url: String,
    headers: HeaderMap,
    retry: RetryPolicy,
    timeout: Duration,
}

impl std::fmt::Debug for Http {
    // The headers hold the credential (and the acted-for user), so they are left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("base_url", &self.base_url)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// One logical request, which may be sent several times.
pub(crate) struct Call<'a> {
    method: Method,
    path: String,
    query: Option<&'a (dyn erased::Query + Sync)>,
    body: Option<Vec<u8>>,
    idempotency_key: Option<String>,
    webhook: Option<(&'a WebhookSecret, String)>,
}

/// Object safety for query strings: `reqwest::RequestBuilder::query` needs `Serialize`.
mod erased {
    pub(crate) trait Query {
        fn apply(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder;
    }

    impl<T: serde::Serialize> Query for T {
        fn apply(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
            builder.query(self)
        }
    }
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, path: String) -> Self {
        Self {
            method,
            path,
            query: None,
            body: None,
            idempotency_key: None,
            webhook: None,
        }
    }

    pub(crate) fn get(path: String) -> Self {
        Self::new(Method::GET, path)
    }

    pub(crate) fn delete(path: String) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Adds a JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, SdkError> {
        let bytes = serde_json::to_vec(body).map_err(|error| SdkError::Config {
            reason: format!("could not serialize the request body: {error}"),
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Adds a query string.
    pub(crate) fn query(mut self, query: &'a (impl Serialize + Sync)) -> Self {
        self.query = Some(query);
        self
    }

    pub(crate) fn idempotency_key(mut self, key: String) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Signs every attempt as a Standard Webhooks delivery with message id `id`.
    pub(crate) fn signed(mut self, secret: &'a WebhookSecret, id: String) -> Self {
        self.webhook = Some((secret, id));
        self
    }

    /// Whether the server can tell a repeat of this request from a new one.
    fn repeatable(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::PUT | Method::DELETE | Method::HEAD
        ) || self.idempotency_key.is_some()
            || self.webhook.is_some()
    }
}

impl Http {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self, SdkError> {
        let url = reqwest::Url::parse(&config.base_url).map_err(|error| SdkError::Config {
            reason: format!("base url '{}' is not a url: {error}", config.base_url),
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SdkError::Config {
                reason: format!("base url '{}' must use http or https", config.base_url),
            });
        }
        let mut headers = HeaderMap::new();
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", config.token)).map_err(|_| {
                SdkError::Config {
                    reason: "the api key holds characters that cannot go in a header".into(),
                }
            })?;
        // Sensitive values are left out of hyper's and reqwest's own debug output.
        bearer.set_sensitive(true);
        headers.insert(AUTHORIZATION, bearer);
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|error| SdkError::Config {
                reason: format!("could not build the http client: {error}"),
            })?;
        Ok(Self {
            client,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            headers,
            retry: config.retry.clone(),
            timeout: config.timeout,
        })
    }

    /// A copy that acts for the user with this Discord id (service keys only).
    pub(crate) fn acting_as(&self, discord_id: &str) -> Result<Self, SdkError> {
        let value = HeaderValue::from_str(discord_id).map_err(|_| SdkError::Config {
            reason: format!("'{discord_id}' cannot go in a header"),
        })?;
        let mut copy = self.clone();
        copy.headers
            .insert(HeaderName::from_static(ACT_AS_DISCORD_ID_HEADER), value);
        Ok(copy)
    }

    /// Sends the call and decodes a JSON success body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, SdkError> {
        let (url, bytes) = self.send(call).await?;
        serde_json::from_slice(&bytes).map_err(|error| SdkError::Decode {
            url,
            message: error.to_string(),
        })
    }

    /// Sends the call and ignores the success body.
    pub(crate) async fn empty(&self, call: Call<'_>) -> Result<(), SdkError> {
        self.send(call).await.map(|_| ())
    }

    /// Like [`Http::json`], but a 404 gives `None`.
    pub(crate) async fn optional<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Option<T>, SdkError> {
        match self.json(call).await {
            Ok(value) => Ok(Some(value)),
            Err(error) if error.status() == Some(404) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Sends the call, retrying as the policy allows; returns the URL and the success body.
    async fn send(&self, call: Call<'_>) -> Result<(String, Vec<u8>), SdkError> {
        let url = format!("{}{}", self.base_url, call.path);
        let body = retry::run(&self.retry, |_| self.attempt(&call, &url)).await?;
        Ok((url, body))
    }

    /// Sends the call once and judges a failure: whether another attempt may help, and
    /// whether it is safe (a request the server cannot deduplicate is sent again only
    /// when it surely was not processed, so that an AI chat is never paid twice).
    async fn attempt(&self, call: &Call<'_>, url: &str) -> Result<Vec<u8>, Failure<SdkError>> {
        let repeatable = call.repeatable();
        let request = self.build(call, url).map_err(|error| Failure {
            error,
            retry: false,
            retry_after: None,
        })?;
        let response = match self.client.execute(request).await {
            Ok(response) => response,
            Err(error) => {
                return Err(Failure {
                    retry: repeatable || error.is_connect(),
                    error: self.transport(url, &error),
                    retry_after: None,
                });
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|error| Failure {
            error: self.transport(url, &error),
            retry: repeatable,
            retry_after: None,
        })?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let error = api_error(&call.method, url, status, &bytes);
        let code = status.as_u16();
        // Core answers 409 both for a conflict, which a retry only repeats, and for an
        // idempotency key whose first request is still running, which clears by itself.
        let in_flight = error
            .api_body()
            .is_some_and(|body| body.error.code == ErrorCode::IdempotencyKeyInFlight);
        let transient = transient_status(code) || (code == 409 && in_flight);
        let not_processed = matches!(code, 429 | 503);
        Err(Failure {
            error,
            retry: transient && (repeatable || not_processed),
            retry_after: retry::server_delay(
                |name| headers.get(name).and_then(|value| value.to_str().ok()),
                Utc::now(),
            ),
        })
    }

    fn build(&self, call: &Call<'_>, url: &str) -> Result<reqwest::Request, SdkError> {
        let mut builder = self
            .client
            .request(call.method.clone(), url)
            .headers(self.headers.clone());
        if let Some(query) = call.query {
            builder = query.apply(builder);
        }
        if let Some(key) = &call.idempotency_key {
            builder = builder.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        let body = call.body.clone().unwrap_or_default();
        if let Some((secret, id)) = &call.webhook {
            // Each attempt is signed afresh, so a late retry is not rejected as stale.
            for (name, value) in secret
                .sign_headers(id, Utc::now().timestamp(), &body)
                .pairs()
            {
                builder = builder.header(name, value);
            }
        }
        if call.body.is_some() {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        builder.build().map_err(|error| SdkError::Config {
            reason: format!("could not build the request to {url}: {error}"),
        })
    }

    fn transport(&self, url: &str, error: &reqwest::Error) -> SdkError {
        if error.is_timeout() {
            SdkError::Timeout {
                url: url.to_owned(),
                timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }
        } else {
            SdkError::Transport {
                url: url.to_owned(),
                message: error_chain(error),
            }
        }
    }
}

fn api_error(method: &Method, url: &str, status: StatusCode, bytes: &[u8]) -> SdkError {
    let body = serde_json::from_slice::<ErrorBody>(bytes).unwrap_or_else(|_| {
        let text: String = String::from_utf8_lossy(bytes)
            .chars()
            .take(ERROR_TEXT_CHARS)
            .collect();
        let message = if text.trim().is_empty() {
            status
                .canonical_reason()
                .unwrap_or("no body")
                .to_lowercase()
        } else {
            text
        };
        ErrorBody::new(ErrorCode::Unknown, message)
    });
    SdkError::Api {
        method: method.to_string(),
        url: url.to_owned(),
        status: status.as_u16(),
        body: Box::new(body),
    }
}
