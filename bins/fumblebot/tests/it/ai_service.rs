//! The AI service (`POST /v1/ai/chat`) over a real socket, against the fake provider, with
//! the SDK's `FumbleBotClient` (Core's client) where Core would call it; and Core's own
//! `POST /v1/campaigns/{id}/ai/chat` through FumbleBot to the fake provider.

use critfumble_fumblebot::Config;
use critfumble_sdk::FumbleBotClient;
use critfumble_sdk::api_key::{ApiKey, KeyEnv};
use critfumble_sdk::wire::{
    AiChatRequest, AiChatResponse, AiContext, CampaignChatRequest, ChatMessage, ErrorBody,
    ErrorCode, FumbleBotReadiness, UpsertUserRequest, UsageGroupBy, UsageQuery,
};
use serde_json::json;

use crate::fake_provider::{ANTHROPIC_KEY, Failure, FakeProvider, OPENAI_KEY};
use crate::harness::{TestBot, TestCore};

/// Published prices, per million tokens: gpt-4o-mini $0.15 in and $0.60 out;
/// claude-haiku-4-5 $1 in and $5 out.
const GPT_4O_MINI_USD_PER_MTOK: (f64, f64) = (0.15, 0.60);
const HAIKU_4_5_USD_PER_MTOK: (f64, f64) = (1.0, 5.0);

fn service_key() -> String {
    ApiKey::generate(KeyEnv::Live).expose_secret().to_owned()
}

fn openai(fake: &FakeProvider, key: &str) -> impl FnOnce(&mut Config) {
    let base_url = fake.openai_base_url();
    let key = key.to_owned();
    move |config| {
        config.openai_api_key = Some(OPENAI_KEY.to_owned());
        config.openai_base_url = base_url;
        config.fumblebot_api_key = Some(key);
    }
}

fn question(text: &str) -> AiChatRequest {
    AiChatRequest {
        messages: vec![ChatMessage::user(text)],
        context: AiContext::default(),
        model: None,
    }
}

fn url(bot: &TestBot, path: &str) -> String {
    format!("http://{}{path}", bot.running.address())
}

/// Posts a raw body with a bearer key; returns the status, `Retry-After` and the body.
async fn post_raw(
    bot: &TestBot,
    key: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, Option<String>, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .post(url(bot, "/v1/ai/chat"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(json!(text)),
    )
}

/// FumbleBot with the fake provider as OpenAI, its service key, and Core's client for it.
struct AiBot {
    fake: FakeProvider,
    key: String,
    bot: TestBot,
    client: FumbleBotClient,
}

impl AiBot {
    /// Starts it; `extra` changes the configuration after the OpenAI settings.
    async fn start(extra: impl FnOnce(&mut Config, &FakeProvider)) -> AiBot {
        let fake = FakeProvider::start().await;
        let key = service_key();
        let configure = openai(&fake, &key);
        let bot = TestBot::start_with(|config| {
            configure(config);
            extra(config, &fake);
        })
        .await;
        let client = FumbleBotClient::new(url(&bot, ""), key.clone()).unwrap();
        AiBot {
            fake,
            key,
            bot,
            client,
        }
    }

    /// Posts `request` with the service key; returns the status, `Retry-After` and body.
    async fn post(&self, request: &AiChatRequest) -> (u16, Option<String>, serde_json::Value) {
        post_raw(
            &self.bot,
            Some(&self.key),
            serde_json::to_string(request).unwrap(),
        )
        .await
    }
}

async fn readiness(bot: &TestBot) -> FumbleBotReadiness {
    let response = reqwest::get(url(bot, "/readyz")).await.unwrap();
    response.json().await.unwrap()
}

fn error_of(body: &serde_json::Value) -> ErrorBody {
    serde_json::from_value(body.clone()).unwrap()
}

fn assert_cost(usage: &critfumble_sdk::wire::TokenUsage, prices: (f64, f64)) {
    let expected =
        usage.input_tokens as f64 * prices.0 / 1e6 + usage.output_tokens as f64 * prices.1 / 1e6;
    assert!(
        (usage.estimated_cost_usd - expected).abs() < 1e-9,
        "{} != {expected}",
        usage.estimated_cost_usd
    );
}

#[tokio::test]
async fn an_openai_chat_carries_the_providers_usage_and_its_cost() {
    let ai = AiBot::start(|_, _| {}).await;
    let answer: AiChatResponse = ai
        .client
        .chat(&question("What does a wyvern fear?"))
        .await
        .unwrap();
    assert_eq!(answer.content, "echo: What does a wyvern fear?");
    assert_eq!(answer.model, "gpt-4o-mini-2024-07-18");
    let answered = ai.fake.answered();
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].path, "/v1/chat/completions");
    assert_eq!(answered[0].model, answer.model);
    // critfumble-ai's prompt went out: the persona, then the question.
    assert_eq!(answered[0].body["model"], "gpt-4o-mini");
    assert_eq!(answered[0].body["messages"][0]["role"], "system");
    assert_eq!(
        (answer.usage.input_tokens, answer.usage.output_tokens),
        (answered[0].input_tokens, answered[0].output_tokens)
    );
    assert_eq!(answer.usage.output_tokens, 6);
    assert_eq!(answer.usage.provider, "openai");
    assert!(
        answer.usage.input_tokens > 20,
        "the persona was sent: {:?}",
        answer.usage
    );
    assert_cost(&answer.usage, GPT_4O_MINI_USD_PER_MTOK);
}

#[tokio::test]
async fn with_only_anthropics_key_the_default_is_claude() {
    let ai = AiBot::start(|config, fake| {
        config.openai_api_key = None;
        config.anthropic_api_key = Some(ANTHROPIC_KEY.to_owned());
        config.anthropic_base_url = fake.anthropic_base_url();
    })
    .await;
    let (bot, client, fake) = (&ai.bot, &ai.client, &ai.fake);
    let answer = client
        .chat(&question("Recap the last session"))
        .await
        .unwrap();
    assert_eq!(answer.content, "echo: Recap the last session");
    assert_eq!(answer.model, "claude-haiku-4-5");
    let answered = fake.answered();
    assert_eq!(answered[0].path, "/v1/messages");
    assert_eq!(answer.usage.provider, "anthropic");
    assert_eq!(
        (answer.usage.input_tokens, answer.usage.output_tokens),
        (answered[0].input_tokens, answered[0].output_tokens)
    );
    assert_cost(&answer.usage, HAIKU_4_5_USD_PER_MTOK);
    let ready: FumbleBotReadiness = readiness(bot).await;
    assert_eq!(ready.default_model.as_deref(), Some("claude-haiku-4-5"));
    assert_eq!(ready.ai_providers.len(), 1);
    assert_eq!(ready.ai_providers[0].provider, "anthropic");
    assert!(ready.ai_providers[0].reachable, "{ready:?}");
    assert_eq!(ready.ai_providers[0].detail, None);
}

#[tokio::test]
async fn only_the_service_key_is_accepted() {
    let ai = AiBot::start(|_, _| {}).await;
    let (bot, key) = (&ai.bot, &ai.key);
    let body = serde_json::to_string(&question("hello")).unwrap();
    let other = service_key();
    let test_env = ApiKey::generate(KeyEnv::Test).expose_secret().to_owned();
    for presented in [
        None,
        Some(other.as_str()),
        Some(test_env.as_str()),
        Some("cfk_nonsense"),
    ] {
        let (status, _, body) = post_raw(bot, presented, body.clone()).await;
        assert_eq!(status, 401, "{presented:?}: {body}");
        assert_eq!(error_of(&body).error.code, ErrorCode::Unauthorized);
        assert!(!body.to_string().contains(key.as_str()));
    }
    // Core's user token for the right key text in another scheme is refused too.
    let response = reqwest::Client::new()
        .post(url(bot, "/v1/ai/chat"))
        .header("authorization", format!("Basic {key}"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(ai.fake.calls(), 0, "no refused call reached the provider");
    let (status, _, _) = post_raw(bot, Some(key), body).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn without_a_provider_the_service_answers_503() {
    let key = service_key();
    let bot_key = key.clone();
    let bot = TestBot::start_with(move |config| config.fumblebot_api_key = Some(bot_key)).await;
    let (status, _, body) = post_raw(
        &bot,
        Some(&key),
        serde_json::to_string(&question("hi")).unwrap(),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(error_of(&body).error.code, ErrorCode::Unavailable);
    assert!(body.to_string().contains("OPENAI_API_KEY"), "{body}");
    let ready: FumbleBotReadiness = readiness(&bot).await;
    assert_eq!(
        (ready.status.as_str(), ready.default_model),
        ("ready", None)
    );
    assert!(ready.ai_providers.is_empty());
}

#[tokio::test]
async fn bad_bodies_are_refused_naming_the_field() {
    let ai = AiBot::start(|_, _| {}).await;
    let cases = [
        (
            r#"{"messages":[{"role":"wizard","content":"x"}]}"#.to_owned(),
            400,
            "messages[0].role",
        ),
        (r#"{"messages":[]}"#.to_owned(), 422, "messages"),
        (
            r#"{"messages":[{"role":"user","content":""}]}"#.to_owned(),
            422,
            "messages[0].content",
        ),
        (
            r#"{"messages":[{"role":"assistant","content":"hi"}]}"#.to_owned(),
            422,
            "messages",
        ),
        (
            r#"{"messages":[{"role":"user","content":"x"}],"model":"claude-haiku-4-5"}"#.to_owned(),
            422,
            "model",
        ),
        (
            r#"{"messages":[{"role":"user","content":"x"}],"temperature":2}"#.to_owned(),
            400,
            "temperature",
        ),
    ];
    for (body, expected, field) in cases {
        let (status, _, answer) = post_raw(&ai.bot, Some(&ai.key), body.clone()).await;
        assert_eq!(status, expected, "{body}: {answer}");
        assert_eq!(
            error_of(&answer).error.details,
            Some(json!({"field": field})),
            "{body}"
        );
    }
    // 5 MiB: over the 4 MiB limit, refused with a JSON body.
    let huge = format!(
        r#"{{"messages":[{{"role":"user","content":"{}"}}]}}"#,
        "a".repeat(5 << 20)
    );
    let (status, _, answer) = post_raw(&ai.bot, Some(&ai.key), huge).await;
    assert_eq!(status, 413);
    assert_eq!(error_of(&answer).error.code, ErrorCode::PayloadTooLarge);
    assert_eq!(ai.fake.calls(), 0);
}

#[tokio::test]
async fn a_provider_429_reaches_core_with_its_retry_after() {
    let ai = AiBot::start(|_, _| {}).await;
    ai.fake.fail_next(Failure::RateLimited {
        retry_after_secs: 42,
    });
    let (status, retry_after, body) = ai.post(&question("hi")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(retry_after.as_deref(), Some("42"));
    assert_eq!(error_of(&body).error.code, ErrorCode::RateLimited);
    // A wait that long is not spent inside FumbleBot: one call, then the 429.
    assert_eq!(ai.fake.calls(), 1);
    assert!(
        !body.to_string().contains("RPM"),
        "the provider's text stays out: {body}"
    );
}

#[tokio::test]
async fn a_provider_failure_is_a_502_without_its_body() {
    let ai = AiBot::start(|_, _| {}).await;
    ai.fake.fail_next(Failure::ServerError);
    let (status, _, body) = ai.post(&question("hi")).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(error_of(&body).error.code, ErrorCode::UpstreamFailed);
    assert!(!body.to_string().contains("org-secret-42"), "{body}");
    assert!(body.to_string().contains("http 500"), "{body}");
}

#[tokio::test]
async fn a_provider_key_never_leaks() {
    const WRONG: &str = "sk-proj-WRONG-key-that-must-never-leak-0123";
    let ai = AiBot::start(|config, _| config.openai_api_key = Some(WRONG.to_owned())).await;
    let (status, _, body) = ai.post(&question("hi")).await;
    assert_eq!(status, 502, "{body}");
    assert!(!body.to_string().contains(WRONG), "{body}");
    assert!(body.to_string().contains("refused"), "{body}");
    let ready = reqwest::get(url(&ai.bot, "/readyz"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!ready.contains(WRONG), "{ready}");
    let ready: FumbleBotReadiness = serde_json::from_str(&ready).unwrap();
    assert!(ready.ai_providers[0].reachable);
    assert!(
        ready.ai_providers[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("refused the key"),
        "{ready:?}"
    );
}

#[tokio::test]
async fn the_same_request_within_a_minute_is_answered_from_the_cache_for_free() {
    let ai = AiBot::start(|_, _| {}).await;
    let first = ai
        .client
        .chat(&question("Is a natural 20 a crit?"))
        .await
        .unwrap();
    let second = ai
        .client
        .chat(&question("Is a natural 20 a crit?"))
        .await
        .unwrap();
    assert_eq!(second.content, first.content);
    assert_eq!(second.model, first.model);
    let usage = &second.usage;
    assert_eq!(
        (
            usage.input_tokens,
            usage.output_tokens,
            usage.estimated_cost_usd
        ),
        (0, 0, 0.0)
    );
    assert!(first.usage.input_tokens > 0);
    assert_eq!(ai.fake.answered().len(), 1);
    ai.client
        .chat(&question("Is a natural 1 a fumble?"))
        .await
        .unwrap();
    assert_eq!(ai.fake.answered().len(), 2);
}

fn in_campaign(text: &str, campaign: &critfumble_sdk::wire::Campaign) -> AiChatRequest {
    AiChatRequest {
        context: AiContext {
            campaign: Some(campaign.clone()),
            ..AiContext::default()
        },
        ..question(text)
    }
}

/// A campaign as Core would send it, made in a real Core.
async fn campaign(core: &TestCore, name: &str) -> critfumble_sdk::wire::Campaign {
    let client = core.client();
    client
        .upsert_user(
            "700000000000000001",
            &UpsertUserRequest {
                name: "Mira".into(),
                avatar: None,
            },
        )
        .await
        .unwrap();
    client
        .acting_as("700000000000000001")
        .unwrap()
        .create_campaign(
            &serde_json::from_value(json!({"name": name, "game_system": "dnd5e"})).unwrap(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn each_campaign_has_its_own_rate_limit() {
    let ai = AiBot::start(|config, _| config.ai_campaign_rate = 2).await;
    let flooding = campaign(&ai.bot.core, "Flood").await;
    let quiet = campaign(&ai.bot.core, "Quiet").await;
    for index in 0..2 {
        let request = in_campaign(&format!("question {index}"), &flooding);
        ai.client.chat(&request).await.unwrap();
    }
    let (status, retry_after, body) = ai.post(&in_campaign("question 3", &flooding)).await;
    assert_eq!(status, 429, "{body}");
    let wait: u64 = retry_after.unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(ai.fake.answered().len(), 2);
    ai.client
        .chat(&in_campaign("question 1", &quiet))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_campaign_over_its_daily_tokens_waits_until_midnight_utc() {
    let ai = AiBot::start(|config, _| config.ai_daily_tokens = 50).await;
    let spender = campaign(&ai.bot.core, "Spender").await;
    // The first call is under the cap when it starts, and spends more than 50 tokens.
    let first = ai
        .client
        .chat(&in_campaign("first", &spender))
        .await
        .unwrap();
    let spent = first.usage.input_tokens + first.usage.output_tokens;
    assert!(spent > 50, "{:?}", first.usage);
    let (status, retry_after, body) = ai.post(&in_campaign("second", &spender)).await;
    assert_eq!(status, 429, "{body}");
    let now = chrono::Utc::now().timestamp();
    let midnight = (now.div_euclid(86_400) + 1) * 86_400;
    let wait: i64 = retry_after.unwrap().parse().unwrap();
    assert!(
        (wait - (midnight - now)).abs() <= 2,
        "{wait} vs {}",
        midnight - now
    );
    assert!(body.to_string().contains("50 ai tokens"), "{body}");
    assert_eq!(ai.fake.answered().len(), 1);
}

/// Core's `POST /v1/campaigns/{id}/ai/chat` on a real Core, through FumbleBot's AI service,
/// to the fake provider: the answer, the conversation and the usage row are stored.
#[tokio::test]
async fn cores_chat_goes_through_fumblebot_and_logs_the_usage() {
    let fake = FakeProvider::start().await;
    let key = service_key();
    // FumbleBot's port, reserved so that Core can be told it before FumbleBot starts.
    let reserved = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let fumblebot_address = reserved.local_addr().unwrap();
    drop(reserved);
    let core_key = key.clone();
    let core = TestCore::start_with(move |args| {
        args.fumblebot_url = format!("http://{fumblebot_address}");
        args.fumblebot_api_key = Some(core_key);
    })
    .await;
    let configure = openai(&fake, &key);
    let bot = TestBot::start_on(core, move |config| {
        configure(config);
        config.listen = fumblebot_address;
    })
    .await;
    let table = campaign(&bot.core, "Lost Mine").await;
    let player = bot.core.client().acting_as("700000000000000001").unwrap();
    let answer = player
        .campaign_chat(
            table.id,
            &CampaignChatRequest {
                conversation_id: None,
                message: "Who runs the Stonehill Inn?".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(answer.message.content, "echo: Who runs the Stonehill Inn?");
    assert_eq!(
        answer.message.model.as_deref(),
        Some("gpt-4o-mini-2024-07-18")
    );
    let answered = fake.answered();
    assert_eq!(answered.len(), 1);
    // Core sent the campaign as context, and critfumble-ai put it in the prompt.
    assert!(answered[0].body.to_string().contains("Lost Mine"));
    let conversation = player
        .get_conversation(answer.conversation_id)
        .await
        .unwrap();
    let texts: Vec<_> = conversation
        .messages
        .iter()
        .map(|message| message.content.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "Who runs the Stonehill Inn?",
            "echo: Who runs the Stonehill Inn?"
        ]
    );
    let report = bot
        .core
        .client()
        .usage(&UsageQuery {
            group_by: UsageGroupBy::Model,
            campaign_id: Some(table.id),
            since: None,
            until: None,
        })
        .await
        .unwrap();
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].key, "gpt-4o-mini-2024-07-18");
    assert_eq!(report.rows[0].requests, 1);
    assert_eq!(
        (report.rows[0].input_tokens, report.rows[0].output_tokens),
        (answered[0].input_tokens, answered[0].output_tokens)
    );
    assert!((report.rows[0].estimated_cost_usd - answer.usage.estimated_cost_usd).abs() < 1e-12);
}

/// Two FumbleBot processes on the machine's real Redis share the cache and the token cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_redis_share_the_cache_and_the_cap() {
    if !crate::shared_redis::redis_available().await {
        return;
    }
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let first = AiBot::start(|config, _| {
        config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
        config.redis_prefix = prefix.clone();
        config.instance = Some("a".to_owned());
        config.ai_daily_tokens = 50;
    })
    .await;
    let configure = openai(&first.fake, &first.key);
    let second = TestBot::start_on(first.bot.core.handle(), |config| {
        configure(config);
        config.redis_url = Some("redis://127.0.0.1:6379".to_owned());
        config.redis_prefix = prefix.clone();
        config.instance = Some("b".to_owned());
        config.ai_daily_tokens = 50;
    })
    .await;
    let other_client = FumbleBotClient::new(url(&second, ""), first.key.clone()).unwrap();
    let table = campaign(&first.bot.core, "Shared").await;
    let asked = first
        .client
        .chat(&in_campaign("Who holds the map?", &table))
        .await
        .unwrap();
    // The other process answers the same request from Redis, for free.
    let cached = other_client
        .chat(&in_campaign("Who holds the map?", &table))
        .await
        .unwrap();
    assert_eq!(cached.content, asked.content);
    assert_eq!(
        (cached.usage.input_tokens, cached.usage.output_tokens),
        (0, 0)
    );
    assert_eq!(first.fake.answered().len(), 1);
    // The first call spent more than the cap; the other process refuses the next.
    let error = other_client
        .chat(&in_campaign("And the key?", &table))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("429"), "{error}");
    assert_eq!(first.fake.answered().len(), 1);
}
