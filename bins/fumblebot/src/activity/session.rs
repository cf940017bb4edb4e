//! The Activity's own sessions: FumbleBot signs the Discord user id that Discord confirmed
//! (`GET /users/@me`), with an expiry, and checks the signature on every `join`. A client
//! never names its user any other way.
//!
//! A session is `<claims>.<signature>`, both base64url without padding: the claims are
//! JSON ([`Claims`]), the signature HMAC-SHA256 over the claims' text with the key every
//! process shares (`FUMBLEBOT_ACTIVITY_SECRET`), checked in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use critfumble_sdk::wire::TableUser;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How long a session lasts: an evening's game.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// The shortest key accepted from the environment, in bytes.
pub const MIN_KEY_BYTES: usize = 32;
/// The longest session text read; anything longer is refused before it is decoded.
const MAX_SESSION_CHARS: usize = 2_048;

/// What a session says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user, as Discord confirmed them.
    pub user: TableUser,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Why a session was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Not a session FumbleBot signed (bad shape, encoding or signature).
    #[error("not a valid session")]
    Invalid,
    /// Signed, but past its expiry.
    #[error("the session expired")]
    Expired,
}

/// The key sessions are signed with.
#[derive(Clone)]
pub struct SessionKey(Vec<u8>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(<secret>)")
    }
}

impl SessionKey {
    /// A key from the configured secret, which must be at least [`MIN_KEY_BYTES`] long.
    pub fn from_secret(secret: &str) -> Option<SessionKey> {
        (secret.len() >= MIN_KEY_BYTES).then(|| SessionKey(secret.as_bytes().to_vec()))
    }

    /// A random key, for one process on its own.
    pub fn generate() -> SessionKey {
        SessionKey(rand::random::<[u8; 32]>().to_vec())
    }

    fn mac(&self) -> Hmac<Sha256> {
        #[expect(
            clippy::expect_used,
            reason = "HMAC accepts a key of any length, so this cannot fail"
        )]
        Hmac::<Sha256>::new_from_slice(&self.0).expect("hmac takes any key length")
    }

    /// Signs a session for `user` that ends at `expires_at`.
    pub fn issue(&self, user: &TableUser, expires_at: DateTime<Utc>) -> String {
        let claims = Claims {
            user: user.clone(),
            expires_at,
        };
        let text = serde_json::to_vec(&claims).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&text);
        let signature = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&text),
            URL_SAFE_NO_PAD.encode(signature)
        )
    }

    /// The claims of a session this key signed, if it has not expired at `now`.
    pub fn verify(&self, session: &str, now: DateTime<Utc>) -> Result<Claims, SessionError> {
        if session.len() > MAX_SESSION_CHARS {
            return Err(SessionError::Invalid);
        }
        let (claims, signature) = session.split_once('.').ok_or(SessionError::Invalid)?;
        let text = URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|_| SessionError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| SessionError::Invalid)?;
        let mut mac = self.mac();
        mac.update(&text);
        mac.verify_slice(&signature)
            .map_err(|_| SessionError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&text).map_err(|_| SessionError::Invalid)?;
        if claims.expires_at <= now {
            return Err(SessionError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> TableUser {
        TableUser {
            id: id.to_owned(),
            name: "Mira".to_owned(),
            avatar: None,
        }
    }

    #[test]
    fn a_session_round_trips_until_it_expires() {
        let key = SessionKey::generate();
        let now = Utc::now();
        let session = key.issue(&user("42"), now + Duration::minutes(5));
        let claims = key.verify(&session, now).unwrap();
        assert_eq!(claims.user, user("42"));
        assert_eq!(
            key.verify(&session, now + Duration::minutes(6)),
            Err(SessionError::Expired)
        );
    }

    #[test]
    fn forged_sessions_are_refused() {
        let key = SessionKey::generate();
        let now = Utc::now();
        let session = key.issue(&user("42"), now + Duration::minutes(5));
        // Another key's session.
        assert_eq!(
            SessionKey::generate().verify(&session, now),
            Err(SessionError::Invalid)
        );
        // The same signature over claims naming someone else.
        let (_, signature) = session.split_once('.').unwrap();
        let forged_claims = Claims {
            user: user("7"),
            expires_at: now + Duration::minutes(5),
        };
        let forged = format!(
            "{}.{signature}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).unwrap())
        );
        assert_eq!(key.verify(&forged, now), Err(SessionError::Invalid));
        // Nonsense of every shape.
        for text in ["", ".", "abc", "a.b", "!!.??", &"a".repeat(5_000)] {
            assert_eq!(key.verify(text, now), Err(SessionError::Invalid), "{text}");
        }
        // A short configured secret is refused; a long one is used as it is.
        assert!(SessionKey::from_secret("short").is_none());
        let configured = SessionKey::from_secret(&"k".repeat(32)).unwrap();
        let again = SessionKey::from_secret(&"k".repeat(32)).unwrap();
        let session = configured.issue(&user("1"), now + Duration::minutes(1));
        assert_eq!(again.verify(&session, now).unwrap().user, user("1"));
    }
}
