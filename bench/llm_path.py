"""How the LLM path behaves when the model is dead, hung, trickling, rate-limited or good (scripted server).

    python -m bench.llm_path [--deadline 3] [--rounds 3]
    python -m bench.llm_path --url http://127.0.0.1:8089/v1 --model NAME --deadline 60 [--cases 10]

Prints, per scenario, the outcome, the wall time of whole answers against the deadline, and for a good
streamed answer the time to the first verified sentence against the whole answer's time. With --url, the
public chat cases go to a real model server instead: acceptance rate, fallback reasons, time to the first
streamed sentence and whole-answer latency.
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
    parser.add_argument("--url", help="A real OpenAI-compatible model server instead of the scripted one.")
    parser.add_argument("--model", default="local-model")
    parser.add_argument("--cases", type=int, default=0, help="With --url: how many public chat cases (0 = all).")
    args = parser.parse_args()
    if args.url:
        _real(args)
        return

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
                row.update({k: v for k, v in asyncio.run(_streamed(p, q)).items() if k != "dropped"})
            rows.append(row)
            p.llm_client.close()
    for row in rows:
        print(json.dumps(row))


def _real(args) -> None:
    import statistics

    from eval.runner import CASES_DIR, load_cases
    from rag.config import Settings
    from rag.pipeline import Pipeline

    data = Path(tempfile.mkdtemp(prefix="clinrag-llm-bench-"))
    base = Pipeline(Settings(data_dir=data))
    base.warm_up()
    p = Pipeline(Settings(data_dir=data, llm_base_url=args.url, llm_model=args.model, llm_timeout_s=args.deadline),
                 embedder=base.embedder)
    p.library.open(rebuild_if_needed=False)
    cases = load_cases([CASES_DIR / "chat_public.jsonl"])
    cases = cases[: args.cases] if args.cases else cases
    outcomes: dict[str, int] = {}
    firsts, wholes, dropped = [], [], []
    for case in cases:
        row = asyncio.run(_streamed(p, case["turns"]))
        outcomes[row["stream_outcome"] or "not_asked"] = outcomes.get(row["stream_outcome"] or "not_asked", 0) + 1
        firsts.append(row["stream_first_piece_s"])
        wholes.append(row["stream_whole_s"])
        dropped += row["dropped"]
        print(json.dumps({"case": case["id"], **row}))
    asked = sum(v for k, v in outcomes.items() if k != "not_asked")
    print(json.dumps({"model": args.model, "cases": len(cases), "asked": asked,
                      "acceptance_rate": round(outcomes.get("accepted", 0) / asked, 3) if asked else None,
                      "outcomes": outcomes, "dropped_sentences": len(dropped),
                      "first_piece_p50_s": round(statistics.median(firsts), 2),
                      "whole_p50_s": round(statistics.median(wholes), 2), "whole_max_s": round(max(wholes), 2),
                      "deadline_s": args.deadline}))
    p.llm_client.close()


async def _streamed(p, q) -> dict:
    started = time.perf_counter()
    first, last = None, None
    async for item in p.answer_stream(q):
        last = item
        if first is None:
            first = time.perf_counter() - started
    return {"stream_first_piece_s": round(first or 0.0, 2), "stream_whole_s": round(time.perf_counter() - started, 2),
            "stream_outcome": getattr(last, "llm_outcome", None), "dropped": list(getattr(last, "llm_dropped", ()))}


if __name__ == "__main__":
    main()
