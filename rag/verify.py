"""Does a model's sentence say what its own cited passages say? Support, polarity, numbers, frames.

Each sentence is judged against the passages it cites and nothing else, so citing every passage buys a
stitched-together sentence nothing: a cited passage that contributes little of the sentence is dropped from
its citations first. The sentence and its sources are read through the guardrails' concept layer and frame
reader (the same negation scopes and recommendation frames the red-flag rules use), so "do not start <care>"
against "initiate <care, in other words>", or "<test> is not needed" against "proceed with <test>", is a
contradiction, not a match on shared words. Numbers must occur in the sources in the same order and with the
same direction ("increases from 1% to 9%" is not "decreases from 9% to 1%").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guardrails import strict_yaml
from guardrails.concepts import Vocabulary, default_vocabulary, normalize, tokenize
from guardrails.frames import Frame, FrameReader, ReadSentence
from rag.text import content_words
from rag.types import ScoredChunk

SUPPORT_MIN = 0.6  # share of the sentence's content words its cited passages hold
CITE_MIN = 0.25  # share a single cited passage must hold to stay cited
MAX_CITES = 3
_AGAINST = frozenset({"assess.unnecessary"})
_NOT_COMPARED = frozenset({"cue", "gate", "action"})
DIRECTIONS_FILE = Path(__file__).resolve().parent / "directions.yaml"


@dataclass(frozen=True)
class Check:
    cites: tuple[int, ...]  # the citations that survive (1-based)
    reason: str | None = None  # why the sentence is dropped; None when it stands


@dataclass(frozen=True)
class _Sources:
    read: tuple[ReadSentence, ...]
    asserted: frozenset[str]  # concepts some source sentence asserts
    denied: frozenset[str]  # concepts some source sentence negates
    frames: tuple[Frame, ...]


class Verifier:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.v = vocabulary or default_vocabulary()
        self.reader = FrameReader(self.v)
        self._read = lru_cache(maxsize=8192)(lambda text: self.reader.read(normalize(text)))
        self._directions = _load_directions()

    def check(self, sentence: str, cites: tuple[int, ...], passages: list[ScoredChunk]) -> Check:
        cites = tuple(dict.fromkeys(c for c in cites if 1 <= c <= len(passages)))
        if not cites:
            return Check((), "cites no passage it was given")
        words = content_words(sentence)
        if not words:
            return Check((), "says nothing checkable")
        own = {c: words & content_words(passages[c - 1].chunk.text) for c in cites}
        kept = tuple(sorted((c for c in cites if len(own[c]) / len(words) >= CITE_MIN),
                            key=lambda c: -len(own[c]))[:MAX_CITES])
        if not kept:
            return Check((), "none of its cited passages holds its words")
        kept = tuple(c for c in cites if c in kept)
        share = len(set().union(*(own[c] for c in kept))) / len(words)
        if share < SUPPORT_MIN:
            return Check(kept, f"its cited passages hold only {share:.0%} of its words")
        texts = [s.text for c in kept for s in passages[c - 1].chunk.sentences]
        # each passage read whole too: a lead-in and its list items ("... if any develop: a; b") say one thing
        whole = [" ".join(s.text for s in passages[c - 1].chunk.sentences) for c in kept]
        reason = (self._numbers(sentence, texts) or self._polarity(sentence, self._sources(texts + whole)))
        return Check(kept, reason)

    # ---- meaning --------------------------------------------------------------------------------
    def _sources(self, texts: list[str]) -> _Sources:
        read = tuple(self._read(t) for t in texts)
        asserted, denied = set(), set()
        for rs in read:
            for m, neg in zip(rs.mentions, rs.negated, strict=True):
                if m.kind not in _NOT_COMPARED:
                    (denied if neg else asserted).add(m.concept)
        return _Sources(read, frozenset(asserted), frozenset(denied), tuple(f for rs in read for f in rs.frames))

    def _polarity(self, sentence: str, src: _Sources) -> str | None:
        rs = self._read(sentence)
        negated = {m.concept for m, n in zip(rs.mentions, rs.negated, strict=True) if n and m.kind not in _NOT_COMPARED}
        affirmed = {m.concept for m, n in zip(rs.mentions, rs.negated, strict=True)
                    if not n and m.kind not in _NOT_COMPARED}
        for c in sorted(negated - affirmed):
            if c in src.asserted and c not in src.denied:
                return f"negates {self._label(c)}, which its passage affirms"
        for c in sorted(affirmed - negated):
            if c in src.denied and c not in src.asserted:
                return f"affirms {self._label(c)}, which its passage negates"
        for check in (self._frame, self._frame_detail):  # contradictions first: the clearer reason
            for f in rs.frames:
                reason = check(f, src)
                if reason:
                    return reason
        return None

    def _frame(self, f: Frame, src: _Sources) -> str | None:
        for a in sorted(f.assessment - {"assess.adequate"} if f.object == "statement" else f.assessment):
            if a not in src.asserted:
                return f"judges something {self._label(a)} where its passage does not"
        if f.object == "statement" or f.polarity in ("ask", "report"):
            return None
        theirs = [g for g in src.frames if g.object == f.object and g.polarity not in ("ask", "report")]
        if not theirs:
            if f.object not in src.asserted | src.denied:
                return f"names {self._label(f.object)}, which its passage does not"
            return None
        stance = _stance(f)
        if not any(_stance(g) == stance for g in theirs):
            advice = "advises against" if stance == "for" else "recommends"
            return f"contradicts its passage, which {advice} {self._label(f.object)}"
        return None

    def _frame_detail(self, f: Frame, src: _Sources) -> str | None:
        """What a recommendation keeps from its passage: the condition it waits on, its timing, its order."""
        if f.object == "statement" or f.polarity in ("ask", "report"):
            return None
        stance = _stance(f)
        same = [g for g in src.frames if g.object == f.object and g.polarity not in ("ask", "report")
                and _stance(g) == stance]
        if not same:
            return None
        if stance == "for" and not f.gate and all(g.gate for g in same):
            return f"drops the condition its passage puts on {self._label(f.object)}"
        timing = f.timing - set().union(*(g.timing for g in same)) - src.asserted
        if timing:
            return f"adds timing ({', '.join(self._label(t) for t in sorted(timing))}) its passage does not give"
        if f.sequence and f.sequence not in {g.sequence for g in same}:
            return f"orders {self._label(f.object)} differently from its passage"
        return None

    # ---- numbers ------------------------------------------------------------------------------
    def _numbers(self, sentence: str, texts: list[str]) -> str | None:
        mine = _numbers_in(sentence)
        if not mine:
            return None
        holders = [t for t in texts if set(mine) <= set(_numbers_in(t))]
        if not holders:
            every = {n for t in texts for n in _numbers_in(t)}
            missing = [n for n in mine if n not in every]
            return (f"gives {missing[0]}, which its passages do not" if missing
                    else "joins numbers its passages give in different statements")
        ordered = [t for t in holders if _in_order(mine, _numbers_in(t))]
        if not ordered:
            return "gives its passage's numbers in a different order"
        direction = self._direction(sentence)
        if direction and all(self._direction(t) and not (self._direction(t) & direction) for t in ordered):
            return f"says the value goes {'/'.join(sorted(direction))} where its passage says otherwise"
        return None

    def _direction(self, text: str) -> frozenset[str]:
        words = normalize(text).split()
        found = set()
        for name, phrases in self._directions.items():
            if any(_phrase_at(words, i, p) for p in phrases for i in range(len(words))):
                found.add(name)
        return frozenset(found)

    def _label(self, concept: str) -> str:
        return self.v.labels.get(concept) or concept.split(".", 1)[-1].replace("_", " ")


def _stance(f: Frame) -> str:
    return "against" if f.polarity in ("prohibit", "pitfall") or f.assessment & _AGAINST else "for"


def _numbers_in(text: str) -> list[str]:
    """Numbers as written in digits, in order ('0.7%' -> '0.7'; '4-6' -> '4', '6'; a '6/52' keeps both)."""
    out = []
    for t in tokenize(normalize(text)):
        if t.text[0].isdigit():
            out += [re.sub(r"\.0+$", "", n) for n in re.findall(r"\d+(?:\.\d+)?", t.text)]
    return out


def _in_order(mine: list[str], theirs: list[str]) -> bool:
    firsts = [theirs.index(n) for n in dict.fromkeys(mine)]
    return firsts == sorted(firsts)


def _phrase_at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    if i + len(phrase) > len(words):
        return False
    return all(words[i + k].startswith(p[:-1]) if p.endswith("*") else words[i + k].strip(".,;:") == p
               for k, p in enumerate(phrase))


@lru_cache(maxsize=1)
def _load_directions() -> dict[str, tuple[tuple[str, ...], ...]]:
    data = strict_yaml.safe_load(DIRECTIONS_FILE.read_text())
    return {name: tuple(tuple(p.split()) for p in phrases) for name, phrases in data.items()}
