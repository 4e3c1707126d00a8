"""The same user snippet run under the official ``hookbridge`` 1.4.0 (its own venv) and under this
package, against the same peers: what the user observes (values, exception types and messages,
what is printed) must be the same. Each test names the behaviour it pins down."""

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from conftest import Server, clean_env, official_python, official_python_2  # noqa: F401 - fixtures
from helpers import HangingServer, Recorded, StubServer
from test_parity import without_added_fields


class Run(NamedTuple):
    """What one interpreter printed."""

    returncode: int
    stdout: str
    stderr: str


def run(python: Path, code: str, env: dict[str, str]) -> Run:
    result = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**clean_env(), **env},
        timeout=120,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def run_both(official: Path, code: str, **env: str) -> tuple[Run, Run]:
    """Runs ``code`` under the official package, then under ours; both must exit cleanly."""
    theirs = run(official, code, env)
    assert theirs.returncode == 0, f"official package failed:\n{theirs.stderr}"
    ours = run(Path(sys.executable), code, env)
    assert ours.returncode == 0, f"this package failed:\n{ours.stderr}"
    return theirs, ours


def same_output(official: Path, code: str, **env: str) -> list[Any]:
    """Runs ``code`` under both packages and asserts they print the same lines (ours without
    the dataclass fields this package adds, see test_parity.KNOWN_ADDED_FIELDS); returns ours
    parsed as JSON lines."""
    theirs, ours = run_both(official, code, **env)
    assert without_added_fields(ours.stdout) == theirs.stdout
    return [json.loads(line) for line in ours.stdout.splitlines()]


def requests_of(stub: StubServer, official: Path, code: str, **env: str) -> list[tuple[str, str, Any]]:
    """The requests the stub saw from ``code``, asserted equal under both packages."""

    def seen() -> list[tuple[str, str, Any]]:
        with stub.lock:
            taken: list[Recorded] = list(stub.requests)
            stub.requests.clear()
        return [(r.method, r.path, json.loads(r.body) if r.body else None) for r in taken]

    theirs = run(official, code, {"HB_URL": stub.url, **env})
    assert theirs.returncode == 0, theirs.stderr
    official_requests = seen()
    ours = run(Path(sys.executable), code, {"HB_URL": stub.url, **env})
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    our_requests = seen()
    assert our_requests == official_requests
    return our_requests


# --- item 2: module namespaces --------------------------------------------------------------

NAMESPACES = """
import importlib, json
for name in ("hookbridge", "hookbridge.client", "hookbridge.types", "hookbridge.errors"):
    module = importlib.import_module(name)
    print(json.dumps([name, sorted(n for n in dir(module) if not n.startswith("__"))]))
"""


def test_every_official_module_name_is_importable_here(official_python: Path) -> None:
    theirs = [json.loads(line) for line in run(official_python, NAMESPACES, {}).stdout.splitlines()]
    assert len(theirs) == 4
    for module, names in theirs:
        code = f"from {module} import " + ", ".join(names) + "\nprint('ok')"
        ours = run(Path(sys.executable), code, {})
        assert (ours.returncode, ours.stdout, ours.stderr) == (0, "ok\n", ""), f"{module}: {ours.stderr}"


PRIVATE_HELPERS = """
import dataclasses, datetime, inspect, json, os, typing
from hookbridge import client, types

def sample(kind):
    if typing.get_origin(kind) is typing.Union:
        kind = [a for a in typing.get_args(kind) if a is not type(None)][0]
    if kind is datetime.datetime:
        return "2024-05-06T07:08:09.123456Z"
    if kind is datetime.date:
        return "2024-05-06"
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return {f.name: sample(hints[f.name]) for f in dataclasses.fields(kind)}
    if typing.get_origin(kind) is list:
        return [sample(typing.get_args(kind)[0])]
    if typing.get_origin(kind) is typing.Literal:
        return typing.get_args(kind)[0]
    return {int: 7, float: 1.5, bool: True, str: "text"}.get(kind, "text")

# The helpers of the official version compared with (HB_PARSERS); those that read a whole
# answer (``response``, not its ``data``) are left out: their sample is not a ``data`` object.
wanted = os.environ["HB_PARSERS"].split(",")
parsers = [n for n in wanted if next(iter(inspect.signature(getattr(client, n)).parameters)) == "data"]
print(json.dumps(len(parsers)))
for name in parsers:
    parse = getattr(client, name)
    kind = typing.get_type_hints(parse)["return"]
    full = sample(kind)
    required = {f.name: full[f.name] for f in dataclasses.fields(kind)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    print(json.dumps([name, repr(parse(full)), repr(parse(required)) if "buckets" not in required else ""]))
print(json.dumps(repr(client._parse_datetime("2024-01-02T03:04:05Z"))))
print(json.dumps(repr(client._parse_date("2024-01-02"))))
print(json.dumps(client._query_string({"a": None, "b": 1, "c": datetime.datetime(2024, 1, 2), "d": "x y"})))
print(json.dumps(client._with_query("/v1/logs", {"limit": None})))
print(json.dumps(client._with_query("/v1/logs", {"limit": "5", "status": "failed_permanent"})))
print(json.dumps(client._json_value(datetime.date(2024, 1, 2))))
print(json.dumps(sorted(client._build_common_headers("hb_test_k").items())))

class Answer:
    def __init__(self, status, body, headers):
        self.status_code, self.content, self.headers = status, body, headers
        self.text = body.decode()
    def json(self):
        return json.loads(self.content)

for status, body, headers in [
    (401, b'{"error":{"code":"UNAUTHORIZED","message":"bad key"},"meta":{"request_id":"r1"}}', {}),
    (404, b'{"error":{"code":"NOT_FOUND","message":"no such message"}}', {}),
    (409, b'{"error":{"code":"IDEMPOTENCY_MISMATCH","message":"reused"}}', {}),
    (429, b'{"error":{"code":"RATE_LIMITED","message":"slow down"}}', {"Retry-After": "7"}),
    (429, b'{"error":{"code":"REPLAY_LIMIT_EXCEEDED","message":"too many"}}', {}),
    (500, b'not json', {}),
]:
    try:
        client._handle_error_response(Answer(status, body, headers))
    except Exception as error:
        print(json.dumps([type(error).__name__, str(error), error.code, error.status_code, getattr(error, "retry_after", None)]))
"""


def official_parsers(python: Path) -> str:
    """The ``_parse_<result>`` helpers of an official ``hookbridge.client``, comma-separated."""
    code = "from hookbridge import client; print(','.join(sorted(n for n in dir(client) if n.startswith('_parse_'))))"
    names = run(python, code, {}).stdout.strip().split(",")
    return ",".join(n for n in names if n not in ("_parse_date", "_parse_datetime"))


def test_the_official_private_helpers_answer_the_same(official_python: Path, official_python_2: Path) -> None:
    """Each helper answers as the newest official version that has it: 2.0.0's (whose results
    have 2.0.0's fields), and 1.4.0's for ``_parse_project``, which 2.0.0 dropped."""
    of_2 = official_parsers(official_python_2)
    lines = same_output(official_python_2, PRIVATE_HELPERS, HB_PARSERS=of_2)
    assert lines[0] == 33  # those of 2.0.0 that read a ``data`` object (3 more read a whole answer)
    only_1 = [n for n in official_parsers(official_python).split(",") if n not in of_2.split(",")]
    assert only_1 == ["_parse_project"]
    lines = same_output(official_python, PRIVATE_HELPERS, HB_PARSERS=",".join(only_1))
    assert lines[0] == 1


# --- item 3: live private settings ------------------------------------------------------------

LIVE_SETTINGS = """
import json, os
from hookbridge import HookBridge, HookBridgeError
url = os.environ["HB_URL"]
client = HookBridge("hb_test_key", base_url=url + "/", send_url=url, timeout=12.5, retries=3)
print(json.dumps([client._api_key, client._base_url == url, client._send_url == url, client._timeout, client._retries]))
headers = client._client.headers
print(json.dumps([headers["Authorization"], headers["user-agent"], headers.get("Accept"), headers["Content-Type"]]))
timeout = client._send_client.timeout
print(json.dumps([timeout.connect, timeout.read, timeout.write, timeout.pool, client._client.is_closed]))
client._retries = 0
try:
    client.get_message("m1")
except HookBridgeError as error:
    print(json.dumps([type(error).__name__, str(error), client._retries]))
client._retries = 1
try:
    client.get_message("m2")
except HookBridgeError as error:
    print(json.dumps([type(error).__name__, str(error)]))
client.close()
print(json.dumps([client._client.is_closed, client._send_client.is_closed]))
"""


def test_assigning_retries_after_construction_takes_effect(official_python: Path, stub: StubServer) -> None:
    stub.respond(500, {"error": {"code": "INTERNAL", "message": "boom"}})
    requests = requests_of(stub, official_python, LIVE_SETTINGS)
    # _retries = 0: one attempt; _retries = 1: two.
    assert [path for _, path, _ in requests] == ["/v1/messages/m1", "/v1/messages/m2", "/v1/messages/m2"]


def test_assigned_settings_apply_to_later_calls() -> None:
    """Beyond the official package (whose httpx clients keep their construction settings): the
    other private settings are live too."""
    from hookbridge import HookBridge, NotFoundError

    first, second = StubServer(), StubServer()
    try:
        first.respond(404, {"error": {"code": "NOT_FOUND", "message": "first"}})
        second.respond(404, {"error": {"code": "NOT_FOUND", "message": "second"}})
        client = HookBridge("hb_test_a", base_url=first.url, retries=0)
        client._base_url = second.url
        client._api_key = "hb_test_b"
        with pytest.raises(NotFoundError, match="second"):
            client.get_message("m")
        assert (len(first.requests), second.requests[0].headers["authorization"]) == (0, "Bearer hb_test_b")
        assert client._client.headers["authorization"] == "Bearer hb_test_b"
        client._timeout = (1.0, 2.0, 3.0, 4.0)
        assert (client._client.timeout.connect, client._client.timeout.read) == (1.0, 2.0)
    finally:
        first.close()
        second.close()


# --- item 4: httpx timeouts ---------------------------------------------------------------------

TIMEOUTS = """
import json, os, time, httpx
from hookbridge import HookBridge, TimeoutError
url = os.environ["HB_URL"]
for timeout in (httpx.Timeout(10, connect=2), (2.0, 3.0, 4.0, 5.0), 7, None, httpx.Timeout(None, read=1.5)):
    client = HookBridge("hb_test_key", base_url=url, timeout=timeout, retries=0)
    t = client._client.timeout
    print(json.dumps([t.connect, t.read, t.write, t.pool, t == httpx.Timeout(timeout)]))
client = HookBridge("hb_test_key", base_url=url, timeout=httpx.Timeout(30, read=0.3), retries=0)
started = time.monotonic()
try:
    client.get_message("m")
except TimeoutError as error:
    print(json.dumps([type(error).__name__, str(error), time.monotonic() - started < 5]))
"""


def test_httpx_timeouts_are_accepted_and_their_read_part_honoured(official_python: Path) -> None:
    hanging = HangingServer()
    try:
        lines = same_output(official_python, TIMEOUTS, HB_URL=hanging.url)
    finally:
        hanging.close()
    assert lines[0] == [2, 10, 10, 10, True]
    assert lines[-1] == ["TimeoutError", "Request timed out code=TIMEOUT", True]


# --- item 5: lenient arguments ------------------------------------------------------------------

LENIENT_ARGUMENTS = """
import json, os
from hookbridge import HookBridge
url = os.environ["HB_URL"]
client = HookBridge("hb_test_key", base_url=url, send_url=url, retries=0)
print(json.dumps(repr(client.get_logs(limit="10"))))
print(json.dumps(repr(client.list_endpoints(limit="5", cursor=9))))
# The stub's one answer does not fit these results: only the requests are compared.
calls = [
    lambda: client.create_endpoint("https://example.com/hook", rate_limit_rps=None, burst=None, description=None),
    lambda: client.update_endpoint("ep_1", rate_limit_rps=3, burst=None),
    lambda: client.get_message(123),
    lambda: client.replay(4.0),
    lambda: client.get_metrics(window=24),
    lambda: client.send("ep_1", {"a": 1}, idempotency_key=""),
    lambda: client.get_endpoint(77),
    lambda: client.get_inbound_logs(limit="4", inbound_endpoint_id=5),
    lambda: client.replay_all_messages(status="failed_permanent", limit="9"),
]
for call in calls:
    try:
        call()
    except Exception:
        pass
"""


def test_arguments_are_converted_as_the_official_package_converts_them(
    official_python: Path, stub: StubServer
) -> None:
    stub.respond(200, {"data": [], "meta": {"has_more": False}})
    requests = requests_of(stub, official_python, LENIENT_ARGUMENTS)
    assert requests[0][1] == "/v1/logs?limit=10"
    assert ("GET", "/v1/messages/123", None) in requests
    assert ("POST", "/v1/endpoints", {"url": "https://example.com/hook"}) in requests
    assert ("PATCH", "/v1/endpoints/ep_1", {"rate_limit_rps": 3}) in requests
    assert ("GET", "/v1/endpoints/77", None) in requests


# --- item 6: payloads as json.dumps writes them -------------------------------------------------

PAYLOADS = """
import json, os, sys
from hookbridge import HookBridge, HookBridgeError
url = os.environ["HB_URL"]
client = HookBridge("hb_test_key", base_url=url, send_url=url, retries=0)
client.send("ep_1", {1: "a", "n": {2: [True, {None: 1, 1.5: 2, True: 3, False: 4, -7: 5}]}})
try:
    client.send("ep_1", {(1, 2): "tuple key"})
except TypeError as error:
    print(json.dumps([type(error).__name__, str(error)]))
deep = node = {}
for _ in range(sys.getrecursionlimit() + 10):
    node["x"] = {}
    node = node["x"]
try:
    client.send("ep_1", deep)
except RecursionError as error:
    print(json.dumps([type(error).__name__]))
"""


def test_payload_keys_are_serialised_as_json_dumps_does(official_python: Path, stub: StubServer) -> None:
    stub.respond(202, {"data": {"message_id": "msg_1", "status": "queued"}})
    requests = requests_of(stub, official_python, PAYLOADS)
    assert requests == [
        ("POST", "/v1/webhooks/send", {"endpoint_id": "ep_1", "payload": {"1": "a", "n": {"2": [True, {"null": 1, "1.5": 2, "true": 3, "false": 4, "-7": 5}]}}})
    ]


DEEP_PAYLOAD = """
import json, os, uuid
from hookbridge import HookBridge, HookBridgeError
url, key = os.environ["HB_URL"], os.environ["HB_KEY"]
client = HookBridge(key, base_url=url, send_url=url, retries=0)
endpoint = client.create_endpoint(f"http://127.0.0.1:9/{uuid.uuid4().hex}")
for depth in (20, 300):
    deep = node = {}
    for _ in range(depth):
        node["x"] = {}
        node = node["x"]
    try:
        print(json.dumps(["sent", client.send(endpoint.id, deep).status]))
    except HookBridgeError as error:
        print(json.dumps([type(error).__name__, error.code, error.status_code]))
"""


def test_deep_payloads_go_out_and_the_server_decides(official_python: Path, server: Server) -> None:
    lines = same_output(official_python, DEEP_PAYLOAD, HB_URL=server.url, HB_KEY=server.api_key)
    assert lines[0] == ["sent", "queued"]
    assert len(lines) == 2


# --- items 8 and 9: exception context and network error wording ----------------------------------

NETWORK_ERRORS = """
import asyncio, json, os, socket, traceback
from hookbridge import AsyncHookBridge, HookBridge, NetworkError
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
url = f"http://127.0.0.1:{probe.getsockname()[1]}"
probe.close()
client = HookBridge("hb_test_key", base_url=url, retries=0)
try:
    client.get_message("m")
except NetworkError as error:
    print(json.dumps(["sync", str(error), error.args[0], error.code]))

async def main():
    async with AsyncHookBridge("hb_test_key", base_url=url, retries=0) as client:
        try:
            await client.get_message("m")
        except NetworkError as error:
            print(json.dumps(["async", str(error), error.args[0]]))
asyncio.run(main())

try:
    {}["missing"]
except KeyError:
    try:
        client.get_message("m")
    except NetworkError as error:
        text = traceback.format_exc()
        print(json.dumps([type(error.__context__).__name__, "During handling of the above exception" in text]))
"""


def test_network_errors_read_as_the_official_ones_and_keep_their_context(official_python: Path) -> None:
    lines = same_output(official_python, NETWORK_ERRORS)
    assert lines == [
        ["sync", "[Errno 111] Connection refused code=NETWORK_ERROR", "[Errno 111] Connection refused", "NETWORK_ERROR"],
        ["async", "All connection attempts failed code=NETWORK_ERROR", "All connection attempts failed"],
        ["KeyError", True],
    ]


def test_network_error_detail_keeps_the_full_cause() -> None:
    import socket

    from hookbridge import HookBridge, NetworkError

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    probe.close()
    with pytest.raises(NetworkError) as raised:
        HookBridge("hb_test_key", base_url=url, retries=0).get_message("m")
    assert "Connection refused" in raised.value.detail and url in raised.value.detail


API_ERROR_CONTEXT = """
import json, os
from hookbridge import HookBridge, NotFoundError
url, key = os.environ["HB_URL"], os.environ["HB_KEY"]
client = HookBridge(key, base_url=url, retries=0)
try:
    raise ValueError("while handling this")
except ValueError:
    try:
        client.get_message("msg_missing")
    except NotFoundError as error:
        print(json.dumps([type(error.__context__).__name__, str(error.__context__), error.__cause__ is None]))
try:
    client.get_message("msg_missing")
except NotFoundError as error:
    print(json.dumps([error.__context__ is None]))
"""


def test_api_errors_keep_the_exception_being_handled_as_context(official_python: Path, server: Server) -> None:
    lines = same_output(official_python, API_ERROR_CONTEXT, HB_URL=server.url, HB_KEY=server.api_key)
    assert lines == [["ValueError", "while handling this", True], [True]]


# --- item 12: cosmetics -------------------------------------------------------------------------

COSMETICS = """
import asyncio, json, re
from hookbridge import AsyncHookBridge, HookBridge
for cls in (HookBridge, AsyncHookBridge):
    print(json.dumps([c.__qualname__ for c in cls.__mro__]))
    print(json.dumps(re.sub(r"0x[0-9a-f]+", "0x", repr(cls("hb_test_key")))))
    try:
        cls("hb_test_key", bogus=1)
    except TypeError as error:
        print(json.dumps(str(error)))
client = HookBridge("hb_test_key", base_url="http://127.0.0.1:9")
client.close()
try:
    client.get_message("m")
except RuntimeError as error:
    print(json.dumps([type(error).__name__, str(error)]))

async def main():
    client = AsyncHookBridge("hb_test_key", base_url="http://127.0.0.1:9")
    await client.close()
    try:
        await client.get_message("m")
    except RuntimeError as error:
        print(json.dumps([type(error).__name__, str(error)]))
asyncio.run(main())
"""


def test_class_hierarchy_repr_and_closed_message_match(official_python: Path) -> None:
    lines = same_output(official_python, COSMETICS)
    assert lines[0] == ["HookBridge", "object"]
    assert lines[-1] == ["RuntimeError", "Cannot send a request, as the client has been closed."]


# --- item 7: trio and anyio ---------------------------------------------------------------------

TRIO_AND_ANYIO = """
import json, os, anyio, trio
from hookbridge import AsyncHookBridge, NotFoundError
url, key = os.environ["HB_URL"], os.environ["HB_KEY"]

async def scenario():
    async with AsyncHookBridge(key, base_url=url, send_url=url, retries=0) as client:
        subscription = await client.get_subscription()
        try:
            await client.get_message("msg_missing")
        except NotFoundError as error:
            return [subscription.plan, type(error).__name__, str(error).split(" request_id=")[0]]

print(json.dumps(["trio", trio.run(scenario)]))
print(json.dumps(["anyio-trio", anyio.run(scenario, backend="trio")]))
print(json.dumps(["anyio-asyncio", anyio.run(scenario, backend="asyncio")]))
"""


def test_the_async_client_runs_under_trio_and_anyio(official_python: Path, server: Server) -> None:
    lines = same_output(official_python, TRIO_AND_ANYIO, HB_URL=server.url, HB_KEY=server.api_key)
    expected = [server_plan := lines[0][1][0], "NotFoundError", lines[0][1][2]]
    assert server_plan and [line[1] for line in lines] == [expected] * 3


TRIO_CANCELLATION = """
import json, os, time, trio
from hookbridge import AsyncHookBridge
url = os.environ["HB_URL"]

async def scenario():
    client = AsyncHookBridge("hb_test_key", base_url=url, timeout=30, retries=0)
    started = time.monotonic()
    with trio.move_on_after(0.5) as scope:
        await client.get_message("m")
    return [scope.cancelled_caught, time.monotonic() - started < 5]

print(json.dumps(trio.run(scenario)))
"""


def test_trio_cancellation_cancels_the_request(official_python: Path) -> None:
    hanging = HangingServer()
    try:
        lines = same_output(official_python, TRIO_CANCELLATION, HB_URL=hanging.url)
        assert lines == [[True, True]]
        # Both packages' connections were dropped once their request was cancelled.
        deadline = time.monotonic() + 10
        while hanging.closed < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (hanging.accepted, hanging.closed) == (2, 2)
    finally:
        hanging.close()


# --- item 10: loops closed or left open with requests in flight ---------------------------------

CLOSED_LOOP = """
import asyncio, os, time
from hookbridge import AsyncHookBridge, TimeoutError
url = os.environ["HB_URL"]
client = AsyncHookBridge("hb_test_key", base_url=url, timeout=float(os.environ["HB_TIMEOUT"]), retries=0)

async def scenario():
    try:
        await asyncio.gather(*(client.get_message(f"m{i}") for i in range(int(os.environ["HB_CALLS"]))))
    except TimeoutError:
        print("timed out")

loop = asyncio.new_event_loop()
{action}
time.sleep(1.5)  # the other requests time out meanwhile, after their loop is gone
print("done")
"""


@pytest.mark.parametrize(
    "action",
    [
        # The package's own test helper: the first timeout ends the gather, the loop is closed.
        "loop.run_until_complete(scenario())\nloop.close()",
        # Tasks left pending in a loop that is never closed (or run again) before exit.
        "tasks = [loop.create_task(client.get_message(f'x{i}')) for i in range(5)]\n"
        "loop.run_until_complete(asyncio.sleep(0.3))",
    ],
    ids=["closed", "left-open"],
)
def test_loops_closed_or_left_open_print_nothing(official_python: Path, action: str) -> None:
    hanging = HangingServer()
    try:
        code = CLOSED_LOOP.replace("{action}", action)
        theirs, ours = run_both(official_python, code, HB_URL=hanging.url, HB_TIMEOUT="0.5", HB_CALLS="5")
    finally:
        hanging.close()
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr == ""


# --- item 12: signals during a blocking call ----------------------------------------------------

SIGNALS = """
import json, os, signal, time
from hookbridge import HookBridge

class Interrupted(Exception):
    pass

def interrupt(signum, frame):
    raise Interrupted()

signal.signal(signal.SIGALRM, interrupt)
client = HookBridge("hb_test_key", base_url=os.environ["HB_URL"], timeout=10, retries=0)
started = time.monotonic()
signal.setitimer(signal.ITIMER_REAL, 0.25)
try:
    client.get_message("m")
except Interrupted:
    # Handled at once (a 200 ms poll would see it only at 0.4 s).
    print(json.dumps(["interrupted", time.monotonic() - started < 0.37]))
"""


def test_signal_handlers_run_during_a_blocking_call_at_once(official_python: Path) -> None:
    hanging = HangingServer()
    try:
        assert same_output(official_python, SIGNALS, HB_URL=hanging.url) == [["interrupted", True]]
    finally:
        hanging.close()
