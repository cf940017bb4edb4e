-- Core's first schema (SQLite). Ids are UUID text, timestamps are Unix milliseconds,
-- JSON documents are text. The PostgreSQL migration of the same number mirrors it.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    discord_id  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    avatar      TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    prefix        TEXT NOT NULL UNIQUE,
    hash          TEXT NOT NULL,
    scope         TEXT NOT NULL,
    user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER
);
CREATE INDEX api_keys_user ON api_keys(user_id);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE oauth_states (
    state          TEXT PRIMARY KEY,
    pkce_verifier  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE campaigns (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    game_system         TEXT NOT NULL,
    description         TEXT,
    discord_guild_id    TEXT,
    discord_channel_id  TEXT UNIQUE,
    vtt_kind            TEXT,
    vtt_game_id         TEXT,
    created_by          TEXT NOT NULL REFERENCES users(id),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (vtt_kind, vtt_game_id)
);

CREATE TABLE campaign_members (
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    joined_at    INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX campaign_members_user ON campaign_members(user_id);

CREATE TABLE characters (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    owner_id     TEXT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    sheet        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX characters_campaign ON characters(campaign_id);

CREATE TABLE game_sessions (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    title        TEXT,
    notes        TEXT,
    vtt_kind     TEXT,
    vtt_game_id  TEXT,
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER
);
CREATE INDEX game_sessions_campaign ON game_sessions(campaign_id, started_at);
CREATE INDEX game_sessions_vtt ON game_sessions(vtt_kind, vtt_game_id, ended_at);

CREATE TABLE rolls (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    user_id      TEXT REFERENCES users(id),
    campaign_id  TEXT REFERENCES campaigns(id) ON DELETE CASCADE,
    session_id   TEXT REFERENCES game_sessions(id) ON DELETE SET NULL,
    private      BOOLEAN NOT NULL,
    document     TEXT NOT NULL,
    d20_count    INTEGER NOT NULL,
    d20_sum      INTEGER NOT NULL,
    nat20s       INTEGER NOT NULL,
    nat1s        INTEGER NOT NULL,
    rolled_at    INTEGER NOT NULL
);
CREATE INDEX rolls_campaign ON rolls(campaign_id, seq);
CREATE INDEX rolls_user ON rolls(user_id, seq);
CREATE INDEX rolls_session ON rolls(session_id, seq);

CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    claim_token   TEXT NOT NULL,
    status        INTEGER,
    body          TEXT,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE webhook_deliveries (
    webhook_id   TEXT PRIMARY KEY,
    event_type   TEXT NOT NULL,
    received_at  INTEGER NOT NULL
);

CREATE TABLE vtt_accounts (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    vtt           TEXT NOT NULL,
    vtt_user_id   TEXT NOT NULL,
    display_name  TEXT,
    verified_at   INTEGER,
    created_at    INTEGER NOT NULL,
    UNIQUE (vtt, vtt_user_id)
);
CREATE INDEX vtt_accounts_user ON vtt_accounts(user_id);

CREATE TABLE ai_conversations (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id),
    title        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE ai_messages (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    conversation_id  TEXT NOT NULL REFERENCES ai_conversations(id) ON DELETE CASCADE,
    role             TEXT NOT NULL,
    content          TEXT NOT NULL,
    model            TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX ai_messages_conversation ON ai_messages(conversation_id, seq);

CREATE TABLE token_usage (
    id                  TEXT PRIMARY KEY,
    conversation_id     TEXT REFERENCES ai_conversations(id) ON DELETE SET NULL,
    campaign_id         TEXT REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id             TEXT REFERENCES users(id),
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cache_read_tokens   INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    latency_ms          INTEGER NOT NULL,
    cost_usd            REAL NOT NULL,
    created_at          INTEGER NOT NULL
);
CREATE INDEX token_usage_created ON token_usage(created_at);
