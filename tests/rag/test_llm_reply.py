"""Real model replies, in their many shapes, read into sentences and the passages each cites."""

from __future__ import annotations

import pytest

from rag.llm import CircuitBreaker
from rag.llm_reply import normalise_markers, parse


@pytest.mark.parametrize("raw,want", [
    ("Order an MRI [1-2].", "Order an MRI [1][2]."),
    ("Order an MRI [1, 3].", "Order an MRI [1][3]."),
    ("Order an MRI [Passage 2].", "Order an MRI [2]."),
    ("Order an MRI (Passages 1 and 2).", "Order an MRI [1][2]."),
    ("Order an MRI (1).", "Order an MRI [1]."),
    ("Order an MRI[^1].", "Order an MRI[1]."),
    ("Order an MRI [Source 4].", "Order an MRI [4]."),
    ("The risk is 9% (95% CI).", "The risk is 9% (95% CI)."),  # not a citation
])
def test_citation_forms_become_markers(raw, want):
    assert normalise_markers(raw) == want


def test_think_blocks_roles_markdown_and_footnotes_are_stripped():
    reply = parse("<think>maybe wait</think>\nAssistant: **Order an MRI** [1].\n\n[^1]: Passage one.\n## Notes",
                  "stop", 3)
    assert [(s.text, s.cites) for s in reply.sentences] == [("Order an MRI.", (1,))]


def test_an_unclosed_think_block_leaves_nothing():
    assert parse("<think>the passages say", "length", 3).sentences == ()


def test_numbered_and_bulleted_lists_are_sentences_of_their_own():
    reply = parse("Recommendations:\n1. Order an MRI [1]\n2) Add contrast (2)\n- Refer urgently [3]", "stop", 3)
    assert [s.cites for s in reply.sentences] == [(1,), (2,), (3,)]


def test_json_fenced_and_with_citations_in_text():
    reply = parse('```json\n{"covered": true, "sentences": [{"text": "Order an MRI [2].", "passages": [1]}]}\n```',
                  "stop", 3)
    assert reply.structured and reply.sentences[0].cites == (1, 2)


def test_cut_json_keeps_its_complete_sentences():
    reply = parse('{"covered": true, "sentences": [{"text": "Order an MRI.", "passages": [1]}, {"text": "Add co',
                  "length", 3)
    assert reply.truncated and [s.text for s in reply.sentences] == ["Order an MRI."]


def test_a_cut_prose_sentence_is_dropped_and_not_covered_is_read():
    assert [s.text for s in parse("Order an MRI [1]. Then add contr", "length", 2).sentences] == ["Order an MRI."]
    assert parse("NOT COVERED", "stop", 2).not_covered
    assert not parse("Order an MRI [1]. NOT COVERED: timing.", "stop", 2).not_covered


def test_the_breaker_opens_after_failures_and_lets_one_probe_through_after_the_cooldown():
    now = [0.0]
    b = CircuitBreaker(threshold=2, cooldown_s=10, clock=lambda: now[0])
    b.failure()
    assert b.allow()
    b.failure()
    assert b.state == "open" and not b.allow()
    now[0] = 11
    assert b.allow() and not b.allow()  # one probe at a time
    b.failure()
    assert b.state == "open"
    now[0] = 22
    assert b.allow()
    b.success()
    assert b.state == "closed" and b.allow()
