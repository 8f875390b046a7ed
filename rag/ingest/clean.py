"""Turn a raw page (text, markdown, HTML or PDF text) into a cleaned Document.

Web pages carry chrome (review banners, "Personalize", calls to action) and non-clinical lists
("Related Questions"). Cleaning keeps the clinical text, turns the reference list into records and
keeps the professional disclaimer as metadata. Everything works on Blocks, so every reader shares it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rag.types import Reference

BlockKind = Literal["heading", "bullet", "para"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0  # heading level; 0 when unknown (plain text)


# Whole lines that are page furniture, never clinical content.
CHROME_PATTERNS = [
    r"medical advisory board.*",
    r"all articles are reviewed.*",
    r"educational purpose only.*",
    r".*content is pending human review.*",
    r"article review status",
    r"submitted|under review|approved|draft|in review",
    r"last updated:.*",
    r"view editorial policy",
    r"personalize",
    r"help us tailor your experience",
    r"which best describes you\?.*",
    r"your choice helps us use language.*",
    r"have a follow-up question\?",
    r"our medical a\.?i\.? .*",
    r"ask any follow.?up question.*",
    r"share|print|bookmark|copy link|sign in|log in|subscribe|back to top",
    r"(was|is) this (article|answer) helpful\?.*",
]
_CHROME = re.compile(r"^(?:" + "|".join(CHROME_PATTERNS) + r")$", re.IGNORECASE)
_LAST_UPDATED = re.compile(r"last updated:\s*([A-Za-z]+ \d{1,2}, \d{4}|\d{4}-\d{2}-\d{2})", re.IGNORECASE)

SECTION_REFERENCES = re.compile(r"^references?$", re.IGNORECASE)
SECTION_RELATED = re.compile(r"^related (questions|articles|topics)$", re.IGNORECASE)
SECTION_DISCLAIMER = re.compile(r"^(professional )?(medical )?disclaimer$", re.IGNORECASE)
REFERENCE_KINDS = {
    "guideline", "research", "review", "meta-analysis", "systematic review", "consensus",
    "textbook", "case report", "trial", "expert opinion",
}


@dataclass
class CleanedPage:
    title: str
    blocks: list[Block]
    references: list[Reference] = field(default_factory=list)
    disclaimer: str = ""
    date_reviewed: str = ""
    page_question: str = ""
    related_questions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # chrome lines dropped, for the ingest report


def is_chrome(line: str) -> bool:
    return bool(_CHROME.match(line.strip()))


def looks_like_heading(line: str) -> bool:
    """Plain-text heading: short, capitalised, no closing punctuation, no reference markers."""
    text = line.strip()
    if not text or len(text) > 90 or len(text.split()) > 12:
        return False
    if text[-1] in ".:;,?!" or re.search(r"\d$", text):
        return False
    return text[0].isupper()


def blocks_from_plain_text(raw: str) -> list[Block]:
    """Lines of a plain-text page: bullets (•, -, *) and paragraphs; headings by shape."""
    blocks: list[Block] = []
    for line in raw.splitlines():
        text = " ".join(line.split())
        if not text:
            continue
        bullet = re.match(r"^(?:[•\u2022\u25cf\-*]|\d+[.)])\s+(.*)$", text)
        if bullet:
            blocks.append(Block("bullet", bullet.group(1)))
        elif looks_like_heading(text):
            blocks.append(Block("heading", text))
        else:
            blocks.append(Block("para", text))
    return blocks


@lru_cache(maxsize=1)
def _inline_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def plain_inline(text: str) -> str:
    """Inline Markdown as the words a clinician reads: emphasis markers, code ticks and link targets gone
    ("**Term**: ..." is "Term: ..."), parsed by markdown-it rather than guessed by regex."""
    if not any(c in text for c in "*_`[<\\"):
        return text
    out: list[str] = []
    for token in _inline_parser().parseInline(text)[0].children or ():
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type in ("html_inline", "image"):
            out.append(token.content if token.type == "image" else "")
    return " ".join("".join(out).split())


_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?$")


def _is_pipe_row(text: str) -> bool:
    return text.startswith("|") and text.endswith("|") and text.count("|") >= 3


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def blocks_from_markdown(raw: str) -> list[Block]:
    """Markdown: '#' headings keep their level; wrapped paragraph lines are joined; inline markup is removed; a
    pipe table's rows are read one unit each, every cell named by its column's header."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", plain_inline(" ".join(para))))
            para.clear()

    lines = raw.splitlines()
    table: list[str] | None = None  # the header cells of the pipe table being read
    for n, line in enumerate(lines):
        text = " ".join(line.split())
        if _is_pipe_row(text):
            if table is None and n + 1 < len(lines) and _TABLE_RULE.match(" ".join(lines[n + 1].split())):
                flush()
                table = _cells(text)
                continue
            if table is not None:
                if not _TABLE_RULE.match(text):
                    # each row one unit, each cell named by its header, as a PDF table row is read
                    cells = _cells(text)
                    named = "; ".join(f"{h}: {c}" if h else c for h, c in zip(table, cells, strict=False) if c)
                    blocks.append(Block("para", plain_inline(named.rstrip(".") + ".")))
                continue
        table = None
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", text)
        bullet = re.match(r"^(?:[-*+\u2022]|\d+[.)])\s+(.*)$", text)
        if not text:
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", plain_inline(heading.group(2)), level=len(heading.group(1))))
        elif bullet:
            flush()
            blocks.append(Block("bullet", plain_inline(bullet.group(1))))
        else:
            para.append(text)
    flush()
    return blocks


def _parse_references(lines: list[str]) -> list[Reference]:
    """Reference lists come as (kind, title, source) triples, the kind line optional."""
    refs: list[Reference] = []
    i = 0
    while i < len(lines):
        kind = ""
        if lines[i].lower() in REFERENCE_KINDS:
            kind = lines[i]
            i += 1
        if i >= len(lines):
            break
        title = re.sub(r"^\d+[.)]\s*", "", lines[i])
        source = ""
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt and nxt.lower() not in REFERENCE_KINDS:
            source = nxt
            i += 1
        refs.append(Reference(n=len(refs) + 1, title=title, kind=kind, source=source))
        i += 1
    return refs


def clean_blocks(blocks: list[Block]) -> CleanedPage:
    """Drop chrome, split off references / related questions / disclaimer, find title and question."""
    page = CleanedPage(title="", blocks=[])
    mode = "body"
    ref_lines: list[str] = []
    disclaimer: list[str] = []
    for block in blocks:
        text = block.text.strip()
        updated = _LAST_UPDATED.search(text)
        if updated and not page.date_reviewed:
            page.date_reviewed = updated.group(1)
        if is_chrome(text) or re.match(r"^last updated:", text, re.IGNORECASE):
            page.removed.append(text)
            continue
        if block.kind in ("heading", "para") and len(text) < 60:
            if SECTION_REFERENCES.match(text):
                mode = "references"
                continue
            if SECTION_RELATED.match(text):
                mode = "related"
                page.removed.append(text)
                continue
            if SECTION_DISCLAIMER.match(text):
                mode = "disclaimer"
                continue
        if mode == "references":
            ref_lines.append(text)
        elif mode == "related":
            page.related_questions.append(text)
            page.removed.append(text)
        elif mode == "disclaimer":
            disclaimer.append(text)
        elif not page.blocks and not page.title and text.endswith("?") and not page.page_question:
            page.page_question = text
        elif not page.title and block.kind == "heading":
            page.title = text
        else:
            page.blocks.append(Block(block.kind, text, block.level))
    page.references = _parse_references(ref_lines)
    page.disclaimer = " ".join(disclaimer)
    if not page.title:
        page.title = page.page_question or next((b.text for b in page.blocks), "Untitled")
    return page


def to_markdown(page: CleanedPage) -> str:
    """Canonical cleaned text: '# title', '## heading' (or the heading's own level), '- bullet', paragraphs."""
    out = [f"# {page.title}", ""]
    for block in page.blocks:
        if block.kind == "heading":
            level = min(max(block.level, 2), 6) if block.level else 2
            out += ["", "#" * level + " " + block.text, ""]
        elif block.kind == "bullet":
            out.append(f"- {block.text}")
        else:
            out += ["", block.text, ""]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
