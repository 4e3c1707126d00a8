"""Drop-in parity with the official ``hookbridge`` 1.4.0 from PyPI, installed in its own venv
(``HOOKBRIDGE_OFFICIAL_VENV``, default /tmp/hookbridge-official-1.4.0, created on first use):
the same public surface, the same requests on the wire, the same results from one server."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import OFFICIAL_VENV, Server, clean_env, official_python  # noqa: F401 - a fixture
from helpers import Receiver, StubServer, wait_until
from hookbridge import HookBridge

SCRIPTS = Path(__file__).resolve().parent / "parity_scripts"
# Names this package adds to the official surface (webhook verification for receivers).
KNOWN_ADDITIONS = {"WebhookVerificationError", "verify_webhook", "is_valid_webhook", "sign_webhook"}
# The only headers the official SDK sets itself; the HTTP libraries add others of their own.
SDK_HEADERS = ("authorization", "content-type", "accept", "user-agent")


def run_script(python: Path, script: str, *args: str) -> str:
    result = subprocess.run(
        [str(python), str(SCRIPTS / script), *args], capture_output=True, text=True, env=clean_env(), cwd=SCRIPTS, timeout=120
    )
    assert result.returncode == 0, f"{python} {script} failed:\n{result.stderr}"
    return result.stdout


def test_public_surface_equals_the_official_one(official_python: Path) -> None:
    official = json.loads(run_script(official_python, "surface_dump.py"))
    ours = json.loads(run_script(Path(sys.executable), "surface_dump.py"))
    assert official["version"] == ours["version"] == "1.4.0"
    assert set(ours["all"]) - set(official["all"]) == KNOWN_ADDITIONS
    assert set(official["all"]) <= set(ours["all"])
    for section in ("exceptions", "module_of"):
        for name in KNOWN_ADDITIONS:
            ours[section].pop(name, None)
    ours["all"] = [n for n in ours["all"] if n not in KNOWN_ADDITIONS]
    assert len(official["clients"]["HookBridge"]) == 59  # 56 public methods + __init__/__enter__/__exit__
    for section in sorted(official):
        assert ours[section] == official[section], f"surface section {section!r} differs"


def recorded(stub: StubServer) -> list[tuple[str, str, tuple[Any, ...], Any]]:
    requests = []
    for r in stub.requests:
        body = json.loads(r.body, object_pairs_hook=lambda pairs: pairs) if r.body else None
        requests.append((r.method, r.path, tuple(r.headers.get(h) for h in SDK_HEADERS), body))
    return requests


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_every_method_sends_the_official_request(official_python: Path, stub: StubServer, mode: str) -> None:
    stub.respond(200, {})
    run_script(official_python, "wire_calls.py", stub.url, mode)
    official = recorded(stub)
    stub.requests.clear()
    run_script(Path(sys.executable), "wire_calls.py", stub.url, mode)
    ours = recorded(stub)
    assert len(official) >= 66
    for index, (theirs, mine) in enumerate(zip(official, ours)):
        assert mine == theirs, f"request {index} differs"
    assert len(ours) == len(official)


@pytest.fixture
def fresh_server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


def test_results_and_errors_equal_the_official_ones(official_python: Path, fresh_server: Server, receiver: Receiver) -> None:
    url, key = fresh_server.url, fresh_server.api_key
    with HookBridge(key, base_url=url, send_url=url) as client:
        endpoint = client.create_endpoint(receiver.endpoint_url(), description="parity", headers={"X-Env": "test"})
        sent = client.send(endpoint.id, {"event": "parity"})
        wait_until(lambda: client.get_message(sent.message_id).status == "succeeded")
        inbound = client.create_inbound_endpoint(receiver.endpoint_url(), name="parity-in")
        ids = {
            "message_id": sent.message_id,
            "endpoint_id": endpoint.id,
            "project_id": client.list_projects()[0].id,
            "inbound_endpoint_id": inbound.id,
        }
    official = json.loads(run_script(official_python, "results_dump.py", url, key, json.dumps(ids)))
    ours = json.loads(run_script(Path(sys.executable), "results_dump.py", url, key, json.dumps(ids)))
    assert len(ours) == len(official) == 25
    for theirs, mine in zip(official, ours):
        assert mine == theirs, f"{theirs[0]} differs"
