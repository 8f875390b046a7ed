"""The verifier never drops what its passages say, and drops what they contradict."""

from __future__ import annotations

import pytest

from eval.runner import CASES_DIR, load_cases
from rag.verify import Verifier
from tests.conftest import make_settings

CASES = [c for c in load_cases([CASES_DIR]) if "turns" in c]


@pytest.fixture(scope="module")
def drafts(session_settings, embedder, library):
    """The extractive drafts of every public and team case: source sentences, each cited to its own passage."""
    from rag.pipeline import Pipeline

    p = Pipeline(make_settings(session_settings.data_dir), embedder=embedder)
    p.library.open(rebuild_if_needed=False)
    out = []
    for case in CASES:
        turn = p._begin(case["turns"], 0.0, use_llm=False)
        if turn.decision.outcome != "abstain":
            out.append(p._draft(turn, None))
    return out


def test_every_sentence_the_extractive_default_would_say_is_verified(drafts):
    v = Verifier()
    failures = [(s.text, v.check(s.text, s.cites, list(d.passages)).reason) for d in drafts for s in d.sentences
                if d.synthesizer == "extractive" and v.check(s.text, s.cites, list(d.passages)).reason]
    assert sum(len(d.sentences) for d in drafts) > 100
    assert not failures, failures[:5]
