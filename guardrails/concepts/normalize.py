"""Text normalisation shared by every reader of clinical text (guardrails, query understanding, ingest).

Security first: a draft must read the same to the rules whatever invisible or look-alike characters it
carries. NFKC folds compatibility forms (full-width letters, ligatures); format characters (soft hyphen,
zero-width space/joiner, word joiner, BOM, bidi controls) are removed, which also joins soft-hyphenated
words; letters from other scripts that look like Latin ones (Cyrillic 'а', Greek 'ο') are folded to
Latin when they sit in a word that also has Latin letters, using the Unicode confusables table shipped
by the confusable-homoglyphs package (MIT). Typographic quotes and dashes get one spelling.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"',
                         "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-",
                         "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u202f": " ", "\u2009": " "})

# the open vowels and the velar nasal of the African reference alphabets (Krio, Twi, Ewe, Yoruba ...), read as the
# English letters their words borrow ("brɛst kansa", "dɔktɔ"): a reading aid, as a British spelling is read as American
_OPEN_LETTERS = str.maketrans({"\u025b": "e", "\u0190": "E", "\u0254": "o", "\u0186": "O", "\u014b": "ng",
                               "\u014a": "NG", "\u0259": "e", "\u018f": "E"})


@lru_cache(maxsize=1)
def _confusable_map() -> dict[str, str]:
    """Non-Latin letter -> the Latin letter it imitates (single-character Latin homoglyphs only)."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text())
    out: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        latin = [h["c"] for h in glyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalpha()]
        if latin and unicodedata.category(char).startswith("L"):
            # a capital look-alike reads as a capital: Cyrillic "І" is "I", not "l"
            same_case = [c for c in latin if c.isupper() == char.isupper()]
            out[char] = (same_case or latin)[0]
    # the table maps I, l and their look-alikes to one skeleton "l"; a capital that imitates "I" reads as "I"
    out.update({"\u0406": "I", "\u04c0": "I", "\u0399": "I", "\u2160": "I", "\u0456": "i", "\u0458": "j",
                "\u0408": "J", "\u0405": "S", "\u0455": "s"})
    return out


def _fold_word(word: str, table: dict[str, str]) -> str:
    """Fold a mixed-script word, or a word made only of look-alikes; leave real non-Latin words alone."""
    if word.isascii():
        return word
    letters = [c for c in word if c.isalpha()]
    if any(c.isascii() for c in letters) or (letters and all(c in table for c in letters)):
        return "".join(table.get(c, c) for c in word)
    return word


# a pictograph (an emoji, a weather or warning sign) closes what a chat message says before it ("a video call tmrw 🙂
# the scan is booked for 5 weeks"): read as a full stop where no punctuation closes the words already
_PICTOGRAPHS = re.compile(r"\s*[\U0001F300-\U0001FAFF\u2600-\u26FF][\U0001F300-\U0001FAFF\u2600-\u26FF\uFE0F]*\s*")


def _pictograph(m: re.Match) -> str:
    # (the match takes the spaces around it: the character before it is the last word's or punctuation's)
    if not m.start() or m.string[m.start() - 1] in ".?!,;:(" or m.end() == len(m.string):
        return " "
    return ". "


def clean(text: str) -> str:
    """NFKC, format characters removed, confusable letters folded, quotes/dashes/spaces unified, pictographs read
    as the full stops they stand for."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = text.translate(_QUOTES).translate(_OPEN_LETTERS)
    if not text.isascii():
        text = _PICTOGRAPHS.sub(_pictograph, text)
        if not text.isascii():
            table = _confusable_map()
            text = " ".join(_fold_word(w, table) for w in text.split(" "))
    return text


# "Mr" in title case before a name or an initial ("met Mr H at my surgery") is the honorific, not "MR" (the scan)
_HONORIFIC = re.compile(r"\bMr\.?(?= [A-Z])")


def normalize(text: str) -> str:
    """clean() plus lower case and single spaces: the form every concept match reads."""
    return " ".join(_HONORIFIC.sub("mister", clean(text)).lower().split())
