"""The methods the official 2.0.0 added: attempts, inbound message detail, soft deletion, inbound
signing keys, CLI-mode inbound endpoints and listen, pull endpoints, actors lookup and export
deletion; every call made against a real server by each client kind."""

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import hookbridge
from helpers import Receiver, wait_until
from hookbridge import (
    AckPullEventsResponse,
    ActorLookupResult,
    AttemptRecord,
    AttemptsResponse,
    CreatePullEndpointResponse,
    DeleteAllResult,
    DeleteBatchResult,
    DeleteEventBatchResult,
    DeleteEventResult,
    DeleteMessageResult,
    DeletePullEventsAllResult,
    InboundMessage,
    ListenInboundEndpointResponse,
    Metrics,
    PauseState,
    PullEndpoint,
    PullEvent,
    PullLogsResponse,
    PullTimeSeriesMetrics,
    RotateSecretResponse,
    SigningKey,
)
from test_api_inbound import ingest


def unknown_id() -> str:
    return str(uuid.uuid4())


def delivered(hb: Any, receiver: Receiver, payload: dict[str, Any]) -> str:
    """Sends ``payload`` to a new endpoint of the receiver; returns the message id once delivered."""
    endpoint = hb.create_endpoint(receiver.endpoint_url())
    message_id = hb.send(endpoint.id, payload).message_id
    wait_until(lambda: hb.get_message(message_id).status == "succeeded")
    return str(message_id)


def test_message_attempts_and_soft_deletion(hb: Any, receiver: Receiver) -> None:
    message_id = delivered(hb, receiver, {"n": 1})
    attempts = hb.get_message_attempts(message_id)
    assert isinstance(attempts, AttemptsResponse) and attempts.has_more is False
    (attempt,) = attempts.attempts
    assert isinstance(attempt, AttemptRecord)
    assert (attempt.attempt_no, attempt.response_status) == (1, 200) and attempt.created_at.tzinfo is not None

    deleted = hb.delete_message(message_id)
    assert isinstance(deleted, DeleteMessageResult)
    assert (deleted.message_id, deleted.already_deleted) == (message_id, False)
    again = hb.delete_message(message_id)
    assert again.already_deleted is True and again.deleted_at == deleted.deleted_at
    message = hb.get_message(message_id)
    assert message.deleted_at == deleted.deleted_at and message.deleted_by_api_key_id

    other = delivered(hb, receiver, {"n": 2})
    missing = unknown_id()
    batch = hb.delete_messages_batch([other, message_id, missing])
    assert isinstance(batch, DeleteBatchResult)
    assert [(r.message_id, r.outcome) for r in batch.results] == [(other, "deleted"), (message_id, "already_deleted"), (missing, "not_found")]
    assert (batch.deleted_count, batch.already_deleted_count, batch.not_found_count) == (1, 1, 1)

    endpoint = hb.create_endpoint(receiver.endpoint_url())
    ids = [hb.send(endpoint.id, {"k": k}).message_id for k in range(3)]
    wait_until(lambda: all(hb.get_message(i).status == "succeeded" for i in ids))
    everything = hb.delete_messages_all(endpoint_id=endpoint.id, created_after=datetime.now(timezone.utc) - timedelta(hours=1))
    assert isinstance(everything, DeleteAllResult) and everything.error is None
    assert (everything.deleted, sorted(everything.deleted_message_ids)) == (3, sorted(ids))
    assert hb.delete_messages_all(endpoint_id=endpoint.id).deleted == 0

    assert hb.get_message_attempts(unknown_id()) == AttemptsResponse(attempts=[], has_more=False)


def test_inbound_message_detail_attempts_signing_keys_and_deletion(hb: Any, receiver: Receiver) -> None:
    created = hb.create_inbound_endpoint(receiver.endpoint_url(), name="v2-in", signing_enabled=True)
    assert created.mode == "forward" and created.signing_key_id and created.signing_secret

    keys = hb.list_inbound_signing_keys(created.id)
    assert [k.id for k in keys] == [created.signing_key_id] and all(isinstance(k, SigningKey) for k in keys)
    added = hb.create_inbound_signing_key(created.id)
    assert isinstance(added, RotateSecretResponse) and added.signing_secret
    assert {k.id for k in hb.list_inbound_signing_keys(created.id)} == {created.signing_key_id, added.id}
    with pytest.raises(hookbridge.HookBridgeError):
        hb.create_inbound_signing_key(created.id)  # at most 2 active
    assert hb.delete_inbound_signing_key(created.id, created.signing_key_id) is None
    assert [k.id for k in hb.list_inbound_signing_keys(created.id)] == [added.id]
    with pytest.raises(hookbridge.HookBridgeError):
        hb.delete_inbound_signing_key(created.id, added.id)  # never the last one

    assert ingest(created.ingest_url, {"provider": "event"}) < 300
    logs = wait_until(lambda: hb.get_inbound_logs(inbound_endpoint_id=created.id).entries)
    message_id = logs[0].message_id
    message = wait_until(lambda: (m := hb.get_inbound_message(message_id)).status == "succeeded" and m)
    assert isinstance(message, InboundMessage) and (message.id, message.inbound_endpoint_id) == (message_id, created.id)
    attempts = hb.get_inbound_message_attempts(message_id)
    assert [(a.attempt_no, a.response_status) for a in attempts.attempts] == [(1, 200)]

    deleted = hb.delete_inbound_message(message_id)
    assert (deleted.message_id, deleted.already_deleted) == (message_id, False)
    assert hb.get_inbound_message(message_id).deleted_at == deleted.deleted_at
    batch = hb.delete_inbound_messages_batch([message_id])
    assert [r.outcome for r in batch.results] == ["already_deleted"]
    assert ingest(created.ingest_url, {"provider": "second"}) < 300
    wait_until(lambda: len(hb.get_inbound_logs(inbound_endpoint_id=created.id).entries) == 2)
    everything = hb.delete_inbound_messages_all(inbound_endpoint_id=created.id)
    assert isinstance(everything, DeleteAllResult) and everything.deleted == 1
    with pytest.raises(hookbridge.NotFoundError):
        hb.get_inbound_message(unknown_id())


def test_cli_mode_endpoint_is_listened_to_in_order(hb: Any) -> None:
    created = hb.create_inbound_endpoint(mode="cli", name="local-dev")
    assert (created.mode, created.url) == ("cli", "")
    for n in range(3):
        assert ingest(created.ingest_url, {"n": n}) < 300
    page = wait_until(lambda: (p := hb.listen_inbound_endpoint(created.id)).messages and len(p.messages) == 3 and p)
    assert isinstance(page, ListenInboundEndpointResponse)
    assert [m.body for m in page.messages] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert all(m.content_type.startswith("application/json") and m.size_bytes > 0 for m in page.messages)
    later = hb.listen_inbound_endpoint(created.id, after=page.next_cursor or page.messages[-1].message_id)
    assert later.messages == []
    with pytest.raises(hookbridge.HookBridgeError, match="url is required") as refused:
        hb.create_inbound_endpoint(name="forward needs a url")
    assert refused.value.status_code == 400


def test_pull_endpoint_lifecycle(hb: Any) -> None:
    created = hb.create_pull_endpoint(name="orders", retention_days=3, event_type_source="body", event_type_path="type")
    assert isinstance(created, CreatePullEndpointResponse) and isinstance(created, PullEndpoint)
    assert (created.mode, created.name, created.retention_days, created.active, created.paused) == ("pull", "orders", 3, True, False)
    assert created.secret_token and created.ingest_url
    assert hb.get_pull_endpoint(created.id).event_type_path == "type"
    assert created.id in [e.id for e in hb.list_pull_endpoints(limit=100).endpoints]
    assert hb.update_pull_endpoint(created.id, description="renamed", name=None).description == "renamed"

    for kind in ("order.created", "order.paid", "order.created"):
        assert ingest(created.ingest_url, {"type": kind}) < 300
    events = wait_until(lambda: (e := hb.list_pull_events(created.id)).events and len(e.events) == 3 and e)
    assert {e.status for e in events.events} == {"stored"}
    assert len(hb.list_pull_events(created.id, event_type="order.paid").events) == 1
    # Not by received_at: sends within the same millisecond tie.
    first = next(e for e in events.events if e.event_type == "order.created")
    second, third = sorted((e for e in events.events if e.id != first.id), key=lambda e: e.id)

    preview = hb.get_pull_event(created.id, first.id, preview=True)
    assert isinstance(preview, PullEvent) and (preview.status, preview.payload) == ("stored", {"type": "order.created"})
    fetched = hb.get_pull_event(created.id, first.id)
    assert fetched.status == "fetched" and fetched.event_type == "order.created"
    ack = hb.ack_pull_events(created.id, [first.id])
    assert isinstance(ack, AckPullEventsResponse) and ack.acknowledged == 1
    assert hb.get_pull_event(created.id, first.id, preview=True).status == "delivered"

    logs = hb.get_pull_logs(pull_endpoint_id=created.id)
    assert isinstance(logs, PullLogsResponse) and {e.event_id for e in logs.entries} == {first.id, second.id, third.id}
    assert isinstance(hb.get_pull_metrics(pull_endpoint_id=created.id), Metrics)
    series = hb.get_pull_timeseries_metrics("1h", pull_endpoint_id=created.id)
    assert isinstance(series, PullTimeSeriesMetrics) and sum(b.total for b in series.buckets) == 3

    one = hb.delete_pull_event(created.id, second.id)
    assert isinstance(one, DeleteEventResult) and (one.event_id, one.already_deleted) == (second.id, False)
    batch = hb.delete_pull_events_batch(created.id, [second.id, third.id])
    assert isinstance(batch, DeleteEventBatchResult)
    assert [(r.event_id, r.outcome) for r in batch.results] == [(second.id, "already_deleted"), (third.id, "deleted")]
    rest = hb.delete_pull_events_all(created.id, status="delivered")
    assert isinstance(rest, DeletePullEventsAllResult) and rest.deleted_event_ids == [first.id]

    paused = hb.pause_pull_endpoint(created.id)
    assert paused == PauseState(id=created.id, paused=True)
    assert ingest(created.ingest_url, {"type": "while paused"}) >= 400
    assert hb.resume_pull_endpoint(created.id).paused is False
    assert hb.delete_pull_endpoint(created.id).deleted is True
    with pytest.raises(hookbridge.NotFoundError):
        hb.get_pull_endpoint(created.id)


def test_actors_lookup_and_export_deletion(hb: Any) -> None:
    key = hb.list_api_keys()[0]
    found = hb.lookup_actors(api_key_ids=[key.key_id, "key_unknown"], user_ids=["user_1"])
    assert isinstance(found, ActorLookupResult)
    assert found.api_keys == {key.key_id: {"label": key.label}}
    assert not found.users  # no user accounts on a self-hosted server

    now = datetime.now(timezone.utc)
    export = hb.create_export(start_time=now - timedelta(days=1), end_time=now)
    assert hb.delete_export(export.id) is None
    with pytest.raises(hookbridge.NotFoundError):
        hb.get_export(export.id)
