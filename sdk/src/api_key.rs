//! API keys and user tokens: `cfk_<env>_<random base62>_<checksum>`, stored as a peppered hash.
//!
//! A key is 22 random base62 characters (131 bits) between a readable prefix and a CRC-32
//! checksum, so that a secret scanner can recognise a leaked key without asking Core. Core
//! stores only the [`ApiKey::lookup_prefix`] (to find the row) and the [`KeyHash`]
//! (HMAC-SHA256 of the key under a server-side [`KeyPepper`]), and compares hashes in
//! constant time. A [`StoredApiKey`] adds the scope, expiry, revocation and last use.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::SdkError;
use crate::wire::{ApiKeyInfo, KeyScope, wire_enum};

#[cfg(test)]
mod tests;

const KEY_PREFIX: &str = "cfk_";
/// How many random base62 characters a key holds (131 bits of entropy).
pub const RANDOM_CHARS: usize = 22;
/// How many checksum characters end a key.
pub const CHECKSUM_CHARS: usize = 6;
/// How many random characters the lookup prefix keeps.
pub const LOOKUP_CHARS: usize = 8;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

wire_enum! {
    /// The deployment a key belongs to, written into the key so that a test key never
    /// works in production.
    KeyEnv as "key environment" {
        /// Production.
        Live = "live",
        /// Test and staging deployments.
        Test = "test",
        /// A developer's machine.
        Dev = "dev",
    }
}

/// A full API key: the secret itself. Its `Debug` output shows only the lookup prefix.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    text: String,
    env: KeyEnv,
}

impl core::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ApiKey({}…)", self.lookup_prefix())
    }
}

impl ApiKey {
    /// A new key drawn from `rng`.
    pub fn generate_with_rng<R: rand_core::CryptoRng + ?Sized>(env: KeyEnv, rng: &mut R) -> Self {
        let random = random_base62(rng, RANDOM_CHARS);
        let body = format!("{KEY_PREFIX}{env}_{random}");
        let checksum = checksum(&body);
        Self {
            text: format!("{body}_{checksum}"),
            env,
        }
    }

    /// A new key drawn from the operating system's random source.
    #[cfg(feature = "os-rng")]
    pub fn generate(env: KeyEnv) -> Self {
        Self::generate_with_rng(env, &mut rand::rng())
    }

    /// Parses a presented key, checking its shape and checksum.
    pub fn parse(text: &str) -> Result<Self, SdkError> {
        let malformed = |reason: &str| SdkError::ApiKeyMalformed {
            reason: reason.to_owned(),
        };
        let rest = text
            .strip_prefix(KEY_PREFIX)
            .ok_or_else(|| malformed("it must start with 'cfk_'"))?;
        let mut parts = rest.split('_');
        let (Some(env), Some(random), Some(check), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("expected cfk_<env>_<random>_<checksum>"));
        };
        let env: KeyEnv = env
            .parse()
            .map_err(|_| malformed("the environment must be live, test or dev"))?;
        if random.len() != RANDOM_CHARS || !is_base62(random) {
            return Err(malformed("the random part must be 22 base62 characters"));
        }
        if check.len() != CHECKSUM_CHARS || !is_base62(check) {
            return Err(malformed("the checksum must be 6 base62 characters"));
        }
        let body_len = text.len() - CHECKSUM_CHARS - 1;
        if checksum(&text[..body_len]) != check {
            return Err(SdkError::ApiKeyChecksum);
        }
        Ok(Self {
            text: text.to_owned(),
            env,
        })
    }

    /// The key as text: show it once, then forget it.
    pub fn expose_secret(&self) -> &str {
        &self.text
    }

    /// The key's environment.
    pub fn env(&self) -> KeyEnv {
        self.env
    }

    /// The key, if it belongs to `env`: a test key never works in production.
    pub fn for_env(self, env: KeyEnv) -> Result<Self, SdkError> {
        if self.env != env {
            return Err(SdkError::ApiKeyMalformed {
                reason: format!(
                    "this is a '{}' key and this server accepts '{env}' keys",
                    self.env
                ),
            });
        }
        Ok(self)
    }

    /// `cfk_<env>_` and the first 8 random characters: what Core indexes to find the key's
    /// row. Several keys may share a prefix, so check the hash of each candidate.
    pub fn lookup_prefix(&self) -> &str {
        let len = KEY_PREFIX.len() + self.env.as_str().len() + 1 + LOOKUP_CHARS;
        &self.text[..len]
    }

    /// The peppered hash that Core stores.
    pub fn hash(&self, pepper: &KeyPepper) -> KeyHash {
        KeyHash(pepper.mac(&self.text).finalize().into_bytes().into())
    }
}

/// Reads the key from an `Authorization: Bearer cfk_...` header value. The scheme is
/// case-insensitive (RFC 9110), and the key is checked for shape and checksum.
pub fn parse_bearer(header_value: &str) -> Result<ApiKey, SdkError> {
    let token = header_value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .ok_or_else(|| SdkError::ApiKeyMalformed {
            reason: "the authorization header must be 'Bearer <key>'".into(),
        })?;
    ApiKey::parse(token)
}

/// A server-side secret mixed into every key hash, so that a leaked database alone does not
/// let anyone test guesses. At least 32 bytes.
#[derive(Clone)]
pub struct KeyPepper(Vec<u8>);

impl core::fmt::Debug for KeyPepper {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyPepper(<redacted>)")
    }
}

impl KeyPepper {
    /// Wraps the pepper bytes (for example the UTF-8 of an environment variable).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SdkError> {
        let bytes = bytes.into();
        if bytes.len() < 32 {
            return Err(SdkError::invalid(
                "pepper",
                format!("must be at least 32 bytes, not {}", bytes.len()),
            ));
        }
        Ok(Self(bytes))
    }

    /// A 32-byte key for another purpose (signing a cookie, say), derived from the pepper
    /// and a label naming the purpose, so that a server keeps one secret instead of
    /// several. Different labels give unrelated keys, and none of them is a key hash.
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        self.mac(&format!("critfumble derived key: {label}"))
            .finalize()
            .into_bytes()
            .into()
    }

    fn mac(&self, key: &str) -> Hmac<Sha256> {
        // HMAC accepts keys of any length; the fallback only keeps the code panic-free.
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0)
            .unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
        mac.update(key.as_bytes());
        mac
    }
}

/// HMAC-SHA256 of a key under the pepper; stored as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyHash([u8; 32]);

impl core::fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "KeyHash({})", self.to_hex())
    }
}

impl KeyHash {
    /// The hash as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        use core::fmt::Write as _;
        self.0
            .iter()
            .fold(String::with_capacity(64), |mut out, byte| {
                let _ = write!(out, "{byte:02x}");
                out
            })
    }

    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, SdkError> {
        let invalid = || SdkError::invalid("key hash", "expected 64 hex digits");
        if text.len() != 64 || !text.is_ascii() {
            return Err(invalid());
        }
        let mut bytes = [0; 32];
        for (index, byte) in bytes.iter_mut().enumerate() {
            let pair = &text[index * 2..index * 2 + 2];
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(Self(bytes))
    }

    /// The raw 32 bytes, for a `BYTEA`/`BLOB` column.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Wraps 32 raw bytes read back from a database.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Whether `key` hashes to this value under `pepper`, compared in constant time.
    pub fn matches(&self, key: &ApiKey, pepper: &KeyPepper) -> bool {
        pepper.mac(&key.text).verify_slice(&self.0).is_ok()
    }
}

impl TryFrom<String> for KeyHash {
    type Error = SdkError;

    fn try_from(text: String) -> Result<Self, SdkError> {
        Self::from_hex(&text)
    }
}

impl From<KeyHash> for String {
    fn from(hash: KeyHash) -> Self {
        hash.to_hex()
    }
}

/// Why a stored key refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRejection {
    /// The presented key does not hash to the stored hash.
    Mismatch,
    /// The key was revoked.
    Revoked,
    /// The key's expiry has passed.
    Expired,
}

impl KeyRejection {
    /// What a server tells the caller (lowercase, no key material).
    pub fn message(self) -> &'static str {
        match self {
            KeyRejection::Mismatch => "invalid api key",
            KeyRejection::Revoked => "this api key was revoked",
            KeyRejection::Expired => "this api key has expired",
        }
    }
}

/// The row Core keeps for each key or user token: what the API shows, plus the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredApiKey {
    /// The key as the API shows it (prefix, scope, expiry, revocation, last use).
    pub info: ApiKeyInfo,
    /// The peppered hash.
    pub hash: KeyHash,
}

impl StoredApiKey {
    /// The row for a newly issued key, with no expiry (see [`StoredApiKey::with_expiry`]).
    pub fn issue(
        id: Uuid,
        name: impl Into<String>,
        key: &ApiKey,
        pepper: &KeyPepper,
        scope: KeyScope,
        user_id: Option<Uuid>,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            info: ApiKeyInfo {
                id,
                name: name.into(),
                prefix: key.lookup_prefix().to_owned(),
                scope,
                user_id,
                scopes: Vec::new(),
                created_at,
                expires_at: None,
                revoked_at: None,
                last_used_at: None,
            },
            hash: key.hash(pepper),
        }
    }

    /// Sets when the key stops working.
    #[must_use]
    pub fn with_expiry(mut self, expires_at: Option<DateTime<Utc>>) -> Self {
        self.info.expires_at = expires_at;
        self
    }

    /// Sets what the key may do.
    #[must_use]
    pub fn with_scopes(mut self, scopes: Vec<crate::wire::TokenScope>) -> Self {
        self.info.scopes = scopes;
        self
    }

    /// Checks a presented key against this row at time `now`: the hash (in constant time)
    /// first, then revocation (a `revoked_at` at or before `now`) and expiry. This is the
    /// one key check: Core authenticates every request with it.
    pub fn authenticate(
        &self,
        key: &ApiKey,
        pepper: &KeyPepper,
        now: DateTime<Utc>,
    ) -> Result<(), KeyRejection> {
        if !self.hash.matches(key, pepper) {
            return Err(KeyRejection::Mismatch);
        }
        if self.info.revoked_at.is_some_and(|revoked| revoked <= now) {
            return Err(KeyRejection::Revoked);
        }
        if self.info.expires_at.is_some_and(|expires| expires <= now) {
            return Err(KeyRejection::Expired);
        }
        Ok(())
    }
}

/// A key one service hands another out of band, such as `FUMBLEBOT_API_KEY`, which Core
/// sends and FumbleBot accepts. The receiver keeps only its hash under a pepper of its own
/// and checks each presented key with [`KeyHash::matches`], in constant time: the same
/// comparison as [`StoredApiKey::authenticate`], for a key that has no row in a database.
///
/// ```
/// use critfumble_sdk::api_key::{ApiKey, KeyEnv, KeyPepper, SharedKey};
/// let key = ApiKey::generate(KeyEnv::Live);
/// let shared = SharedKey::new(&key, KeyPepper::new([7u8; 32])?);
/// assert!(shared.check_bearer(Some(&format!("Bearer {}", key.expose_secret()))).is_ok());
/// let other = ApiKey::generate(KeyEnv::Live);
/// assert!(shared.check_bearer(Some(&format!("Bearer {}", other.expose_secret()))).is_err());
/// assert!(shared.check_bearer(None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SharedKey {
    hash: KeyHash,
    pepper: KeyPepper,
    env: KeyEnv,
}

impl core::fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SharedKey")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl SharedKey {
    /// Keeps the hash of `key` under `pepper` (any 32 bytes or more, random per process).
    pub fn new(key: &ApiKey, pepper: KeyPepper) -> Self {
        Self {
            hash: key.hash(&pepper),
            env: key.env(),
            pepper,
        }
    }

    /// Checks an `Authorization` header value: present, `Bearer <key>` with a well-formed
    /// key of the same environment, and equal to the shared key (compared in constant
    /// time). Errors name what was wrong and never hold key material.
    pub fn check_bearer(&self, header_value: Option<&str>) -> Result<(), SdkError> {
        let header_value = header_value.ok_or_else(|| SdkError::ApiKeyMalformed {
            reason: "the authorization header is missing".into(),
        })?;
        let key = parse_bearer(header_value)?.for_env(self.env)?;
        if self.hash.matches(&key, &self.pepper) {
            Ok(())
        } else {
            Err(SdkError::ApiKeyMalformed {
                reason: KeyRejection::Mismatch.message().into(),
            })
        }
    }
}

/// `count` characters drawn uniformly from the base62 alphabet (rejection sampling, so no
/// character is more likely than another).
pub(crate) fn random_base62<R: rand_core::CryptoRng + ?Sized>(rng: &mut R, count: usize) -> String {
    let mut out = String::with_capacity(count);
    let mut buffer = [0u8; 32];
    while out.len() < count {
        rng.fill_bytes(&mut buffer);
        for byte in buffer {
            // 248 = 4 * 62: bytes at or above it would favour the first characters.
            if byte < 248 && out.len() < count {
                out.push(char::from(BASE62[usize::from(byte % 62)]));
            }
        }
    }
    out
}

fn is_base62(text: &str) -> bool {
    text.bytes().all(|byte| byte.is_ascii_alphanumeric())
}

/// CRC-32 (IEEE) of `body`, as 6 base62 digits, most significant first.
fn checksum(body: &str) -> String {
    let mut value = u64::from(crc32(body.as_bytes()));
    let mut digits = [b'0'; CHECKSUM_CHARS];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[usize::try_from(value % 62).unwrap_or(0)];
        value /= 62;
    }
    digits.iter().map(|&digit| char::from(digit)).collect()
}

/// CRC-32 with the IEEE polynomial, bit by bit: keys are short, so no table is needed.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
