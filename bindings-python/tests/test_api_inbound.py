"""Inbound endpoints, inbound messages, their logs, metrics and rejections: every call made
against a real server by each client kind, with real ingest requests forwarded to a receiver."""

import json
import urllib.error
import urllib.request
from typing import Any, Optional

import pytest

import hookbridge
from helpers import Receiver, wait_until
from hookbridge import (
    CreateInboundEndpointResponse,
    DeleteResult,
    InboundEndpoint,
    InboundEndpointSummary,
    InboundLogEntry,
    InboundLogsResponse,
    InboundMetrics,
    InboundRejection,
    InboundRejectionsResponse,
    ListInboundEndpointsResponse,
    PauseState,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    ReplayMessageResponse,
    TimeSeriesMetrics,
    UpdateResult,
)


def ingest(url: str, body: dict[str, Any], headers: Optional[dict[str, str]] = None) -> int:
    """POSTs a provider webhook to an ingest URL; returns the HTTP status."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_inbound_endpoint_lifecycle(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = hb.create_inbound_endpoint(
        url,
        name="stripe-in",
        description="from stripe",
        verify_static_token=True,
        token_header_name="X-Token",
        token_value="s3cret",
        idempotency_header_names=["X-Event-Id"],
        ingest_response_code=202,
        signing_enabled=True,
    )
    assert isinstance(created, CreateInboundEndpointResponse)
    assert (created.name, created.url) == ("stripe-in", url)
    assert created.secret_token and created.secret_token in created.ingest_url
    assert created.created_at.tzinfo is not None

    endpoint = hb.get_inbound_endpoint(created.id)
    assert isinstance(endpoint, InboundEndpoint)
    assert (endpoint.name, endpoint.description, endpoint.url) == ("stripe-in", "from stripe", url)
    assert (endpoint.active, endpoint.paused, endpoint.verify_static_token, endpoint.verify_hmac) == (True, False, True, False)
    assert endpoint.ingest_response_code == 202 and endpoint.idempotency_header_names == ["X-Event-Id"]
    assert endpoint.signing_enabled is True and endpoint.updated_at >= endpoint.created_at

    updated = hb.update_inbound_endpoint(created.id, name="renamed", description=None, ingest_response_code=200)
    assert isinstance(updated, UpdateResult) and (updated.id, updated.updated) == (created.id, True)
    after = hb.get_inbound_endpoint(created.id)
    assert (after.name, after.description, after.ingest_response_code) == ("renamed", "from stripe", 200)

    listed = hb.list_inbound_endpoints(limit=100)
    assert isinstance(listed, ListInboundEndpointsResponse) and listed.has_more == bool(listed.next_cursor)
    summary = next(e for e in listed.endpoints if e.id == created.id)
    assert isinstance(summary, InboundEndpointSummary) and summary.name == "renamed" and summary.active

    paused = hb.pause_inbound_endpoint(created.id)
    assert isinstance(paused, PauseState) and paused.paused is True and paused.messages_requeued is None
    assert ingest(created.ingest_url, {"while": "paused"}, {"X-Token": "s3cret"}) >= 400
    resumed = hb.resume_inbound_endpoint(created.id)
    assert resumed.paused is False and resumed.messages_requeued is None

    deleted = hb.delete_inbound_endpoint(created.id)
    assert isinstance(deleted, DeleteResult) and deleted.deleted is True and deleted.id in (None, created.id)


def test_inbound_messages_logs_replay_and_rejections(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    created = hb.create_inbound_endpoint(url, name="in", verify_static_token=True, token_header_name="X-Token", token_value="t0k")
    assert ingest(created.ingest_url, {"provider": "event", "n": 1}, {"X-Token": "t0k"}) < 300
    forwarded = receiver.wait_for(url)[0]
    assert forwarded.json() == {"provider": "event", "n": 1}

    logs = wait_until(lambda: (page := hb.get_inbound_logs(inbound_endpoint_id=created.id, limit=10)).entries and page.entries[0].status == "succeeded" and page)
    assert isinstance(logs, InboundLogsResponse) and isinstance(logs.has_more, bool)
    entry = logs.entries[0]
    assert isinstance(entry, InboundLogEntry) and entry.inbound_endpoint_id == created.id and entry.endpoint == url
    assert entry.received_at.tzinfo is not None and entry.attempt_count >= 1
    assert hb.get_inbound_logs(status="succeeded", inbound_endpoint_id=created.id, start_time="2000-01-01T00:00:00Z").entries

    replayed = hb.replay_inbound_message(entry.message_id)
    assert isinstance(replayed, ReplayMessageResponse) and replayed.message_id == entry.message_id
    receiver.wait_for(url, 2)
    wait_until(lambda: hb.get_inbound_logs(inbound_endpoint_id=created.id).entries[0].status == "succeeded")
    batch = hb.replay_batch_inbound_messages([entry.message_id])
    assert isinstance(batch, ReplayBatchMessagesResponse) and batch.replayed + batch.stuck == 1
    receiver.wait_for(url, 3)
    wait_until(lambda: hb.get_inbound_logs(inbound_endpoint_id=created.id).entries[0].status == "succeeded")
    everything = hb.replay_all_inbound_messages(status="failed_permanent", inbound_endpoint_id=created.id, limit=10)
    assert isinstance(everything, ReplayAllMessagesResponse) and everything.replayed == 0

    assert ingest(created.ingest_url, {"bad": "token"}, {"X-Token": "wrong"}) >= 400
    rejections = wait_until(lambda: hb.list_inbound_rejections(inbound_endpoint_id=created.id).entries)
    assert all(isinstance(r, InboundRejection) for r in rejections)
    assert rejections[0].reason_code == "static_token_failed" and rejections[0].received_at.tzinfo is not None
    page = hb.list_inbound_rejections(inbound_endpoint_id=created.id, limit=1)
    assert isinstance(page, InboundRejectionsResponse) and len(page.entries) == 1

    metrics = hb.get_inbound_metrics("24h", inbound_endpoint_id=created.id)
    assert isinstance(metrics, InboundMetrics) and metrics.window == "24h"
    assert metrics.total_messages >= 1 and metrics.succeeded >= 1 and isinstance(metrics.avg_delivery_time_ms, int)
    series = hb.get_inbound_timeseries_metrics("1h", inbound_endpoint_id=created.id)
    assert isinstance(series, TimeSeriesMetrics) and sum(b.total for b in series.buckets) >= 1
    hb.delete_inbound_endpoint(created.id)
    with pytest.raises(hookbridge.NotFoundError):
        hb.replay_inbound_message("00000000-0000-7000-8000-000000000000")
