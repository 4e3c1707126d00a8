"""HookBridge end to end, in one script.

Runs against a local `hookbridge-server` (started by scripts/demo.sh): creates an endpoint that
points at a receiver in this process, sends webhooks through the Python SDK, verifies every
delivery's signature on the receiving side, prints message statuses, logs and metrics, and then
shows guaranteed delivery: a receiver that fails its first two requests still gets every
message once it recovers.
"""

from __future__ import annotations

import http.server
import os
import sys
import threading
import time

import hookbridge
from hookbridge import HookBridge


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver that verifies each delivery against the endpoint's secret."""

    def __init__(self, fail_first: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret = ""
        self.fail_first = fail_first
        self.verified: list[str] = []
        self.failures_sent = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/webhooks"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            if self.server.failures_sent < self.server.fail_first:
                self.server.failures_sent += 1
                self.send_response(503)
                self.end_headers()
                return
        try:
            hookbridge.verify_webhook(
                body,
                self.headers.get("X-Webhook-Signature", ""),
                self.headers.get("X-Webhook-Timestamp", ""),
                self.server.secret,
            )
        except hookbridge.WebhookVerificationError as error:
            print(f"  receiver: REJECTED {self.headers.get('X-Webhook-Id')}: {error}")
            self.send_response(401)
            self.end_headers()
            return
        with self.server.lock:
            self.server.verified.append(self.headers.get("X-Webhook-Id", ""))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def wait_until(predicate, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise SystemExit("demo: timed out waiting for deliveries")
        time.sleep(0.05)


def main() -> None:
    url = os.environ["HOOKBRIDGE_BASE_URL"]
    api_key = os.environ["HOOKBRIDGE_API_KEY"]
    client = HookBridge(api_key=api_key, base_url=url, send_url=url)

    print("1. Create an endpoint pointing at a local receiver")
    receiver = Receiver()
    endpoint = client.create_endpoint(url=receiver.url, description="demo receiver")
    receiver.secret = endpoint.signing_secret
    print(f"   endpoint {endpoint.id}, signing secret {endpoint.signing_secret[:10]}…")

    print("2. Send 5 webhooks")
    sent = [
        client.send(endpoint.id, {"event": "order.created", "order_id": f"ord_{n}", "amount": 10 * n})
        for n in range(1, 6)
    ]
    for result in sent:
        print(f"   sent {result.message_id} ({result.status})")
    wait_until(lambda: len(receiver.verified) == len(sent))
    print(f"3. The receiver verified {len(receiver.verified)} of {len(sent)} signatures")
    for result in sent:
        message = client.get_message(result.message_id)
        print(f"   {message.id}: {message.status}, attempts={message.attempt_count}, HTTP {message.response_status}")

    print("4. Guaranteed delivery: a receiver that fails its first 2 requests, then recovers")
    flaky = Receiver(fail_first=2)
    flaky_endpoint = client.create_endpoint(url=flaky.url, description="flaky receiver")
    flaky.secret = flaky_endpoint.signing_secret
    flaky_sent = [client.send(flaky_endpoint.id, {"event": "invoice.paid", "n": n}) for n in range(3)]
    wait_until(lambda: flaky.failures_sent == 2)
    states = [client.get_message(r.message_id).status for r in flaky_sent]
    print(f"   after the failures: {states}")
    wait_until(lambda: len(flaky.verified) == len(flaky_sent))
    for result in flaky_sent:
        message = client.get_message(result.message_id)
        print(f"   {message.id}: {message.status} after {message.attempt_count} attempt(s)")

    print("5. Delivery logs and metrics")
    logs = client.get_logs(limit=5)
    for entry in logs.messages:
        print(f"   log: {entry.message_id} {entry.status} attempts={entry.attempt_count} latency={entry.response_latency_ms} ms")
    metrics = client.get_metrics("1h")
    print(
        f"   metrics (1h): total={metrics.total_messages} succeeded={metrics.succeeded} "
        f"retries={metrics.retries} success_rate={metrics.success_rate * 100:.1f}% avg_latency={metrics.avg_latency_ms} ms"
    )
    client.close()
    ok = len(receiver.verified) == len(sent) and len(flaky.verified) == len(flaky_sent)
    print("demo finished: every webhook delivered and verified" if ok else "demo FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
