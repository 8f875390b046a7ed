"""With an LLM configured, the eval report says how many answers it wrote, and can gate on that."""

from __future__ import annotations

from eval.report import check_llm_gate, markdown
from eval.runner import CASES_DIR, InProcessTarget, load_cases, metrics, run_cases, to_json
from rag.pipeline import Pipeline
from tests.conftest import make_settings, sharing_vectors
from tests.llm_server import ScriptedServer, as_json, first_sentence


def test_the_report_counts_llm_answers_and_fallback_reasons(pipeline):
    cases = load_cases([CASES_DIR / "chat_public.jsonl"])[:6]
    with ScriptedServer() as server:
        calls = {"n": 0}

        def reply(req):
            calls["n"] += 1
            return as_json((first_sentence(req, 1), [1])) if calls["n"] % 2 else "NOT COVERED"
        server.script.reset(reply=reply)
        p = sharing_vectors(Pipeline(make_settings(pipeline.settings.data_dir, llm_base_url=server.url,
                                                   llm_timeout_s=3.0), embedder=pipeline.embedder), pipeline)
        p.library.open(rebuild_if_needed=False)
        results = run_cases(cases, InProcessTarget(p))
        p.llm_client.close()
    m = metrics(results)
    llm = m["llm"]
    assert llm["asked"] == sum(r.llm_outcome is not None for r in results) > 0
    assert 0 < llm["accepted"] < llm["asked"] and set(llm["fallbacks"]) <= {"not_covered", "empty", "unsupported"}
    current = to_json(results, m, {"started": "now", "target": "in-process"})
    assert "## llm" in markdown(current, None, []) and "acceptance_rate" in markdown(current, None, [])
    assert check_llm_gate(current, 0.0) == [] and check_llm_gate(current, 1.0)


def test_the_llm_gate_is_missed_when_no_llm_answered(pipeline):
    cases = load_cases([CASES_DIR / "chat_public.jsonl"])[:2]
    current = to_json(run_cases(cases, InProcessTarget(pipeline)), {}, {})
    current["metrics"] = metrics([])
    assert "no answer was asked of an LLM" in check_llm_gate(current, 0.5)[0]
