"""The one rule for document ids, applied on every path that names a document (API, CLI, library, store).

An id is a slug: lower-case ASCII letters, digits and single hyphens, at most 80 characters. Input is
normalised first (Unicode NFKC, surrounding space trimmed, case folded, inner runs of space or underscore
made one hyphen), so `Acute Gout`, `acute_gout ` and `ACUTE-GOUT` name one document and can never become
three. Anything still outside the rule (a slash, a dot, `..`) is refused, never rewritten: an editor who
typed `../../etc/passwd` gets an error naming the rule, not a document called `etc-passwd`.
"""

from __future__ import annotations

import re
import unicodedata

from rag.errors import InvalidDocumentId

MAX_LENGTH = 80
PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_VALID = re.compile(PATTERN)
_SPACING = re.compile(r"[\s_]+")


def normalize_document_id(raw: str) -> str:
    """The canonical form of `raw`, or InvalidDocumentId saying what the rule is."""
    if not isinstance(raw, str):
        raise InvalidDocumentId(f"document id must be text, got {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).strip().casefold()
    text = _SPACING.sub("-", text)
    if len(text) > MAX_LENGTH or not _VALID.match(text):
        shown = raw if len(raw) <= 100 else raw[:100] + "..."
        raise InvalidDocumentId(
            f"invalid document id {shown!r}: use 1-{MAX_LENGTH} lower-case letters, digits and single hyphens, "
            "starting and ending with a letter or digit (case, spaces and underscores are normalised)")
    return text
