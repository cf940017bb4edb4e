//! Game sessions: start, end, list, and the active session of a VTT game.

use critfumble_sdk::wire::{GameSession, StartSessionRequest, UpdateSessionRequest, Vtt, VttGame};
use uuid::Uuid;

use super::{
    Store, StoreError, StoreResult, new_id, now_millis, to_enum, to_id, to_optional_timestamp,
    to_timestamp, with_pool,
};

const SESSION_COLUMNS: &str =
    "id, campaign_id, title, notes, vtt_kind, vtt_game_id, started_at, ended_at";

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    campaign_id: String,
    title: Option<String>,
    notes: Option<String>,
    vtt_kind: Option<String>,
    vtt_game_id: Option<String>,
    started_at: i64,
    ended_at: Option<i64>,
}

impl SessionRow {
    fn into_wire(self) -> StoreResult<GameSession> {
        let vtt_game = match (self.vtt_kind, self.vtt_game_id) {
            (Some(kind), Some(game_id)) => Some(VttGame {
                vtt: to_enum::<Vtt>(&kind)?,
                game_id,
            }),
            _ => None,
        };
        Ok(GameSession {
            id: to_id(&self.id)?,
            campaign_id: to_id(&self.campaign_id)?,
            title: self.title,
            vtt_game,
            started_at: to_timestamp(self.started_at)?,
            ended_at: to_optional_timestamp(self.ended_at)?,
            notes: self.notes,
        })
    }
}

impl Store {
    /// Starts a session in `campaign`.
    pub async fn start_session(
        &self,
        campaign: Uuid,
        request: &StartSessionRequest,
    ) -> StoreResult<GameSession> {
        let sql = format!(
            "INSERT INTO game_sessions ({SESSION_COLUMNS}) \
             VALUES ($1, $2, $3, NULL, $4, $5, $6, NULL) RETURNING {SESSION_COLUMNS}"
        );
        let game = request.vtt_game.as_ref();
        let row: SessionRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(new_id().to_string())
                .bind(campaign.to_string())
                .bind(&request.title)
                .bind(game.map(|game| game.vtt.as_str()))
                .bind(game.map(|game| game.game_id.as_str()))
                .bind(now_millis())
                .fetch_one(pool)
                .await?
        });
        row.into_wire()
    }

    /// Ends a session (once: ending it again keeps the first end time), storing its notes.
    pub async fn end_session(
        &self,
        campaign: Uuid,
        id: Uuid,
        notes: Option<&str>,
    ) -> StoreResult<GameSession> {
        let sql = format!(
            "UPDATE game_sessions SET ended_at = COALESCE(ended_at, $1), \
             notes = COALESCE($2, notes) WHERE id = $3 AND campaign_id = $4 \
             RETURNING {SESSION_COLUMNS}"
        );
        let row: Option<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(now_millis())
                .bind(notes)
                .bind(id.to_string())
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Changes a session's title or notes.
    pub async fn update_session(
        &self,
        campaign: Uuid,
        id: Uuid,
        request: &UpdateSessionRequest,
    ) -> StoreResult<GameSession> {
        let sql = format!(
            "UPDATE game_sessions SET title = COALESCE($1, title), notes = COALESCE($2, notes) \
             WHERE id = $3 AND campaign_id = $4 RETURNING {SESSION_COLUMNS}"
        );
        let row: Option<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&request.title)
                .bind(&request.notes)
                .bind(id.to_string())
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// The session with this id in this campaign.
    pub async fn session(&self, campaign: Uuid, id: Uuid) -> StoreResult<Option<GameSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM game_sessions WHERE id = $1 AND campaign_id = $2"
        );
        let row: Option<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id.to_string())
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(SessionRow::into_wire).transpose()
    }

    /// The sessions of a campaign, newest first, at most `limit`, those that started
    /// before the session `before` when it is given (a session of another campaign gives
    /// an empty list).
    pub async fn sessions(
        &self,
        campaign: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<GameSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM game_sessions WHERE campaign_id = $1 \
             AND ($2 = '' OR (started_at, id) < \
             (SELECT started_at, id FROM game_sessions WHERE campaign_id = $1 AND id = $2)) \
             ORDER BY started_at DESC, id DESC LIMIT $3"
        );
        let rows: Vec<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign.to_string())
                .bind(before.map(|id| id.to_string()).unwrap_or_default())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(SessionRow::into_wire).collect()
    }

    /// The most recently started session of a campaign that has not ended.
    pub async fn active_session(&self, campaign: Uuid) -> StoreResult<Option<GameSession>> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM game_sessions \
             WHERE campaign_id = $1 AND ended_at IS NULL \
             ORDER BY started_at DESC, id DESC LIMIT 1"
        );
        let row: Option<SessionRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(SessionRow::into_wire).transpose()
    }
}
