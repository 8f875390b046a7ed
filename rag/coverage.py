"""What a document says it does not cover.

Guidelines state their own limits ("<masses of region A>, <lumps of region B> ... are outside its scope and are
covered by separate guidance"; "a <finding> in the <region> ... is managed under the separate guidance on <it>").
Two documents on neighbouring subjects share most of their words, so similarity alone cannot tell which one a
question is for; the document's own statement can. Each item of such a statement (its comma-separated phrases)
is read as a set of findings and body regions: a question that names every one of an item's is one the document
hands to other guidance.

The cues are plain English about coverage, not clinical knowledge; the items are read with the concept
vocabulary, so the same statement works for any subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from rag.text import content_words

# how a guideline says a subject is someone else's (the whole sentence is its statement of limits)
_EXCLUDES = re.compile(
    r"\b(?:outside\s+(?:the\s+|its\s+|this\s+|our\s+)?(?:scope|remit)|beyond\s+(?:the\s+|its\s+)?scope"
    r"|not\s+(?:within|in)\s+(?:the\s+|its\s+)?scope|(?:is|are)\s+not\s+covered|not\s+covered\s+(?:here|by\s+this)"
    r"|does\s+not\s+cover|do\s+not\s+cover|excluded\s+from\s+this\s+(?:guidance|guideline)"
    r"|(?:covered|managed|assessed)\s+(?:by|under|in)\s+(?:the\s+)?separate\s+guidance"
    r"|(?:covered|managed|assessed)\s+separately)\b",
    re.IGNORECASE)
_ITEMS = re.compile(r"[,;:]")
# what an item's patients do not have ("... without <finding>", "... with no <finding>"): English, not a copula's "not"
# ("this is not <subject A> and is managed under the guidance on <subject B>" hands <B> over)
_ABSENCE = re.compile(r"\b(?:without|with\s+no|free\s+of|in\s+the\s+absence\s+of)\b", re.IGNORECASE)
# an item that says what the document does cover ("This guidance covers <x>; <y> is not covered")
_INCLUDES = re.compile(r"\b(?:covers|applies\s+to|is\s+for|includ(?:es|ing))\b", re.IGNORECASE)
# what an item must name to say whose patients it means: a finding or a body region
ITEM_KINDS = frozenset({"finding", "anatomy"})


class Exclusion(NamedTuple):
    """One item of a statement of limits: the findings and regions it names, and, for an item that names no finding,
    the words the concept layer does not read ("<region> transplant recipients": a group of patients, not every
    question about the <region>)."""
    concepts: frozenset[str]
    words: frozenset[str] = frozenset()
    # what the item's patients are without ("<finding> without <other finding>"): only a question that denies it
    # ("<finding>, no <other finding>") is about them; one that names it, or says nothing of it, may not be
    absent: frozenset[str] = frozenset()


# ... and a sentence naming other guidance that covers a subject ("<finding> is covered by the guidance on <other
# subject>"), whose items are too loosely worded to read as exclusions: its words are still the other guidance's
_HANDS_OVER = re.compile(r"\b(?:covered|managed|assessed)\s+(?:by|under|in)\s+(?:the\s+|our\s+)?"
                         r"(?:guidance|guideline|pathway)s?\s+(?:on|for)\b", re.IGNORECASE)


def _until_limits(text: str) -> str:
    """The text before its statement of limits ("<patients> | is covered by the guidance on <subject>")."""
    ends = [m.start() for rx in (_EXCLUDES, _HANDS_OVER) if (m := rx.search(text))]
    return text[:min(ends)] if ends else text


def states_limits(sentence: str) -> bool:
    """Is this sentence a statement of the document's limits (its words name other guidance's subjects)?"""
    return bool(_EXCLUDES.search(sentence) or _HANDS_OVER.search(sentence))


def declared_exclusions(sentences: Iterable[str], concepts: Callable[[str], frozenset[str]],
                        kinds: dict[str, str],
                        matched_text: Callable[[str, frozenset[str]], str] = lambda text, concepts: "",
                        subject: frozenset[str] = frozenset(), course: frozenset[str] = frozenset()
                        ) -> tuple[Exclusion, ...]:
    """The items a document's statements of limits name. matched_text: the words of an item that name these
    concepts (what is left says who or what the item is, beyond its regions: "<region> surgery" is not the
    <region>). subject: the (stemmed) words of the document's title: they are in every question about the document,
    so they never say which of its patients an item hands over ("<subject> after <an injury of the region>" is the
    injury's, not every <subject> of the region). course: concepts of how a finding behaves ("acute", "sudden"): they
    name nobody's patients ("acute <other disease> points to <another kind>, which is not covered" hands over the other
    disease, not every sudden presentation)."""
    out: list[Exclusion] = []
    for sentence in sentences:
        if not _EXCLUDES.search(sentence):
            continue
        for item in _ITEMS.split(sentence):
            if _INCLUDES.search(item) and not _EXCLUDES.search(item):
                continue
            cue = _ABSENCE.search(item)
            # (up to the statement of limits: "<finding> without <other> is covered by the guidance on <subject>")
            lacked = _until_limits(item[cue.end():]) if cue else ""
            absent = frozenset(c for c in concepts(lacked) if kinds.get(c) in ITEM_KINDS) - course
            named = frozenset(c for c in concepts(item[:cue.start()] if cue else item) if kinds.get(c) in ITEM_KINDS)
            named -= course | absent
            if not named:
                continue
            words = frozenset()
            if not any(kinds.get(c) == "finding" for c in named):
                rest = _EXCLUDES.sub(" ", item)
                said = content_words(rest) - content_words(matched_text(rest, named))
                words = frozenset(said - subject)
                if said and not words:
                    continue  # the item is the document's own subject in the region: nothing handed over
            exclusion = Exclusion(named, words, absent)
            if exclusion not in out:
                out.append(exclusion)
    return tuple(out)


def excluded(question: frozenset[str], items: tuple[Exclusion, ...], words: frozenset[str] = frozenset(),
             denied: frozenset[str] = frozenset()) -> bool:
    """Does the question name every finding and region of one of the document's excluded items (and, for an item
    that names only a region, one of its other words: "<region> transplant recipients" is not every question
    about the <region>; for an item of patients without something, deny it)? words: the question's content words;
    denied: the concepts it denies."""
    return any(item.concepts <= question and (not item.absent or item.absent & denied)
               and (not item.words or item.words & words) for item in items)
