"""Score bands: what a document says a stated score means, so that a question giving a value asks for its band.

"<Score> of 1: what is the first test?" takes two steps: the value to its band ("a score of 1 or less
means <condition> is unlikely"), then the band to its advice (the pathway "when <condition> is unlikely"). The
first step is read here from the documents' own sentences, for any score they band; the band's words then join
the question's, as a multi-hop reader adds the bridging fact before it asks again. Nothing here names a score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rag.text import content_words

_NUM = r"(-?\d+(?:\.\d+)?)"
# "a score of 2 or more means <band>", "a total of 1 or less indicates <band>"
_OPEN_BAND = re.compile(r"\b(?:score|total|points?)\s+(?:of\s+)?" + _NUM +
                        r"\s+or\s+(more|higher|above|greater|over|less|lower|below|fewer|under)\b[^;.:]*?"
                        r"\b(?:means?|indicates?|suggests?|is|are|=)\s+([^;.]+)", re.IGNORECASE)
# "score 0-1: <band>", "score 2: <band>", "score 3 to 5 = <band>"
_RANGE_BAND = re.compile(r"\b(?:score|total|points?)\s+" + _NUM + r"(?:\s*(?:-|–|to)\s*" + _NUM
                         + r")?\s*[:=]\s*([^;.]+)", re.IGNORECASE)
# the value a question states for a named score: "<Name> score of 1", "<Name> 1", "score is 0", "<Name>: 3"
_STATED = re.compile(r"(?:\b([A-Za-z][A-Za-z0-9-]*)\s+)?(?:\b([A-Za-z][A-Za-z0-9-]*)\s+)?"
                     r"(?:score|total)?\s*(?:of|is|was|=|:)?\s*(?<![\d.])" + _NUM
                     + r"(?![\d%/]|\.\d|\s*(?:mg|g|kg|cm|mm|ml|l|mmol|hours?|days?|weeks?|months?|years?|yo|y/o|%|x|"
                       r"times)\b)", re.IGNORECASE)
_NOT_NAMES = content_words("score total of is was a an the her his their two three level point points with and")


@dataclass(frozen=True)
class Band:
    document_id: str
    low: float
    high: float  # inclusive
    says: str  # what the band means, in the document's words ("<condition> is unlikely")
    names: frozenset[str]  # the (stemmed) words that name the score where the band is given (its section, its chunk)


def bands_in(document_id: str, sentences: Iterable[str], context: str) -> list[Band]:
    """The bands these sentences give; context: the text that names the score they belong to (the section heading
    and the chunk's text)."""
    names = frozenset(content_words(context) - _NOT_NAMES)
    out = []

    def head(says: str) -> str:  # the band's name, not what else the sentence says of it ("low severity, 30-day ...")
        return re.split(r"[,(]", says, maxsplit=1)[0].strip()
    for sentence in sentences:
        for m in _OPEN_BAND.finditer(sentence):
            value = float(m.group(1))
            upward = m.group(2).lower() in ("more", "higher", "above", "greater", "over")
            low, high = (value, float("inf")) if upward else (float("-inf"), value)
            out.append(Band(document_id, low, high, head(m.group(3)), names))
        for m in _RANGE_BAND.finditer(sentence):
            low = float(m.group(1))
            high = float(m.group(2)) if m.group(2) else low
            out.append(Band(document_id, low, high, head(m.group(3)), names))
    return out


def gives_band(sentence: str) -> bool:
    """Does the sentence give a band ("a score of 2 or more means ...", "Score 0-1: ...")? It is the bridge from a
    value to what applies, not what applies."""
    return bool(_OPEN_BAND.search(sentence) or _RANGE_BAND.search(sentence))


def _stated(text: str) -> Iterator[tuple[re.Match, frozenset[str]]]:
    """Each score value the text states, with the (stemmed) words naming it."""
    for m in _STATED.finditer(text):
        named = content_words(" ".join(w for w in (m.group(1), m.group(2)) if w)) - _NOT_NAMES
        if named and re.search(r"\bscore|\btotal|[A-Z]", m.group(0)):
            yield m, frozenset(named)


def stated_values(text: str) -> list[tuple[frozenset[str], float]]:
    """Each value the text states with the words naming it ("<Name> score of 1" -> ({"<name>"}, 1.0))."""
    return [(named, float(m.group(3))) for m, named in _stated(text)]


def without_stated(text: str) -> str:
    """The text less the score values it states ("<Name> score of 1. What is the first test?" -> ". What is the first
    test?"): a stated score is what the asker knows, not what they ask about."""
    out, end = [], 0
    for m, _ in _stated(text):
        out.append(text[end:m.start()])
        end = m.end()
    return " ".join(" ".join(out + [text[end:]]).split())


def implied(text: str, bands: Iterable[Band]) -> str:
    """What the bands say the text's stated score values mean ("<condition> is unlikely"), or ""."""
    said = []
    values = stated_values(text)
    for band in bands:
        if any(named & band.names and band.low <= value <= band.high for named, value in values):
            if band.says not in said:
                said.append(band.says)
    return " ".join(said)
