"""Fixtures: a real ``hookbridge-server --dev``, a real local webhook receiver, small real HTTP
peers for failure modes, and the clients under test (sync, asyncio, uvloop)."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hookbridge import AsyncHookBridge, HookBridge
from helpers import AsyncDriver, HangingServer, Receiver, StubServer, wait_until

REPO = Path(__file__).resolve().parents[2]
SERVER_BIN = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug" / "hookbridge-server"
DEV_API_KEY = "hb_test_dev00000000000000000000000000000"

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is installed by CI on Linux
    uvloop = None


OFFICIAL_VENV = Path(os.environ.get("HOOKBRIDGE_OFFICIAL_VENV", "/tmp/hookbridge-official-1.4.0"))
OFFICIAL_2_VENV = Path(os.environ.get("HOOKBRIDGE_OFFICIAL_2_VENV", "/tmp/hookbridge-official-2.0.0"))
# What the official venv needs besides the package: snippets compare httpx timeouts and trio runs.
OFFICIAL_EXTRAS = ("trio", "anyio")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def official_venv(venv: Path, version: str) -> Path:
    """The interpreter of ``venv``, holding the official ``hookbridge==version`` from PyPI
    (created on first use)."""
    python = venv / "bin" / "python"
    probe = (
        "import hookbridge, httpx, trio, anyio; "
        f"assert hookbridge.__version__ == {version!r} and 'site-packages' in hookbridge.__file__"
    )
    if not python.exists() or subprocess.run([str(python), "-c", probe], env=clean_env(), capture_output=True).returncode:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"hookbridge=={version}", *OFFICIAL_EXTRAS], check=True, env=clean_env()
        )
    return python


@pytest.fixture(scope="session")
def official_python() -> Path:
    """The official ``hookbridge`` 1.4.0 from PyPI in its own venv (created on first use)."""
    return official_venv(OFFICIAL_VENV, "1.4.0")


@pytest.fixture(scope="session")
def official_python_2() -> Path:
    """The official ``hookbridge`` 2.0.0 from PyPI in its own venv (created on first use)."""
    return official_venv(OFFICIAL_2_VENV, "2.0.0")


class Server:
    """A running ``hookbridge-server --dev`` on a free port."""

    def __init__(self) -> None:
        binary = Path(os.environ.get("HOOKBRIDGE_SERVER_BIN", SERVER_BIN))
        if not binary.exists():
            subprocess.run(["cargo", "build", "-p", "hookbridge-server"], cwd=REPO, check=True)
        self.process = subprocess.Popen(
            [str(binary), "--dev", "--listen", "127.0.0.1:0", "--retry-time-scale", "0.001"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "listening on" in line:
                self.url = line.rsplit(" ", 1)[-1].strip()
                break
        if not self.url:
            self.process.kill()
            raise RuntimeError(f"hookbridge-server exited with {self.process.wait()} before listening")
        self.api_key = DEV_API_KEY

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def stub() -> Iterator[StubServer]:
    running = StubServer()
    yield running
    running.close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    running = HangingServer()
    yield running
    running.close()


@pytest.fixture
def sync_client(server: Server) -> Iterator[HookBridge]:
    with HookBridge(server.api_key, base_url=server.url, send_url=server.url) as client:
        yield client


CLIENT_KINDS = ["sync", "asyncio"] + (["uvloop"] if uvloop is not None else [])


@pytest.fixture(params=CLIENT_KINDS)
def hb(request: pytest.FixtureRequest, server: Server) -> Iterator[Any]:
    """Each client kind behind one calling convention: the sync client itself, or the async
    client driven on a new event loop per test (asyncio's or uvloop's)."""
    if request.param == "sync":
        with HookBridge(server.api_key, base_url=server.url, send_url=server.url) as client:
            yield client
        return
    loop = uvloop.new_event_loop() if request.param == "uvloop" else asyncio.new_event_loop()
    client = AsyncHookBridge(server.api_key, base_url=server.url, send_url=server.url)
    try:
        yield AsyncDriver(client, loop)
    finally:
        loop.run_until_complete(client.close())
        loop.close()


def python_subprocess(code: str, *, env: "dict[str, str] | None" = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a fresh interpreter (the installed package), capturing its output."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


__all__ = ["DEV_API_KEY", "Server", "python_subprocess", "wait_until"]
