"""Crafted and broken PDFs are refused by the reader with a domain error, quickly and in bounded memory."""

import time
import tracemalloc

import pytest

from rag.errors import DocumentTooLarge, IngestError, UnreadablePdf
from rag.ingest.pdf import PdfLimits
from rag.ingest.readers import parse_document
from tests.hostile_pdfs import HOSTILE, TEXT, many_pages
from tests.pdfs import assemble_pdf


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_crafted_pdf_is_refused_with_a_domain_error_quickly(kind):
    make, status = HOSTILE[kind]
    data = make()
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(IngestError) as caught:
            parse_document(data, f"{kind}.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.status == status, str(caught.value)
    assert isinstance(caught.value, DocumentTooLarge | UnreadablePdf)
    assert time.monotonic() - started < 5
    assert peak < 60_000_000, peak  # the 200 MB bomb is never inflated past the 20 MB stream cap


def test_page_limit_comes_from_the_limits():
    with pytest.raises(DocumentTooLarge, match="12 pages"):
        parse_document(many_pages(12), "long.pdf", pdf_limits=PdfLimits(max_pages=10))
    assert parse_document(many_pages(10), "ok.pdf", pdf_limits=PdfLimits(max_pages=10)).text


def test_text_and_time_budgets_stop_a_slow_or_wordy_pdf():
    with pytest.raises(DocumentTooLarge, match="characters"):
        parse_document(many_pages(40), "wordy.pdf", pdf_limits=PdfLimits(max_text_chars=1000))
    with pytest.raises(DocumentTooLarge, match="longer than"):
        parse_document(many_pages(40), "slow.pdf", pdf_limits=PdfLimits(max_seconds=1e-9))


def test_pdf_locked_only_against_editing_opens_as_every_viewer_opens_it():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(assemble_pdf([TEXT]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert "0.5 mg" in parse_document(out.getvalue(), "locked.pdf").text


def test_limits_default_to_the_settings_defaults():
    from rag.config import Settings

    assert PdfLimits.from_settings(Settings()) == PdfLimits()
