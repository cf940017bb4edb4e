//! Random tokens (session cookies, OAuth2 state, PKCE verifiers) and SHA-256 helpers.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

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
    fn random_tokens_differ_and_have_the_expected_length() {
        let a = random_base64(32).unwrap();
        let b = random_base64(32).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}
