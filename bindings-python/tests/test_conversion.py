"""Values crossing the Rust boundary: payloads arrive at a real receiver exactly as given (no
round-trip through Python's json module on our side), and answers become the same datetimes,
dates, lists and dicts the official package builds with ``datetime.fromisoformat``."""

import json
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

import hookbridge
from helpers import Receiver, StubServer
from hookbridge import HookBridge

PAYLOADS: list[Any] = [
    {"event": "order.created", "amount": 4200, "currency": "EUR"},
    {"unicode": "café ☕ 東京 \U0001f680", "escapes": "quote\" backslash\\ newline\n tab\t nul\u0000"},
    {"ints": [0, -1, 2**53 + 1, -(2**63), 2**64 - 1], "floats": [0.1, -2.5e-300, 1e300, 3.0], "bools": [True, False], "none": None},
    {"nested": {"a": [{"b": [{"c": {"d": [1, [2, [3]]]}}]}]}, "empty": {}, "empty_list": []},
    {"z": 1, "a": 2, "m": {"y": 1, "b": 2}},
    {"tuple": (1, "two", None), "ordered": OrderedDict([("second", 2), ("first", 1)])},
]


def ordered(data: bytes) -> Any:
    """JSON with the key order kept, to compare order as well as content."""
    return json.loads(data, object_pairs_hook=lambda pairs: pairs)


def as_json_order(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, as_json_order(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [as_json_order(v) for v in value]
    return value


def test_payloads_arrive_at_the_receiver_unchanged(sync_client: HookBridge, receiver: Receiver) -> None:
    url = receiver.endpoint_url()
    endpoint = sync_client.create_endpoint(url)
    for payload in PAYLOADS:
        sync_client.send(endpoint.id, payload)
    deliveries = receiver.wait_for(url, len(PAYLOADS))
    received = {d.headers["x-webhook-id"]: d.body for d in deliveries}
    assert len(received) == len(PAYLOADS)
    bodies = sorted((ordered(b) for b in received.values()), key=repr)
    assert bodies == sorted((as_json_order(p) for p in PAYLOADS), key=repr)


def test_update_inbound_kwargs_keep_order_and_drop_none(stub: StubServer) -> None:
    stub.respond(200, {"data": {"id": "ie_1", "updated": True}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        result = client.update_inbound_endpoint("ie_1", zeta=1, alpha=None, mid={"k": [1, None]}, flag=False)
    assert (result.id, result.updated) == ("ie_1", True)
    assert ordered(stub.requests[0].body) == [("zeta", 1), ("mid", [("k", [1, None])]), ("flag", False)]


MESSAGE = {
    "id": "m1", "project_id": "p1", "endpoint_id": "ep_1", "status": "pending_retry", "attempt_count": 2, "replay_count": 0,
    "content_type": "application/json", "size_bytes": 10, "payload_sha256": "ab",
    "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2025-06-30T23:59:59.123456-05:30",
    "next_attempt_at": "2025-01-01T00:00:00.250+00:00",
    "last_error": "HTTP 500", "response_status": 500, "response_latency_ms": 12,
}  # fmt: skip


def official_datetime(text: str) -> datetime:
    """What the official package does with a timestamp."""
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def test_timestamps_become_the_same_datetimes_as_fromisoformat(stub: StubServer) -> None:
    stub.respond(200, {"data": MESSAGE, "meta": {"request_id": "r"}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        message = client.get_message("m1")
    for name in ("created_at", "updated_at", "next_attempt_at"):
        value, expected = getattr(message, name), official_datetime(MESSAGE[name])
        assert (value, value.tzinfo, value.utcoffset()) == (expected, expected.tzinfo, expected.utcoffset()), name
        assert repr(value) == repr(expected), name
    assert message.created_at.tzinfo is timezone.utc
    assert message.updated_at.utcoffset() == -timedelta(hours=5, minutes=30) and message.updated_at.microsecond == 123456
    assert message.idempotency_key is None and message.response_status == 500


def test_naive_timestamps_stay_naive_and_empty_optional_ones_are_none(stub: StubServer) -> None:
    stub.respond(200, {"data": {**MESSAGE, "created_at": "2025-01-01T10:20:30", "next_attempt_at": ""}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        message = client.get_message("m1")
    assert message.created_at == datetime(2025, 1, 1, 10, 20, 30) and message.created_at.tzinfo is None
    assert message.next_attempt_at is None


def test_dates_and_nested_lists(stub: StubServer) -> None:
    rows = [{"period_start": "2025-02-01", "period_end": "2025-02-28", "message_count": 5, "overage_count": 0, "plan_limit": None}]
    stub.respond(200, {"data": rows, "meta": {"total": 1, "limit": 12, "offset": 0, "has_more": False}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        usage = client.get_usage_history()
    assert (usage.total, usage.limit, usage.offset, usage.has_more) == (1, 12, 0, False)
    row = usage.rows[0]
    assert (type(row.period_start), row.period_start, row.period_end) == (date, date(2025, 2, 1), date(2025, 2, 28))
    assert type(row.period_start) is not datetime and row.plan_limit is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("created_at", "yesterday"), ("attempt_count", "two"), ("id", None)],
)
def test_answers_that_break_the_contract_are_invalid_responses(stub: StubServer, field: str, value: Any) -> None:
    stub.respond(200, {"data": {**MESSAGE, field: value}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        with pytest.raises(hookbridge.HookBridgeError) as raised:
            client.get_message("m1")
    assert (type(raised.value), raised.value.code, raised.value.status_code) == (hookbridge.HookBridgeError, "INVALID_RESPONSE", None)
    assert len(stub.requests) == 1  # an unreadable 2xx answer is not retried


def test_only_resume_endpoint_keeps_messages_requeued_as_the_official_sdk(stub: StubServer) -> None:
    # The core returns whatever the server says; the Python layer answers None where the
    # official SDK never reads the count (pause, and both inbound calls).
    stub.respond(200, {"data": {"id": "ep_1", "paused": True, "messages_requeued": 3}})
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        assert client.pause_endpoint("ep_1").messages_requeued is None
        assert client.pause_inbound_endpoint("ep_1").messages_requeued is None
        assert client.resume_inbound_endpoint("ep_1").messages_requeued is None
        assert client.resume_endpoint("ep_1").messages_requeued == 3


def test_options_reach_the_wire_as_one_object(stub: StubServer) -> None:
    stub.respond(200, {"data": {"id": "ie_1", "name": "n", "url": "https://x.example/h", "ingest_url": "u",
                                "secret_token": "t", "created_at": "2025-01-01T00:00:00Z"}})  # fmt: skip
    with HookBridge("hb_test_x", base_url=stub.url, retries=0) as client:
        client.create_inbound_endpoint("https://x.example/h", verify_hmac=False, allowed_cidrs=["10.0.0.0/8"])
        stub.respond(200, {"data": [], "meta": {"has_more": False}})
        client.get_logs(start_time=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc), end_time="2025-02-01", limit=5)
    body = json.loads(stub.requests[0].body)
    assert body == {"url": "https://x.example/h", "verify_hmac": False, "allowed_cidrs": ["10.0.0.0/8"]}
    logs = urlsplit(stub.requests[1].path)
    assert logs.path == "/v1/logs"
    assert parse_qsl(logs.query) == [("start_time", "2025-01-02T03:04:05+00:00"), ("end_time", "2025-02-01"), ("limit", "5")]
