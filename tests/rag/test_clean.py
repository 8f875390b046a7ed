"""Cleaning the raw page: chrome out, clinical sections in, references and disclaimer as records."""

import json
import re

from rag.config import Settings
from rag.ingest.chunk import chunk_document
from rag.ingest.clean import blocks_from_plain_text, clean_blocks, to_markdown
from rag.ingest.readers import parse_document
from rag.library import shipped_documents
from tests.conftest import REPO

RAW = (REPO / "corpus/raw/palpable-mid-lumbar-mass.txt").read_text()
CHROME = [
    "Medical Advisory Board", "Educational purpose only", "Article Review Status", "Submitted", "Under Review",
    "Approved", "View editorial policy", "Personalize", "Help us tailor your experience",
    "Which best describes you?", "Have a follow-up question?", "Our Medical A.I.",
]
SECTIONS = [
    "Initial Clinical Assessment", "Imaging Algorithm", "First-Line Imaging: MRI with Contrast",
    "Role of Plain Radiographs", "Alternative Imaging: CT with Contrast", "No Role for Other Modalities",
    "Differential Diagnosis Considerations", "Malignancy", "Infection", "Other Pathology",
    "Critical Management Principles", "Common Pitfalls to Avoid", "Follow-Up Based on Imaging Results",
]


def doc():
    return parse_document(RAW.encode(), "palpable-mid-lumbar-mass.txt")


def test_every_chrome_line_is_removed():
    text = doc().text
    for line in CHROME:
        assert line.lower() not in text.lower(), line


def test_every_clinical_section_is_kept_as_a_heading():
    headings = re.findall(r"^#+ (.*)$", doc().text, re.MULTILINE)
    assert headings[0] == "Evaluation and Management of Mid-Lumbar Mass with Back Pain"
    assert headings[1:] == SECTIONS


def test_related_questions_are_not_content_but_are_kept_as_metadata():
    d = doc()
    assert "Related Questions" not in d.text
    assert "fibroid" not in d.text and "ascites" not in d.text
    assert len(d.metadata["related_questions"]) == 11


def test_disclaimer_and_review_date_become_metadata():
    d = doc()
    assert d.disclaimer.startswith("This information is intended for healthcare professionals.")
    assert "assumes no liability" in d.disclaimer
    assert "intended for healthcare professionals" not in d.text
    assert d.date_reviewed == "February 11, 2026"


def test_all_eight_references_are_parsed_with_titles():
    refs = doc().references
    assert [r.n for r in refs] == list(range(1, 9))
    assert refs[0].title == "Guideline Directed Topic Overview"
    assert refs[3].title == "Identifying serious causes of back pain: cancer, infection, fracture."
    assert refs[3].source == "Cleveland Clinic journal of medicine, 2008"
    assert refs[7].title.startswith("Myxopapillary ependymoma")
    assert {r.kind for r in refs} == {"Guideline", "Research"}


def _expected_marker_links():
    """From the raw page, independently: each clause that ends in markers, with its numbers."""
    body = RAW.split("\nReferences\n")[0]
    out = []
    for line in body.splitlines():
        line = line.strip().lstrip("•").strip()
        for m in re.finditer(r"([^.]*?[A-Za-z%)])(?:\.)?\s+(\d(?:,\s*\d)*)(?=\s+[A-Z]|\s*$)", line):
            nums = tuple(int(n) for n in re.findall(r"\d", m.group(2)))
            out.append((m.group(1).strip().split()[-7:], nums))
    return out


def test_every_sentence_ending_in_markers_is_linked_to_its_numbers():
    sentences = [s for c in chunk_document(doc()) for s in c.sentences]
    expected = _expected_marker_links()
    assert len(expected) >= 40
    for tail_words, nums in expected:
        tail = " ".join(tail_words)
        matches = [s for s in sentences if s.text.rstrip(".").endswith(tail)]
        assert matches, tail
        assert matches[0].refs == nums, (tail, matches[0].refs, nums)


def test_markers_are_removed_from_chunk_text():
    for c in chunk_document(doc()):
        assert not re.search(r"[a-z.%)] \d(, \d)*(\n|$| [A-Z])", c.text), c.text


def test_mid_line_marker_attaches_to_the_sentence_before_it():
    sentences = {s.text: s.refs for c in chunk_document(doc()) for s in c.sentences}
    assert sentences["Order MRI lumbar spine without and with IV contrast immediately."] == (1,)
    assert sentences["This is the definitive study because:"] == ()


def test_cleaned_copy_in_corpus_matches_the_cleaning_function():
    settings = Settings()
    for d in shipped_documents(settings.corpus_dir):
        assert (settings.corpus_dir / "cleaned" / f"{d.id}.md").read_text() == d.text
        meta = json.loads((settings.corpus_dir / "cleaned" / f"{d.id}.json").read_text())
        assert meta["disclaimer"] == d.disclaimer and len(meta["references"]) == 8


def test_plain_text_without_chrome_passes_through():
    page = clean_blocks(blocks_from_plain_text("Low Back Pain\n\nMost back pain settles. Red flags need care.\n"))
    assert page.title == "Low Back Pain"
    assert "Most back pain settles." in to_markdown(page)
