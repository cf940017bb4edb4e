//! `AppState`: what every handler shares. Cheap to clone. Each service (the AI service, the
//! VTT bridge, the Activity) keeps its own part here.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serenity::all::Http;
use tokio::sync::Notify;

use crate::activity::ActivityState;
use crate::ai::AiService;
use crate::bridge::BridgeState;
use crate::core_access::CoreAccess;
use crate::discord::verify::InteractionVerifier;
use crate::outbox::Outbox;
use crate::ratelimit::RateLimiter;
use critfumble_sdk::webhook::WebhookSecret;

/// How many recent expressions per user autocomplete offers.
const RECENT_PER_USER: usize = 10;

/// Everything a handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    core: Arc<CoreAccess>,
    outbox: Outbox,
    outbox_wake: Arc<Notify>,
    limiter: RateLimiter,
    verifier: Option<InteractionVerifier>,
    discord: Arc<Http>,
    ai: AiService,
    bridge: BridgeState,
    activity: ActivityState,
    webhook_secret: Option<WebhookSecret>,
    recent: Mutex<HashMap<u64, VecDeque<String>>>,
}

/// The parts an [`AppState`] is made of.
#[derive(Debug)]
pub struct Parts {
    /// Core, through the SDK.
    pub core: Arc<CoreAccess>,
    /// The outbox rolls are written to before they are answered.
    pub outbox: Outbox,
    /// Notified on each append, to wake the drainer.
    pub outbox_wake: Arc<Notify>,
    /// The per-user and per-guild limits.
    pub limiter: RateLimiter,
    /// The interactions endpoint's key; the endpoint answers 503 without it.
    pub verifier: Option<InteractionVerifier>,
    /// Discord's REST API (serenity's client, with its rate limiter).
    pub discord: Arc<Http>,
    /// The AI service.
    pub ai: AiService,
    /// The VTT bridge.
    pub bridge: BridgeState,
    /// The Discord Activity.
    pub activity: ActivityState,
    /// The secret webhooks to Core are signed with.
    pub webhook_secret: Option<WebhookSecret>,
}

impl AppState {
    /// Builds the state.
    pub fn new(parts: Parts) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                core: parts.core,
                outbox: parts.outbox,
                outbox_wake: parts.outbox_wake,
                limiter: parts.limiter,
                verifier: parts.verifier,
                discord: parts.discord,
                ai: parts.ai,
                bridge: parts.bridge,
                activity: parts.activity,
                webhook_secret: parts.webhook_secret,
                recent: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Core.
    pub fn core(&self) -> &Arc<CoreAccess> {
        &self.inner.core
    }

    /// The outbox.
    pub fn outbox(&self) -> &Outbox {
        &self.inner.outbox
    }

    /// Wakes the outbox's drainer.
    pub fn wake_outbox(&self) {
        self.inner.outbox_wake.notify_one();
    }

    /// The rate limits.
    pub fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// The interactions endpoint's key.
    pub fn verifier(&self) -> Option<&InteractionVerifier> {
        self.inner.verifier.as_ref()
    }

    /// Discord's REST API.
    pub fn discord(&self) -> &Arc<Http> {
        &self.inner.discord
    }

    /// The AI service.
    pub fn ai(&self) -> &AiService {
        &self.inner.ai
    }

    /// The VTT bridge.
    pub fn bridge(&self) -> &BridgeState {
        &self.inner.bridge
    }

    /// The Discord Activity.
    pub fn activity(&self) -> &ActivityState {
        &self.inner.activity
    }

    /// The secret webhooks to Core are signed with.
    pub fn webhook_secret(&self) -> Option<&WebhookSecret> {
        self.inner.webhook_secret.as_ref()
    }

    /// Remembers an expression a user rolled, for autocomplete (newest first, no repeats).
    pub fn remember_expression(&self, user: u64, expression: &str) {
        let mut recent = self.recent();
        if recent.len() > 100_000 {
            recent.clear();
        }
        let list = recent.entry(user).or_default();
        list.retain(|known| known != expression);
        list.push_front(expression.to_owned());
        list.truncate(RECENT_PER_USER);
    }

    /// The expressions a user rolled lately, newest first.
    pub fn recent_expressions(&self, user: u64) -> Vec<String> {
        self.recent()
            .get(&user)
            .map(|list| list.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, HashMap<u64, VecDeque<String>>> {
        self.inner
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
