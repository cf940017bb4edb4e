//! The permanent roll history: idempotent inserts, filtered cursor pages, and statistics.

use std::collections::HashSet;

use critfumble_sdk::wire::{MemberRollStats, Roll, RollQuery, RolledNode};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::idempotency::{Claim, Decision, KeyRow};
use super::{Store, StoreError, StoreResult, now_millis, to_id, to_millis, with_pool};

/// The d20 faces of one roll, counted when it is stored so that statistics are one query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct D20Summary {
    /// How many single d20s the roll contains.
    pub count: i64,
    /// The sum of their faces.
    pub sum: i64,
    /// How many showed 20.
    pub nat20s: i64,
    /// How many showed 1.
    pub nat1s: i64,
}

impl D20Summary {
    /// Counts every d20 the tree rolled, kept or not: each die of a dice node whose faces
    /// are 20, and each roll of a compounded one.
    pub fn of_tree(tree: &RolledNode) -> D20Summary {
        let mut summary = D20Summary::default();
        for_each_d20(tree, |face| {
            summary.count += 1;
            summary.sum += face;
            summary.nat20s += i64::from(face == 20);
            summary.nat1s += i64::from(face == 1);
        });
        summary
    }
}

/// Calls `visit` with every d20 face the tree rolled, kept or not: each die of a dice node
/// whose faces are 20, and each roll of a compounded one.
pub fn for_each_d20(tree: &RolledNode, mut visit: impl FnMut(i64)) {
    for node in tree.post_order() {
        let RolledNode::Dice(dice) = node else {
            continue;
        };
        if dice.rolled_faces.as_deref() != Some("20") {
            continue;
        }
        for die in &dice.dice {
            let faces = match &die.parts {
                Some(parts) => parts.as_slice(),
                None => std::slice::from_ref(&die.value),
            };
            for &face in faces {
                if (1..=20).contains(&face) {
                    visit(face);
                }
            }
        }
    }
}

/// A roll waiting to be stored under an idempotency key, with the response to store.
#[derive(Clone, Debug)]
pub struct PendingRoll {
    /// The roll, as it will be stored.
    pub roll: Roll,
    /// Its d20 faces.
    pub d20: D20Summary,
    /// The caller's idempotency namespace.
    pub scope: String,
    /// The idempotency key.
    pub key: String,
    /// The hash of the request body.
    pub request_hash: String,
    /// The JSON of `roll`: both the stored document and the 201 response body.
    pub body: String,
}

/// Who is reading rolls: everything (a service acting for nobody) or one user.
#[derive(Clone, Copy, Debug)]
pub enum RollReader {
    /// Sees every roll.
    Everything,
    /// Sees rolls of campaigns they belong to and their own rolls; private rolls only when
    /// they rolled them or are the campaign's GM.
    User(Uuid),
}

/// A value bound to a dynamically built query.
enum Arg {
    Text(String),
    Int(i64),
}

#[derive(sqlx::FromRow)]
struct RollRow {
    document: String,
}

/// A page as the database aggregated it: both lists hold up to `limit + 1` rolls, newest
/// first, comma-separated (NULL for an empty page).
#[derive(sqlx::FromRow)]
struct PageRow {
    seqs: Option<String>,
    documents: Option<String>,
}

/// One page of stored roll documents, from [`Store::roll_page`].
#[derive(Clone, Debug)]
pub struct RollPage {
    /// The seq of each document, in the order the database joined them.
    seqs: Vec<i64>,
    /// A JSON array of up to `limit + 1` stored documents, in the same order.
    documents: String,
    /// How many of them belong to the page.
    limit: usize,
    /// The cursor of the next page, if there is one.
    pub next_cursor: Option<String>,
}

impl RollPage {
    /// The page's rolls, newest first, each as its stored JSON borrowed from the page. The
    /// array is checked to be JSON here (a corrupt document is an error, not a broken
    /// response).
    pub fn documents(&self) -> StoreResult<Vec<&RawValue>> {
        let documents: Vec<&RawValue> = serde_json::from_str(&self.documents)?;
        if documents.len() != self.seqs.len() {
            return Err(StoreError::Corrupt(format!(
                "a page of {} seqs holds {} documents",
                self.seqs.len(),
                documents.len()
            )));
        }
        let mut rows: Vec<(i64, &RawValue)> = self.seqs.iter().copied().zip(documents).collect();
        if !rows.is_sorted_by(|a, b| a.0 > b.0) {
            rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.0));
        }
        rows.truncate(self.limit);
        Ok(rows.into_iter().map(|(_, document)| document).collect())
    }
}

#[derive(sqlx::FromRow)]
struct StatsRow {
    user_id: String,
    name: String,
    rolls: i64,
    d20_count: i64,
    d20_sum: i64,
    nat20s: i64,
    nat1s: i64,
}

/// The head of the INSERT of rolls, followed by one placeholder tuple per roll.
const INSERT_ROLLS: &str = "INSERT INTO rolls (id, source, user_id, campaign_id, session_id, \
     private, document, d20_count, d20_sum, nat20s, nat1s, rolled_at) VALUES ";
/// The twelve columns of [`INSERT_ROLLS`], every one a placeholder.
const ROLL_COLUMNS: [&str; 12] = [""; 12];

/// Binds the twelve values of [`INSERT_ROLLS`] for one `PendingRoll` (a macro, because the
/// query's type differs per backend).
macro_rules! bind_roll {
    ($query:expr, $pending:expr) => {{
        let pending: &PendingRoll = $pending;
        let roll = &pending.roll;
        $query
            .bind(roll.id.to_string())
            .bind(roll.source.as_str())
            .bind(roll.actor.user_id.map(|id| id.to_string()))
            .bind(roll.campaign_id.map(|id| id.to_string()))
            .bind(roll.session_id.map(|id| id.to_string()))
            .bind(roll.private)
            .bind(&pending.body)
            .bind(pending.d20.count)
            .bind(pending.d20.sum)
            .bind(pending.d20.nat20s)
            .bind(pending.d20.nat1s)
            .bind(to_millis(roll.rolled_at))
    }};
}

impl Store {
    /// Stores a batch of rolls, each once per idempotency key, in ONE transaction (group
    /// commit: one fsync for the whole batch). Each roll is stored together with its key
    /// and its response `body` (status 201), so a crash keeps both or neither, and a
    /// replayed key returns the stored response instead of storing the roll again.
    ///
    /// With `isolate`, each roll runs in a savepoint, so one failing roll (say, its
    /// campaign was just deleted) does not fail the others; without it the first failure
    /// fails the batch (cheaper: the writer tries that first and isolates on failure).
    /// Nothing is acknowledged before the commit.
    pub async fn insert_rolls(
        &self,
        batch: &[PendingRoll],
        lease_millis: i64,
        isolate: bool,
    ) -> StoreResult<Vec<StoreResult<Claim>>> {
        let now = now_millis();
        let results = with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Fast path: claim the batch's keys and store their rolls with a few multi-row
            // INSERTs instead of two statements per roll. What it leaves unsettled (a key
            // already stored, a key repeated within the batch) goes through the per-roll
            // path below, in the same transaction.
            let mut settled: Vec<Option<Claim>> = vec![None; batch.len()];
            if !isolate {
                let mut seen = HashSet::with_capacity(batch.len());
                let firsts: Vec<usize> = (0..batch.len())
                    .filter(|&i| seen.insert((batch[i].scope.as_str(), batch[i].key.as_str())))
                    .collect();
                let mut claimed = Vec::with_capacity(firsts.len());
                for chunk in bulk_chunks(&firsts) {
                    let sql = values_sql(
                        "INSERT INTO idempotency_keys \
                         (scope, key, request_hash, claim_token, status, body, created_at) VALUES ",
                        &["", "", "", "", "201", "", ""],
                        chunk.len(),
                        " ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key",
                    );
                    let tokens: Vec<String> = chunk
                        .iter()
                        .map(|_| uuid::Uuid::new_v4().to_string())
                        .collect();
                    let mut query = sqlx::query_as::<_, (String, String)>(&sql);
                    for (&i, token) in chunk.iter().zip(&tokens) {
                        let pending = &batch[i];
                        query = query
                            .bind(&pending.scope)
                            .bind(&pending.key)
                            .bind(&pending.request_hash)
                            .bind(token)
                            .bind(&pending.body)
                            .bind(now);
                    }
                    let inserted: HashSet<(String, String)> =
                        query.fetch_all(&mut *tx).await?.into_iter().collect();
                    for (&i, token) in chunk.iter().zip(tokens) {
                        let pending = &batch[i];
                        if inserted.contains(&(pending.scope.clone(), pending.key.clone())) {
                            claimed.push(i);
                            settled[i] = Some(Claim::Acquired { token });
                        }
                    }
                }
                for chunk in bulk_chunks(&claimed) {
                    let sql = values_sql(INSERT_ROLLS, &ROLL_COLUMNS, chunk.len(), "");
                    let mut query = sqlx::query(&sql);
                    for &i in chunk {
                        query = bind_roll!(query, &batch[i]);
                    }
                    query.execute(&mut *tx).await?;
                }
            }
            let mut results = Vec::with_capacity(batch.len());
            for (pending, settled) in batch.iter().zip(settled) {
                if let Some(claim) = settled {
                    results.push(Ok(claim));
                    continue;
                }
                if isolate {
                    sqlx::query("SAVEPOINT roll").execute(&mut *tx).await?;
                }
                let outcome = async {
                    let token = uuid::Uuid::new_v4().to_string();
                    let mut owned = sqlx::query(
                        "INSERT INTO idempotency_keys \
                         (scope, key, request_hash, claim_token, status, body, created_at) \
                         VALUES ($1, $2, $3, $4, 201, $5, $6) ON CONFLICT (scope, key) DO NOTHING",
                    )
                    .bind(&pending.scope)
                    .bind(&pending.key)
                    .bind(&pending.request_hash)
                    .bind(&token)
                    .bind(&pending.body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                        == 1;
                    let mut decided = Claim::InFlight;
                    if !owned {
                        let existing: Option<KeyRow> = sqlx::query_as(
                            "SELECT request_hash, claim_token, status, body, created_at \
                             FROM idempotency_keys WHERE scope = $1 AND key = $2",
                        )
                        .bind(&pending.scope)
                        .bind(&pending.key)
                        .fetch_optional(&mut *tx)
                        .await?;
                        match existing
                            .map(|row| row.decide(&pending.request_hash, now, lease_millis))
                        {
                            Some(Decision::Settled(claim)) => decided = claim,
                            Some(Decision::TakeOver(old_token)) => {
                                owned = sqlx::query(
                                    "UPDATE idempotency_keys SET request_hash = $1, \
                                     claim_token = $2, status = 201, body = $3, created_at = $4 \
                                     WHERE scope = $5 AND key = $6 AND claim_token = $7",
                                )
                                .bind(&pending.request_hash)
                                .bind(&token)
                                .bind(&pending.body)
                                .bind(now)
                                .bind(&pending.scope)
                                .bind(&pending.key)
                                .bind(&old_token)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected()
                                    == 1;
                            }
                            // Purged between the insert and the read: the client retries.
                            None => {}
                        }
                    }
                    if !owned {
                        return Ok::<_, StoreError>(decided);
                    }
                    let sql = values_sql(INSERT_ROLLS, &ROLL_COLUMNS, 1, "");
                    bind_roll!(sqlx::query(&sql), pending)
                        .execute(&mut *tx)
                        .await?;
                    Ok(Claim::Acquired { token })
                }
                .await;
                match outcome {
                    Ok(claim) => {
                        if isolate {
                            sqlx::query("RELEASE SAVEPOINT roll")
                                .execute(&mut *tx)
                                .await?;
                        }
                        results.push(Ok(claim));
                    }
                    Err(error) if isolate => {
                        sqlx::query("ROLLBACK TO SAVEPOINT roll")
                            .execute(&mut *tx)
                            .await?;
                        sqlx::query("RELEASE SAVEPOINT roll")
                            .execute(&mut *tx)
                            .await?;
                        results.push(Err(error));
                    }
                    // Dropping `tx` rolls the whole batch back.
                    Err(error) => return Err(error),
                }
            }
            tx.commit().await?;
            results
        });
        Ok(results)
    }

    /// The roll with this id, if `reader` may see it.
    pub async fn roll(&self, id: Uuid, reader: RollReader) -> StoreResult<Option<Roll>> {
        let mut args = vec![Arg::Text(id.to_string())];
        let visibility = visibility_clause(reader, &mut args);
        let sql = format!("SELECT r.document FROM rolls r WHERE r.id = $1 AND {visibility}");
        let rows = self.fetch_rolls(&sql, args).await?;
        rows.into_iter()
            .next()
            .map(|row| Ok(serde_json::from_str(&row.document)?))
            .transpose()
    }

    /// One page of rolls matching `query` that `reader` may see, newest first, and the
    /// cursor of the next page.
    pub async fn rolls(
        &self,
        query: &RollQuery,
        reader: RollReader,
        limit: u32,
    ) -> StoreResult<(Vec<Roll>, Option<String>)> {
        let page = self.roll_page(query, reader, limit).await?;
        let rolls = page
            .documents()?
            .into_iter()
            .map(|document| serde_json::from_str(document.get()))
            .collect::<Result<_, _>>()?;
        Ok((rolls, page.next_cursor))
    }

    /// [`Store::rolls`] without decoding: the page's stored JSON documents (each the
    /// serialized [`Roll`] Core wrote), fetched as ONE row that the database aggregates
    /// (`string_agg` over the index-ordered page), so a page costs one round trip and one
    /// row instead of one per roll, and the documents are copied into the response as they
    /// are instead of being decoded and encoded again.
    pub async fn roll_page(
        &self,
        query: &RollQuery,
        reader: RollReader,
        limit: u32,
    ) -> StoreResult<RollPage> {
        let mut args = Vec::new();
        let mut conditions = vec![visibility_clause(reader, &mut args)];
        let mut push = |column: &str, operator: &str, arg: Arg| {
            args.push(arg);
            conditions.push(format!("r.{column} {operator} ${}", args.len()));
        };
        if let Some(campaign) = query.campaign_id {
            push("campaign_id", "=", Arg::Text(campaign.to_string()));
        }
        if let Some(session) = query.session_id {
            push("session_id", "=", Arg::Text(session.to_string()));
        }
        if let Some(user) = query.user_id {
            push("user_id", "=", Arg::Text(user.to_string()));
        }
        if let Some(source) = query.source {
            push("source", "=", Arg::Text(source.as_str().to_owned()));
        }
        if let Some(since) = query.since {
            push("rolled_at", ">=", Arg::Int(to_millis(since)));
        }
        if let Some(until) = query.until {
            push("rolled_at", "<", Arg::Int(to_millis(until)));
        }
        if let Some(cursor) = &query.cursor {
            let seq = parse_cursor(cursor)?;
            push("seq", "<", Arg::Int(seq));
        }
        // One row more than the page, to know whether there is a next page. The inner query
        // walks an index in `seq` order and stops after LIMIT rows; the outer one only joins
        // them (`string_agg`: SQLite >= 3.44 and PostgreSQL). Both engines join them in the
        // inner query's order, but neither promises it, so `RollPage` checks the order of
        // the seqs and sorts when needed (an ORDER BY inside `string_agg` would make SQLite
        // build a temporary b-tree for every page).
        args.push(Arg::Int(i64::from(limit) + 1));
        let sql = format!(
            "SELECT string_agg(CAST(p.seq AS TEXT), ',') AS seqs, \
             string_agg(p.document, ',') AS documents \
             FROM (SELECT r.seq, r.document FROM rolls r WHERE {} \
             ORDER BY r.seq DESC LIMIT ${}) p",
            conditions.join(" AND "),
            args.len()
        );
        let row: PageRow = with_pool!(self, |pool| {
            let mut query = sqlx::query_as(&sql);
            for arg in &args {
                query = match arg {
                    Arg::Text(text) => query.bind(text),
                    Arg::Int(number) => query.bind(*number),
                };
            }
            query.fetch_one(pool).await?
        });
        let (Some(seqs), Some(documents)) = (row.seqs, row.documents) else {
            return Ok(RollPage {
                seqs: Vec::new(),
                documents: "[]".to_owned(),
                limit: 0,
                next_cursor: None,
            });
        };
        let seqs = seqs
            .split(',')
            .map(|seq| seq.parse::<i64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| StoreError::Corrupt(format!("bad seq list '{seqs}'")))?;
        let limit = limit as usize;
        // A row past the page means a next page, which starts after the page's last seq.
        let next_cursor = if seqs.len() > limit {
            let mut sorted = seqs.clone();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            sorted
                .get(limit.wrapping_sub(1))
                .map(|last| format!("r{last}"))
        } else {
            None
        };
        Ok(RollPage {
            seqs,
            documents: format!("[{documents}]"),
            limit,
            next_cursor,
        })
    }

    async fn fetch_rolls(&self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<RollRow>> {
        Ok(with_pool!(self, |pool| {
            let mut query = sqlx::query_as(sql);
            for arg in &args {
                query = match arg {
                    Arg::Text(text) => query.bind(text),
                    Arg::Int(number) => query.bind(*number),
                };
            }
            query.fetch_all(pool).await?
        }))
    }

    /// The last `limit` rolls of a campaign, newest first (for the AI context).
    pub async fn recent_campaign_rolls(
        &self,
        campaign: Uuid,
        limit: u32,
    ) -> StoreResult<Vec<Roll>> {
        let query = RollQuery {
            campaign_id: Some(campaign),
            ..RollQuery::default()
        };
        Ok(self.rolls(&query, RollReader::Everything, limit).await?.0)
    }

    /// Per-user roll statistics of a campaign, as `viewer` may see them: with
    /// `Some(user)`, other members' private rolls are left out (they would leak a private
    /// d20 by the difference); with `None` (the GM, the service) every roll counts.
    pub async fn roll_stats(
        &self,
        campaign: Uuid,
        viewer: Option<Uuid>,
    ) -> StoreResult<Vec<MemberRollStats>> {
        let rows: Vec<StatsRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.user_id AS user_id, u.name AS name, COUNT(*) AS rolls, \
                 CAST(SUM(r.d20_count) AS BIGINT) AS d20_count, \
                 CAST(SUM(r.d20_sum) AS BIGINT) AS d20_sum, \
                 CAST(SUM(r.nat20s) AS BIGINT) AS nat20s, \
                 CAST(SUM(r.nat1s) AS BIGINT) AS nat1s \
                 FROM rolls r JOIN users u ON u.id = r.user_id \
                 WHERE r.campaign_id = $1 AND ($2 = '' OR r.private = FALSE OR r.user_id = $2) \
                 GROUP BY r.user_id, u.name ORDER BY u.name, r.user_id",
            )
            .bind(campaign.to_string())
            .bind(viewer.map(|id| id.to_string()).unwrap_or_default())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                let count = |n: i64| u64::try_from(n).unwrap_or(0);
                #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
                let average_d20 =
                    (row.d20_count > 0).then(|| row.d20_sum as f64 / row.d20_count as f64);
                Ok(MemberRollStats {
                    user_id: to_id(&row.user_id)?,
                    name: row.name,
                    rolls: count(row.rolls),
                    d20_rolls: count(row.d20_count),
                    nat20s: count(row.nat20s),
                    nat1s: count(row.nat1s),
                    average_d20,
                })
            })
            .collect()
    }
}

/// The largest number of rows one multi-row INSERT of a batch holds (12 parameters a row
/// stays far below both engines' limits on parameters).
const BULK_ROWS: usize = 64;

/// Splits `indices` into chunks of 64, 32, 16, …, 1, so that a batch of any size uses at
/// most seven distinct statements per table, which stay in the prepared-statement cache.
fn bulk_chunks(indices: &[usize]) -> Vec<&[usize]> {
    let mut chunks = Vec::new();
    let mut rest = indices;
    while !rest.is_empty() {
        let size = BULK_ROWS.min(1 << rest.len().ilog2());
        let (chunk, tail) = rest.split_at(size);
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// `head` followed by `rows` tuples of numbered placeholders, `suffix` after them. Each
/// entry of `columns` is a literal for that column, or empty for the next placeholder.
fn values_sql(head: &str, columns: &[&str], rows: usize, suffix: &str) -> String {
    let mut sql = String::with_capacity(head.len() + suffix.len() + rows * columns.len() * 6);
    sql.push_str(head);
    let mut n = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for (index, literal) in columns.iter().enumerate() {
            if index > 0 {
                sql.push_str(", ");
            }
            if literal.is_empty() {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push_str(literal);
            }
        }
        sql.push(')');
    }
    sql.push_str(suffix);
    sql
}

/// The SQL condition limiting rolls to what `reader` may see (binding its arguments).
fn visibility_clause(reader: RollReader, args: &mut Vec<Arg>) -> String {
    match reader {
        RollReader::Everything => "1 = 1".to_owned(),
        RollReader::User(user) => {
            args.push(Arg::Text(user.to_string()));
            let n = args.len();
            format!(
                "(r.user_id = ${n} OR (r.private = FALSE AND r.campaign_id IN \
                 (SELECT campaign_id FROM campaign_members WHERE user_id = ${n})) \
                 OR r.campaign_id IN (SELECT campaign_id FROM campaign_members \
                 WHERE user_id = ${n} AND role = 'gm'))"
            )
        }
    }
}

fn parse_cursor(cursor: &str) -> StoreResult<i64> {
    cursor
        .strip_prefix('r')
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| StoreError::BadCursor(cursor.to_owned()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn bulk_chunks_cover_every_index_in_power_of_two_chunks() {
        for len in 0..300 {
            let indices: Vec<usize> = (0..len).collect();
            let chunks = super::bulk_chunks(&indices);
            assert_eq!(chunks.concat(), indices, "batch of {len}");
            assert!(
                chunks
                    .iter()
                    .all(|chunk| chunk.len().is_power_of_two() && chunk.len() <= 64),
                "batch of {len}: {chunks:?}"
            );
        }
    }

    #[test]
    fn values_sql_numbers_placeholders_across_rows() {
        assert_eq!(
            super::values_sql("INSERT INTO t (a, b, c) VALUES ", &["", "7", ""], 2, " X"),
            "INSERT INTO t (a, b, c) VALUES ($1, 7, $2), ($3, 7, $4) X"
        );
    }
}
