"""Shared helpers for the benchmarks: percentiles, RSS, a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 2) if values else 0.0


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": pct(ms, 0.5), "p95_ms": pct(ms, 0.95), "p99_ms": pct(ms, 0.99),
            "mean_ms": round(statistics.mean(ms), 2) if ms else 0.0}


def timed(call, items: list, rounds: int) -> list[float]:
    """Milliseconds of call(item) for every item, `rounds` times, after one warm-up pass."""
    for item in items:
        call(item)
    times = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            call(item)
            times.append((time.perf_counter() - started) * 1000)
    return times


def peak_rss_mb(pid: int | None = None) -> float:
    """VmHWM (peak resident set) of a process, in MiB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return round(kb / 1024, 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(data_dir: Path, env: dict | None = None,
           timeout: float = 180) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """`python -m rag serve` on a free loopback port; yields (base url, process, seconds until /readyz was 200)."""
    port = free_port()
    full_env = {**os.environ, "CLINRAG_DATA_DIR": str(data_dir), "CLINRAG_PORT": str(port), "HF_HUB_OFFLINE": "1",
                "CLINRAG_LOG_LEVEL": "WARNING", "CLINRAG_RATE_LIMIT_PER_MINUTE": "1000000", **(env or {})}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "serve"], env=full_env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:])
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"server not ready in {timeout}s")
            time.sleep(0.05)
        yield base, proc, time.perf_counter() - started
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
