-- Saved rolls: a user's named dice expressions (`/save attack 1d20+5`, then `/r attack`).
-- `name_key` is the name in lowercase, so that a name is unique per user without regard to
-- case; `name` keeps the spelling the user last wrote. Rows go with their user.
CREATE TABLE saved_rolls (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    expression  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
