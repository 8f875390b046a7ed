"""PDF pages -> Blocks, read with their layout: where each text run sits, its font size and weight.

pypdf (BSD-3, pure Python, already a dependency) reads the file under tightened limits and hands every
text run to a visitor with its text matrix, font and size; `layout` makes lines, columns, tables and
headings of them, and `reflow.rebuild` joins wrapped lines into paragraphs. Every parser failure or
limit becomes a domain error, never a raw exception.
"""

from __future__ import annotations

import io
import math
import re
import time
from dataclasses import dataclass

from rag.config import Settings
from rag.errors import ClinragError, DocumentTooLarge, UnreadablePdf
from rag.ingest.clean import Block
from rag.ingest.layout import PdfLine, Run, drop_running_lines, page_lines, reading_order, text_width, to_lines
from rag.ingest.reflow import rebuild

_DEFAULTS = Settings.model_fields


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = _DEFAULTS["pdf_max_pages"].default
    max_stream_bytes: int = _DEFAULTS["pdf_max_stream_bytes"].default
    max_text_chars: int = _DEFAULTS["pdf_max_text_chars"].default
    max_seconds: float = _DEFAULTS["pdf_max_seconds"].default

    @classmethod
    def from_settings(cls, settings: Settings) -> PdfLimits:
        return cls(settings.pdf_max_pages, settings.pdf_max_stream_bytes, settings.pdf_max_text_chars,
                   settings.pdf_max_seconds)


class _Budget:
    """Text and time a PDF may take; checked on every text run, so a crafted page stops early."""

    def __init__(self, limits: PdfLimits, name: str) -> None:
        self.limits, self.name, self.chars = limits, name, 0
        self.deadline = time.monotonic() + limits.max_seconds

    def spend(self, chars: int) -> None:
        self.chars += chars
        if self.chars > self.limits.max_text_chars:
            raise DocumentTooLarge(f"{self.name!r}: more than {self.limits.max_text_chars:,} characters of text")
        if time.monotonic() > self.deadline:
            raise DocumentTooLarge(f"{self.name!r}: reading took longer than {self.limits.max_seconds:g} s")


class _Widths:
    """Advance widths from the font's own metrics (its /Widths, or the core-14 AFM tables pypdf ships);
    the estimate above when a font gives none."""

    def __init__(self) -> None:
        self.fonts: dict[object, tuple[object, object]] = {}

    def measure(self, font, text: str, size: float) -> float:
        ref = getattr(font, "indirect_reference", None)
        key = (ref.idnum, ref.generation) if ref is not None else id(font)
        if key not in self.fonts:
            try:
                from pypdf.generic._font import Font  # not re-exported; pinned in constraints.txt

                metrics = Font.from_font_resource(font)
            except Exception:  # noqa: BLE001 - a font pypdf cannot describe is measured by estimate
                metrics = None
            self.fonts[key] = (font, metrics)  # holding the font keeps an id() key from being reused
        metrics = self.fonts[key][1]
        if metrics is None:
            return text_width(text, size)
        return metrics.get_text_width(text) / 1000 * size  # type: ignore[attr-defined]




def _page_runs(page, budget: _Budget, widths: _Widths) -> list[Run]:
    """Every text run on a page, positioned in device space."""
    runs: list[Run] = []

    def visit(text, cm, tm, font, size) -> None:
        budget.spend(len(text))
        if not text.strip():
            return
        a, b, c, d, e, f = (float(v) for v in tm)
        ca, cb, cc, cd, ce, cf = (float(v) for v in cm)
        x, y = e * ca + f * cc + ce, e * cb + f * cd + cf
        scale = math.sqrt(abs(a * d - b * c) * abs(ca * cd - cb * cc)) or 1.0
        font = font if isinstance(font, dict) else {}
        bold = bool(re.search(r"bold|black|heavy", str(font.get("/BaseFont", "")), re.IGNORECASE))
        eff = size * scale
        for i, part in enumerate(text.split("\n")):
            if part.strip():
                end = x + widths.measure(font, part.strip(), eff) if font else x + text_width(part.strip(), eff)
                runs.append((x, end, y - i * 1.2 * eff, eff, bold, part.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def read_pages(data: bytes, name: str, limits: PdfLimits) -> list[tuple[float, float, list[PdfLine]]]:
    """(page width, page height, lines top to bottom) per page. pypdf's own limits are tightened to ours."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    budget = _Budget(limits, name)
    cap = limits.max_stream_bytes
    try:
        with apply_configuration(zlib_maximum_output_length=cap, lzw_maximum_output_length=cap,
                                 run_length_maximum_output_length=cap, maximum_declared_stream_length=cap,
                                 array_based_stream_maximum_output_length=cap, stream_decoding_work_maximum_length=cap,
                                 brotli_maximum_output_length=cap, zlib_maximum_recovery_input_length=cap):
            reader = PdfReader(io.BytesIO(data))
            _decrypt(reader, name)
            if len(reader.pages) > limits.max_pages:
                raise DocumentTooLarge(f"{name!r}: {len(reader.pages):,} pages; at most {limits.max_pages:,} are read")
            pages = []
            widths = _Widths()
            for page in reader.pages:
                box = page.mediabox
                pages.append((float(box.width), float(box.height), page_lines(_page_runs(page, budget, widths))))
            return pages
    except ClinragError:
        raise
    except (LimitReachedError, MemoryError) as exc:
        raise DocumentTooLarge(f"{name!r}: over a PDF safety limit ({_short(exc)})") from None
    except RecursionError:
        raise UnreadablePdf(f"{name!r}: PDF objects nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure on client bytes is the client's file, not a 500
        raise UnreadablePdf(f"{name!r}: not a readable PDF ({type(exc).__name__}: {_short(exc)})") from None


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _decrypt(reader, name: str) -> None:
    """An owner-password-only PDF opens with the empty password, as every viewer does; others are refused."""
    if not reader.is_encrypted:
        return
    try:
        ok = reader.decrypt("")
    except Exception:  # noqa: BLE001 - unsupported cipher or broken encryption dictionary
        ok = 0
    if not ok:
        raise UnreadablePdf(f"{name!r}: the PDF is encrypted with a password; upload an unencrypted copy")


def blocks_from_pdf(data: bytes, name: str, limits: PdfLimits | None = None) -> list[Block]:
    pages = read_pages(data, name, limits or PdfLimits())
    kept = drop_running_lines(pages)
    segments = [seg for (width, _, _), lines in zip(pages, kept, strict=True) for seg in reading_order(lines, width)
                if seg]
    if not segments:
        return []
    lines = to_lines(segments)
    # A PDF set in one font and weight throughout shows its headings only by their shape, as text does.
    return rebuild(lines, headings_by_shape=not any(x.heading for x in lines))
