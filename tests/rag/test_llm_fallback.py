"""With the LLM dead or talking nonsense, every answer is exactly the extractive default's answer."""

from __future__ import annotations

import pytest

from eval.runner import CASES_DIR, load_cases
from rag.pipeline import Pipeline
from tests.conftest import make_settings, sharing_vectors
from tests.llm_server import Act, ScriptedServer

CASES = [c for c in load_cases([CASES_DIR]) if "turns" in c]
SAME = ("answer", "citations", "guardrail", "abstained", "banner", "disclaimer", "scope")


@pytest.fixture(scope="module")
def defaults(pipeline):
    return {c["id"]: pipeline.answer(c["turns"]) for c in CASES}


def _compare(p: Pipeline, defaults: dict, allowed: set[str]) -> None:
    outcomes = set()
    for case in CASES:
        got, want = p.answer(case["turns"]), defaults[case["id"]]
        assert {k: getattr(got, k) for k in SAME} == {k: getattr(want, k) for k in SAME}, case["id"]
        assert got.synthesizer == "extractive"
        outcomes.add(got.llm_outcome)
    assert outcomes - {None} <= allowed and outcomes & allowed


def test_every_public_and_team_case_is_covered():
    assert len(CASES) >= 70 and {c["id"].split("-")[0] for c in CASES}


def test_an_unreachable_llm_gives_exactly_the_default_answer(pipeline, defaults):
    settings = make_settings(pipeline.settings.data_dir, llm_base_url="http://127.0.0.1:1/v1", llm_timeout_s=5.0,
                             llm_breaker_failures=10_000)
    p = sharing_vectors(Pipeline(settings, embedder=pipeline.embedder), pipeline)
    p.library.open(rebuild_if_needed=False)
    _compare(p, defaults, {"unreachable"})
    p.llm_client.close()


def test_an_llm_whose_answers_are_unsupported_gives_exactly_the_default_answer(pipeline, defaults):
    with ScriptedServer() as server:
        server.script.reset(Act(content='{"covered": true, "sentences": [{"text": "Reassure the patient and '
                                        'review the mass in six weeks without imaging.", "passages": [1]}]}'))
        settings = make_settings(pipeline.settings.data_dir, llm_base_url=server.url, llm_timeout_s=5.0)
        p = sharing_vectors(Pipeline(settings, embedder=pipeline.embedder), pipeline)
        p.library.open(rebuild_if_needed=False)
        _compare(p, defaults, {"unsupported"})
        p.llm_client.close()
