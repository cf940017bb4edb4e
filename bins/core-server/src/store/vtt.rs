//! VTT account links and the webhook deliveries that create and remove them.

use critfumble_sdk::wire::{
    Vtt, VttAccountLink, VttAccountLinked, VttAccountUnlinked, VttGame, WebhookPayload,
};
use uuid::Uuid;

use super::{
    Store, StoreError, StoreResult, new_id, now_millis, to_enum, to_id, to_millis,
    to_optional_timestamp, to_timestamp, with_pool,
};

const LINK_COLUMNS: &str = "id, user_id, vtt, vtt_user_id, display_name, verified_at, created_at";

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: String,
    user_id: String,
    vtt: String,
    vtt_user_id: String,
    display_name: Option<String>,
    verified_at: Option<i64>,
    created_at: i64,
}

impl LinkRow {
    fn into_wire(self) -> StoreResult<VttAccountLink> {
        Ok(VttAccountLink {
            id: to_id(&self.id)?,
            user_id: to_id(&self.user_id)?,
            vtt: to_enum(&self.vtt)?,
            vtt_user_id: self.vtt_user_id,
            display_name: self.display_name,
            verified_at: to_optional_timestamp(self.verified_at)?,
            created_at: to_timestamp(self.created_at)?,
        })
    }
}

/// What applying a webhook did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The event was applied.
    Applied,
    /// This `webhook-id` was applied before; nothing changed.
    Duplicate,
}

/// Why a webhook event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum EventRejected {
    /// The event names a Discord user Core does not know.
    #[error("no user has discord id {0}")]
    UnknownUser(String),
    /// The VTT account is linked to another user.
    #[error("{vtt} account '{vtt_user_id}' is already linked to another user")]
    AlreadyLinked {
        /// The VTT.
        vtt: Vtt,
        /// The VTT's player id.
        vtt_user_id: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for EventRejected {
    fn from(error: sqlx::Error) -> Self {
        EventRejected::Store(error.into())
    }
}

impl Store {
    /// Applies a webhook event once per `webhook_id`: the delivery is recorded in the same
    /// transaction as the event's effect, so a replay (or a crash) can never apply it twice.
    pub async fn apply_webhook(
        &self,
        webhook_id: &str,
        payload: &WebhookPayload,
    ) -> Result<Delivery, EventRejected> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let recorded = sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event_type, received_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (webhook_id) DO NOTHING",
            )
            .bind(webhook_id)
            .bind(payload.event_type())
            .bind(now_millis())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if recorded == 0 {
                tx.rollback().await?;
                return Ok(Delivery::Duplicate);
            }
            let discord_id = match payload {
                WebhookPayload::VttAccountLinked(VttAccountLinked { discord_id, .. })
                | WebhookPayload::VttAccountUnlinked(VttAccountUnlinked { discord_id, .. }) => {
                    discord_id
                }
                // Events this version does not know are recorded and acknowledged.
                _ => {
                    tx.commit().await?;
                    return Ok(Delivery::Applied);
                }
            };
            let user: Option<String> =
                sqlx::query_scalar("SELECT id FROM users WHERE discord_id = $1")
                    .bind(discord_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(user) = user else {
                return Err(EventRejected::UnknownUser(discord_id.clone()));
            };
            match payload {
                WebhookPayload::VttAccountLinked(linked) => {
                    let owner: Option<(String, String)> = sqlx::query_as(
                        "SELECT id, user_id FROM vtt_accounts WHERE vtt = $1 AND vtt_user_id = $2",
                    )
                    .bind(linked.vtt.as_str())
                    .bind(&linked.vtt_user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let account = match owner {
                        Some((_, owner)) if owner != user => {
                            return Err(EventRejected::AlreadyLinked {
                                vtt: linked.vtt,
                                vtt_user_id: linked.vtt_user_id.clone(),
                            });
                        }
                        Some((account, _)) => {
                            sqlx::query(
                                "UPDATE vtt_accounts SET display_name = $1, verified_at = $2 \
                                 WHERE id = $3",
                            )
                            .bind(&linked.display_name)
                            .bind(to_millis(linked.verified_at))
                            .bind(&account)
                            .execute(&mut *tx)
                            .await?;
                            account
                        }
                        None => {
                            let account = new_id().to_string();
                            sqlx::query(
                                "INSERT INTO vtt_accounts (id, user_id, vtt, vtt_user_id, \
                                 display_name, verified_at, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                            )
                            .bind(&account)
                            .bind(&user)
                            .bind(linked.vtt.as_str())
                            .bind(&linked.vtt_user_id)
                            .bind(&linked.display_name)
                            .bind(to_millis(linked.verified_at))
                            .bind(now_millis())
                            .execute(&mut *tx)
                            .await?;
                            account
                        }
                    };
                    // Each delivery says which games the account GMs now: replace the list.
                    sqlx::query("DELETE FROM vtt_gm_games WHERE account_id = $1")
                        .bind(&account)
                        .execute(&mut *tx)
                        .await?;
                    for game_id in &linked.gm_game_ids {
                        sqlx::query(
                            "INSERT INTO vtt_gm_games (account_id, game_id) VALUES ($1, $2) \
                             ON CONFLICT (account_id, game_id) DO NOTHING",
                        )
                        .bind(&account)
                        .bind(game_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                WebhookPayload::VttAccountUnlinked(unlinked) => {
                    sqlx::query(
                        "DELETE FROM vtt_accounts \
                         WHERE user_id = $1 AND vtt = $2 AND vtt_user_id = $3",
                    )
                    .bind(&user)
                    .bind(unlinked.vtt.as_str())
                    .bind(&unlinked.vtt_user_id)
                    .execute(&mut *tx)
                    .await?;
                }
                _ => {}
            }
            tx.commit().await?;
            Ok(Delivery::Applied)
        })
    }

    /// The VTT accounts linked to `user`.
    pub async fn vtt_accounts(&self, user: Uuid) -> StoreResult<Vec<VttAccountLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM vtt_accounts WHERE user_id = $1 ORDER BY created_at, id"
        );
        let rows: Vec<LinkRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user.to_string())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(LinkRow::into_wire).collect()
    }

    /// Removes one of `user`'s VTT links; another user's link is `NotFound`.
    pub async fn delete_vtt_account(&self, user: Uuid, id: Uuid) -> StoreResult<()> {
        self.delete_one(
            "DELETE FROM vtt_accounts WHERE id = $1 AND user_id = $2",
            &[id, user],
        )
        .await
    }

    /// The user linked to a VTT account, to attribute VTT rolls.
    pub async fn user_of_vtt_account(
        &self,
        vtt: Vtt,
        vtt_user_id: &str,
    ) -> StoreResult<Option<Uuid>> {
        let user: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT user_id FROM vtt_accounts WHERE vtt = $1 AND vtt_user_id = $2",
            )
            .bind(vtt.as_str())
            .bind(vtt_user_id)
            .fetch_optional(pool)
            .await?
        });
        super::to_optional_id(user.as_deref())
    }

    /// Whether `user` has a linked VTT account that GMs `game`, as FumbleBot last reported.
    pub async fn user_gms_vtt_game(&self, user: Uuid, game: &VttGame) -> StoreResult<bool> {
        let found: Option<i32> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT 1 FROM vtt_accounts a JOIN vtt_gm_games g ON g.account_id = a.id \
                 WHERE a.user_id = $1 AND a.vtt = $2 AND g.game_id = $3",
            )
            .bind(user.to_string())
            .bind(game.vtt.as_str())
            .bind(&game.game_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }
}
