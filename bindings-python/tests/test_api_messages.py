"""Sending, messages, replay, retries, the dead letter queue, logs and metrics: every call made
against a real server by each client kind (sync, asyncio, uvloop), with real deliveries to a
local receiver whose signatures are verified."""

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

import hookbridge
from helpers import Receiver, wait_until
from hookbridge import (
    DLQMessagesResponse,
    LogsResponse,
    Message,
    MessageSummary,
    Metrics,
    ReplayAllMessagesResponse,
    ReplayBatchMessagesResponse,
    ReplayBatchResult,
    SendWebhookResponse,
    TimeSeriesBucket,
    TimeSeriesMetrics,
)


def status_of(hb: Any, message_id: str) -> str:
    status: str = hb.get_message(message_id).status
    return status


def settled(hb: Any, message_id: str, status: str) -> Message:
    wait_until(lambda: status_of(hb, message_id) == status)
    message: Message = hb.get_message(message_id)
    return message


def test_send_deliver_and_get_message(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    endpoint = hb.create_endpoint(url)
    payload = {"event": "order.created", "data": {"id": "ord_1", "amount": 4200, "tags": ["a", "é"], "paid": True, "note": None}}
    sent = hb.send(endpoint.id, payload, headers={"X-Tenant": "t1"}, idempotency_key="order-1")
    assert isinstance(sent, SendWebhookResponse)
    assert sent.status == "queued" and len(sent.message_id) == 36

    delivery = receiver.wait_for(url)[0]
    assert delivery.json() == payload
    assert delivery.headers["x-tenant"] == "t1"
    assert delivery.headers["x-webhook-id"] == sent.message_id
    hookbridge.verify_webhook(delivery.body, delivery.headers["x-webhook-signature"], delivery.headers["x-webhook-timestamp"], endpoint.signing_secret)

    message = settled(hb, sent.message_id, "succeeded")
    assert isinstance(message, Message)
    assert (message.id, message.endpoint_id, message.idempotency_key) == (sent.message_id, endpoint.id, "order-1")
    assert message.attempt_count == 1 and message.replay_count == 0
    assert message.content_type == "application/json" and message.size_bytes == len(delivery.body)
    assert len(message.payload_sha256) == 64
    assert message.response_status == 200 and isinstance(message.response_latency_ms, int)
    for moment in (message.created_at, message.updated_at):
        assert isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
        assert abs(datetime.now(timezone.utc) - moment) < timedelta(minutes=5)
    assert message.next_attempt_at is None and message.last_error is None


def test_idempotent_send_returns_the_original_message(hb: Any, receiver: Receiver) -> None:
    endpoint = hb.create_endpoint(receiver.endpoint_url())
    first = hb.send(endpoint.id, {"n": 1}, idempotency_key="same-key")
    again = hb.send(endpoint.id, {"n": 1}, idempotency_key="same-key")
    assert again.message_id == first.message_id
    with pytest.raises(hookbridge.IdempotencyError) as raised:
        hb.send(endpoint.id, {"n": 2}, idempotency_key="same-key")
    error = raised.value
    assert (error.code, error.status_code) == ("IDEMPOTENCY_MISMATCH", 409)
    assert error.request_id and str(error).endswith(f"code=IDEMPOTENCY_MISMATCH request_id={error.request_id}")


def test_replay_until_the_limit(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    endpoint = hb.create_endpoint(url)
    sent = hb.send(endpoint.id, {"replay": True})
    settled(hb, sent.message_id, "succeeded")
    for n in range(1, 11):
        assert hb.replay(sent.message_id) is None
        receiver.wait_for(url, n + 1)
        message = settled(hb, sent.message_id, "succeeded")
        assert message.replay_count == n
    with pytest.raises(hookbridge.ReplayLimitError) as raised:
        hb.replay(sent.message_id)
    assert (raised.value.code, raised.value.status_code) == ("REPLAY_LIMIT_EXCEEDED", 429)
    assert not hasattr(raised.value, "retry_after")


def test_retry_now_cancel_retry_and_the_dead_letter_queue(hb: Any, receiver: Receiver) -> None:
    flaky_url = receiver.endpoint_url("flaky/1")
    flaky = hb.create_endpoint(flaky_url)
    first = hb.send(flaky.id, {"try": "again"})
    pending = settled(hb, first.message_id, "pending_retry")
    assert pending.next_attempt_at is not None and pending.next_attempt_at.tzinfo is not None
    assert pending.response_status == 500 and pending.last_error
    assert hb.retry_now(first.message_id) is None
    assert settled(hb, first.message_id, "succeeded").attempt_count == 2

    failing = hb.create_endpoint(receiver.endpoint_url("fail"))
    doomed = hb.send(failing.id, {"will": "fail"})
    settled(hb, doomed.message_id, "pending_retry")
    assert hb.cancel_retry(doomed.message_id) is None
    assert status_of(hb, doomed.message_id) == "failed_permanent"

    dlq = hb.get_dlq_messages(limit=100)
    assert isinstance(dlq, DLQMessagesResponse) and isinstance(dlq.has_more, bool)
    entry = next(m for m in dlq.messages if m.message_id == doomed.message_id)
    assert isinstance(entry, MessageSummary) and entry.status == "failed_permanent" and entry.endpoint == failing.url
    assert hb.replay_from_dlq(doomed.message_id) is None
    # Re-queued: delivered again, failing again, so back to a pending retry.
    assert settled(hb, doomed.message_id, "pending_retry").attempt_count >= 2
    hb.cancel_retry(doomed.message_id)


def test_replay_all_and_batch(hb: Any, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    endpoint = hb.create_endpoint(url)
    ids = [hb.send(endpoint.id, {"i": i}).message_id for i in range(3)]
    for message_id in ids:
        settled(hb, message_id, "succeeded")
    batch = hb.replay_batch_messages(ids[:2] + ["00000000-0000-7000-8000-000000000000"])
    assert isinstance(batch, ReplayBatchMessagesResponse)
    assert (batch.replayed, batch.failed, batch.stuck) == (2, 1, 0)
    assert [r.message_id for r in batch.results][:2] == ids[:2]
    assert all(isinstance(r, ReplayBatchResult) for r in batch.results)
    assert batch.results[2].status == "failed" and batch.results[2].error
    receiver.wait_for(url, 5)

    failing = hb.create_endpoint(receiver.endpoint_url("fail"))
    doomed = hb.send(failing.id, {"x": 1}).message_id
    settled(hb, doomed, "pending_retry")
    hb.cancel_retry(doomed)
    result = hb.replay_all_messages(status="failed_permanent", endpoint_id=failing.id, limit=10)
    assert isinstance(result, ReplayAllMessagesResponse)
    assert result.replayed == 1 and result.replayed_message_ids == [doomed]
    assert isinstance(result.stuck_message_ids, list) and result.failed == 0


def test_logs_with_filters_and_pagination(hb: Any, receiver: Receiver) -> None:
    endpoint = hb.create_endpoint(receiver.endpoint_url())
    ids = [hb.send(endpoint.id, {"log": i}).message_id for i in range(3)]
    for message_id in ids:
        settled(hb, message_id, "succeeded")
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    page = hb.get_logs(status="succeeded", start_time=since, end_time=(datetime.now(timezone.utc) + timedelta(minutes=1)).isoformat(), limit=2)
    assert isinstance(page, LogsResponse) and len(page.messages) == 2
    assert page.has_more is True and page.next_cursor
    assert all(isinstance(m, MessageSummary) and m.status == "succeeded" for m in page.messages)
    assert all(m.delivered_at is not None and m.delivered_at.tzinfo is not None for m in page.messages)
    rest = hb.get_logs(status="succeeded", start_time=since, limit=2, cursor=page.next_cursor)
    seen = {m.message_id for m in page.messages} | {m.message_id for m in rest.messages}
    assert ids[-1] in {m.message_id for m in page.messages} and len(seen) == len(page.messages) + len(rest.messages)
    future = hb.get_logs(start_time="2999-01-01T00:00:00Z")
    assert future.messages == [] and future.has_more is False


def test_metrics_and_timeseries(hb: Any, receiver: Receiver) -> None:
    endpoint = hb.create_endpoint(receiver.endpoint_url())
    settled(hb, hb.send(endpoint.id, {"m": 1}).message_id, "succeeded")
    for window in ("1h", "24h", "7d", "30d"):
        metrics = hb.get_metrics(window)
        assert isinstance(metrics, Metrics) and metrics.window == window
        assert metrics.total_messages >= metrics.succeeded >= 1 and isinstance(metrics.success_rate, float)
        assert 0.0 < metrics.success_rate <= 1.0 and isinstance(metrics.avg_latency_ms, int)
    assert hb.get_metrics().window == "24h"
    series = hb.get_timeseries_metrics("1h", endpoint_id=endpoint.id)
    assert isinstance(series, TimeSeriesMetrics) and series.window == "1h" and series.buckets
    assert all(isinstance(b, TimeSeriesBucket) and b.timestamp.tzinfo is not None for b in series.buckets)
    assert sum(b.total for b in series.buckets) == 1 and sum(b.succeeded for b in series.buckets) == 1
    assert hb.get_timeseries_metrics().window == "24h"


def test_usage_history_rows_are_dates(hb: Any) -> None:
    usage = hb.get_usage_history(limit=2, offset=0)
    assert usage.limit == 2 and usage.offset == 0 and usage.total >= 1
    row = usage.rows[0]
    assert type(row.period_start) is date and type(row.period_end) is date and row.period_start <= row.period_end
    assert row.message_count >= 0 and row.overage_count >= 0
