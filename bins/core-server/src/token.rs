//! Random tokens (session cookies, OAuth2 state, PKCE verifiers), SHA-256 helpers, and
//! HMAC-signed values for cookies.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::{Digest, Sha256};

/// A key that signs values Core hands to browsers and reads back (the login state
/// cookie), so that a browser cannot forge them. Its `Debug` output shows no key.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// The key for `purpose`, derived from the API-key pepper.
    pub fn derive(pepper: &critfumble_sdk::api_key::KeyPepper, purpose: &str) -> SigningKey {
        SigningKey(pepper.derive_key(purpose))
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length, so this never falls back; it keeps the code
        // free of panics.
        Hmac::<Sha256>::new_from_slice(&self.0)
            .unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()))
    }

    /// `value` followed by `.` and its signature (URL-safe base64): safe in a cookie when
    /// `value` is.
    pub fn sign(&self, value: &str) -> String {
        let mut mac = self.mac();
        mac.update(value.as_bytes());
        format!(
            "{value}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    /// The value of a [`SigningKey::sign`]ed text, if its signature is this key's
    /// (compared in constant time).
    pub fn verify<'a>(&self, signed: &'a str) -> Option<&'a str> {
        let (value, signature) = signed.rsplit_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac();
        mac.update(value.as_bytes());
        mac.verify_slice(&signature).ok()?;
        Some(value)
    }
}

/// `bytes` random bytes from the operating system, as unpadded URL-safe base64.
pub fn random_base64(bytes: usize) -> anyhow::Result<String> {
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// `bytes` random bytes from the operating system, as padded standard base64 (the
/// encoding of a `whsec_` secret).
pub fn random_base64_standard(bytes: usize) -> anyhow::Result<String> {
    let mut buffer = vec![0_u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(buffer))
}

/// The SHA-256 of `data` as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0x0f)]));
    }
    hex
}

/// The PKCE S256 challenge of a verifier: unpadded URL-safe base64 of its SHA-256.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_unpadded_base64url_of_sha256() {
        // Computed independently with Python's hashlib and base64.urlsafe_b64encode.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ0kq9DTFVTPoRW82wmgLRbN0yaKoE"),
            "svxYWfZmcoGQRU5vO5FQaBVfQRzDTB0gvtGIg1urspw"
        );
    }

    #[test]
    fn sha256_hex_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn signed_values_verify_and_forgeries_do_not() {
        let pepper = critfumble_sdk::api_key::KeyPepper::new("p".repeat(32)).unwrap();
        let key = SigningKey::derive(&pepper, "login state");
        let signed = key.sign("state.verifier.1764100800");
        assert_eq!(key.verify(&signed), Some("state.verifier.1764100800"));
        let (value, signature) = signed.rsplit_once('.').unwrap();
        assert_eq!(key.verify(&format!("{value}x.{signature}")), None);
        assert_eq!(key.verify(value), None);
        let other = SigningKey::derive(&pepper, "something else");
        assert_eq!(other.verify(&signed), None);
        assert!(!format!("{key:?}").contains(&pepper_hex(&key)));
    }

    fn pepper_hex(key: &SigningKey) -> String {
        key.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn random_tokens_differ_and_have_the_expected_length() {
        let a = random_base64(32).unwrap();
        let b = random_base64(32).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
