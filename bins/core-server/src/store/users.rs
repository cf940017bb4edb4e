//! Users: the service's upsert by Discord id, and lookups.

use critfumble_sdk::wire::{UpsertUserRequest, User};
use uuid::Uuid;

use super::{Store, StoreResult, new_id, now_millis, to_id, to_timestamp, with_pool};

/// The columns of `users`, in the order [`UserRow`] expects.
pub(crate) const USER_COLUMNS: &str = "id, discord_id, name, avatar, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    discord_id: String,
    name: String,
    avatar: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl UserRow {
    pub(crate) fn into_wire(self) -> StoreResult<User> {
        Ok(User {
            id: to_id(&self.id)?,
            discord_id: self.discord_id,
            name: self.name,
            avatar: self.avatar,
            created_at: to_timestamp(self.created_at)?,
            updated_at: to_timestamp(self.updated_at)?,
        })
    }
}

impl Store {
    /// Creates the user with this Discord id, or refreshes their name and avatar.
    /// Returns the user and whether it was created.
    pub async fn upsert_user(
        &self,
        discord_id: &str,
        request: &UpsertUserRequest,
    ) -> StoreResult<(User, bool)> {
        let id = new_id().to_string();
        let now = now_millis();
        let sql = format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (discord_id) DO UPDATE SET name = excluded.name, \
             avatar = excluded.avatar, updated_at = excluded.updated_at \
             RETURNING {USER_COLUMNS}"
        );
        let row: UserRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&id)
                .bind(discord_id)
                .bind(&request.name)
                .bind(&request.avatar)
                .bind(now)
                .fetch_one(pool)
                .await?
        });
        let created = row.id == id;
        Ok((row.into_wire()?, created))
    }

    /// The user with this Core id.
    pub async fn user(&self, id: Uuid) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(UserRow::into_wire).transpose()
    }

    /// The user with this Discord id.
    pub async fn user_by_discord_id(&self, discord_id: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE discord_id = $1");
        let row: Option<UserRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(discord_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(UserRow::into_wire).transpose()
    }
}
