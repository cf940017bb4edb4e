//! `/table`: opens the Activity (the shared dice table) with Discord's Launch Activity
//! response (interaction response type 12); Discord starts it for the user, in their voice
//! channel, and everyone there can join.

use serenity::all::CreateInteractionResponse;

use super::reply::Reply;

/// The Launch Activity response.
pub fn launch() -> Reply {
    Reply::now(CreateInteractionResponse::LaunchActivity)
}
