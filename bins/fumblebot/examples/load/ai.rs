//! The AI service's own cost: a local provider that speaks OpenAI's Chat Completions and
//! answers after a fixed delay, called once directly (with `critfumble-ai`'s client and the
//! prompt FumbleBot would build) and once through FumbleBot's `POST /v1/ai/chat`, one call
//! at a time; the difference is what FumbleBot adds.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use critfumble_ai::{PromptOptions, build_prompt};
use critfumble_sdk::FumbleBotClient;
use critfumble_sdk::wire::{
    AiChatRequest, AiContext, Campaign, ChatMessage, ChatRole, ContextRoll, Vtt, VttGame,
};

use crate::{Child, free_port, percentile, spawn_fumblebot};

/// The key the fake provider is given (it checks none).
const PROVIDER_KEY: &str = "sk-bench-0000000000000000";

/// Runs the bench: `count` chats each way, the provider answering after `delay`.
pub(crate) async fn run(binary: &Path, count: usize, delay: Duration) -> anyhow::Result<()> {
    let provider = fake_provider(delay).await?;
    let base_url = format!("{provider}/v1");
    let dir = tempfile::tempdir()?;
    let key = critfumble_fumblebot::ai::generate_api_key();
    let Child { child, origin, .. } = spawn_fumblebot(
        binary,
        dir.path(),
        free_port()?,
        &[
            "--ai-campaign-rate",
            "1000000000",
            "--ai-daily-tokens",
            "0",
            "--ai-model",
            "gpt-4o-mini",
        ],
        &[
            ("OPENAI_API_KEY", PROVIDER_KEY),
            ("OPENAI_BASE_URL", &base_url),
            ("FUMBLEBOT_API_KEY", key.expose_secret()),
        ],
        &crate::pepper(),
    )
    .await?;

    // The provider's own latency, through the same client FumbleBot uses.
    let mut config = critfumble_fumblebot::Config::for_tests();
    config.openai_api_key = Some(PROVIDER_KEY.to_owned());
    config.openai_base_url = base_url.clone();
    let providers = critfumble_fumblebot::ai::Providers::from_config(&config)?;
    let (model, configured) = providers
        .choose(Some("gpt-4o-mini"))
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    let mut direct = Vec::with_capacity(count);
    for n in 0..count + count / 10 {
        let prompt = build_prompt(&chat(n), &PromptOptions::new(model.clone()))?;
        let started = Instant::now();
        configured.client.complete(&prompt.request).await?;
        // The first tenth warms the connections up.
        if n >= count / 10 {
            direct.push(started.elapsed());
        }
    }

    // Through FumbleBot: each question differs, so that none is answered from the cache.
    let client = FumbleBotClient::new(origin.clone(), key.expose_secret().to_owned())?;
    let check = client.chat(&chat(usize::MAX)).await?;
    anyhow::ensure!(
        check.content.contains(&question(usize::MAX)) && check.usage.input_tokens > 0,
        "the check chat was answered wrongly: {check:?}"
    );
    let mut through = Vec::with_capacity(count);
    for n in 0..count + count / 10 {
        let request = chat(count * 10 + n);
        let started = Instant::now();
        client.chat(&request).await?;
        if n >= count / 10 {
            through.push(started.elapsed());
        }
    }
    direct.sort();
    through.sort();
    let ms = |latencies: &[Duration], q: f64| percentile(latencies, q);
    println!(
        "ai: provider delay {} ms; direct p50 {:.2} ms, p99 {:.2} ms; through fumblebot p50 \
         {:.2} ms, p99 {:.2} ms; added p50 {:.2} ms, p99 {:.2} ms ({count} chats each, one at \
         a time)",
        delay.as_millis(),
        ms(&direct, 0.5),
        ms(&direct, 0.99),
        ms(&through, 0.5),
        ms(&through, 0.99),
        ms(&through, 0.5) - ms(&direct, 0.5),
        ms(&through, 0.99) - ms(&direct, 0.99),
    );
    drop(child);
    Ok(())
}

fn question(n: usize) -> String {
    format!("Question {n}: does the rogue's sneak attack apply to this hit?")
}

/// A chat as Core sends it: a campaign, its last 20 rolls, a short history and a question.
fn chat(n: usize) -> AiChatRequest {
    let now = chrono::Utc::now();
    let campaign = Campaign {
        id: uuid::Uuid::from_u128(0x00c0_ffee),
        name: "The Sunless Citadel".to_owned(),
        game_system: "dnd5e".to_owned(),
        description: Some("Four adventurers descend into a ravine after a lost party.".into()),
        discord_guild_id: Some("960000000000000001".to_owned()),
        discord_channel_id: Some("970000000000000001".to_owned()),
        vtt_game: Some(VttGame {
            vtt: Vtt::Roll20,
            game_id: "bench".to_owned(),
        }),
        created_by: uuid::Uuid::from_u128(1),
        created_at: now,
        updated_at: now,
    };
    let recent_rolls = (0..20)
        .map(|roll| ContextRoll {
            actor_name: format!("Player {}", roll % 4),
            expression: "1d20+5".to_owned(),
            total: f64::from(6 + roll),
            label: Some("attack".to_owned()),
            markdown: Some(format!("1d20 ({}) + 5 = **{}**", 1 + roll, 6 + roll)),
            rolled_at: now,
        })
        .collect();
    AiChatRequest {
        messages: vec![
            ChatMessage::user("We enter the citadel's courtyard."),
            ChatMessage {
                role: ChatRole::Assistant,
                content: "Thorny vines cover the walls; something moves behind them.".into(),
            },
            ChatMessage::user(question(n)),
        ],
        context: AiContext {
            campaign: Some(campaign),
            recent_rolls,
            ..AiContext::default()
        },
        model: None,
    }
}

/// A provider speaking OpenAI's Chat Completions (`POST /v1/chat/completions`, `GET
/// /v1/models`), answering `echo: <the last user message>` after `delay`; gives its origin.
async fn fake_provider(delay: Duration) -> anyhow::Result<String> {
    let delay = Arc::new(delay);
    let app = axum::Router::new()
        .route(
            "/v1/chat/completions",
            axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
                let delay = delay.clone();
                async move {
                    tokio::time::sleep(*delay).await;
                    axum::Json(completion(&body))
                }
            }),
        )
        .route(
            "/v1/models",
            axum::routing::get(|| async {
                axum::Json(serde_json::json!({"object": "list", "data": []}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(origin)
}

/// OpenAI's answer to a chat completion, with the usage counted by words.
fn completion(body: &serde_json::Value) -> serde_json::Value {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let words = |text: &str| text.split_whitespace().count();
    let input: usize = messages
        .iter()
        .map(|message| words(message["content"].as_str().unwrap_or_default()))
        .sum();
    let last = messages
        .iter()
        .rev()
        .find(|message| message["role"] == "user")
        .and_then(|message| message["content"].as_str())
        .unwrap_or_default();
    let answer = format!("echo: {last}");
    let output = words(&answer);
    serde_json::json!({
        "id": "chatcmpl-bench", "object": "chat.completion", "created": 1_764_000_000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": input, "completion_tokens": output,
                  "total_tokens": input + output}
    })
}
