//! The d20 faces of a campaign's recent rolls, per member, for the luck page.

use critfumble_sdk::wire::Roll;
use uuid::Uuid;

use super::{Store, StoreResult, to_id, with_pool};

/// One member's d20 faces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberFaces {
    /// The member.
    pub user_id: Uuid,
    /// Their name.
    pub name: String,
    /// How many times each face (1 to 20) came up.
    pub faces: [u64; 20],
}

#[derive(sqlx::FromRow)]
struct FacesRow {
    user_id: String,
    name: String,
    document: String,
}

impl Store {
    /// The d20 faces of the newest `limit` rolls of `campaign` that Core replayed with at
    /// least one d20, per member, by name. Visibility is [`Store::roll_stats`]'s: with
    /// `Some(viewer)`, other members' private rolls are left out.
    pub async fn d20_faces(
        &self,
        campaign: Uuid,
        viewer: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<MemberFaces>> {
        let rows: Vec<FacesRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.user_id AS user_id, u.name AS name, r.document AS document \
                 FROM rolls r JOIN users u ON u.id = r.user_id \
                 WHERE r.campaign_id = $1 AND r.d20_count > 0 \
                 AND ($2 = '' OR r.private = FALSE OR r.user_id = $2) \
                 ORDER BY r.seq DESC LIMIT $3",
            )
            .bind(campaign.to_string())
            .bind(viewer.map(|id| id.to_string()).unwrap_or_default())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        let mut members: Vec<MemberFaces> = Vec::new();
        for row in rows {
            let roll: Roll = serde_json::from_str(&row.document)?;
            let Some(tree) = &roll.rolled else { continue };
            let user_id = to_id(&row.user_id)?;
            let index = match members.iter().position(|m| m.user_id == user_id) {
                Some(index) => index,
                None => {
                    members.push(MemberFaces {
                        user_id,
                        name: row.name,
                        faces: [0; 20],
                    });
                    members.len() - 1
                }
            };
            let faces = &mut members[index].faces;
            super::for_each_d20(tree, |face| {
                if let Some(count) = usize::try_from(face - 1)
                    .ok()
                    .and_then(|i| faces.get_mut(i))
                {
                    *count += 1;
                }
            });
        }
        members.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        Ok(members)
    }
}
