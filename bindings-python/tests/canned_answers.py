"""Canned API answers for the 2.0.0 result parity test (test_parity.py): every shape the
official 2.0.0 reads, with optional fields both present and left out, timestamps in UTC and at
other offsets, and nested objects (counts, timing, partial errors)."""

from typing import Any

T1 = "2025-01-02T03:04:05.123456Z"
T2 = "2025-01-02T08:34:05+05:30"

ATTEMPTS = {
    "data": [
        {
            "id": "at_1", "attempt_no": 1, "created_at": T1, "response_status": 500, "response_latency_ms": 12,
            "processing_ms": 3, "error_text": "HTTP 500", "response_headers": {"content-type": "text/plain"},
            "retry_type": "backoff", "retry_after_seconds": None, "resolved_ip": "127.0.0.1",
            "request_headers": {"x-hookbridge-signature": "v1=****"}, "dns_ms": None, "tcp_connect_ms": 1,
            "tls_handshake_ms": None, "ttfb_ms": 10, "transfer_ms": 1, "conn_reused": False,
            "response_body_url": None, "response_body_truncated": True, "unknown_future_field": 1,
        },
        {"id": "at_2", "attempt_no": 2, "created_at": T2, "response_status": 200},
    ],
    "meta": {"has_more": True},
}

MESSAGE = {
    "id": "m1", "project_id": "p1", "endpoint_id": "ep_1", "status": "succeeded", "attempt_count": 2, "replay_count": 0,
    "content_type": "application/json", "size_bytes": 0, "payload_sha256": "", "created_at": T1, "updated_at": T2,
    "deleted_at": T2, "deleted_by_api_key_id": "key_1",
}

INBOUND_MESSAGE = {
    "id": "im_1", "project_id": "p1", "inbound_endpoint_id": "ie_1", "status": "failed_permanent", "attempt_count": 3,
    "replay_count": 1, "received_at": T1, "updated_at": T2, "content_type": "application/json", "size_bytes": 17,
    "payload_sha256": "ab" * 32, "idempotency_key": None, "next_attempt_at": None, "last_error": "HTTP 503",
    "response_status": 503, "response_latency_ms": 40, "queue_wait_ms": 2, "total_delivery_ms": 900,
    "delivered_at": None, "failed_at": T2,
}

PULL_ENDPOINT = {
    "id": "pe_1", "mode": "pull", "ingest_url": "https://hooks.example/pull/pe_1", "active": True, "paused": False,
    "created_at": T1, "updated_at": T2, "name": "orders", "description": None, "retention_days": 7,
    "event_type_source": "body", "event_type_path": "type", "counts": {"stored": 1, "fetched": 2, "delivered": 3, "total": 6},
    "verify_static_token": True, "token_header_name": "X-Token", "token_query_param": None, "verify_hmac": False,
    "hmac_header_name": None, "timestamp_header_name": None, "timestamp_ttl_seconds": 300, "verify_ip_allowlist": False,
    "allowed_cidrs": [], "ingest_response_code": 202, "idempotency_header_names": ["X-Id"],
}

TIMING = {"ingest_processing_ms": 1, "time_to_fetch_ms": 200, "time_to_ack_ms": None, "total_lifecycle_ms": None}

PULL_EVENT = {
    "id": "ev_1", "status": "fetched", "content_type": "application/json", "payload": {"type": "order.created", "n": [1, 2.5]},
    "size_bytes": 30, "received_at": T1, "event_type": "order.created", "headers": {"content-type": "application/json"},
    "fetched_at": T2, "delivered_at": None, "timing": TIMING,
}


def delete_batch(key: str) -> dict[str, Any]:
    return {
        "data": {
            "results": [
                {key: "a", "outcome": "deleted", "deleted_at": T1},
                {key: "b", "outcome": "already_deleted", "deleted_at": T2},
                {key: "c", "outcome": "not_found"},
            ],
            "deleted_count": 1,
            "already_deleted_count": 1,
            "not_found_count": 1,
        }
    }


ANSWERS: dict[tuple[str, str], Any] = {
    ("GET", "/v1/messages/m1"): {"data": MESSAGE},
    ("GET", "/v1/logs"): {
        "data": [{"message_id": "m1", "endpoint": "https://r.example/h", "status": "succeeded", "attempt_count": 1, "created_at": T1, "deleted_at": T2}],
        "meta": {"has_more": False, "next_cursor": None},
    },
    ("GET", "/v1/messages/m1/attempts"): ATTEMPTS,
    ("GET", "/v1/inbound-messages/im_1"): {"data": INBOUND_MESSAGE},
    ("GET", "/v1/inbound-messages/im_1/attempts"): {"data": [], "meta": {}},
    ("GET", "/v1/inbound-logs"): {
        "data": [{"message_id": "im_1", "inbound_endpoint_id": "ie_1", "endpoint": "https://r.example/in", "status": "queued",
                  "attempt_count": 0, "received_at": T1, "deleted_at": T1}],
        "meta": {"has_more": True, "next_cursor": "n1"},
    },
    ("POST", "/v1/inbound-endpoints"): {
        "data": {"id": "ie_1", "name": "local", "mode": "cli", "ingest_url": "https://hooks.example/in/ie_1", "secret_token": "tok",
                 "created_at": T1, "signing_key_id": "isk_1", "signing_secret": "whsec_x", "key_hint": "x...y"},
    },
    ("GET", "/v1/inbound-endpoints/ie_1"): {
        "data": {"id": "ie_1", "name": "n", "url": "https://r.example/in", "active": True, "paused": False,
                 "verify_static_token": False, "verify_hmac": False, "verify_ip_allowlist": False, "ingest_response_code": 200,
                 "idempotency_header_names": [], "signing_enabled": True, "created_at": T1, "updated_at": T2},
    },
    ("GET", "/v1/inbound-endpoints"): {
        "data": [{"id": "ie_1", "name": "n", "mode": "cli", "active": True, "paused": False, "created_at": T1}],
        "meta": {"next_cursor": "next"},
    },
    ("POST", "/v1/inbound-endpoints/ie_1/signing-keys"): {
        "data": {"id": "isk_2", "signing_secret": "whsec_new", "key_hint": "a...b", "created_at": T2}
    },
    ("GET", "/v1/inbound-endpoints/ie_1/signing-keys"): {
        "data": [{"id": "isk_1", "key_hint": "x...y", "created_at": T1}, {"id": "isk_2", "key_hint": "a...b", "created_at": T2}]
    },
    ("DELETE", "/v1/inbound-endpoints/ie_1/signing-keys/isk_1"): 204,
    ("GET", "/v1/inbound-endpoints/ie_1/listen"): {
        "data": [
            {"message_id": "im_1", "content_type": "application/json", "headers": {"x-a": "1"}, "size_bytes": 9,
             "received_at": T1, "body": {"a": [1, None]}, "body_encoding": None},
            {"message_id": "im_2", "content_type": "application/octet-stream", "headers": {}, "size_bytes": 3,
             "received_at": T2, "body": "AAEC", "body_encoding": "base64"},
            {"message_id": "im_3", "content_type": "text/plain", "headers": {}, "size_bytes": 0, "received_at": T2,
             "body_error": "payload purged"},
        ],
        "meta": {"next_cursor": "im_3"},
    },
    ("DELETE", "/v1/exports/ex_1"): 204,
    ("DELETE", "/v1/messages/m1"): {"data": {"message_id": "m1", "deleted_at": T1, "already_deleted": False}},
    ("POST", "/v1/messages/delete-batch"): delete_batch("message_id"),
    ("POST", "/v1/messages/delete-all"): {
        "data": {"deleted": 2, "deleted_message_ids": ["m1", "m2"]},
        "error": {"code": "PARTIAL_DELETE_FAILURE", "message": "stopped after 2"},
    },
    ("DELETE", "/v1/inbound-messages/im_1"): {"data": {"message_id": "im_1", "deleted_at": T2, "already_deleted": True}},
    ("POST", "/v1/inbound-messages/delete-batch"): delete_batch("message_id"),
    ("POST", "/v1/inbound-messages/delete-all"): {"data": {"deleted": 0}},
    ("GET", "/v1/actors/lookup"): {"data": {"users": {}, "api_keys": {"key_1": {"label": "ci"}}}},
    ("POST", "/v1/pull-endpoints"): {"data": {**PULL_ENDPOINT, "secret_token": "pull_tok"}},
    ("GET", "/v1/pull-endpoints"): {
        "data": [{"id": "pe_1", "active": True, "paused": True, "ingest_url": "https://hooks.example/pull/pe_1", "created_at": T1}],
        "meta": {"next_cursor": ""},
    },
    ("GET", "/v1/pull-endpoints/pe_1"): {"data": {**PULL_ENDPOINT, "counts": None, "mode": "pull"}},
    ("PATCH", "/v1/pull-endpoints/pe_1"): {"data": {**PULL_ENDPOINT, "name": "n"}},
    ("DELETE", "/v1/pull-endpoints/pe_1"): {"data": {"id": "pe_1", "deleted": True}},
    ("POST", "/v1/pull-endpoints/pe_1/pause"): {"data": {"id": "pe_1", "paused": True, "messages_requeued": 0}},
    ("POST", "/v1/pull-endpoints/pe_1/resume"): {"data": {"id": "pe_1", "paused": False}},
    ("GET", "/v1/pull-endpoints/pe_1/events"): {
        "data": [
            {"id": "ev_1", "status": "stored", "size_bytes": 30, "received_at": T1, "event_type": "order.created", "timing": TIMING},
            {"id": "ev_2", "status": "delivered", "size_bytes": 0, "received_at": T2, "deleted_at": T2},
        ],
        "meta": {"has_more": True, "next_cursor": "ev_2"},
    },
    ("GET", "/v1/pull-endpoints/pe_1/events/ev_1"): {"data": PULL_EVENT},
    ("GET", "/v1/pull-endpoints/pe_1/events/ev_2"): {
        "data": {"id": "ev_2", "status": "stored", "content_type": "text/plain", "payload": "plain text", "size_bytes": 10,
                 "received_at": T2, "deleted_at": None, "deleted_by_user_id": None, "deleted_by_api_key_id": "key_1"},
    },
    ("POST", "/v1/pull-endpoints/pe_1/events/ack"): {"data": {"acknowledged": 1}},
    ("GET", "/v1/pull-logs"): {
        "data": [{"event_id": "ev_1", "pull_endpoint_id": "pe_1", "status": "fetched", "size_bytes": 30, "received_at": T1,
                  "endpoint_name": "orders", "event_type": None, "fetched_at": T2, "timing": TIMING}],
        "meta": {"has_more": False},
    },
    ("GET", "/v1/pull-metrics"): {
        "data": {"window": "24h", "total_messages": 6, "succeeded": 3, "failed": 0, "retries": 0, "success_rate": 0.5, "avg_latency_ms": 12}
    },
    ("GET", "/v1/pull-metrics/timeseries"): {
        "data": {"window": "24h", "buckets": [{"timestamp": T1, "succeeded": 1, "stored": 2, "fetched": 0, "total": 3}]}
    },
    ("DELETE", "/v1/pull-endpoints/pe_1/events/ev_1"): {"data": {"event_id": "ev_1", "deleted_at": T1, "already_deleted": False}},
    ("POST", "/v1/pull-endpoints/pe_1/events/delete-batch"): delete_batch("event_id"),
    ("POST", "/v1/pull-endpoints/pe_1/events/delete-all"): {
        "data": {"deleted": 1, "deleted_event_ids": ["ev_1"]},
        "error": {"code": "DELETE_FAILED", "message": "store unavailable"},
    },
}
