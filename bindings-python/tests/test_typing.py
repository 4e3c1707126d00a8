"""``mypy --strict`` on a file that calls every method of both clients (typing_check.py), through
the package's ``.pyi`` stubs and ``py.typed`` marker."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import hookbridge

HERE = Path(__file__).resolve().parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy)")
def test_mypy_strict_accepts_every_call_of_both_clients() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", str(HERE / "typing_check.py")],
        capture_output=True,
        text=True,
        cwd=HERE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy)")
def test_mypy_strict_rejects_a_wrong_call(tmp_path: Path) -> None:
    """The stubs really constrain calls: a wrong argument and a wrong result type are errors."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from hookbridge import AsyncHookBridge, HookBridge, Metrics\n"
        "async def f(c: HookBridge, a: AsyncHookBridge) -> None:\n"
        "    n: int = c.get_metrics()\n"
        "    c.send('ep', {}, {'X': 'y'})\n"
        "    m: Metrics = a.get_metrics()\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stdout.count("error:") >= 3, result.stdout


def test_package_ships_typing_markers() -> None:
    package = Path(hookbridge.__file__).parent
    for name in ("py.typed", "client.pyi", "_native.pyi"):
        assert (package / name).is_file(), name
