//! `/status`: which players have the browser extension connected to the VTT game of this
//! channel's campaign, as the bridge knows it (in this process, or in Redis for all).

use critfumble_sdk::wire::Vtt;

use super::handler::{Invocation, core_trouble};
use super::reply::{Followup, Reply, later};
use super::text::escape_markdown;
use crate::state::AppState;

/// The command.
pub fn status(state: &AppState, invocation: &Invocation) -> Reply {
    let (state, invocation) = (state.clone(), invocation.clone());
    later(false, async move {
        let campaign = state
            .core()
            .service()
            .campaign_by_discord_channel(&invocation.channel_id.to_string())
            .await;
        let text = match campaign {
            Err(error) => core_trouble(&error),
            Ok(None) => "This channel is not linked to a campaign.".to_owned(),
            Ok(Some(campaign)) => match campaign.vtt_game {
                None => format!(
                    "**{}** is not linked to a VTT game.",
                    escape_markdown(&campaign.name)
                ),
                Some(game) => {
                    let users = state
                        .bridge()
                        .presence()
                        .connected(game.vtt, &game.game_id)
                        .await;
                    describe(game.vtt, &game.game_id, &users)
                }
            },
        };
        Followup::text(&text, false)
    })
}

/// The status line: the game, and who is connected.
pub fn describe(vtt: Vtt, game_id: &str, users: &[String]) -> String {
    let vtt = match vtt {
        Vtt::Roll20 => "Roll20",
        Vtt::Foundry => "Foundry",
        Vtt::DndBeyond => "D&D Beyond",
    };
    let game = escape_markdown(game_id);
    match users {
        [] => format!("{vtt} game {game}: no extension is connected."),
        users => format!(
            "{vtt} game {game}: the extension is connected for {}.",
            users
                .iter()
                .map(|user| escape_markdown(user))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
