//! API keys: issuing, parsing and hashing, through the SDK's key format.

use critfumble_sdk::wire::KeyScope;

/// A freshly issued key: the full key (shown once), its lookup prefix and its hash.
#[derive(Debug)]
pub struct IssuedKey {
    /// The whole key, for the caller to keep.
    pub full: String,
    /// The public lookup prefix stored beside the hash.
    pub prefix: String,
    /// The peppered hash stored instead of the key.
    pub hash: String,
}

/// Issues a new key of `scope`.
pub fn issue(scope: KeyScope, pepper: &str) -> anyhow::Result<IssuedKey> {
    let random = crate::token::random_base64(24)?;
    let full = format!("cfk_{}_{random}", scope.as_str());
    let (prefix, hash) = parse_and_hash(&full, pepper).map_err(anyhow::Error::msg)?;
    Ok(IssuedKey { full, prefix, hash })
}

/// Checks a presented key's format and returns its lookup prefix and hash.
pub fn parse_and_hash(presented: &str, pepper: &str) -> Result<(String, String), String> {
    if !presented.starts_with("cfk_") || presented.len() < 24 {
        return Err("expected a cfk_ key".to_owned());
    }
    let prefix = presented.get(..20).ok_or("expected a cfk_ key")?.to_owned();
    let hash = crate::token::sha256_hex(format!("{pepper}:{presented}").as_bytes());
    Ok((prefix, hash))
}

/// Compares two hashes in constant time.
pub fn hashes_match(stored: &str, presented: &str) -> bool {
    let (a, b) = (stored.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
