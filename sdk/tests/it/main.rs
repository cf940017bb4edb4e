//! Integration tests of critfumble-sdk: the clients against real HTTP servers on 127.0.0.1:0,
//! and the OpenAPI schemas.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "openapi")]
mod openapi;
mod paths;
