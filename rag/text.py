"""Tokens for BM25 and the clinical shorthand clinicians type, expanded before retrieval."""

from __future__ import annotations

import re
from functools import lru_cache

# Shorthand and synonyms -> the article's own words. Applied to queries (not to documents), so a
# clinician's "gad", "plain films" or "lump" reaches passages that say "contrast", "radiographs", "mass".
QUERY_EXPANSIONS: list[tuple[str, str]] = [
    (r"\bw/o\b", "without"),
    (r"\bw/(?=\s|$)", "with"),
    (r"\bmr\b(?!\s*(?:i|imaging))", "MRI"),
    (r"\bmagnetic resonance( imaging)?\b", "MRI"),
    (r"\bgad(?:olinium)?\b", "gadolinium contrast"),
    (r"\b(?:un)?enhanced\b", "contrast"),
    (r"\bplain films?\b|\bx-?rays?\b|\bxr\b", "radiographs"),
    (r"\blumps?\b|\bswellings?\b|\bgrowths?\b|\bbumps?\b", "mass"),
    (r"\bces\b", "cauda equina syndrome"),
    (r"\bpt\b|\bphysio(?:therapy)?\b", "physical therapy"),
    (r"\bchiropract\w*|\badjustments?\b", "manipulation physical therapy conservative"),
    (r"\bcat scan\b|\bcomputed tomography\b", "CT"),
    (r"\bwatch(?:ed|ful|ing)?\b|\bobserv\w*|\bhold off\b|\bdefer\w*|\bpostpon\w*|\bwait\w*", "delay imaging"),
    (r"\bus\b(?=\s+(?:scan|of|is|for))|\bsonograph\w*|\bultrasonograph\w*", "ultrasound"),
    (r"\bspect\b", "SPECT bone scan"),
    (r"\bmets\b|\bmetasta\w*", "metastatic disease malignancy"),
    (r"\bca\b|\bcancer\b", "cancer malignancy"),
    (r"\btumou?rs?\b", "tumor"),
    (r"\bfebrile\b|\bpyrexi\w*", "fever"),
    (r"\bhr\b|\bheart rate\b", "tachycardia"),
    (r"\bincontinen\w+|\burinary retention\b|\bretention\b", "bladder bowel dysfunction cauda equina"),
    (r"\bsaddle\b", "saddle anesthesia cauda equina"),
    (r"\banaesthe", "anesthe"),
    (r"\bneuro\b", "neurologic"),
    (r"\bemergen\w*|\burgent\w*|\balarm\w*|\bwarning (?:signs?|symptoms?|features?)|\bred[- ]flag symptoms?",
     "urgent emergent immediate intervention"),
    (r"\bwork-?up\b", "evaluation"),
    (r"\babx\b|\bantibiotics?\b", "antimicrobial therapy"),
    (r"\bbx\b", "biopsy"),
    (r"\bpacemaker\b|\bimplants?\b|\bclaustrophob\w*", "MRI contraindicated"),
    (r"\bpost-?contrast\b|\bpre-?contrast\b|\bbefore the contrast\b", "precontrast enhancement"),
]
_EXPANSIONS = [(re.compile(p, re.IGNORECASE), r) for p, r in QUERY_EXPANSIONS]
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does for from had has have he her his how i if in
into is it its itself me my of on or our she should so than that the their them then there these they this
those to was we were what when where which who whom why will with would you your patient patients
since just also any some very really still please about above after again against all am because before
below between both during each few further here into more most no nor not now off once only other own same
than too under until up while whether yet via per ok okay us our ours myself yourself
""".split())


SHORT_TERMS = frozenset({"ct", "mr", "iv", "pt"})  # two-letter words that carry clinical meaning


def expand_query(text: str) -> str:
    """The query plus the article-vocabulary forms of any shorthand it contains."""
    extra = [repl for pattern, repl in _EXPANSIONS if pattern.search(text)]
    return text if not extra else f"{text} {' '.join(extra)}"


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words)


def content_words(text: str) -> set[str]:
    """Stemmed content words, for coverage and support checks."""
    return {w for w in tokenize(text) if len(w) > 2 or w.isdigit() or w in SHORT_TERMS}


# A question that rules MRI out (implant, claustrophobia, unavailable): answers lead with the alternative.
MRI_RULED_OUT = re.compile(
    r"pacemaker|defibrillator|\bicd\b|implant|claustrophob|contraindicat|"
    r"(?:not|isn't|non)[- ]?(?:mri[- ])?(?:compatible|conditional|safe)\b|"
    r"(?:cannot|can't|unable to) (?:have|undergo|tolerate|get) (?:an? )?mr|mri (?:is )?(?:not available|unavailable)",
    re.IGNORECASE)
ORDERS_MRI = re.compile(r"^(?:order|obtain|request|arrange|book)\b[^.]*\bmri\b", re.IGNORECASE)
WHEN_MRI_RULED_OUT = re.compile(r"\bmri is contraindicated|\bcontraindicated or unavailable|\bcannot have mri",
                                re.IGNORECASE)

# "What next?" questions: the direct recommendation (order the study) leads the answer.
NEXT_STEP = re.compile(
    r"\bnext steps?\b|\bwhat (?:should|do|would|can) (?:i|we|you) (?:do|order)\b|\bwhat now\b|"
    r"\bhow (?:should|do|would) (?:i|we|you) (?:proceed|manage|evaluate|approach|work)|\bwork-?up\b|"
    r"\bwhat to do\b|\bhow to (?:proceed|manage|"
    r"evaluate|approach)", re.IGNORECASE)
DIRECT_RECOMMENDATION = re.compile(r"^(?:order|obtain)\b[^.]*\b(?:mri|imaging)\b|requiring immediate imaging",
                                   re.IGNORECASE)
