//! Runs every case of the shared signing vectors (`tests/vectors/signing.json`, generated with
//! Python's hmac/hashlib) through `hookbridge::signing::verify` and `sign`, and the Standard
//! Webhooks cases through `hookbridge::signing::standard_webhooks::{verify, sign}`.

use base64::Engine;
use hookbridge::signing::{self, VerifyOptions, standard_webhooks};
use serde::Deserialize;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signing.json");

#[derive(Deserialize)]
struct File {
    version: u32,
    cases: Vec<Case>,
    standard_webhooks_cases: Vec<SwCase>,
}

/// A case of `standard_webhooks_cases`.
#[derive(Deserialize)]
struct SwCase {
    name: String,
    secrets: Vec<String>,
    message_id: String,
    timestamp: String,
    now: i64,
    tolerance_seconds: u64,
    body_b64: String,
    signature_header: String,
    expected: String,
    expected_signatures: Vec<String>,
}

impl SwCase {
    fn body(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD.decode(&self.body_b64).expect("body_b64 is base64")
    }

    fn verify(&self) -> &'static str {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        let options = VerifyOptions { tolerance_seconds: self.tolerance_seconds, now: Some(self.now) };
        let body = self.body();
        match standard_webhooks::verify(&body, &self.message_id, &self.timestamp, &self.signature_header, &secrets, options) {
            Ok(()) => "valid",
            Err(e) => e.kind.as_str(),
        }
    }
}

#[derive(Deserialize)]
struct Repeat {
    byte: u8,
    count: usize,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    secrets: Vec<String>,
    timestamp: String,
    now: i64,
    tolerance_seconds: u64,
    body_b64: Option<String>,
    body_repeat: Option<Repeat>,
    signature_header: String,
    expected: String,
    expected_signatures: Vec<String>,
}

impl Case {
    fn body(&self) -> Vec<u8> {
        match (&self.body_b64, &self.body_repeat) {
            (Some(b64), None) => base64::engine::general_purpose::STANDARD.decode(b64).expect("body_b64 is base64"),
            (None, Some(r)) => vec![r.byte; r.count],
            _ => panic!("case {} must have exactly one of body_b64 and body_repeat", self.name),
        }
    }

    fn secrets(&self) -> Vec<&str> {
        self.secrets.iter().map(String::as_str).collect()
    }

    fn verify(&self, body: &[u8]) -> &'static str {
        let options = VerifyOptions { tolerance_seconds: self.tolerance_seconds, now: Some(self.now) };
        match signing::verify(body, &self.signature_header, &self.timestamp, &self.secrets(), options) {
            Ok(()) => "valid",
            Err(e) => e.kind.as_str(),
        }
    }
}

fn load() -> File {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("cannot read {VECTORS}: {e}"));
    serde_json::from_str(&text).expect("signing.json parses")
}

#[test]
fn every_vector_verifies_as_expected() {
    let file = load();
    assert_eq!(file.version, 1);
    assert!(file.cases.len() >= 14, "at least 14 cases, got {}", file.cases.len());
    let mut failures = Vec::new();
    for case in &file.cases {
        let got = case.verify(&case.body());
        if got != case.expected {
            failures.push(format!("{}: expected {}, got {got}", case.name, case.expected));
        }
    }
    assert!(failures.is_empty(), "vector failures:\n{}", failures.join("\n"));
}

#[test]
fn sign_reproduces_every_independent_signature() {
    for case in load().cases {
        let body = case.body();
        assert_eq!(case.expected_signatures.len(), case.secrets.len(), "{}", case.name);
        for (secret, expected) in case.secrets.iter().zip(&case.expected_signatures) {
            assert_eq!(&signing::sign(secret, &case.timestamp, &body), expected, "{} with secret {secret}", case.name);
        }
    }
}

#[test]
fn valid_headers_contain_a_signature_our_sign_produces() {
    for case in load().cases.into_iter().filter(|c| c.expected == "valid") {
        let body = case.body();
        let ours: Vec<String> = case.secrets.iter().map(|s| signing::sign(s, &case.timestamp, &body)).collect();
        let entries: Vec<&str> = case.signature_header.split(',').map(str::trim).collect();
        assert!(ours.iter().any(|sig| entries.contains(&sig.as_str())), "{}: none of {ours:?} in {entries:?}", case.name);
    }
}

#[test]
fn the_vectors_cover_the_required_situations() {
    let file = load();
    let names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
    for required in [
        "valid_single_signature",
        "two_signatures_one_valid",
        "rotation_both_valid",
        "tampered_body",
        "wrong_secret",
        "stale_timestamp",
        "future_timestamp",
        "malformed_header_scheme",
        "missing_signature_header",
        "empty_body",
        "utf8_body",
        "one_mib_body",
        "whitespace_around_commas",
        "whsec_prefix_kept",
        "whsec_prefix_stripped",
        "second_candidate_secret_matches",
    ] {
        assert!(names.contains(&required), "missing case {required}");
    }
    let mib = file.cases.iter().find(|c| c.name == "one_mib_body").unwrap();
    assert_eq!(mib.body().len(), 1 << 20);
    for kind in ["valid", "missing", "malformed", "expired", "mismatch"] {
        assert!(file.cases.iter().any(|c| c.expected == kind), "no case expects {kind}");
    }
}

#[test]
fn every_standard_webhooks_vector_verifies_as_expected() {
    let file = load();
    assert!(file.standard_webhooks_cases.len() >= 20, "got {}", file.standard_webhooks_cases.len());
    let failures: Vec<String> = file
        .standard_webhooks_cases
        .iter()
        .filter_map(|c| {
            let got = c.verify();
            (got != c.expected).then(|| format!("{}: expected {}, got {got}", c.name, c.expected))
        })
        .collect();
    assert!(failures.is_empty(), "vector failures:\n{}", failures.join("\n"));
    for kind in ["valid", "missing", "malformed", "expired", "mismatch"] {
        assert!(file.standard_webhooks_cases.iter().any(|c| c.expected == kind), "no case expects {kind}");
    }
}

#[test]
fn standard_webhooks_sign_reproduces_every_independent_signature() {
    for case in load().standard_webhooks_cases {
        let body = case.body();
        if case.expected_signatures.is_empty() {
            // Not signable: a secret that is not base64, or an empty id or timestamp.
            continue;
        }
        assert_eq!(case.expected_signatures.len(), case.secrets.len(), "{}", case.name);
        for (secret, expected) in case.secrets.iter().zip(&case.expected_signatures) {
            let ours = standard_webhooks::sign(secret, &case.message_id, &case.timestamp, &body).expect("secret decodes");
            assert_eq!(&ours, expected, "{} with secret {secret}", case.name);
        }
    }
    let bad = load().standard_webhooks_cases.into_iter().find(|c| c.name == "sw_malformed_secret").unwrap();
    assert!(standard_webhooks::sign(&bad.secrets[0], "msg", "1", b"").is_err());
}
