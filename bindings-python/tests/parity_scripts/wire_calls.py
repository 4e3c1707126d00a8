"""Calls every API method of one official version (``argv[3]``: ``1.4.0``, the default, or
``2.0.0``) once or more, with fixed arguments, against ``argv[1]`` (a recording HTTP server that
answers ``{}``), sync or async (``argv[2]``). Run by test_parity.py under that official package
and under ours: both must put the same requests on the wire. Errors from the empty answers are
expected and ignored; retries are off so each call is exactly one request."""

import asyncio
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import hookbridge

AWARE = datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))
NAIVE = datetime(2025, 1, 1, 0, 0, 0)

CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("send", ("ep_1", {"b": [1, 2.5, True, None, "é"], "a": {"z": 1, "y": "x"}}), {"headers": {"X-B": "2", "X-A": "1"}, "idempotency_key": "key-1"}),
    ("send", ("ep_1", {}), {"headers": {}, "idempotency_key": ""}),
    ("get_message", ("m 1ü",), {}),
    ("replay", ("m1",), {}),
    ("cancel_retry", ("m1",), {}),
    ("retry_now", ("m1",), {}),
    ("replay_all_messages", (), {"status": "failed_permanent", "endpoint_id": "ep_1", "limit": 7}),
    ("replay_all_messages", (), {"status": "pending_retry"}),
    ("replay_batch_messages", (["m1", "m2"],), {}),
    ("get_logs", (), {"status": "succeeded", "start_time": AWARE, "end_time": "2025-01-02T00:00:00Z", "limit": 5, "cursor": "c+/="}),
    ("get_logs", (), {"start_time": NAIVE}),
    ("get_metrics", (), {}),
    ("get_metrics", ("7d",), {}),
    ("get_timeseries_metrics", ("1h",), {"endpoint_id": "ep_1"}),
    ("get_subscription", (), {}),
    ("get_dlq_messages", (), {"limit": 3, "cursor": "abc"}),
    ("replay_from_dlq", ("m1",), {}),
    ("list_api_keys", (), {}),
    ("create_api_key", ("test",), {"label": "ci"}),
    ("create_api_key", ("live",), {}),
    ("delete_api_key", ("key_1",), {}),
    ("list_projects", (), {}),
    ("create_project", ("p",), {"rate_limit_default": 0}),
    ("get_project", ("p1",), {}),
    ("update_project", ("p1",), {"name": "q"}),
    ("update_project", ("p1",), {"rate_limit_default": 50}),
    ("delete_project", ("p1",), {}),
    ("create_endpoint", ("https://example.com/h",), {"description": "d", "rate_limit_rps": 5, "burst": 9, "headers": {"X": "y"}}),
    ("create_endpoint", ("https://example.com/h",), {"description": "", "rate_limit_rps": 0, "headers": {}}),
    ("get_endpoint", ("ep_1",), {}),
    ("list_endpoints", (), {"limit": 2, "cursor": "n"}),
    ("update_endpoint", ("ep_1",), {"description": "", "rate_limit_rps": 0, "headers": {}}),
    ("update_endpoint", ("ep_1",), {"url": "https://example.com/x", "burst": 3}),
    ("delete_endpoint", ("ep_1",), {}),
    ("pause_endpoint", ("ep_1",), {}),
    ("resume_endpoint", ("ep_1",), {}),
    ("create_endpoint_signing_key", ("ep_1",), {}),
    ("list_endpoint_signing_keys", ("ep_1",), {}),
    ("delete_endpoint_signing_key", ("ep_1", "sk_1"), {}),
    ("rotate_endpoint_secret", ("ep_1",), {}),
    ("create_checkout", (), {"plan": "pro", "interval": "monthly"}),
    ("create_portal", (), {}),
    ("create_portal", (), {"return_url": "https://example.com/back"}),
    ("get_usage_history", (), {}),
    ("get_usage_history", (), {"limit": 3, "offset": 6}),
    ("get_invoices", (), {"starting_after": "in_1"}),
    ("handle_stripe_webhook", ({"type": "invoice.paid", "data": {"n": 1}},), {}),
    ("create_inbound_endpoint", ("https://example.com/in",), {
        "name": "n", "description": "d", "verify_static_token": True, "token_header_name": "X-T", "token_query_param": "t",
        "token_value": "v", "verify_hmac": False, "hmac_header_name": "X-S", "hmac_secret": "s", "timestamp_header_name": "X-Ts",
        "timestamp_ttl_seconds": 60, "verify_ip_allowlist": False, "allowed_cidrs": ["10.0.0.0/8"],
        "idempotency_header_names": ["X-Id"], "ingest_response_code": 202, "signing_enabled": True,
    }),
    ("create_inbound_endpoint", ("https://example.com/in",), {}),
    ("list_inbound_endpoints", (), {"limit": 1}),
    ("get_inbound_endpoint", ("ie_1",), {}),
    ("update_inbound_endpoint", ("ie_1",), {"name": "m", "verify_hmac": None, "custom_field": [1, {"a": None}]}),
    ("delete_inbound_endpoint", ("ie_1",), {}),
    ("pause_inbound_endpoint", ("ie_1",), {}),
    ("resume_inbound_endpoint", ("ie_1",), {}),
    ("replay_inbound_message", ("im_1",), {}),
    ("replay_all_inbound_messages", (), {"status": "failed_permanent", "inbound_endpoint_id": "ie_1", "limit": 2}),
    ("replay_batch_inbound_messages", (["im_1"],), {}),
    ("get_inbound_logs", (), {"status": "queued", "inbound_endpoint_id": "ie_1", "start_time": AWARE, "end_time": NAIVE, "limit": 4, "cursor": "x"}),
    ("get_inbound_metrics", (), {"inbound_endpoint_id": "ie_1"}),
    ("get_inbound_timeseries_metrics", ("30d",), {}),
    ("list_inbound_rejections", (), {"inbound_endpoint_id": "ie_1", "start_time": "2025-01-01", "end_time": AWARE, "limit": 9}),
    ("create_export", (), {"start_time": AWARE, "end_time": "2025-02-01T00:00:00Z", "status": "succeeded", "endpoint_id": "ep_1"}),
    ("create_export", (), {"start_time": NAIVE, "end_time": NAIVE}),
    ("list_exports", (), {}),
    ("get_export", ("ex_1",), {}),
    ("download_export", ("ex_1",), {}),
]

# The 1.4.0 methods that 2.0.0 dropped (a hosted-service session's project, checkout, portal).
SESSION_ONLY = {"list_projects", "create_project", "get_project", "update_project", "delete_project", "create_checkout", "create_portal"}

# Every method 2.0.0 added, and the new form of create_inbound_endpoint.
CALLS_ADDED_IN_2: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("get_message_attempts", ("m 1ü",), {}),
    ("get_inbound_message", ("im_1",), {}),
    ("get_inbound_message_attempts", ("im_1",), {}),
    ("create_inbound_endpoint", (), {"mode": "cli", "name": "local"}),
    ("create_inbound_endpoint", (None,), {"name": "n", "mode": "forward", "signing_enabled": False}),
    ("create_inbound_signing_key", ("ie_1",), {}),
    ("list_inbound_signing_keys", ("ie_1",), {}),
    ("delete_inbound_signing_key", ("ie_1", "isk_1"), {}),
    ("listen_inbound_endpoint", ("ie_1",), {}),
    ("listen_inbound_endpoint", ("ie_1",), {"after": "c+/=1"}),
    ("delete_export", ("ex_1",), {}),
    ("delete_message", ("m1",), {}),
    ("delete_messages_batch", (["m1", "m2"],), {}),
    ("delete_messages_all", (), {}),
    ("delete_messages_all", (), {"status": "failed_permanent", "endpoint_id": "ep_1", "created_after": AWARE, "created_before": "2025-02-01T00:00:00Z", "limit": 10}),
    ("delete_inbound_message", ("im_1",), {}),
    ("delete_inbound_messages_batch", (["im_1"],), {}),
    ("delete_inbound_messages_all", (), {"status": "succeeded", "inbound_endpoint_id": "ie_1", "received_after": NAIVE, "received_before": AWARE, "limit": 3}),
    ("delete_inbound_messages_all", (), {}),
    ("lookup_actors", (), {}),
    ("lookup_actors", (), {"user_ids": [], "api_key_ids": ["key_1", "key_2"]}),
    ("lookup_actors", (), {"user_ids": ["u1"], "api_key_ids": None}),
    ("create_pull_endpoint", (), {}),
    ("create_pull_endpoint", (), {
        "name": "orders", "description": "d", "retention_days": 7, "event_type_source": "body", "event_type_path": "type",
        "verify_static_token": True, "token_header_name": "X-T", "token_query_param": "t", "token_value": "v",
        "verify_hmac": False, "hmac_header_name": "X-S", "hmac_secret": "s", "timestamp_header_name": "X-Ts",
        "timestamp_ttl_seconds": 60, "verify_ip_allowlist": False, "allowed_cidrs": ["10.0.0.0/8"],
        "idempotency_header_names": ["X-Id"], "ingest_response_code": 202,
    }),
    ("list_pull_endpoints", (), {}),
    ("list_pull_endpoints", (), {"limit": 2, "cursor": "n/x"}),
    ("get_pull_endpoint", ("pe_1",), {}),
    ("update_pull_endpoint", ("pe_1",), {"name": "m", "retention_days": None, "custom_field": [1, {"a": None}]}),
    ("delete_pull_endpoint", ("pe_1",), {}),
    ("pause_pull_endpoint", ("pe_1",), {}),
    ("resume_pull_endpoint", ("pe_1",), {}),
    ("list_pull_events", ("pe_1",), {}),
    ("list_pull_events", ("pe_1",), {"status": "all", "event_type": "order.created", "since": AWARE, "before": "2025-02-01", "limit": 5, "cursor": "c"}),
    ("get_pull_event", ("pe_1", "ev_1"), {}),
    ("get_pull_event", ("pe_1", "ev_1"), {"preview": True}),
    ("ack_pull_events", ("pe_1", ["ev_1", "ev_2"]), {}),
    ("get_pull_logs", (), {}),
    ("get_pull_logs", (), {"pull_endpoint_id": "pe_1", "status": "fetched", "event_type": "t", "start_time": NAIVE, "end_time": AWARE, "limit": 4, "cursor": "x"}),
    ("get_pull_metrics", (), {}),
    ("get_pull_metrics", ("7d",), {"pull_endpoint_id": "pe_1"}),
    ("get_pull_timeseries_metrics", ("1h",), {"pull_endpoint_id": "pe_1"}),
    ("get_pull_timeseries_metrics", (), {}),
    ("delete_pull_event", ("pe_1", "ev_1"), {}),
    ("delete_pull_events_batch", ("pe_1", ["ev_1", "ev_2"]), {}),
    ("delete_pull_events_all", ("pe_1",), {}),
    ("delete_pull_events_all", ("pe_1",), {"status": "delivered", "event_type": "t", "received_after": AWARE, "received_before": NAIVE, "limit": 50}),
]

CALLS_BY_VERSION = {
    "1.4.0": CALLS,
    "2.0.0": [call for call in CALLS if call[0] not in SESSION_ONLY] + CALLS_ADDED_IN_2,
}


def main() -> None:
    base_url, mode = sys.argv[1], sys.argv[2]
    calls = CALLS_BY_VERSION[sys.argv[3] if len(sys.argv) > 3 else "1.4.0"]
    if mode == "sync":
        client = hookbridge.HookBridge("hb_test_wire", base_url=base_url, send_url=base_url, retries=0)
        for name, args, kwargs in calls:
            try:
                getattr(client, name)(*args, **kwargs)
            except Exception:
                pass
        client.close()
        return

    async def run() -> None:
        client = hookbridge.AsyncHookBridge("hb_test_wire", base_url=base_url, send_url=base_url, retries=0)
        for name, args, kwargs in calls:
            try:
                await getattr(client, name)(*args, **kwargs)
            except Exception:
                pass
        await client.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
