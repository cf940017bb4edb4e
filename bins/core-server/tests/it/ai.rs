//! AI chat through a fake FumbleBot: context, stored messages, 502 on failure, usage.

use std::sync::Arc;

use critfumble_sdk::wire::{
    CampaignChatRequest, CampaignChatResponse, ChatRole, ConversationDetail, Page, UsageGroupBy,
    UsageQuery, UsageReport,
};
use serde_json::json;

use crate::campaigns::Party;
use crate::fakes::{FumbleBotFake, fumblebot, serve};
use crate::harness::Backend;
use crate::on_both_backends;

on_both_backends!(
    ai_chat_stores_conversations_and_usage,
    usage_is_stored_when_the_answer_cannot_be,
);

/// A party whose Core asks a fake FumbleBot (which answers with 1,500 tokens a call), with
/// a daily AI budget of `budget` tokens per campaign (0: none), and the fake's URL.
pub(crate) async fn ai_party(backend: Backend, budget: u64) -> (Party, Arc<FumbleBotFake>, String) {
    let fake = Arc::new(FumbleBotFake::default());
    let url = serve(fumblebot(fake.clone())).await;
    let party = Party::new_with(backend, |args| {
        args.fumblebot_url = url.clone();
        args.fumblebot_api_key = Some("fumblebot-service-key".to_owned());
        args.ai_daily_tokens_per_campaign = budget;
    })
    .await;
    (party, fake, url)
}

async fn ai_chat_stores_conversations_and_usage(backend: Backend) {
    let (party, fake, _) = ai_party(backend, 0).await;
    let server = &party.server;
    server
        .post(
            &party.player,
            &party.path("/characters"),
            &json!({"name": "Ireena"}),
        )
        .await
        .expect(201);
    for n in 0..25 {
        let body = crate::rolls::roll_body(Some(party.campaign.id), 10, n == 0);
        crate::rolls::post_roll(&party, &party.player, Some(&format!("ai{n}")), &body)
            .await
            .expect(201);
    }
    let session: critfumble_sdk::wire::GameSession = server
        .post(
            &party.gm,
            &party.path("/sessions"),
            &json!({"title": "One"}),
        )
        .await
        .expect(201)
        .json();
    server
        .post(
            &party.gm,
            &party.path(&format!("/sessions/{}/end", session.id)),
            &json!({"notes": "Met Strahd at dinner."}),
        )
        .await
        .expect(200);
    let player = server.client(&party.player);
    let first = player
        .campaign_chat(
            party.campaign.id,
            &CampaignChatRequest {
                conversation_id: None,
                message: "What happened last session?".to_owned(),
            },
        )
        .await
        .unwrap();
    assert_eq!(first.message.role, ChatRole::Assistant);
    assert_eq!(
        first.message.content,
        "1 characters and 20 recent rolls in Curse of Strahd"
    );
    assert_eq!(first.usage.input_tokens, 1200);
    {
        let requests = fake.requests.lock().unwrap();
        let context = &requests[0].context;
        assert_eq!(context.session_notes[0].notes, "Met Strahd at dinner.");
        assert_eq!(
            requests[0].messages.last().unwrap().content,
            "What happened last session?"
        );
    }
    // Continuing the conversation sends the history.
    let second: CampaignChatResponse = server
        .post(
            &party.player,
            &party.path("/ai/chat"),
            &json!({"conversation_id": first.conversation_id, "message": "And before that?"}),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(second.conversation_id, first.conversation_id);
    assert_eq!(fake.requests.lock().unwrap()[1].messages.len(), 3);
    // When FumbleBot fails: 502, and the user's message is still stored.
    *fake.failing.lock().unwrap() = true;
    let failed = server
        .post(
            &party.player,
            &party.path("/ai/chat"),
            &json!({"conversation_id": first.conversation_id, "message": "Hello?"}),
        )
        .await;
    let error = failed.expect_error(502, "upstream_failed");
    assert!(
        error.error.message.contains("your message was saved"),
        "{}",
        error.error.message
    );
    let detail: ConversationDetail = player
        .get_conversation(first.conversation_id)
        .await
        .unwrap();
    let roles: Vec<ChatRole> = detail.messages.iter().map(|m| m.role).collect();
    use ChatRole::{Assistant, User};
    assert_eq!(roles, [User, Assistant, User, Assistant, User]);
    assert_eq!(detail.messages[4].content, "Hello?");
    // Tenancy: outsiders get 404 everywhere; a player cannot read the GM's conversation,
    // the GM can read the player's.
    let conversation_path = format!("/v1/ai/conversations/{}", first.conversation_id);
    server.get(&party.gm, &conversation_path).await.expect(200);
    server
        .get(&party.outsider, &conversation_path)
        .await
        .expect_error(404, "not_found");
    server
        .post(
            &party.outsider,
            &party.path("/ai/chat"),
            &json!({"message": "hi"}),
        )
        .await
        .expect_error(404, "not_found");
    server
        .post(
            &party.gm,
            &party.path("/ai/chat"),
            &json!({"conversation_id": first.conversation_id, "message": "hijack"}),
        )
        .await
        .expect_error(404, "not_found");
    server
        .get(&party.outsider, &party.path("/ai/conversations"))
        .await
        .expect_error(404, "not_found");
    let listed: Page<critfumble_sdk::wire::Conversation> = server
        .get(&party.gm, &party.path("/ai/conversations"))
        .await
        .expect(200)
        .json();
    assert_eq!(listed.items.len(), 1);
    // Usage: two successful calls were recorded.
    let by_model = player
        .usage(&UsageQuery {
            group_by: UsageGroupBy::Model,
            campaign_id: None,
            since: None,
            until: None,
        })
        .await
        .unwrap();
    assert_eq!(by_model.rows.len(), 1);
    assert_eq!(by_model.rows[0].key, "claude-test");
    assert_eq!(
        (by_model.rows[0].requests, by_model.rows[0].input_tokens),
        (2, 2400)
    );
    let by_day: UsageReport = server
        .get(
            &party.gm,
            &format!("/v1/usage?group_by=day&campaign_id={}", party.campaign.id),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(
        by_day.rows[0].key,
        chrono::Utc::now().format("%Y-%m-%d").to_string()
    );
    let by_user: UsageReport = server
        .get(&crate::harness::Auth::Service, "/v1/usage?group_by=user")
        .await
        .expect(200)
        .json();
    assert_eq!(by_user.rows[0].key, party.player_id.to_string());
    server
        .get(
            &party.player,
            &format!("/v1/usage?group_by=day&campaign_id={}", party.campaign.id),
        )
        .await
        .expect_error(403, "forbidden");
    server
        .get(
            &party.outsider,
            &format!("/v1/usage?group_by=day&campaign_id={}", party.campaign.id),
        )
        .await
        .expect_error(404, "not_found");
    let outsider_usage: UsageReport = server
        .get(&party.outsider, "/v1/usage?group_by=model")
        .await
        .expect(200)
        .json();
    assert!(outsider_usage.rows.is_empty());
    server
        .get(&party.gm, "/v1/usage?group_by=week")
        .await
        .expect_error(400, "bad_request");
}

async fn usage_is_stored_when_the_answer_cannot_be(backend: Backend) {
    let (party, fake, _) = ai_party(backend, 0).await;
    // The database refuses every answer (as a full disk or a constraint would), and
    // nothing else.
    let database = party.server.database().await;
    match database {
        crate::harness::Database::Sqlite(_) => {
            database
                .execute(
                    "CREATE TRIGGER refuse_answers BEFORE INSERT ON ai_messages \
                     WHEN NEW.role = 'assistant' BEGIN SELECT RAISE(ABORT, 'refused'); END",
                )
                .await
        }
        crate::harness::Database::Postgres(_) => {
            database
                .execute(
                    "CREATE FUNCTION refuse_answers() RETURNS trigger AS $$ BEGIN \
                     RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql; \
                     CREATE TRIGGER refuse_answers BEFORE INSERT ON ai_messages FOR EACH ROW \
                     WHEN (NEW.role = 'assistant') EXECUTE FUNCTION refuse_answers();",
                )
                .await
        }
    }
    party
        .server
        .post(
            &party.player,
            &party.path("/ai/chat"),
            &json!({"message": "Hi"}),
        )
        .await
        .expect_error(500, "internal");
    assert_eq!(fake.requests.lock().unwrap().len(), 1);
    // FumbleBot was paid for the call: its usage is there although its answer is not.
    assert_eq!(party.server.count_rows("token_usage").await, 1);
    assert_eq!(
        database
            .number("SELECT COUNT(*) FROM ai_messages WHERE role = 'assistant'")
            .await,
        0
    );
}
