//! Key format, checksum, hashing and the stored key's checks.

use chrono::{Duration, TimeZone as _, Utc};

use super::*;

fn pepper() -> KeyPepper {
    KeyPepper::new("a server-side pepper of at least 32 bytes").expect("long enough")
}

#[test]
fn crc32_known_answer() {
    // The standard check value of CRC-32/IEEE.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn generated_keys_have_the_documented_shape() {
    let mut rng = rand::rng();
    for env in KeyEnv::ALL {
        let key = ApiKey::generate_with_rng(*env, &mut rng);
        let text = key.expose_secret();
        let expected_len = 4 + env.as_str().len() + 1 + RANDOM_CHARS + 1 + CHECKSUM_CHARS;
        assert_eq!(text.len(), expected_len, "{text}");
        assert!(text.starts_with(&format!("cfk_{env}_")));
        assert_eq!(ApiKey::parse(text), Ok(key.clone()));
        assert_eq!(
            key.lookup_prefix().len(),
            4 + env.as_str().len() + 1 + LOOKUP_CHARS
        );
        assert!(text.starts_with(key.lookup_prefix()));
    }
    let a = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    let b = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    assert_ne!(a, b);
    assert!(!format!("{a:?}").contains(a.expose_secret()));
}

#[test]
fn random_part_is_roughly_uniform() {
    let mut rng = rand::rng();
    let text = random_base62(&mut rng, 62_000);
    let mut counts = [0u32; 62];
    for byte in text.bytes() {
        let index = BASE62.iter().position(|&c| c == byte).expect("base62");
        counts[index] += 1;
    }
    // Each character is expected 1000 times; 800..1200 is over 6 standard deviations.
    assert!(
        counts.iter().all(|&count| (800..1200).contains(&count)),
        "{counts:?}"
    );
}

#[test]
fn parse_explains_what_is_wrong() {
    let key = ApiKey::generate_with_rng(KeyEnv::Test, &mut rand::rng());
    let text = key.expose_secret().to_owned();
    let cases = [
        ("sk_live_abc", "it must start with 'cfk_'"),
        ("cfk_live_abc", "expected cfk_<env>_<random>_<checksum>"),
        (
            "cfk_prod_AAAAAAAAAAAAAAAAAAAAAA_AAAAAA",
            "the environment must be live, test or dev",
        ),
        (
            "cfk_live_AAAA_AAAAAA",
            "the random part must be 22 base62 characters",
        ),
        (
            "cfk_live_AAAAAAAAAAAAAAAAAAAAA-_AAAAAA",
            "the random part must be 22 base62 characters",
        ),
        (
            "cfk_live_AAAAAAAAAAAAAAAAAAAAAA_AAA",
            "the checksum must be 6 base62 characters",
        ),
        (
            "cfk_live_AAAAAAAAAAAAAAAAAAAAAA_AA_AAA",
            "expected cfk_<env>_<random>_<checksum>",
        ),
    ];
    for (input, reason) in cases {
        assert_eq!(
            ApiKey::parse(input),
            Err(SdkError::ApiKeyMalformed {
                reason: reason.into()
            }),
            "{input}"
        );
    }
    // One changed character of the random part breaks the checksum.
    let mut tampered = text.clone().into_bytes();
    let position = "cfk_test_".len() + 3;
    tampered[position] = if tampered[position] == b'a' {
        b'b'
    } else {
        b'a'
    };
    let tampered = String::from_utf8(tampered).expect("ascii");
    assert_eq!(ApiKey::parse(&tampered), Err(SdkError::ApiKeyChecksum));
    assert_eq!(
        ApiKey::parse(&tampered).map_err(|e| e.to_string()),
        Err("api key checksum does not match".into())
    );
}

#[test]
fn bearer_headers() {
    let key = ApiKey::generate_with_rng(KeyEnv::Dev, &mut rand::rng());
    let header = format!("Bearer {}", key.expose_secret());
    assert_eq!(parse_bearer(&header), Ok(key.clone()));
    assert_eq!(
        parse_bearer(&format!("bearer  {}", key.expose_secret())),
        Ok(key.clone())
    );
    assert_eq!(
        parse_bearer(&format!("Basic {}", key.expose_secret())).map_err(|e| e.to_string()),
        Err("malformed api key: the authorization header must be 'Bearer <key>'".into())
    );
    assert!(parse_bearer(key.expose_secret()).is_err());
    assert!(parse_bearer("Bearer cfk_live_nope").is_err());
}

#[test]
fn hash_depends_on_key_and_pepper() {
    let mut rng = rand::rng();
    let key = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    let other = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    let hash = key.hash(&pepper());
    assert!(hash.matches(&key, &pepper()));
    assert!(!hash.matches(&other, &pepper()));
    let other_pepper = KeyPepper::new(vec![9; 32]).expect("long enough");
    assert!(!hash.matches(&key, &other_pepper));
    assert_eq!(KeyHash::from_hex(&hash.to_hex()), Ok(hash));
    assert_eq!(KeyHash::from_bytes(*hash.as_bytes()), hash);
    let json = serde_json::to_string(&hash).expect("serializes");
    assert_eq!(json.len(), 66);
    assert!(KeyHash::from_hex("xyz").is_err());
    assert!(KeyHash::from_hex(&"é".repeat(32)).is_err());
    assert!(KeyPepper::new("short").is_err());
}

#[test]
fn stored_key_checks_hash_revocation_and_expiry() {
    let mut rng = rand::rng();
    let key = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    let issued = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date");
    let mut stored = StoredApiKey::issue(
        Uuid::nil(),
        "fumblebot",
        &key,
        &pepper(),
        KeyScope::Service,
        None,
        issued,
    )
    .with_expiry(Some(issued + Duration::days(30)));
    let now = issued + Duration::days(1);
    assert_eq!(stored.authenticate(&key, &pepper(), now), Ok(()));
    let wrong = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
    assert_eq!(
        stored.authenticate(&wrong, &pepper(), now),
        Err(KeyRejection::Mismatch)
    );
    assert_eq!(
        stored.authenticate(&key, &pepper(), issued + Duration::days(31)),
        Err(KeyRejection::Expired)
    );
    stored.info.revoked_at = Some(now);
    assert_eq!(
        stored.authenticate(&key, &pepper(), now),
        Err(KeyRejection::Revoked)
    );
    let info = &stored.info;
    assert_eq!(info.prefix, key.lookup_prefix());
    assert_eq!(info.scope, KeyScope::Service);
    assert_eq!(info.revoked_at, Some(now));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parse_never_panics(text in "\\PC{0,60}") {
            let _ = ApiKey::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_near_keys(
            env in "(live|test|dev|[a-z]{0,5})",
            random in "[0-9A-Za-z_é-]{0,30}",
            check in "[0-9A-Za-z_é]{0,8}",
        ) {
            let _ = ApiKey::parse(&format!("cfk_{env}_{random}_{check}"));
        }

        #[test]
        fn any_single_substitution_is_caught(
            seed in any::<u64>(),
            position in 0usize..40,
            replacement in proptest::sample::select(BASE62.to_vec()),
        ) {
            use rand::SeedableRng as _;
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let key = ApiKey::generate_with_rng(KeyEnv::Live, &mut rng);
            let mut bytes = key.expose_secret().as_bytes().to_vec();
            let position = "cfk_live_".len() + position % (RANDOM_CHARS + 1 + CHECKSUM_CHARS);
            prop_assume!(bytes[position] != b'_' && bytes[position] != replacement);
            bytes[position] = replacement;
            let tampered = String::from_utf8(bytes).expect("ascii");
            prop_assert!(ApiKey::parse(&tampered).is_err());
        }
    }
}
