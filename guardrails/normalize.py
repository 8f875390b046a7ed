"""Normalise clinical text before rules match: one spelling per concept, offsets not preserved."""

from __future__ import annotations

import re

# Order matters: protocol masks first, so "with and without contrast" never reads as "without contrast".
_REPLACEMENTS: list[tuple[str, str]] = [
    (r"[\u2018\u2019\u02bc`]", "'"),
    (r"[\u201c\u201d\u00ab\u00bb]", '"'),
    (r"[\u2013\u2014\u2012\u2212]", " - "),
    (r"\u00a0", " "),
    (r"\bw/o\b", "without"),
    (r"\bw/(?=\s|$)", "with"),
    (r"\bmagnetic resonance(?: imaging)?\b", "mri"),
    (r"\bmr\b(?!\s*i\b)", "mri"),
    (r"\bgad(?:olinium)?(?:[- ](?:enhanced|based))?\b", "gadolinium"),
    (r"\bcat scan\b|\bcomputed tomography\b|\bct scan\b", "ct"),
    (r"\bx-?ray(?:s|ed)?\b|\bxr\b|\bplain (?:radio)?(?:films?|radiographs?|x-?rays?)\b"
     r"|\b(?:spine |lumbar )?films\b", "radiographs"),
    (r"\blumps?\b|\bswellings?\b|\bgrowths?\b|\bbumps?\b|\bnodules?\b", "mass"),
    (r"\bphysio\b", "physiotherapy"),
    (r"\b(start|begin|refer(?:ral)? (?:to|for)|try|trial of|course of|some|outpatient|continue|initiate|with)\s+pt\b",
     r"\1 physical therapy"),
    (r"\bces\b", "cauda equina syndrome"),
    (r"\ban(a)?esthesia\b|\bana?esthetic\b", "anesthesia"),
    (r"\bfa?ecal\b", "fecal"),
    (r"\btumour", "tumor"),
    (r"\bcharacteris", "characteriz"),
    (r"\bcan not\b", "cannot"),
    (r"\bcan't\b", "cannot"),
    (r"\bwon't\b", "will not"),
    (r"n't\b", " not"),
]
_MASKS: list[str] = [
    r"\bwithout\s+and\s+with\s+(?:iv\s+|intravenous\s+)?(?:contrast|gadolinium)\b",
    r"\bwith\s+and\s+without\s+(?:iv\s+|intravenous\s+)?(?:contrast|gadolinium)\b",
    r"\bwithout\s+and\s+with\b",
    r"\bwith\s+and\s+without\b",
    r"\bpre-?\s*(?:and|&|/)\s*post-?\s*(?:contrast|gadolinium)\b",
    r"\bpre-?contrast\s+and\s+post-?contrast\b",
    r"\bbefore\s+and\s+after\s+(?:iv\s+)?(?:contrast|gadolinium)\b",
    r"\bunenhanced\s+and\s+(?:contrast-)?enhanced\b",
    r"\bnon-?contrast\s+and\s+(?:post-?)?contrast\b",
    r"\bwithout\s+then\s+with\s+contrast\b",
]
_COMPILED = [(re.compile(p, re.IGNORECASE), r) for p, r in _REPLACEMENTS]
_MASK = re.compile("|".join(_MASKS), re.IGNORECASE)


def normalize(text: str) -> str:
    out = text.lower()
    for pattern, repl in _COMPILED:
        out = pattern.sub(repl, out)
    out = _MASK.sub("fullcontrast", out)
    return " ".join(out.split())


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
