"""Lay out a PDF page's text runs: lines and cells, running headers and page numbers dropped, two columns
read in order, table rows labelled by their header, headings by font size or weight -> reflow Lines."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from rag.ingest.reflow import PAGE_NUMBER, Line

Run = tuple[float, float, float, float, bool, str]  # x, end, y, size, bold, text


@dataclass
class Cell:
    x: float
    end: float
    text: str
    size: float
    bold: bool
    y: float


@dataclass
class PdfLine:
    y: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def size(self) -> float:
        return max(c.size for c in self.cells)

    @property
    def bold(self) -> bool:
        return all(c.bold for c in self.cells)

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells)

    @property
    def x(self) -> float:
        return self.cells[0].x

    @property
    def end(self) -> float:
        return self.cells[-1].end


# Average advance widths (em) of Helvetica/Times-like faces: the fallback when a font has no metrics.
_NARROW, _WIDE = set("ijlt.,;:'|!()[]/ -"), set("mwMW@%")


def text_width(text: str, size: float) -> float:
    em = sum(0.27 if ch in _NARROW else 0.85 if ch in _WIDE else 0.68 if ch.isupper() else 0.53 for ch in text)
    return em * size


def page_lines(runs: list[Run]) -> list[PdfLine]:
    """Runs on one baseline form a line, each run a cell until columns are split and cells merged."""
    lines: list[PdfLine] = []
    for x, end, y, size, bold, text in sorted(runs, key=lambda r: (-r[2], r[0])):
        if not (lines and abs(lines[-1].y - y) <= 0.35 * max(size, lines[-1].size)):
            lines.append(PdfLine(y=y))
        lines[-1].cells.append(Cell(x, end, text, size, bold, y))
    for line in lines:
        line.cells.sort(key=lambda c: c.x)
    return lines


def merge_cells(line: PdfLine) -> PdfLine:
    """Runs close together are one cell; a gap wider than a few spaces separates table cells."""
    merged = [line.cells[0]]
    for cell in line.cells[1:]:
        if cell.x - merged[-1].end <= 1.5 * line.size:
            last = merged[-1]
            merged[-1] = Cell(last.x, max(last.end, cell.end), f"{last.text} {cell.text}", max(last.size, cell.size),
                              last.bold and cell.bold, last.y)
        else:
            merged.append(cell)
    # A column's line sits at its own runs' baseline, not at a taller neighbour's across the gutter.
    return PdfLine(merged[0].y, merged)


def drop_running_lines(pages: list[tuple[float, float, list[PdfLine]]]) -> list[list[PdfLine]]:
    """Remove page numbers and headers/footers: lines in the top or bottom tenth of a page that are a page
    number, or whose text (digits aside) recurs there on at least half the pages."""
    def key(line: PdfLine) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    def in_band(line: PdfLine, height: float) -> bool:
        return line.y > 0.9 * height or line.y < 0.1 * height

    seen = Counter(k for _, height, lines in pages for k in {key(x) for x in lines if in_band(x, height)})
    repeats = {k for k, n in seen.items() if n >= max(2, math.ceil(len(pages) / 2))}
    return [[x for x in lines if not (in_band(x, h) and (PAGE_NUMBER.match(x.text.strip()) or key(x) in repeats))]
            for _, h, lines in pages]


def reading_order(lines: list[PdfLine], page_width: float) -> list[list[PdfLine]]:
    """Segments in reading order: one for a single-column page; for two columns, full-width lines break the
    page into bands, each read left column then right column."""
    gutter = _gutter(lines, page_width)
    if gutter is None:
        return [[merge_cells(x) for x in lines]]
    segments: list[list[PdfLine]] = []
    left: list[PdfLine] = []
    right: list[PdfLine] = []
    for line in lines:
        lcells = [c for c in line.cells if c.x < gutter]
        rcells = [c for c in line.cells if c.x >= gutter]
        spanning = not rcells and line.end > gutter + 0.3 * (line.end - line.x)
        if spanning:
            segments += [s for s in (left, right) if s]
            segments.append([merge_cells(line)])
            left, right = [], []
            continue
        if lcells:
            left.append(merge_cells(PdfLine(line.y, lcells)))
        if rcells:
            right.append(merge_cells(PdfLine(line.y, rcells)))
    return segments + [s for s in (left, right) if s]


def _gutter(lines: list[PdfLine], page_width: float) -> float | None:
    """x that splits a two-column page: an empty vertical strip in the middle of the text that few lines
    cross (a full-width title may), with text on both sides filling its column (table cells are short and
    leave empty strips too, but do not fill). Baselines of the two columns need not line up."""
    if len(lines) < 6:
        return None
    margin, right_edge = min(x.x for x in lines), max(x.end for x in lines)
    # Text area as wide as the page's margins allow: a right column holding one short line is still a column.
    width = max(right_edge, page_width - margin) - margin
    best: tuple[int, float] | None = None
    for step in range(30, 71):
        x = margin + width * step / 100
        crossing = sum(1 for line in lines for c in line.cells if c.x < x < c.end)
        if crossing <= 0.15 * len(lines) and (best is None or crossing < best[0]):
            best = (crossing, x)
    if best is None:
        return None
    x = best[1]
    left = [max(c.end for c in line.cells if c.end <= x) for line in lines if any(c.end <= x for c in line.cells)]
    right = [max(c.end for c in line.cells) for line in lines if any(c.x >= x for c in line.cells)]
    if len(left) < 3 or not right:
        return None
    if all(_is_table_row(line, x) for line in lines if any(c.x >= x for c in line.cells)):
        return None  # everything right of the strip is the last cell of table rows
    left_col, right_start = max(left), min(c.x for line in lines for c in line.cells if c.x >= x)
    left_fill = statistics.median((e - margin) / (left_col - margin) for e in left)
    right_fill = statistics.median((e - right_start) / max(right_edge - right_start, 1.0) for e in right)
    # A right column of a line or two (the end of the text) is too short to judge how it fills.
    if left_fill <= 0.6 or (len(right) >= 5 and right_fill <= 0.6):
        return None
    return (left_col + right_start) / 2


def _is_table_row(line: PdfLine, x: float) -> bool:
    """Cells left of x that stay apart after merging: a table row, where a column's line is one cell."""
    left = [c for c in line.cells if c.x < x]
    return len(left) > 1 and len(merge_cells(PdfLine(line.y, left)).cells) > 1


def heading_levels(lines: list[PdfLine]) -> tuple[float, dict[float, int]]:
    """Body size (the size most text is set in) and a level for each larger size, largest first."""
    weight: Counter[float] = Counter()
    for line in lines:
        weight[round(line.size * 2) / 2] += len(line.text)
    body = weight.most_common(1)[0][0] if weight else 10.0
    larger = sorted({s for s in weight if s >= 1.15 * body}, reverse=True)
    return body, {s: i + 1 for i, s in enumerate(larger)}


def to_lines(segments: list[list[PdfLine]]) -> list[Line]:
    """PdfLines in reading order -> reflow Lines: heading levels from fonts, gaps from spacing, table rows
    labelled with their header, and whether each line ran out of room."""
    flat = [x for seg in segments for x in seg]
    body, levels = heading_levels(flat)
    bold_level = len(levels) + 1
    steps = [a.y - b.y for seg in segments for a, b in zip(seg, seg[1:], strict=False)
             if len(a.cells) == len(b.cells) == 1 and abs(a.size - body) < 0.5 and a.y > b.y]
    pitch = statistics.median(steps) if steps else 1.2 * body
    # A column's right edge is its longest line on any page: a page with one short line is not full.
    rights: dict[int, float] = {}
    for seg in segments:
        key = round(min(x.x for x in seg) / 12)
        rights[key] = max(rights.get(key, 0.0), *(x.end for x in seg))
    out: list[Line] = []
    for k, seg in enumerate(segments):
        right = rights[round(min(x.x for x in seg) / 12)]
        for i, line in enumerate(seg):
            # The last line of a column or page is followed by the first of the next one.
            nxt = seg[i + 1] if i + 1 < len(seg) else segments[k + 1][0] if k + 1 < len(segments) else None
            gap = i > 0 and seg[i - 1].y - line.y > 1.45 * pitch
            out.extend(_to_line(seg, i, line, nxt, gap, right, levels, bold_level, body))
    return out


def _to_line(seg, i, line, nxt, gap, right, levels, bold_level, body) -> Iterator[Line]:
    if len(line.cells) > 1:
        yield from _table_row(seg, i, gap)
        return
    size = round(line.size * 2) / 2
    words = line.text.split()
    level = levels.get(size, 0)
    if not level and line.bold and abs(size - body) < 0.5 and len(words) <= 12 and not line.text.endswith("."):
        level = bold_level
    follow = nxt.text.split()[0] if nxt is not None and nxt.text.split() else ""
    full = bool(follow) and line.end + text_width(" " + follow, line.size) > right - 0.3 * line.size
    yield Line(text=line.text, full=full, gap_before=gap, heading=level)


def _table_row(seg: list[PdfLine], i: int, gap: bool) -> Iterator[Line]:
    """A row of a table (consecutive multi-cell lines) as one unit, each cell named by its header."""
    start = i
    while start > 0 and len(seg[start - 1].cells) > 1:
        start -= 1
    header = [c.text for c in seg[start].cells]
    cells = [c.text for c in seg[i].cells]
    has_rows = start + 1 < len(seg) and len(seg[start + 1].cells) > 1
    if i == start and has_rows:
        return  # the header lives on in every row
    if i > start and len(cells) == len(header):
        text = "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True)) + "."
    else:
        text = "; ".join(cells) + "."
    yield Line(text=text, row=True, gap_before=gap)
