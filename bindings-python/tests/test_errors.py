"""Exceptions raised from real failures: the server's 401/404/409/429 answers, and local HTTP
peers for 5xx, rate limits, unreadable answers, refused connections and timeouts; plus the
retry loop (attempts and backoff) that precedes them."""

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import hookbridge
from conftest import CLIENT_KINDS, Server, uvloop
from helpers import AsyncDriver, HangingServer, StubServer
from hookbridge import AsyncHookBridge, HookBridge

Factory = Callable[..., Any]


@pytest.fixture(params=CLIENT_KINDS)
def make_client(request: pytest.FixtureRequest) -> Iterator[Factory]:
    """Builds clients of one kind (sync, asyncio or uvloop) for any URL."""
    loops: list[asyncio.AbstractEventLoop] = []

    def factory(api_key: str, url: str, **options: Any) -> Any:
        if request.param == "sync":
            return HookBridge(api_key, base_url=url, send_url=url, **options)
        loop = uvloop.new_event_loop() if request.param == "uvloop" else asyncio.new_event_loop()
        loops.append(loop)
        return AsyncDriver(AsyncHookBridge(api_key, base_url=url, send_url=url, **options), loop)

    yield factory
    for loop in loops:
        loop.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bad_api_key_is_an_authentication_error(make_client: Factory, server: Server) -> None:
    client = make_client("hb_test_wrong0000000000000000000000000000", server.url)
    with pytest.raises(hookbridge.AuthenticationError) as raised:
        client.list_api_keys()
    error = raised.value
    assert (error.code, error.status_code) == ("UNAUTHORIZED", 401)
    assert error.request_id and error.args[0] and str(error) == f"{error.args[0]} code=UNAUTHORIZED request_id={error.request_id}"


def test_unknown_message_is_not_found(make_client: Factory, server: Server) -> None:
    client = make_client(server.api_key, server.url)
    with pytest.raises(hookbridge.NotFoundError) as raised:
        client.get_message("00000000-0000-7000-8000-000000000000")
    assert (raised.value.code, raised.value.status_code) == ("NOT_FOUND", 404) and raised.value.request_id


def test_server_validation_errors_are_plain_hookbridge_errors(make_client: Factory, server: Server) -> None:
    client = make_client(server.api_key, server.url)
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        client.get_metrics("2w")
    assert type(raised.value) is hookbridge.HookBridgeError
    assert raised.value.status_code == 400 and raised.value.code and raised.value.code != "UNKNOWN_ERROR"


def test_5xx_is_retried_then_raised_with_the_server_code(make_client: Factory, stub: StubServer) -> None:
    stub.respond(503, {"error": {"code": "UNAVAILABLE", "message": "try later"}, "meta": {"request_id": "req_5"}})
    client = make_client("hb_test_x", stub.url, retries=2)
    started = time.monotonic()
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        client.get_subscription()
    elapsed = time.monotonic() - started
    assert type(raised.value) is hookbridge.HookBridgeError
    assert (raised.value.code, raised.value.status_code, raised.value.request_id) == ("UNAVAILABLE", 503, "req_5")
    assert str(raised.value) == "try later code=UNAVAILABLE request_id=req_5"
    assert len(stub.requests) == 3  # first attempt + 2 retries
    gaps = [b.at - a.at for a, b in zip(stub.requests, stub.requests[1:])]
    assert gaps[0] >= 0.09 and gaps[1] >= 0.19 and elapsed < 5  # 0.1 s then 0.2 s backoff


def test_non_json_5xx_body(make_client: Factory, stub: StubServer) -> None:
    stub.respond(502, b"<html>bad gateway</html>", {"Content-Type": "text/html"})
    client = make_client("hb_test_x", stub.url, retries=0)
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        client.get_message("m")
    assert (raised.value.code, raised.value.status_code, raised.value.args) == ("UNKNOWN_ERROR", 502, ("HTTP 502",))


def test_rate_limit_carries_retry_after_and_is_not_retried(make_client: Factory, stub: StubServer) -> None:
    stub.respond(429, {"error": {"code": "RATE_LIMITED", "message": "slow down"}}, {"Retry-After": "7"})
    client = make_client("hb_test_x", stub.url, retries=3)
    with pytest.raises(hookbridge.RateLimitError) as raised:
        client.send("ep_1", {"a": 1})
    assert (raised.value.code, raised.value.status_code, raised.value.retry_after) == ("RATE_LIMIT_EXCEEDED", 429, 7)
    assert len(stub.requests) == 1


def test_unreadable_success_answer_is_an_invalid_response(make_client: Factory, stub: StubServer) -> None:
    stub.respond(200, {"data": {"message_id": "m"}})
    client = make_client("hb_test_x", stub.url, retries=3)
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        client.send("ep_1", {"a": 1})
    assert (type(raised.value), raised.value.code, raised.value.status_code) == (hookbridge.HookBridgeError, "INVALID_RESPONSE", None)
    assert "status" in str(raised.value) and len(stub.requests) == 1


def test_redirect_without_location_on_download(make_client: Factory, stub: StubServer) -> None:
    stub.respond(302, b"")
    client = make_client("hb_test_x", stub.url, retries=0)
    with pytest.raises(hookbridge.HookBridgeError) as raised:
        client.download_export("ex_1")
    assert (raised.value.code, raised.value.args[0], raised.value.status_code) == ("INVALID_REDIRECT", "Missing redirect location", None)
    stub.respond(302, b"", {"Location": "https://files.example.com/ex_1.jsonl?sig=abc"})
    assert client.download_export("ex_1") == "https://files.example.com/ex_1.jsonl?sig=abc"


def test_refused_connection_is_a_network_error(make_client: Factory) -> None:
    client = make_client("hb_test_x", f"http://127.0.0.1:{free_port()}", retries=1)
    with pytest.raises(hookbridge.NetworkError) as raised:
        client.get_message("m")
    assert (raised.value.code, raised.value.status_code, raised.value.request_id) == ("NETWORK_ERROR", None, None)
    # The official wording (sync: "[Errno 111] Connection refused", async: "All connection
    # attempts failed"); the full cause is in `detail`.
    assert "refused" in raised.value.detail.lower()


def test_stopped_server_is_a_network_error(make_client: Factory) -> None:
    running = Server()
    client = make_client(running.api_key, running.url, retries=0)
    assert isinstance(client.get_subscription(), hookbridge.Subscription)
    running.stop()
    with pytest.raises(hookbridge.NetworkError):
        client.get_subscription()


def test_timeout_is_retried_then_raised(make_client: Factory, hanging: HangingServer) -> None:
    client = make_client("hb_test_x", hanging.url, timeout=0.2, retries=1)
    started = time.monotonic()
    with pytest.raises(hookbridge.TimeoutError) as raised:
        client.get_message("m")
    elapsed = time.monotonic() - started
    assert (raised.value.code, raised.value.status_code, raised.value.args) == ("TIMEOUT", None, ("Request timed out",))
    assert 0.45 <= elapsed < 3  # two 0.2 s attempts and a 0.1 s pause
    assert hanging.accepted >= 2
