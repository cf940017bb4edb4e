//! The client for Core's API: every `/v1` endpoint, typed.

use reqwest::Method;
use uuid::Uuid;

use super::ClientConfig;
use super::http::{Call, Http};
use crate::SdkError;
use crate::api_key::random_base62;
use crate::paths::{self, expand};
use crate::webhook::WebhookSecret;
use crate::wire::{
    ApiKeyInfo, Campaign, CampaignChatRequest, CampaignChatResponse, CampaignMember,
    CampaignRollStats, Character, Conversation, ConversationDetail, CreateCampaignRequest,
    CreateCharacterRequest, CreateTokenRequest, CreatedToken, DiscordLinkRequest,
    EndSessionRequest, GameSession, Health, MemberRole, NewRoll, Page, PageRequest, Roll,
    RollQuery, SaveRollRequest, SavedRoll, SetMemberRequest, StartSessionRequest,
    UpdateCampaignRequest, UpdateCharacterRequest, UpdateSessionRequest, UpsertUserRequest,
    UsageQuery, UsageReport, User, VttAccountLink, VttGame, WebhookAck, WebhookEvent,
};

/// A client for Core. Cheap to clone; clones share the connection pool.
#[derive(Debug, Clone)]
pub struct CoreClient {
    http: Http,
}

fn id(value: Uuid) -> String {
    value.to_string()
}

impl CoreClient {
    /// A client for the Core at `base_url`, authenticated with an API key or user token.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self, SdkError> {
        Self::with_config(ClientConfig::new(base_url, token))
    }

    /// A client with a custom configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, SdkError> {
        Ok(Self {
            http: Http::new(&config)?,
        })
    }

    /// A copy whose requests act for the user with this Discord id
    /// (`x-act-as-discord-id`). Only service keys may do this.
    pub fn acting_as(&self, discord_id: &str) -> Result<Self, SdkError> {
        Ok(Self {
            http: self.http.acting_as(discord_id)?,
        })
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, SdkError> {
        self.http.json(Call::get(paths::HEALTHZ.into())).await
    }

    /// `GET /readyz`.
    pub async fn ready(&self) -> Result<Health, SdkError> {
        self.http.json(Call::get(paths::READYZ.into())).await
    }

    // Users and the caller.

    /// `PUT /v1/users/discord/{discord_id}`: creates or refreshes a user (service keys only).
    pub async fn upsert_user(
        &self,
        discord_id: &str,
        request: &UpsertUserRequest,
    ) -> Result<User, SdkError> {
        let path = expand(paths::USER_BY_DISCORD_ID, &[discord_id]);
        self.http
            .json(Call::new(Method::PUT, path).json(request)?)
            .await
    }

    /// `GET /v1/me`: the calling user.
    pub async fn me(&self) -> Result<User, SdkError> {
        self.http.json(Call::get(paths::ME.into())).await
    }

    /// `GET /v1/me/token`: the token (or key) this client presents, with its scopes; any
    /// credentials may ask.
    pub async fn current_token(&self) -> Result<ApiKeyInfo, SdkError> {
        self.http
            .json(Call::get(paths::ME_CURRENT_TOKEN.into()))
            .await
    }

    /// `GET /v1/me/tokens`: the caller's user tokens.
    pub async fn list_tokens(&self, page: &PageRequest) -> Result<Page<ApiKeyInfo>, SdkError> {
        self.http
            .json(Call::get(paths::ME_TOKENS.into()).query(page))
            .await
    }

    /// `POST /v1/me/tokens`: issues a user token; the secret is in the answer only.
    pub async fn create_token(
        &self,
        request: &CreateTokenRequest,
    ) -> Result<CreatedToken, SdkError> {
        let call = Call::new(Method::POST, paths::ME_TOKENS.into()).json(request)?;
        self.http.json(call).await
    }

    /// `DELETE /v1/me/tokens/{id}`: revokes a user token.
    pub async fn revoke_token(&self, token_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::ME_TOKEN, &[&id(token_id)]);
        self.http.empty(Call::delete(path)).await
    }

    /// `GET /v1/me/vtt-accounts`: the caller's linked VTT accounts.
    pub async fn list_vtt_accounts(&self) -> Result<Page<VttAccountLink>, SdkError> {
        self.http
            .json(Call::get(paths::ME_VTT_ACCOUNTS.into()))
            .await
    }

    /// `DELETE /v1/me/vtt-accounts/{id}`: unlinks a VTT account.
    pub async fn unlink_vtt_account(&self, link_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::ME_VTT_ACCOUNT, &[&id(link_id)]);
        self.http.empty(Call::delete(path)).await
    }

    // Saved rolls.

    /// `GET /v1/me/saved-rolls`: the caller's saved rolls, by name.
    pub async fn list_saved_rolls(&self, page: &PageRequest) -> Result<Page<SavedRoll>, SdkError> {
        self.http
            .json(Call::get(paths::ME_SAVED_ROLLS.into()).query(page))
            .await
    }

    /// `GET /v1/me/saved-rolls/{name}`; `None` when the caller saved nothing by that name.
    pub async fn get_saved_roll(&self, name: &str) -> Result<Option<SavedRoll>, SdkError> {
        let path = expand(paths::ME_SAVED_ROLL, &[name]);
        self.http.optional(Call::get(path)).await
    }

    /// `PUT /v1/me/saved-rolls/{name}`: saves an expression under a name, replacing the
    /// expression of a saved roll of that name.
    pub async fn save_roll(
        &self,
        name: &str,
        request: &SaveRollRequest,
    ) -> Result<SavedRoll, SdkError> {
        let path = expand(paths::ME_SAVED_ROLL, &[name]);
        self.http
            .json(Call::new(Method::PUT, path).json(request)?)
            .await
    }

    /// `DELETE /v1/me/saved-rolls/{name}`.
    pub async fn delete_saved_roll(&self, name: &str) -> Result<(), SdkError> {
        let path = expand(paths::ME_SAVED_ROLL, &[name]);
        self.http.empty(Call::delete(path)).await
    }

    // Campaigns.

    /// `POST /v1/campaigns`: creates a campaign with the caller as GM.
    pub async fn create_campaign(
        &self,
        request: &CreateCampaignRequest,
    ) -> Result<Campaign, SdkError> {
        let call = Call::new(Method::POST, paths::CAMPAIGNS.into()).json(request)?;
        self.http.json(call).await
    }

    /// `GET /v1/campaigns`: the campaigns the caller is a member of.
    pub async fn list_campaigns(&self, page: &PageRequest) -> Result<Page<Campaign>, SdkError> {
        self.http
            .json(Call::get(paths::CAMPAIGNS.into()).query(page))
            .await
    }

    /// `GET /v1/campaigns/{id}`.
    pub async fn get_campaign(&self, campaign_id: Uuid) -> Result<Campaign, SdkError> {
        let path = expand(paths::CAMPAIGN, &[&id(campaign_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `PATCH /v1/campaigns/{id}` (GM only).
    pub async fn update_campaign(
        &self,
        campaign_id: Uuid,
        request: &UpdateCampaignRequest,
    ) -> Result<Campaign, SdkError> {
        let path = expand(paths::CAMPAIGN, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::PATCH, path).json(request)?)
            .await
    }

    /// `DELETE /v1/campaigns/{id}` (GM only).
    pub async fn delete_campaign(&self, campaign_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::CAMPAIGN, &[&id(campaign_id)]);
        self.http.empty(Call::delete(path)).await
    }

    /// `GET /v1/campaigns/{id}/members`.
    pub async fn list_members(&self, campaign_id: Uuid) -> Result<Page<CampaignMember>, SdkError> {
        let path = expand(paths::CAMPAIGN_MEMBERS, &[&id(campaign_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `PUT /v1/campaigns/{id}/members/{user_id}`: adds a member or changes their role.
    pub async fn set_member(
        &self,
        campaign_id: Uuid,
        user_id: Uuid,
        role: MemberRole,
    ) -> Result<CampaignMember, SdkError> {
        let path = expand(paths::CAMPAIGN_MEMBER, &[&id(campaign_id), &id(user_id)]);
        let call = Call::new(Method::PUT, path).json(&SetMemberRequest { role })?;
        self.http.json(call).await
    }

    /// `DELETE /v1/campaigns/{id}/members/{user_id}`.
    pub async fn remove_member(&self, campaign_id: Uuid, user_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::CAMPAIGN_MEMBER, &[&id(campaign_id), &id(user_id)]);
        self.http.empty(Call::delete(path)).await
    }

    /// `PUT /v1/campaigns/{id}/links/discord`: links a Discord guild and channel.
    pub async fn link_discord(
        &self,
        campaign_id: Uuid,
        request: &DiscordLinkRequest,
    ) -> Result<Campaign, SdkError> {
        let path = expand(paths::CAMPAIGN_DISCORD_LINK, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::PUT, path).json(request)?)
            .await
    }

    /// `DELETE /v1/campaigns/{id}/links/discord`.
    pub async fn unlink_discord(&self, campaign_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::CAMPAIGN_DISCORD_LINK, &[&id(campaign_id)]);
        self.http.empty(Call::delete(path)).await
    }

    /// `PUT /v1/campaigns/{id}/links/vtt`: links a VTT game.
    pub async fn link_vtt_game(
        &self,
        campaign_id: Uuid,
        game: &VttGame,
    ) -> Result<Campaign, SdkError> {
        let path = expand(paths::CAMPAIGN_VTT_LINK, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::PUT, path).json(game)?)
            .await
    }

    /// `DELETE /v1/campaigns/{id}/links/vtt`.
    pub async fn unlink_vtt_game(&self, campaign_id: Uuid) -> Result<(), SdkError> {
        let path = expand(paths::CAMPAIGN_VTT_LINK, &[&id(campaign_id)]);
        self.http.empty(Call::delete(path)).await
    }

    /// `GET /v1/campaigns/by-discord-channel/{channel_id}`; `None` when no campaign is linked.
    pub async fn campaign_by_discord_channel(
        &self,
        channel_id: &str,
    ) -> Result<Option<Campaign>, SdkError> {
        let path = expand(paths::CAMPAIGN_BY_DISCORD_CHANNEL, &[channel_id]);
        self.http.optional(Call::get(path)).await
    }

    /// `GET /v1/campaigns/by-vtt-game/{vtt}/{game_id}`; `None` when no campaign is linked.
    pub async fn campaign_by_vtt_game(&self, game: &VttGame) -> Result<Option<Campaign>, SdkError> {
        let path = expand(
            paths::CAMPAIGN_BY_VTT_GAME,
            &[game.vtt.as_str(), &game.game_id],
        );
        self.http.optional(Call::get(path)).await
    }

    // Characters.

    /// `POST /v1/campaigns/{id}/characters`.
    pub async fn create_character(
        &self,
        campaign_id: Uuid,
        request: &CreateCharacterRequest,
    ) -> Result<Character, SdkError> {
        let path = expand(paths::CHARACTERS, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::POST, path).json(request)?)
            .await
    }

    /// `GET /v1/campaigns/{id}/characters`.
    pub async fn list_characters(
        &self,
        campaign_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Character>, SdkError> {
        let path = expand(paths::CHARACTERS, &[&id(campaign_id)]);
        self.http.json(Call::get(path).query(page)).await
    }

    /// `GET /v1/campaigns/{id}/characters/{character_id}`.
    pub async fn get_character(
        &self,
        campaign_id: Uuid,
        character_id: Uuid,
    ) -> Result<Character, SdkError> {
        let path = expand(paths::CHARACTER, &[&id(campaign_id), &id(character_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `PATCH /v1/campaigns/{id}/characters/{character_id}`.
    pub async fn update_character(
        &self,
        campaign_id: Uuid,
        character_id: Uuid,
        request: &UpdateCharacterRequest,
    ) -> Result<Character, SdkError> {
        let path = expand(paths::CHARACTER, &[&id(campaign_id), &id(character_id)]);
        self.http
            .json(Call::new(Method::PATCH, path).json(request)?)
            .await
    }

    /// `DELETE /v1/campaigns/{id}/characters/{character_id}`.
    pub async fn delete_character(
        &self,
        campaign_id: Uuid,
        character_id: Uuid,
    ) -> Result<(), SdkError> {
        let path = expand(paths::CHARACTER, &[&id(campaign_id), &id(character_id)]);
        self.http.empty(Call::delete(path)).await
    }

    // Game sessions.

    /// `POST /v1/campaigns/{id}/sessions`: starts a game session.
    pub async fn start_session(
        &self,
        campaign_id: Uuid,
        request: &StartSessionRequest,
    ) -> Result<GameSession, SdkError> {
        let path = expand(paths::SESSIONS, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::POST, path).json(request)?)
            .await
    }

    /// `POST /v1/campaigns/{id}/sessions/{session_id}/end`.
    pub async fn end_session(
        &self,
        campaign_id: Uuid,
        session_id: Uuid,
        request: &EndSessionRequest,
    ) -> Result<GameSession, SdkError> {
        let path = expand(paths::SESSION_END, &[&id(campaign_id), &id(session_id)]);
        self.http
            .json(Call::new(Method::POST, path).json(request)?)
            .await
    }

    /// `GET /v1/campaigns/{id}/sessions/{session_id}`.
    pub async fn get_session(
        &self,
        campaign_id: Uuid,
        session_id: Uuid,
    ) -> Result<GameSession, SdkError> {
        let path = expand(paths::SESSION, &[&id(campaign_id), &id(session_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `PATCH /v1/campaigns/{id}/sessions/{session_id}`: changes the title or notes.
    pub async fn update_session(
        &self,
        campaign_id: Uuid,
        session_id: Uuid,
        request: &UpdateSessionRequest,
    ) -> Result<GameSession, SdkError> {
        let path = expand(paths::SESSION, &[&id(campaign_id), &id(session_id)]);
        self.http
            .json(Call::new(Method::PATCH, path).json(request)?)
            .await
    }

    /// `GET /v1/campaigns/{id}/sessions`, newest first.
    pub async fn list_sessions(
        &self,
        campaign_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<GameSession>, SdkError> {
        let path = expand(paths::SESSIONS, &[&id(campaign_id)]);
        self.http.json(Call::get(path).query(page)).await
    }

    /// `GET /v1/campaigns/by-vtt-game/{vtt}/{game_id}/active-session`; `None` when no
    /// campaign is linked or no session runs.
    pub async fn active_session_by_vtt_game(
        &self,
        game: &VttGame,
    ) -> Result<Option<GameSession>, SdkError> {
        let path = expand(
            paths::ACTIVE_SESSION_BY_VTT_GAME,
            &[game.vtt.as_str(), &game.game_id],
        );
        self.http.optional(Call::get(path)).await
    }

    // Rolls.

    /// `POST /v1/rolls` with a fresh random `Idempotency-Key`, reused by every retry.
    pub async fn report_roll(&self, roll: &NewRoll) -> Result<Roll, SdkError> {
        let key = format!("roll_{}", random_base62(&mut rand::rng(), 22));
        self.report_roll_with_key(roll, &key).await
    }

    /// `POST /v1/rolls` with the caller's `Idempotency-Key`: use it to retry a roll across
    /// restarts of the reporter (Core replays the first answer for 24 h).
    pub async fn report_roll_with_key(
        &self,
        roll: &NewRoll,
        idempotency_key: &str,
    ) -> Result<Roll, SdkError> {
        let call = Call::new(Method::POST, paths::ROLLS.into())
            .json(roll)?
            .idempotency_key(idempotency_key.to_owned());
        self.http.json(call).await
    }

    /// `GET /v1/rolls` with filters and a cursor, newest first.
    pub async fn list_rolls(&self, query: &RollQuery) -> Result<Page<Roll>, SdkError> {
        self.http
            .json(Call::get(paths::ROLLS.into()).query(query))
            .await
    }

    /// `GET /v1/rolls/{id}`.
    pub async fn get_roll(&self, roll_id: Uuid) -> Result<Roll, SdkError> {
        let path = expand(paths::ROLL, &[&id(roll_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `GET /v1/campaigns/{id}/roll-stats`.
    pub async fn campaign_roll_stats(
        &self,
        campaign_id: Uuid,
    ) -> Result<CampaignRollStats, SdkError> {
        let path = expand(paths::CAMPAIGN_ROLL_STATS, &[&id(campaign_id)]);
        self.http.json(Call::get(path)).await
    }

    // Webhooks.

    /// `POST /v1/webhooks/fumblebot`: sends a signed event with a fresh `webhook-id`, which
    /// every retry reuses (each attempt is signed with its own timestamp).
    pub async fn send_event(
        &self,
        secret: &WebhookSecret,
        event: &WebhookEvent,
    ) -> Result<WebhookAck, SdkError> {
        let message_id = format!("msg_{}", random_base62(&mut rand::rng(), 24));
        self.send_event_with_id(secret, event, &message_id).await
    }

    /// Like [`CoreClient::send_event`], with the caller's message id (for redelivery).
    pub async fn send_event_with_id(
        &self,
        secret: &WebhookSecret,
        event: &WebhookEvent,
        message_id: &str,
    ) -> Result<WebhookAck, SdkError> {
        let call = Call::new(Method::POST, paths::WEBHOOK_FUMBLEBOT.into())
            .json(event)?
            .signed(secret, message_id.to_owned());
        self.http.json(call).await
    }

    // AI.

    /// `POST /v1/campaigns/{id}/ai/chat`. Not retried once it may have reached the model.
    pub async fn campaign_chat(
        &self,
        campaign_id: Uuid,
        request: &CampaignChatRequest,
    ) -> Result<CampaignChatResponse, SdkError> {
        let path = expand(paths::CAMPAIGN_AI_CHAT, &[&id(campaign_id)]);
        self.http
            .json(Call::new(Method::POST, path).json(request)?)
            .await
    }

    /// `GET /v1/campaigns/{id}/ai/conversations`, newest first.
    pub async fn list_conversations(
        &self,
        campaign_id: Uuid,
        page: &PageRequest,
    ) -> Result<Page<Conversation>, SdkError> {
        let path = expand(paths::CAMPAIGN_AI_CONVERSATIONS, &[&id(campaign_id)]);
        self.http.json(Call::get(path).query(page)).await
    }

    /// `GET /v1/ai/conversations/{id}`: a conversation with its messages.
    pub async fn get_conversation(
        &self,
        conversation_id: Uuid,
    ) -> Result<ConversationDetail, SdkError> {
        let path = expand(paths::AI_CONVERSATION, &[&id(conversation_id)]);
        self.http.json(Call::get(path)).await
    }

    /// `GET /v1/usage?group_by=...`: token usage totals.
    pub async fn usage(&self, query: &UsageQuery) -> Result<UsageReport, SdkError> {
        self.http
            .json(Call::get(paths::USAGE.into()).query(query))
            .await
    }
}
