"""Tokens for BM25 and the content words that support and coverage checks compare."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SPELLING_FILE = Path(__file__).resolve().parent.parent / "guardrails" / "concepts" / "spelling.yaml"

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does for from had has have he her his how i if in
into is it its itself me my of on or our she should so than that the their them then there these they this
those to was we were what when where which who whom why will with would you your patient patients
since just also any some very really still please about above after again against all am because before
below between both during each few further here into more most no nor not now off once only other own same
than too under until up while whether yet via per ok okay us our ours myself yourself
""".split())


# the small words a name's initials skip ("<Aaa> of the <Bbb> <Ccc>" is "ABC")
INITIALS_GLUE = frozenset({"of", "and", "in", "the", "with", "for", "a", "an", "or", "to", "on"})

SHORT_TERMS = frozenset({"ct", "mr", "iv", "pt"})  # two-letter words that carry clinical meaning


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _spelling() -> tuple[tuple[tuple[str, str], ...], ...]:
    from guardrails import strict_yaml

    data = strict_yaml.safe_load(SPELLING_FILE.read_text())
    return tuple(tuple(sorted((data.get(k) or {}).items(), key=lambda kv: -len(kv[0])))
                 for k in ("prefix", "infix", "suffix"))


@lru_cache(maxsize=1)
def _same_in_both() -> frozenset[str]:
    """Words whose ending a suffix rule would rewrite but which both spellings share ("excise", "advise")."""
    from guardrails import strict_yaml

    words = strict_yaml.safe_load(SPELLING_FILE.read_text()).get("same_in_both") or []
    if not all(isinstance(w, str) and w.isalpha() and w.islower() for w in words):
        raise ValueError(f"{SPELLING_FILE.name}: same_in_both: lower-case words only")
    return frozenset(words)


@lru_cache(maxsize=65536)
def american(word: str) -> str:
    """One spelling per word: the British forms in the spelling file become American ones."""
    prefix, infix, suffix = _spelling()
    for a, b in prefix:
        if word.startswith(a):
            word = b + word[len(a):]
            break
    for a, b in infix:
        if a in word:
            word = word.replace(a, b)
    for a, b in suffix:
        if word.endswith(a) and len(word) > len(a) + 2:
            # ("excised", "incising": their "-ise" verb is one both spellings share)
            if a.startswith("is") and word[: -len(a)] + "ise" in _same_in_both():
                break
            word = word[: -len(a)] + b
            break
    return word


def tokenize(text: str) -> list[str]:
    words = [american(w) for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def content_words(text: str) -> set[str]:
    """Stemmed content words, for coverage and support checks."""
    return {w for w in tokenize(text) if len(w) > 2 or w.isdigit() or w in SHORT_TERMS}


def initial_runs(title: str, longest: int = 6) -> list[tuple[str, str]]:
    """(initials, words) of each run of three to `longest` consecutive words of a title, less its small words
    ("<Aaa> <bbb>-<ccc> <ddd>" -> ("abcd", "aaa bbb ccc ddd"), ...)."""
    words = [w for w in re.findall(r"[a-z]+", title.lower()) if w not in INITIALS_GLUE]
    return [("".join(w[0] for w in words[i:j]), " ".join(words[i:j])) for i in range(len(words))
            for j in range(i + 3, min(len(words), i + longest) + 1)]


# where one clause of a stated plan ends and the next begins: punctuation, a dash, a conjunction joining two things
# done ("<do x>, so <do y> and <do z>"), or the verb reporting whose plan it is ("my <relative> says <do x>")
_CLAUSE_BREAK = re.compile(r"[.;:!?]\s+|,\s*(?:(?:so|and|but|then)\s+)?|\s+[-\u2013\u2014]+\s+"
                           r"|\s+(?:so|and|but|then)\s+"
                           r"|\s+(?:says?|said|reckons?|reckoned|thinks?|thought|suggests?|suggested|wants?|wanted"
                           r"|insists?|insisted|told (?:me|us|him|her|them))(?:\s+(?:that|to))?\s+", re.IGNORECASE)


def clauses(text: str, least: int = 2) -> list[str]:
    """The text's clauses with at least `least` content words (not numbers) each: the separate things a run-on plan
    proposes ("40 minutes" proposes nothing)."""
    return [c.strip() for c in _CLAUSE_BREAK.split(text) if sum(w.isalpha() for w in content_words(c)) >= least]
