"""Sentences of a draft and the [n] citation markers each carries."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|vs|dr|etc|approx|fig|no|mr|mrs|ms|st)\.$", re.IGNORECASE)
_CITE = re.compile(r"\s*\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def split_sentences(text: str) -> list[str]:
    """Sentences of a draft; leading citation markers ("... text. [2] Next") stay with the previous one."""
    pieces: list[str] = []
    start = 0
    for m in _SPLIT.finditer(text):
        candidate = text[start:m.start()].strip()
        if _ABBREV.search(candidate):
            continue
        pieces.append(candidate)
        start = m.end()
    pieces.append(text[start:].strip())
    out: list[str] = []
    for p in (x for x in pieces if x):
        lead = re.match(r"^((?:\[\d{1,3}(?:\s*,\s*\d{1,3})*\]\s*)+)(.*)$", p, re.DOTALL)
        if lead and out:
            out[-1] = f"{out[-1]} {lead.group(1).strip()}"
            p = lead.group(2).strip()
        if p:
            out.append(p)
    return out


def split_citations(sentence: str) -> tuple[str, tuple[int, ...]]:
    """'Text [1][2].' -> ('Text.', (1, 2)): the markers a sentence carries, and its text without them."""
    cites = tuple(int(n) for group in _CITE.findall(sentence) for n in re.findall(r"\d+", group))
    return " ".join(_CITE.sub("", sentence).split()).replace(" .", "."), cites
