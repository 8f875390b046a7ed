"""A patient's stated measurements against the thresholds the documents give them.

"<measure shorthand> 90" meets "<measure> below 92", and "<lab> 11" meets "a <lab> below 15 <unit>": a sentence whose
threshold the patient meets is about them; one whose threshold they do not meet ("<measure> 97") is about other
patients. A measurement is named by a concept of the
vocabulary's `measure` role (so shorthand and the documents' words meet) or else by the word before its value; the
comparisons are English ("below", "or more").
"""

from __future__ import annotations

import re

from guardrails.concepts import Vocabulary, normalize
from rag.text import content_words

_VALUE = r"(\d{1,4}(?:\.\d+)?)"
# what may stand between a measurement's name and its value in a question ("<measure> are 90", "<measure> now 82/48")
_LINK = (r"(?:(?:is|are|was|were|of|at|now|only|just|down to|up to|dropped to|fell to|today|tonight|yesterday|"
         r"this morning|this evening|on arrival|on admission|=|:|-)\s*){0,3}")
_STATED = re.compile(r"^\s*" + _LINK + _VALUE + r"(?![\d.])")
# a value in units of time, dose, size or age is not a measurement of the patient ("given 10 minutes ago"); a
# concentration ("11 micrograms/L") is
_NOT_MEASURE_UNIT = (r"(?!\s*(?:-\s*)?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|months?|years?|"
                     r"yrs?|y|mg|g|mcg|micrograms?|ml|l|kg|doses?|times|x|tablets?|units?|cm|mm|year-old|yo)\b(?!\s*/))")
_NAMED_VALUE = re.compile(r"\b([a-z][a-z]+)\s+" + _LINK + _VALUE + r"(?![\d.])" + _NOT_MEASURE_UNIT)
_BEFORE = {"below": "lt", "under": "lt", "less than": "lt", "lower than": "lt", "fewer than": "lt", "<": "lt",
           "above": "gt", "over": "gt", "greater than": "gt", "more than": "gt", "higher than": "gt", ">": "gt",
           "at least": "ge", "at most": "le", "no more than": "le", "not more than": "le", "up to": "le"}
_AFTER = {"or more": "ge", "or above": "ge", "or higher": "ge", "or greater": "ge", "or over": "ge", "and above": "ge",
          "and over": "ge", "or less": "le", "or below": "le", "or lower": "le", "or under": "le", "and below": "le",
          "and under": "le"}
_BEFORE_RX = "|".join(sorted(map(re.escape, _BEFORE), key=len, reverse=True))
_AFTER_RX = "|".join(sorted(map(re.escape, _AFTER), key=len, reverse=True))
_UNITS = (r"(?:\s*(?:%|percent|mmhg|mm hg|/min|per minute|breaths per minute|beats per minute|bpm|g/l|g/dl|c|°c|"
          r"degrees|micrograms/l|mcg/l|ug/l|mmol/l|umol/l|mg/l|ng/ml|iu/l|units/l|x 10\S*))?")
# a threshold a few words after the measurement's name: "<name> (systolic) below 90 mmHg", "<name> 30/min or more"
_THRESHOLD_BEFORE = re.compile(r"^[^.;:\d]{0,30}?\b(" + _BEFORE_RX + r")\s+" + _VALUE)
_THRESHOLD_AFTER = re.compile(r"^[^.;:\d]{0,20}?(?<![\d.])" + _VALUE + _UNITS + r"\s+(" + _AFTER_RX + r")\b")
# "a <name> below 15", "<name> of 22 or more": the word right before the comparison names it
_WORD_BEFORE = re.compile(r"\b([a-z][a-z]+)\s+(?:of\s+|is\s+|was\s+)?(" + _BEFORE_RX + r")\s+" + _VALUE)
_WORD_AFTER = re.compile(r"\b([a-z][a-z]+)\s+(?:of\s+|is\s+|was\s+)?" + _VALUE + _UNITS + r"\s+(" + _AFTER_RX + r")\b")
# words before a value that do not name a measurement of the patient
_NOT_MEASURES = content_words("""score total points point grade stage level class type age aged day days week weeks hour
hours minute minutes min mins month months year years old dose doses mg mcg micrograms g ml l kg cm mm times time
group groups bed room ward floor page number no and or to of the a an than in on at for with by from after before
within over under below above about around approximately up only least most step steps line lines phase item items
item criteria risk factor factors sample samples tablet tablets episode episodes typically usually generally normally
often still persistently consistently remains remain stays stay falls fall drops drop rises rise goes go""")


# time since onset, in hours: what the patient states ("palpitations started 6 hours ago") and what a sentence gives
# as a window ("onset within 48 hours:", "more than 8 hours after ingestion") meet like any other measurement
ELAPSED = "time:elapsed"


def named_measurements(stated: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """The stated measurements other than the time since onset: that one is stated in most accounts and windowed in
    most documents, so it picks sentences, never headings or whole passages."""
    return tuple(m for m in stated if m[0] != ELAPSED)
_HOURS = {"h": 1.0, "hr": 1.0, "hrs": 1.0, "hour": 1.0, "hours": 1.0, "day": 24.0, "days": 24.0, "week": 168.0,
          "weeks": 168.0, "wk": 168.0, "wks": 168.0}
_SPAN = r"(\d{1,3}(?:\.\d+)?)\s*(hours?|hrs?|h|days?|weeks?|wks?)\b"
# (a newborn's age in hours or days is the time since birth: "18 hours old")
_ELAPSED_STATED = re.compile(_SPAN + r"\s+(?:ago|since|old|of\s+age|before\s+(?:arrival|presentation)|"
                             r"post[- ]?ingestion|"
                             r"after\s+(?:ingestion|the\s+ingestion|onset|the\s+onset|the\s+injury|injury))")
_WINDOW = re.compile(r"\b(within|in\s+the\s+first|less\s+than|under|more\s+than|over|beyond|after|at\s+least|"
                     r"up\s+to|older\s+than|younger\s+than)\s+" + _SPAN)
_WINDOW_COMPARISON = {"within": "le", "in the first": "le", "less than": "lt", "under": "lt", "more than": "gt",
                      "over": "gt", "beyond": "gt", "after": "gt", "at least": "ge", "up to": "le", "older than": "gt",
                      "younger than": "lt"}
# "8 to 24 hours", "4-8 h", "between 12 and 24 hours": both ends hold
_RANGE = re.compile(r"\b(?:between\s+)?(\d{1,3}(?:\.\d+)?)\s*(?:to|-|–|and)\s*" + _SPAN)
# a window is about the time since onset only where the sentence says so, or where it is the sentence's label
# ("4 to 8 hours: <what to do>", "More than 24 hours: ..."), as in a list of what to do by the time since onset
_SINCE_ONSET = re.compile(r"\b(?:onset|ago|since|ingestion|injury|started|began|presentation|old|older|younger|"
                          r"birth|born|of\s+life)\b")
_LABEL_AT = 3  # characters a label's window may start after (a bullet, a quote)


def _elapsed(text: str) -> float | None:
    m = _ELAPSED_STATED.search(normalize(text))
    return float(m.group(1)) * _HOURS[m.group(2)] if m else None


def _windows(norm: str) -> list[tuple[str, str, float | tuple[float, float]]]:
    """The windows a (normalised) sentence gives of the time since onset."""
    since = bool(_SINCE_ONSET.search(norm))
    out: list[tuple[str, str, float | tuple[float, float]]] = []
    ranges = list(_RANGE.finditer(norm))
    for m in ranges:
        if since or m.start() <= _LABEL_AT:
            unit = _HOURS[m.group(3)]
            out.append((ELAPSED, "between", (float(m.group(1)) * unit, float(m.group(2)) * unit)))
    ranged = [m.span() for m in ranges]
    for m in _WINDOW.finditer(norm):
        # "in the first 24 hours" counts from a beginning by its own words
        first = m.group(1).startswith("in")
        if (since or first or m.start() <= _LABEL_AT) and not any(a <= m.start(2) < b for a, b in ranged):
            out.append((ELAPSED, _WINDOW_COMPARISON[" ".join(m.group(1).split())],
                        float(m.group(2)) * _HOURS[m.group(3)]))
    return out


def _word(word: str) -> str | None:
    stems = content_words(word) - _NOT_MEASURES
    return f"word:{next(iter(stems))}" if len(stems) == 1 else None


def measured(text: str, vocabulary: Vocabulary) -> tuple[tuple[str, float], ...]:
    """The measurements the text states, as (name, value): "<shorthand> 90, <lab> 11" -> (("<measure concept>", 90.0),
    ("word:<lab>", 11.0)); of two values ("82/48") the first is the one named."""
    measures = vocabulary.role("measure")
    norm = normalize(text)
    tokens, mentions = vocabulary.mentions(text)
    out: dict[str, float] = {}
    covered: set[int] = set()
    for m in mentions:
        if m.concept in measures:
            end = tokens[m.end - 1].end
            stated = _STATED.match(norm[end:])
            if stated:
                out.setdefault(m.concept, float(stated.group(1)))
                covered |= set(range(tokens[m.start].start, end + stated.end()))
    for m in _NAMED_VALUE.finditer(norm):
        name = _word(m.group(1))
        if name and m.start() not in covered:
            out.setdefault(name, float(m.group(2)))
    if (hours := _elapsed(text)) is not None:
        out.setdefault(ELAPSED, hours)
    return tuple(out.items())


def thresholds(sentence: str, vocabulary: Vocabulary) -> list[tuple[str, str, float | tuple[float, float]]]:
    """The thresholds a sentence gives, as (name, comparison, value): "<measure> below 92" ->
    [("<measure concept>", "lt", 92.0)]; "a <lab> below 15 <unit>" -> [("word:<lab>", "lt", 15.0)]."""
    measures = vocabulary.role("measure")
    norm = normalize(sentence)
    tokens, mentions = vocabulary.mentions(sentence)
    out = []
    for m in mentions:
        if m.concept not in measures:
            continue
        rest = norm[tokens[m.end - 1].end:]
        before, after = _THRESHOLD_BEFORE.match(rest), _THRESHOLD_AFTER.match(rest)
        if before:
            out.append((m.concept, _BEFORE[before.group(1)], float(before.group(2))))
        elif after:
            out.append((m.concept, _AFTER[after.group(2)], float(after.group(1))))
    for m in _WORD_BEFORE.finditer(norm):
        if name := _word(m.group(1)):
            out.append((name, _BEFORE[m.group(2)], float(m.group(3))))
    for m in _WORD_AFTER.finditer(norm):
        if name := _word(m.group(1)):
            out.append((name, _AFTER[m.group(3)], float(m.group(2))))
    return out + _windows(norm)


def _meets(value: float, comparison: str, limit: float | tuple[float, float]) -> bool:
    if isinstance(limit, tuple):
        return limit[0] <= value <= limit[1]
    return {"lt": value < limit, "le": value <= limit, "gt": value > limit, "ge": value >= limit}[comparison]


# a threshold that restricts what everyone gets ("give <treatment> only if <measure> is below <n>", "unless ...") is
# advice for the patient who does not meet it as much as for the one who does
_RESTRICTS = re.compile(r"\b(?:only\s+(?:if|when|for|in)|unless)\b", re.IGNORECASE)


def measure_fit(stated: tuple[tuple[str, float], ...], sentence: str, vocabulary: Vocabulary) -> int:
    """+1 when a threshold the sentence gives for a stated measurement is met, -1 when it gives thresholds for one
    and none is met ("diastolic 60 or less" may go unmet where "systolic below 90" is met), else 0."""
    if not stated or _RESTRICTS.search(sentence):
        return 0
    given = thresholds(sentence, vocabulary)
    met = [any(_meets(value, c, limit) for x, c, limit in given if x == name)
           for name, value in stated if any(x == name for x, _, _ in given)]
    return 1 if any(met) else -1 if met else 0
