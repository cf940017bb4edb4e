//! Asks FumbleBot's question about a sample campaign: for real when
//! `ANTHROPIC_API_KEY` or `OPENAI_API_KEY` is set, otherwise it prints what it would send.
//!
//! ```text
//! cargo run -p critfumble-ai --example ask -- "Recap last session"
//! OPENAI_API_KEY=... cargo run -p critfumble-ai --example ask
//! OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API_KEY= CRITFUMBLE_AI_MODEL=llama3.1:8b cargo run -p critfumble-ai --example ask
//! ```

use std::error::Error;
use std::time::Instant;

use critfumble_ai::client::{
    AnthropicProvider, LlmProvider, OpenAiProvider, OutputLimitField, ProviderConfig, ProviderKey,
    StreamEvent,
};
use critfumble_ai::{ModelInfo, PromptOptions, Provider, build_prompt, model_info, token_usage};
use critfumble_sdk::wire::AiChatRequest;
use futures_util::StreamExt;

/// The same realistic request the tests use: a D&D 5e campaign with two
/// characters, three recent rolls and two sessions of notes.
const SAMPLE: &str = include_str!("../tests/it/fixtures/lost_mine.json");

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut request: AiChatRequest = serde_json::from_str(SAMPLE)?;
    let question: Vec<String> = std::env::args().skip(1).collect();
    if !question.is_empty()
        && let Some(last) = request.messages.last_mut()
    {
        last.content = question.join(" ");
    }

    let env = |name: &str| std::env::var(name).ok();
    let chosen = match (env("ANTHROPIC_API_KEY"), env("OPENAI_API_KEY")) {
        (Some(key), _) => Some((Provider::Anthropic, key, "claude-haiku-4-5")),
        (None, Some(key)) => Some((Provider::OpenAi, key, "gpt-4o-mini")),
        (None, None) => None,
    };
    let Some((provider, key, default_model)) = chosen else {
        return dry_run(&request);
    };
    let model_id = env("CRITFUMBLE_AI_MODEL").unwrap_or_else(|| default_model.to_owned());
    let model = model_info(&model_id)
        .unwrap_or_else(|| ModelInfo::custom(&model_id, provider, 8_192, 1_024));
    let prompt = build_prompt(&request, &PromptOptions::new(model))?;
    eprintln!(
        "asking {provider} {model_id}: {} prompt tokens of a {} budget, {} items dropped",
        prompt.prompt_tokens,
        prompt.budget.prompt_tokens,
        prompt.dropped.len()
    );

    let client: Box<dyn LlmProvider> = match provider {
        Provider::Anthropic => Box::new(AnthropicProvider::new(ProviderConfig::anthropic(
            ProviderKey::new(key),
        ))?),
        Provider::OpenAi => {
            let mut config = ProviderConfig::openai(ProviderKey::new(key));
            let mut field = OutputLimitField::MaxCompletionTokens;
            if let Some(base_url) = env("OPENAI_BASE_URL") {
                // A local server: Ollama and llama.cpp read only `max_tokens`.
                config.base_url = base_url;
                field = OutputLimitField::MaxTokens;
            }
            Box::new(OpenAiProvider::new(config)?.with_output_limit_field(field))
        }
    };
    let started = Instant::now();
    let mut stream = client.stream(&prompt.request).await?;
    while let Some(event) = stream.next().await {
        match event? {
            StreamEvent::TextDelta(text) => print!("{text}"),
            StreamEvent::Finished(summary) => {
                println!();
                let latency = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                match summary.usage {
                    Some(usage) => {
                        let wire = token_usage(provider, &summary.model, &usage, latency);
                        eprintln!(
                            "{} stopped ({:?}): {} in, {} out, {} cache read, {} cache write, ~${:.6}, {latency} ms",
                            summary.model,
                            summary.stop_reason,
                            wire.input_tokens,
                            wire.output_tokens,
                            wire.cache_read_tokens,
                            wire.cache_write_tokens,
                            wire.estimated_cost_usd
                        );
                    }
                    None => eprintln!("{} stopped; the server reported no usage", summary.model),
                }
            }
        }
    }
    Ok(())
}

/// Without a key: the prompt for each provider, and the JSON body it would POST.
fn dry_run(request: &AiChatRequest) -> Result<(), Box<dyn Error>> {
    println!("No ANTHROPIC_API_KEY or OPENAI_API_KEY is set; this is what would be sent.\n");
    for model in ["gpt-4o-mini", "claude-haiku-4-5"] {
        let prompt = build_prompt(request, &PromptOptions::for_model_id(model)?)?;
        let body = match prompt.request.model.starts_with("claude") {
            true => AnthropicProvider::request_body(&prompt.request, true),
            false => OpenAiProvider::request_body(
                &prompt.request,
                true,
                OutputLimitField::MaxCompletionTokens,
            ),
        };
        println!("##### {model}\n{}", prompt.transcript());
        println!(
            "##### request body\n{}\n",
            serde_json::to_string_pretty(&body)?
        );
    }
    Ok(())
}
