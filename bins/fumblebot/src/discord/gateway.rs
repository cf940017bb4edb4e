//! The gateway side: serenity's client, autosharded, whose `interaction_create` events go
//! through the same [`handle`] as the HTTP endpoint; the reply goes back through Discord's
//! REST callback. serenity's HTTP client retries Discord's 429s in its rate limiter.

use serenity::all::{
    ClientBuilder, Context, EventHandler, GatewayIntents, Http, Interaction, Message, Ready,
};
use serenity::async_trait;

use super::handler::handle;
use super::reply::{Reply, deferral};
use crate::state::AppState;

struct Handler {
    state: AppState,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, _: Context, ready: Ready) {
        tracing::info!(
            user = %ready.user.name,
            guilds = ready.guilds.len(),
            shard = ?ready.shard,
            "connected to the discord gateway"
        );
    }

    /// A message in a channel linked to a VTT game goes to that game's events; the bot's
    /// own messages and other bots' never do.
    async fn message(&self, _: Context, message: Message) {
        let Some(_) = message.guild_id else {
            return;
        };
        let author = message
            .author
            .global_name
            .clone()
            .unwrap_or_else(|| message.author.name.clone());
        crate::bridge::chat::from_discord(
            &self.state,
            &message.channel_id.to_string(),
            &author,
            message.author.bot,
            &message.content,
        )
        .await;
    }

    async fn interaction_create(&self, context: Context, interaction: Interaction) {
        let (id, token) = (interaction.id(), interaction.token().to_owned());
        let http = context.http.clone();
        match handle(&self.state, interaction).await {
            Reply::Now(response) => {
                if let Err(error) = http
                    .create_interaction_response(id, &token, &response, Vec::new())
                    .await
                {
                    tracing::warn!(%error, "cannot answer an interaction");
                }
            }
            Reply::Later { ephemeral, work } => {
                if let Err(error) = http
                    .create_interaction_response(id, &token, &deferral(ephemeral), Vec::new())
                    .await
                {
                    tracing::warn!(%error, "cannot defer an interaction");
                    return;
                }
                work.await.send(&http, &token).await;
            }
        }
    }
}

/// Connects to the gateway (the URL comes from `GET /gateway`, the shard count from
/// `GET /gateway/bot`) and runs until the client stops.
/// `http` is a client of its own (serenity's gateway client owns it), built like the
/// state's, with the same base URL.
pub async fn run(state: AppState, http: Http) -> serenity::Result<()> {
    // Slash commands and buttons arrive without privileged intents. Chat sync to the VTTs
    // reads guild messages, whose text needs the privileged Message Content intent (turn
    // it on in the Developer Portal, Bot, Privileged Gateway Intents).
    let intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::MESSAGE_CONTENT;
    let mut client = ClientBuilder::new_with_http(http, intents)
        .event_handler(Handler { state })
        .await?;
    client.start_autosharded().await
}
