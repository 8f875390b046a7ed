"""Property tests: sentence splitting and chunking lose nothing and keep order."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.ingest.chunk import chunk_document, split_sentences
from rag.types import Document, Reference

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9)
SENTENCE = st.builds(
    lambda first, words, end, marker: " ".join([first.capitalize(), *words]) + end + marker,
    WORD, st.lists(WORD, max_size=12), st.sampled_from([".", "?", "!", ""]),
    st.sampled_from(["", " 1", " 1, 2", " 2, 3"]),
)
BLOCK = st.builds(lambda kind, ss: ("- " if kind else "") + " ".join(ss), st.booleans(),
                  st.lists(SENTENCE, min_size=1, max_size=5))
SECTION = st.builds(lambda h, blocks: f"## {h.capitalize()}\n\n" + "\n\n".join(blocks), WORD,
                    st.lists(BLOCK, min_size=1, max_size=6))


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text)


@given(st.lists(SENTENCE, min_size=1, max_size=8))
def test_sentences_cover_the_text_in_order(sentences):
    text = " ".join(sentences)
    spans = split_sentences(text)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))
    rebuilt = " ".join(text[s.start:s.end] for s in spans)
    assert rebuilt.split() == text.split()


@settings(max_examples=60, deadline=None)
@given(st.lists(SECTION, min_size=1, max_size=4), st.integers(min_value=80, max_value=600))
def test_chunks_cover_the_document_in_order_without_loss(sections, max_chars):
    text = "# Title\n\n" + "\n\n".join(sections) + "\n"
    doc = Document(id="d", title="Title", text=text, references=(Reference(n=1, title="a"),
                   Reference(n=2, title="b"), Reference(n=3, title="c")))
    chunks = chunk_document(doc, max_chars=max_chars)
    body_words = [w for line in text.splitlines() if not line.startswith("#") for w in _words(line)]
    assert [w for c in chunks for w in _words(c.text)] == body_words
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))
    for c in chunks:
        assert _words(text[c.start:c.end]) == _words(c.text)
        assert len(c.sentences) == 1 or len(c.text) <= max_chars


def test_a_labelled_items_later_sentences_carry_its_label():
    text = "# Guide\n\n## Tests\n\n- Biopsy: used when imaging is unclear. Take a segment at least 1 cm long.\n"
    doc = Document(id="d", title="Guide", text=text, references=[])
    sentences = [s for c in chunk_document(doc) for s in c.sentences]
    assert [s.label for s in sentences] == ["", "Biopsy"]
    # a lead-in ending in ':' is not a label, and neither is a plain paragraph's clause
    doc = Document(id="d", title="Guide", text="# Guide\n\nNote: this is short. It says more.\n", references=[])
    assert all(not s.label for c in chunk_document(doc) for s in c.sentences)
    # ... and an item opening with the circumstance it is about labels its later sentences with it
    text = ("# Guide\n\n## Treatment\n\n- In kidney failure, avoid the first medicine. Give the second for 10 days "
            "instead.\n")
    doc = Document(id="d", title="Guide", text=text, references=[])
    assert [s.label for c in chunk_document(doc) for s in c.sentences] == ["", "kidney failure"]
