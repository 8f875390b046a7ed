"""Calibrate the scope decision's topic stage on negatives, not on the wording of known cases.

Negatives: the SciFact claims (biomedical statements from every specialty; research use only, read from
../shared/benchmarks, never shipped) and the out-of-scope questions of the case sets. Positives: the
answerable questions of the case sets and the generated question variants (tests/eval/robustness). For
each question it records the best passage sentence's cosine and the clinical concepts shared with the
passages, then prints how each threshold pair would decide: false acceptance on SciFact and wrong
abstention on answerable questions.

    .venv/bin/python -m bench.calibrate_scope [--scifact ../shared/benchmarks/beir-scifact]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def _signal(pipeline, turns: list[dict]) -> tuple[float, int]:
    q = pipeline.queries.read(turns)
    snap = pipeline.library.snapshot
    vec = pipeline.embedder.encode_query(q.search)
    passages = pipeline.with_neighbours(snap, pipeline.retriever.retrieve(snap, q.search, pipeline.settings.top_k,
                                                                        vector=vec))
    decision = pipeline.scope.decide(q, passages, pipeline.sentence_vectors.get(passages), vec, None)
    kinds = pipeline.scope.vocabulary.kinds
    weight = sum(2 if kinds.get(c) == "object" else 1 for c in decision.shared_concepts)
    return decision.similarity, weight


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=REPO.parent / "shared/benchmarks/beir-scifact")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag.config import Settings
    from rag.pipeline import Pipeline
    from tests.eval.robustness.generate import generate, load_seed_cases

    pipeline = Pipeline(Settings(data_dir=Path(tempfile.mkdtemp()) / "data"))
    pipeline.warm_up()
    positives, negatives = [], []
    cases = [json.loads(x) for f in sorted((REPO / "eval").glob("*/chat_*.jsonl")) for x in f.read_text().splitlines()
             if x.strip()]
    cases += [c for c in generate(seeds=load_seed_cases()) if c["perturbation"] != "in-topic-absent"]
    for c in cases:
        (negatives if c["expect"].get("abstain") else positives).append(_signal(pipeline, c["turns"]))
    claims = [json.loads(x)["text"] for x in (args.scifact / "queries.jsonl").read_text().splitlines() if x.strip()]
    scifact = [_signal(pipeline, [{"role": "user", "content": t}]) for t in claims]
    sims = np.array([s for s, _ in scifact])
    print(f"SciFact claims: {len(scifact)}; best-sentence cosine p50/p90/p99/max "
          f"{np.percentile(sims, [50, 90, 99]).round(3).tolist()} {sims.max():.3f}")
    print(f"answerable questions: {len(positives)}; out-of-scope questions: {len(negatives)}")
    print("| topic_min | with 2+ shared concepts | SciFact accepted | answerable abstained | out-of-scope accepted |")
    print("|---|---|---|---|---|")
    for hi in (0.48, 0.5, 0.52, 0.55):
        for lo in (0.33, 0.35, 0.37, 0.4):
            def accept(s: float, w: int, hi=hi, lo=lo) -> bool:
                return s >= hi or (w >= 2 and s >= lo)
            fa = sum(accept(*x) for x in scifact) / len(scifact)
            wa = sum(not accept(*x) for x in positives) / len(positives)
            oa = sum(accept(*x) for x in negatives) / max(1, len(negatives))
            print(f"| {hi} | {lo} | {fa:.3f} | {wa:.3f} | {oa:.3f} |")


if __name__ == "__main__":
    main()
