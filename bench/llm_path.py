"""How the LLM path behaves when the model is dead, hung, trickling, rate-limited or good (scripted server).

    python -m bench.llm_path [--deadline 3] [--rounds 3]

Prints, per scenario, the outcome, the wall time of whole answers against the deadline, and for a good
streamed answer the time to the first verified sentence against the whole answer's time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from rag.config import Settings
    from rag.pipeline import Pipeline
    from tests.llm_server import Act, ScriptedServer, as_json, first_sentence

    data = Path(tempfile.mkdtemp(prefix="clinrag-llm-bench-"))
    base = Pipeline(Settings(data_dir=data))
    base.warm_up()
    q = [{"role": "user", "content": "What imaging should I order for a palpable lumbar mass?"}]

    def good(delay: float = 0.0):
        return lambda req: Act(content=as_json(*[(first_sentence(req, n), [n]) for n in (1, 2, 3)
                                                 if first_sentence(req, n)]), piece_delay=delay)
    scenarios = {
        "dead (connection refused)": None,
        "hung (no reply)": lambda req: Act(delay=60),
        "trickle (a token per 0.2 s)": lambda req: Act(content="word " * 400, piece_delay=0.2),
        "429 with Retry-After 60": lambda req: Act(status=429, headers={"Retry-After": "60"}),
        "good (JSON, a token per 10 ms)": good(0.01),
    }
    rows = []
    with ScriptedServer() as server:
        for name, reply in scenarios.items():
            url = "http://127.0.0.1:1/v1" if reply is None else server.url
            server.script.reset(reply=reply)
            p = Pipeline(Settings(data_dir=data, llm_base_url=url, llm_timeout_s=args.deadline,
                                  llm_breaker_failures=1000), embedder=base.embedder)
            p.library.open(rebuild_if_needed=False)
            p.sentence_vectors = p.composer.vectors = base.sentence_vectors
            walls, outcomes = [], set()
            for _ in range(args.rounds):
                started = time.perf_counter()
                a = p.answer(q)
                walls.append(time.perf_counter() - started)
                outcomes.add(a.llm_outcome)
            time.sleep(0.5)  # a trickling server notices the closed stream at its next write
            row = {"scenario": name, "outcome": sorted(outcomes), "max_s": round(max(walls), 2),
                   "deadline_s": args.deadline, "server_saw_close": bool(server.script.closed_early)}
            if name.startswith("good"):
                row.update(asyncio.run(_streamed(p, q)))
            rows.append(row)
            p.llm_client.close()
    for row in rows:
        print(json.dumps(row))


async def _streamed(p, q) -> dict:
    started = time.perf_counter()
    first, last = None, None
    async for item in p.answer_stream(q):
        last = item
        if first is None:
            first = time.perf_counter() - started
    return {"stream_first_piece_s": round(first or 0.0, 2), "stream_whole_s": round(time.perf_counter() - started, 2),
            "stream_outcome": getattr(last, "llm_outcome", None)}


if __name__ == "__main__":
    main()
