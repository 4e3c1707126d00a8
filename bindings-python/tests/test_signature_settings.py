"""The endpoint signature settings this package adds to the official surface, against the real
server, with every client kind: ``signature_scheme`` of outbound endpoints (create, update, get;
a delivery verified with :func:`hookbridge.verify_standard_webhook`) and ``verification_preset``
of inbound endpoints (create, update, get; a request signed by the ``stripe`` library accepted,
one signed with another secret refused with the preset's reason code)."""

import json
import secrets
import time
import uuid
import urllib.error
import urllib.request
from typing import Any

import pytest

import hookbridge
from helpers import Receiver

stripe = pytest.importorskip("stripe")


def test_standard_webhooks_endpoint_round_trip_and_verified_delivery(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = hb.create_endpoint(url, description="sw", signature_scheme="standard_webhooks")
    endpoint = hb.get_endpoint(created.id)
    assert isinstance(endpoint, hookbridge.Endpoint)
    assert endpoint.signature_scheme == "standard_webhooks"
    assert endpoint.description == "sw"

    sent = hb.send(created.id, {"event": "scheme.test"})
    delivery = receiver.wait_for(url, 1, timeout=30)[0]
    assert delivery.headers["webhook-id"] == sent.message_id
    assert "x-webhook-signature" not in delivery.headers
    hookbridge.verify_standard_webhook(delivery.body, delivery.headers, created.signing_secret)
    with pytest.raises(hookbridge.WebhookVerificationError):
        hookbridge.verify_standard_webhook(delivery.body + b" ", delivery.headers, created.signing_secret)


def test_signature_scheme_defaults_and_updates(hb: Any) -> None:
    # Code written for the official package sends no scheme: the server's default applies.
    created = hb.create_endpoint(f"http://127.0.0.1:9/default/{uuid.uuid4().hex}")
    assert hb.get_endpoint(created.id).signature_scheme == "hookbridge"
    hb.update_endpoint(created.id, signature_scheme="standard_webhooks")
    assert hb.get_endpoint(created.id).signature_scheme == "standard_webhooks"
    # Another change without the keyword leaves the scheme as it is.
    hb.update_endpoint(created.id, description="renamed")
    endpoint = hb.get_endpoint(created.id)
    assert (endpoint.signature_scheme, endpoint.description) == ("standard_webhooks", "renamed")
    hb.update_endpoint(created.id, signature_scheme="hookbridge")
    assert hb.get_endpoint(created.id).signature_scheme == "hookbridge"


def test_an_unknown_scheme_is_refused_naming_it(sync_client: hookbridge.HookBridge) -> None:
    url = f"http://127.0.0.1:9/unknown/{uuid.uuid4().hex}"
    with pytest.raises(Exception) as raised:
        sync_client.create_endpoint(url, signature_scheme="svix")  # type: ignore[arg-type]
    assert "signature_scheme" in str(raised.value), raised.value
    assert not [e for e in sync_client.list_endpoints(limit=100).endpoints if e.url == url]


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"null")


def test_stripe_preset_set_at_creation_verifies_stripe_signatures(hb: Any) -> None:
    secret = "whsec_" + secrets.token_hex(16)
    created = hb.create_inbound_endpoint(name="py-stripe", mode="cli", hmac_secret=secret, verification_preset="stripe")
    endpoint = hb.get_inbound_endpoint(created.id)
    assert isinstance(endpoint, hookbridge.InboundEndpoint)
    assert endpoint.verification_preset == "stripe"

    body = b'{"id":"evt_py","object":"event","type":"invoice.paid"}'
    now = int(time.time())
    good = stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=now)
    status, answer = post(created.ingest_url, body, {"Stripe-Signature": good})
    assert status == 202, answer
    other = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_" + secrets.token_hex(16), timestamp=now)
    status, answer = post(created.ingest_url, body, {"Stripe-Signature": other})
    assert (status, answer["error"]["details"]["reason_code"]) == (401, "stripe_signature_mismatch"), answer

    # Back to the generic settings through update; get shows it.
    hb.update_inbound_endpoint(created.id, verification_preset="custom")
    assert hb.get_inbound_endpoint(created.id).verification_preset == "custom"


def test_inbound_endpoints_created_the_official_way_get_the_custom_preset(sync_client: hookbridge.HookBridge) -> None:
    created = sync_client.create_inbound_endpoint(f"http://127.0.0.1:9/fwd/{uuid.uuid4().hex}", name="py-default")
    assert sync_client.get_inbound_endpoint(created.id).verification_preset == "custom"
