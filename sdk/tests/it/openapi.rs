//! The `openapi` feature: every wire type has a schema that a server can publish.

use critfumble_sdk::wire::*;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(components(schemas(
    User, UpsertUserRequest, Campaign, CampaignMember, CreateCampaignRequest,
    UpdateCampaignRequest, DiscordLinkRequest, SetMemberRequest, MemberRole, Character,
    CharacterSheet, CreateCharacterRequest, UpdateCharacterRequest, GameSession,
    StartSessionRequest, EndSessionRequest, UpdateSessionRequest, Vtt, VttGame,
    VttAccountLink, NewRoll, Roll, RollActor, RollSource, CampaignRollStats, AiChatRequest,
    AiChatResponse, AiContext, CampaignChatRequest, CampaignChatResponse, Conversation,
    ConversationDetail, TokenUsage, UsageReport, WebhookEvent, WebhookAck, ErrorBody,
    ErrorCode, ApiKeyInfo, CreatedToken, CreateTokenRequest, Page<Roll>, Health, SavedRoll,
    SaveRollRequest
)))]
struct Schemas;

#[test]
fn every_wire_type_has_a_schema() {
    let document = serde_json::to_value(Schemas::openapi()).expect("serializes");
    let schemas = &document["components"]["schemas"];
    for name in [
        "NewRoll",
        "Roll",
        "ErrorBody",
        "WebhookEvent",
        "AiChatRequest",
        "CharacterSheet",
    ] {
        assert!(schemas.get(name).is_some(), "{name} is missing");
    }
    let codes = serde_json::to_string(&schemas["ErrorCode"]).expect("serializes");
    assert!(codes.contains("idempotency_key_reused"), "{codes}");
    let sources = serde_json::to_string(&schemas["RollSource"]).expect("serializes");
    assert!(sources.contains("dndbeyond"), "{sources}");
}
