"""Drives a hookbridge-server through the OFFICIAL pure-Python SDK 2.0.0 (from PyPI), over the
routes 2.0.0 added: message attempts (after a 500, a 429 with Retry-After, and success), soft
deletion, inbound message detail, inbound signing keys, CLI-mode inbound endpoints and listen,
pull endpoints (ingest, list, read, acknowledge, delete) and actors lookup.

Every call must succeed and parse into the official dataclasses. Run by tests/compat/run.sh,
which installs the official package into its own venv and starts the server.
Usage: python official_sdk_2_flow.py <server url> <api key>
"""

import datetime
import http.server
import json
import sys
import threading
import time
import urllib.request
import uuid
from typing import Any, Callable

import hookbridge
from hookbridge import HookBridge


class Receiver(http.server.BaseHTTPRequestHandler):
    """``/ok`` answers 200; ``/flaky`` 500 then 200; ``/limited`` 429 (Retry-After: 1) then 200."""

    seen: list = []

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        earlier = sum(1 for path in Receiver.seen if path == self.path)
        Receiver.seen.append(self.path)
        if self.path == "/flaky" and earlier == 0:
            self.send_response(500)
        elif self.path == "/limited" and earlier == 0:
            self.send_response(429)
            self.send_header("Retry-After", "1")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def eventually(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Polls ``probe`` until it returns something truthy; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def ingest(url: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def attempts_and_deletion(client: HookBridge, base: str) -> None:
    for path, first_status in (("/flaky", 500), ("/limited", 429)):
        endpoint = client.create_endpoint(url=f"{base}{path}")
        sent = client.send(endpoint_id=endpoint.id, payload={"event": path})
        eventually(f"{path} delivered", lambda: client.get_message(sent.message_id).status == "succeeded")
        attempts = client.get_message_attempts(sent.message_id)
        assert isinstance(attempts, hookbridge.AttemptsResponse) and attempts.has_more is False
        assert [(a.attempt_no, a.response_status) for a in attempts.attempts] == [(1, first_status), (2, 200)], attempts
        assert all(isinstance(a.created_at, datetime.datetime) for a in attempts.attempts)
        if first_status == 429:
            assert attempts.attempts[0].retry_after_seconds == 1, attempts.attempts[0]

        deleted = client.delete_message(sent.message_id)
        assert isinstance(deleted, hookbridge.DeleteMessageResult) and deleted.already_deleted is False
        assert client.delete_message(sent.message_id).already_deleted is True
        assert client.get_message(sent.message_id).deleted_at is not None

    ok = client.create_endpoint(url=f"{base}/ok")
    ids = [client.send(endpoint_id=ok.id, payload={"n": n}).message_id for n in range(2)]
    eventually("both delivered", lambda: all(client.get_message(i).status == "succeeded" for i in ids))
    missing = str(uuid.uuid4())
    batch = client.delete_messages_batch([ids[0], missing])
    assert [r.outcome for r in batch.results] == ["deleted", "not_found"], batch
    everything = client.delete_messages_all(endpoint_id=ok.id)
    assert isinstance(everything, hookbridge.DeleteAllResult) and everything.deleted_message_ids == [ids[1]], everything
    assert any(m.deleted_at for m in client.get_logs(limit=50).messages)


def inbound(client: HookBridge, base: str) -> None:
    forward = client.create_inbound_endpoint(f"{base}/ok", name="compat-in", signing_enabled=True)
    assert forward.mode == "forward" and forward.signing_secret
    added = client.create_inbound_signing_key(forward.id)
    keys = client.list_inbound_signing_keys(forward.id)
    assert {k.id for k in keys} == {forward.signing_key_id, added.id}, keys
    client.delete_inbound_signing_key(forward.id, added.id)
    assert [k.id for k in client.list_inbound_signing_keys(forward.id)] == [forward.signing_key_id]

    assert ingest(forward.ingest_url, {"provider": "event"}) < 300
    entries = eventually("inbound log", lambda: client.get_inbound_logs(inbound_endpoint_id=forward.id).entries)
    message_id = entries[0].message_id
    message = eventually("forwarded", lambda: (m := client.get_inbound_message(message_id)).status == "succeeded" and m)
    assert isinstance(message, hookbridge.InboundMessage) and message.inbound_endpoint_id == forward.id
    assert [a.response_status for a in client.get_inbound_message_attempts(message_id).attempts] == [200]
    assert client.delete_inbound_message(message_id).already_deleted is False
    assert [r.outcome for r in client.delete_inbound_messages_batch([message_id]).results] == ["already_deleted"]
    assert client.delete_inbound_messages_all(inbound_endpoint_id=forward.id).deleted == 0
    assert client.get_inbound_endpoint(forward.id).mode == "forward"

    cli = client.create_inbound_endpoint(mode="cli", name="compat-cli")
    assert (cli.mode, cli.url) == ("cli", ""), cli
    for n in range(3):
        assert ingest(cli.ingest_url, {"n": n}) < 300
    page = eventually("3 listened", lambda: (p := client.listen_inbound_endpoint(cli.id)) and len(p.messages) == 3 and p)
    assert [m.body for m in page.messages] == [{"n": 0}, {"n": 1}, {"n": 2}], page
    assert client.listen_inbound_endpoint(cli.id, after=page.next_cursor or page.messages[-1].message_id).messages == []
    assert any(e.mode == "cli" for e in client.list_inbound_endpoints(limit=100).endpoints)


def pull(client: HookBridge) -> None:
    created = client.create_pull_endpoint(name="compat-pull", event_type_source="body", event_type_path="type")
    assert isinstance(created, hookbridge.CreatePullEndpointResponse) and created.secret_token and created.mode == "pull"
    assert client.get_pull_endpoint(created.id).name == "compat-pull"
    assert any(e.id == created.id for e in client.list_pull_endpoints(limit=100).endpoints)
    assert client.update_pull_endpoint(created.id, retention_days=2).retention_days == 2
    for kind in ("a.created", "b.created"):
        assert ingest(created.ingest_url, {"type": kind}) < 300
    events = eventually("2 events", lambda: (e := client.list_pull_events(created.id)) and len(e.events) == 2 and e)
    first = next(e for e in events.events if e.event_type == "a.created")
    assert client.get_pull_event(created.id, first.id, preview=True).status == "stored"
    event = client.get_pull_event(created.id, first.id)
    assert (event.status, event.payload) == ("fetched", {"type": "a.created"}), event
    assert client.ack_pull_events(created.id, [first.id]).acknowledged == 1
    assert len(client.get_pull_logs(pull_endpoint_id=created.id).entries) == 2
    assert client.get_pull_metrics("24h", pull_endpoint_id=created.id).total_messages >= 0
    assert sum(b.total for b in client.get_pull_timeseries_metrics("1h", pull_endpoint_id=created.id).buckets) == 2
    assert client.delete_pull_event(created.id, first.id).already_deleted is False
    batch = client.delete_pull_events_batch(created.id, [first.id])
    assert [r.outcome for r in batch.results] == ["already_deleted"], batch
    assert client.delete_pull_events_all(created.id).deleted == 1
    assert client.pause_pull_endpoint(created.id).paused is True
    assert client.resume_pull_endpoint(created.id).paused is False
    assert client.delete_pull_endpoint(created.id).deleted is True


def main() -> None:
    url, key = sys.argv[1], sys.argv[2]
    assert hookbridge.__version__ == "2.0.0", "this must run against the official package"
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{receiver.server_address[1]}"

    with HookBridge(api_key=key, base_url=url, send_url=url) as client:
        attempts_and_deletion(client, base)
        inbound(client, base)
        pull(client)
        api_key = client.list_api_keys()[0]
        actors = client.lookup_actors(api_key_ids=[api_key.key_id], user_ids=["user_1"])
        assert actors.api_keys == {api_key.key_id: {"label": api_key.label}} and not actors.users, actors
        now = datetime.datetime.now(datetime.timezone.utc)
        export = client.create_export(start_time=now - datetime.timedelta(days=1), end_time=now)
        client.delete_export(export.id)
    receiver.shutdown()
    print("official SDK 2.0.0 compatibility flow: all calls succeeded")


if __name__ == "__main__":
    main()
