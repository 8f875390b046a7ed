"""Sentences of a draft and the [n] citation markers each carries."""

from __future__ import annotations

import re

# a sentence may start in lower case: clinicians type that way ("<test> back. shows <finding>. now what?")
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Za-z0-9])")
_ABBREV = re.compile(r"\b(?:e\.g|i\.e|vs|dr|etc|approx|fig|no|mr|mrs|ms|st)\.$", re.IGNORECASE)
# before a lower-case word, a shortened word is more likely than a sentence end ("<dose> bd. review", "J. smith")
_LOWER_ABBREV = re.compile(r"(?:\b(?:cf|al|ca|incl|resp|wk|wks|yr|yrs|mo|pt|pts|hx|dx|rx|tx|sx|ref|pp|vol|ed|eds|op|"
                           r"vit|max|min|bd|od|tds|qds|prn|stat|approx|esp|dept|univ|inc|ltd|co|corp)"
                           r"|(?:^|\s)[A-Za-z])\.$", re.IGNORECASE)
# a list item's line ("- <item>", "* <item>", "2) <item>"), or a message of a pasted chat or log, each line
# stamped with its time ("[06:58] <name>: <text>", "12/03/2026, 06:58 - <name>: <text>", "06:58 <text>")
_ITEM_LINE = re.compile(r"[ \t]*(?:[-*\u2022\u25aa]|\d{1,2}[.)]|\[?(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},? )?"
                        r"\d{1,2}[:.]\d{2}(?::\d{2})?(?: ?[ap]\.?m\.?)?\]?(?: -)?)\s", re.IGNORECASE)
_CITE = re.compile(r"\s*\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


_RUN_ON_QUESTION = re.compile(r"\s+[-\u2013\u2014]+\s+(?=(?:why|what|how|who)\b[^-\u2013\u2014]*\?$)",
                              re.IGNORECASE)


def split_sentences(text: str, lines: bool = False, rhetorical: bool = False) -> list[str]:
    """Sentences of a draft; leading citation markers ("... text. [2] Next") stay with the previous one. lines: a
    user's account, where a line break ends a sentence at a blank line and around each list item's line (_blocks).
    rhetorical: a draft read for what it advises, where a question run on after a dash is a sentence of its own."""
    pieces: list[str] = []
    for block in (_blocks(text) if lines else [text]):
        start = 0
        for m in _SPLIT.finditer(block):
            candidate = block[start:m.start()].strip()
            if _ABBREV.search(candidate) or block[m.end():m.end() + 2].lstrip("\"'([")[:1].islower() \
                    and _LOWER_ABBREV.search(candidate):
                continue
            pieces.append(candidate)
            start = m.end()
        pieces.append(block[start:].strip())
    # "<a verdict> - why <go to the trouble of a test>?": a rhetorical question run on after a dash is a sentence of its
    # own, and the verdict before it is said, not asked
    if rhetorical:
        pieces = [part for x in pieces
                  for part in (_RUN_ON_QUESTION.split(x, maxsplit=1) if x.endswith("?") else [x])]
    out: list[str] = []
    for p in (x for x in pieces if x):
        lead = re.match(r"^((?:\[\d{1,3}(?:\s*,\s*\d{1,3})*\]\s*)+)(.*)$", p, re.DOTALL)
        if lead and out:
            out[-1] = f"{out[-1]} {lead.group(1).strip()}"
            p = lead.group(2).strip()
        if p:
            out.append(p)
    return out


def _blocks(text: str) -> list[str]:
    """The text cut where a line break ends a sentence whatever its punctuation: at a blank line, and before and after
    each list item's line (a checklist typed as "- <item>: <answer>" lines is one finding per line, not one run-on
    sentence)."""
    blocks: list[list[str]] = []
    item = False
    for line in text.split("\n"):
        starts_item = bool(_ITEM_LINE.match(line))
        if not blocks or not line.strip() or starts_item or item or not blocks[-1]:
            blocks.append([])
        if line.strip():
            blocks[-1].append(line)
        item = starts_item
    return ["\n".join(b) for b in blocks if b]


def split_citations(sentence: str) -> tuple[str, tuple[int, ...]]:
    """'Text [1][2].' -> ('Text.', (1, 2)): the markers a sentence carries, and its text without them."""
    cites = tuple(int(n) for group in _CITE.findall(sentence) for n in re.findall(r"\d+", group))
    return " ".join(_CITE.sub("", sentence).split()).replace(" .", "."), cites


# a span quoted in a text: opening and closing marks not inside a word ("the line saying '<x>'", but not "can't")
# (an apostrophe inside a word is no closing mark: "'<finding> and there's <another>'")
QUOTED_SPAN = re.compile(r"(?<![\w'\u2019])['\"\u2018\u201c]((?:[^'\"\u2018\u2019\u201c\u201d]|(?<=\w)['\u2019](?=\w))"
                         r"{12,300}?)['\"\u2019\u201d](?![\w'])")


# a quotation whose closing mark the sentence split took with its own full stop or question mark ("triage flagged
# '<syndrome>?' because ..."): from its opening mark to the end of the sentence
OPEN_QUOTE = re.compile(r"""(?:^|(?<=[\s(\[:,]))["'](\w.*)$""")


def quoted_spans(text: str, cut: bool = False) -> list[re.Match]:
    """The text's quotations; with cut, where it has none, one the sentence split cut open (OPEN_QUOTE)."""
    closed = list(QUOTED_SPAN.finditer(text))
    return closed or ([m for m in [OPEN_QUOTE.search(text)] if m] if cut else [])

