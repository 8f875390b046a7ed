"""The patient's age as a question states it, and the age ranges guideline sentences are written for.

Guidance is often stratified by age ("<group> under 30: <test> first"; "Child 6 to 12 years: <dose>"); a
question about a 26-year-old is answered by the sentence whose range holds 26, not by the one for those aged 40
and over. Ages are read only where the words say they are ages ("58F", "8 yo", "aged 40 and over", "under 30
years"), so "over 12 hours" or "within 6 weeks" never count.
"""

from __future__ import annotations

import math
import re

_NUM = r"(\d{1,3}(?:\.\d)?)"
# a question's patient: "58F", "58 M", "8 yo", "8-year-old", "aged 61", "I'm 52", "age 70", "18-month-old",
# "11-week-old", "10 days old"
_PATIENT = [
    (re.compile(rf"\b{_NUM}\s?(?:yo|y/o|y\.o\.|yrs?\s?old|years?\s?old|year-old|-year-old|yr-old)\b", re.I), 1.0),
    (re.compile(rf"\b{_NUM}\s?-?\s?(?:months?|mo)\s?-?\s?old\b", re.I), 1 / 12),
    (re.compile(rf"\b{_NUM}\s?-?\s?(?:weeks?|wk)\s?-?\s?old\b", re.I), 7 / 365.25),
    (re.compile(rf"\b{_NUM}\s?-?\s?days?\s?-?\s?old\b", re.I), 1 / 365.25),
    # (not a school year: "Year 9 girl, 14")
    (re.compile(rf"(?<!\byear )(?<!\bgrade )(?<!\byr )\b{_NUM}\s?(?:m|f|male|female|man|woman|boy|girl)\b"
                r"(?!\s?(?:g|l|mg|ml|min))", re.I), 1.0),
    # "girl, 14", "a lad, 17,": the age right after whom it is said of
    (re.compile(rf"\b(?:man|woman|boy|girl|lad|lass|lady|gentleman|male|female)\s?,\s?{_NUM}\b"
                r"(?!\s?(?:%|/|\.\d|mg|kg|cm|mm|min|hours?|days?|weeks?|months?|years?))", re.I), 1.0),
    (re.compile(rf"\b(?:aged|age|i'm|i am|he's|she's|he is|she is)\s{_NUM}\b"
                r"(?!\s?(?:%|mg|kg|cm|mm|min|hours?|days?|weeks?))", re.I), 1.0),
    # the patient named by who they are to the asker ("my grandson is 3", "my husband (44)", "my daughter's 11")
    (re.compile(rf"\b(?:son|daughter|grandson|granddaughter|grandchild|husband|wife|partner|mum|mom|mother|dad|"
                rf"father|brother|sister|nephew|niece|patient|client|uncle|aunt|auntie|aunty|grandma|grandmother|"
                rf"grandad|granddad|grandpa|grandfather|granny|gran|cousin|friend|colleague|neighbour|neighbor|"
                rf"boyfriend|girlfriend|fiance|fiancee|stepdad|stepmum|stepmom|stepson|stepdaughter)"
                rf"(?:\s?(?:is|,|\()|['\u2019]s)\s?{_NUM}\b"
                r"(?!\s?(?:%|/|\.\d|mg|kg|cm|mm|min|hours?|days?|weeks?|months?|times?|x\b))", re.I), 1.0),
    # an age set off by commas after whoever it is said of ("Rideshare driver, 50, my right knee ...", "Tyler, 19,
    # has ..."), not a list of numbers ("grades 1, 2, 3")
    (re.compile(rf"\b(?!(?:score|pain|grade|level|stage|day|week|bed|room|ward|number|no|gcs|bp|hr|rr|sats?|"
                rf"temp|page|item|step)\b)[^\W\d_]{{2,}}\s?,\s?{_NUM}\s?,(?!\s?\d)", re.I), 1.0),
]
_UNIT = r"(?:years?|yrs?|year-olds?|y)"
_AGE_WORD = r"(?:aged|age|ages|women|men|adults?|children|child|patients?|people|girls?|boys?|infants?)"
# a sentence's range: "aged 40 and over", "30 to 39 years", "under 30", "over 12 years", "6 months to 6 years"
_RANGES = [
    (re.compile(rf"\b{_AGE_WORD}\s+{_NUM}\s*(?:{_UNIT}\s*)?(?:and|or)\s+(?:over|older|above)\b", re.I), "min"),
    (re.compile(rf"\b{_NUM}\s*{_UNIT}\s*(?:and|or)\s+(?:over|older|above)\b", re.I), "min"),
    (re.compile(rf"\b(?:{_AGE_WORD}\s+)?(?:over|older than|above)\s+{_NUM}\s*{_UNIT}\b", re.I), "above"),
    (re.compile(rf"\b{_AGE_WORD}\s+(?:over|older than|above)\s+{_NUM}\b(?!\s*(?:months?|mo|weeks?|days?|hours?|%))",
                re.I), "above"),
    (re.compile(rf"\b(?:{_AGE_WORD}\s+)?(?:under|younger than|below|less than)\s+{_NUM}\s*{_UNIT}\b", re.I), "below"),
    (re.compile(rf"\b{_AGE_WORD}\s+(?:under|younger than|below)\s+{_NUM}\b(?!\s*(?:months?|mo|weeks?|days?))", re.I),
     "below"),
    (re.compile(rf"\b(?:{_AGE_WORD}\s+)?(?:aged\s+)?{_NUM}\s*(?:to|-|–)\s*{_NUM}\s*{_UNIT}\b", re.I), "between"),
    (re.compile(rf"\b{_AGE_WORD}\s+(?:aged\s+)?{_NUM}\s*(?:to|-|–)\s*{_NUM}\b(?!\s*(?:months?|mo|weeks?|days?|hours?|%))",
                re.I), "between"),
    (re.compile(rf"\b{_NUM}\s*months?\s*(?:to|-|–)\s*{_NUM}\s*{_UNIT}\b", re.I), "months_to_years"),
    (re.compile(rf"\b(?:under|younger than|below)\s+{_NUM}\s*months?\b", re.I), "below_months"),
    # weeks are an age only said of the young or said as one ("<babies> under <n> weeks", "under <n> weeks old"):
    # "<symptom> for under <n> weeks" is a duration
    (re.compile(rf"\b(?:{_AGE_WORD}|babies|baby|neonates?|newborns?)\s+(?:under|younger than|below|less than)\s+"
                rf"{_NUM}\s*weeks?\b|\b(?:under|younger than|below|less than)\s+{_NUM}\s*weeks?\s+(?:old|of age)\b",
                re.I), "below_weeks"),
    # "boys and men up to 25 years of age": the upper age included
    (re.compile(rf"\b{_AGE_WORD}\s+up\s+to\s+(?:and\s+including\s+)?{_NUM}\s*{_UNIT}", re.I), "up_to"),
]


def patient_age(text: str) -> float | None:
    """The patient's age in years as the question states it, or None."""
    for rx, scale in _PATIENT:
        m = rx.search(text)
        if m:
            age = float(m.group(1)) * scale
            if 0 <= age <= 120:
                return age
    return None


# the patient's group in words, where no age is given ("70 kg adult", "the toddler"): enough to tell a guideline for
# adults from one for children
_ADULT_WORDS = (r"\b(?:an?|the|this|our|my)\s+(?:\w+\s+)?adult\b|\badult\s+(?:patient|man|woman|male|female)\b"
                r"|\b\d+\s?kg\s+adult\b")
# (not "as a child", "when she was a baby": the patient's past, not their group now)
_CHILD_WORDS = r"(?<!\bas a )(?<!\bwas a )(?<!\bwere a )\b(?:child|toddler|infant|baby|newborn|neonate|kid)\b"
_GROUPS = {"adult": re.compile(_ADULT_WORDS, re.I), "child": re.compile(_CHILD_WORDS, re.I)}


def patient_group(text: str) -> str | None:
    """"adult" or "child" where the question calls the patient one and not the other; None otherwise."""
    said = [group for group, rx in _GROUPS.items() if rx.search(text)]
    return said[0] if len(said) == 1 else None


def age_ranges(sentence: str) -> list[tuple[float, float]]:
    """The age ranges (years, lower inclusive, upper exclusive) a sentence is written for."""
    out = []
    for rx, kind in _RANGES:
        for m in rx.finditer(sentence):
            a = float(next(g for g in m.groups() if g is not None))  # (an alternative's number is its own group)
            if kind == "min":
                out.append((a, math.inf))
            elif kind == "above":
                out.append((a + 1e-9, math.inf))
            elif kind == "below":
                out.append((0.0, a))
            elif kind == "between":
                out.append((a, float(m.group(2)) + 1))
            elif kind == "months_to_years":
                out.append((a / 12, float(m.group(2)) + 1))
            elif kind == "below_months":
                out.append((0.0, a / 12))
            elif kind == "below_weeks":
                out.append((0.0, a * 7 / 365.25))
            elif kind == "up_to":
                out.append((0.0, a + 1))
    return out


def age_fit(age: float | None, sentence: str) -> int:
    """+1 when the sentence is written for an age range holding the patient's age, -1 when only for others, 0 when
    it names no age range (or the question no age)."""
    if age is None:
        return 0
    ranges = age_ranges(sentence)
    if not ranges:
        return 0
    return 1 if any(lo <= age < hi for lo, hi in ranges) else -1


# the patient's sex as a question states it: "58F", "a 66-year-old man", "she", "his"; and the sex a guideline
# sentence is written for ("<sex group> with a <finding> ...", "In <sex group>, ...")
_MALE_PATIENT = re.compile(r"\b(?:\d{1,3}\s?m|man|male|gentleman|boy|he|his|him)\b", re.I)
_FEMALE_PATIENT = re.compile(r"\b(?:\d{1,3}\s?f|woman|female|lady|girl|she|her|pregnant)\b", re.I)
_MALE_GROUP = re.compile(r"\b(?:men|man|males?|boys?)\b", re.I)
_FEMALE_GROUP = re.compile(r"\b(?:women|woman|females?|girls?|pregnan\w*|postmenopausal|premenopausal)\b", re.I)


def patient_sex(text: str) -> str | None:
    """'male' or 'female' when the question's words say only one, else None."""
    male, female = bool(_MALE_PATIENT.search(text)), bool(_FEMALE_PATIENT.search(text))
    return "male" if male and not female else "female" if female and not male else None


def sex_fit(sex: str | None, sentence: str) -> int:
    """+1 when the sentence is written for the patient's sex, -1 when only for the other, 0 otherwise."""
    if sex is None:
        return 0
    male, female = bool(_MALE_GROUP.search(sentence)), bool(_FEMALE_GROUP.search(sentence))
    if male == female:
        return 0 if not male else 1  # both named ("<group A> and <group B>"): written for either
    return 1 if (sex == "male") == male else -1


# a baby's gestation at birth in weeks: "30+4 weeker", "ex-28-weeker", "born at 33 weeks", "a 34-week preterm baby".
# A pregnant woman's "32 weeks' gestation" is her pregnancy's, not a patient's birth, and is not read.
_GESTATION = [
    re.compile(r"\b(?:ex-?\s?)?(\d{2})(?:\+\d)?\s?-?\s?weeker\b", re.I),
    re.compile(r"\bborn (?:at|at about|at around) (\d{2})(?:\+\d)?\s?(?:weeks?|wks?|/40)\b", re.I),
    re.compile(r"\b(\d{2})(?:\+\d)?\s?-?\s?(?:weeks?|wks?)\s?-?\s?(?:preterm|prem|premature)\b", re.I),
]
# a sentence's gestation range, read only in a sentence about birth ("babies born at 35 weeks' gestation or later",
# "born before 35 weeks", "born at 35 to 37 weeks")
_BIRTH = re.compile(r"\b(?:born|gestation|gestational|preterm)\b", re.I)
_GESTATION_RANGES = [
    (re.compile(r"\b(\d{2})\s?weeks?'?\s*(?:of\s+)?(?:gestation\s+|gestational age\s+)?(?:or|and)\s+"
                r"(?:later|more|over|above|beyond|older)\b", re.I), "min"),
    (re.compile(r"\b(?:before|under|below|less than|earlier than)\s+(\d{2})\s?weeks?\b", re.I), "below"),
    (re.compile(r"\b(\d{2})\s*(?:to|-|–)\s*(\d{2})\s?weeks?\b", re.I), "between"),
]


def patient_gestation(text: str) -> float | None:
    """The patient's gestation at birth in weeks as the question states it ("30+4 weeker"), or None."""
    for rx in _GESTATION:
        m = rx.search(text)
        if m and 22 <= int(m.group(1)) <= 44:
            return float(m.group(1))
    return None


def gestation_ranges(sentence: str) -> list[tuple[float, float]]:
    """The ranges of gestation at birth (weeks, lower inclusive, upper exclusive) a sentence about birth names."""
    if not _BIRTH.search(sentence):
        return []
    out = []
    for rx, kind in _GESTATION_RANGES:
        for m in rx.finditer(sentence):
            a = float(m.group(1))
            out.append((a, math.inf) if kind == "min" else (0.0, a) if kind == "below"
                       else (a, float(m.group(2)) + 1))
    return out


def group_of(age: float | None, group: str | None, adult_age: float) -> str | None:
    """"adult" or "child": by the stated age, else by the words."""
    return ("adult" if age >= adult_age else "child") if age is not None else group
