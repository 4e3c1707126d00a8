"""Outbound signature schemes judged by libraries nobody here wrote, against the real server.

An endpoint with ``signature_scheme: standard_webhooks`` delivers to a real local receiver; every
delivery must verify with the ``standardwebhooks`` package (the specification's reference
library) AND with ``svix`` (whose ``Webhook.verify`` follows the same specification), also while
two keys are active, and both must reject a tampered body. A ``hookbridge``-scheme endpoint keeps
its ``X-Webhook-*`` headers (checked with this package's own helper).
"""

import json
import urllib.request
from typing import Any, Optional

import pytest

import hookbridge
from helpers import Receiver, Recorded, wait_until

standardwebhooks = pytest.importorskip("standardwebhooks")
svix_webhooks = pytest.importorskip("svix.webhooks")


def api(server: Any, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
    """One raw API call with the dev key; returns ``data`` of the answer."""
    request = urllib.request.Request(
        server.url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["data"]


def send(server: Any, endpoint_id: str, payload: dict[str, Any]) -> str:
    return str(api(server, "POST", "/v1/webhooks/send", {"endpoint_id": endpoint_id, "payload": payload})["message_id"])


def delivery_of(receiver: Receiver, url: str, message_id: str) -> Recorded:
    def find() -> Optional[Recorded]:
        for request in receiver.deliveries(url):
            if message_id in (request.headers.get("webhook-id"), request.headers.get("x-webhook-id")):
                return request
        return None

    found = wait_until(find, timeout=30)
    assert isinstance(found, Recorded)
    return found


def both_libraries_accept(delivery: Recorded, secret: str) -> None:
    """``standardwebhooks`` and ``svix`` both verify the delivery with ``secret``, and both
    reject it once one byte of the body changes."""
    headers = dict(delivery.headers)
    # standardwebhooks returns the parsed payload; svix 2.x returns None (it raises on failure).
    assert standardwebhooks.Webhook(secret).verify(delivery.body, headers) == json.loads(delivery.body)
    assert svix_webhooks.Webhook(secret).verify(delivery.body, headers) in (None, json.loads(delivery.body))
    for library in (standardwebhooks.Webhook(secret), svix_webhooks.Webhook(secret)):
        tampered = delivery.body.replace(b'"n":', b'"m":')
        assert tampered != delivery.body
        with pytest.raises(Exception) as raised:
            library.verify(tampered, headers)
        assert "signature" in str(raised.value).lower() or "verif" in type(raised.value).__name__.lower()


def test_standard_webhooks_deliveries_verify_with_standardwebhooks_and_svix(server: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = api(server, "POST", "/v1/endpoints", {"url": url, "signature_scheme": "standard_webhooks"})
    secret = created["signing_secret"]
    assert api(server, "GET", f"/v1/endpoints/{created['id']}")["signature_scheme"] == "standard_webhooks"

    first = delivery_of(receiver, url, send(server, created["id"], {"n": 1, "event": "order.created"}))
    assert first.headers["webhook-signature"].count("v1,") == 1
    assert "x-webhook-signature" not in first.headers
    both_libraries_accept(first, secret)
    # The whsec_ trap does not apply: our own helper agrees with the libraries.
    hookbridge.verify_standard_webhook(first.body, first.headers, secret)

    # Rotation: two active keys, two entries; each library accepts with either secret alone.
    second_secret = api(server, "POST", f"/v1/endpoints/{created['id']}/signing-keys")["signing_secret"]
    assert second_secret.startswith("whsec_") and second_secret != secret
    second = delivery_of(receiver, url, send(server, created["id"], {"n": 2, "event": "order.paid"}))
    entries = second.headers["webhook-signature"].split(" ")
    assert len(entries) == 2 and all(e.startswith("v1,") for e in entries)
    both_libraries_accept(second, secret)
    both_libraries_accept(second, second_secret)

    # A secret that never signed anything is rejected by both.
    stranger = "whsec_" + "QUJD" * 11
    for library in (standardwebhooks.Webhook(stranger), svix_webhooks.Webhook(stranger)):
        with pytest.raises(Exception):
            library.verify(second.body, dict(second.headers))


def test_a_hookbridge_endpoint_switched_to_standard_webhooks_keeps_a_secret_both_libraries_accept(
    server: Any, receiver: Receiver
) -> None:
    url = receiver.endpoint_url()
    created = api(server, "POST", "/v1/endpoints", {"url": url})
    secret = created["signing_secret"]
    api(server, "PATCH", f"/v1/endpoints/{created['id']}", {"signature_scheme": "standard_webhooks"})
    delivery = delivery_of(receiver, url, send(server, created["id"], {"n": 3}))
    both_libraries_accept(delivery, secret)


def test_a_hookbridge_endpoint_still_gets_the_old_headers(server: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = api(server, "POST", "/v1/endpoints", {"url": url})
    assert api(server, "GET", f"/v1/endpoints/{created['id']}")["signature_scheme"] == "hookbridge"
    message_id = send(server, created["id"], {"n": 4})
    delivery = delivery_of(receiver, url, message_id)
    assert delivery.headers["x-webhook-id"] == message_id
    assert delivery.headers["x-webhook-signature"].startswith("sha256=")
    assert not any(name.startswith("webhook-") for name in delivery.headers)
    hookbridge.verify_webhook(
        delivery.body, delivery.headers["x-webhook-signature"], delivery.headers["x-webhook-timestamp"], created["signing_secret"]
    )
    # The whsec_ trap: fed to a Standard Webhooks library, a HookBridge-scheme delivery does not verify.
    spec_headers = {
        "webhook-id": message_id,
        "webhook-timestamp": delivery.headers["x-webhook-timestamp"],
        "webhook-signature": delivery.headers["x-webhook-signature"],
    }
    with pytest.raises(Exception):
        standardwebhooks.Webhook(created["signing_secret"]).verify(delivery.body, spec_headers)
