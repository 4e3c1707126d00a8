"""The main inbound flow through the Python package, end to end against a real server: a provider
signs and sends webhooks to the ingest URL, HookBridge verifies them, stores them, forwards them
(retrying a failed forward) to a real receiver with its own verifiable signature, suppresses
duplicates, records rejections, honours pause/resume and replays on request."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional

import hookbridge
from conftest import Server
from helpers import Receiver, wait_until

PROVIDER_SECRET = "provider-hmac-secret"


def provider_post(url: str, body: bytes, *, event_id: str, sign_with: str = PROVIDER_SECRET, at: Optional[int] = None) -> tuple[int, Any]:
    """Sends ``body`` the way a provider would: HMAC-SHA256 of ``"<timestamp>.<body>"`` in
    ``X-Provider-Signature``, the timestamp in ``X-Provider-Timestamp``, an event id header."""
    timestamp = str(at if at is not None else int(time.time()))
    signature = hmac.new(sign_with.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Provider-Signature": f"sha256={signature}",
        "X-Provider-Timestamp": timestamp,
        "X-Event-Id": event_id,
    }
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"null")


def new_signing_secret(server: Server, endpoint_id: str) -> str:
    """Adds a signing key over the 2.0-era route (the 1.4 create response has no field for the
    secret) and returns the secret; forwarded requests carry a signature per active key."""
    request = urllib.request.Request(
        f"{server.url}/v1/inbound-endpoints/{endpoint_id}/signing-keys",
        method="POST",
        headers={"Authorization": f"Bearer {server.api_key}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["data"]["signing_secret"])


def test_signed_webhook_is_verified_forwarded_retried_deduplicated_and_replayed(hb: Any, server: Server, receiver: Receiver) -> None:
    destination = receiver.endpoint_url("flaky/1")  # answers 500 once, then 200
    endpoint = hb.create_inbound_endpoint(
        destination,
        name="provider",
        verify_hmac=True,
        hmac_header_name="X-Provider-Signature",
        hmac_secret=PROVIDER_SECRET,
        timestamp_header_name="X-Provider-Timestamp",
        timestamp_ttl_seconds=300,
        idempotency_header_names=["X-Event-Id"],
        signing_enabled=True,
    )
    assert endpoint.ingest_url == f"{server.url}/v1/webhooks/receive/{endpoint.id}/{endpoint.secret_token}"
    secret = new_signing_secret(server, endpoint.id)

    body = b'{"type":"invoice.paid","amount":4200}'
    status, answer = provider_post(endpoint.ingest_url, body, event_id="evt_1")
    assert status == 202, answer
    message_id = answer["data"]["message_id"]

    # The first forward fails (500), the retry succeeds; both carry the exact body and headers.
    first, second = receiver.wait_for(destination, 2, timeout=20)[:2]
    assert first.body == second.body == body
    assert second.headers["x-event-id"] == "evt_1" and second.headers["content-type"] == "application/json"
    assert second.headers["x-webhook-id"] == message_id
    hookbridge.verify_webhook(second.body, second.headers["x-webhook-signature"], second.headers["x-webhook-timestamp"], secret)
    assert not hookbridge.is_valid_webhook(second.body, second.headers["x-webhook-signature"], second.headers["x-webhook-timestamp"], "whsec_wrong")

    entry = wait_until(lambda: next((e for e in hb.get_inbound_logs(inbound_endpoint_id=endpoint.id).entries if e.status == "succeeded"), None))
    assert (entry.message_id, entry.attempt_count, entry.response_status) == (message_id, 2, 200)
    assert entry.total_delivery_ms is not None and entry.total_delivery_ms > 0
    metrics = hb.get_inbound_metrics("1h", inbound_endpoint_id=endpoint.id)
    assert (metrics.total_messages, metrics.succeeded, metrics.retries) == (1, 1, 1)
    assert metrics.avg_delivery_time_ms > 0

    # The provider retries the same event: same message id, nothing forwarded again.
    status, again = provider_post(endpoint.ingest_url, body, event_id="evt_1")
    assert (status, again["data"]["message_id"]) == (202, message_id)

    # Forged and stale requests are refused and recorded.
    status, forged = provider_post(endpoint.ingest_url, body, event_id="evt_2", sign_with="guess")
    assert (status, forged["error"]["code"]) == (401, "HMAC_FAILED")
    status, _ = provider_post(endpoint.ingest_url, body, event_id="evt_3", at=int(time.time()) - 3600)
    assert status == 401
    rejections = hb.list_inbound_rejections(inbound_endpoint_id=endpoint.id).entries
    assert [r.reason_code for r in rejections] == ["hmac_failed", "hmac_failed"]
    assert "seconds old" in (rejections[0].reason_detail or "")
    assert all(r.source_ip == "127.0.0.1" and json.loads(r.headers_redacted or "{}")["x-event-id"] == "***" for r in rejections)

    # Paused: the provider is told to come back later; resumed: accepted again.
    hb.pause_inbound_endpoint(endpoint.id)
    status, paused = provider_post(endpoint.ingest_url, body, event_id="evt_4")
    assert (status, paused["error"]["code"]) == (503, "ENDPOINT_PAUSED")
    hb.resume_inbound_endpoint(endpoint.id)
    status, _ = provider_post(endpoint.ingest_url, b'{"type":"after.resume"}', event_id="evt_5")
    assert status == 202
    receiver.wait_for(destination, 3, timeout=20)

    # Replay forwards the original message once more.
    wait_until(lambda: all(e.status == "succeeded" for e in hb.get_inbound_logs(inbound_endpoint_id=endpoint.id).entries))
    replayed = hb.replay_inbound_message(message_id)
    assert (replayed.message_id, replayed.status) == (message_id, "queued")
    deliveries = receiver.wait_for(destination, 4, timeout=20)
    assert deliveries[3].body == body and deliveries[3].headers["x-webhook-id"] == message_id
    time.sleep(0.3)
    assert len(receiver.deliveries(destination)) == 4, "the duplicate was never forwarded"
    hb.delete_inbound_endpoint(endpoint.id)
