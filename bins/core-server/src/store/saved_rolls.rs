//! Saved rolls: each user's named dice expressions, unique per user without regard to case.

use critfumble_sdk::wire::SavedRoll;
use uuid::Uuid;

use super::{Store, StoreError, StoreResult, new_id, now_millis, to_id, to_timestamp, with_pool};

const SAVED_ROLL_COLUMNS: &str = "id, name, name_key, expression, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct SavedRollRow {
    id: String,
    name: String,
    name_key: String,
    expression: String,
    created_at: i64,
    updated_at: i64,
}

impl SavedRollRow {
    fn into_wire(self) -> StoreResult<SavedRoll> {
        Ok(SavedRoll {
            id: to_id(&self.id)?,
            name: self.name,
            expression: self.expression,
            created_at: to_timestamp(self.created_at)?,
            updated_at: to_timestamp(self.updated_at)?,
        })
    }
}

/// The key a name is unique and looked up by: its lowercase form.
pub fn saved_roll_key(name: &str) -> String {
    name.to_lowercase()
}

/// The outcome of [`Store::save_roll`].
#[derive(Debug)]
pub enum SaveOutcome {
    /// A new saved roll.
    Created(SavedRoll),
    /// The saved roll of that name, with its new expression.
    Replaced(SavedRoll),
    /// The user already keeps the most saved rolls allowed, and this name is new.
    LimitReached,
}

impl Store {
    /// Saves `expression` under `name` for `user`, replacing the expression of a saved roll
    /// of the same name; a new name is refused once the user keeps `max_per_user` of them.
    /// One statement, so two saves at once cannot both pass the count.
    pub async fn save_roll(
        &self,
        user: Uuid,
        name: &str,
        expression: &str,
        max_per_user: usize,
    ) -> StoreResult<SaveOutcome> {
        let id = new_id().to_string();
        let sql = format!(
            "INSERT INTO saved_rolls (id, user_id, name, name_key, expression, created_at, \
             updated_at) \
             SELECT $1, $2, $3, $4, $5, $6, $6 \
             WHERE (SELECT COUNT(*) FROM saved_rolls WHERE user_id = $2) < $7 \
             OR EXISTS (SELECT 1 FROM saved_rolls WHERE user_id = $2 AND name_key = $4) \
             ON CONFLICT (user_id, name_key) DO UPDATE SET name = excluded.name, \
             expression = excluded.expression, updated_at = excluded.updated_at \
             RETURNING {SAVED_ROLL_COLUMNS}"
        );
        let max = i64::try_from(max_per_user).unwrap_or(i64::MAX);
        let row: Option<SavedRollRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&id)
                .bind(user.to_string())
                .bind(name)
                .bind(saved_roll_key(name))
                .bind(expression)
                .bind(now_millis())
                .bind(max)
                .fetch_optional(pool)
                .await?
        });
        let Some(row) = row else {
            return Ok(SaveOutcome::LimitReached);
        };
        let created = row.id == id;
        let saved = row.into_wire()?;
        Ok(if created {
            SaveOutcome::Created(saved)
        } else {
            SaveOutcome::Replaced(saved)
        })
    }

    /// The user's saved roll of this name (in any case).
    pub async fn saved_roll(&self, user: Uuid, name: &str) -> StoreResult<Option<SavedRoll>> {
        let sql = format!(
            "SELECT {SAVED_ROLL_COLUMNS} FROM saved_rolls WHERE user_id = $1 AND name_key = $2"
        );
        let row: Option<SavedRollRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user.to_string())
                .bind(saved_roll_key(name))
                .fetch_optional(pool)
                .await?
        });
        row.map(SavedRollRow::into_wire).transpose()
    }

    /// One page of the user's saved rolls by name key: up to `limit + 1` of them after the
    /// key `after` (the extra one only tells that there is a next page), each with its key.
    pub async fn saved_rolls_page(
        &self,
        user: Uuid,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<(String, SavedRoll)>> {
        let sql = format!(
            "SELECT {SAVED_ROLL_COLUMNS} FROM saved_rolls WHERE user_id = $1 AND name_key > $2 \
             ORDER BY name_key LIMIT $3"
        );
        let rows: Vec<SavedRollRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user.to_string())
                .bind(after.unwrap_or_default())
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|row| {
                let key = row.name_key.clone();
                row.into_wire().map(|saved| (key, saved))
            })
            .collect()
    }

    /// Deletes the user's saved roll of this name (in any case).
    pub async fn delete_saved_roll(&self, user: Uuid, name: &str) -> StoreResult<()> {
        let deleted = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM saved_rolls WHERE user_id = $1 AND name_key = $2")
                .bind(user.to_string())
                .bind(saved_roll_key(name))
                .execute(pool)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
