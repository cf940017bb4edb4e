-- Issue 17, "trust nothing a client claims" (SQLite; the PostgreSQL migration of the same
-- number mirrors it). Number 0003 belongs to saved rolls.

-- What each key may do: scope names separated by spaces. Service keys may do everything;
-- user tokens issued before scopes existed keep what the extension's bridge needs, and
-- expire at most 90 days from now.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
UPDATE api_keys SET scopes = 'read rolls:write write ai tokens' WHERE scope = 'service';
UPDATE api_keys SET scopes = 'read rolls:write' WHERE scope = 'user';
UPDATE api_keys
SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 7776000000
WHERE scope = 'user' AND (expires_at IS NULL
    OR expires_at > CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 7776000000);

-- The VTT games in which a linked VTT account is a game master, as FumbleBot reported it
-- in the signed `vtt_account.linked` webhook: only such an account's user may link the
-- game to a campaign.
CREATE TABLE vtt_gm_games (
    account_id  TEXT NOT NULL REFERENCES vtt_accounts(id) ON DELETE CASCADE,
    game_id     TEXT NOT NULL,
    PRIMARY KEY (account_id, game_id)
);

-- The AI budget sums a campaign's tokens of the day.
CREATE INDEX token_usage_campaign ON token_usage(campaign_id, created_at);

-- Login no longer stores a row per visit: the OAuth2 state and PKCE verifier travel in a
-- signed cookie.
DROP TABLE oauth_states;
