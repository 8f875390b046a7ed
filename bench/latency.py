"""Answer latency: in-process, over HTTP (real uvicorn), and the floor (one query embedding + FAISS search)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from bench.common import REPO, summary, timed


def questions() -> list[list[dict]]:
    lines = (REPO / "eval/cases/chat_public.jsonl").read_text().splitlines()
    return [json.loads(line)["turns"] for line in lines if line.strip()]


def in_process(pipeline, rounds: int = 5) -> dict:
    return summary(timed(pipeline.answer, questions(), rounds))


def floor(pipeline, rounds: int = 5) -> dict:
    """What any answer must cost: embed the question once and search FAISS."""
    snap = pipeline.library.snapshot
    qs = [q[-1]["content"] for q in questions()]
    times = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            vec = pipeline.embedder.encode([q])
            snap.faiss_index.search(vec, 20)
            times.append((time.perf_counter() - t) * 1000)
    return summary(times)


def over_http(base: str, rounds: int = 5) -> dict:
    qs = questions()
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for q in qs:
            client.post("/v1/chat/completions", json={"model": "m", "messages": q})
        for _ in range(rounds):
            for q in qs:
                t = time.perf_counter()
                r = client.post("/v1/chat/completions", json={"model": "m", "messages": q})
                r.raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
    return summary(times)


async def _load(base: str, clients: int, seconds: float) -> dict:
    qs = questions()
    done, errors = 0, 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(i: int) -> None:
        nonlocal done, errors
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            n = i
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/chat", json={"message": qs[n % len(qs)][-1]["content"]})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - t) * 1000)
                done += ok
                errors += not ok
                n += clients

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {"clients": clients, "answers": done, "errors": errors, "answers_per_s": round(done / elapsed, 1),
            **{k: v for k, v in summary(latencies).items() if k in ("p50_ms", "p95_ms")}}


def throughput(base: str, clients: tuple[int, ...] = (1, 4, 8), seconds: float = 10) -> list[dict]:
    return [asyncio.run(_load(base, c, seconds)) for c in clients]
