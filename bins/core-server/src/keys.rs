//! API keys through the SDK's `cfk_<env>_<random>_<checksum>` format and peppered hashes.

use critfumble_sdk::api_key::{ApiKey, KeyEnv, KeyHash, KeyPepper};
use critfumble_sdk::wire::KeyScope;

/// A freshly issued key: the full key (shown once), its lookup prefix and its hash.
#[derive(Debug)]
pub struct IssuedKey {
    /// The whole key, for the caller to keep.
    pub full: String,
    /// The public lookup prefix stored beside the hash.
    pub prefix: String,
    /// The peppered hash (hex) stored instead of the key.
    pub hash: String,
}

/// Issues a new key for this deployment's environment. The scope is stored with the key,
/// not written into it.
pub fn issue(_scope: KeyScope, env: KeyEnv, pepper: &KeyPepper) -> IssuedKey {
    let key = ApiKey::generate(env);
    IssuedKey {
        full: key.expose_secret().to_owned(),
        prefix: key.lookup_prefix().to_owned(),
        hash: key.hash(pepper).to_hex(),
    }
}

/// Parses a presented key, checking its checksum and that it belongs to `env`.
pub fn parse(presented: &str, env: KeyEnv) -> Result<ApiKey, String> {
    let key = ApiKey::parse(presented).map_err(|error| error.to_string())?;
    if key.env() != env {
        return Err(format!(
            "this is a '{}' key and this server accepts '{env}' keys",
            key.env()
        ));
    }
    Ok(key)
}

/// Whether `key` hashes to the stored hex hash, compared in constant time.
pub fn matches(stored_hex: &str, key: &ApiKey, pepper: &KeyPepper) -> bool {
    KeyHash::from_hex(stored_hex).is_ok_and(|hash| hash.matches(key, pepper))
}
