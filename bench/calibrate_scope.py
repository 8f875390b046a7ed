"""Calibrate the scope decision's topic stage on negatives, not on the wording of known cases.

Negatives: the SciFact claims (biomedical statements from every specialty; research use only, read from
../shared/benchmarks, never shipped) and the out-of-scope questions of the case sets. Positives: the
answerable questions of the case sets and the generated question variants (tests/eval/robustness). The
other guidelines in --topics are indexed beside the seed (with their chat cases), so the figures hold with
several subjects indexed. For each question it records the best passage sentence's cosine, the clinical
concepts and the document's rare terms shared with the passages, then prints how each threshold would decide:
false acceptance on SciFact and wrong abstention on answerable questions.

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


def _signal(pipeline, turns: list[dict]) -> tuple[float, int, int]:
    """(best sentence cosine, shared-concept weight, the document's rare terms the question uses), from the
    pipeline's own first half of a turn (query, retrieval, scope), so the calibration measures what is served."""
    decision = pipeline._begin(turns, 0.0, use_llm=False).decision
    return decision.similarity, pipeline.scope.shared_weight(decision.shared_concepts), len(decision.shared_terms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=REPO.parent / "shared/benchmarks/beir-scifact")
    parser.add_argument("--topics", type=Path, default=REPO / "tests/fixtures/topics", nargs="?", const=None,
                        help="other guidelines indexed beside the seed, with their chat cases (chat_*.jsonl)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from rag.config import Settings
    from rag.pipeline import Pipeline
    from tests.eval.robustness.generate import generate, load_seed_cases

    pipeline = Pipeline(Settings(data_dir=Path(tempfile.mkdtemp()) / "data"))
    pipeline.warm_up()
    from rag.ingest.readers import parse_document
    from rag.scope import RARE_TERM_STEP, RARE_TERMS_MIN, RARE_TERMS_MIN_SIMILARITY, rare_terms_enough

    if args.topics and args.topics.is_dir():
        pipeline.library.write_many([parse_document(f.read_bytes(), f.name, doc_id=f.stem)
                                     # the guidelines beside the seed too: their batches' questions are answerable
                                     for f in sorted(args.topics.rglob("*.md"))], mode="add")
    positives, negatives = [], []
    files = [*sorted((REPO / "eval").glob("*/chat_*.jsonl")),
             *(sorted(args.topics.glob("chat_*.jsonl")) if args.topics and args.topics.is_dir() else [])]
    cases = [json.loads(x) for f in files for x in f.read_text().splitlines() if x.strip()]
    cases += [c for c in generate(seeds=load_seed_cases()) if c["perturbation"] != "in-topic-absent"]
    for c in cases:
        (negatives if c["expect"].get("abstain") else positives).append(_signal(pipeline, c["turns"]))
    claims = [json.loads(x)["text"] for x in (args.scifact / "queries.jsonl").read_text().splitlines() if x.strip()]
    scifact = [_signal(pipeline, [{"role": "user", "content": t}]) for t in claims]
    sims = np.array([s for s, _, _ in scifact])
    print(f"SciFact claims: {len(scifact)}; best-sentence cosine p50/p90/p99/max "
          f"{np.percentile(sims, [50, 90, 99]).round(3).tolist()} {sims.max():.3f}")
    print(f"answerable questions: {len(positives)}; out-of-scope questions: {len(negatives)}")
    print("| topic_min | with 2+ shared concepts | SciFact accepted | answerable abstained | out-of-scope accepted |")
    print("|---|---|---|---|---|")
    for hi in (0.48, 0.5, 0.52, 0.55):
        for lo in (0.33, 0.35, 0.37, 0.4):
            def accept(s: float, w: int, terms: int, hi=hi, lo=lo) -> bool:
                return s >= hi or (w >= 2 and s >= lo) or rare_terms_enough(terms, s)
            fa = sum(accept(*x) for x in scifact) / len(scifact)
            wa = sum(not accept(*x) for x in positives) / len(positives)
            oa = sum(accept(*x) for x in negatives) / max(1, len(negatives))
            print(f"| {hi} | {lo} | {fa:.3f} | {wa:.3f} | {oa:.3f} |")
    for need in (RARE_TERMS_MIN - 1, RARE_TERMS_MIN, RARE_TERMS_MIN + 1, 99):
        for step in sorted({0.0, RARE_TERM_STEP, 0.03}):
            def rule(s: float, w: int, terms: int, need=need, step=step) -> bool:
                return s >= 0.52 or (w >= 2 and s >= 0.37) or rare_terms_enough(
                    terms - need + RARE_TERMS_MIN if terms >= need else 0, s, step)
            print(f"rare terms >= {need} (99: rule off), cosine >= {RARE_TERMS_MIN_SIMILARITY} less {step} a term "
                  f"beyond: SciFact accepted {sum(rule(*x) for x in scifact)}/{len(scifact)}, answerable abstained "
                  f"{sum(not rule(*x) for x in positives)}/{len(positives)}")


if __name__ == "__main__":
    main()
