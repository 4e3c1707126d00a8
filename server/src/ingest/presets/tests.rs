//! Each preset against requests signed the way its provider signs them, the refusals with
//! their reason codes, and garbage headers (never a panic).

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use base64::Engine;
use hmac::Mac;

use super::*;

const NOW: i64 = 1_700_000_000;
const BODY: &[u8] = br#"{"id":"evt_1","type":"ping"}"#;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.append(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
    }
    map
}

fn hmac(key: &[u8], content: &[u8]) -> Vec<u8> {
    mac_over(key, &[content]).finalize().into_bytes().to_vec()
}

fn b64(raw: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(raw)
}

fn code(result: Result<Option<VerifiedSignature>, Rejection>) -> &'static str {
    match result.unwrap_err().reason {
        Reason::PresetFailed(code) => code,
        other => panic!("not a preset refusal: {other:?}"),
    }
}

fn stripe_header(secret: &str, ts: i64, body: &[u8]) -> String {
    format!("t={ts},v1={}", hex::encode(hmac(secret.as_bytes(), &[format!("{ts}.").as_bytes(), body].concat())))
}

#[test]
fn stripe_accepts_any_v1_and_refuses_tampering_staleness_and_a_wrong_secret() {
    let secret = "whsec_test_secret";
    let good = stripe_header(secret, NOW, BODY);
    let v = verify(VerificationPreset::Stripe, secret, &headers(&[("stripe-signature", &good)]), BODY, NOW).unwrap().unwrap();
    assert_eq!(v.timestamp, Some((NOW, 300)));
    let rolled = format!("t={NOW},v1={},v1={},v0=abc", "0".repeat(64), good.split("v1=").nth(1).unwrap());
    assert!(verify(VerificationPreset::Stripe, secret, &headers(&[("stripe-signature", &rolled)]), BODY, NOW).is_ok());
    let h = headers(&[("stripe-signature", &good)]);
    assert_eq!(code(verify(VerificationPreset::Stripe, secret, &h, b"{}", NOW)), "stripe_signature_mismatch");
    assert_eq!(code(verify(VerificationPreset::Stripe, "whsec_other", &h, BODY, NOW)), "stripe_signature_mismatch");
    assert_eq!(code(verify(VerificationPreset::Stripe, secret, &h, BODY, NOW + 301)), "stripe_timestamp_out_of_tolerance");
    assert!(verify(VerificationPreset::Stripe, secret, &h, BODY, NOW + 300).is_ok());
    assert_eq!(code(verify(VerificationPreset::Stripe, secret, &HeaderMap::new(), BODY, NOW)), "stripe_signature_missing");
    let no_t = headers(&[("stripe-signature", good.split(',').nth(1).unwrap())]);
    assert_eq!(code(verify(VerificationPreset::Stripe, secret, &no_t, BODY, NOW)), "stripe_timestamp_missing");
}

#[test]
fn github_and_shopify_sign_the_body() {
    let secret = "It's a Secret to Everybody";
    // GitHub's documented test vector (docs: "Validating webhook deliveries").
    let vector = headers(&[("x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]);
    assert!(verify(VerificationPreset::Github, secret, &vector, b"Hello, World!", NOW).unwrap().unwrap().timestamp.is_none());
    assert_eq!(code(verify(VerificationPreset::Github, secret, &vector, b"Hello, World?", NOW)), "github_signature_mismatch");
    let bare = headers(&[("x-hub-signature-256", "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]);
    assert_eq!(code(verify(VerificationPreset::Github, secret, &bare, b"Hello, World!", NOW)), "github_signature_malformed");

    let shop = headers(&[("x-shopify-hmac-sha256", &b64(&hmac(b"shpss_x", BODY)))]);
    assert!(verify(VerificationPreset::Shopify, "shpss_x", &shop, BODY, NOW).is_ok());
    assert_eq!(code(verify(VerificationPreset::Shopify, "shpss_y", &shop, BODY, NOW)), "shopify_signature_mismatch");
    assert_eq!(code(verify(VerificationPreset::Shopify, "shpss_x", &HeaderMap::new(), BODY, NOW)), "shopify_signature_missing");
}

#[test]
fn slack_signs_version_timestamp_and_body_within_five_minutes() {
    // Slack's documented algorithm: v0= hex HMAC-SHA256 of "v0:<timestamp>:<body>".
    let secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fwebbot&text=";
    let signature = format!("v0={}", hex::encode(hmac(secret.as_bytes(), &[b"v0:1531420618:".as_slice(), body].concat())));
    let h = headers(&[("x-slack-signature", &signature), ("x-slack-request-timestamp", "1531420618")]);
    let v = verify(VerificationPreset::Slack, secret, &h, body, 1_531_420_618 + 299).unwrap().unwrap();
    assert_eq!(v.timestamp, Some((1_531_420_618, 300)));
    assert_eq!(
        code(verify(VerificationPreset::Slack, secret, &h, body, 1_531_420_618 + 301)),
        "slack_timestamp_out_of_tolerance"
    );
    assert_eq!(code(verify(VerificationPreset::Slack, secret, &h, b"token=x", 1_531_420_618)), "slack_signature_mismatch");
    let no_ts = headers(&[("x-slack-signature", &signature)]);
    assert_eq!(code(verify(VerificationPreset::Slack, secret, &no_ts, body, NOW)), "slack_timestamp_missing");
}

#[test]
fn standard_webhooks_and_svix_headers_with_several_entries() {
    // The Standard Webhooks specification's example.
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let body = br#"{"test": 2432232314}"#;
    let sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    for [id, ts, s] in SPELLINGS_FOR_TEST {
        let h = headers(&[(id, "msg_p5jXN8AQM9LWM0D4loKWxJek"), (ts, "1614265330"), (s, &format!("v1,AAAA {sig} v2,x"))]);
        let v = verify(VerificationPreset::StandardWebhooks, secret, &h, body, 1_614_265_330).unwrap().unwrap();
        assert_eq!(v.timestamp, Some((1_614_265_330, 300)), "{s}");
        assert_eq!(
            code(verify(VerificationPreset::StandardWebhooks, secret, &h, b"{}", 1_614_265_330)),
            "standard_webhooks_signature_mismatch"
        );
        assert_eq!(
            code(verify(VerificationPreset::StandardWebhooks, secret, &h, body, 1_614_265_330 - 301)),
            "standard_webhooks_timestamp_out_of_tolerance"
        );
        let other = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(
            code(verify(VerificationPreset::StandardWebhooks, other, &h, body, 1_614_265_330)),
            "standard_webhooks_signature_mismatch"
        );
    }
    let no_id = headers(&[("webhook-timestamp", "1614265330"), ("webhook-signature", sig)]);
    assert_eq!(
        code(verify(VerificationPreset::StandardWebhooks, secret, &no_id, body, NOW)),
        "standard_webhooks_signature_missing"
    );
    assert!(secret_problem(VerificationPreset::StandardWebhooks, "whsec_***").is_some());
    assert!(secret_problem(VerificationPreset::StandardWebhooks, secret).is_none());
    assert!(secret_problem(VerificationPreset::Stripe, "anything").is_none());
}

const SPELLINGS_FOR_TEST: [[&str; 3]; 2] =
    [["webhook-id", "webhook-timestamp", "webhook-signature"], ["svix-id", "svix-timestamp", "svix-signature"]];

#[test]
fn garbage_headers_are_refused_never_a_panic() {
    let garbage: Vec<HeaderValue> = [
        "",
        " ",
        ",",
        "=",
        "t=",
        "t=,v1=",
        "v1=",
        "t=abc,v1=zz",
        "t=99999999999999999999999,v1=00",
        "t=-9223372036854775808,v1=00",
        "sha256=",
        "sha256=zz",
        "v0=",
        "v1,",
        "v1,!!!",
        "v1,==== v1,",
        "whsec_",
        "t=1,t=2,v1=",
        &"v1=a,".repeat(5000),
        &"v1,AAAA ".repeat(5000),
        "é",
    ]
    .iter()
    .filter_map(|g| HeaderValue::from_str(g).ok())
    .chain([HeaderValue::from_bytes(b"\xff\xfe").unwrap(), HeaderValue::from_bytes(b"t=1\x80,v1=00").unwrap()])
    .collect();
    let names = [
        "stripe-signature",
        "x-hub-signature-256",
        "x-shopify-hmac-sha256",
        "x-slack-signature",
        "x-slack-request-timestamp",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "svix-id",
        "svix-timestamp",
        "svix-signature",
    ];
    for value in &garbage {
        let mut h = HeaderMap::new();
        for name in names {
            h.insert(HeaderName::from_static(name), value.clone());
        }
        for preset in VerificationPreset::ALL.into_iter().filter(|p| *p != VerificationPreset::Custom) {
            for now in [0, NOW, i64::MIN, i64::MAX] {
                let refused = verify(preset, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &h, BODY, now).unwrap_err();
                let Reason::PresetFailed(code) = refused.reason else { panic!("{preset}: {:?}", refused.reason) };
                assert!(code.starts_with(preset.as_str()), "{preset}: {code}");
            }
        }
    }
}

#[test]
fn extreme_timestamps_with_a_valid_signature_are_out_of_tolerance() {
    let secret = "whsec_s";
    for ts in [i64::MIN, i64::MAX, 0] {
        let h = headers(&[("stripe-signature", &stripe_header(secret, ts, BODY))]);
        assert_eq!(code(verify(VerificationPreset::Stripe, secret, &h, BODY, NOW)), "stripe_timestamp_out_of_tolerance");
    }
    let v = hmac(b"k", b"x");
    assert!(mac_over(b"k", &[b"x"]).verify_slice(&v).is_ok());
}
