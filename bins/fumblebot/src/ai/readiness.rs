//! Whether each configured provider answers: `GET {base}/models` (OpenAI) or
//! `GET {base}/v1/models` (Anthropic) with the key, at most every 30 s. Any HTTP answer means
//! reachable; a refused key is reported as such, without the key.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use critfumble_ai::Provider;
use critfumble_sdk::wire::AiProviderStatus;

use super::providers::Configured;

/// How long a probe's result is reused.
const PROBE_TTL: Duration = Duration::from_secs(30);
/// How long a probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The last probe of every provider.
#[derive(Debug)]
pub struct Prober {
    http: reqwest::Client,
    last: Mutex<Option<(Instant, Vec<AiProviderStatus>)>>,
}

impl Prober {
    /// A prober with its own HTTP client.
    pub fn new() -> anyhow::Result<Prober> {
        Ok(Prober {
            http: reqwest::Client::builder().timeout(PROBE_TIMEOUT).build()?,
            last: Mutex::new(None),
        })
    }

    /// The status of each of `providers`, probed now unless the last probe is fresh.
    pub async fn status<'a>(
        &self,
        providers: impl Iterator<Item = &'a Configured>,
    ) -> Vec<AiProviderStatus> {
        if let Some((at, statuses)) = &*self.lock()
            && at.elapsed() < PROBE_TTL
        {
            return statuses.clone();
        }
        let mut statuses = Vec::new();
        for configured in providers {
            statuses.push(self.probe(configured).await);
        }
        *self.lock() = Some((Instant::now(), statuses.clone()));
        statuses
    }

    async fn probe(&self, configured: &Configured) -> AiProviderStatus {
        let request = match configured.provider {
            Provider::OpenAi => {
                let request = self.http.get(format!("{}/models", configured.base_url));
                if configured.key_for_probe().is_empty() {
                    request
                } else {
                    request.bearer_auth(configured.key_for_probe())
                }
            }
            Provider::Anthropic => self
                .http
                .get(format!("{}/v1/models", configured.base_url))
                .header("x-api-key", configured.key_for_probe())
                .header(
                    "anthropic-version",
                    critfumble_ai::client::ANTHROPIC_VERSION,
                ),
        };
        let (reachable, detail) = match request.send().await {
            Ok(response) if matches!(response.status().as_u16(), 401 | 403) => (
                true,
                Some(format!(
                    "the provider refused the key (http {})",
                    response.status().as_u16()
                )),
            ),
            Ok(response) if response.status().is_server_error() => {
                (true, Some(format!("http {}", response.status().as_u16())))
            }
            Ok(_) => (true, None),
            Err(error) if error.is_timeout() => (false, Some("timed out".to_owned())),
            Err(_) => (false, Some("cannot connect".to_owned())),
        };
        AiProviderStatus {
            provider: configured.provider.to_string(),
            reachable,
            detail,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Vec<AiProviderStatus>)>> {
        self.last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
