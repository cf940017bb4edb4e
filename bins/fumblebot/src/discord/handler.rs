//! The one handler: an interaction in, a [`Reply`] out. The gateway and the HTTP
//! interactions endpoint both call [`handle`], and deliver its reply each their own way.

use critfumble_sdk::SdkError;
use serenity::all::{
    CommandInteraction, ComponentInteraction, CreateInteractionResponse, Interaction, Permissions,
    ResolvedOption, ResolvedValue, User,
};

use super::reply::{Reply, whisper};
use super::{autocomplete, campaign, check, roll, saved, stats, status, table};
use crate::outbox::DiscordActor;
use crate::ratelimit::Verdict;
use crate::state::AppState;

/// Who ran a command, where.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The interaction's id: the idempotency key of what it reports.
    pub interaction_id: u64,
    /// The user, as Core will know them.
    pub actor: DiscordActor,
    /// The user's snowflake.
    pub user_id: u64,
    /// The guild, unless in a DM.
    pub guild_id: Option<u64>,
    /// The channel.
    pub channel_id: u64,
    /// The member's permissions in this channel, as Discord resolved them (absent in DMs).
    pub permissions: Option<Permissions>,
}

impl Invocation {
    fn new(
        interaction_id: u64,
        user: &User,
        guild_id: Option<u64>,
        channel_id: u64,
        permissions: Option<Permissions>,
    ) -> Invocation {
        Invocation {
            interaction_id,
            actor: DiscordActor {
                discord_id: user.id.get().to_string(),
                name: user
                    .global_name
                    .clone()
                    .unwrap_or_else(|| user.name.clone()),
                avatar: user.avatar.map(|hash| hash.to_string()),
            },
            user_id: user.id.get(),
            guild_id,
            channel_id,
            permissions,
        }
    }

    /// The invocation of a slash command (or of its autocomplete).
    pub fn of_command(command: &CommandInteraction) -> Invocation {
        Invocation::new(
            command.id.get(),
            &command.user,
            command.guild_id.map(|id| id.get()),
            command.channel_id.get(),
            command
                .member
                .as_ref()
                .and_then(|member| member.permissions),
        )
    }

    /// The invocation of a button.
    pub fn of_component(component: &ComponentInteraction) -> Invocation {
        Invocation::new(
            component.id.get(),
            &component.user,
            component.guild_id.map(|id| id.get()),
            component.channel_id.get(),
            component
                .member
                .as_ref()
                .and_then(|member| member.permissions),
        )
    }

    /// The idempotency key of what this interaction reports to Core.
    pub fn idempotency_key(&self) -> String {
        format!("discord:{}", self.interaction_id)
    }
}

/// Answers an interaction.
pub async fn handle(state: &AppState, interaction: Interaction) -> Reply {
    match interaction {
        Interaction::Ping(_) => Reply::now(CreateInteractionResponse::Pong),
        Interaction::Autocomplete(command) => autocomplete::answer(state, &command).await,
        Interaction::Command(command) => {
            let invocation = Invocation::of_command(&command);
            if let Some(limited) = rate_limited(state, &invocation).await {
                return limited;
            }
            run_command(state, &invocation, &command).await
        }
        Interaction::Component(component) => {
            let invocation = Invocation::of_component(&component);
            if let Some(limited) = rate_limited(state, &invocation).await {
                return limited;
            }
            roll::press(state, &invocation, &component.data.custom_id).await
        }
        _ => whisper("FumbleBot does not handle this kind of interaction."),
    }
}

async fn rate_limited(state: &AppState, invocation: &Invocation) -> Option<Reply> {
    let guild = invocation.guild_id.map(|id| id.to_string());
    match state
        .limiter()
        .check(&invocation.actor.discord_id, guild.as_deref())
        .await
    {
        Verdict::Allowed => None,
        Verdict::Limited { retry_after_secs } => Some(whisper(&format!(
            "Easy there: too many commands at once. Try again in {retry_after_secs} s."
        ))),
    }
}

async fn run_command(
    state: &AppState,
    invocation: &Invocation,
    command: &CommandInteraction,
) -> Reply {
    let options = command.data.options();
    match command.data.name.as_str() {
        "roll" => {
            let Some(expression) = string(&options, "expression") else {
                return missing("expression");
            };
            let dialect = string(&options, "dialect");
            let private = boolean(&options, "private");
            roll::roll(state, invocation, expression, dialect, private).await
        }
        "r" => match string(&options, "name") {
            Some(name) => saved::roll_saved(state, invocation, name, boolean(&options, "private")),
            None => missing("name"),
        },
        "save" => match (string(&options, "name"), string(&options, "expression")) {
            (Some(name), Some(expression)) => saved::save(state, invocation, name, expression),
            _ => missing("name and expression"),
        },
        "saved" => saved::list(state, invocation),
        "unsave" => match string(&options, "name") {
            Some(name) => saved::unsave(state, invocation, name),
            None => missing("name"),
        },
        "stats" => match string(&options, "expression") {
            Some(expression) => stats::stats(expression, string(&options, "vs")),
            None => missing("expression"),
        },
        "check" => match (string(&options, "kind"), string(&options, "name")) {
            (Some(kind), Some(name)) => check::check(
                state,
                invocation,
                check::CheckRequest {
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                    mode: string(&options, "mode").map(str::to_owned),
                    character: string(&options, "character").map(str::to_owned),
                },
            ),
            _ => missing("kind and name"),
        },
        "ask" => match string(&options, "question") {
            Some(question) => campaign::ask(state, invocation, question),
            None => missing("question"),
        },
        "campaign" => match subcommand(&options) {
            Some(("new", sub)) => match string(sub, "name") {
                Some(name) => campaign::create(state, invocation, name),
                None => missing("name"),
            },
            _ => missing("a subcommand"),
        },
        "link" => match string(&options, "campaign") {
            Some(campaign) => campaign::link(state, invocation, campaign),
            None => missing("campaign"),
        },
        "unlink" => campaign::unlink(state, invocation),
        "session" => match subcommand(&options) {
            Some(("start", sub)) => {
                campaign::start_session(state, invocation, string(sub, "title"))
            }
            Some(("end", _)) => campaign::end_session(state, invocation),
            _ => missing("a subcommand"),
        },
        "status" => status::status(state, invocation),
        "table" => table::launch(),
        "help" => whisper(HELP),
        other => whisper(&format!(
            "FumbleBot has no command /{}.",
            super::text::escape_markdown(other)
        )),
    }
}

fn missing(what: &str) -> Reply {
    whisper(&format!("Missing {what}."))
}

/// A string option by name.
pub fn string<'a>(options: &'a [ResolvedOption<'a>], name: &str) -> Option<&'a str> {
    options
        .iter()
        .find(|option| option.name == name)
        .and_then(|option| match option.value {
            ResolvedValue::String(value) => Some(value),
            ResolvedValue::Autocomplete { value, .. } => Some(value),
            _ => None,
        })
}

/// A boolean option by name (false when absent).
pub fn boolean(options: &[ResolvedOption<'_>], name: &str) -> bool {
    options
        .iter()
        .any(|option| option.name == name && matches!(option.value, ResolvedValue::Boolean(true)))
}

fn subcommand<'a>(
    options: &'a [ResolvedOption<'a>],
) -> Option<(&'a str, &'a [ResolvedOption<'a>])> {
    options.iter().find_map(|option| match &option.value {
        ResolvedValue::SubCommand(sub) => Some((option.name, sub.as_slice())),
        _ => None,
    })
}

/// The one sentence a user sees when Core failed them.
pub fn core_trouble(error: &SdkError) -> String {
    match error {
        SdkError::Transport { .. } | SdkError::Timeout { .. } => {
            "Crit-Fumble's server cannot be reached right now. Try again in a moment.".to_owned()
        }
        SdkError::Api { status, body, .. } => match status {
            403 => format!(
                "Not allowed: {}.",
                super::text::escape_markdown(&body.error.message)
            ),
            404 => format!(
                "Not found: {}.",
                super::text::escape_markdown(&body.error.message)
            ),
            409 | 422 => super::text::escape_markdown(&body.error.message),
            429 => "Crit-Fumble's server is busy. Try again in a moment.".to_owned(),
            _ => "Crit-Fumble's server had a problem. Try again in a moment.".to_owned(),
        },
        _ => "Something went wrong talking to Crit-Fumble's server.".to_owned(),
    }
}

const HELP: &str = "**FumbleBot**
`/roll 2d20kh1+5 \"Attack\"`: roll dice (Roll20, Foundry and Avrae notation). `private` shows it to you only; **Reroll** rolls again.
`/stats 3d6 [vs]`: the exact odds, with a chart; `vs` gives P(A>B).
`/check skill stealth [advantage]`: a check, save or attack from your character sheet.
`/save attack 1d20+5`, `/saved`, `/r attack`, `/unsave attack`: saved rolls.
`/campaign new`, `/link`, `/unlink`: link this channel to a campaign (Manage Channels).
`/session start|end`: game sessions. `/ask`: the AI game-master assistant.
`/status`: who has the browser extension connected to this channel's VTT game.
`/table`: open the shared dice table (a Discord Activity) for everyone in the call.";
