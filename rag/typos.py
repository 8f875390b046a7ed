"""Misspelt words of a question read as the indexed documents' own words (a letter dropped or
swapped in a word the documents use), so retrieval, concept tagging and sentence choice see what the clinician meant.

A word is corrected only when it is neither English (pyspellchecker's frequency list) nor a word of the corpus or
of the concept vocabulary, and exactly one kind of near miss explains it: the nearest corpus or vocabulary word by
optimal-string-alignment distance (a swapped pair of letters costs one), at most one edit for words of up to seven
letters and two for longer ones, starting with the same letter (typing slips rarely hit the first letter). A name
clipped the way clinicians clip drug names (its first letters) is read as the corpus word it begins. Real
words the corpus lacks (everyday English words) stay as typed, so the scope decision still sees what it does not cover.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from guardrails import strict_yaml
from rag.text import STOPWORDS, american

DERIVATIONS_FILE = Path(__file__).resolve().parent / "vocab" / "derivations.yaml"

_WORD = re.compile(r"[A-Za-z]+")
# a typed word with its contraction or possessive ("couldn't", "patient's"): "couldn" is no misspelling of "could"
_TYPED_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")
# where a sentence, a line or a list item begins (what follows is capitalised for that reason, not as a name)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]|(?:^|\n)\s*[-*\u2022]|\d[.)])\s*[\"'(]?\s*$")
MIN_LENGTH = 5
# a clipped name (a medicine's first letters) is read as the corpus word it begins when it has at least this many
# letters and every corpus word it begins shares this many more
TRUNCATED_MIN = 4
TRUNCATED_SHARED = 2
TRUNCATED_USES = 2


@lru_cache(maxsize=1)
def _english():
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


def known_english(word: str) -> bool:
    return word in _english()


RARE_ENGLISH = 100  # below this count in pyspellchecker's frequency list a word is no everyday word


EVERYDAY_ENGLISH = 200_000  # at or above this count a word is everyday English ("anyone", "rather", "whole")


def everyday_english(word: str) -> bool:
    """A word every register uses, in this form or its plain one ("shows", "looked"): rare in a small corpus by
    chance, it says nothing of which subject is asked."""
    word = word.lower()
    forms = {word}
    for ending, base in (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            forms.add(word[: -len(ending)] + base)
    frequency = _english().word_frequency
    return any(frequency[f] >= EVERYDAY_ENGLISH for f in forms)


def rare_english(word: str) -> bool:
    """A dictionary word hardly anyone writes ("neb"): typed on a ward, it is shorthand."""
    return _english().word_frequency[word] < RARE_ENGLISH


@lru_cache(maxsize=1)
def derivations() -> tuple[tuple[str, str, int], ...]:
    """(ending, base, min_base) from rag/vocab/derivations.yaml, longest ending first; strict."""
    data = strict_yaml.safe_load(DERIVATIONS_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"derive"} or not isinstance(data["derive"], list):
        raise ValueError(f"{DERIVATIONS_FILE}: expected one key, 'derive', holding a list")
    out = []
    for rule in data["derive"]:
        if not isinstance(rule, dict) or set(rule) != {"ending", "base", "min_base"}:
            raise ValueError(f"{DERIVATIONS_FILE}: each rule has exactly ending, base and min_base: {rule!r}")
        ending, base, least = rule["ending"], rule["base"] or "", rule["min_base"]
        if not (isinstance(ending, str) and ending.isalpha() and ending.islower() and isinstance(base, str)
                and (not base or base.isalpha() and base.islower()) and isinstance(least, int) and least >= 3):
            raise ValueError(f"{DERIVATIONS_FILE}: a rule needs a lower-case ending, a lower-case (or empty) base and "
                             f"a min_base of 3 or more: {rule!r}")
        out.append((ending, base, least))
    return tuple(sorted(out, key=lambda r: -len(r[0])))


# "<organ> out" and "<organ> taken out": the operation that removes it, where the documents name that operation
_TAKEN_OUT = re.compile(r"\b([A-Za-z]{5,})\s+(?:taken\s+|removed\s+)?out\b(?!\s+(?:of|from)\b)")
REMOVAL_ENDING = "ectomy"
REMOVAL_STEM = 5


class TypoFixer:
    def __init__(self, corpus_words: Counter[str], vocabulary_words: Iterable[str] = (),
                 read_as_written: Iterable[str] = ()) -> None:
        """corpus_words: lower-case word forms of the indexed text with their counts; vocabulary_words: the
        concept vocabulary's words (a question may use a term the corpus words differently); read_as_written: words
        the vocabulary reads through its spellings table ("molles" as "weak"): never corrected into another word."""
        self.read_as_written = frozenset(w.lower() for w in read_as_written)
        self.frequency = Counter(corpus_words)
        self.corpus = frozenset(self.frequency)  # the documents' own word forms, without the vocabulary's
        self.clipped: dict[str, list[str]] = {}  # a corpus word's first TRUNCATED_MIN letters -> the corpus words
        for w in self.frequency:
            if len(w) >= TRUNCATED_MIN + TRUNCATED_SHARED:
                self.clipped.setdefault(w[:TRUNCATED_MIN], []).append(w)
        for w in vocabulary_words:
            self.frequency[w] += 1
        self.by_initial: dict[str, list[str]] = {}
        for w in self.frequency:
            if len(w) >= MIN_LENGTH - 1:
                self.by_initial.setdefault(w[0], []).append(w)
        self._cache: dict[tuple[str, bool], str | None] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str], vocabulary_words: Iterable[str] = (),
                   read_as_written: Iterable[str] = ()) -> TypoFixer:
        return cls(Counter(w.lower() for t in texts for w in _WORD.findall(t)), vocabulary_words, read_as_written)

    def correction(self, word: str, clipped: bool = True, named: bool = False) -> str | None:
        """The corpus word a misspelling stands for, or None when the word is known or nothing explains it.
        clipped: may the word be a clipped name (not a piece of a longer name: "<Piece>" in "<CODE2>-<Piece>")?
        named: the word is written as a name (capitalised inside a sentence): a near miss of one edit is read, of
        two is not."""
        w = word.lower()
        key = (w, clipped, named)
        if key in self._cache:
            return self._cache[key]
        self._cache[key] = out = self._correction(w, clipped, named)
        return out

    def _correction(self, w: str, clipped: bool = True, named: bool = False) -> str | None:
        if w in self.read_as_written:
            return None
        if w not in self.frequency and american(w) not in self.frequency and (base := self._derived_from(w)):
            return base
        if clipped and len(w) >= TRUNCATED_MIN and not (w in STOPWORDS or w in self.frequency or known_english(w)):
            whole = self._completion(w)
            if whole:
                return whole
        if w not in self.corpus and (us := american(w)) != w and us in self.frequency:
            # a British spelling of a word the documents (or the vocabulary, where the documents do not use it) spell
            # the American way: searched and embedded as they spell it
            return us
        if (len(w) < MIN_LENGTH or w in STOPWORDS or w in self.frequency or known_english(w)):
            return None
        limit = 1 if len(w) <= 7 or named else 2
        found = process.extract(w, self.by_initial.get(w[0], ()), scorer=OSA.distance, score_cutoff=limit,
                                limit=None)
        if not found:
            return None
        best = min(d for _, d, _ in found)
        nearest = [c for c, d, _ in found if d == best]
        return max(nearest, key=lambda c: (self.frequency[c], c))

    def _derived_from(self, w: str) -> str | None:
        """The documents' word a derived form is made from ("<noun>y", "<noun in -sis>" as "-tic"), or None."""
        for ending, base, least in derivations():
            if w.endswith(ending):
                stem = w[: -len(ending)] + base
                if len(stem) >= least and (stem in self.frequency or american(stem) in self.frequency) \
                        and stem not in STOPWORDS:
                    return stem
        return None

    def _completion(self, w: str) -> str | None:
        """The corpus word a clipped name stands for (a medicine's first letters): the longer words of the documents
        (not the vocabulary's other names of a medicine) that it begins all begin alike for TRUNCATED_SHARED more
        letters (one name and its forms), the most frequent of them; None when they are different words (a clipping
        that begins a medicine and an everyday word)."""
        longer = [c for c in self.clipped.get(w[:TRUNCATED_MIN], ())
                  if c.startswith(w) and len(c) >= len(w) + TRUNCATED_SHARED]
        if not longer:
            return None
        stem = w + longer[0][len(w):len(w) + TRUNCATED_SHARED]
        if any(not c.startswith(stem) for c in longer):
            return None
        whole = max(longer, key=lambda c: (self.frequency[c], c))
        # a word the documents use once (often in a reference's title) is no name to read a clipping as
        return whole if self.frequency[whole] >= TRUNCATED_USES else None

    def removal(self, noun: str) -> str | None:
        """The documents' word for the operation that takes this organ out ("tonsils out" -> "tonsillectomy"): their
        word ending in REMOVAL_ENDING that begins as the organ's name does (its first REMOVAL_STEM letters), the most
        frequent of them; None where they have none."""
        stem = noun.lower().removesuffix("s")
        if len(stem) < REMOVAL_STEM:
            return None
        found = [w for w in self.corpus if w.endswith(REMOVAL_ENDING) and w.startswith(stem[:REMOVAL_STEM])]
        return max(found, key=lambda w: (self.frequency[w], w)) if found else None

    def fix(self, text: str) -> str:
        # an organ taken out, in lay words ("had his tonsils out 3 days ago"): the documents' name of the operation
        text = _TAKEN_OUT.sub(lambda m: self.removal(m.group(1)) or m.group(0), text)

        def read(m: re.Match) -> str:
            word, _, ending = m.group(0).replace("\u2019", "'").partition("'")
            if ending.lower() == "t":  # "<verb>n't"
                return m.group(0)
            # a clipped name is typed in lower case or with a capital first letter, on its own: a word with inner
            # capitals, or joined to a code by a hyphen or a digit, is part of a longer name ("<CODE2>-<Piece>")
            before = text[m.start() - 1] if m.start() else ""
            own = not (before == "-" or before.isdigit()) and not any(c.isupper() for c in word[1:])
            # a capitalised word inside a sentence may be a name (a brand, a person, a place): a slip of one letter
            # in a corpus word is still read as that word, but not two ("<Brand>" is no drug class)
            named = word[:1].isupper() and word[1:].islower() and not _SENTENCE_START.search(text[:m.start()])
            return (self.correction(word, clipped=own, named=named) or word) + m.group(0)[len(word):]
        return _TYPED_WORD.sub(read, text)
