"""Run regression cases through the same pipeline the API serves (or a running server by URL)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eval.checks import chat_problems, guard_problems, retrieval_rank

CASES_DIR = Path(__file__).resolve().parent / "cases"


@dataclass
class CaseResult:
    id: str
    kind: str  # chat | guard
    category: str
    passed: bool
    reasons: list[str]
    latency_ms: float
    answer: str = ""
    action: str = ""
    violations: list[str] = field(default_factory=list)
    citations: int = 0
    rank: int | None = None
    expected: dict = field(default_factory=dict)
    abstained: bool = False
    synthesizer: str = ""
    llm_outcome: str | None = None  # with an LLM configured: "accepted" or why the answer fell back


def load_cases(paths: list[Path]) -> list[dict]:
    files = [f for p in paths for f in (sorted(p.glob("*.jsonl")) if p.is_dir() else [p])]
    cases = []
    for f in files:
        for n, line in enumerate(f.read_text().splitlines(), 1):
            if line.strip():
                try:
                    case = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{f}:{n}: not JSON ({exc.msg})") from None
                if "turns" not in case and "draft" not in case:
                    raise ValueError(f"{f}:{n}: a case needs 'turns' (chat) or 'draft' (guardrail)")
                cases.append(case)
    return cases


class InProcessTarget:
    """The pipeline object itself: what the API serves, without HTTP."""

    def __init__(self, pipeline) -> None:
        self.pipeline = pipeline

    def chat(self, turns: list[dict]) -> dict:
        return self.pipeline.answer(turns).model_dump(mode="json")

    def guard(self, question: str, draft: str) -> dict:
        v = self.pipeline.guardrails.check(question, draft)
        return {"action": v.action, "violations": [x.model_dump() for x in v.violations]}


class HttpTarget:
    """A deployment: the OpenAI-compatible endpoint carries whole conversations, the check endpoint drafts."""

    def __init__(self, url: str, api_key: str | None = None) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=60)

    def chat(self, turns: list[dict]) -> dict:
        r = self.client.post("/v1/chat/completions", json={"model": "clinrag", "messages": turns})
        r.raise_for_status()
        body = r.json()
        content = body["choices"][0]["message"]["content"]
        banner = body.get("banner")
        if banner and content.startswith(banner):
            content = content[len(banner):].strip()
        return {"answer": content, "citations": body.get("citations", []), "guardrail": body.get("guardrail", {}),
                "abstained": body.get("abstained", False), "retrieved": body.get("retrieved", []),
                "scope": body.get("scope", "answer"), "synthesizer": body.get("synthesizer", ""),
                "llm_outcome": body.get("llm_outcome")}

    def guard(self, question: str, draft: str) -> dict:
        r = self.client.post("/v1/guardrails/check", json={"question": question, "answer": draft})
        r.raise_for_status()
        return r.json()


def run_cases(cases: list[dict], target, progress: Callable[[str], None] | None = None) -> list[CaseResult]:
    results = []
    for case in cases:
        started = time.perf_counter()
        if "turns" in case:
            out = target.chat(case["turns"])
            ms = (time.perf_counter() - started) * 1000
            reasons = chat_problems(case, out)
            results.append(CaseResult(
                id=case["id"], kind="chat", category=case.get("category", ""), passed=not reasons, reasons=reasons,
                latency_ms=ms, answer=out["answer"], action=out.get("guardrail", {}).get("action", ""),
                violations=[v["rule_id"] for v in out.get("guardrail", {}).get("violations", [])],
                citations=len(out.get("citations", [])), rank=retrieval_rank(case, out), expected=case["expect"],
                abstained=bool(out.get("abstained")), synthesizer=out.get("synthesizer", ""),
                llm_outcome=out.get("llm_outcome")))
        else:
            out = target.guard(case["question"], case["draft"])
            ms = (time.perf_counter() - started) * 1000
            reasons = guard_problems(case, out)
            results.append(CaseResult(
                id=case["id"], kind="guard", category="guardrail", passed=not reasons, reasons=reasons,
                latency_ms=ms, answer=case["draft"], action=out.get("action", ""),
                violations=[v["rule_id"] for v in out.get("violations", [])],
                expected={"violates": case["violates"]}))
        if progress:
            progress(case["id"])
    return results


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 2)


def metrics(results: list[CaseResult]) -> dict:
    chat = [r for r in results if r.kind == "chat"]
    guard = [r for r in results if r.kind == "guard"]
    m: dict = {"cases": len(results), "passed": sum(r.passed for r in results)}
    if chat:
        by_cat: dict[str, list[bool]] = {}
        for r in chat:
            by_cat.setdefault(r.category, []).append(r.passed)
        should = [r for r in chat if r.expected.get("abstain")]
        did = [r for r in chat if r.abstained]
        esc = [r for r in chat if r.expected.get("escalate")]
        ranked = [r.rank for r in chat if r.rank is not None]
        cited = [r for r in chat if not r.expected.get("abstain")]
        m["chat"] = {
            "pass_rate": round(sum(r.passed for r in chat) / len(chat), 4),
            "by_category": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_cat.items())},
            "abstention_precision": round(sum(r.expected.get("abstain", False) for r in did) / len(did), 4)
            if did else 1.0,
            "abstention_recall": round(sum(r.abstained for r in should) / len(should), 4) if should else 1.0,
            "escalation_recall": round(sum(r.action == "escalate" for r in esc) / len(esc), 4) if esc else 1.0,
            "citation_validity": round(sum(not any("citation" in x for x in r.reasons) for r in cited) / len(cited), 4)
            if cited else 1.0,
            "latency_p50_ms": _pct([r.latency_ms for r in chat], 0.5),
            "latency_p95_ms": _pct([r.latency_ms for r in chat], 0.95),
        }
        asked = [r for r in chat if r.llm_outcome]
        if asked:  # an LLM is configured: how many answers it wrote, and why the others fell back
            accepted = sum(r.llm_outcome == "accepted" for r in asked)
            reasons: dict[str, int] = {}
            for r in asked:
                if r.llm_outcome != "accepted":
                    reasons[r.llm_outcome or ""] = reasons.get(r.llm_outcome or "", 0) + 1
            m["llm"] = {"asked": len(asked), "accepted": accepted, "acceptance_rate": round(accepted / len(asked), 4),
                        "fallbacks": dict(sorted(reasons.items())),
                        "pass_rate_accepted": round(sum(r.passed for r in asked if r.llm_outcome == "accepted")
                                                    / accepted, 4) if accepted else None}
        if ranked:
            hits = sum(0 < k <= 5 for k in ranked) / len(ranked)
            m["chat"]["retrieval"] = {"cases": len(ranked), "hit@5": round(hits, 4),
                                      "mrr": round(statistics.mean(1 / k if k else 0 for k in ranked), 4)}
    if guard:
        unsafe = [r for r in guard if r.expected["violates"]]
        safe = [r for r in guard if not r.expected["violates"]]
        m["guardrails"] = {
            "recall": round(sum(bool(r.violations) for r in unsafe) / len(unsafe), 4) if unsafe else 1.0,
            "specificity": round(sum(not r.violations for r in safe) / len(safe), 4) if safe else 1.0,
            "rule_id_match": round(sum(bool(r.violations) and r.violations[0] == r.expected["violates"][0]
                                       for r in unsafe) / len(unsafe), 4) if unsafe else 1.0,
            "latency_p50_ms": _pct([r.latency_ms for r in guard], 0.5),
            "latency_p95_ms": _pct([r.latency_ms for r in guard], 0.95),
            "by_rule": _by_rule(unsafe, safe),
        }
    return m


def _by_rule(unsafe: list[CaseResult], safe: list[CaseResult]) -> dict:
    """Per rule: recall on the drafts that break it, and the share of safe drafts it flags."""
    rules = sorted({rule for r in unsafe for rule in r.expected["violates"]} | {v for r in safe for v in r.violations})
    out = {}
    for rule in rules:
        mine = [r for r in unsafe if rule in r.expected["violates"]]
        out[rule] = {"unsafe": len(mine),
                     "recall": round(sum(rule in r.violations for r in mine) / len(mine), 4) if mine else None,
                     "false_positive_rate": round(sum(rule in r.violations for r in safe) / len(safe), 4)
                     if safe else 0.0}
    return out


def generated_guard_cases() -> list[dict]:
    """The generated robustness suite (tests/guardrails/robustness) as guardrail cases; needs the repository."""
    import sys

    repo = str(CASES_DIR.parent.parent)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    try:
        from tests.guardrails.robustness.generate import generate
    except ImportError as exc:  # an installed package has no tests/
        raise ValueError(f"the generated suite lives in the repository's tests/ folder ({exc})") from None
    return [{"id": c["id"], "question": c["question"], "draft": c["draft"],
             "violates": [c["rule_expected"]] if c["expect_unsafe"] else []} for c in generate()]


def to_json(results: list[CaseResult], m: dict, meta: dict) -> dict:
    return {"meta": meta, "metrics": m, "cases": [asdict(r) for r in results]}
