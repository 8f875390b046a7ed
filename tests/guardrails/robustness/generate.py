"""Generated CheckList-style robustness suite for the lumbar-mass red-flag rules (MFT, INV, DIR).

    python -m tests.guardrails.robustness.generate --report [--max-per-rule N] [--failures N] [--dump FILE]

Cases come from templates.yaml x lexicon.yaml, a test-only lexicon written apart from the engine's
vocabulary. Each case is dict(id, rule, kind, question, draft, expect_unsafe, rule_expected): an
unsafe case passes when rule_expected is among the verdict's rule ids, a safe case when the verdict
lists no violation at all. Generation is deterministic (seeded per rule).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from .suite import KINDS, OTHER, RULES, Suite

__all__ = ["KINDS", "OTHER", "RULES", "format_counts", "format_failures", "format_table", "generate", "score"]

def _finalise(cases: list[dict]) -> list[dict]:
    """Drop exact repeats, refuse a text labelled both safe and unsafe, number the ids per rule."""
    seen: dict[tuple[str, str], dict] = {}
    out, seq = [], Counter()
    for c in cases:
        key = (c["question"], c["draft"])
        if key in seen:
            if seen[key]["expect_unsafe"] != c["expect_unsafe"]:
                raise ValueError(f"conflicting labels: {seen[key]['id']} vs {c['id']}: {key}")
            continue
        seen[key] = c
        seq[c["rule"]] += 1
        c["id"] = f"{c['id']}/{seq[c['rule']]:05d}"
        out.append(c)
    return out


def _cap(cases: list[dict], max_per_rule: int, seed: int) -> list[dict]:
    """Stratified deterministic subsample: each (rule, kind, expectation) keeps its share."""
    out = []
    for rule in dict.fromkeys(c["rule"] for c in cases):
        mine = [c for c in cases if c["rule"] == rule]
        if len(mine) <= max_per_rule:
            out += mine
            continue
        rng = random.Random(f"{seed}:cap:{rule}")
        strata = Counter((c["kind"], c["expect_unsafe"]) for c in mine)
        keep: set[str] = set()
        for stratum, n in sorted(strata.items()):
            members = [c["id"] for c in mine if (c["kind"], c["expect_unsafe"]) == stratum]
            keep.update(rng.sample(members, max(1, round(n * max_per_rule / len(mine)))))
        out += [c for c in mine if c["id"] in keep]
    return out


def generate(max_per_rule: int | None = None) -> list[dict]:
    """All generated cases (rules in contract order, then other topics), optionally capped per rule."""
    suite = Suite()
    for rule in RULES:
        suite.rule_cases(rule)
    suite.other_topic_cases()
    cases = _finalise(suite.cases)
    return _cap(cases, max_per_rule, suite.settings["seed"]) if max_per_rule else cases


# --- scoring and report ------------------------------------------------------------------------
def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def score(engine, cases: list[dict]) -> dict:
    """Per rule: n_unsafe, recall, n_safe, false_positive_rate, failures (and the same per kind)."""
    tally: dict[str, dict] = {}
    for c in cases:
        verdict = engine.check(c["question"], c["draft"])
        got = sorted({v.rule_id for v in verdict.violations})
        ok = c["rule_expected"] in got if c["expect_unsafe"] else not got
        for key in (c["rule"], f"{c['rule']}:{c['kind']}"):
            t = tally.setdefault(key, {"unsafe": 0, "hit": 0, "safe": 0, "fp": 0, "failures": []})
            t["unsafe" if c["expect_unsafe"] else "safe"] += 1
            t["hit"] += bool(c["expect_unsafe"] and ok)
            t["fp"] += bool(not c["expect_unsafe"] and not ok)
            if not ok and ":" not in key:
                t["failures"].append({"id": c["id"], "question": c["question"], "draft": c["draft"],
                                      "expect_unsafe": c["expect_unsafe"], "got": got})
    report = {}
    for key, t in tally.items():
        report[key] = {"n_unsafe": t["unsafe"], "recall": _rate(t["hit"], t["unsafe"]), "n_safe": t["safe"],
                       "false_positive_rate": _rate(t["fp"], t["safe"]), "failures": t["failures"]}
    return report


def _fmt(x: float | None) -> str:
    return "   -  " if x is None else f"{x:6.3f}"


def format_table(report: dict, by_kind: bool = False) -> str:
    rows = [f"{'rule':<28}{'n_unsafe':>9}{'recall':>8}{'n_safe':>8}{'FP rate':>9}{'failures':>10}"]
    for rule in (*RULES, OTHER):
        keys = [rule] + ([f"{rule}:{k}" for k in KINDS] if by_kind else [])
        for key in keys:
            if key not in report:
                continue
            r = report[key]
            label = key if key == rule else f"  {key.split(':')[1]}"
            fails = str(len(r["failures"])) if key == rule else ""
            rows.append(f"{label:<28}{r['n_unsafe']:>9}{_fmt(r['recall']):>8}{r['n_safe']:>8}"
                        f"{_fmt(r['false_positive_rate']):>9}{fails:>10}")
    return "\n".join(rows)


def format_counts(cases: list[dict]) -> str:
    count = Counter((c["rule"], c["kind"], c["expect_unsafe"]) for c in cases)
    head = "".join(f"{k + ' uns/safe':>16}" for k in KINDS)
    rows = [f"{'rule':<28}{head}{'total':>8}"]
    for rule in (*RULES, OTHER):
        cells = "".join(f"{f'{count[rule, k, True]}/{count[rule, k, False]}':>16}" for k in KINDS)
        total = sum(n for (r, _, _), n in count.items() if r == rule)
        rows.append(f"{rule:<28}{cells}{total:>8}")
    rows.append(f"{'all':<28}{'':>48}{len(cases):>8}")
    return "\n".join(rows)


def format_failures(failures: list[dict], limit: int = 15) -> str:
    lines = []
    for f in failures[:limit]:
        want = "unsafe" if f["expect_unsafe"] else "safe"
        lines.append(f"- {f['id']} (expected {want}, got {f['got'] or 'no violation'})\n"
                     f"    Q: {f['question']}\n    D: {f['draft']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true", help="score the current engine and print the per-rule table")
    ap.add_argument("--max-per-rule", type=int, default=None, help="stratified cap on cases per rule")
    ap.add_argument("--failures", type=int, default=0, help="print the first N failures of each rule")
    ap.add_argument("--dump", type=Path, help="write the generated cases as JSONL")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    cases = generate(args.max_per_rule)
    t_gen = time.perf_counter() - t0
    print(f"generated {len(cases)} cases in {t_gen:.2f} s\n{format_counts(cases)}\n")
    if args.dump:
        args.dump.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    if not args.report:
        return 0
    from guardrails.engine import GuardrailEngine

    t0 = time.perf_counter()
    report = score(GuardrailEngine(), cases)
    print(f"scored in {time.perf_counter() - t0:.2f} s at {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    print(format_table(report, by_kind=True))
    for rule in (*RULES, OTHER):
        if args.failures and report.get(rule, {}).get("failures"):
            listing = format_failures(report[rule]["failures"], args.failures)
            print(f"\n{rule}: first {args.failures} failures\n{listing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
