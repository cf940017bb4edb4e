//! Discord's request signatures: Ed25519 over `X-Signature-Timestamp` followed by the raw body,
//! checked with the application's public key before anything of the body is read.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};

/// How old a signed timestamp may be (or how far ahead of our clock) before the request is
/// refused as a replay.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a request's signature was refused. Every variant is answered with 401.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureRejected {
    /// A header is missing.
    #[error("missing the {0} header")]
    MissingHeader(&'static str),
    /// The signature is not 64 bytes of hex.
    #[error("the signature is not 128 hex digits")]
    Malformed,
    /// The timestamp is not a Unix time in seconds.
    #[error("the signature timestamp is not a unix time")]
    BadTimestamp,
    /// The timestamp is further than [`MAX_SKEW_SECS`] from now.
    #[error("the signature timestamp is stale")]
    Stale,
    /// The signature does not match.
    #[error("invalid request signature")]
    Invalid,
}

/// The application's public key.
#[derive(Clone, Debug)]
pub struct InteractionVerifier {
    key: VerifyingKey,
}

impl InteractionVerifier {
    /// Parses the public key from the 64 hex digits the Developer Portal shows.
    pub fn from_hex(hex_key: &str) -> anyhow::Result<InteractionVerifier> {
        let bytes: [u8; 32] = hex::decode(hex_key.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("the public key must be 64 hex digits"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| anyhow::anyhow!("the public key is not a valid ed25519 point"))?;
        Ok(InteractionVerifier { key })
    }

    /// Checks the headers' signature over `timestamp || body` and the timestamp's age
    /// against `now` (Unix seconds).
    pub fn verify(
        &self,
        signature_hex: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureRejected> {
        let signature_hex =
            signature_hex.ok_or(SignatureRejected::MissingHeader("x-signature-ed25519"))?;
        let timestamp =
            timestamp.ok_or(SignatureRejected::MissingHeader("x-signature-timestamp"))?;
        let mut signature = [0_u8; 64];
        hex::decode_to_slice(signature_hex.trim(), &mut signature)
            .map_err(|_| SignatureRejected::Malformed)?;
        let signed_at: i64 = timestamp
            .parse()
            .map_err(|_| SignatureRejected::BadTimestamp)?;
        // The signature is checked first, so that a stale timestamp is reported only for a
        // genuine request (an attacker learns nothing from the difference).
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp.as_bytes());
        message.extend_from_slice(body);
        self.key
            .verify(&message, &Signature::from_bytes(&signature))
            .map_err(|_| SignatureRejected::Invalid)?;
        if (now - signed_at).abs() > MAX_SKEW_SECS {
            return Err(SignatureRejected::Stale);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    // RFC 8032, section 7.1, TEST 2: a known key pair and its signature of the byte 0x72.
    const RFC_SECRET: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    const RFC_PUBLIC: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    const RFC_SIGNATURE: &str = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
                                 085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    #[test]
    fn rfc_8032_vector_verifies_and_a_flipped_bit_does_not() {
        let verifier = InteractionVerifier::from_hex(RFC_PUBLIC).unwrap();
        // The message 0x72 is "r": split it as an empty timestamp would not parse, so check
        // the key through ed25519 directly, then through `verify` with our own signature.
        let signature = hex::decode(RFC_SIGNATURE).unwrap();
        let signature = Signature::from_slice(&signature).unwrap();
        assert!(verifier.key.verify(&[0x72], &signature).is_ok());
        assert!(verifier.key.verify(&[0x73], &signature).is_err());
        let secret: [u8; 32] = hex::decode(RFC_SECRET).unwrap().try_into().unwrap();
        assert_eq!(
            hex::encode(SigningKey::from_bytes(&secret).verifying_key().as_bytes()),
            RFC_PUBLIC
        );
    }

    fn signed(secret: &SigningKey, timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(secret.sign(&message).to_bytes())
    }

    #[test]
    fn checks_signature_then_age() {
        let secret = SigningKey::from_bytes(&[7; 32]);
        let verifier =
            InteractionVerifier::from_hex(&hex::encode(secret.verifying_key().as_bytes())).unwrap();
        let body = br#"{"type":1}"#;
        let now = 1_700_000_000;
        let good = signed(&secret, "1700000000", body);
        assert_eq!(
            verifier.verify(Some(&good), Some("1700000000"), body, now),
            Ok(())
        );
        // The body, the timestamp and the signature are all covered.
        assert_eq!(
            verifier.verify(Some(&good), Some("1700000000"), br#"{"type":2}"#, now),
            Err(SignatureRejected::Invalid)
        );
        assert_eq!(
            verifier.verify(Some(&good), Some("1700000001"), body, now),
            Err(SignatureRejected::Invalid)
        );
        // A genuine but old (or future) request is refused.
        let old = signed(&secret, "1699999000", body);
        assert_eq!(
            verifier.verify(Some(&old), Some("1699999000"), body, now),
            Err(SignatureRejected::Stale)
        );
        assert_eq!(
            verifier.verify(None, Some("1700000000"), body, now),
            Err(SignatureRejected::MissingHeader("x-signature-ed25519"))
        );
        assert_eq!(
            verifier.verify(Some("zz"), Some("1700000000"), body, now),
            Err(SignatureRejected::Malformed)
        );
        assert_eq!(
            verifier.verify(Some(&good), Some("yesterday"), body, now),
            Err(SignatureRejected::BadTimestamp)
        );
    }

    #[test]
    fn public_keys_are_checked() {
        assert!(InteractionVerifier::from_hex("abcd").is_err());
        assert!(InteractionVerifier::from_hex(&"g".repeat(64)).is_err());
    }
}
