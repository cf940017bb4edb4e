//! The path table as a server sees it: every template is well formed and unique.

use std::collections::HashSet;

use critfumble_sdk::paths::{self, expand, placeholder_count};

const ALL: &[&str] = &[
    paths::HEALTHZ,
    paths::READYZ,
    paths::OPENAPI,
    paths::AUTH_DISCORD_LOGIN,
    paths::AUTH_DISCORD_CALLBACK,
    paths::AUTH_LOGOUT,
    paths::ME,
    paths::ME_CURRENT_TOKEN,
    paths::ME_TOKENS,
    paths::ME_TOKEN,
    paths::ME_VTT_ACCOUNTS,
    paths::ME_VTT_ACCOUNT,
    paths::ME_SAVED_ROLLS,
    paths::ME_SAVED_ROLL,
    paths::USER_BY_DISCORD_ID,
    paths::CAMPAIGNS,
    paths::CAMPAIGN,
    paths::CAMPAIGN_BY_DISCORD_CHANNEL,
    paths::CAMPAIGN_BY_VTT_GAME,
    paths::ACTIVE_SESSION_BY_VTT_GAME,
    paths::CAMPAIGN_MEMBERS,
    paths::CAMPAIGN_MEMBER,
    paths::CAMPAIGN_DISCORD_LINK,
    paths::CAMPAIGN_VTT_LINK,
    paths::CHARACTERS,
    paths::CHARACTER,
    paths::SESSIONS,
    paths::SESSION,
    paths::SESSION_END,
    paths::ROLLS,
    paths::ROLL,
    paths::CAMPAIGN_ROLL_STATS,
    paths::WEBHOOK_FUMBLEBOT,
    paths::CAMPAIGN_AI_CHAT,
    paths::CAMPAIGN_AI_CONVERSATIONS,
    paths::AI_CONVERSATION,
    paths::USAGE,
];

#[test]
fn templates_are_well_formed_and_unique() {
    let mut seen = HashSet::new();
    for template in ALL {
        assert!(template.starts_with('/'), "{template}");
        assert!(!template.ends_with('/'), "{template}");
        assert_eq!(
            template.matches('{').count(),
            template.matches('}').count(),
            "{template}"
        );
        for segment in template.split('/').skip(1) {
            assert!(!segment.is_empty(), "{template}");
            if segment.contains('{') {
                assert!(
                    segment.starts_with('{') && segment.ends_with('}'),
                    "{template}"
                );
            } else {
                assert!(
                    segment.bytes().all(|b| b.is_ascii_lowercase()
                        || b.is_ascii_digit()
                        || b == b'-'
                        || b == b'.'),
                    "{template}"
                );
            }
        }
        // Two templates that differ only in parameter names would collide in a router.
        let shape = expand(template, &vec!["_"; placeholder_count(template)]);
        assert!(seen.insert(shape), "{template} collides with another path");
    }
}

#[test]
fn fumblebot_chat_path() {
    assert_eq!(paths::FUMBLEBOT_AI_CHAT, "/v1/ai/chat");
    assert_eq!(paths::IDEMPOTENCY_KEY_HEADER, "idempotency-key");
}
