//! Campaigns, their members, and their links to Discord channels and VTT games.

use critfumble_sdk::wire::{
    Campaign, CampaignMember, CreateCampaignRequest, MemberRole, UpdateCampaignRequest, Vtt,
    VttGame,
};
use uuid::Uuid;

use super::users::UserRow;
use super::{
    Store, StoreError, StoreResult, new_id, now_millis, to_enum, to_id, to_timestamp, with_pool,
};

const CAMPAIGN_COLUMNS: &str = "id, name, game_system, description, discord_guild_id, \
     discord_channel_id, vtt_kind, vtt_game_id, created_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct CampaignRow {
    id: String,
    name: String,
    game_system: String,
    description: Option<String>,
    discord_guild_id: Option<String>,
    discord_channel_id: Option<String>,
    vtt_kind: Option<String>,
    vtt_game_id: Option<String>,
    created_by: String,
    created_at: i64,
    updated_at: i64,
}

impl CampaignRow {
    fn into_wire(self) -> StoreResult<Campaign> {
        let vtt_game = match (self.vtt_kind, self.vtt_game_id) {
            (Some(kind), Some(game_id)) => Some(VttGame {
                vtt: to_enum::<Vtt>(&kind)?,
                game_id,
            }),
            _ => None,
        };
        Ok(Campaign {
            id: to_id(&self.id)?,
            name: self.name,
            game_system: self.game_system,
            description: self.description,
            discord_guild_id: self.discord_guild_id,
            discord_channel_id: self.discord_channel_id,
            vtt_game,
            created_by: to_id(&self.created_by)?,
            created_at: to_timestamp(self.created_at)?,
            updated_at: to_timestamp(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    campaign_id: String,
    role: String,
    joined_at: i64,
    #[sqlx(flatten)]
    user: UserRow,
}

impl MemberRow {
    fn into_wire(self) -> StoreResult<CampaignMember> {
        Ok(CampaignMember {
            campaign_id: to_id(&self.campaign_id)?,
            user: self.user.into_wire()?,
            role: to_enum(&self.role)?,
            joined_at: to_timestamp(self.joined_at)?,
        })
    }
}

impl Store {
    /// Creates a campaign and makes its creator the GM, in one transaction.
    pub async fn create_campaign(
        &self,
        creator: Uuid,
        request: &CreateCampaignRequest,
    ) -> StoreResult<Campaign> {
        let id = new_id().to_string();
        let now = now_millis();
        let (vtt_kind, vtt_game_id) = split_game(request.vtt_game.as_ref());
        let insert = format!(
            "INSERT INTO campaigns ({CAMPAIGN_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: CampaignRow = with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row: CampaignRow = sqlx::query_as(&insert)
                .bind(&id)
                .bind(&request.name)
                .bind(&request.game_system)
                .bind(&request.description)
                .bind(&request.discord_guild_id)
                .bind(&request.discord_channel_id)
                .bind(vtt_kind)
                .bind(vtt_game_id)
                .bind(creator.to_string())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO campaign_members (campaign_id, user_id, role, joined_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(creator.to_string())
            .bind(MemberRole::Gm.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            row
        });
        row.into_wire()
    }

    /// The campaign with this id.
    pub async fn campaign(&self, id: Uuid) -> StoreResult<Option<Campaign>> {
        self.campaign_where("id = $1", &id.to_string(), None).await
    }

    /// Whether a campaign with this id exists (one indexed lookup, nothing decoded).
    pub async fn campaign_exists(&self, id: Uuid) -> StoreResult<bool> {
        let found: Option<i32> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT 1 FROM campaigns WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        Ok(found.is_some())
    }

    /// The campaign linked to this Discord channel.
    pub async fn campaign_by_discord_channel(
        &self,
        channel_id: &str,
    ) -> StoreResult<Option<Campaign>> {
        self.campaign_where("discord_channel_id = $1", channel_id, None)
            .await
    }

    /// The campaign linked to this VTT game.
    pub async fn campaign_by_vtt_game(&self, game: &VttGame) -> StoreResult<Option<Campaign>> {
        self.campaign_where(
            "vtt_game_id = $1 AND vtt_kind = $2",
            &game.game_id,
            Some(game.vtt.as_str()),
        )
        .await
    }

    async fn campaign_where(
        &self,
        condition: &str,
        first: &str,
        second: Option<&str>,
    ) -> StoreResult<Option<Campaign>> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE {condition}");
        let row: Option<CampaignRow> = with_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql).bind(first);
            if let Some(second) = second {
                query = query.bind(second);
            }
            query.fetch_optional(pool).await?
        });
        row.map(CampaignRow::into_wire).transpose()
    }

    /// One page of the campaigns `user` is a member of, oldest first; `after` is the last
    /// id of the previous page.
    pub async fn campaigns_of_user(
        &self,
        user: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Campaign>> {
        let columns = CAMPAIGN_COLUMNS
            .split(", ")
            .map(|column| format!("c.{column}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM campaigns c \
             JOIN campaign_members m ON m.campaign_id = c.id \
             WHERE m.user_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3"
        );
        let after = after.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<CampaignRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user.to_string())
                .bind(&after)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(CampaignRow::into_wire).collect()
    }

    /// Changes the fields the request names; returns the updated campaign.
    pub async fn update_campaign(
        &self,
        id: Uuid,
        request: &UpdateCampaignRequest,
    ) -> StoreResult<Campaign> {
        let sql = format!(
            "UPDATE campaigns SET name = COALESCE($1, name), \
             game_system = COALESCE($2, game_system), \
             description = COALESCE($3, description), updated_at = $4 \
             WHERE id = $5 RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: Option<CampaignRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(&request.name)
                .bind(&request.game_system)
                .bind(&request.description)
                .bind(now_millis())
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Links (or, with `None`, unlinks) a Discord guild and channel.
    pub async fn link_discord(
        &self,
        id: Uuid,
        guild_and_channel: Option<(&str, &str)>,
    ) -> StoreResult<Campaign> {
        let (guild, channel) = guild_and_channel.unzip();
        let sql = format!(
            "UPDATE campaigns SET discord_guild_id = $1, discord_channel_id = $2, updated_at = $3 \
             WHERE id = $4 RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: Option<CampaignRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(guild)
                .bind(channel)
                .bind(now_millis())
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Links (or, with `None`, unlinks) a VTT game.
    pub async fn link_vtt_game(&self, id: Uuid, game: Option<&VttGame>) -> StoreResult<Campaign> {
        let (vtt_kind, vtt_game_id) = split_game(game);
        let sql = format!(
            "UPDATE campaigns SET vtt_kind = $1, vtt_game_id = $2, updated_at = $3 \
             WHERE id = $4 RETURNING {CAMPAIGN_COLUMNS}"
        );
        let row: Option<CampaignRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(vtt_kind)
                .bind(vtt_game_id)
                .bind(now_millis())
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Deletes a campaign with its members, characters, sessions and rolls.
    pub async fn delete_campaign(&self, id: Uuid) -> StoreResult<()> {
        self.delete_one("DELETE FROM campaigns WHERE id = $1", &[id])
            .await
    }

    /// The role of `user` in `campaign`, or `None` for a non-member.
    pub async fn member_role(&self, campaign: Uuid, user: Uuid) -> StoreResult<Option<MemberRole>> {
        let role: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT role FROM campaign_members WHERE campaign_id = $1 AND user_id = $2",
            )
            .bind(campaign.to_string())
            .bind(user.to_string())
            .fetch_optional(pool)
            .await?
        });
        role.as_deref().map(to_enum).transpose()
    }

    /// The members of a campaign with their users, in the order they joined.
    pub async fn members(&self, campaign: Uuid) -> StoreResult<Vec<CampaignMember>> {
        self.members_page(campaign, None, u32::MAX).await
    }

    /// One page of [`Store::members`]: up to `limit + 1` members who joined after the
    /// member `after` (the extra one only tells that there is a next page; an `after` who
    /// is not a member gives an empty page).
    pub async fn members_page(
        &self,
        campaign: Uuid,
        after: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<CampaignMember>> {
        let rows: Vec<MemberRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT m.campaign_id, m.role, m.joined_at, u.id, u.discord_id, u.name, \
                 u.avatar, u.created_at, u.updated_at \
                 FROM campaign_members m JOIN users u ON u.id = m.user_id \
                 WHERE m.campaign_id = $1 AND ($2 = '' OR (m.joined_at, m.user_id) > \
                 (SELECT joined_at, user_id FROM campaign_members \
                 WHERE campaign_id = $1 AND user_id = $2)) \
                 ORDER BY m.joined_at, u.id LIMIT $3",
            )
            .bind(campaign.to_string())
            .bind(after.map(|id| id.to_string()).unwrap_or_default())
            .bind(i64::from(limit) + 1)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(MemberRow::into_wire).collect()
    }

    /// Adds `user` to `campaign` with `role`, or changes their role.
    pub async fn set_member(
        &self,
        campaign: Uuid,
        user: Uuid,
        role: MemberRole,
    ) -> StoreResult<CampaignMember> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO campaign_members (campaign_id, user_id, role, joined_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (campaign_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(campaign.to_string())
            .bind(user.to_string())
            .bind(role.as_str())
            .bind(now_millis())
            .execute(pool)
            .await?;
        });
        self.members(campaign)
            .await?
            .into_iter()
            .find(|member| member.user.id == user)
            .ok_or(StoreError::NotFound)
    }

    /// Removes `user` from `campaign`.
    pub async fn remove_member(&self, campaign: Uuid, user: Uuid) -> StoreResult<()> {
        self.delete_one(
            "DELETE FROM campaign_members WHERE campaign_id = $1 AND user_id = $2",
            &[campaign, user],
        )
        .await
    }
}

fn split_game(game: Option<&VttGame>) -> (Option<&'static str>, Option<&str>) {
    match game {
        Some(game) => (Some(game.vtt.as_str()), Some(game.game_id.as_str())),
        None => (None, None),
    }
}
