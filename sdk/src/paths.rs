//! The HTTP paths and header names of Core and FumbleBot, shared by the servers and clients.
//!
//! The path constants use axum 0.8's `{name}` syntax, so a server registers them as they are
//! (`Router::new().route(paths::CAMPAIGN, get(handler))`), and a client fills them with
//! [`expand`], which percent-encodes each value.

/// The header that makes `POST /v1/rolls` safe to retry.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// The header with which a service key acts for a user, named by Discord id.
pub const ACT_AS_DISCORD_ID_HEADER: &str = "x-act-as-discord-id";

/// Liveness: answers while the process runs.
pub const HEALTHZ: &str = "/healthz";
/// Readiness: answers once the database (or, for FumbleBot, the AI provider) is usable.
pub const READYZ: &str = "/readyz";
/// Core's OpenAPI document.
pub const OPENAPI: &str = "/openapi.json";

/// `GET`: redirects to Discord's OAuth2 authorization page.
pub const AUTH_DISCORD_LOGIN: &str = "/auth/discord/login";
/// `GET`: Discord's OAuth2 redirect target.
pub const AUTH_DISCORD_CALLBACK: &str = "/auth/discord/callback";
/// `POST`: ends the cookie session.
pub const AUTH_LOGOUT: &str = "/auth/logout";

/// `GET`: the calling user.
pub const ME: &str = "/v1/me";
/// `GET`: the token or key the request presents, as [`ApiKeyInfo`](crate::wire::ApiKeyInfo)
/// (its scopes, its expiry, never its secret). Any credentials may ask, whatever their
/// scopes, so that a client can learn what a token may do before it is refused.
pub const ME_CURRENT_TOKEN: &str = "/v1/me/token";
/// `GET` (list) and `POST` (issue) the caller's user tokens.
pub const ME_TOKENS: &str = "/v1/me/tokens";
/// `DELETE`: revoke one of the caller's user tokens.
pub const ME_TOKEN: &str = "/v1/me/tokens/{token_id}";
/// `GET`: the caller's linked VTT accounts.
pub const ME_VTT_ACCOUNTS: &str = "/v1/me/vtt-accounts";
/// `DELETE`: unlink one of the caller's VTT accounts.
pub const ME_VTT_ACCOUNT: &str = "/v1/me/vtt-accounts/{link_id}";

/// `GET`: the caller's saved rolls, by name.
pub const ME_SAVED_ROLLS: &str = "/v1/me/saved-rolls";
/// `GET`, `PUT` (create or replace) and `DELETE` one of the caller's saved rolls, by name
/// (case does not matter).
pub const ME_SAVED_ROLL: &str = "/v1/me/saved-rolls/{name}";

/// `PUT`: upsert a user by Discord id (service keys only).
pub const USER_BY_DISCORD_ID: &str = "/v1/users/discord/{discord_id}";

/// `GET` (list the caller's) and `POST` (create) campaigns.
pub const CAMPAIGNS: &str = "/v1/campaigns";
/// `GET`, `PATCH` and `DELETE` one campaign.
pub const CAMPAIGN: &str = "/v1/campaigns/{campaign_id}";
/// `GET`: the campaign linked to a Discord channel.
pub const CAMPAIGN_BY_DISCORD_CHANNEL: &str = "/v1/campaigns/by-discord-channel/{channel_id}";
/// `GET`: the campaign linked to a VTT game.
pub const CAMPAIGN_BY_VTT_GAME: &str = "/v1/campaigns/by-vtt-game/{vtt}/{game_id}";
/// `GET`: the active game session of the campaign linked to a VTT game.
pub const ACTIVE_SESSION_BY_VTT_GAME: &str =
    "/v1/campaigns/by-vtt-game/{vtt}/{game_id}/active-session";
/// `GET`: a campaign's members.
pub const CAMPAIGN_MEMBERS: &str = "/v1/campaigns/{campaign_id}/members";
/// `PUT` (add or change role) and `DELETE` (remove) one member.
pub const CAMPAIGN_MEMBER: &str = "/v1/campaigns/{campaign_id}/members/{user_id}";
/// `PUT` and `DELETE` the campaign's Discord guild and channel link.
pub const CAMPAIGN_DISCORD_LINK: &str = "/v1/campaigns/{campaign_id}/links/discord";
/// `PUT` and `DELETE` the campaign's VTT game link.
pub const CAMPAIGN_VTT_LINK: &str = "/v1/campaigns/{campaign_id}/links/vtt";

/// `GET` (list) and `POST` (create) a campaign's characters.
pub const CHARACTERS: &str = "/v1/campaigns/{campaign_id}/characters";
/// `GET`, `PATCH` and `DELETE` one character.
pub const CHARACTER: &str = "/v1/campaigns/{campaign_id}/characters/{character_id}";

/// `GET` (list, newest first) and `POST` (start) a campaign's game sessions.
pub const SESSIONS: &str = "/v1/campaigns/{campaign_id}/sessions";
/// `GET` and `PATCH` one game session.
pub const SESSION: &str = "/v1/campaigns/{campaign_id}/sessions/{session_id}";
/// `POST`: end a game session.
pub const SESSION_END: &str = "/v1/campaigns/{campaign_id}/sessions/{session_id}/end";

/// `POST` (report, with an `Idempotency-Key`) and `GET` (query) rolls.
pub const ROLLS: &str = "/v1/rolls";
/// `GET`: one roll.
pub const ROLL: &str = "/v1/rolls/{roll_id}";
/// `GET`: a campaign's per-member roll statistics.
pub const CAMPAIGN_ROLL_STATS: &str = "/v1/campaigns/{campaign_id}/roll-stats";

/// `POST`: signed webhook events from FumbleBot.
pub const WEBHOOK_FUMBLEBOT: &str = "/v1/webhooks/fumblebot";

/// `POST`: ask the campaign's AI assistant.
pub const CAMPAIGN_AI_CHAT: &str = "/v1/campaigns/{campaign_id}/ai/chat";
/// `GET`: a campaign's AI conversations, newest first.
pub const CAMPAIGN_AI_CONVERSATIONS: &str = "/v1/campaigns/{campaign_id}/ai/conversations";
/// `GET`: one AI conversation with its messages.
pub const AI_CONVERSATION: &str = "/v1/ai/conversations/{conversation_id}";
/// `GET`: token usage totals, `?group_by=day|model|user&campaign_id=`.
pub const USAGE: &str = "/v1/usage";

/// FumbleBot's `POST`: one AI chat completion, for Core (service key only).
pub const FUMBLEBOT_AI_CHAT: &str = "/v1/ai/chat";

/// Fills the `{name}` placeholders of a path template with `values`, in order,
/// percent-encoding each value so that it stays one path segment.
///
/// Extra placeholders are left as they are and extra values are ignored; the tests of this
/// crate check every template against the number of values its client passes.
///
/// ```
/// use critfumble_sdk::paths;
///
/// let path = paths::expand(paths::CAMPAIGN_BY_VTT_GAME, &["foundry", "my world"]);
/// assert_eq!(path, "/v1/campaigns/by-vtt-game/foundry/my%20world");
/// ```
pub fn expand(template: &str, values: &[&str]) -> String {
    let mut path = String::with_capacity(template.len() + 40);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        path.push_str(&rest[..open]);
        match values.next() {
            Some(value) => encode_segment(value, &mut path),
            None => path.push_str(&rest[open..=open + close]),
        }
        rest = &rest[open + close + 1..];
    }
    path.push_str(rest);
    path
}

/// The number of `{name}` placeholders in a path template.
pub fn placeholder_count(template: &str) -> usize {
    template.matches('{').count()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_segment(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

/// The Discord Activity's app, served by FumbleBot (`/activity/`, its files below it).
pub const ACTIVITY: &str = "/activity";
/// The prefix Discord's proxy puts before every path an Activity requests
/// (`/.proxy/activity/...`); FumbleBot serves the Activity under it too.
pub const DISCORD_PROXY_PREFIX: &str = "/.proxy";
/// `GET`: the Activity's client settings (the OAuth2 client id).
pub const ACTIVITY_CONFIG: &str = "/activity/api/config";
/// `POST`: the Activity exchanges an OAuth2 code for Discord's access token and
/// FumbleBot's session.
pub const ACTIVITY_TOKEN: &str = "/activity/api/token";
/// `GET`: the session's user's saved rolls, for the table's quick buttons.
pub const ACTIVITY_SAVED: &str = "/activity/api/saved";
/// `GET` (a WebSocket): the table's live room.
pub const ACTIVITY_SOCKET: &str = "/activity/api/socket";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_fills_in_order_and_encodes() {
        assert_eq!(
            expand(CAMPAIGN_MEMBER, &["a", "b/c"]),
            "/v1/campaigns/a/members/b%2Fc"
        );
        assert_eq!(expand(ROLLS, &[]), "/v1/rolls");
        assert_eq!(
            expand(CAMPAIGN_BY_VTT_GAME, &["roll20", "ä?#"]),
            "/v1/campaigns/by-vtt-game/roll20/%C3%A4%3F%23"
        );
    }

    fn decode(segment: &str) -> Vec<u8> {
        let bytes = segment.as_bytes();
        let mut out = Vec::new();
        let mut index = 0;
        while index < bytes.len() {
            if bytes[index] == b'%' {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).expect("ascii");
                out.push(u8::from_str_radix(hex, 16).expect("hex"));
                index += 3;
            } else {
                out.push(bytes[index]);
                index += 1;
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn expanded_values_stay_one_segment_and_decode_back(value in "\\PC{0,30}") {
            let path = expand(CAMPAIGN_BY_DISCORD_CHANNEL, &[&value]);
            let segment = path
                .strip_prefix("/v1/campaigns/by-discord-channel/")
                .expect("prefix kept");
            proptest::prop_assert!(!segment.contains('/') && !segment.contains('?'));
            proptest::prop_assert_eq!(decode(segment), value.as_bytes());
        }
    }

    #[test]
    fn expand_keeps_unfilled_placeholders() {
        assert_eq!(
            expand(CHARACTER, &["x"]),
            "/v1/campaigns/x/characters/{character_id}"
        );
        assert_eq!(placeholder_count(CHARACTER), 2);
    }
}
