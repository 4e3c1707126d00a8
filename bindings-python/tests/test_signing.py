"""Webhook verification for receivers, checked against the shared vectors
(tests/vectors/signing.json, generated independently with Python's hmac)."""

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

import hookbridge

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "signing.json"


def load_cases() -> list[dict[str, Any]]:
    if not VECTORS.exists():
        pytest.skip(f"{VECTORS} is missing")
    cases: list[dict[str, Any]] = json.loads(VECTORS.read_text())["cases"]
    return cases


def body_of(case: dict[str, Any]) -> bytes:
    if "body_repeat" in case:
        return bytes([case["body_repeat"]["byte"]]) * case["body_repeat"]["count"]
    return base64.b64decode(case["body_b64"])


CASES = load_cases() if VECTORS.exists() else []


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_vector(case: dict[str, Any]) -> None:
    body = body_of(case)
    args = (body, case["signature_header"], case["timestamp"], case["secrets"], case["tolerance_seconds"])
    valid = hookbridge.is_valid_webhook(*args, now=case["now"])
    if case["expected"] == "valid":
        assert valid
        hookbridge.verify_webhook(*args, now=case["now"])
    else:
        assert not valid
        with pytest.raises(hookbridge.WebhookVerificationError) as raised:
            hookbridge.verify_webhook(*args, now=case["now"])
        assert raised.value.reason == case["expected"]
        assert str(raised.value).startswith(raised.value.args[0]) and raised.value.args[0]
    for secret, expected in zip(case["secrets"], case.get("expected_signatures", [])):
        assert hookbridge.sign_webhook(secret, case["timestamp"], body) == expected


def test_vectors_cover_every_failure_kind() -> None:
    kinds = {case["expected"] for case in load_cases()}
    assert kinds == {"valid", "missing", "malformed", "expired", "mismatch"}


def test_str_bodies_int_timestamps_and_the_real_clock() -> None:
    secret = "whsec_abc"
    now = int(time.time())
    body = '{"event":"café"}'
    signature = hookbridge.sign_webhook(secret, now, body)
    assert signature == hookbridge.sign_webhook(secret, str(now), body.encode())
    hookbridge.verify_webhook(body, signature, now, secret)
    hookbridge.verify_webhook(bytearray(body.encode()), signature, str(now), ("whsec_old", secret))
    with pytest.raises(hookbridge.WebhookVerificationError) as stale:
        hookbridge.verify_webhook(body, signature, now, secret, tolerance=0, now=now + 1)
    assert stale.value.reason == "expired"
    with pytest.raises(hookbridge.WebhookVerificationError) as missing:
        hookbridge.verify_webhook(body, None, now, secret)
    assert missing.value.reason == "missing"
    with pytest.raises(TypeError, match="payload must be the raw request body"):
        hookbridge.verify_webhook({"event": "x"}, signature, now, secret)  # type: ignore[arg-type]


def load_standard_webhooks_cases() -> list[dict[str, Any]]:
    if not VECTORS.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(VECTORS.read_text())["standard_webhooks_cases"]
    return cases


SW_CASES = load_standard_webhooks_cases()


@pytest.mark.parametrize("case", SW_CASES, ids=[c["name"] for c in SW_CASES])
def test_standard_webhooks_vector(case: dict[str, Any]) -> None:
    body = base64.b64decode(case["body_b64"])
    headers = {
        "Webhook-Id": case["message_id"],
        "webhook-timestamp": case["timestamp"],
        "WEBHOOK-SIGNATURE": case["signature_header"],
    }
    args = (body, headers, case["secrets"], case["tolerance_seconds"])
    valid = hookbridge.is_valid_standard_webhook(*args, now=case["now"])
    if case["expected"] == "valid":
        assert valid
        hookbridge.verify_standard_webhook(*args, now=case["now"])
    else:
        assert not valid
        with pytest.raises(hookbridge.WebhookVerificationError) as raised:
            hookbridge.verify_standard_webhook(*args, now=case["now"])
        assert raised.value.reason == case["expected"]
    for secret, expected in zip(case["secrets"], case["expected_signatures"]):
        assert hookbridge.sign_standard_webhook(secret, case["message_id"], case["timestamp"], body) == expected


def test_standard_webhooks_vectors_cover_every_failure_kind() -> None:
    assert {case["expected"] for case in SW_CASES} == {"valid", "missing", "malformed", "expired", "mismatch"}


def test_standard_webhooks_sign_rejects_a_secret_that_is_not_base64() -> None:
    with pytest.raises(ValueError, match="whsec_<base64"):
        hookbridge.sign_standard_webhook("whsec_not*base64", "msg_1", 1, b"{}")
    # Absent headers read as missing.
    with pytest.raises(hookbridge.WebhookVerificationError) as raised:
        hookbridge.verify_standard_webhook(b"{}", {}, "whsec_" + "A" * 44)
    assert raised.value.reason == "missing"
