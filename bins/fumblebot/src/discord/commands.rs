//! The slash commands FumbleBot registers, and their one bulk registration at start-up.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, GuildId, Http};

fn option(kind: CommandOptionType, name: &str, description: &str) -> CreateCommandOption {
    CreateCommandOption::new(kind, name, description)
}

fn text(name: &str, description: &str, required: bool) -> CreateCommandOption {
    option(CommandOptionType::String, name, description).required(required)
}

fn expression_option() -> CreateCommandOption {
    text(
        "expression",
        "Dice to roll, e.g. 2d20kh1+5 \"Attack\"",
        true,
    )
    .max_length(1_000)
    .set_autocomplete(true)
}

fn saved_name(description: &str) -> CreateCommandOption {
    text("name", description, true)
        .max_length(50)
        .set_autocomplete(true)
}

/// Every command, as one bulk overwrite.
pub fn all() -> Vec<CreateCommand> {
    vec![
        CreateCommand::new("roll")
            .description("Roll dice")
            .add_option(expression_option())
            .add_option(option(
                CommandOptionType::Boolean,
                "private",
                "Only you see the result",
            ))
            .add_option(
                text(
                    "dialect",
                    "Whose notation to follow where they differ",
                    false,
                )
                .add_string_choice("Roll20", "roll20")
                .add_string_choice("Foundry VTT", "foundry")
                .add_string_choice("Avrae (d20)", "d20"),
            ),
        CreateCommand::new("stats")
            .description("The exact distribution of a roll, with a chart")
            .add_option(expression_option())
            .add_option(text("vs", "Compare with this roll: P(A>B)", false).max_length(1_000)),
        CreateCommand::new("check")
            .description("An ability check, skill check, saving throw or attack from your sheet")
            .add_option(
                text("kind", "What to roll", true)
                    .add_string_choice("Ability check", "ability")
                    .add_string_choice("Skill check", "skill")
                    .add_string_choice("Saving throw", "save")
                    .add_string_choice("Attack", "attack"),
            )
            .add_option(
                text("name", "The ability or skill", true)
                    .max_length(50)
                    .set_autocomplete(true),
            )
            .add_option(
                text("mode", "Advantage or disadvantage", false)
                    .add_string_choice("Advantage", "advantage")
                    .add_string_choice("Disadvantage", "disadvantage"),
            )
            .add_option(
                text("character", "Which of your characters", false)
                    .max_length(200)
                    .set_autocomplete(true),
            ),
        CreateCommand::new("save")
            .description("Save a roll under a name")
            .add_option(text("name", "The name, e.g. attack", true).max_length(50))
            .add_option(text("expression", "The dice", true).max_length(1_000)),
        CreateCommand::new("saved").description("Your saved rolls"),
        CreateCommand::new("r")
            .description("Roll a saved roll")
            .add_option(saved_name("The saved roll"))
            .add_option(option(
                CommandOptionType::Boolean,
                "private",
                "Only you see the result",
            )),
        CreateCommand::new("unsave")
            .description("Delete a saved roll")
            .add_option(saved_name("The saved roll")),
        CreateCommand::new("ask")
            .description("Ask the AI game-master assistant, with this campaign's context")
            .add_option(text("question", "Your question", true).max_length(2_000)),
        CreateCommand::new("campaign")
            .description("Campaigns")
            .add_option(
                option(
                    CommandOptionType::SubCommand,
                    "new",
                    "Create a campaign (you are its GM) and link this channel to it",
                )
                .add_sub_option(text("name", "The campaign's name", true).max_length(200)),
            ),
        CreateCommand::new("link")
            .description("Link this channel to one of your campaigns (needs Manage Channels)")
            .add_option(
                text("campaign", "The campaign", true)
                    .max_length(200)
                    .set_autocomplete(true),
            ),
        CreateCommand::new("unlink")
            .description("Unlink this channel from its campaign (needs Manage Channels)"),
        CreateCommand::new("session")
            .description("Game sessions of this channel's campaign")
            .add_option(
                option(
                    CommandOptionType::SubCommand,
                    "start",
                    "Start a game session",
                )
                .add_sub_option(text("title", "A title", false).max_length(200)),
            )
            .add_option(option(
                CommandOptionType::SubCommand,
                "end",
                "End the running game session",
            )),
        CreateCommand::new("status")
            .description("Who has the browser extension connected to this channel's VTT game"),
        CreateCommand::new("table").description(
            "Open the shared dice table (a Discord Activity) for everyone in the call",
        ),
        CreateCommand::new("help").description("What FumbleBot can do"),
    ]
}

/// Registers every command with one bulk overwrite: in one guild when `guild` is set
/// (instant, for development), globally otherwise.
pub async fn register(http: &Http, guild: Option<std::num::NonZeroU64>) -> serenity::Result<usize> {
    let commands = all();
    let registered = match guild {
        Some(guild) => {
            http.create_guild_commands(GuildId::from(guild), &commands)
                .await?
        }
        None => http.create_global_commands(&commands).await?,
    };
    Ok(registered.len())
}
