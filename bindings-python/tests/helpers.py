"""Real local HTTP peers for the tests (a webhook receiver, a canned-answer server, a server that
never answers) and a driver that runs the async client's coroutines on one event loop."""

import asyncio
import inspect
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.02) -> Any:
    """Polls ``predicate`` until it returns something truthy; fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class Recorded:
    """One HTTP request as a peer received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)

    def json(self) -> Any:
        return json.loads(self.body)


class _Peer:
    """A threaded HTTP server on a free loopback port whose handler calls ``self.answer``."""

    def __init__(self) -> None:
        peer = self
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with peer.lock:
                    peer.requests.append(recorded)
                status, headers, payload = peer.answer(recorded)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Receiver(_Peer):
    """A webhook receiver. Paths decide the answer: ``/ok/<id>`` answers 200, ``/fail/<id>``
    answers 500, ``/flaky/<n>/<id>`` answers 500 to the first ``n`` deliveries and 200 after."""

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        parts = request.path.strip("/").split("/")
        status = 200
        if parts[0] == "fail":
            status = 500
        elif parts[0] == "flaky":
            seen = len(self.deliveries(request.path))
            status = 500 if seen <= int(parts[1]) else 200
        return status, {"Content-Type": "text/plain"}, b"ok" if status == 200 else b"boom"

    def endpoint_url(self, kind: str = "ok") -> str:
        """A fresh URL on this receiver, so each test sees only its own deliveries."""
        return f"{self.url}/{kind}/{uuid.uuid4().hex}"

    def deliveries(self, url_or_path: str) -> list[Recorded]:
        path = url_or_path.replace(self.url, "")
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def wait_for(self, url: str, count: int = 1, timeout: float = 15.0) -> list[Recorded]:
        return wait_until(lambda: len(self.deliveries(url)) >= count and self.deliveries(url), timeout)


class StubServer(_Peer):
    """Answers every request with the configured status, headers and body; records requests."""

    def __init__(self) -> None:
        self.status = 200
        self.headers: dict[str, str] = {"Content-Type": "application/json"}
        self.body = b"{}"
        super().__init__()

    def respond(self, status: int, body: Any = None, headers: Optional[dict[str, str]] = None) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        self.headers = {"Content-Type": "application/json", **(headers or {})}

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        return self.status, self.headers, self.body


class HangingServer:
    """Accepts TCP connections and never answers; counts connections and their closing."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self.closed = 0
        self.lock = threading.Lock()
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    if not conn.recv(65536):
                        break
                except OSError:
                    break
        with self.lock:
            self.closed += 1

    def close(self) -> None:
        self.running = False
        self.sock.close()


class AsyncDriver:
    """Calls the async client's coroutine methods as plain functions on one event loop."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.loop.run_until_complete(attribute(*args, **kwargs))

        return call


class CannedServer(StubServer):
    """Answers each ``(method, path)`` (query left out) with its canned JSON (an ``int`` key
    ``204`` answers no content); anything else gets 404. Records requests."""

    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        super().__init__()

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], bytes]:
        canned = self.answers.get((request.method, request.path.split("?", 1)[0]))
        if canned is None:
            return 404, self.headers, b'{"error":{"code":"NOT_FOUND","message":"no canned answer"}}'
        if canned == 204:
            return 204, {}, b""
        return 200, self.headers, json.dumps(canned).encode()
