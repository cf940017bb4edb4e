//! This channel's campaign in Core: `/campaign new`, `/link`, `/unlink`, `/session`, and
//! `/ask`, which needs the campaign's context.
//!
//! Only FumbleBot can prove who may manage a Discord channel: Discord resolves the member's
//! permissions in the channel and sends them with the interaction. So FumbleBot checks
//! **Manage Channels** itself and links with its service key, acting for the user (Core
//! checks that they are the campaign's GM).

use critfumble_sdk::CoreClient;
use critfumble_sdk::SdkError;
use critfumble_sdk::wire::{
    Campaign, CampaignChatRequest, CreateCampaignRequest, DiscordLinkRequest, EndSessionRequest,
    PageRequest, StartSessionRequest,
};
use uuid::Uuid;

use super::handler::{Invocation, core_trouble};
use super::reply::{Followup, Reply, later, whisper};
use super::text::escape_markdown;
use crate::core_access::ChannelCampaign;
use crate::state::AppState;

/// Why a member may not link this channel, if they may not.
fn link_refusal(invocation: &Invocation) -> Option<&'static str> {
    if invocation.guild_id.is_none() {
        return Some("Campaigns are linked to server channels, not to direct messages.");
    }
    let allowed = invocation
        .permissions
        .is_some_and(|permissions| permissions.manage_channels() || permissions.administrator());
    (!allowed).then_some(
        "Only members with the **Manage Channels** permission in this channel may link or unlink it.",
    )
}

fn link_request(invocation: &Invocation) -> DiscordLinkRequest {
    DiscordLinkRequest {
        guild_id: invocation.guild_id.unwrap_or_default().to_string(),
        channel_id: invocation.channel_id.to_string(),
    }
}

/// `/campaign new name`: a campaign with the user as GM, linked to this channel.
pub fn create(state: &AppState, invocation: &Invocation, name: &str) -> Reply {
    if let Some(refusal) = link_refusal(invocation) {
        return whisper(refusal);
    }
    let (state, invocation, name) = (state.clone(), invocation.clone(), name.to_owned());
    later(false, async move {
        let text = match create_and_link(&state, &invocation, &name).await {
            Ok(campaign) => format!(
                "Created the campaign **{}** (you are its GM) and linked this channel to it.",
                escape_markdown(&campaign.name)
            ),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}

async fn create_and_link(
    state: &AppState,
    invocation: &Invocation,
    name: &str,
) -> Result<Campaign, SdkError> {
    let (client, _) = state.core().acting_for(&invocation.actor).await?;
    let campaign = client
        .create_campaign(&CreateCampaignRequest {
            name: name.to_owned(),
            game_system: "dnd5e".to_owned(),
            description: None,
            discord_guild_id: None,
            discord_channel_id: None,
            vtt_game: None,
        })
        .await?;
    link_campaign(state, invocation, &client, campaign.id).await
}

async fn link_campaign(
    state: &AppState,
    invocation: &Invocation,
    client: &CoreClient,
    campaign_id: Uuid,
) -> Result<Campaign, SdkError> {
    let campaign = client
        .link_discord(campaign_id, &link_request(invocation))
        .await?;
    state.core().remember_channel(
        &invocation.channel_id.to_string(),
        Some(ChannelCampaign {
            campaign_id,
            session_id: None,
        }),
    );
    Ok(campaign)
}

/// The user's campaigns (the first 200).
pub async fn campaigns_of(
    state: &AppState,
    invocation: &Invocation,
) -> Result<(CoreClient, Vec<Campaign>), SdkError> {
    let (client, _) = state.core().acting_for(&invocation.actor).await?;
    let page = client
        .list_campaigns(&PageRequest {
            cursor: None,
            limit: Some(PageRequest::MAX_LIMIT),
        })
        .await?;
    Ok((client, page.items))
}

/// `/link campaign`: by id (what autocomplete fills in) or by name.
pub fn link(state: &AppState, invocation: &Invocation, campaign: &str) -> Reply {
    if let Some(refusal) = link_refusal(invocation) {
        return whisper(refusal);
    }
    let (state, invocation, wanted) = (state.clone(), invocation.clone(), campaign.to_owned());
    later(false, async move {
        let result = async {
            let (client, campaigns) = campaigns_of(&state, &invocation).await?;
            let found = campaigns.into_iter().find(|campaign| {
                Uuid::parse_str(&wanted).is_ok_and(|id| id == campaign.id)
                    || campaign.name.to_lowercase() == wanted.to_lowercase()
            });
            match found {
                Some(campaign) => link_campaign(&state, &invocation, &client, campaign.id)
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
        .await;
        let text = match result {
            Ok(Some(campaign)) => format!(
                "Linked this channel to **{}**. Rolls here now count for it.",
                escape_markdown(&campaign.name)
            ),
            Ok(None) => format!(
                "You have no campaign called **{}**. `/campaign new` makes one.",
                escape_markdown(&wanted)
            ),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}

/// `/unlink`.
pub fn unlink(state: &AppState, invocation: &Invocation) -> Reply {
    if let Some(refusal) = link_refusal(invocation) {
        return whisper(refusal);
    }
    let (state, invocation) = (state.clone(), invocation.clone());
    later(false, async move {
        let channel_id = invocation.channel_id.to_string();
        let result = async {
            let (client, _) = state.core().acting_for(&invocation.actor).await?;
            match client.campaign_by_discord_channel(&channel_id).await? {
                Some(campaign) => {
                    client.unlink_discord(campaign.id).await?;
                    state.core().remember_channel(&channel_id, None);
                    Ok(Some(campaign))
                }
                None => Ok(None),
            }
        }
        .await;
        let text = match result {
            Ok(Some(campaign)) => format!(
                "Unlinked this channel from **{}**.",
                escape_markdown(&campaign.name)
            ),
            Ok(None) => "This channel is not linked to a campaign.".to_owned(),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}

/// The campaign of the invocation's channel, looked up afresh, as the user sees it.
async fn channel_campaign(
    state: &AppState,
    invocation: &Invocation,
) -> Result<Option<(CoreClient, Campaign)>, SdkError> {
    let (client, _) = state.core().acting_for(&invocation.actor).await?;
    let campaign = client
        .campaign_by_discord_channel(&invocation.channel_id.to_string())
        .await?;
    Ok(campaign.map(|campaign| (client, campaign)))
}

const NOT_LINKED: &str =
    "This channel is not linked to a campaign. `/campaign new` or `/link` links it.";

/// `/session start [title]`.
pub fn start_session(state: &AppState, invocation: &Invocation, title: Option<&str>) -> Reply {
    let (state, invocation) = (state.clone(), invocation.clone());
    let title = title.map(str::to_owned);
    later(false, async move {
        let result = async {
            let Some((client, campaign)) = channel_campaign(&state, &invocation).await? else {
                return Ok(None);
            };
            let session = client
                .start_session(
                    campaign.id,
                    &StartSessionRequest {
                        title,
                        vtt_game: None,
                    },
                )
                .await?;
            state.core().remember_channel(
                &invocation.channel_id.to_string(),
                Some(ChannelCampaign {
                    campaign_id: campaign.id,
                    session_id: Some(session.id),
                }),
            );
            Ok::<_, SdkError>(Some(campaign))
        }
        .await;
        let text = match result {
            Ok(Some(campaign)) => format!(
                "Session started for **{}**. Rolls here are part of it until `/session end`.",
                escape_markdown(&campaign.name)
            ),
            Ok(None) => NOT_LINKED.to_owned(),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}

/// `/session end`.
pub fn end_session(state: &AppState, invocation: &Invocation) -> Reply {
    let (state, invocation) = (state.clone(), invocation.clone());
    later(false, async move {
        let result = async {
            let Some((client, campaign)) = channel_campaign(&state, &invocation).await? else {
                return Ok(Err(NOT_LINKED));
            };
            let sessions = client
                .list_sessions(
                    campaign.id,
                    &PageRequest {
                        cursor: None,
                        limit: Some(1),
                    },
                )
                .await?;
            let Some(running) = sessions.items.into_iter().find(|s| s.ended_at.is_none()) else {
                return Ok(Err("No session is running in this channel's campaign."));
            };
            client
                .end_session(campaign.id, running.id, &EndSessionRequest { notes: None })
                .await?;
            state.core().remember_channel(
                &invocation.channel_id.to_string(),
                Some(ChannelCampaign {
                    campaign_id: campaign.id,
                    session_id: None,
                }),
            );
            Ok::<_, SdkError>(Ok(campaign))
        }
        .await;
        let text = match result {
            Ok(Ok(campaign)) => {
                format!("Session ended for **{}**.", escape_markdown(&campaign.name))
            }
            Ok(Err(reason)) => reason.to_owned(),
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}

/// `/ask question`: through Core, which adds the campaign's context and calls FumbleBot's
/// AI service. A long answer continues in follow-up messages.
pub fn ask(state: &AppState, invocation: &Invocation, question: &str) -> Reply {
    let (state, invocation, question) = (state.clone(), invocation.clone(), question.to_owned());
    later(false, async move {
        let result = async {
            let Some((client, campaign)) = channel_campaign(&state, &invocation).await? else {
                return Ok(None);
            };
            client
                .campaign_chat(
                    campaign.id,
                    &CampaignChatRequest {
                        conversation_id: None,
                        message: question,
                    },
                )
                .await
                .map(Some)
        }
        .await;
        let text = match result {
            Ok(Some(answer)) => answer.message.content,
            Ok(None) => NOT_LINKED.to_owned(),
            Err(error) if matches!(error.status(), Some(502..=504)) => {
                "The AI assistant is not configured on this server yet, or its model is \
                 unavailable. Ask the server's operator to set it up."
                    .to_owned()
            }
            Err(error) => core_trouble(&error),
        };
        Followup::text(&text, false)
    })
}
