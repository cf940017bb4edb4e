//! AI conversations, their messages, and token usage with its reports.

use critfumble_sdk::wire::{
    ChatRole, Conversation, ConversationMessage, TokenUsage, UsageGroupBy, UsageQuery, UsageRow,
};
use uuid::Uuid;

use super::{
    Store, StoreResult, new_id, now_millis, to_enum, to_id, to_millis, to_timestamp, with_pool,
};

const CONVERSATION_COLUMNS: &str = "id, campaign_id, user_id, title, created_at, updated_at";
const MESSAGE_COLUMNS: &str = "id, conversation_id, role, content, model, created_at";

#[derive(sqlx::FromRow)]
struct ConversationRow {
    id: String,
    campaign_id: String,
    user_id: String,
    title: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl ConversationRow {
    fn into_wire(self) -> StoreResult<Conversation> {
        Ok(Conversation {
            id: to_id(&self.id)?,
            campaign_id: to_id(&self.campaign_id)?,
            user_id: to_id(&self.user_id)?,
            title: self.title,
            created_at: to_timestamp(self.created_at)?,
            updated_at: to_timestamp(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: String,
    conversation_id: String,
    role: String,
    content: String,
    model: Option<String>,
    created_at: i64,
}

impl MessageRow {
    fn into_wire(self) -> StoreResult<ConversationMessage> {
        Ok(ConversationMessage {
            id: to_id(&self.id)?,
            conversation_id: to_id(&self.conversation_id)?,
            role: to_enum(&self.role)?,
            content: self.content,
            model: self.model,
            created_at: to_timestamp(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct UsageSumRow {
    bucket: Option<String>,
    day: Option<i64>,
    requests: i64,
    input_tokens: i64,
    output_tokens: i64,
    cache_read_tokens: i64,
    cache_write_tokens: i64,
    cost: f64,
}

/// Who is reading usage: everything, or one user (their own calls and the campaigns they GM).
#[derive(Clone, Copy, Debug)]
pub enum UsageReader {
    /// Sees every row.
    Everything,
    /// Sees their own rows and those of campaigns they are the GM of.
    User(Uuid),
}

impl Store {
    /// Starts a conversation in `campaign` for `user`.
    pub async fn create_conversation(
        &self,
        campaign: Uuid,
        user: Uuid,
        title: Option<&str>,
    ) -> StoreResult<Conversation> {
        let sql = format!(
            "INSERT INTO ai_conversations ({CONVERSATION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $5) \
             RETURNING {CONVERSATION_COLUMNS}"
        );
        let row: ConversationRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(new_id().to_string())
                .bind(campaign.to_string())
                .bind(user.to_string())
                .bind(title)
                .bind(now_millis())
                .fetch_one(pool)
                .await?
        });
        row.into_wire()
    }

    /// The conversation with this id.
    pub async fn conversation(&self, id: Uuid) -> StoreResult<Option<Conversation>> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM ai_conversations WHERE id = $1");
        let row: Option<ConversationRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(ConversationRow::into_wire).transpose()
    }

    /// The messages of a conversation, oldest first.
    pub async fn conversation_messages(&self, id: Uuid) -> StoreResult<Vec<ConversationMessage>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM ai_messages WHERE conversation_id = $1 ORDER BY seq"
        );
        let rows: Vec<MessageRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(id.to_string())
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(MessageRow::into_wire).collect()
    }

    /// Appends a message to a conversation; `model` names the model of an answer.
    pub async fn add_message(
        &self,
        conversation: &Conversation,
        role: ChatRole,
        content: &str,
        model: Option<&str>,
    ) -> StoreResult<ConversationMessage> {
        let now = now_millis();
        let insert = format!(
            "INSERT INTO ai_messages (id, conversation_id, role, content, model, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {MESSAGE_COLUMNS}"
        );
        let row: MessageRow = with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row: MessageRow = sqlx::query_as(&insert)
                .bind(new_id().to_string())
                .bind(conversation.id.to_string())
                .bind(role.as_str())
                .bind(content)
                .bind(model)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE ai_conversations SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(conversation.id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        row.into_wire()
    }

    /// Stores the token usage of one AI call in a conversation, on its own: the call was
    /// paid for whether or not its answer can be stored.
    pub async fn record_usage(
        &self,
        conversation: &Conversation,
        usage: &TokenUsage,
    ) -> StoreResult<()> {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO token_usage (id, conversation_id, campaign_id, user_id, \
                 provider, model, input_tokens, output_tokens, cache_read_tokens, \
                 cache_write_tokens, latency_ms, cost_usd, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(new_id().to_string())
            .bind(conversation.id.to_string())
            .bind(conversation.campaign_id.to_string())
            .bind(conversation.user_id.to_string())
            .bind(&usage.provider)
            .bind(&usage.model)
            .bind(count(usage.input_tokens))
            .bind(count(usage.output_tokens))
            .bind(count(usage.cache_read_tokens))
            .bind(count(usage.cache_write_tokens))
            .bind(count(usage.latency_ms))
            .bind(usage.estimated_cost_usd)
            .bind(now_millis())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The input and output tokens `campaign` has spent since `since` (Unix milliseconds).
    pub async fn campaign_tokens_since(&self, campaign: Uuid, since: i64) -> StoreResult<u64> {
        let spent: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT CAST(SUM(input_tokens + output_tokens) AS BIGINT) FROM token_usage \
                 WHERE campaign_id = $1 AND created_at >= $2",
            )
            .bind(campaign.to_string())
            .bind(since)
            .fetch_one(pool)
            .await?
        });
        Ok(u64::try_from(spent.unwrap_or(0)).unwrap_or(0))
    }

    /// Token usage summed per day, model or user, newest day (or largest cost) first.
    pub async fn usage_report(
        &self,
        query: &UsageQuery,
        reader: UsageReader,
    ) -> StoreResult<Vec<UsageRow>> {
        let mut args: Vec<String> = Vec::new();
        let mut conditions = vec!["1 = 1".to_owned()];
        if let UsageReader::User(user) = reader {
            args.push(user.to_string());
            let n = args.len();
            conditions.push(format!(
                "(t.user_id = ${n} OR t.campaign_id IN (SELECT campaign_id FROM campaign_members \
                 WHERE user_id = ${n} AND role = 'gm'))"
            ));
        }
        if let Some(campaign) = query.campaign_id {
            args.push(campaign.to_string());
            conditions.push(format!("t.campaign_id = ${}", args.len()));
        }
        // The times are integers this function computed, never request text, so they can
        // be written into the SQL directly.
        if let Some(since) = query.since {
            conditions.push(format!("t.created_at >= {}", to_millis(since)));
        }
        if let Some(until) = query.until {
            conditions.push(format!("t.created_at < {}", to_millis(until)));
        }
        let (bucket, day, group, order) = match query.group_by {
            UsageGroupBy::Day => (
                "CAST(NULL AS TEXT)",
                "CAST(t.created_at / 86400000 AS BIGINT)",
                "t.created_at / 86400000",
                "day DESC",
            ),
            UsageGroupBy::Model => (
                "t.model",
                "CAST(NULL AS BIGINT)",
                "t.model",
                "cost DESC, bucket",
            ),
            UsageGroupBy::User => (
                "t.user_id",
                "CAST(NULL AS BIGINT)",
                "t.user_id",
                "cost DESC, bucket",
            ),
        };
        let sql = format!(
            "SELECT {bucket} AS bucket, {day} AS day, COUNT(*) AS requests, \
             CAST(SUM(t.input_tokens) AS BIGINT) AS input_tokens, \
             CAST(SUM(t.output_tokens) AS BIGINT) AS output_tokens, \
             CAST(SUM(t.cache_read_tokens) AS BIGINT) AS cache_read_tokens, \
             CAST(SUM(t.cache_write_tokens) AS BIGINT) AS cache_write_tokens, \
             SUM(t.cost_usd) AS cost \
             FROM token_usage t WHERE {} GROUP BY {group} ORDER BY {order}",
            conditions.join(" AND ")
        );
        let rows: Vec<UsageSumRow> = with_pool!(self, |pool| {
            let mut q = sqlx::query_as(&sql);
            for arg in &args {
                q = q.bind(arg);
            }
            q.fetch_all(pool).await?
        });
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        rows.into_iter()
            .map(|row| {
                let key = match (row.bucket, row.day) {
                    (Some(bucket), _) => bucket,
                    (None, Some(day)) => to_timestamp(day * 86_400_000)?
                        .format("%Y-%m-%d")
                        .to_string(),
                    (None, None) => String::new(),
                };
                Ok(UsageRow {
                    key,
                    requests: count(row.requests),
                    input_tokens: count(row.input_tokens),
                    output_tokens: count(row.output_tokens),
                    cache_read_tokens: count(row.cache_read_tokens),
                    cache_write_tokens: count(row.cache_write_tokens),
                    estimated_cost_usd: row.cost,
                })
            })
            .collect()
    }
}

impl Store {
    /// One page of a campaign's conversations, newest first; with `user`, only theirs: up
    /// to `limit + 1` of them before the id `before` (the extra one only tells that there
    /// is a next page).
    pub async fn conversations(
        &self,
        campaign: Uuid,
        user: Option<Uuid>,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS} FROM ai_conversations \
             WHERE campaign_id = $1 AND ($2 = '' OR user_id = $2) AND ($3 = '' OR id < $3) \
             ORDER BY id DESC LIMIT $4"
        );
        let user = user.map(|id| id.to_string()).unwrap_or_default();
        let rows: Vec<ConversationRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(campaign.to_string())
                .bind(&user)
                .bind(before.map(|id| id.to_string()).unwrap_or_default())
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(ConversationRow::into_wire).collect()
    }

    /// The tokens and cost of each of a campaign's conversations, by conversation id.
    pub async fn conversation_usage(
        &self,
        campaign: Uuid,
    ) -> StoreResult<std::collections::HashMap<Uuid, ConversationUsage>> {
        let rows: Vec<(Option<String>, i64, i64, f64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT conversation_id, CAST(SUM(input_tokens) AS BIGINT), \
                 CAST(SUM(output_tokens) AS BIGINT), CAST(SUM(cost_usd) AS DOUBLE PRECISION) \
                 FROM token_usage WHERE campaign_id = $1 AND conversation_id IS NOT NULL \
                 GROUP BY conversation_id",
            )
            .bind(campaign.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .filter_map(|(id, input, output, cost)| Some((id?, input, output, cost)))
            .map(|(id, input, output, cost)| {
                Ok((
                    to_id(&id)?,
                    ConversationUsage {
                        input_tokens: u64::try_from(input).unwrap_or(0),
                        output_tokens: u64::try_from(output).unwrap_or(0),
                        cost_usd: cost,
                    },
                ))
            })
            .collect()
    }
}

/// What one conversation has cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConversationUsage {
    /// Input tokens, summed.
    pub input_tokens: u64,
    /// Output tokens, summed.
    pub output_tokens: u64,
    /// The estimated cost in US dollars, summed.
    pub cost_usd: f64,
}
