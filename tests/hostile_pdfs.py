"""Crafted PDFs an attacker or a broken tool could upload; each must be refused with a 4xx domain error."""

import io
import zlib

from tests.pdfs import assemble_pdf, page_stream

TEXT = page_stream([(72, 700, "Give intramuscular adrenaline 0.5 mg into the anterolateral thigh.", "F1", 10)])


def nested_page_tree(depth: int = 3000) -> bytes:
    """Thousands of /Pages nodes, each the only kid of the one above, with the one real page at the bottom."""
    first = 5 + 2  # assemble_pdf numbers extra objects from here (one page and its content come first)
    extras = []
    for i in range(depth):
        kid = f"{first + i + 1} 0 R" if i + 1 < depth else "5 0 R"
        extras.append(f"<< /Type /Pages /Kids [{kid}] /Count 1 >>".encode())
    return assemble_pdf([TEXT], extra_objects=extras, pages_dict=f"<< /Type /Pages /Kids [{first} 0 R] /Count 1 >>")


def deflate_bomb(decoded_mb: int = 200) -> bytes:
    """A content stream that inflates to `decoded_mb` MB of zeros from a few hundred KB."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1 << 20)
    data = b"".join(compressor.compress(chunk) for _ in range(decoded_mb)) + compressor.flush()
    return assemble_pdf([data], deflated=True)


def encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(assemble_pdf([TEXT]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def many_pages(n: int) -> bytes:
    return assemble_pdf([TEXT] * n)


def truncated() -> bytes:
    pdf = assemble_pdf([TEXT] * 3)
    return pdf[: len(pdf) // 3]


def garbage() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 64


HOSTILE = {
    "nested-page-tree": (nested_page_tree, 413),
    "deflate-bomb": (deflate_bomb, 413),
    "encrypted": (encrypted, 422),
    "too-many-pages": (lambda: many_pages(1001), 413),
    "truncated": (truncated, 422),
    "garbage": (garbage, 422),
}
