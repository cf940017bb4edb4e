//! The integration tests of `critfumble-ai`: clients against local servers that
//! replay the providers' wire formats, and prompts built from realistic contexts.

#[cfg(feature = "client")]
mod anthropic;
#[cfg(feature = "client")]
mod openai;
mod prompt;
mod properties;
#[cfg(feature = "client")]
mod retries;
#[cfg(feature = "client")]
mod server;
