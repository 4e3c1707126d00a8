"""API keys, projects, endpoints and signing keys, billing and exports: every call made against
a real server by each client kind (sync, asyncio, uvloop)."""

import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import hookbridge
from conftest import Server
from helpers import Receiver, wait_until
from hookbridge import (
    APIKeyInfo,
    CreateAPIKeyResponse,
    CreateEndpointResponse,
    Endpoint,
    EndpointSummary,
    ExportRecord,
    HookBridge,
    InvoicesResponse,
    ListEndpointsResponse,
    PauseState,
    Project,
    RotateSecretResponse,
    SigningKey,
    Subscription,
    SubscriptionLimits,
    SubscriptionUsage,
)


def test_api_keys_lifecycle(hb: Any, server: Server) -> None:
    created = hb.create_api_key("test", label="ci-key")
    assert isinstance(created, CreateAPIKeyResponse)
    assert created.key.startswith("hb_test_") and created.prefix == created.key[:11] and created.label == "ci-key"
    assert created.created_at.tzinfo is not None
    keys = hb.list_api_keys()
    assert all(isinstance(k, APIKeyInfo) for k in keys)
    listed = next(k for k in keys if k.key_id == created.key_id)
    assert (listed.prefix, listed.label, listed.created_at) == (created.prefix, "ci-key", created.created_at)
    with HookBridge(created.key, base_url=server.url, send_url=server.url) as other:
        assert created.key_id in {k.key_id for k in other.list_api_keys()}
        assert hb.delete_api_key(created.key_id) is None
        with pytest.raises(hookbridge.AuthenticationError) as raised:
            other.list_api_keys()
    assert (raised.value.code, raised.value.status_code) == ("UNAUTHORIZED", 401)
    assert created.key_id not in {k.key_id for k in hb.list_api_keys()}
    # The dev key is a test key: it never mints a live key.
    with pytest.raises(hookbridge.HookBridgeError) as refused:
        hb.create_api_key("live")
    assert (refused.value.code, refused.value.status_code) == ("FORBIDDEN", 403)
    unlabeled = hb.create_api_key("test")
    assert unlabeled.key.startswith("hb_test_") and not unlabeled.label
    hb.delete_api_key(unlabeled.key_id)


def test_projects_lifecycle(hb: Any) -> None:
    project = hb.create_project("py-project", rate_limit_default=120)
    assert isinstance(project, Project)
    assert (project.name, project.rate_limit_default, project.status) == ("py-project", 120, "active")
    assert project.created_at.tzinfo is not None and project.tenant_id
    assert hb.get_project(project.id) == project
    assert project.id in {p.id for p in hb.list_projects()}
    renamed = hb.update_project(project.id, name="renamed")
    assert (renamed.name, renamed.rate_limit_default) == ("renamed", 120)
    assert hb.update_project(project.id, rate_limit_default=60).rate_limit_default == 60
    assert hb.delete_project(project.id) is None
    with pytest.raises(hookbridge.NotFoundError):
        hb.get_project(project.id)


def test_endpoint_lifecycle(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = hb.create_endpoint(url, description="orders", rate_limit_rps=5, burst=10, headers={"X-Env": "test"})
    assert isinstance(created, CreateEndpointResponse)
    assert created.id.startswith("ep_") and len(created.id) == 35 and created.url == url
    assert created.signing_secret.startswith("whsec_") and created.description == "orders"
    endpoint = hb.get_endpoint(created.id)
    assert isinstance(endpoint, Endpoint)
    assert (endpoint.url, endpoint.description, endpoint.rate_limit_rps, endpoint.burst) == (url, "orders", 5, 10)
    assert endpoint.headers == {"X-Env": "test"} and endpoint.paused is False
    assert endpoint.created_at == created.created_at and endpoint.updated_at >= endpoint.created_at

    assert hb.update_endpoint(created.id, description="", rate_limit_rps=0, headers={}) is None
    changed = hb.get_endpoint(created.id)
    assert (changed.description or "", changed.rate_limit_rps or 0, changed.headers or {}) == ("", 0, {})
    assert changed.burst == 10

    paused = hb.pause_endpoint(created.id)
    assert isinstance(paused, PauseState) and paused.paused is True and paused.messages_requeued is None
    held = hb.send(created.id, {"held": True}).message_id
    resumed = hb.resume_endpoint(created.id)
    assert resumed.paused is False and isinstance(resumed.messages_requeued, int) and resumed.messages_requeued >= 1
    wait_until(lambda: hb.get_message(held).status == "succeeded")

    assert hb.delete_endpoint(created.id) is None
    with pytest.raises(hookbridge.NotFoundError) as raised:
        hb.get_endpoint(created.id)
    assert (raised.value.code, raised.value.status_code) == ("NOT_FOUND", 404)


def test_endpoint_listing_pages(hb: Any, receiver: Receiver) -> None:
    ids = {hb.create_endpoint(receiver.endpoint_url(), description=f"page {i}").id for i in range(3)}
    first = hb.list_endpoints(limit=2)
    assert isinstance(first, ListEndpointsResponse) and len(first.endpoints) == 2
    assert first.has_more is True and first.next_cursor
    assert all(isinstance(e, EndpointSummary) and e.created_at.tzinfo is not None for e in first.endpoints)
    seen = [e.id for e in first.endpoints]
    cursor = first.next_cursor
    while cursor:
        page = hb.list_endpoints(limit=2, cursor=cursor)
        seen += [e.id for e in page.endpoints]
        assert page.has_more == bool(page.next_cursor)
        cursor = page.next_cursor
    assert ids <= set(seen) and len(seen) == len(set(seen))
    for endpoint_id in ids:
        hb.delete_endpoint(endpoint_id)


def test_signing_keys_and_rotation(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    endpoint = hb.create_endpoint(url)
    keys = hb.list_endpoint_signing_keys(endpoint.id)
    assert len(keys) == 1 and isinstance(keys[0], SigningKey) and endpoint.signing_secret.endswith(keys[0].key_hint)
    second = hb.create_endpoint_signing_key(endpoint.id)
    assert isinstance(second, RotateSecretResponse) and second.signing_secret.startswith("whsec_")
    assert second.key_hint and second.signing_secret.endswith(second.key_hint)
    assert {k.id for k in hb.list_endpoint_signing_keys(endpoint.id)} == {keys[0].id, second.id}

    # Both active keys sign: a receiver knowing either secret accepts the delivery.
    hb.send(endpoint.id, {"rotating": True})
    delivery = receiver.wait_for(url)[0]
    header, timestamp = delivery.headers["x-webhook-signature"], delivery.headers["x-webhook-timestamp"]
    assert header.count("sha256=") == 2
    for secret in (endpoint.signing_secret, second.signing_secret):
        hookbridge.verify_webhook(delivery.body, header, timestamp, secret)

    assert hb.delete_endpoint_signing_key(endpoint.id, keys[0].id) is None
    assert [k.id for k in hb.list_endpoint_signing_keys(endpoint.id)] == [second.id]
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        hb.delete_endpoint_signing_key(endpoint.id, second.id)
    assert raised.value.status_code == 409
    rotated = hb.rotate_endpoint_secret(endpoint.id)
    assert isinstance(rotated, RotateSecretResponse) and rotated.id != second.id
    assert rotated.created_at is not None and rotated.created_at.tzinfo is not None
    hb.delete_endpoint(endpoint.id)


def test_billing_on_a_self_hosted_server(hb: Any) -> None:
    subscription = hb.get_subscription()
    assert isinstance(subscription, Subscription) and subscription.plan == "self_hosted"
    assert isinstance(subscription.limits, SubscriptionLimits) and isinstance(subscription.usage, SubscriptionUsage)
    assert subscription.usage.period_start < subscription.usage.period_end
    assert subscription.usage.period_start.tzinfo is not None
    for call in (lambda: hb.create_checkout(plan="pro", interval="monthly"), lambda: hb.create_portal(return_url="https://example.com")):
        with pytest.raises(hookbridge.HookBridgeError) as raised:
            call()
        assert type(raised.value) is hookbridge.HookBridgeError
        assert (raised.value.code, raised.value.status_code) == ("BILLING_DISABLED", 403)
    with pytest.raises(hookbridge.HookBridgeError):
        hb.create_portal()
    invoices = hb.get_invoices()
    assert isinstance(invoices, InvoicesResponse) and invoices.invoices == [] and invoices.has_more is False
    assert hb.handle_stripe_webhook({"type": "invoice.paid", "data": {"object": {}}}) is True


def test_exports(hb: Any, receiver: Receiver, server: Server) -> None:
    endpoint = hb.create_endpoint(receiver.endpoint_url())
    sent = hb.send(endpoint.id, {"export": 1}).message_id
    wait_until(lambda: hb.get_message(sent).status == "succeeded")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    export = hb.create_export(start_time=start, end_time=(datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat(), endpoint_id=endpoint.id)
    assert isinstance(export, ExportRecord) and export.status in ("pending", "processing", "completed")
    assert export.filter_start_time == start.replace(microsecond=export.filter_start_time.microsecond)
    assert export.filter_endpoint_id == endpoint.id
    done = wait_until(lambda: (e := hb.get_export(export.id)).status == "completed" and e)
    assert done.row_count == 1 and done.file_size_bytes and done.completed_at is not None and done.expires_at is not None
    assert export.id in {e.id for e in hb.list_exports()}
    url = hb.download_export(export.id)
    assert isinstance(url, str) and url.startswith("http")
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {server.api_key}"})) as response:
        assert sent.encode() in response.read()
    with pytest.raises(hookbridge.NotFoundError):
        hb.get_export("00000000-0000-7000-8000-000000000000")
