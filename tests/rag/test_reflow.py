"""Wrapped lines become whole paragraphs: PDFs read with their layout, hard-wrapped text reflowed."""

import re
import textwrap

from hypothesis import given, note, settings
from hypothesis import strategies as st

from rag.ingest.chunk import chunk_document
from rag.ingest.readers import parse_document
from rag.ingest.reflow import Line, Vocabulary, join_wrapped
from tests.pdfs import typeset

DOSE = ("Give intramuscular adrenaline 0.5 mg (0.5 mL of 1 mg/mL) into the anterolateral thigh, and repeat the "
        "intramuscular dose after 5 minutes if there is no improvement.")
SODIUM = "Do not raise the serum sodium by more than 10 mmol/L in the first 24 hours."
FILLER = ("Assess the airway, breathing and circulation of every patient on arrival and record the findings. "
          "Arrange follow-up with the allergy service before discharge. ")
HEADER = "Regional Emergency Guideline 2026 - Adult Medicine"


def guideline(columns: int = 1) -> list[tuple[str, object]]:
    table = [["Drug", "Adult dose", "Route"], ["Adrenaline", "0.5 mg", "IM"], ["Chlorphenamine", "10 mg", "IV"]]
    if columns == 2:
        table = [[r[0], f"{r[1]} {r[2]}"] for r in table]
    return [
        ("title", "Emergency Treatment Guideline"), ("h", "Anaphylaxis"), ("p", FILLER * 3 + DOSE),
        ("bullet", "Observe adults for at least six hours after the symptoms have resolved before discharge home."),
        ("bullet", "Refer every patient to an allergy clinic."), ("table", table),
        ("h", "Hyponatraemia"), ("p", FILLER * 10 + SODIUM + " " + FILLER * 4), ("p", FILLER * 8),
    ]


def sentences(doc) -> list[str]:
    return [s.text for c in chunk_document(doc) for s in c.sentences]


def test_pdf_sentences_wrapped_across_lines_and_pages_are_whole():
    doc = parse_document(typeset(guideline(), running_header=HEADER, width=300), "guide.pdf")
    said = sentences(doc)
    assert DOSE in said and SODIUM in said
    assert doc.title == "Emergency Treatment Guideline"
    assert re.findall(r"^## (.*)$", doc.text, re.MULTILINE) == ["Anaphylaxis", "Hyponatraemia"]


def test_running_header_and_page_numbers_are_dropped():
    pdf = typeset(guideline(), running_header=HEADER, width=300)
    doc = parse_document(pdf, "guide.pdf")
    assert "Page 1 of" not in doc.text and "Regional Emergency" not in doc.text
    assert pdf.count(b"/Type /Page ") >= 2


def test_bullets_stay_whole_and_table_rows_stay_together():
    doc = parse_document(typeset(guideline(), running_header=HEADER, width=300), "guide.pdf")
    assert "- Observe adults for at least six hours after the symptoms have resolved before discharge home." in doc.text
    assert "- Drug: Adrenaline; Adult dose: 0.5 mg; Route: IM." in doc.text
    assert "- Drug: Chlorphenamine; Adult dose: 10 mg; Route: IV." in doc.text


def test_two_column_pages_are_read_column_by_column():
    doc = parse_document(typeset(guideline(columns=2), columns=2, running_header=HEADER), "two.pdf")
    said = sentences(doc)
    assert DOSE in said and SODIUM in said
    assert "- Drug: Adrenaline; Adult dose Route: 0.5 mg IM." in doc.text
    assert doc.text.index("Anaphylaxis") < doc.text.index(DOSE) < doc.text.index("Hyponatraemia") < doc.text.index(
        SODIUM)


def test_end_of_line_hyphenation_is_undone_but_real_compounds_keep_their_hyphen():
    lines = [Line("Arrange follow-up early. The intramuscular route is preferred.")]
    vocab = Vocabulary(lines)
    assert join_wrapped("repeat the intramus-", "cular dose", vocab) == "repeat the intramuscular dose"
    assert join_wrapped("arrange follow-", "up within", vocab) == "arrange follow-up within"
    assert join_wrapped("a new adren-", "aline dose", vocab) == "a new adrenaline dose"  # neither half a word here
    assert join_wrapped("give 4-", "6 doses", vocab) == "give 4-6 doses"
    assert join_wrapped("a soft hy\u00ad", "phen", vocab) == "a soft hyphen"


def test_hard_wrapped_text_is_reflowed_with_bullets_and_headings():
    body = textwrap.fill(FILLER + DOSE + " " + SODIUM, 60)
    bullet = textwrap.fill("- Observe adults for at least six hours after the symptoms have resolved.", 40,
                           subsequent_indent="  ")
    doc = parse_document(f"Anaphylaxis Care\n\nTreatment\n\n{body}\n\n{bullet}\n\nPage 2 of 9\n".encode(), "a.txt")
    assert DOSE in sentences(doc) and SODIUM in sentences(doc)
    assert "- Observe adults for at least six hours after the symptoms have resolved." in doc.text
    assert "## Treatment" in doc.text and "Page 2" not in doc.text


WORDS = ["dose", "adrenaline", "intramuscular", "sodium", "patients", "review", "hours", "the", "and", "of",
         "anterolateral", "hyponatraemia", "0.5 mg", "10 mmol/L", "after", "Emergency", "Department", "within",
         "(1 mg/mL)", "24", "every", "follow-up", "observation", "Chlorphenamine", "to"]
SENTENCE = st.builds(lambda first, rest: " ".join([first.capitalize(), *rest]) + ".",
                     st.sampled_from([w for w in WORDS if w[0].isalpha()]), st.lists(st.sampled_from(WORDS),
                                                                                    min_size=3, max_size=30))
BLOCK = st.tuples(st.sampled_from(["p", "p", "bullet"]), st.lists(SENTENCE, min_size=1, max_size=6))


def _norm(text: str) -> str:
    return re.sub(r"[\s-]", "", text)  # hyphen spelling is tested above; here only cuts and merges count


def _expect(blocks) -> list[str]:
    return [_norm(s) for _, ss in blocks for s in ss]


@settings(max_examples=30, deadline=None)
@given(st.lists(BLOCK, min_size=1, max_size=10), st.integers(min_value=120, max_value=468), st.sampled_from([1, 2]))
def test_no_pdf_sentence_is_ever_cut_at_a_line_break(blocks, width, columns):
    layout = [("title", "Guideline"), ("h", "Treatment")] + [(k, " ".join(ss)) for k, ss in blocks]
    if columns == 2:
        width = 200 + width % 22  # a typesetter fills a narrow column to within a word or two
    note(f"layout={layout!r} width={width}")
    doc = parse_document(typeset(layout, width=width, columns=columns), "p.pdf")
    assert [_norm(s) for s in sentences(doc)] == _expect(blocks)


@settings(max_examples=60, deadline=None)
@given(st.lists(BLOCK, min_size=2, max_size=10), st.integers(min_value=30, max_value=100))
def test_no_wrapped_text_sentence_is_ever_cut_at_a_line_break(blocks, width):
    parts = ["Guideline", "Treatment"]
    for kind, ss in blocks:
        if kind == "bullet":
            parts.append(textwrap.fill("- " + " ".join(ss), width, subsequent_indent="  ", break_on_hyphens=False))
        else:
            parts.append(textwrap.fill(" ".join(ss), width, break_on_hyphens=False))
    doc = parse_document("\n\n".join(parts).encode(), "w.txt")
    assert [_norm(s) for s in sentences(doc)] == _expect(blocks)


def test_a_wrapped_line_that_only_looks_like_a_list_item_continues_its_sentence():
    from rag.ingest.reflow import rebuild

    lines = [Line("Review the sodium every four hours during the first", full=True),
             Line("24. Stop the infusion when it rises by 8 mmol/L."),
             Line("Give the second dose only when the first has failed", full=True),
             Line("- and never within five minutes of the first."),
             Line("1. Call for help.", gap_before=True), Line("2. Lie the patient flat and raise the", full=True),
             Line("3. Give adrenaline.")]
    assert [(b.kind, b.text) for b in rebuild(lines, headings_by_shape=False)] == [
        ("para", "Review the sodium every four hours during the first 24. Stop the infusion when it rises by "
                 "8 mmol/L."),
        ("para", "Give the second dose only when the first has failed - and never within five minutes of the first."),
        ("bullet", "Call for help."), ("bullet", "Lie the patient flat and raise the"), ("bullet", "Give adrenaline.")]
