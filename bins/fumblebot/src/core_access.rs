//! FumbleBot's way into Core: the SDK's `CoreClient` with the service key, acting for the
//! Discord user behind each request, with two short-lived caches (which users Core already
//! knows, and which campaign and session a channel belongs to). Nothing here outlives the
//! process: Core holds the truth.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use critfumble_sdk::client::{ClientConfig, RetryPolicy};
use critfumble_sdk::wire::{Campaign, NewRoll, PageRequest, UpsertUserRequest, VttGame};
use critfumble_sdk::{CoreClient, SdkError};
use uuid::Uuid;

use crate::outbox::DiscordActor;

/// How long Core's answer about a user or a channel is trusted.
const CACHE_TTL: Duration = Duration::from_secs(60);
/// How long the bridge trusts Core's answer about a VTT game (its campaign, its running
/// session, who is a member): a few seconds, so that a roll's hot path asks Core nothing,
/// while a change made elsewhere (the web app) shows within that time. Changes this
/// process makes itself clear the caches at once ([`CoreAccess::remember_channel`]).
pub const GAME_CACHE_TTL: Duration = Duration::from_secs(5);
/// The most entries a cache holds before it is cleared (a bound, not an eviction policy:
/// refilling costs one request each).
const CACHE_MAX: usize = 50_000;

/// The campaign a channel is linked to, and its running game session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelCampaign {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The game session running now, if any.
    pub session_id: Option<Uuid>,
}

/// Core, as FumbleBot talks to it.
#[derive(Debug)]
pub struct CoreAccess {
    /// Core's base URL, for clients with another credential (the bridge's user tokens).
    base_url: String,
    /// For commands a person waits on: retried as the SDK does.
    interactive: CoreClient,
    /// For the outbox, which retries by itself: one attempt each, 10 s at most.
    reporting: CoreClient,
    users: Mutex<TimedCache<String, Uuid>>,
    channels: Mutex<TimedCache<String, Option<ChannelCampaign>>>,
    game_campaigns: Mutex<TimedCache<VttGame, Campaign>>,
    game_sessions: Mutex<TimedCache<VttGame, Option<Uuid>>>,
    members: Mutex<TimedCache<(String, Uuid), ()>>,
}

impl CoreAccess {
    /// Clients for the Core at `base_url` with the service key `service_key`.
    pub fn new(base_url: &str, service_key: &str) -> Result<CoreAccess, SdkError> {
        let interactive = CoreClient::with_config(
            ClientConfig::new(base_url, service_key).with_timeout(Duration::from_secs(10)),
        )?;
        let reporting = CoreClient::with_config(
            ClientConfig::new(base_url, service_key)
                .with_retry(RetryPolicy::none())
                .with_timeout(Duration::from_secs(10))
                .with_connect_timeout(Duration::from_secs(2)),
        )?;
        Ok(CoreAccess {
            base_url: base_url.trim_end_matches('/').to_owned(),
            interactive,
            reporting,
            users: Mutex::new(TimedCache::new(CACHE_TTL)),
            channels: Mutex::new(TimedCache::new(CACHE_TTL)),
            game_campaigns: Mutex::new(TimedCache::new(GAME_CACHE_TTL)),
            game_sessions: Mutex::new(TimedCache::new(GAME_CACHE_TTL)),
            members: Mutex::new(TimedCache::new(GAME_CACHE_TTL)),
        })
    }

    /// Core's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The service's own client, acting for nobody.
    pub fn service(&self) -> &CoreClient {
        &self.interactive
    }

    /// A client acting for this Discord user, who is created in Core (or has their name
    /// refreshed) first unless Core confirmed them within the last minute. Also gives the
    /// user's Core id.
    pub async fn acting_for(&self, actor: &DiscordActor) -> Result<(CoreClient, Uuid), SdkError> {
        self.acting_with(&self.interactive, actor).await
    }

    async fn acting_with(
        &self,
        client: &CoreClient,
        actor: &DiscordActor,
    ) -> Result<(CoreClient, Uuid), SdkError> {
        let known = lock(&self.users).get(&actor.discord_id);
        let user_id = match known {
            Some(user_id) => user_id,
            None => {
                let user = client
                    .upsert_user(
                        &actor.discord_id,
                        &UpsertUserRequest {
                            name: actor.name.clone(),
                            avatar: actor.avatar.clone(),
                        },
                    )
                    .await?;
                lock(&self.users).put(actor.discord_id.clone(), user.id);
                user.id
            }
        };
        Ok((client.acting_as(&actor.discord_id)?, user_id))
    }

    /// What the cache knows of a channel, without asking Core: `None` when it does not know.
    pub fn cached_channel(&self, channel_id: &str) -> Option<Option<ChannelCampaign>> {
        lock(&self.channels).get(channel_id)
    }

    /// The campaign and running session of a channel, from the cache or from Core.
    pub async fn channel(&self, channel_id: &str) -> Result<Option<ChannelCampaign>, SdkError> {
        if let Some(known) = self.cached_channel(channel_id) {
            return Ok(known);
        }
        let client = &self.reporting;
        let found = match client.campaign_by_discord_channel(channel_id).await? {
            None => None,
            Some(campaign) => {
                let sessions = client
                    .list_sessions(
                        campaign.id,
                        &PageRequest {
                            cursor: None,
                            limit: Some(1),
                        },
                    )
                    .await?;
                let running = sessions
                    .items
                    .into_iter()
                    .find(|session| session.ended_at.is_none());
                Some(ChannelCampaign {
                    campaign_id: campaign.id,
                    session_id: running.map(|session| session.id),
                })
            }
        };
        lock(&self.channels).put(channel_id.to_owned(), found);
        Ok(found)
    }

    /// Records what this process just changed (a link, a session), so that the next roll
    /// in the channel uses it without waiting for the cache to expire.
    pub fn remember_channel(&self, channel_id: &str, campaign: Option<ChannelCampaign>) {
        lock(&self.channels).put(channel_id.to_owned(), campaign);
        // A link or a session changes what a VTT game's campaign and session are.
        self.forget_games();
    }

    /// The campaign linked to a VTT game, as Core said within [`GAME_CACHE_TTL`].
    pub fn cached_game_campaign(&self, game: &VttGame) -> Option<Campaign> {
        lock(&self.game_campaigns).get(game)
    }

    /// Records the campaign Core named for a VTT game.
    pub fn remember_game_campaign(&self, game: &VttGame, campaign: Campaign) {
        lock(&self.game_campaigns).put(game.clone(), campaign);
    }

    /// The session running in a VTT game (`Some(None)`: none), as Core said within
    /// [`GAME_CACHE_TTL`].
    pub fn cached_game_session(&self, game: &VttGame) -> Option<Option<Uuid>> {
        lock(&self.game_sessions).get(game)
    }

    /// Records the session Core named for a VTT game.
    pub fn remember_game_session(&self, game: &VttGame, session: Option<Uuid>) {
        lock(&self.game_sessions).put(game.clone(), session);
    }

    /// Whether Core said, within [`GAME_CACHE_TTL`], that the Discord user is a member of
    /// the campaign.
    pub fn is_known_member(&self, discord_id: &str, campaign: Uuid) -> bool {
        lock(&self.members)
            .get(&(discord_id.to_owned(), campaign))
            .is_some()
    }

    /// Records that Core let the Discord user read the campaign.
    pub fn remember_member(&self, discord_id: &str, campaign: Uuid) {
        lock(&self.members).put((discord_id.to_owned(), campaign), ());
    }

    /// Forgets every VTT game's campaign, session and members.
    pub fn forget_games(&self) {
        lock(&self.game_campaigns).clear();
        lock(&self.game_sessions).clear();
        lock(&self.members).clear();
    }

    /// `POST /v1/rolls` for the outbox: one attempt, acting for the roller. A roll whose
    /// campaign the roller may not report to (they are not a member) is reported without
    /// the campaign rather than refused.
    pub async fn report_roll(
        &self,
        actor: &DiscordActor,
        idempotency_key: &str,
        roll: &NewRoll,
    ) -> Result<(), SdkError> {
        let (client, _) = self.acting_with(&self.reporting, actor).await?;
        let mut roll = roll.clone();
        if roll.campaign_id.is_none()
            && let Some(channel_id) = roll.channel_id.clone()
            && let Some(found) = self.channel(&channel_id).await?
        {
            roll.campaign_id = Some(found.campaign_id);
            roll.session_id = found.session_id;
        }
        match client.report_roll_with_key(&roll, idempotency_key).await {
            Err(error)
                if roll.campaign_id.is_some() && matches!(error.status(), Some(403 | 404)) =>
            {
                roll.campaign_id = None;
                roll.session_id = None;
                client
                    .report_roll_with_key(&roll, idempotency_key)
                    .await
                    .map(|_| ())
            }
            other => other.map(|_| ()),
        }
    }

    /// Sends a signed webhook event once (no retries: the outbox retries), with `webhook_id`.
    pub async fn send_event(
        &self,
        secret: &critfumble_sdk::webhook::WebhookSecret,
        event: &critfumble_sdk::wire::WebhookEvent,
        webhook_id: &str,
    ) -> Result<(), SdkError> {
        self.reporting
            .send_event_with_id(secret, event, webhook_id)
            .await
            .map(|_| ())
    }

    /// Forgets what the caches know of a user, so that the next request upserts them again
    /// (after Core answered that it does not know them).
    pub fn forget_user(&self, discord_id: &str) {
        lock(&self.users).remove(discord_id);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a cache leaves it usable: it is only a cache.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A map whose entries expire after `ttl`.
#[derive(Debug)]
struct TimedCache<K, V> {
    ttl: Duration,
    entries: HashMap<K, (Instant, V)>,
}

impl<K: std::hash::Hash + Eq, V: Clone> TimedCache<K, V> {
    fn new(ttl: Duration) -> Self {
        TimedCache {
            ttl,
            entries: HashMap::new(),
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
    }

    fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    fn put(&mut self, key: K, value: V) {
        if self.entries.len() >= CACHE_MAX {
            self.entries.clear();
        }
        self.entries.insert(key, (Instant::now(), value));
    }

    fn remove<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use critfumble_sdk::wire::Vtt;

    fn access() -> CoreAccess {
        let key = critfumble_sdk::api_key::ApiKey::generate(critfumble_sdk::api_key::KeyEnv::Live);
        CoreAccess::new("http://127.0.0.1:9", key.expose_secret()).unwrap()
    }

    fn game(id: &str) -> VttGame {
        VttGame {
            vtt: Vtt::Roll20,
            game_id: id.to_owned(),
        }
    }

    #[test]
    fn a_link_or_session_made_here_clears_what_is_known_of_games() {
        let access = access();
        let (campaign, session) = (Uuid::from_u128(7), Uuid::from_u128(8));
        access.remember_game_session(&game("g1"), Some(session));
        access.remember_game_session(&game("g2"), None);
        access.remember_member("42", campaign);
        assert_eq!(access.cached_game_session(&game("g1")), Some(Some(session)));
        assert_eq!(access.cached_game_session(&game("g2")), Some(None));
        assert_eq!(access.cached_game_session(&game("g3")), None);
        assert!(access.is_known_member("42", campaign));
        assert!(!access.is_known_member("43", campaign));
        access.remember_channel(
            "100",
            Some(ChannelCampaign {
                campaign_id: campaign,
                session_id: None,
            }),
        );
        assert_eq!(access.cached_game_session(&game("g1")), None);
        assert!(!access.is_known_member("42", campaign));
    }

    #[test]
    fn what_is_known_of_a_game_expires_after_its_ttl() {
        let access = access();
        access.remember_member("42", Uuid::from_u128(7));
        access.remember_game_session(&game("g1"), None);
        std::thread::sleep(GAME_CACHE_TTL + Duration::from_millis(100));
        assert!(!access.is_known_member("42", Uuid::from_u128(7)));
        assert_eq!(access.cached_game_session(&game("g1")), None);
    }
}
