"""Guardrail micro-benchmark: per-answer latency of GuardrailEngine.check over every guard case.

Run: .venv/bin/python -m bench.bench_guardrails [--rounds 20]"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from guardrails.engine import GuardrailEngine

CASES = Path(__file__).resolve().parent.parent / "eval" / "cases"


def run(rounds: int = 20) -> dict:
    engine = GuardrailEngine()
    cases = [json.loads(line) for f in sorted(CASES.glob("guard_*.jsonl")) for line in f.read_text().splitlines()
             if line.strip()]
    for c in cases:  # warm regex caches
        engine.check(c["question"], c["draft"])
    times = []
    for _ in range(rounds):
        for c in cases:
            t = time.perf_counter()
            engine.check(c["question"], c["draft"])
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"answers": len(times), "cases": len(cases), "p50_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[int(len(times) * 0.95)], 3), "p99_ms": round(times[int(len(times) * 0.99)], 3)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    print(json.dumps(run(parser.parse_args().rounds), indent=2))
