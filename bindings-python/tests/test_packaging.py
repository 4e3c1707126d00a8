"""Packaging: ``mypy.stubtest`` checks the type stub ``_native.pyi`` against the native module
actually built (every function, class, method, parameter and ``__all__`` entry of
``hookbridge._native``), and the installed distribution carries the project metadata."""

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import hookbridge

PACKAGE_DIR = Path(hookbridge.__file__).resolve().parent
needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed (pip install mypy)")


def stubtest(pythonpath: Path) -> "subprocess.CompletedProcess[str]":
    """Runs stubtest on ``hookbridge._native`` as importable from ``pythonpath``."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "hookbridge._native", "--mypy-config-file=/dev/null"],
        capture_output=True,
        text=True,
        env=env,
        cwd=pythonpath,
    )


@needs_mypy
def test_native_stub_matches_the_built_module() -> None:
    result = stubtest(PACKAGE_DIR.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


@needs_mypy
def test_stubtest_catches_a_stub_that_drifted(tmp_path: Path) -> None:
    """The check is real: a copy of the package whose stub lost a function and renamed a
    parameter fails, naming both."""
    copy = tmp_path / "hookbridge"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    stub = copy / "_native.pyi"
    text = stub.read_text()
    start = text.index("def sign_webhook(")
    end = text.index('"""', text.index('"""', start) + 3) + 3
    text = text[:start] + text[end:]
    assert "def get_message(self, message_id: str)" in text
    text = text.replace("def get_message(self, message_id: str)", "def get_message(self, id: str)")
    stub.write_text(text)
    result = stubtest(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "hookbridge._native.sign_webhook is not present in stub" in result.stdout
    assert "hookbridge._native.Client.get_message is inconsistent" in result.stdout


def test_installed_metadata_has_license_classifiers_and_urls() -> None:
    meta = importlib.metadata.metadata("hookbridge")
    assert meta["Name"] == "hookbridge"
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in (meta.get_all("License-File") or [])
    classifiers = meta.get_all("Classifier") or []
    for version in ("3.9", "3.10", "3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert "Typing :: Typed" in classifiers
    # PEP 639: a license expression replaces the license classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Homepage", "Repository", "Documentation", "Issues"} <= set(urls)
