"""Generated robustness suite for the question side (CheckList-style): see generate.py for the perturbations.

Gates: on every perturbation kind, >= 95% of the answerable variants pass eval.checks.chat_problems, and >= 95%
of the unanswerable ones (perturbed out-of-scope seeds, and the in-topic-absent questions) abstain. The
unperturbed seeds are answered too, as the baseline each failure is read against (gated by tests/eval/test_gates.py).
One answer takes roughly 30-60 ms warm, so the run is capped at CAP answers (seeded, per-kind sampling).
"""

from __future__ import annotations

import pytest

from tests.eval.robustness.generate import (
    ABSENT,
    KINDS,
    ORIGINAL,
    count_by_kind,
    failure_lines,
    final_question,
    generate,
    load_seed_cases,
    originals,
    sample,
    score,
    table,
)

CAP = 600  # answers per run, originals included
PASS_MIN = 0.95
RECALL_MIN = 0.95
# Issue 10's bar is PASS_MIN on every kind. Kinds below it are held to what they reached (measured 2026-11-25,
# 501 answers): a ratchet, raised when answers improve, never lowered. A kind at the bar is held to the bar.
PASS_FLOORS: dict[str, float] = {}  # every kind meets the bar since 2026-11-25


@pytest.fixture(scope="module")
def seeds() -> list[dict]:
    return load_seed_cases()


@pytest.fixture(scope="module")
def robustness(pipeline, seeds) -> dict:
    base = originals(seeds)
    variants = sample(generate(seeds=seeds), CAP - len(base))
    report = score(pipeline, base + variants)
    print("\n" + table(report))
    return report


def _explain(report: dict, problems: list[str], kinds: set[str]) -> str:
    # robustness regressions (the unperturbed seed passes) first, then variants of seeds that fail anyway
    picked = [f for f in report["failures"] if f["kind"] in kinds]
    fails = {**report, "failures": sorted(picked, key=lambda f: f["source_passes"] is False)}
    return "\n".join([*problems, "", table(report), "", f"first 15 of {len(fails['failures'])} failures:",
                      failure_lines(fails, 15)])


def test_generation_is_deterministic_and_covers_every_seed(seeds):
    cases = generate(seeds=seeds)
    assert cases == generate(seeds=seeds)
    by_id = {s["id"]: s for s in seeds}
    assert {c["source_id"] for c in cases} == set(by_id)
    counts = count_by_kind(cases)
    assert set(counts) == {*KINDS, ABSENT}, counts
    for c in cases:
        src = by_id[c["source_id"]]
        assert {"id", "category", "turns", "expect", "perturbation", "source_id"} <= set(c)
        assert c["turns"][:-1] == src["turns"][:-1] and c["turns"][-1]["role"] == "user"
        assert final_question(c) != final_question(src), c["id"]
        if c["perturbation"] == ABSENT:
            assert c["expect"] == {"abstain": True, "all_groups": [], "none_of": [], "min_citations": 0,
                                   "escalate": bool(src["expect"].get("escalate"))}
            assert not src["expect"].get("abstain")
        else:
            assert c["expect"] == src["expect"]
        if c["perturbation"] == "statement":
            assert not src["expect"].get("abstain")


def test_answerable_variants_pass_on_every_kind(robustness):
    problems = [f"{kind}: answerable pass rate {s['answerable_pass_rate']:.3f} < "
                f"{min(PASS_MIN, PASS_FLOORS.get(kind, PASS_MIN))} (bar {PASS_MIN}; {s['n_answerable']} variants)"
                for kind, s in robustness["per_kind"].items()
                if kind in KINDS and s["n_answerable"]
                and s["answerable_pass_rate"] < min(PASS_MIN, PASS_FLOORS.get(kind, PASS_MIN))]
    assert not problems, _explain(robustness, problems, set(KINDS))


def test_unanswerable_variants_abstain_on_every_kind(robustness):
    problems = [f"{kind}: abstention recall {s['abstention_recall']:.3f} < {RECALL_MIN} "
                f"({s['n_unanswerable']} variants)"
                for kind, s in robustness["per_kind"].items()
                if kind in {*KINDS, ABSENT} and s["n_unanswerable"] and s["abstention_recall"] < RECALL_MIN]
    assert robustness["per_kind"][ABSENT]["n_unanswerable"] > 0
    assert not problems, _explain(robustness, problems, {*KINDS, ABSENT})


def test_run_stays_within_its_budget(robustness):
    t = robustness["timing"]
    assert t["answers"] <= CAP
    assert robustness["per_kind"][ORIGINAL]["n"] > 0
    print(f"robustness run: {t['answers']} answers in {t['wall_s']} s, p50 {t['p50_ms']} ms")
