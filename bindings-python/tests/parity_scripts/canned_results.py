"""Calls every method the official 2.0.0 added, and the shared methods whose results gained
fields, against ``argv[1]`` (a server answering canned JSON, see test_parity.py), sync or async
(``argv[2]``), and prints each result's ``repr()`` (every field's value and type, datetimes with
their tzinfo) or the error's class, code and status, as JSON. Run under the official 2.0.0 and
under ours: both must read the same answers into the same results."""

import asyncio
import json
import sys
from typing import Any

import hookbridge

CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("get_message", ("m1",), {}),
    ("get_logs", (), {}),
    ("get_message_attempts", ("m1",), {}),
    ("get_inbound_message", ("im_1",), {}),
    ("get_inbound_message_attempts", ("im_1",), {}),
    ("get_inbound_logs", (), {}),
    ("create_inbound_endpoint", (), {"mode": "cli"}),
    ("get_inbound_endpoint", ("ie_1",), {}),
    ("list_inbound_endpoints", (), {}),
    ("create_inbound_signing_key", ("ie_1",), {}),
    ("list_inbound_signing_keys", ("ie_1",), {}),
    ("delete_inbound_signing_key", ("ie_1", "isk_1"), {}),
    ("listen_inbound_endpoint", ("ie_1",), {}),
    ("delete_export", ("ex_1",), {}),
    ("delete_message", ("m1",), {}),
    ("delete_messages_batch", (["m1", "m2", "m3"],), {}),
    ("delete_messages_all", (), {}),
    ("delete_inbound_message", ("im_1",), {}),
    ("delete_inbound_messages_batch", (["im_1"],), {}),
    ("delete_inbound_messages_all", (), {}),
    ("lookup_actors", (), {"api_key_ids": ["key_1"]}),
    ("create_pull_endpoint", (), {"name": "orders"}),
    ("list_pull_endpoints", (), {}),
    ("get_pull_endpoint", ("pe_1",), {}),
    ("update_pull_endpoint", ("pe_1",), {"name": "n"}),
    ("delete_pull_endpoint", ("pe_1",), {}),
    ("pause_pull_endpoint", ("pe_1",), {}),
    ("resume_pull_endpoint", ("pe_1",), {}),
    ("list_pull_events", ("pe_1",), {}),
    ("get_pull_event", ("pe_1", "ev_1"), {}),
    ("get_pull_event", ("pe_1", "ev_2"), {"preview": True}),
    ("ack_pull_events", ("pe_1", ["ev_1"]), {}),
    ("get_pull_logs", (), {}),
    ("get_pull_metrics", (), {}),
    ("get_pull_timeseries_metrics", (), {}),
    ("delete_pull_event", ("pe_1", "ev_1"), {}),
    ("delete_pull_events_batch", ("pe_1", ["ev_1", "ev_9"]), {}),
    ("delete_pull_events_all", ("pe_1",), {}),
    ("get_pull_event", ("pe_1", "missing"), {}),
]


def failure(name: str, e: Exception) -> list[Any]:
    """An error as compared: its class, and code and status for the package's own errors."""
    return [name, "raised", type(e).__name__, getattr(e, "code", None), getattr(e, "status_code", None), str(e)]


def outcome(name: str, call: Any) -> list[Any]:
    try:
        return [name, repr(call())]
    except Exception as e:
        return failure(name, e)


def main() -> None:
    base_url, mode = sys.argv[1], sys.argv[2]
    if mode == "sync":
        client = hookbridge.HookBridge("hb_test_canned", base_url=base_url, send_url=base_url, retries=0)
        out = [outcome(name, lambda: getattr(client, name)(*args, **kwargs)) for name, args, kwargs in CALLS]
        client.close()
    else:

        async def run() -> list[Any]:
            client = hookbridge.AsyncHookBridge("hb_test_canned", base_url=base_url, send_url=base_url, retries=0)
            results = []
            for name, args, kwargs in CALLS:
                try:
                    results.append([name, repr(await getattr(client, name)(*args, **kwargs))])
                except Exception as e:
                    results.append(failure(name, e))
            await client.close()
            return results

        out = asyncio.run(run())
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
