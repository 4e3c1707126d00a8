"""Reads the same server state through whichever ``hookbridge`` this interpreter imports and
prints the results as JSON: every field of stable results (as ``repr()`` shows each value, with
its type; datetimes with their tzinfo), a type shape for results that change between two runs,
class/code/status/message for errors, and ``absent`` for a method this version does not have. Run by test_parity.py under the official
package and under ours, back to back against one server. Usage: results_dump.py URL KEY IDS_JSON."""

import dataclasses
import datetime
import json
import sys
from typing import Any

import hookbridge


def shape(value: Any) -> Any:
    """Types (not values) all the way down; datetimes keep their tzinfo."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__class__": type(value).__name__, **{f.name: shape(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, list):
        return [shape(v) for v in value[:3]]
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime):
        return f"datetime tz={value.tzinfo!r}"
    return type(value).__name__


def described(value: Any) -> Any:
    """A dataclass as its class name and fields, all the way down; other values by ``repr()``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__class__": type(value).__name__, **{f.name: described(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, list):
        return [described(v) for v in value]
    return repr(value)


def main() -> None:
    url, key, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    client = hookbridge.HookBridge(key, base_url=url, send_url=url, retries=0)
    stable = [
        ("get_message", (ids["message_id"],), {}),
        ("get_endpoint", (ids["endpoint_id"],), {}),
        ("list_endpoint_signing_keys", (ids["endpoint_id"],), {}),
        ("get_logs", (), {"limit": 3}),
        ("get_dlq_messages", (), {"limit": 3}),
        ("list_projects", (), {}),
        ("get_project", (ids["project_id"],), {}),
        ("get_usage_history", (), {}),
        ("get_invoices", (), {}),
        ("handle_stripe_webhook", ({"type": "x"},), {}),
        ("get_inbound_endpoint", (ids["inbound_endpoint_id"],), {}),
        ("list_inbound_endpoints", (), {"limit": 2}),
        ("list_exports", (), {}),
    ]
    volatile = [
        ("list_api_keys", (), {}),
        ("get_metrics", (), {}),
        ("get_timeseries_metrics", ("1h",), {}),
        ("get_subscription", (), {}),
        ("get_inbound_metrics", (), {}),
        ("list_inbound_rejections", (), {}),
        ("get_inbound_logs", (), {"limit": 2}),
    ]
    failing = [
        ("get_message", ("00000000-0000-7000-8000-000000000000",), {}),
        ("get_endpoint", ("ep_00000000000000000000000000000000",), {}),
        ("create_checkout", (), {"plan": "pro", "interval": "monthly"}),
        ("get_logs", (), {"limit": 100000}),
        ("get_metrics", ("2w",), {}),  # type: ignore[arg-type]
    ]
    out: list[Any] = []
    for kind, calls in (("repr", stable), ("shape", volatile), ("error", failing)):
        for name, args, kwargs in calls:
            if not hasattr(client, name):
                out.append([name, "absent"])
                continue
            try:
                result = getattr(client, name)(*args, **kwargs)
            except hookbridge.HookBridgeError as e:
                out.append([name, "raised", type(e).__name__, e.code, e.status_code, e.args, bool(e.request_id)])
                continue
            out.append([name, kind, described(result) if kind == "repr" else shape(result)])
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
