//! Property tests of signing: sign-then-verify round-trips for arbitrary bodies, secrets and
//! timestamps, and any single-byte change to the body or the signature breaks verification.

use hookbridge::signing::{self, VerifyErrorKind, VerifyOptions};
use proptest::prelude::*;

fn at(now: i64) -> VerifyOptions {
    VerifyOptions { tolerance_seconds: 300, now: Some(now) }
}

fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "whsec_[a-z0-9]{32}",
        "\\PC{1,64}",
        proptest::collection::vec(any::<char>(), 1..40).prop_map(|c| c.into_iter().collect::<String>()),
    ]
    .prop_filter("non-empty", |s| !s.is_empty())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..2048)
}

fn timestamp() -> impl Strategy<Value = i64> {
    0i64..=4_102_444_800
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_round_trips(secret in secret(), body in body(), ts in timestamp(), skew in -300i64..=300) {
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        prop_assert!(header.starts_with("sha256=") && header.len() == 71);
        prop_assert_eq!(header.clone(), signing::sign(&secret, &ts_text, &body), "signing is deterministic");
        prop_assert_eq!(signing::verify(&body, &header, &ts_text, &[secret.as_str()], at(ts + skew)), Ok(()));
    }

    #[test]
    fn rotation_headers_verify_with_either_secret(a in secret(), b in secret(), body in body(), ts in timestamp()) {
        let ts_text = ts.to_string();
        let header = signing::signature_header(&[a.as_str(), b.as_str()], &ts_text, &body);
        prop_assert_eq!(signing::verify(&body, &header, &ts_text, &[a.as_str()], at(ts)), Ok(()));
        prop_assert_eq!(signing::verify(&body, &header, &ts_text, &[b.as_str()], at(ts)), Ok(()));
        prop_assert_eq!(signing::verify(&body, &header, &ts_text, &["unrelated", b.as_str()], at(ts)), Ok(()));
    }

    #[test]
    fn flipping_any_body_byte_fails(secret in secret(), body in proptest::collection::vec(any::<u8>(), 1..2048),
                                    index in any::<prop::sample::Index>(), mask in 1u8..=255, ts in timestamp()) {
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        let mut tampered = body.clone();
        let i = index.index(tampered.len());
        tampered[i] ^= mask;
        let err = signing::verify(&tampered, &header, &ts_text, &[secret.as_str()], at(ts)).unwrap_err();
        prop_assert_eq!(err.kind, VerifyErrorKind::Mismatch);
    }

    #[test]
    fn flipping_any_mac_byte_fails(secret in secret(), body in body(), index in 0usize..32, mask in 1u8..=255, ts in timestamp()) {
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        let mut mac = hex::decode(&header["sha256=".len()..]).unwrap();
        mac[index] ^= mask;
        let tampered = format!("sha256={}", hex::encode(mac));
        let err = signing::verify(&body, &tampered, &ts_text, &[secret.as_str()], at(ts)).unwrap_err();
        prop_assert_eq!(err.kind, VerifyErrorKind::Mismatch);
    }

    #[test]
    fn replacing_any_header_character_fails(secret in secret(), body in body(), index in 0usize..71,
                                           replacement in proptest::char::range(' ', '~'), ts in timestamp()) {
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        let original = header.as_bytes()[index] as char;
        // A hex digit in the other case decodes to the same byte, so it is not a change of the signature.
        prop_assume!(!original.eq_ignore_ascii_case(&replacement));
        let mut tampered = header.into_bytes();
        tampered[index] = replacement as u8;
        let tampered = String::from_utf8(tampered).unwrap();
        let err = signing::verify(&body, &tampered, &ts_text, &[secret.as_str()], at(ts)).unwrap_err();
        prop_assert!(matches!(err.kind, VerifyErrorKind::Mismatch | VerifyErrorKind::Malformed), "{tampered}: {err:?}");
    }

    #[test]
    fn another_secret_or_timestamp_fails(secret in secret(), other in secret(), body in body(), ts in 1i64..4_102_444_800) {
        prop_assume!(secret != other);
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        let err = signing::verify(&body, &header, &ts_text, &[other.as_str()], at(ts)).unwrap_err();
        prop_assert_eq!(err.kind, VerifyErrorKind::Mismatch);
        let shifted = (ts - 1).to_string();
        let err = signing::verify(&body, &header, &shifted, &[secret.as_str()], at(ts)).unwrap_err();
        prop_assert_eq!(err.kind, VerifyErrorKind::Mismatch, "the timestamp is part of the signed message");
    }

    #[test]
    fn outside_the_tolerance_is_expired(secret in secret(), body in body(), ts in timestamp(), beyond in 301i64..100_000, future: bool) {
        let ts_text = ts.to_string();
        let header = signing::sign(&secret, &ts_text, &body);
        let now = if future { ts - beyond } else { ts + beyond };
        let err = signing::verify(&body, &header, &ts_text, &[secret.as_str()], at(now)).unwrap_err();
        prop_assert_eq!(err.kind, VerifyErrorKind::Expired);
    }
}
