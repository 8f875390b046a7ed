"""Read txt, md, html and pdf into Blocks, and Blocks into a cleaned Document."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from rag.errors import IngestError, UnreadablePdf, UnsupportedFormat
from rag.ingest.clean import Block, blocks_from_markdown, clean_blocks, to_markdown
from rag.ingest.pdf import PdfLimits, blocks_from_pdf
from rag.ingest.reflow import blocks_from_text
from rag.types import Document

SUPPORTED = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
             ".pdf": "pdf"}


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower())[:80].strip("-") or "document"


def detect_format(filename: str, content_type: str | None = None) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in SUPPORTED:
        return SUPPORTED[suffix]
    by_type = {"text/plain": "text", "text/markdown": "markdown", "text/html": "html", "application/pdf": "pdf"}
    if content_type and content_type.split(";")[0].strip() in by_type:
        return by_type[content_type.split(";")[0].strip()]
    raise UnsupportedFormat(f"{filename!r}: unsupported format; use one of {', '.join(sorted(SUPPORTED))}")


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise IngestError(f"{name!r}: binary content where text was expected")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name!r}: not valid UTF-8 text ({exc.reason} at byte {exc.start})") from None


def blocks_from_html(html: str) -> list[Block]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "aside", "form", "button", "noscript"]):
        tag.decompose()
    blocks: list[Block] = []
    for el in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "blockquote", "pre"]):
        if el.name in ("p", "td") and el.find_parent("li"):
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name.startswith("h"):
            blocks.append(Block("heading", text, level=int(el.name[1])))
        elif el.name == "li":
            blocks.append(Block("bullet", text))
        else:
            blocks.append(Block("para", text))
    return blocks


def read_blocks(data: bytes, name: str, fmt: str, pdf_limits: PdfLimits | None = None) -> list[Block]:
    if fmt == "pdf":
        if not data.startswith(b"%PDF"):
            raise UnreadablePdf(f"{name!r}: not a PDF file (no %PDF header)")
        return blocks_from_pdf(data, name, pdf_limits)
    text = _decode(data, name)
    if fmt == "html":
        return blocks_from_html(text)
    if fmt == "markdown":
        return blocks_from_markdown(text)
    return blocks_from_text(text)


def parse_document(
    data: bytes, name: str, *, doc_id: str | None = None, fmt: str | None = None,
    title: str | None = None, source: str = "", metadata: dict[str, Any] | None = None, version: int = 1,
    pdf_limits: PdfLimits | None = None,
) -> Document:
    """Bytes of one file -> cleaned Document; raises IngestError with a reason a person can act on."""
    if not data.strip():
        raise IngestError(f"{name!r}: the file is empty")
    fmt = fmt or detect_format(name)
    page = clean_blocks(read_blocks(data, name, fmt, pdf_limits))
    if title:
        page.title = title
    text = to_markdown(page)
    if len(re.sub(r"\W", "", text)) < 20 or not page.blocks:
        raise IngestError(f"{name!r}: no text content found after cleaning")
    meta = dict(metadata or {})
    meta.update({"format": fmt, "filename": Path(name).name})
    if page.page_question:
        meta["page_question"] = page.page_question
    if page.related_questions:
        meta["related_questions"] = page.related_questions
    return Document(
        id=doc_id or slugify(Path(name).stem if name else page.title),
        title=page.title, text=text, source=source or Path(name).name, version=version,
        disclaimer=page.disclaimer, date_reviewed=page.date_reviewed,
        references=tuple(page.references), metadata=meta,
    )
