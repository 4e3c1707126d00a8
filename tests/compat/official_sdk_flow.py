"""Drives a hookbridge-server through the OFFICIAL pure-Python SDK (hookbridge==1.4.0 from PyPI).

Every call must succeed and parse into the official dataclasses. Run by tests/compat/run.sh,
which installs the official package into its own venv and starts the server.
Usage: python official_sdk_flow.py <server url> <api key>
"""

import datetime
import http.server
import sys
import threading
import time

import hookbridge
from hookbridge import HookBridge


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers 200 on /ok and 400 on /reject; records webhook ids."""

    seen: list = []

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        Receiver.seen.append((self.path, self.headers.get("X-Webhook-Id")))
        self.send_response(200 if self.path == "/ok" else 400)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def wait_status(client: HookBridge, message_id: str, want: str, timeout: float = 20.0) -> hookbridge.Message:
    deadline = time.time() + timeout
    while True:
        message = client.get_message(message_id)
        if message.status == want:
            return message
        if time.time() > deadline:
            raise AssertionError(f"{message_id} is {message.status}, expected {want}")
        time.sleep(0.05)


def main() -> None:
    url, key = sys.argv[1], sys.argv[2]
    assert hookbridge.__version__ == "1.4.0", "this must run against the official package"
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{receiver.server_address[1]}"

    with HookBridge(api_key=key, base_url=url, send_url=url) as client:
        endpoint = client.create_endpoint(url=f"{base}/ok", description="official sdk compat")
        assert endpoint.signing_secret.startswith("whsec_")
        assert client.get_endpoint(endpoint.id).paused is False
        assert any(e.id == endpoint.id for e in client.list_endpoints(limit=10).endpoints)

        sent = client.send(endpoint_id=endpoint.id, payload={"event": "compat.test"}, headers={"X-Compat": "1"})
        assert sent.status == "queued"
        delivered = wait_status(client, sent.message_id, "succeeded")
        assert delivered.attempt_count == 1 and isinstance(delivered.created_at, datetime.datetime)

        logs = client.get_logs(limit=10)
        assert any(m.message_id == sent.message_id for m in logs.messages)
        logs_since = client.get_logs(status="succeeded", start_time=datetime.datetime(2020, 1, 1), limit=5)
        assert isinstance(logs_since.has_more, bool)
        metrics = client.get_metrics("24h")
        assert metrics.total_messages >= 1 and 0.0 <= metrics.success_rate <= 1.0
        series = client.get_timeseries_metrics("1h")
        assert len(series.buckets) > 0

        rejecting = client.create_endpoint(url=f"{base}/reject")
        failed = client.send(endpoint_id=rejecting.id, payload={"event": "will.fail"})
        wait_status(client, failed.message_id, "failed_permanent")
        dlq = client.get_dlq_messages(limit=10)
        assert any(m.message_id == failed.message_id for m in dlq.messages)
        client.replay_from_dlq(failed.message_id)
        client.replay(sent.message_id)
        assert client.get_message(sent.message_id).replay_count == 1
        client.update_endpoint(endpoint.id, description="updated")
        keys = client.list_api_keys()
        assert len(keys) >= 1
        subscription = client.get_subscription()
        assert subscription.plan
        client.delete_endpoint(rejecting.id)
    receiver.shutdown()
    print("official SDK compatibility flow: all calls succeeded")


if __name__ == "__main__":
    main()
