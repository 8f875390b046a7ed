"""Text rendering and perturbations for the robustness suite: slots, articles, typos, spelling, clause order."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

PLACEHOLDER = re.compile(r"\{([aA]_)?([A-Za-z_]+)\}")
WORD = re.compile(r"[A-Za-z]+")
PRONOUNS = {
    "m": {"he": "he", "him": "him", "his": "his"},
    "f": {"he": "she", "him": "her", "his": "her"},
    "n": {"he": "the patient", "him": "the patient", "his": "the patient's"},
}
LETTER_AN = set("AEFHILMNORSX")  # letters whose names start with a vowel sound
SPOKEN_ACRONYMS = {"SPECT"}  # acronyms read as a word


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def decap(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym (MRI, PT, CT...)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def article(phrase: str) -> str:
    first = re.split(r"[\s-]", phrase, maxsplit=1)[0]
    letters = re.match(r"[A-Za-z]*", first).group(0)
    if letters and letters.isupper() and letters not in SPOKEN_ACRONYMS:
        return "an" if letters[0] in LETTER_AN else "a"
    if first[:1].isdigit():
        return "an" if first.startswith("8") or first in ("11", "18") else "a"
    low = phrase.lower()
    if low.startswith(("a", "e", "i", "o", "x-", "hour", "un", "ul", "ur")):
        return "an"
    return "a"


class Slots:
    """Slot values from the lexicon; a case's fill maps each slot used to one chosen value."""

    def __init__(self, lexicon: dict):
        self.values = {k: v for k, v in lexicon.items() if isinstance(v, list) and v and isinstance(v[0], str)}
        for name, parts in lexicon.get("derived_slots", {}).items():
            self.values[name] = [x for part in parts for x in self.values[part]]

    def render(self, template: str, fill: dict, rng: random.Random) -> str:
        """Fill every placeholder (choosing and recording new slot values), then pronouns inside values."""

        def sub(m: re.Match) -> str:
            art, name = m.group(1), m.group(2)
            key = name.lower()
            if key in PRONOUNS["m"]:
                value = PRONOUNS[self._sex(fill, rng)][key]
            else:
                if key not in fill:
                    fill[key] = rng.choice(self.values[key])
                value = fill[key].split("|")[0]
            if art:
                value = f"{article(value)} {value}"
            return cap(value) if (art or name)[0].isupper() else value

        out = PLACEHOLDER.sub(sub, template)
        out = PLACEHOLDER.sub(sub, out)  # placeholders inside slot values ({he} in a symptom)
        return cap(out)

    def _sex(self, fill: dict, rng: random.Random) -> str:
        if "patient" not in fill:
            fill["patient"] = rng.choice(self.values["patient"])
        return fill["patient"].split("|")[1]


def protected_words(lexicon: dict, slots: Slots) -> frozenset[str]:
    cfg = lexicon["typo"]
    words = {w.lower() for w in cfg["protected_words"]}
    for slot in cfg["protect_slots"]:
        for value in slots.values[slot]:
            words.update(w.lower() for w in WORD.findall(value))
    return frozenset(words)


def typo(text: str, rng: random.Random, protected: frozenset[str], cfg: dict) -> str | None:
    """One single-character edit inside one non-critical word (never a negation or a key term)."""
    spans = [m for m in WORD.finditer(text)
             if len(m.group(0)) >= cfg["min_len"] and m.group(0).lower() not in protected
             and not m.group(0).isupper()]
    if not spans:
        return None
    m = rng.choice(spans)
    word = m.group(0)
    for _ in range(10):
        new = _edit(word, rng.choice(cfg["ops"]), rng, cfg["keyboard_rows"])
        if new != word and new.lower() not in protected:
            return text[:m.start()] + new + text[m.end():]
    return None


def _edit(word: str, op: str, rng: random.Random, rows: list[str]) -> str:
    i = rng.randrange(1, len(word) - 1)  # interior position: first and last letters stay
    if op == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op == "drop":
        return word[:i] + word[i + 1:]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    ch = word[i].lower()
    for row in rows:
        j = row.find(ch)
        if j >= 0:
            options = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
            return word[:i] + rng.choice(options) + word[i + 1:]
    return word


def respell(text: str, pairs: Iterable[list[str]]) -> str | None:
    """British -> American if any British spelling is present, else American -> British; None if neither."""
    pairs = list(pairs)
    for src, dst in ((0, 1), (1, 0)):
        out = text
        for pair in pairs:
            out = re.sub(rf"\b{pair[src]}\b", pair[dst], out)
            out = re.sub(rf"\b{cap(pair[src])}\b", cap(pair[dst]), out)
        if out != text:
            return out
    return None


def abbreviations(text: str, pairs: Iterable[list[str]]) -> list[str]:
    """Each applicable abbreviation (or expansion) pair on its own."""
    outs = []
    for pattern, repl in pairs:
        out = re.sub(pattern, repl, text)
        if out != text:
            outs.append(out)
    return outs


def swap_clauses(text: str) -> str | None:
    """'A; B.' -> 'B; a.' for two independent clauses."""
    body = text.rstrip()
    end = body[-1] if body[-1:] in ".!?" else "."
    body = body.rstrip(".!?")
    parts = body.split("; ")
    if len(parts) != 2:
        return None
    return f"{cap(parts[1])}; {decap(parts[0])}{end}"


def add_clause(text: str, clause: str, at_end: bool) -> str:
    return f"{text} {clause}" if at_end else f"{clause} {text}"
