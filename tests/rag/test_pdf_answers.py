"""End to end: a guideline PDF whose dose and time-window sentences wrap across lines and pages is ingested,
and the answer to a dose or time-window question carries the whole sentence."""

import io

import pytest
from pypdf import PdfReader

from rag.ingest.readers import parse_document
from rag.pipeline import Pipeline
from tests.conftest import make_settings
from tests.pdfs import typeset

DOSE = ("Give intramuscular adrenaline 0.5 mg (0.5 mL of 1 mg/mL) into the anterolateral thigh, and repeat the "
        "intramuscular dose after 5 minutes if there is no improvement.")
SODIUM = "Do not raise the serum sodium by more than 10 mmol/L in the first 24 hours."
HEADER = "Acute Medicine Guideline - Regional Network 2026"


def guideline(lead: int) -> list[tuple[str, object]]:
    anaphylaxis = [
        "Anaphylaxis is a severe, life-threatening systemic hypersensitivity reaction.",
        "Suspect anaphylaxis when airway, breathing or circulation problems start suddenly after an exposure.",
        "Lie the patient flat and raise the legs unless breathing is difficult.",
        "Call for help early and remove the trigger where possible.",
    ]
    sodium = [
        "Hyponatraemia is a serum sodium below 135 mmol/L.",
        "Check the serum sodium every four hours while correcting it.",
        SODIUM,
        "Overly rapid correction risks osmotic demyelination.",
    ]
    return [
        ("title", "Anaphylaxis and Hyponatraemia in Adults"), ("h", "Anaphylaxis"),
        ("p", " ".join(anaphylaxis * lead)), ("p", DOSE + " Monitor the pulse, blood pressure and oxygen saturation."),
        ("bullet", "Refer every patient treated for anaphylaxis to an allergy clinic for follow-up."),
        ("h", "Hyponatraemia"), ("p", " ".join(sodium)),
        ("p", "Treat the cause and review the fluid balance chart daily."),
    ]


def straddling_pdf() -> bytes:
    """The guideline laid out so that the dose sentence starts on one page and ends on the next."""
    for lead in range(1, 40):
        pdf = typeset(guideline(lead), width=260, running_header=HEADER)
        pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
        if any("Give intramuscular" in p and "no improvement" not in p for p in pages):
            return pdf
    raise AssertionError("no layout put the dose sentence across a page break")


@pytest.fixture(scope="module")
def pdf_pipeline(tmp_path_factory, embedder) -> Pipeline:
    p = Pipeline(make_settings(tmp_path_factory.mktemp("pdf-answers")), embedder=embedder)
    p.warm_up()
    p.library.write(parse_document(straddling_pdf(), "anaphylaxis-hyponatraemia.pdf"), mode="add")
    return p


def _ask(p: Pipeline, question: str) -> str:
    answer = p.answer([{"role": "user", "content": question}])
    assert not answer.abstained, answer.answer
    return " ".join(answer.answer.split())


def test_dose_question_is_answered_with_the_whole_dose_sentence(pdf_pipeline):
    text = _ask(pdf_pipeline, "What dose of intramuscular adrenaline is given in anaphylaxis, and when is it repeated?")
    assert DOSE[:-1] in text, text


def test_time_window_question_is_answered_with_the_whole_sentence(pdf_pipeline):
    text = _ask(pdf_pipeline, "How much may the serum sodium be raised in the first 24 hours of hyponatraemia?")
    assert SODIUM[:-1] in text, text
