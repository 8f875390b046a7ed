"""Before/after in one run: guard check and in-process answer latency of two checkouts, measured alternately.

    git worktree add /tmp/before <rev>
    .venv/bin/python -m bench.compare_revisions --before /tmp/before [--after .] [--pairs 2]

Each run loads that checkout's engine and pipeline in a fresh process (this venv), warms up, then times the
public and team guard drafts x10 and the public chat questions x5. Ratios are only meaningful within a run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = r'''
import json, statistics, sys, tempfile, time
from pathlib import Path
cases_dir = Path(sys.argv[1])
guard = [json.loads(l) for f in ("guard_public.jsonl", "guard_team.jsonl")
         for l in (cases_dir / f).read_text().splitlines() if l.strip()]
from guardrails.engine import GuardrailEngine
engine = GuardrailEngine()
for c in guard:
    engine.check(c["question"], c["draft"])
g = []
for _ in range(10):
    for c in guard:
        t = time.perf_counter(); engine.check(c["question"], c["draft"]); g.append((time.perf_counter() - t) * 1000)
from rag.config import Settings
from rag.pipeline import Pipeline
p = Pipeline(Settings(data_dir=Path(tempfile.mkdtemp()) / "data")); p.warm_up(); p.precompute()
qs = [json.loads(l)["turns"] for l in (cases_dir / "chat_public.jsonl").read_text().splitlines() if l.strip()]
for q in qs:
    p.answer(q)
a = []
for _ in range(5):
    for q in qs:
        t = time.perf_counter(); p.answer(q); a.append((time.perf_counter() - t) * 1000)
g.sort(); a.sort()
print(json.dumps({"guard_p50_ms": round(statistics.median(g), 3), "guard_p95_ms": round(g[int(len(g) * .95)], 3),
                  "answer_p50_ms": round(statistics.median(a), 2), "answer_p95_ms": round(a[int(len(a) * .95)], 2)}))
'''


def measure(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", PROBE, str(REPO / "eval" / "cases")], cwd=root, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the earlier revision")
    parser.add_argument("--after", type=Path, default=REPO, help="the checkout to compare (default: this one)")
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args()
    for i in range(args.pairs):
        before, after = measure(args.before), measure(args.after)
        ratio = after["answer_p50_ms"] / before["answer_p50_ms"]
        print(json.dumps({"pair": i + 1, "before": before, "after": after, "answer_p50_ratio": round(ratio, 2)}))


if __name__ == "__main__":
    main()
