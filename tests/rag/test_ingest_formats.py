"""Every supported format goes through the same cleaning: html, md, txt, pdf."""

from rag.ingest.chunk import chunk_document
from rag.ingest.readers import parse_document
from tests.pdfs import make_pdf

HTML = b"""<html><head><title>x</title><script>track()</script></head><body>
<nav><a href="/">Home</a> Menu</nav>
<p>Personalize</p><p>Help us tailor your experience</p>
<h1>Spinal Epidural Abscess</h1>
<p>Last updated: March 3, 2026</p>
<h2>Diagnosis</h2>
<p>MRI with contrast is the study of choice. Blood cultures are drawn before antibiotics. 1, 2</p>
<ul><li>Fever is absent in many patients 2</li><li>Back pain is the most common symptom</li></ul>
<h2>References</h2><p>Guideline</p><p>Abscess imaging review</p><p>Journal A, 2020</p>
<p>Research</p><p>Epidural abscess outcomes</p><p>Journal B, 2021</p>
<h2>Related Questions</h2><ul><li>What is gout?</li></ul>
<h2>Professional Medical Disclaimer</h2><p>For professionals only.</p>
<footer>Copyright</footer></body></html>"""


def test_html_page_is_cleaned_like_the_text_page():
    doc = parse_document(HTML, "abscess.html")
    assert doc.title == "Spinal Epidural Abscess" and doc.date_reviewed == "March 3, 2026"
    assert "Personalize" not in doc.text and "Menu" not in doc.text and "track" not in doc.text
    assert "gout" not in doc.text and doc.metadata["related_questions"] == ["What is gout?"]
    assert doc.disclaimer == "For professionals only." and [r.title for r in doc.references] == [
        "Abscess imaging review", "Epidural abscess outcomes"]
    sentences = {s.text: s.refs for c in chunk_document(doc) for s in c.sentences}
    assert sentences["Blood cultures are drawn before antibiotics."] == (1, 2)
    assert sentences["Fever is absent in many patients"] == (2,)
    assert all(c.section[-1] == "Diagnosis" for c in chunk_document(doc))


def test_markdown_keeps_heading_levels_as_section_paths():
    md = (b"# Guide\n\n## Imaging\n\n### MRI\n\nUse contrast for masses.\nWrapped line continues.\n\n"
          b"## Follow-up\n\nReview.\n")
    chunks = chunk_document(parse_document(md, "guide.md"))
    assert chunks[0].section == ("Guide", "Imaging", "MRI")
    assert chunks[0].text == "Use contrast for masses. Wrapped line continues."
    assert chunks[1].section == ("Guide", "Follow-up")


def test_pdf_pages_become_paragraphs():
    doc = parse_document(make_pdf(["Cauda Equina Note", "Urinary retention needs emergent MRI.",
                                   "Saddle anaesthesia is a red flag."]), "ces.pdf")
    assert doc.title == "Cauda Equina Note"
    assert [s.text for c in chunk_document(doc) for s in c.sentences] == [
        "Urinary retention needs emergent MRI.", "Saddle anaesthesia is a red flag."]


def test_inline_markdown_is_read_as_words_not_markup():
    from rag.ingest.readers import parse_document

    doc = parse_document(
        b"# Acute gout\n\n## Treatment\n\n- **Colchicine**: use the *low-dose* regimen, 1 mg then 0.5 mg.\n"
        b"- See [the national guideline](https://example.org/gout) and `CRP`.\n\nDose 3*4=12 stays as written.\n",
        "gout.md")
    assert "Colchicine: use the low-dose regimen, 1 mg then 0.5 mg." in doc.text
    assert "See the national guideline and CRP." in doc.text
    assert "**" not in doc.text and "](" not in doc.text and "3*4=12" in doc.text


def test_a_markdown_table_row_is_one_passage_sentence_with_each_cell_named_by_its_header():
    md = (b"# Anaphylaxis\n\n## Doses\n\nGive adrenaline intramuscularly.\n\n"
          b"| Age group | IM adrenaline dose | Volume |\n|---|:---:|---|\n"
          b"| Child 6 to 12 years | 300 micrograms | 0.3 mL |\n| Adult | 500 micrograms | 0.5 mL |\n\n"
          b"Repeat after 5 minutes.\n")
    doc = parse_document(md, "ana.md", doc_id="ana")
    sentences = [s.text for c in chunk_document(doc) for s in c.sentences]
    assert "Age group: Child 6 to 12 years; IM adrenaline dose: 300 micrograms; Volume: 0.3 mL." in sentences
    assert "Age group: Adult; IM adrenaline dose: 500 micrograms; Volume: 0.5 mL." in sentences
    assert not any("|" in s or "---" in s for s in sentences)
    # a line that merely starts and ends with a bar, with no rule under it, stays text
    plain = parse_document(b"# T\n\n| Give oxygen | and call for help | early in every reaction |\n\nThen reassess.\n",
                           "t.md", doc_id="t")
    assert any("call for help" in s.text for c in chunk_document(plain) for s in c.sentences)
