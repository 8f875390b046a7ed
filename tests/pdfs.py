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
