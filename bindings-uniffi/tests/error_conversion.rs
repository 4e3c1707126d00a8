//! The binding's error enum carries every field of the core error, variant by kind, and
//! renders exactly as the core does.

use hookbridge::{Error, ErrorKind};
use hookbridge_uniffi::{HookBridgeClient, HookBridgeError, WebhookVerificationError, verify_webhook};

const KINDS: [ErrorKind; 10] = [
    ErrorKind::Authentication,
    ErrorKind::NotFound,
    ErrorKind::Validation,
    ErrorKind::RateLimit,
    ErrorKind::Idempotency,
    ErrorKind::ReplayLimit,
    ErrorKind::Network,
    ErrorKind::Timeout,
    ErrorKind::Api,
    ErrorKind::InvalidResponse,
];

#[test]
fn every_kind_keeps_all_fields() {
    for kind in KINDS {
        let core = Error::new(kind, "something failed", "SOME_CODE")
            .with_status(Some(418))
            .with_request_id(Some("req_42".into()))
            .with_retry_after(Some(9));
        let e = HookBridgeError::from(core.clone());
        assert_eq!(e.kind(), kind);
        assert_eq!(
            (e.code(), e.message(), e.request_id(), e.status(), e.retry_after()),
            ("SOME_CODE", "something failed", Some("req_42"), Some(418), Some(9))
        );
        assert_eq!(e.to_string(), core.to_string());
        assert_eq!(Error::from(&e), core, "converting back loses nothing");
    }
}

#[test]
fn variants_match_the_core_mapping_of_http_answers() {
    let body = br#"{"error":{"code":"IDEMPOTENCY_MISMATCH","message":"different payload"},"meta":{"request_id":"req_9"}}"#;
    let e = HookBridgeError::from(Error::from_response(409, body, None));
    let HookBridgeError::Idempotency { code, message, request_id, status, retry_after } = e else {
        panic!("not Idempotency: {e:?}")
    };
    assert_eq!(
        (code.as_str(), message.as_str(), request_id.as_deref(), status, retry_after),
        ("IDEMPOTENCY_MISMATCH", "different payload", Some("req_9"), Some(409), None)
    );
    let limited = HookBridgeError::from(Error::from_response(429, b"{}", Some("30")));
    assert!(matches!(limited, HookBridgeError::RateLimit { retry_after: Some(30), status: Some(429), .. }), "{limited:?}");
    let unauthorized = HookBridgeError::from(Error::from_response(401, b"", None));
    assert!(matches!(unauthorized, HookBridgeError::Authentication { ref code, .. } if code == "UNAUTHORIZED"));
    let network = HookBridgeError::from(Error::network("connection refused"));
    assert!(matches!(network, HookBridgeError::Network { status: None, .. }));
}

#[test]
fn the_constructor_rejects_bad_configuration() {
    let empty = HookBridgeClient::new(String::new(), None, None, 1_000, 0).unwrap_err();
    assert!(matches!(empty, HookBridgeError::Validation { ref message, .. } if message == "API key is required"), "{empty:?}");
    let bad_url = HookBridgeClient::new("hb_test_x".into(), Some("ftp://example".into()), None, 1_000, 0).unwrap_err();
    assert!(matches!(bad_url, HookBridgeError::Validation { ref message, .. } if message.contains("base_url")), "{bad_url:?}");
    let ok =
        HookBridgeClient::new("hb_test_x".into(), Some("http://127.0.0.1:9/".into()), Some(String::new()), 1_000, 0).unwrap();
    assert_eq!(ok.base_url(), "http://127.0.0.1:9");
}

#[test]
fn verification_failures_keep_kind_and_message() {
    let err =
        verify_webhook(b"{}".to_vec(), String::new(), "1700000000".into(), vec!["whsec_x".into()], 300, Some(1_700_000_000))
            .unwrap_err();
    assert!(matches!(err, WebhookVerificationError::Missing(ref m) if m.contains("X-Webhook-Signature")), "{err:?}");
}
