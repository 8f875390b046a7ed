"""Rebuild paragraphs from wrapped lines (a PDF page, a hard-wrapped .txt) before sentences are split.

A writer breaks a line because the next word did not fit, or because a paragraph, bullet, heading or
table row ends. Readers measure what they can (room left on the line, vertical gaps, fonts) into `Line`s;
this module turns those into Blocks: wrapped lines joined, end-of-line hyphenation undone, a wrapped
bullet continued, headings and table rows kept as units.

End-of-line hyphens: a soft hyphen (U+00AD) is always dropped. A hard "word-" followed by a lowercase
continuation keeps its hyphen when the document itself writes the hyphenated form elsewhere ("follow-up"),
or when both halves are words the document uses on their own and the joined form never appears; otherwise
the hyphen is the typesetter's ("intramus-" + "cular") and is removed. The document is its own dictionary,
so no word list has to be shipped or kept in step with clinical vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.ingest.clean import Block, blocks_from_plain_text, looks_like_heading

BULLET = re.compile(r"^(?:[•\u2022\u25cf\u25aa\u2013\-*]|(\d{1,2})[.)])\s+(.*)$")
SENTENCE_END = re.compile(r"[.!?:][\"')\]]*$")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_HYPHEN_END = re.compile(r"([A-Za-z]+)-$")
_LEAD_WORD = re.compile(r"^([a-z]+)")
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})


@dataclass
class Line:
    text: str
    full: bool = False        # the writer ran out of room: the next line continues this one
    gap_before: bool = False  # blank line or vertical space above: a paragraph break
    heading: int = 0          # heading level known from the layout (font size / weight); 0 = none
    row: bool = False         # a table row, cells already joined: a unit of its own


class Vocabulary:
    """Words the document writes whole on a line: the evidence for undoing or keeping a line-end hyphen."""

    def __init__(self, lines: list[Line]) -> None:
        self.plain: set[str] = set()
        self.hyphenated: set[str] = set()
        broken = False  # the previous line ended inside a word: this line's first word is half of it
        for line in lines:
            words = _WORD.findall(line.text)
            ends_broken = bool(words) and line.text.rstrip().endswith(("-", "\u00ad"))
            for word in words[int(broken):len(words) - int(ends_broken)]:
                (self.hyphenated if "-" in word else self.plain).add(word.lower())
                if "-" in word:
                    self.plain.update(p.lower() for p in word.split("-") if len(p) > 1)
            broken = ends_broken

    def keeps_hyphen(self, left: str, right: str) -> bool:
        left, right = left.lower(), right.lower()
        if f"{left}-{right}" in self.hyphenated:
            return True
        if left + right in self.plain:
            return False
        return len(left) > 1 and len(right) > 1 and left in self.plain and right in self.plain


def join_wrapped(head: str, tail: str, vocab: Vocabulary) -> str:
    """head + tail across a line break: a space, or nothing where a word was broken."""
    if head.endswith("\u00ad"):
        return head[:-1] + tail
    hyphen = _HYPHEN_END.search(head)
    if hyphen:
        lead = _LEAD_WORD.match(tail)
        if lead and not vocab.keeps_hyphen(hyphen.group(1), lead.group(1)):
            return head[:-1] + tail
        return head + tail
    if re.search(r"\w-$", head):
        return head + tail  # "4-" + "6 weeks", "COVID-" + "19": the hyphen joins, never a space
    return f"{head} {tail}"


def normalise(text: str) -> str:
    text = " ".join(text.translate(LIGATURES).split())
    # A soft hyphen inside a line is only a hint where a break may go.
    return re.sub("\u00ad(?=.)", "", text)


def rebuild(lines: list[Line], *, headings_by_shape: bool) -> list[Block]:
    """Lines in reading order -> Blocks. A break needs evidence (a gap, a marker, a heading, a row, or a
    sentence that ended on a line with room left); everything else is a wrapped continuation."""
    vocab = Vocabulary(lines)
    blocks: list[Block] = []
    kind, parts, level, prev = "", "", 0, None
    last_number = 0  # of the current numbered list: "24." after a full line is text, "3." after item 2 is not

    def flush() -> None:
        if parts:
            blocks.append(Block(kind, parts, level=level))  # type: ignore[arg-type]

    for line in lines:
        text = normalise(line.text)
        if not text:
            continue
        bullet = _item(text, prev, kind, parts, last_number)
        if bullet:
            last_number = int(bullet.group(1)) if bullet.group(1) else 0
        if line.heading and kind == "heading" and level == line.heading and not line.gap_before:
            parts = join_wrapped(parts, text, vocab)  # a heading wrapped over two lines
        elif line.heading:
            flush()
            kind, parts, level = "heading", text, line.heading
        elif line.row:
            flush()
            blocks.append(Block("bullet", text))
            kind, parts, level = "", "", 0
        elif bullet:
            flush()
            kind, parts, level = "bullet", bullet.group(2), 0
        elif kind in ("para", "bullet") and prev is not None and _continues(prev, line, text, parts,
                                                                             headings_by_shape):
            parts = join_wrapped(parts, text, vocab)
        else:
            flush()
            shaped = (headings_by_shape and not line.full and looks_like_heading(text)
                      and (prev is None or not prev.full))
            kind, parts, level = ("heading" if shaped else "para"), text, 0
        prev = line
    flush()
    return blocks


def _item(text: str, prev: Line | None, kind: str, parts: str, last_number: int) -> re.Match[str] | None:
    """A list marker that opens an item, or None where the "marker" is wrapped text: "24." after a line that
    ran out of room (unless it is the next number), or a dash carrying on an unfinished prose sentence."""
    marker = BULLET.match(text)
    if not marker or prev is None or not prev.full or prev.row:
        return marker
    if marker.group(1):
        return marker if int(marker.group(1)) == last_number + 1 else None
    if text[0] in "-\u2013" and kind == "para" and not SENTENCE_END.search(parts):
        return None
    return marker


def _continues(prev: Line, line: Line, text: str, parts: str, headings_by_shape: bool) -> bool:
    if line.gap_before or prev.row:
        return False
    if prev.full:
        return True
    if SENTENCE_END.search(parts):
        return False  # the sentence ended on a line with room left: the paragraph ended with it
    if text[:1].islower() or text[:1].isdigit():
        return True  # an unfinished sentence goes on; a lowercase start never opens one
    # Room was left and the next line opens like a sentence or a heading: in a PDF, measured in points,
    # that was the writer's own break; in text, only a heading-shaped line is one.
    return headings_by_shape and not looks_like_heading(text)


PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-\u2013]\s*\d{1,4}\s*[-\u2013]$",
                         re.IGNORECASE)


def wrap_width(lines: list[str]) -> int | None:
    """The width a text was hard-wrapped at, or None when its lines are paragraphs (a web page copied out).
    In wrapped text the lines that run on into the next one come close to one width; the 95th percentile
    ignores a stray long URL."""
    lengths = sorted(len(x.rstrip()) for x in lines if x.strip())
    if not lengths:
        return None
    width = lengths[int(0.95 * (len(lengths) - 1))]
    inner = [len(a.rstrip()) for a, b in zip(lines, lines[1:], strict=False) if a.strip() and b.strip()]
    near = sum(1 for n in inner if n >= 0.6 * width)
    return width if inner and width <= 120 and near >= 0.6 * len(inner) else None


def blocks_from_text(raw: str) -> list[Block]:
    """Plain text: reflowed when hard-wrapped, else one paragraph per line as before."""
    raw_lines = raw.replace("\f", "\n").splitlines()
    width = wrap_width(raw_lines)
    if width is None:
        return blocks_from_plain_text(raw)
    lines: list[Line] = []
    gap = True
    for i, raw_line in enumerate(raw_lines):
        text = raw_line.rstrip()
        if not text.strip():
            gap = True
            continue
        if PAGE_NUMBER.match(text.strip()):
            continue  # "Page 3 of 10" left by a PDF-to-text tool
        nxt = next((x for x in raw_lines[i + 1:] if x.strip()), "")
        first = nxt.split()[0] if nxt.split() else ""
        # Greedy wrapping broke here only if the next word would not have fitted within the width.
        full = bool(first) and len(text) + 1 + len(first) > width
        lines.append(Line(text=text, full=full, gap_before=gap))
        gap = False
    return rebuild(lines, headings_by_shape=True)
