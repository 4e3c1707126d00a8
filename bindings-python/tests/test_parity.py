"""Drop-in parity with the official ``hookbridge`` packages from PyPI, each installed in its own
venv (``HOOKBRIDGE_OFFICIAL_VENV``, default /tmp/hookbridge-official-1.4.0, and
``HOOKBRIDGE_OFFICIAL_2_VENV``, default /tmp/hookbridge-official-2.0.0; created on first use):
the public surface is the union of both; the requests on the wire are those of each version;
the results from one server are 2.0.0's (1.4.0's for the session-only methods, and they hold
everything 1.4.0's hold), and 2.0.0's from the same canned answers for every 2.0.0 addition."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from canned_answers import ANSWERS
from conftest import OFFICIAL_VENV, Server, clean_env, official_python, official_python_2  # noqa: F401 - fixtures
from helpers import CannedServer, Receiver, StubServer, wait_until
from hookbridge import HookBridge

SCRIPTS = Path(__file__).resolve().parent / "parity_scripts"
# Names this package adds to the official surface (webhook verification for receivers).
KNOWN_ADDITIONS = {
    "WebhookVerificationError",
    "verify_webhook",
    "is_valid_webhook",
    "sign_webhook",
    "verify_standard_webhook",
    "is_valid_standard_webhook",
    "sign_standard_webhook",
}
# Keyword arguments and dataclass fields this package adds to official names: settings of the
# self-hosted server the official package predates. Each is last, with a default of ``None``
# that is never sent, so code written for the official package sees no difference.
KNOWN_ADDED_PARAMETERS = {
    "create_endpoint": "signature_scheme",  # how deliveries are signed (hookbridge | standard_webhooks)
    "update_endpoint": "signature_scheme",
    "create_inbound_endpoint": "verification_preset",  # which provider's signature is checked
}
KNOWN_ADDED_FIELDS = {
    "Endpoint": "signature_scheme",  # returned by get_endpoint
    "InboundEndpoint": "verification_preset",  # returned by get_inbound_endpoint
}
# The 1.4.0 names 2.0.0 dropped (hosted-service sessions) and this package keeps: on a
# self-hosted server they work. The only way it knowingly differs from 2.0.0.
SESSION_ONLY_METHODS = {"list_projects", "create_project", "get_project", "update_project", "delete_project", "create_checkout", "create_portal"}
SESSION_ONLY_TYPES = {"Project", "CheckoutSession", "PortalSession"}
# The only headers the official SDK sets itself; the HTTP libraries add others of their own.
SDK_HEADERS = ("authorization", "content-type", "accept", "user-agent")


def run_script(python: Path, script: str, *args: str) -> str:
    result = subprocess.run(
        [str(python), str(SCRIPTS / script), *args], capture_output=True, text=True, env=clean_env(), cwd=SCRIPTS, timeout=120
    )
    assert result.returncode == 0, f"{python} {script} failed:\n{result.stderr}"
    return result.stdout


def surface_without_additions(python: Path) -> dict[str, Any]:
    surface = json.loads(run_script(python, "surface_dump.py"))
    for section in ("exceptions", "module_of"):
        for name in KNOWN_ADDITIONS:
            surface[section].pop(name, None)
    surface["all"] = [n for n in surface["all"] if n not in KNOWN_ADDITIONS]
    for client in surface["clients"].values():
        for method, parameter in KNOWN_ADDED_PARAMETERS.items():
            if method in client:
                signature = client[method]["signature"]
                client[method]["signature"] = re.sub(rf", {parameter}: [^=]*? = None(?=[,)])", "", signature)
    for name, field in KNOWN_ADDED_FIELDS.items():
        if name in surface["dataclasses"]:
            fields = surface["dataclasses"][name]["fields"]
            surface["dataclasses"][name]["fields"] = [f for f in fields if f[0] != field]
    return surface


def without_added_fields(result: Any) -> Any:
    """A dumped result (dataclasses as dicts with ``__class__``, or as ``repr()`` text) without
    the fields of ``KNOWN_ADDED_FIELDS``, which the official package does not have (each is
    its dataclass's last field, a string or None)."""
    if isinstance(result, str):
        for name, field in KNOWN_ADDED_FIELDS.items():
            if f"{name}(" in result:
                result = re.sub(rf", {field}=(?:'[^']*'|None)(?=\))", "", result)
        return result
    if isinstance(result, list):
        return [without_added_fields(item) for item in result]
    if isinstance(result, dict):
        added = KNOWN_ADDED_FIELDS.get(result.get("__class__", ""))
        return {key: without_added_fields(value) for key, value in result.items() if key != added}
    return result


def union(older: dict[str, Any], newer: dict[str, Any]) -> dict[str, Any]:
    """Both surfaces in one, ``newer``'s entry where both have a name (2.0.0's form of a
    method or dataclass that changed compatibly)."""
    out: dict[str, Any] = {"version": newer["version"], "all": sorted(set(older["all"]) | set(newer["all"]))}
    for section in ("modules", "constants", "dataclasses", "aliases", "exceptions", "module_of"):
        out[section] = {**older[section], **newer[section]}
    out["clients"] = {name: {**older["clients"][name], **newer["clients"][name]} for name in newer["clients"]}
    return out


def test_public_surface_is_the_union_of_the_official_ones(official_python: Path, official_python_2: Path) -> None:
    v1, v2 = surface_without_additions(official_python), surface_without_additions(official_python_2)
    ours = surface_without_additions(Path(sys.executable))
    assert (v1["version"], v2["version"], ours["version"]) == ("1.4.0", "2.0.0", "2.0.0")
    assert len(v1["clients"]["HookBridge"]) == 59  # 56 public methods + __init__/__enter__/__exit__
    assert len(v2["clients"]["HookBridge"]) == 83  # 80 public methods + the three dunders
    for section in sorted(ours):
        assert ours[section] == union(v1, v2)[section], f"surface section {section!r} is not the union of 1.4.0 and 2.0.0"
    # Compared with each version: nothing missing, and what differs is what the other one has.
    for official in (v1, v2):
        assert set(official["all"]) <= set(ours["all"])
        for kind in ("HookBridge", "AsyncHookBridge"):
            assert set(official["clients"][kind]) <= set(ours["clients"][kind])
    assert set(ours["all"]) - set(v2["all"]) == SESSION_ONLY_TYPES
    assert set(ours["clients"]["HookBridge"]) - set(v2["clients"]["HookBridge"]) == SESSION_ONLY_METHODS
    changed_from_1 = {n for n, m in v1["clients"]["HookBridge"].items() if ours["clients"]["HookBridge"][n] != m}
    assert changed_from_1 == {"create_inbound_endpoint"}  # optional url, and mode
    for name in SESSION_ONLY_METHODS:
        assert ours["clients"]["HookBridge"][name] == v1["clients"]["HookBridge"][name]


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


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_every_2_0_method_sends_the_official_2_0_request(official_python_2: Path, stub: StubServer, mode: str) -> None:
    stub.respond(200, {})
    run_script(official_python_2, "wire_calls.py", stub.url, mode, "2.0.0")
    official = recorded(stub)
    stub.requests.clear()
    run_script(Path(sys.executable), "wire_calls.py", stub.url, mode, "2.0.0")
    ours = recorded(stub)
    assert len(official) >= 104
    for index, (theirs, mine) in enumerate(zip(official, ours)):
        assert mine == theirs, f"request {index} differs"
    assert len(ours) == len(official)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_2_0_results_equal_the_official_ones_from_the_same_answers(official_python_2: Path, mode: str) -> None:
    canned = CannedServer(ANSWERS)
    try:
        official = json.loads(run_script(official_python_2, "canned_results.py", canned.url, mode))
        ours = without_added_fields(json.loads(run_script(Path(sys.executable), "canned_results.py", canned.url, mode)))
    finally:
        canned.close()
    assert len(ours) == len(official) == 39
    for theirs, mine in zip(official, ours):
        assert mine == theirs, f"{theirs[0]} differs"
    # The canned answers reach the results (not errors) everywhere but the one missing event.
    assert [r[0] for r in ours if r[1] == "raised"] == ["get_pull_event"]


@pytest.fixture
def fresh_server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


def covers(ours: Any, older: Any) -> bool:
    """Whether ``ours`` holds everything ``older`` does: the same values, dataclasses with at
    least ``older``'s fields (2.0.0 added fields to some)."""
    if isinstance(older, dict) and isinstance(ours, dict):
        return all(key in ours and covers(ours[key], value) for key, value in older.items())
    if isinstance(older, list) and isinstance(ours, list):
        return len(ours) == len(older) and all(covers(a, b) for a, b in zip(ours, older))
    return bool(ours == older)


def test_results_and_errors_equal_the_official_ones(
    official_python: Path, official_python_2: Path, fresh_server: Server, receiver: Receiver
) -> None:
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
    v1 = json.loads(run_script(official_python, "results_dump.py", url, key, json.dumps(ids)))
    v2 = json.loads(run_script(official_python_2, "results_dump.py", url, key, json.dumps(ids)))
    ours = without_added_fields(json.loads(run_script(Path(sys.executable), "results_dump.py", url, key, json.dumps(ids))))
    assert len(ours) == len(v1) == len(v2) == 25
    assert [r[0] for r in v2 if r[1] == "absent"] == ["list_projects", "get_project", "create_checkout"]
    for older, newer, mine in zip(v1, v2, ours):
        if newer[1] == "absent":  # a session-only method: 1.4.0's result
            assert mine == older, f"{older[0]} differs from 1.4.0"
        else:
            assert mine == newer, f"{newer[0]} differs from 2.0.0"
            assert covers(mine, older), f"{older[0]} lacks what 1.4.0 gives"
