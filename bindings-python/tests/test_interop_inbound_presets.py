"""Inbound verification presets against the real server, with requests signed the way each
provider signs them: by the provider's own library where it exposes signing (``stripe``'s
``WebhookSignature.generate_signature_header``, ``standardwebhooks.Webhook.sign``,
``svix.webhooks.Webhook.sign``), else by the provider's documented algorithm (GitHub, Shopify,
Slack). Each signed request is accepted, forwarded and its forward verified with HookBridge's own
helper; a tampered body, a stale timestamp (where the scheme signs one) and a wrong secret are each
refused with the preset's reason code, listed by the rejection API.

The package keeps the official 1.4.0 surface (``test_parity``), so the preset is set through
``update_inbound_endpoint``'s pass-through keywords and read back over plain HTTP."""

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

import hookbridge
import pytest
import standardwebhooks
import stripe
import svix.webhooks
from conftest import Server
from helpers import Receiver, wait_until
from test_inbound import new_signing_secret

# (body, secret, unix seconds) -> the headers the provider sends.
Signer = Callable[[bytes, str, int], dict[str, str]]


def sign_stripe(body: bytes, secret: str, at: int) -> dict[str, str]:
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=at)
    return {"Stripe-Signature": header}


def sign_github(body: bytes, secret: str, at: int) -> dict[str, str]:
    # docs.github.com, "Validating webhook deliveries": HMAC-SHA256 hex of the body.
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4())}


def sign_shopify(body: bytes, secret: str, at: int) -> dict[str, str]:
    # shopify.dev, "Verify webhooks": base64 HMAC-SHA256 of the body.
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(), "X-Shopify-Topic": "orders/create"}


def sign_slack(body: bytes, secret: str, at: int) -> dict[str, str]:
    # api.slack.com, "Verifying requests from Slack": v0= hex HMAC-SHA256 of "v0:<ts>:<body>".
    digest = hmac.new(secret.encode(), f"v0:{at}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Signature": f"v0={digest}", "X-Slack-Request-Timestamp": str(at)}


def sign_standard_webhooks(body: bytes, secret: str, at: int) -> dict[str, str]:
    msg_id = f"msg_{uuid.uuid4().hex}"
    signature = standardwebhooks.Webhook(secret).sign(msg_id, datetime.fromtimestamp(at, tz=timezone.utc), body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(at), "webhook-signature": signature}


def sign_svix(body: bytes, secret: str, at: int) -> dict[str, str]:
    msg_id = f"msg_{uuid.uuid4().hex}"
    signature = svix.webhooks.Webhook(secret).sign(msg_id, datetime.fromtimestamp(at, tz=timezone.utc), body.decode())
    return {"svix-id": msg_id, "svix-timestamp": str(at), "svix-signature": signature}


def spec_secret() -> str:
    """A Standard Webhooks / Svix secret: ``whsec_`` + base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass(frozen=True)
class Provider:
    name: str
    preset: str
    sign: Signer
    new_secret: Callable[[], str]
    timestamped: bool


PROVIDERS = [
    Provider("stripe", "stripe", sign_stripe, lambda: "whsec_" + secrets.token_hex(16), True),
    Provider("github", "github", sign_github, lambda: secrets.token_hex(20), False),
    Provider("shopify", "shopify", sign_shopify, lambda: "shpss_" + secrets.token_hex(16), False),
    Provider("slack", "slack", sign_slack, lambda: secrets.token_hex(16), True),
    Provider("standardwebhooks", "standard_webhooks", sign_standard_webhooks, spec_secret, True),
    Provider("svix", "standard_webhooks", sign_svix, spec_secret, True),
]


def with_preset(client: hookbridge.HookBridge, server: Server, destination: str, preset: str, secret: str, **settings: Any) -> Any:
    """Creates an inbound endpoint verifying ``preset`` with ``secret``; checks the API shows the
    preset and never the secret."""
    endpoint = client.create_inbound_endpoint(destination, **settings)
    client.update_inbound_endpoint(endpoint.id, verification_preset=preset, hmac_secret=secret)
    request = urllib.request.Request(
        f"{server.url}/v1/inbound-endpoints/{endpoint.id}", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    assert json.loads(text)["data"]["verification_preset"] == preset
    assert secret not in text
    return endpoint


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return int(error.code), json.loads(error.read() or b"null")


def test_stripe_headers_from_the_library_are_what_stripe_itself_verifies() -> None:
    """The Stripe signer above is Stripe's own: its header passes ``stripe.Webhook.construct_event``."""
    body = b'{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{}}}'
    header = sign_stripe(body, "whsec_abc", int(time.time()))["Stripe-Signature"]
    event = stripe.Webhook.construct_event(body, header, "whsec_abc")
    assert event["type"] == "invoice.paid"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, "whsec_other")


@pytest.mark.parametrize("provider", PROVIDERS, ids=[p.name for p in PROVIDERS])
def test_provider_signed_requests_are_accepted_forwarded_and_refused_with_preset_codes(
    provider: Provider, sync_client: hookbridge.HookBridge, server: Server, receiver: Receiver
) -> None:
    secret = provider.new_secret()
    destination = receiver.endpoint_url()
    endpoint = with_preset(sync_client, server, destination, provider.preset, secret, name=f"{provider.name}-preset", signing_enabled=True)
    forward_secret = new_signing_secret(server, endpoint.id)

    body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "type": "ping", "amount": 4200}).encode()
    now = int(time.time())
    status, answer = post(endpoint.ingest_url, body, provider.sign(body, secret, now))
    assert status == 202, answer
    forwarded = receiver.wait_for(destination, 1, timeout=20)[0]
    assert forwarded.body == body
    assert forwarded.headers["x-webhook-id"] == answer["data"]["message_id"]
    hookbridge.verify_webhook(
        forwarded.body, forwarded.headers["x-webhook-signature"], forwarded.headers["x-webhook-timestamp"], forward_secret
    )

    expected: list[str] = []

    def refused(headers: dict[str, str], payload: bytes, reason: str) -> None:
        status, answer = post(endpoint.ingest_url, payload, headers)
        assert (status, answer["error"]["details"]["reason_code"]) == (401, reason), answer
        expected.append(reason)

    prefix = provider.preset
    tampered = body.replace(b"4200", b"9999")
    refused(provider.sign(body, secret, now + 1), tampered, f"{prefix}_signature_mismatch")
    refused(provider.sign(body, provider.new_secret(), now + 2), body, f"{prefix}_signature_mismatch")
    if provider.timestamped:
        refused(provider.sign(body, secret, now - 3600), body, f"{prefix}_timestamp_out_of_tolerance")
    refused({}, body, f"{prefix}_signature_missing")

    rejections = wait_until(
        lambda: (page := sync_client.list_inbound_rejections(inbound_endpoint_id=endpoint.id).entries)
        and len(page) >= len(expected)
        and page
    )
    assert sorted(r.reason_code for r in rejections) == sorted(expected)
    assert all(r.reason_detail for r in rejections)
    assert len(receiver.deliveries(destination)) == 1, "nothing refused was forwarded"


def test_a_stripe_signature_with_several_v1_entries_is_accepted_when_any_matches(
    sync_client: hookbridge.HookBridge, server: Server, receiver: Receiver
) -> None:
    """Stripe sends one v1 per secret while a secret is rolled; the endpoint's may be any of them."""
    destination = receiver.endpoint_url()
    secret = "whsec_" + secrets.token_hex(16)
    endpoint = with_preset(sync_client, server, destination, "stripe", secret)
    body = b'{"type":"customer.created"}'
    now = int(time.time())
    old = sign_stripe(body, "whsec_old_secret", now)["Stripe-Signature"]
    new = sign_stripe(body, secret, now)["Stripe-Signature"]
    both = f"{old},v1={new.split('v1=')[1]}"
    status, answer = post(endpoint.ingest_url, body, {"Stripe-Signature": both})
    assert status == 202, answer
    assert receiver.wait_for(destination, 1, timeout=20)[0].body == body
