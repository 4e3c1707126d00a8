"""httpx mode: while pytest-httpx (or respx) patches httpx's transports, requests go through httpx
so the mock sees them as it sees the official package's; the core still retries, maps errors and
parses. Backoff waits go through ``hookbridge.client.time.sleep`` / ``asyncio.sleep``."""

import asyncio
import json

import httpx
import pytest
from pytest_httpx import HTTPXMock

from hookbridge import AsyncHookBridge, HookBridge, NetworkError, NotFoundError, TimeoutError, _httpx_mode

BASE = "http://127.0.0.1:9"  # nothing listens there: only the mock can answer
KEY = "hb_test_httpxmode"
MESSAGE = {
    "data": {
        "id": "m1", "project_id": "p", "endpoint_id": "ep", "status": "queued", "attempt_count": 0,
        "replay_count": 0, "content_type": "application/json", "size_bytes": 2, "payload_sha256": "x",
        "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
    }
}
ERROR_500 = {"error": {"code": "INTERNAL", "message": "boom"}}


def official_headers(request: httpx.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def test_detection_follows_the_patch(httpx_mock: HTTPXMock) -> None:
    assert _httpx_mode.patched(False) and _httpx_mode.patched(True)


def test_detection_is_off_without_a_mock() -> None:
    assert not _httpx_mode.patched(False) and not _httpx_mode.patched(True)


def test_the_mock_sees_the_official_request(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/v1/webhooks/send", json={"data": {"message_id": "m1", "status": "queued"}})
    httpx_mock.add_response(method="POST", url=f"{BASE}/v1/messages/m1/replay", status_code=204)
    httpx_mock.add_response(method="GET", url=f"{BASE}/v1/logs?status=failed&limit=5", json={"data": [], "meta": {"has_more": False}})
    with HookBridge(KEY, base_url=BASE, send_url=BASE, timeout=12.5) as client:
        assert client.send("ep_1", {"é": [1, 2]}, idempotency_key="k").message_id == "m1"
        client.replay("m1")
        assert client.get_logs(status="failed", limit=5).messages == []
    send, replay, logs = httpx_mock.get_requests()
    assert json.loads(send.content) == {"endpoint_id": "ep_1", "payload": {"é": [1, 2]}, "idempotency_key": "k"}
    headers = official_headers(send)
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["content-type"] == "application/json" and headers["accept"] == "application/json"
    assert headers["user-agent"] == "hookbridge-python/1.2.0"
    assert headers["accept-encoding"] == "gzip, deflate"
    assert headers["content-length"] == str(len(send.content))
    assert official_headers(replay)["content-length"] == "0" and replay.content == b""
    assert "content-length" not in official_headers(logs)
    assert send.extensions["timeout"] == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}


def test_retries_and_patched_sleep(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("hookbridge.client.time.sleep", waits.append)
    url = f"{BASE}/v1/messages/m1"
    httpx_mock.add_response(url=url, status_code=500, json=ERROR_500)
    httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), url=url)
    httpx_mock.add_response(url=url, json=MESSAGE)
    with HookBridge(KEY, base_url=BASE, retries=3) as client:
        assert client.get_message("m1").id == "m1"
    assert len(httpx_mock.get_requests()) == 3
    assert waits == [0.1, 0.2]


def test_errors_map_as_in_the_official_package(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hookbridge.client.time.sleep", lambda s: None)
    url = f"{BASE}/v1/messages/m1"
    with HookBridge(KEY, base_url=BASE, retries=1) as client:
        httpx_mock.add_exception(httpx.ConnectError("[Errno 111] Connection refused"), url=url, is_reusable=True)
        with pytest.raises(NetworkError) as raised:
            client.get_message("m1")
        assert "[Errno 111] Connection refused" in str(raised.value)
        assert len(httpx_mock.get_requests()) == 2
        httpx_mock.reset()
        httpx_mock.add_exception(httpx.ReadTimeout("slow"), url=url, is_reusable=True)
        with pytest.raises(TimeoutError):
            client.get_message("m1")
        httpx_mock.reset()
        httpx_mock.add_response(url=url, status_code=404, json={"error": {"code": "NOT_FOUND", "message": "gone"}})
        with pytest.raises(NotFoundError):
            client.get_message("m1")
        assert len(httpx_mock.get_requests()) == 1, "4xx is not retried"


class Boom(Exception):
    pass


def test_a_mocks_own_exception_reaches_the_caller_unretried(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_exception(Boom("from the test"), url=f"{BASE}/v1/messages/m1")
    with HookBridge(KEY, base_url=BASE, retries=3) as client, pytest.raises(Boom, match="from the test"):
        client.get_message("m1")
    assert len(httpx_mock.get_requests()) == 1


def test_async_client_goes_through_the_async_mock(httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("asyncio.sleep", fake_sleep)
    url = f"{BASE}/v1/messages/m1"
    httpx_mock.add_response(url=url, status_code=503, json=ERROR_500)
    httpx_mock.add_response(url=url, json=MESSAGE)

    async def main() -> str:
        async with AsyncHookBridge(KEY, base_url=BASE, retries=2) as client:
            return (await client.get_message("m1")).id

    assert asyncio.run(main()) == "m1"
    assert waits == [0.1]
    assert [r.method for r in httpx_mock.get_requests()] == ["GET", "GET"]
