"""Split a cleaned Document into Chunks along its own headings and sentence boundaries.

Trailing reference markers ("... compromise 1, 3", "immediately. 1 This is") are parsed into
reference numbers on the sentence they close, and removed from the chunk text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rag.types import Chunk, Document, Sentence

_ABBREVIATIONS = {
    "e.g", "i.e", "dr", "vs", "etc", "fig", "al", "approx", "no", "st", "mr", "mrs", "ms", "u.s", "cf",
    "ca", "min", "max", "resp", "incl", "dept", "prof", "jr", "sr", "vol", "pp", "ref", "refs", "eq",
}
_BOUNDARY = re.compile(r"([.!?][\"')\]]*)(\s+)(?=[\"'(\[]?[A-Z0-9])")
_MARKER = re.compile(r"(\s+)(\d{1,3}(?:\s*,\s*\d{1,3})*)(?=\s+[A-Z(\"']|\s*$)")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans of text (stripped of outer whitespace); whitespace between them belongs to none."""
    spans: list[Span] = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        word = re.search(r"(\S+)$", text[start:m.start()])
        token = (word.group(1) if word else "").lower().rstrip(".")
        if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
            continue
        end = m.end(1)
        if end > start:
            spans.append(Span(start, end))
        start = m.end()
    tail_end = len(text.rstrip())
    if tail_end > start:
        spans.append(Span(start, tail_end))
    return spans


def strip_markers(text: str, max_ref: int) -> tuple[str, list[int], list[tuple[int, tuple[int, ...]]]]:
    """Remove reference markers. Returns clean text, a map clean index -> original index, and markers
    as (clean position, numbers). A marker inside a block counts only after sentence punctuation."""
    if max_ref <= 0:
        return text, list(range(len(text) + 1)), []
    keep: list[int] = []
    markers: list[tuple[int, tuple[int, ...]]] = []
    pos = 0
    clean_parts: list[str] = []
    for m in _MARKER.finditer(text):
        nums = tuple(int(n) for n in re.findall(r"\d+", m.group(2)))
        at_end = not text[m.end():].strip()
        before = text[:m.start()].rstrip()
        if not before or not all(1 <= n <= max_ref for n in nums):
            continue
        if not at_end and before[-1] not in ".!?:":
            continue
        if before[-1].isdigit() or before[-1] == ",":
            continue
        clean_parts.append(text[pos:m.start()])
        keep.extend(range(pos, m.start()))
        markers.append((len(keep), nums))
        pos = m.end()
    clean_parts.append(text[pos:])
    keep.extend(range(pos, len(text)))
    keep.append(len(text))
    return "".join(clean_parts), keep, markers


_ITEM_LABEL = re.compile(r"^([^:.;]{2,60}):\s+\S")  # "<Label>: text", not a lead-in ending in ':'
# ... or the circumstance its first sentence opens with ("In <group>, do not use <a>. Give <b> ..."): what the item's
# later sentences are said of too
_ITEM_OPENING = re.compile(r"^(?:In|For|During|After)\s+([^,.;:]{2,60}),\s+\S")


def block_sentences(text: str, offset: int, max_ref: int, bullet: bool = False) -> list[Sentence]:
    """Sentences of one block, spans mapped back into the document, markers linked to their sentence."""
    clean, index_map, markers = strip_markers(text, max_ref)
    spans = split_sentences(clean)
    # a labelled item ("<Label>: used when ... . Take <x>."): its later sentences are about the label too
    first = clean[spans[0].start:spans[0].end] if spans else ""
    labelled = (_ITEM_LABEL.match(first) or _ITEM_OPENING.match(first)) if bullet and len(spans) > 1 else None
    label = labelled.group(1).strip() if labelled else ""
    out: list[Sentence] = []
    for i, span in enumerate(spans):
        next_start = spans[i + 1].start if i + 1 < len(spans) else len(clean) + 1
        refs = sorted({n for p, nums in markers if span.start < p < next_start + (i + 1 == len(spans))
                       for n in nums})
        start = offset + index_map[span.start]
        end = offset + index_map[span.end - 1] + 1
        out.append(Sentence(text=clean[span.start:span.end], start=start, end=end, refs=tuple(refs), bullet=bullet,
                            label=label if i else ""))
    return out


@dataclass(frozen=True)
class SectionBlock:
    section: tuple[str, ...]
    sentences: list[Sentence]
    kind: str
    section_index: int  # which heading occurrence: two sections may share a title


def iter_blocks(doc: Document) -> Iterator[SectionBlock]:
    """Walk the markdown: headings set the section path; bullets and paragraphs are blocks."""
    max_ref = len(doc.references)
    path: list[tuple[int, str]] = []
    offset = 0
    section_index = 0
    para: list[tuple[int, str]] = []

    def flush() -> Iterator[SectionBlock]:
        if para:
            start = para[0][0]
            end = para[-1][0] + len(para[-1][1])
            section = tuple(t for _, t in path) or (doc.title,)
            yield SectionBlock(section, block_sentences(doc.text[start:end], start, max_ref), "para",
                               section_index)
            para.clear()

    for line in doc.text.splitlines(keepends=True):
        body = line.rstrip("\n")
        heading = re.match(r"^(#{1,6})\s+(.*)$", body)
        bullet = re.match(r"^([-*+]\s+)(.*)$", body)
        if not body.strip():
            yield from flush()
        elif heading:
            yield from flush()
            level = len(heading.group(1))
            section_index += 1
            path = [(lv, t) for lv, t in path if lv < level] + [(level, heading.group(2).strip())]
        elif bullet:
            yield from flush()
            section = tuple(t for _, t in path) or (doc.title,)
            start = offset + len(bullet.group(1))
            yield SectionBlock(section, block_sentences(bullet.group(2), start, max_ref, bullet=True), "bullet",
                               section_index)
        else:
            para.append((offset, body))
        offset += len(line)
    yield from flush()


def chunk_id(doc_id: str, version: int, section: tuple[str, ...], text: str) -> str:
    digest = hashlib.sha256("\x1f".join([doc_id, str(version), *section, text]).encode()).hexdigest()
    return digest[:16]


def chunk_document(doc: Document, max_chars: int = 700) -> list[Chunk]:
    """Group consecutive blocks of one section into chunks of at most max_chars (a longer block is cut
    between sentences, never inside one)."""
    groups: list[tuple[tuple[str, ...], list[list[Sentence]]]] = []
    group_section: list[int] = []
    for block in iter_blocks(doc):
        if not block.sentences:
            continue
        size = sum(len(s.text) + 1 for s in block.sentences)
        last = groups[-1] if groups else None
        if last and group_section[-1] == block.section_index and _size(last[1]) + size <= max_chars:
            last[1].append(block.sentences)
            continue
        for piece in _cut(block.sentences, max_chars):
            groups.append((block.section, [piece]))
            group_section.append(block.section_index)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for ordinal, (section, blocks) in enumerate(groups):
        sentences = tuple(s for b in blocks for s in b)
        text = "\n".join(" ".join(s.text for s in b) for b in blocks)
        cid = chunk_id(doc.id, doc.version, section, text)
        if cid in seen:  # identical text twice in one section: keep both, distinguishable
            cid = chunk_id(doc.id, doc.version, section, f"{text}\x1f{ordinal}")
        seen.add(cid)
        chunks.append(Chunk(
            id=cid, document_id=doc.id, version=doc.version, title=doc.title, section=section, text=text,
            start=sentences[0].start, end=sentences[-1].end,
            refs=tuple(sorted({r for s in sentences for r in s.refs})), sentences=sentences, ordinal=ordinal,
        ))
    return chunks


REFERENCES_SECTION = "References"


def reference_chunk(doc: Document, ordinal: int) -> Chunk | None:
    """The document's reference list as one citable passage (a sentence per record), so that "which source is
    that from?" is answered with the record itself, cited. Ordinary answers never draw on it."""
    if not doc.references:
        return None
    end = len(doc.text)
    sentences = tuple(Sentence(text=_record(r), start=end, end=end, refs=(r.n,), bullet=True)
                      for r in doc.references)
    section = (doc.title, REFERENCES_SECTION)
    text = "\n".join(s.text for s in sentences)
    return Chunk(id=chunk_id(doc.id, doc.version, section, text), document_id=doc.id, version=doc.version,
                 title=doc.title, section=section, text=text, start=end, end=end,
                 refs=tuple(r.n for r in doc.references), sentences=sentences, ordinal=ordinal)


def is_reference_chunk(chunk: Chunk) -> bool:
    return bool(chunk.section) and chunk.section[-1] == REFERENCES_SECTION and chunk.start == chunk.end


def _record(r) -> str:
    """One sentence per record: "Reference 3: Title (Guideline; Publisher, 2026)." """
    about = "; ".join(x.strip().rstrip(".") for x in (r.kind, r.source) if x and x.strip())
    return f"Reference {r.n}: {r.title.strip().rstrip('.')}" + (f" ({about})." if about else ".")


def indexed_chunks(doc: Document, max_chars: int = 700) -> list[Chunk]:
    """What the index holds for a document: its text's chunks and its reference list."""
    chunks = chunk_document(doc, max_chars)
    refs = reference_chunk(doc, len(chunks))
    return [*chunks, refs] if refs else chunks


def _size(blocks: list[list[Sentence]]) -> int:
    return sum(len(s.text) + 1 for b in blocks for s in b)


def _cut(sentences: list[Sentence], max_chars: int) -> Iterator[list[Sentence]]:
    piece: list[Sentence] = []
    for s in sentences:
        if piece and sum(len(x.text) + 1 for x in piece) + len(s.text) > max_chars:
            yield piece
            piece = []
        piece.append(s)
    if piece:
        yield piece
