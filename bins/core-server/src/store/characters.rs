//! Characters under a campaign, with their sheets stored as JSON.

use critfumble_sdk::wire::{Character, CharacterSheet, UpdateCharacterRequest};
use uuid::Uuid;

use super::{Store, StoreError, StoreResult, new_id, now_millis, to_id, to_timestamp, with_pool};

const CHARACTER_COLUMNS: &str = "id, campaign_id, owner_id, name, sheet, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CharacterRow {
    id: String,
    campaign_id: String,
    owner_id: String,
    name: String,
    sheet: String,
    created_at: i64,
    updated_at: i64,
}

impl CharacterRow {
    fn into_wire(self) -> StoreResult<Character> {
        Ok(Character {
            id: to_id(&self.id)?,
            campaign_id: to_id(&self.campaign_id)?,
            owner_id: to_id(&self.owner_id)?,
            name: self.name,
            sheet: serde_json::from_str(&self.sheet)?,
            created_at: to_timestamp(self.created_at)?,
            updated_at: to_timestamp(self.updated_at)?,
        })
    }
}

impl Store {
    /// Creates a character owned by `owner` in `campaign`.
    pub async fn create_character(
        &self,
        campaign: Uuid,
        owner: Uuid,
        name: &str,
        sheet: &CharacterSheet,
    ) -> StoreResult<Character> {
        let sql = format!(
            "INSERT INTO characters ({CHARACTER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             RETURNING {CHARACTER_COLUMNS}"
        );
        let sheet = serde_json::to_string(sheet)?;
        let row: CharacterRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(new_id().to_string())
                .bind(campaign.to_string())
                .bind(owner.to_string())
                .bind(name)
                .bind(&sheet)
                .bind(now_millis())
                .fetch_one(pool)
                .await?
        });
        row.into_wire()
    }

    /// The character with this id, in this campaign.
    pub async fn character(&self, campaign: Uuid, id: Uuid) -> StoreResult<Option<Character>> {
        let sql = format!(
            "SELECT {CHARACTER_COLUMNS} FROM characters WHERE id = $1 AND campaign_id = $2"
        );
        let row: Option<CharacterRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id.to_string())
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(CharacterRow::into_wire).transpose()
    }

    /// Every character of a campaign, oldest first.
    pub async fn characters(&self, campaign: Uuid) -> StoreResult<Vec<Character>> {
        let sql = format!(
            "SELECT {CHARACTER_COLUMNS} FROM characters WHERE campaign_id = $1 ORDER BY id"
        );
        let rows: Vec<CharacterRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign.to_string())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(CharacterRow::into_wire).collect()
    }

    /// One page of a campaign's characters, oldest first: up to `limit + 1` of them after
    /// the id `after` (the extra one only tells that there is a next page).
    pub async fn characters_page(
        &self,
        campaign: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Character>> {
        let sql = format!(
            "SELECT {CHARACTER_COLUMNS} FROM characters WHERE campaign_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let rows: Vec<CharacterRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign.to_string())
                .bind(after.map(|id| id.to_string()).unwrap_or_default())
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(CharacterRow::into_wire).collect()
    }

    /// Changes the name and/or sheet; returns the updated character.
    pub async fn update_character(
        &self,
        campaign: Uuid,
        id: Uuid,
        request: &UpdateCharacterRequest,
    ) -> StoreResult<Character> {
        let sheet = request
            .sheet
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        let sql = format!(
            "UPDATE characters SET name = COALESCE($1, name), sheet = COALESCE($2, sheet), \
             updated_at = $3 WHERE id = $4 AND campaign_id = $5 RETURNING {CHARACTER_COLUMNS}"
        );
        let row: Option<CharacterRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&request.name)
                .bind(&sheet)
                .bind(now_millis())
                .bind(id.to_string())
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Deletes a character.
    pub async fn delete_character(&self, campaign: Uuid, id: Uuid) -> StoreResult<()> {
        self.delete_one(
            "DELETE FROM characters WHERE id = $1 AND campaign_id = $2",
            &[id, campaign],
        )
        .await
    }
}
