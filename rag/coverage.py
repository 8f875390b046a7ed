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

from rag.patient import age_ranges, gestation_ranges
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
    # the ages the item's patients are ("babies under <n> weeks with a <finding>"): a patient of another age is not one
    ages: tuple[tuple[float, float], ...] = ()
    # how many of `words` the question must use: one, unless the item's findings are all what the document says it
    # covers ("covers people with <condition>"; "does not cover <condition> of <part> <kind>"), where only most of
    # its other words can say which of the document's own patients it means
    needs: int = 1
    # the (stemmed) words of the guidance the statement hands the item's patients to ("..., which are managed under
    # the <subject> guidance"): the indexed document so titled answers them (ScopePolicy.handed_to)
    handed_to: frozenset[str] = frozenset()
    # what the statement says to do for the item's patients ("does not cover open injuries ...: refer to <a team> the
    # same day"): the document answers them with these words rather than handing them to another document
    advice: str = ""


# ... and a sentence naming other guidance that covers a subject ("<finding> is covered by the guidance on <other
# subject>"), whose items are too loosely worded to read as exclusions: its words are still the other guidance's
_HANDS_OVER = re.compile(r"\b(?:covered|managed|assessed)\s+(?:by|under|in)\s+(?:the\s+|our\s+)?"
                         r"(?:guidance|guideline|pathway)s?\s+(?:on|for)\b", re.IGNORECASE)


# other guidance a statement names ("managed under the <subject> guidance", "covered by the guidance on <subject>")
_NAMED_GUIDANCE = re.compile(r"\b(?:the|separate)\s+((?:[A-Za-z][\w'-]*\s+){1,6}?)(?:guidance|guideline|pathway)s?\b"
                             r"|\b(?:guidance|guideline|pathway)s?\s+(?:on|for)\s+((?:[A-Za-z][\w'-]*\s*){1,6})",
                             re.IGNORECASE)
_NOT_A_SUBJECT = frozenset(content_words("separate local national other relevant appropriate specific own adult "
                                         "adults child children paediatric pediatric"))


def _named_guidance(text: str) -> frozenset[str]:
    """The (stemmed) subject words of the first other guidance a clause names; empty when it names none or only
    an unnamed one ("separate guidance", "local paediatric guidance")."""
    for m in _NAMED_GUIDANCE.finditer(text):
        words = frozenset(content_words(m.group(1) or m.group(2))) - _NOT_A_SUBJECT
        if words:
            return words
    return frozenset()


def _until_limits(text: str) -> str:
    """The text before its statement of limits ("<patients> | is covered by the guidance on <subject>")."""
    ends = [m.start() for rx in (_EXCLUDES, _HANDS_OVER) if (m := rx.search(text))]
    return text[:min(ends)] if ends else text


# a sentence whose subject is the document itself saying whom it is for ("This guidance covers <patients> ...",
# "Covers <group> aged <n> and over ...", "It does not cover ..."): about the document, not advice for a patient
_ABOUT_ITSELF = re.compile(
    r"^(?:(?:this|the|our)\s+(?:guidance|guideline|document|pathway|protocol|policy|summary|advice)\s+|it\s+)?"
    r"(?:covers|applies\s+to|is\s+(?:written|intended|meant)\s+for|does\s+not\s+(?:cover|apply))\b"
    r"|\b(?:this|the|our)\s+(?:guidance|guideline|document|pathway|protocol)\s+(?:covers|applies\s+to"
    r"|is\s+(?:written|intended|meant)\s+for|does\s+not\s+(?:cover|apply))\b",
    re.IGNORECASE)


def states_coverage(sentence: str) -> bool:
    """Is this sentence the document's statement of whom or what it covers, or of its limits?"""
    return bool(_ABOUT_ITSELF.search(sentence.strip())) or states_limits(sentence)


def states_limits(sentence: str) -> bool:
    """Is this sentence a statement of the document's limits (its words name other guidance's subjects)?"""
    return bool(_EXCLUDES.search(sentence) or _HANDS_OVER.search(sentence))


def under_its_heading(chunk) -> list[str]:
    """A chunk's sentences, where its section's own heading states the document's limits ("What this guideline does
    not cover"), each read with that heading as its lead-in ("What this guideline does not cover: <item>"): the list
    under such a heading is that statement's items, though no item repeats its words."""
    heading = chunk.section[-1] if len(chunk.section) > 1 else ""
    lead = heading.strip().rstrip(":") if heading and states_limits(heading) else ""
    return [f"{lead}: {x.text}" if lead and not states_limits(x.text) else x.text for x in chunk.sentences]


def declared_exclusions(sentences: Iterable[str], concepts: Callable[[str], frozenset[str]],
                        kinds: dict[str, str],
                        matched_text: Callable[[str, frozenset[str]], str] = lambda text, concepts: "",
                        subject: frozenset[str] = frozenset(), course: frozenset[str] = frozenset(),
                        covered: frozenset[str] = frozenset()) -> tuple[Exclusion, ...]:
    """The items a document's statements of limits name. matched_text: the words of an item that name these
    concepts (what is left says who or what the item is, beyond its regions: "<region> surgery" is not the
    <region>). subject: the (stemmed) words of the document's title: they are in every question about the document,
    so they never say which of its patients an item hands over ("<subject> after <an injury of the region>" is the
    injury's, not every <subject> of the region). course: concepts of how a finding behaves ("acute", "sudden"): they
    name nobody's patients ("acute <other disease> points to <another kind>, which is not covered" hands over the other
    disease, not every sudden presentation). covered: the concepts the document is about (its title's, and those many of
    its sentences name); with those of its own statements of coverage, what it is for ("Exclusion.needs")."""
    sentences = list(sentences)
    out: list[Exclusion] = []
    own = covered | frozenset(c for s in sentences if _COVERS.search(s) and not _EXCLUDES.search(s)
                              for c in concepts(_until_limits(s)) if kinds.get(c) in ITEM_KINDS) - course
    for sentence in sentences:
        if not _EXCLUDES.search(sentence):
            continue
        handed = {}
        for clause in sentence.split(";"):
            named_guidance = _named_guidance(clause)
            for item in _ITEMS.split(clause):
                handed[item.strip()] = named_guidance
        listed, advice = _without_advice(sentence)
        for item in _ITEMS.split(listed):
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
            words, needs = frozenset(), 1
            if not any(kinds.get(c) == "finding" for c in named):
                rest = _EXCLUDES.sub(" ", item)
                said = content_words(rest) - content_words(matched_text(rest, named))
                words = frozenset(said - subject)
                if said and not words:
                    continue  # the item is the document's own subject in the region: nothing handed over
            elif named <= own:
                # ("covers people with <condition>" ... "does not cover <the condition's specific kind>"): the
                # findings alone would hand over every patient the document is for; what the item's patients are
                # says which (not what they lack, nor the guidance it hands them to)
                rest = _EXCLUDES.sub(" ", _until_limits(item[:cue.start()] if cue else item))
                words = frozenset(content_words(rest) - content_words(matched_text(rest, named)) - subject)
                needs = len(words) // 2 + 1
            exclusion = Exclusion(named, words, absent, tuple(age_ranges(item)), needs,
                                  handed.get(item.strip(), frozenset()), advice)
            if exclusion not in out:
                out.append(exclusion)
    return tuple(out)


def _without_advice(sentence: str) -> tuple[str, str]:
    """A statement of limits less what it says to do for the patients it leaves out ("does not cover children under
    16: <what to do for a child>"), and that advice: it names their care, not more patients left out. A colon
    straight after the statement ("does not cover: <a>; <b>") opens its list instead."""
    cue = _EXCLUDES.search(sentence)
    colon = sentence.find(":", cue.end()) if cue else -1
    if colon < 0 or not content_words(sentence[cue.end():colon]):
        return sentence, ""
    return sentence[:colon], sentence[colon + 1:].strip()


def excluded(question: frozenset[str], items: tuple[Exclusion, ...], words: frozenset[str] = frozenset(),
             denied: frozenset[str] = frozenset(), age: float | None = None) -> bool:
    """Does the question name every finding and region of one of the document's excluded items (and, for an item
    that names only a region, one of its other words: "<region> transplant recipients" is not every question
    about the <region>; for an item of patients without something, deny it; for an item of patients of some age, be
    about a patient of that age, where it says the age)? words: the question's content words; denied: the concepts
    it denies; age: the patient's, in years."""
    return any(item.concepts <= question and (not item.absent or item.absent & denied)
               and (not item.words or len(item.words & words) >= item.needs)
               and (age is None or not item.ages or any(lo <= age < hi for lo, hi in item.ages)) for item in items)


# whose patients a statement of coverage names by group alone ("This guidance covers adults ..."; "children ... are
# outside its scope"), and the words an item may hold besides a group and an age and still name only patients by age
# ("people under 18", "infants younger than 6 months"; not "children with <a device>")
_GROUP_WORDS = {"adult": "adult", "adults": "adult", "child": "child", "children": "child"}
_ADULT_FROM = 18  # the latest age adult services start at: "adults aged <18 or less> and over" are all adults
# an adult guideline's population starts here (UK adult services; most adult guidelines say 16 or 18): the earliest
# age adult services start at, so "children under <16 or more>" are all children
ADULT_AGE = 16
_AGE_ONLY_WORDS = frozenset(
    "aged age ages under over younger older than below above less more years year yrs months month weeks week days "
    "old young people patients infants infant babies baby and or the it its are is who those any this guidance "
    "guideline also".split())
_COVERS = re.compile(r"\b(?:covers|applies\s+to|is\s+written\s+for)\b", re.IGNORECASE)
# an item of a list of exclusions and the bracket right after it: "<item> (<what to do for them>)"
_BRACKETED_AFTER = re.compile(r"([^,;:()]+)\(([^()]+)\)")
_WHO_CLAUSE = re.compile(r"\b(?:who|whom|which)\s+(?:should|must|need|needs|are|is|will)\b", re.IGNORECASE)
_LEAVES_OUT = frozenset("does not cover excludes excluded girls boys women men".split())
# (not the "and" of an age's "<a> years and over")
_GROUP_NAMES = re.compile(r"\b(?:child|children|infants?|babies|baby|young people|adolescents?|teenagers?)\b",
                          re.IGNORECASE)
_PARTS = re.compile(r"[,():]|\b(?:and|or)\b(?!\s+(?:over|older|above|under|younger|more|later)\b)", re.IGNORECASE)


class StatedPopulation(NamedTuple):
    """Whom a document's own statements of coverage say it is for ("This guidance covers <group> aged <a> and over")
    and whom they leave out ("<group>, ... are outside its scope"; "people under <a>"; "babies born before <n> weeks"):
    ages in years and gestations at birth in weeks as (lower inclusive, upper exclusive) ranges; groups "adult" and
    "child"."""
    ages_in: tuple[tuple[float, float], ...] = ()
    ages_out: tuple[tuple[float, float], ...] = ()
    groups_in: frozenset[str] = frozenset()
    groups_out: frozenset[str] = frozenset()
    gestations_in: tuple[tuple[float, float], ...] = ()
    gestations_out: tuple[tuple[float, float], ...] = ()
    # the ages and gestations the document's other sentences give advice for ("stridor in an infant under <age>:
    # refer"): a patient outside the stated coverage whom the document still addresses is its patient
    ages_addressed: tuple[tuple[float, float], ...] = ()
    gestations_addressed: tuple[tuple[float, float], ...] = ()
    # ... and the ages a statement of limits itself says what to do for ("does not cover: children under <a> (...
    # should be referred to <a service>)"): the document hands them on, and that is its answer for them
    ages_referred: tuple[tuple[float, float], ...] = ()

    def misfit(self, age: float | None, group: str | None, gestation: float | None, named: bool = True
               ) -> str | None:
        """Why the stated coverage leaves out this patient (age in years, group, gestation at birth in weeks), or
        None. named: the question names the document's subject; only then does advice the document gives for patients
        outside its stated coverage make them its patients ("<subject> in an infant under <age>: refer"), not a
        question about another subject in such a patient."""
        inside = _inside
        addressed = lambda value, ranges: named and inside(value, ranges)  # noqa: E731
        if gestation is not None and not addressed(gestation, self.gestations_addressed) and (
                inside(gestation, self.gestations_out)
                or self.gestations_in and not inside(gestation, self.gestations_in)):
            return f"the baby was born at {gestation:g} weeks, a gestation the document says it does not cover"
        if age is not None and addressed(age, self.ages_addressed):
            return None  # (whatever group the age puts them in)
        if age is not None and (inside(age, self.ages_out) or self.ages_in and not inside(age, self.ages_in)):
            return "the document says it does not cover patients of this age"
        if group is not None and (group in self.groups_out or self.groups_in and group not in self.groups_in):
            return f"the document says it does not cover {'adults' if group == 'adult' else 'children'}"
        return None


    def addresses(self, age: float | None) -> bool:
        """Does the document's statement of limits say what to do for patients of this age, whom it leaves out?"""
        return age is not None and _inside(age, self.ages_referred)


def _within_childhood(clause: str, ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Age ranges said of children only ("in children aged 9 years and over") end where adulthood begins."""
    groups = {_GROUP_WORDS[w] for w in re.findall(r"[a-z]+", clause.lower()) if w in _GROUP_WORDS}
    if groups != {"child"}:
        return ranges
    return [(lo, min(hi, _ADULT_FROM)) for lo, hi in ranges if lo < _ADULT_FROM]


def _names_adults(clause: str) -> bool:
    return any(_GROUP_WORDS.get(w) == "adult" for w in re.findall(r"[a-z]+", clause.lower()))


def addresses_age(sentence: str, age: float, advises: Callable[[str], bool]) -> bool:
    """Does this sentence say what to do for a patient of this age: advice written for an age range that holds it
    ("refer ... if the woman is under <a>"), an item of a statement of limits with what to do for its patients in
    its own brackets ("does not cover: children under <a> (... should be referred to <a service>)"), or the statement
    that leaves the patient's age group out, which the advice after it follows?"""
    for clause in sentence.split(";"):
        if _EXCLUDES.search(clause):
            if _inside(age, _referred_ranges(clause, advises)) or _inside(age, _left_out_ages(clause)):
                return True
        elif not _COVERS.search(clause) and advises(clause) and _inside(age, age_ranges(clause)):
            return True
    return False


def _left_out_ages(clause: str) -> list[tuple[float, float]]:
    """The ages a statement of limits leaves out by age and group alone ("does not cover children under <a>")."""
    return [r for part in _PARTS.split(_EXCLUDES.sub(" ", clause)) if _ages_only(part) for r in age_ranges(part)]


def _referred_ranges(clause: str, advises: Callable[[str], bool]) -> list[tuple[float, float]]:
    """The ages of the items of a statement of limits whose own words say what to do for their patients."""
    return [r for group, said in _referred_items(clause) if advises(said) and _ages_only(group)
            for r in age_ranges(group)]


def _referred_items(clause: str) -> list[tuple[str, str]]:
    """(item, what is said of its patients) for each item of a statement of limits followed by words of its own: in
    brackets ("children under <a> (... should be referred to <a service>)") or as a clause of who they are ("children
    under <a>, including <x>, who should be assessed in <a service>")."""
    out = [(group, said) for group, said in _BRACKETED_AFTER.findall(clause)]
    head, colon, body = clause.partition(":")
    if colon and _EXCLUDES.search(head) and _EXCLUDES.sub(" ", head).strip():
        # ... or after a colon ("does not cover children under <a>: discuss every child with <a service>"), or an
        # item of a lead-in with its own ("Does not cover, and refers instead: children under <a>: refer to <a team>")
        group, inner, said = body.partition(":")
        out.append((group, said) if inner else (head, body))
    body = body if colon else head
    first, _, rest = body.partition(",")
    if rest and _WHO_CLAUSE.search(rest):
        out.append((first, rest))
    return out


def _ages_only(item: str) -> bool:
    """Does an item of a statement of limits name patients by age and group alone ("children under <a>")?"""
    return not set(re.findall(r"[a-z]+", item.lower())) - _AGE_ONLY_WORDS - set(_GROUP_WORDS) - _LEAVES_OUT


def _inside(value: float, ranges) -> bool:
    return any(lo <= value < hi for lo, hi in ranges)


def _whole_group(group: str, ranges: list[tuple[float, float]]) -> bool:
    """Does a statement naming this group with these ages (none: the group alone) name all of it? Children from
    birth to adulthood ("children under <adult age>") or adults to any age from adulthood ("adults aged <adult age>
    and over") do; "children aged <a> and over", "children under <a young age>" or "adults over <b>" are some of
    them."""
    if not ranges:
        return True
    if group == "child":
        return any(lo <= 0 and hi >= ADULT_AGE for lo, hi in ranges)
    return any(lo <= _ADULT_FROM and hi == float("inf") for lo, hi in ranges)


def stated_population(sentences: Iterable[str], advises: Callable[[str], bool] = lambda sentence: True
                      ) -> StatedPopulation:
    """The population a document's statements of coverage and of limits name (see StatedPopulation). Only what they
    say of patients by age, gestation or group alone is read: "<group> with <a condition>" is a subject handed over,
    not every patient of the group. advises: does a sentence say what to do (a risk factor's "<age> under <n>" gives
    no advice for those patients)?"""
    ages_in, ages_out, gestations_in, gestations_out, ages_addressed, gestations_addressed = [], [], [], [], [], []
    ages_referred = []
    groups_in: set[str] = set()
    groups_out: set[str] = set()
    left_out: list[tuple[float, float]] = []  # the ages the sentence before left out, by age and group alone
    heading = ""  # a statement of limits that leads in a list ("It does not cover:"), said of each item after it
    for sentence in sentences:
        if heading and sentence[:1].islower():  # the lead-in's items go on in lower case
            sentence = f"{heading} {sentence}"
        else:
            heading = sentence.strip() if sentence.rstrip().endswith(":") and _EXCLUDES.search(sentence) else ""
        # what the sentence after such a statement says to do for that group ("Does not cover children under <a>.
        # <do not test children under <b>>; <discuss a child with <a team>>"): the document still addresses them
        if left_out and not _EXCLUDES.search(sentence) and not _COVERS.search(sentence) and advises(sentence) \
                and _GROUP_NAMES.search(sentence):
            ages_referred += left_out
        left_out = [r for clause in sentence.split(";") if _EXCLUDES.search(clause) for r in _left_out_ages(clause)]
        for clause in sentence.split(";"):
            if _EXCLUDES.search(clause):
                gestations_out += gestation_ranges(clause)
                # an item left out with what to do for its patients in its own brackets ("children under <a> (...
                # should be referred to <a service>)"): the document still addresses them
                ages_referred += _referred_ranges(clause, advises)
                for part in _PARTS.split(_EXCLUDES.sub(" ", clause)):
                    words = set(re.findall(r"[a-z]+", part.lower()))
                    rest = words - _AGE_ONLY_WORDS - set(_GROUP_WORDS)
                    if words and not rest:
                        ranges = age_ranges(part)
                        # "<group> aged <a> and over" leaves out part of the group, by age: not the whole group
                        groups_out |= {_GROUP_WORDS[w] for w in words if w in _GROUP_WORDS
                                       and _whole_group(_GROUP_WORDS[w], ranges)}
                        ages_out += ranges
            elif _COVERS.search(clause):
                gestations_in += gestation_ranges(clause)
                ages_in += _within_childhood(clause, age_ranges(clause))
                groups_in |= {_GROUP_WORDS[w] for w in re.findall(r"[a-z]+", clause.lower()) if w in _GROUP_WORDS}
            elif advises(clause):
                ages_addressed += [(lo, hi, _names_adults(clause))
                                   for lo, hi in _within_childhood(clause, age_ranges(clause))]
                # ... and advice for the group an earlier clause of the sentence left out ("Does not cover: adults
                # aged <a> and over ...; discuss every adult with <a team>"): the document still addresses them
                if left_out and (_GROUP_NAMES.search(clause) or _names_adults(clause)):
                    ages_referred += left_out
                gestations_addressed += gestation_ranges(clause)
    # a document that covers children only speaks of children wherever it gives an age and names no adult ("age 9
    # years and over with <a finding>" among its referral triggers): no such age reaches adulthood ("adults aged 18
    # and over: refer to <the adult team>" does)
    childhood = groups_in == {"child"}
    ages_addressed = [(lo, min(hi, _ADULT_FROM) if childhood and not adults else hi)
                      for lo, hi, adults in ages_addressed if not (childhood and not adults and lo >= _ADULT_FROM)]
    return StatedPopulation(tuple(ages_in), tuple(ages_out), frozenset(groups_in), frozenset(groups_out),
                            tuple(gestations_in), tuple(gestations_out), tuple(ages_addressed),
                            tuple(gestations_addressed), tuple(ages_referred))
