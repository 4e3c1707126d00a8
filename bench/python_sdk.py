"""Python SDK benchmark: this package (Rust core) against the official ``hookbridge`` 1.4.0, both
against the same local ``hookbridge-server --dev``, in one run.

    .venv/bin/maturin develop --release        # build this package optimised first
    cargo build --release -p hookbridge-server  # optional: the debug server works too
    .venv/bin/python bench/python_sdk.py [--quick]

Scenarios (each SDK in its own interpreter, sending to one paused endpoint so the server only
stores messages): (a) 2,000 sequential sync sends, (b) 2,000 sync sends from 8 threads sharing
one client, (c) ``asyncio.gather`` of 5,000 sends with at most 100 in flight. Prints requests/s,
CPU seconds per 1,000 requests (user + system of the SDK's process) and the ratios, then the RSS
growth of this package over 100,000 sends through one client.
Goals: (c) >= 3x and (b) >= 2x the official throughput, <= 1/3 of its CPU per request, RSS growth
< 10 MB. The official package is installed from PyPI into ``HOOKBRIDGE_OFFICIAL_VENV``
(default /tmp/hookbridge-official-1.4.0) on first use.
"""

import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
OFFICIAL_VENV = Path(os.environ.get("HOOKBRIDGE_OFFICIAL_VENV", "/tmp/hookbridge-official-1.4.0"))
DEV_KEY = "hb_test_dev00000000000000000000000000000"
SCENARIOS = {
    "a": ("(a) 2,000 sequential sync sends", "sequential", 2_000),
    "b": ("(b) 2,000 sync sends, 8 threads", "threads", 2_000),
    "c": ("(c) 5,000 async sends, 100 in flight", "gather", 5_000),
}
RSS_SENDS = 100_000
PAYLOAD = {"event": "order.created", "data": {"id": "ord_123", "amount": 4200, "currency": "EUR", "items": [1, 2, 3]}}


# --- Worker side: runs inside the interpreter of one SDK --------------------------------------


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(run: Callable[[], None], n: int) -> dict[str, float]:
    gc.collect()
    cpu, wall = cpu_seconds(), time.perf_counter()
    run()
    return {"n": n, "seconds": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu}


def worker(mode: str, url: str, endpoint_id: str, n: int) -> dict[str, float]:
    import hookbridge

    if mode == "sequential":
        client = hookbridge.HookBridge(DEV_KEY, base_url=url, send_url=url)
        for _ in range(200):
            client.send(endpoint_id, PAYLOAD)

        def sequential() -> None:
            for _ in range(n):
                client.send(endpoint_id, PAYLOAD)

        return measure(sequential, n)

    if mode == "threads":
        client = hookbridge.HookBridge(DEV_KEY, base_url=url, send_url=url)
        for _ in range(200):
            client.send(endpoint_id, PAYLOAD)

        def threaded() -> None:
            def part() -> None:
                for _ in range(n // 8):
                    client.send(endpoint_id, PAYLOAD)

            threads = [threading.Thread(target=part) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        return measure(threaded, n // 8 * 8)

    async def gather(client: Any, count: int) -> None:
        limit = asyncio.Semaphore(100)

        async def one() -> None:
            async with limit:
                await client.send(endpoint_id, PAYLOAD)

        await asyncio.gather(*(one() for _ in range(count)))

    async def scenario() -> dict[str, float]:
        client = hookbridge.AsyncHookBridge(DEV_KEY, base_url=url, send_url=url)
        await gather(client, 500)
        if mode == "gather":
            gc.collect()
            cpu, wall = cpu_seconds(), time.perf_counter()
            await gather(client, n)
            return {"n": n, "seconds": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu}
        # mode == "rss": steady-state memory over many sends through one client, measured after a
        # warm-up that lets the allocator's per-thread arenas and the connection pool settle.
        await gather(client, 20_000)
        gc.collect()
        before = rss_mb()
        done = 0
        while done < n:
            await gather(client, 10_000)
            done += 10_000
        gc.collect()
        return {"n": done, "rss_before_mb": before, "rss_after_mb": rss_mb()}

    return asyncio.run(scenario())


# --- Driver side ------------------------------------------------------------------------------


def official_python() -> Path:
    python = OFFICIAL_VENV / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = "import hookbridge; assert hookbridge.__version__ == '1.4.0' and 'site-packages' in hookbridge.__file__"
    if not python.exists() or subprocess.run([str(python), "-c", probe], env=env, capture_output=True).returncode:
        print(f"installing the official hookbridge==1.4.0 into {OFFICIAL_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(OFFICIAL_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "hookbridge==1.4.0"], check=True, env=env)
    return python


def start_server() -> tuple[subprocess.Popen[str], str, str]:
    release, debug = REPO / "target" / "release" / "hookbridge-server", REPO / "target" / "debug" / "hookbridge-server"
    binary = Path(os.environ.get("HOOKBRIDGE_SERVER_BIN") or (release if release.exists() else debug))
    if not binary.exists():
        subprocess.run(["cargo", "build", "-p", "hookbridge-server"], cwd=REPO, check=True)
    process = subprocess.Popen([str(binary), "--dev", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if "listening on" in line:
            return process, line.rsplit(" ", 1)[-1].strip(), binary.parent.name
    raise SystemExit("hookbridge-server did not start")


def run_worker(python: Path, mode: str, url: str, endpoint_id: str, n: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--worker", mode, url, endpoint_id, str(n)],
        capture_output=True, text=True, env=env, cwd="/",
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{python} {mode} failed:\n{result.stderr}")
    report: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def native_build() -> str:
    """Whether the installed native module was built optimised (maturin develop --release)."""
    from hookbridge import _native

    return "debug (run `maturin develop --release` for real figures)" if _native.DEBUG_BUILD else "release"


def main() -> None:
    quick = "--quick" in sys.argv
    official = official_python()
    server, url, server_profile = start_server()
    try:
        import hookbridge

        with hookbridge.HookBridge(DEV_KEY, base_url=url, send_url=url) as client:
            endpoint = client.create_endpoint("http://127.0.0.1:9/never-delivered", description="python sdk bench")
            client.pause_endpoint(endpoint.id)  # store only: no delivery traffic competes for the CPU
        print(f"server: {server_profile} build at {url}; this package: {native_build()} native module")
        print(f"{'scenario':40} {'official req/s':>15} {'ours req/s':>11} {'ratio':>7} {'official CPU s/1k':>18} {'ours CPU s/1k':>14} {'CPU ratio':>10}")
        for key, (label, mode, n) in SCENARIOS.items():
            n = n // 5 if quick else n
            theirs = run_worker(official, mode, url, endpoint.id, n)
            ours = run_worker(Path(sys.executable), mode, url, endpoint.id, n)
            rate_theirs, rate_ours = theirs["n"] / theirs["seconds"], ours["n"] / ours["seconds"]
            cpu_theirs, cpu_ours = theirs["cpu"] / theirs["n"] * 1000, ours["cpu"] / ours["n"] * 1000
            print(
                f"{label:40} {rate_theirs:15.0f} {rate_ours:11.0f} {rate_ours / rate_theirs:6.2f}x "
                f"{cpu_theirs:18.3f} {cpu_ours:14.3f} {cpu_ours / cpu_theirs:9.2f}x"
            )
        sends = RSS_SENDS // 10 if quick else RSS_SENDS
        rss = run_worker(Path(sys.executable), "rss", url, endpoint.id, sends)
        growth = rss["rss_after_mb"] - rss["rss_before_mb"]
        print(
            f"RSS growth over {int(rss['n']):,} async sends through one client (ours): {growth:+.1f} MB "
            f"({rss['rss_before_mb']:.1f} -> {rss['rss_after_mb']:.1f} MB; goal < 10 MB)"
        )
        print("goals: (c) >= 3x, (b) >= 2x official throughput; CPU ratio <= 0.33; RSS growth < 10 MB")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        mode, url, endpoint_id, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        print(json.dumps(worker(mode, url, endpoint_id, n)))
    else:
        main()
