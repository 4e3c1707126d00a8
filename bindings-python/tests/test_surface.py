"""The public surface without a server: names, signatures, dataclasses, exceptions, client
construction and attributes, argument validation, and the generated type stub."""

import dataclasses
import inspect
import math
import subprocess
import sys
from pathlib import Path

import pytest

import hookbridge
import hookbridge.client
import hookbridge.errors
import hookbridge.types
from conftest import python_subprocess
from hookbridge import AsyncHookBridge, HookBridge

UNREACHABLE = "http://127.0.0.1:9"  # discard port: nothing listens there

OFFICIAL_ALL = {
    "HookBridge", "AsyncHookBridge", "APIKeyInfo", "APIKeyMode", "CheckoutSession", "CreateAPIKeyResponse",
    "CreateEndpointResponse", "CreateInboundEndpointResponse", "DeleteResult", "DLQMessagesResponse", "Endpoint",
    "EndpointSummary", "ExportRecord", "InboundEndpoint", "InboundEndpointSummary", "InboundLogEntry",
    "InboundLogsResponse", "InboundMetrics", "InboundRejection", "InboundRejectionsResponse", "Invoice", "InvoiceLine",
    "InvoicesResponse", "ListEndpointsResponse", "ListInboundEndpointsResponse", "LogsResponse", "Message",
    "MessageStatus", "MessageSummary", "Metrics", "MetricsWindow", "PauseState", "PortalSession", "Project",
    "ReplayAllMessagesResponse", "ReplayBatchMessagesResponse", "ReplayBatchResult", "ReplayMessageResponse",
    "ReplayableMessageStatus", "RotateSecretResponse", "SendWebhookResponse", "SigningKey", "Subscription",
    "SubscriptionLimits", "SubscriptionUsage", "TimeSeriesBucket", "TimeSeriesMetrics", "UpdateResult",
    "UsageHistoryResponse", "UsageHistoryRow", "HookBridgeError", "AuthenticationError", "NotFoundError",
    "ValidationError", "RateLimitError", "IdempotencyError", "ReplayLimitError", "NetworkError", "TimeoutError",
}  # fmt: skip
# Names the official 2.0.0 added to 1.4.0's.
OFFICIAL_2_ADDED = {
    "AckPullEventsResponse", "ActorLookupResult", "AttemptRecord", "AttemptsResponse", "CreatePullEndpointResponse",
    "DeleteAllResult", "DeleteBatchItemResult", "DeleteBatchResult", "DeleteEventBatchItemResult", "DeleteEventBatchResult",
    "DeleteEventResult", "DeleteMessageResult", "DeleteOutcome", "DeletePartialError", "DeletePullEventsAllResult",
    "InboundEndpointMode", "InboundMessage", "ListenInboundEndpointResponse", "ListenMessage", "PullEndpoint",
    "PullEndpointCounts", "PullEndpointMode", "PullEndpointSummary", "PullEvent", "PullEventListStatus", "PullEventStatus",
    "PullEventSummary", "PullEventTypeSource", "PullLogEntry", "PullLogsResponse", "PullTimeSeriesBucket",
    "PullTimeSeriesMetrics", "PullTimingBreakdown",
}  # fmt: skip
ADDITIONS = {
    "WebhookVerificationError",
    "verify_webhook",
    "is_valid_webhook",
    "sign_webhook",
    "verify_standard_webhook",
    "is_valid_standard_webhook",
    "sign_standard_webhook",
}


def public_methods(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name)))


def test_names_and_version() -> None:
    assert len(OFFICIAL_ALL) == 59 and len(OFFICIAL_2_ADDED) == 33
    assert set(hookbridge.__all__) == OFFICIAL_ALL | OFFICIAL_2_ADDED | ADDITIONS
    assert len(hookbridge.__all__) == len(set(hookbridge.__all__))
    for name in hookbridge.__all__:
        assert hasattr(hookbridge, name), name
    assert hookbridge.__version__ == "2.0.0"
    assert hookbridge.client.DEFAULT_TIMEOUT == 30.0 and hookbridge.client.DEFAULT_RETRIES == 3


def test_both_clients_have_the_same_87_methods_with_the_same_signatures() -> None:
    names = public_methods(HookBridge)
    assert names == public_methods(AsyncHookBridge)
    assert len(names) == 87  # 2.0.0's 80 and the 7 session-only methods of 1.4.0
    for name in names:
        sync_method, async_method = getattr(HookBridge, name), getattr(AsyncHookBridge, name)
        assert inspect.signature(sync_method) == inspect.signature(async_method), name
        assert str(inspect.signature(sync_method)) == str(inspect.signature(async_method)), name
        assert inspect.iscoroutinefunction(async_method), name
        assert not inspect.iscoroutinefunction(sync_method), name
        assert async_method.__name__ == name and async_method.__qualname__ == f"AsyncHookBridge.{name}"
    assert inspect.signature(HookBridge.__init__) == inspect.signature(AsyncHookBridge.__init__)


def test_dataclasses_are_frozen_and_registered_types_cover_every_result() -> None:
    classes = [v for v in vars(hookbridge.types).values() if isinstance(v, type) and v.__module__ == "hookbridge.types"]
    assert len(classes) == 73
    for cls in classes:
        assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, cls  # type: ignore[attr-defined]
    usage = hookbridge.PortalSession(portal_url="https://x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        usage.portal_url = "https://y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("error", "cls", "code", "status", "text"),
    [
        (hookbridge.HookBridgeError("boom"), hookbridge.HookBridgeError, "UNKNOWN_ERROR", None, "boom code=UNKNOWN_ERROR"),
        (hookbridge.HookBridgeError("m", "", "r1", 500), hookbridge.HookBridgeError, "", 500, "m request_id=r1"),
        (hookbridge.AuthenticationError(), hookbridge.AuthenticationError, "UNAUTHORIZED", 401, "Invalid or missing API key code=UNAUTHORIZED"),
        (hookbridge.NotFoundError(request_id="req_9"), hookbridge.NotFoundError, "NOT_FOUND", 404, "Resource not found code=NOT_FOUND request_id=req_9"),
        (hookbridge.ValidationError("bad", "X"), hookbridge.ValidationError, "X", 400, "bad code=X"),
        (hookbridge.RateLimitError(), hookbridge.RateLimitError, "RATE_LIMIT_EXCEEDED", 429, "Rate limit exceeded code=RATE_LIMIT_EXCEEDED"),
        (hookbridge.IdempotencyError(), hookbridge.IdempotencyError, "IDEMPOTENCY_MISMATCH", 409, "Idempotency key already used with different payload code=IDEMPOTENCY_MISMATCH"),
        (hookbridge.ReplayLimitError("too many"), hookbridge.ReplayLimitError, "REPLAY_LIMIT_EXCEEDED", 429, "too many code=REPLAY_LIMIT_EXCEEDED"),
        (hookbridge.NetworkError("refused"), hookbridge.NetworkError, "NETWORK_ERROR", None, "refused code=NETWORK_ERROR"),
        (hookbridge.TimeoutError(), hookbridge.TimeoutError, "TIMEOUT", None, "Request timed out code=TIMEOUT"),
    ],
)
def test_exceptions_keep_the_official_contract(error: hookbridge.HookBridgeError, cls: type, code: str, status: object, text: str) -> None:
    assert type(error) is cls and isinstance(error, hookbridge.HookBridgeError) and isinstance(error, Exception)
    assert (error.code, error.status_code, str(error)) == (code, status, text)
    assert cls.__mro__[1:] == ((Exception, BaseException, object) if cls is hookbridge.HookBridgeError else (hookbridge.HookBridgeError, Exception, BaseException, object))
    assert hookbridge.RateLimitError("x", "r", 30).retry_after == 30
    assert not issubclass(hookbridge.TimeoutError, TimeoutError)  # the official class shadows, not extends, the builtin


def test_webhook_verification_error_is_a_hookbridge_error_with_a_reason() -> None:
    import pickle

    error = hookbridge.WebhookVerificationError("no match", "mismatch")
    assert isinstance(error, hookbridge.HookBridgeError)
    assert (error.reason, error.code, str(error)) == ("mismatch", "INVALID_SIGNATURE", "no match code=INVALID_SIGNATURE")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.reason, str(copy)) == (hookbridge.WebhookVerificationError, "mismatch", str(error))


@pytest.mark.parametrize("cls", [HookBridge, AsyncHookBridge])
def test_construction_and_attributes(cls: type) -> None:
    for empty in ("", None):
        with pytest.raises(hookbridge.ValidationError, match="API key is required") as raised:
            cls(empty)
        assert raised.value.status_code == 400 and raised.value.code == "INVALID_REQUEST"
    client = cls("hb_test_x", base_url="https://custom.example.com//", send_url="https://send.example.com/", timeout=60.0, retries=5)
    assert client._base_url == "https://custom.example.com"
    assert client._send_url == "https://send.example.com"
    assert (client._timeout, client._retries) == (60.0, 5)
    assert client._client is not None and client._send_client is not None
    assert cls("hb_test_x", send_url="")._send_url == hookbridge.client.DEFAULT_SEND_URL.rstrip("/")
    assert cls("hb_test_x")._base_url == hookbridge.client.DEFAULT_BASE_URL.rstrip("/")
    assert cls("hb_test_x", timeout=None)._timeout is None  # httpx semantics: no timeout
    with pytest.raises(ValueError, match="timeout"):
        cls("hb_test_x", timeout=-1)
    with pytest.raises(ValueError, match="retries"):
        cls("hb_test_x", retries=-1)
    with pytest.raises(hookbridge.ValidationError, match="base_url"):
        cls("hb_test_x", base_url="ftp://example.com")


def test_sync_context_manager_and_close() -> None:
    with HookBridge("hb_test_x", base_url=UNREACHABLE) as client:
        assert client._native.closed is False
    assert client._native.closed is True
    client.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        client.get_message("m")


def test_async_context_manager_and_close() -> None:
    import asyncio

    async def scenario() -> None:
        async with AsyncHookBridge("hb_test_x", base_url=UNREACHABLE) as client:
            assert client._native.closed is False
        assert client._native.closed is True
        with pytest.raises(RuntimeError, match="closed"):
            await client.get_message("m")

    asyncio.run(scenario())


def test_env_defaults_are_read_once_at_import() -> None:
    code = (
        "import os, hookbridge\n"
        "c = hookbridge.HookBridge('hb_test_x')\n"
        "os.environ['HOOKBRIDGE_BASE_URL'] = 'http://changed.invalid'\n"
        "d = hookbridge.AsyncHookBridge('hb_test_x')\n"
        "print(c._base_url, c._send_url, d._base_url, d._send_url)\n"
    )
    env = {"HOOKBRIDGE_BASE_URL": "http://api.local:1/", "HOOKBRIDGE_SEND_URL": "http://send.local:2"}
    result = python_subprocess(code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["http://api.local:1", "http://send.local:2"] * 2


@pytest.mark.parametrize(
    ("payload", "error", "message"),
    [
        ({"a": object()}, TypeError, r'payload\["a"\] is of type object'),
        ({(1, 2): "x"}, TypeError, "keys must be str, int, float, bool or None, not tuple"),
        ({"a": [1, {b"k": 1}]}, TypeError, "keys must be str, int, float, bool or None, not bytes"),
        ({"n": math.nan}, ValueError, r'payload\["n"\] is not a finite number'),
        ({"n": 2**64}, ValueError, "does not fit in 64 bits"),
        ({"s": {1, 2}}, TypeError, "of type set"),
    ],
)
def test_bad_payloads_are_refused_before_any_request(payload: object, error: type, message: str) -> None:
    with HookBridge("hb_test_x", base_url=UNREACHABLE, send_url=UNREACHABLE, retries=0) as client:
        with pytest.raises(error, match=message):
            client.send("ep_1", payload)  # type: ignore[arg-type]


def test_too_deep_nesting_and_arguments_that_cannot_be_converted() -> None:
    """Nesting past Python's recursion limit fails as ``json.dumps`` fails; values that no
    conversion of the official package's kind can make fit are refused before any request."""
    deep: dict[str, object] = {}
    node = deep
    for _ in range(sys.getrecursionlimit() + 10):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    with HookBridge("hb_test_x", base_url=UNREACHABLE, send_url=UNREACHABLE, retries=0) as client:
        with pytest.raises(RecursionError, match="while encoding a JSON object"):
            client.send("ep_1", deep)
        with pytest.raises(TypeError, match=r"send\.headers\.X-A: invalid type: integer `1`, expected a string"):
            client.send("ep_1", {}, headers={"X-A": 1})  # type: ignore[dict-item]
        with pytest.raises(TypeError, match=r"get_logs\.limit: invalid type: string \"ten\""):
            client.get_logs(limit="ten")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match=r"create_inbound_endpoint\.verify_hmac: invalid type: string"):
            client.create_inbound_endpoint("https://x.example/h", verify_hmac="yes")  # type: ignore[arg-type]


def test_generated_client_stub_is_current() -> None:
    tool = Path(__file__).resolve().parents[1] / "tools" / "gen_client_stub.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # The async client is real source: reading the class shows every method.
    import hookbridge._async_client

    source = inspect.getsource(hookbridge._async_client)
    assert all(f"    async def {name}(" in source for name in public_methods(HookBridge))


def test_every_method_is_exercised_against_the_server_by_every_client_kind() -> None:
    """Guards the API tests (which run each client kind through the ``hb`` fixture) against a
    method silently left out."""
    here = Path(__file__).resolve().parent
    text = "".join(p.read_text() for p in here.glob("test_api_*.py"))
    missing = [name for name in public_methods(HookBridge) if name != "close" and f"hb.{name}(" not in text]
    assert not missing, f"not called through the hb fixture: {missing}"
