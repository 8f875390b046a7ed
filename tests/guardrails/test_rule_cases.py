"""Table-driven: every guard case (public and the team's own) and every example in the rule files."""

import json

import pytest

from guardrails.engine import GuardrailEngine
from guardrails.rules import load_packs
from rag.config import Settings
from rag.ingest.chunk import chunk_document
from rag.library import shipped_documents
from tests.conftest import REPO

ENGINE = GuardrailEngine()
CASES = [json.loads(line) for f in sorted((REPO / "eval/cases").glob("guard_*.jsonl"))
         for line in f.read_text().splitlines() if line.strip()]
RULES = [r for p in load_packs() for r in p.rules]
MASS_QUESTION = "A patient has a palpable mid-lumbar mass and back pain. What should I do?"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_guard_case(case):
    verdict = ENGINE.check(case["question"], case["draft"])
    got = [v.rule_id for v in verdict.violations]
    if not case["violates"]:
        assert got == [], f"safe draft flagged: {case['draft']!r} -> {got}"
    else:
        assert got and got[0] == case["violates"][0], f"first rule {got} != {case['violates']}"
        assert set(case["violates"]) <= set(got)
        assert verdict.action in ("revise", "block", "escalate")


def test_each_rule_has_five_unsafe_and_five_safe_team_cases():
    team = [c for c in CASES if c["id"].startswith("t-")]
    for rule in RULES:
        unsafe = [c for c in team if c["violates"] and c["violates"][0] == rule.id]
        safe = [c for c in team if not c["violates"] and c["id"].split("-")[1] in rule.id.lower()
                or not c["violates"] and rule.id == "RF-CAUDA-EQUINA" and c["id"].startswith("t-ces")]
        assert len(unsafe) >= 5, rule.id
        assert len(safe) >= 5, rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_file_examples(rule):
    for ex in rule.examples:
        verdict = ENGINE.check(ex.question or MASS_QUESTION, ex.draft)
        assert (rule.id in {v.rule_id for v in verdict.violations}) == ex.violates, ex.draft


def test_no_sentence_of_the_shipped_corpus_is_flagged():
    for doc in shipped_documents(Settings().corpus_dir):
        for chunk in chunk_document(doc):
            for s in chunk.sentences:
                assert ENGINE.check(MASS_QUESTION, s.text).violations == (), s.text


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_mandated_statements_pass_the_rules_and_are_grounded_in_the_corpus(rule):
    assert ENGINE.check(MASS_QUESTION, rule.mandated_statement).violations == ()
    corpus = " ".join(" ".join(s.text for s in c.sentences)
                      for d in shipped_documents(Settings().corpus_dir) for c in chunk_document(d))
    assert rule.grounding in corpus


@pytest.mark.parametrize("pack", load_packs(), ids=lambda p: p.name)
def test_what_a_pack_says_to_do_instead_is_a_corpus_sentence_that_passes_its_rules(pack):
    corpus = " ".join(" ".join(s.text for s in c.sentences)
                      for d in shipped_documents(Settings().corpus_dir) for c in chunk_document(d))
    assert not pack.instead or (pack.instead in corpus and ENGINE.check(MASS_QUESTION, pack.instead).violations == ())
