"""A tiny real PDF writer for tests (one page per paragraph, Helvetica text), so ingest reads true PDFs."""


def make_pdf(paragraphs: list[str]) -> bytes:
    objects: list[bytes] = []
    page_ids = []
    font_id = 3 + 2 * len(paragraphs)
    for i, text in enumerate(paragraphs):
        page_id, content_id = 3 + 2 * i, 4 + 2 * i
        page_ids.append(page_id)
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 11 Tf 50 750 Td ({safe}) Tj ET".encode()
        objects.append((f"{page_id} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
                        f"{content_id} 0 R /Resources << /Font << /F1 {font_id} 0 R >> >> >> endobj\n").encode())
        objects.append(f"{content_id} 0 obj << /Length {len(stream)} >> stream\n".encode() + stream
                       + b"\nendstream endobj\n")
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    head = [b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
            f"2 0 obj << /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >> endobj\n".encode()]
    tail = [f"{font_id} 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n".encode()]
    body = b"%PDF-1.4\n"
    offsets = []
    for obj in head + objects + tail:
        offsets.append(len(body))
        body += obj
    xref = len(body)
    body += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += f"trailer << /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


# --- A layout-level writer: text placed at points, in regular or bold faces, streams deflated as real
# generators do. Tests typeset documents with it (wrapping, hyphenation, columns, running headers, tables).

FONTS = {"F1": "Helvetica", "F2": "Helvetica-Bold"}


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def page_stream(items: list[tuple[float, float, str, str, float]]) -> bytes:
    """items: (x, y, text, font key, size). One BT block per page with Tm positioning, as reportlab writes."""
    out = [b"BT"]
    for x, y, text, font, size in items:
        out.append(f"/{font} {size:g} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm (".encode() + _escape(text) + b") Tj")
    out.append(b"ET")
    return b"\n".join(out)


def assemble_pdf(streams: list[bytes], *, compress: bool = True, extra_objects: list[bytes] | None = None,
                 pages_dict: str | None = None, width: int = 612, height: int = 792, deflated: bool = False) -> bytes:
    """Objects: 1 catalog, 2 page tree, 3-4 fonts, then (page, content) pairs, then extra_objects.
    deflated: the streams are already FlateDecode data (a crafted bomb)."""
    import zlib

    objects: dict[int, bytes] = {
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    }
    kids = []
    for i, stream in enumerate(streams):
        page_id, content_id = 5 + 2 * i, 6 + 2 * i
        kids.append(page_id)
        objects[page_id] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents {content_id} 0 R"
                            " /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>").encode()
        data, filt = (zlib.compress(stream), b" /Filter /FlateDecode") if compress else (stream, b"")
        if deflated:
            data, filt = stream, b" /Filter /FlateDecode"
        objects[content_id] = f"<< /Length {len(data)}".encode() + filt + b" >>\nstream\n" + data + b"\nendstream"
    next_id = 5 + 2 * len(streams)
    for extra in extra_objects or []:
        objects[next_id] = extra
        next_id += 1
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = (pages_dict or f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                  f"/Count {len(kids)} >>").encode()
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(body)
        body += f"{n} 0 obj\n".encode() + objects[n] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(body)
    body += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    body += b"".join((f"{offsets[n]:010d} 00000 n \n" if n in offsets else "0000000000 65535 f \n").encode()
                     for n in range(1, size))
    body += f"trailer << /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return body


PAGE_W, PAGE_H, MARGIN, LEADING = 612, 792, 72, 12.0
TABLE_CELL_PT = 110  # table columns: room for a 15-character drug name and a gap


def helvetica_width(text: str, size: float = 10) -> float:
    from pypdf.generic._font import Font  # the core-14 metrics a real typesetter would use

    return Font.from_core_font_name("/Helvetica").get_text_width(text) * size / 1000


def hyphen_wrap(text: str, width_pt: float, *, hyphenate: bool = True) -> list[str]:
    """Greedy wrap at width_pt of 10 pt Helvetica, breaking long words with a hyphen as a typesetter does,
    and compound words after their own hyphen."""
    def fits(s: str) -> bool:
        return helvetica_width(s) <= width_pt

    lines: list[str] = []
    line = ""
    words = text.split()
    while words:
        word = words.pop(0)
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        prefix = f"{line} " if line else ""
        cut = word.find("-") + 1 if "-" in word[:-1] else 0
        if hyphenate and not cut and len(word) >= 8:
            cut = next((k for k in range(len(word) - 3, 2, -1) if fits(f"{prefix}{word[:k]}-")), 0)
        if cut and fits(prefix + word[:cut] + ("" if word[cut - 1] == "-" else "-")):
            head = word[:cut] if word[cut - 1] == "-" else word[:cut] + "-"
            lines.append(prefix + head)
            line = ""
            words.insert(0, word[cut:])
            continue
        if line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def typeset(blocks: list[tuple[str, object]], *, width: float = 468, columns: int = 1, running_header: str = "",
            page_numbers: bool = True, hyphenate: bool = True, compress: bool = True) -> bytes:
    """A document as a publisher lays it out: blocks ("title" | "h" | "p" | "bullet", text) or ("table",
    rows), wrapped at `width` points (at most the column's width), flowing down columns and over pages,
    with a running header and "Page n of m" footers."""
    col_w = (PAGE_W - 2 * MARGIN - 24 * (columns - 1)) / columns
    width = min(width, col_w)
    pages: list[list[tuple[float, float, str, str, float]]] = [[]]
    state = {"col": 0, "y": PAGE_H - MARGIN}

    def place(text: str, font: str = "F1", size: float = 10, indent: float = 0, step: float = LEADING) -> None:
        if state["y"] - step < MARGIN:
            state["col"] += 1
            state["y"] = PAGE_H - MARGIN
            if state["col"] == columns:
                pages.append([])
                state["col"] = 0
        state["y"] -= step
        x = MARGIN + state["col"] * (col_w + 24) + indent
        pages[-1].append((x, state["y"], text, font, size))

    for kind, content in blocks:
        if kind == "title":
            place(str(content), "F2", 18, step=24)
        elif kind == "h":
            state["y"] -= 8
            place(str(content), "F2", 13, step=18)
        elif kind == "p":
            for line in hyphen_wrap(str(content), width, hyphenate=hyphenate):
                place(line)
            state["y"] -= 6
        elif kind == "bullet":
            for i, line in enumerate(hyphen_wrap(str(content), width - 9, hyphenate=hyphenate)):
                place(("\u2022 " if i == 0 else "") + line, indent=0 if i == 0 else 9)
        elif kind == "table":
            state["y"] -= 6
            assert (len(content[0]) - 1) * TABLE_CELL_PT + 90 <= col_w, "table would not fit its column"  # type: ignore[index]
            for r, row in enumerate(content):  # type: ignore[arg-type]
                place(row[0], "F2" if r == 0 else "F1")
                x0 = pages[-1][-1][0]
                for c, cell in enumerate(row[1:], start=1):
                    pages[-1].append((x0 + c * TABLE_CELL_PT, state["y"], cell,
                                      "F2" if r == 0 else "F1", 10))
            state["y"] -= 6
    total = len(pages)
    for n, items in enumerate(pages, start=1):
        if running_header:
            items.append((MARGIN, PAGE_H - 40, running_header, "F1", 8))
        if page_numbers:
            items.append((PAGE_W / 2 - 20, 36, f"Page {n} of {total}", "F1", 8))
    return assemble_pdf([page_stream(items) for items in pages], compress=compress)
