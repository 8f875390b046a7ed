"""How well a candidate sentence fits this turn, beyond its similarity to the question.

The composer ranks sentences by meaning; this module adds what the question's reading knows and the
similarity cannot: the patient's own condition, a result the asker already has, findings they deny,
their age, the answer type asked for, and a section whose heading names what is asked. Policy, kept
out of the composition root so it can be read and tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from guardrails.concepts import clause_start, normalize
from guardrails.sentences import split_sentences
from rag.abbreviations import classes_mentioned
from rag.bands import gives_band
from rag.coverage import states_coverage
from rag.measures import measure_fit, named_measurements
from rag.patient import age_fit, sex_fit
from rag.query import QUESTION_STEMS, Query, QueryReader
from rag.text import content_words
from rag.types import ScoredChunk

CONDITION_FIT = 0.3  # the sentence names the question's own condition (an implant, a deficit, a failed trial)
WHAT_NEXT = 0.25  # a result is reported and the sentence says what to do once it is
DIRECTIVE = 0.1  # a request for the next step, answered by a sentence that says what to do
DONE_TEST = 0.3  # the sentence orders a test the question says was done
OTHER_TEST = 0.25  # "if <test A> is negative" for a patient whose <test B> is
DENIED = 0.3  # the sentence is about a finding the patient does not have
AGE_FIT, AGE_MISFIT = 0.15, 0.3  # the misfit also for a threshold the patient's stated measurement misses
STATES_TYPE = 0.15  # the sentence states the answer type asked for ("what follows", "costs")
LISTED = 0.1  # a list answers "what else could it be?" better than a summary
ALREADY_HAVE = 0.3  # mostly what the asker says they already have
SOURCE_LIST = 0.3  # a provenance question is about one claim, not a lead-in and its list
SECTION = 0.2  # the section's own heading names what the question is about
LIST_SECTION = 0.3  # a list question names the whole heading of the section that lists the answer
BAND_FIT = 0.3  # the sentence (or its section's heading) says what applies in the band a stated score falls in
# what a document says about itself advises nothing: its statement of whom it covers (which fits the patient's age)
# answers only a question about the guidance's coverage ("does this apply to a 15-year-old?"), and its bibliographic
# line ("Source: <authors>. <title>. <journal>, <year>.") only a question about where it comes from
ABOUT_ITSELF = 0.3
_BIBLIOGRAPHIC = re.compile(r"^\s*(?:source|citation|reference|published\s+(?:by|in))\s*:.*$",
                            re.IGNORECASE | re.MULTILINE)
_ASKS_COVERAGE = re.compile(r"\b(?:cover(?:s|ed|age)?|appl(?:y|ies|ied)|scope|remit|(?:written|meant|intended) for"
                            r"|who\s+(?:is\s+)?(?:it|this|the\s+\w+)\s+for)\b", re.IGNORECASE)
# times the share of a sentence's words that only repeat the findings the asker has told ("Symptoms: <the three
# they listed>" for "what can I give?"): what they told is what they know, not the answer to what they ask
ECHO = 1.0
ECHO_MIN_WORDS = 3  # one or two shared words are the patient's context; three or more are a restatement
ASKED_CONCEPTS = 0.25  # times the share (by corpus rarity) of the asking part's concepts the sentence names
# concepts that say what a question asks about, beyond its topic: tests, findings, timings, judgements
FIT_KINDS = frozenset({"object", "finding", "anatomy", "protocol", "condition", "timing", "assessment", "term"})
KIND_OF_THING = frozenset({"finding", "condition"})  # what a category's heading says its items are

# how guidance marks the option for the usual patient ("First choice: <drug> <dose>", "First-line: ..."); the other
# options it lists are for patients with a stated reason (an allergy, a failure, a recurrence)
_FIRST_CHOICE = re.compile(r"^(?:first[- ]choice|first[- ]line|preferred|usual(?: choice| treatment)?|standard)\b",
                           re.IGNORECASE)
FIRST_CHOICE = 0.2  # for a question asking which treatment or what dose, with no reason for another
_DIRECTIVE = re.compile(r"^(?:order|obtain|perform|request|arrange|refer|initiate|start|use|consider|proceed)\b",
                        re.IGNORECASE)


def tests_of(vocabulary) -> frozenset[str]:
    """The concepts that name a test one orders (the definitive one, a plain film, another)."""
    return vocabulary.role("definitive_test") | vocabulary.role("plain_film") | vocabulary.role("other_test")


def of_a_test(vocabulary, text: str) -> bool:
    """Is some "normal" / "negative" the text says said of a test ("<test> normal"): of the tests and the
    examination's words in its clause, the one nearest it is a test? Not of the examination or a blood test ("<vital
    signs> normal", "his <system> exam is normal" beside a test named, "normal <blood test>")."""
    tokens, mentions = vocabulary.mentions(text)
    established = vocabulary.role("established")
    tests = tests_of(vocabulary)
    examined = vocabulary.role("examined")
    for m in mentions:
        if m.concept not in established:
            continue
        clause = clause_start(tokens, m.start)
        near = [n for n in mentions if clause_start(tokens, n.start) == clause and n is not m
                and (n.concept in tests or n.concept in examined or n.kind == "basis")]
        if near and min(near, key=lambda n: abs(n.start - m.start)).concept in tests:
            return True
    return False


def opens_with_condition(text: str, vocabulary) -> bool:
    """'If <finding> is confirmed, ...': the sentence starts with a condition (its first word is a gate cue)."""
    return vocabulary.first_concept(text) == "gate.cue" and normalize(text).split(" ", 1)[0] in ("if", "once", "when")


_WH = re.compile(r"\b(?:what|which)\s+((?:[\w'-]+\s+){0,1}[\w'-]+)", re.IGNORECASE)


def _wh_governed(text: str) -> set[str]:
    """The content words of the (at most two) words after each "what" / "which"."""
    return set().union(*(content_words(m.group(1)) for m in _WH.finditer(text)))


@lru_cache(maxsize=4096)  # read for the section bonus, the added passages and each part of one turn alike
def asked_categories(text: str, listed: frozenset[str]) -> frozenset[str]:
    """The (lower-case) headings of the documents' categorised lists whose words a wh-word of the text governs:
    "what <kinds> can present as ...?" asks for the members of the category "<Kinds>"."""
    governed = _wh_governed(text)
    return frozenset(h for h in listed if (words := content_words(h)) and words <= governed)


class SentenceFit:
    """Builds, once per turn, the composer's `boost` (per sentence) and `section_bonus` (per heading)."""

    def __init__(self, vocabulary, answer_types, concepts: Callable[[str], frozenset[str]],
                 negated: Callable[[str], frozenset[str]] = lambda text: frozenset()) -> None:
        self.vocabulary = vocabulary
        self.answer_types = answer_types
        self.concepts = concepts  # the scope's topical concept reader
        self.negated = negated  # the concepts a text names only as denied (guardrails.engine.negated)

    def on_results(self, query: Query) -> Callable[[tuple[str, ...]], bool] | None:
        """For a question that reports or supposes a test's result and asks what next ("<test>: <findings>. What
        next?"), which sections say what results mean (their heading names a result); None for any other question,
        and for one whose asking names another test ("the team want a <test> as well. Is that supported?"; the test
        whose report it quotes is not one)."""
        if not (query.reported or query.supposed) or query.answer_type == "source":
            return None
        vocabulary = self.vocabulary
        results = vocabulary.role("reported_result")
        reports = results | vocabulary.role("established")
        tests = tests_of(vocabulary)
        for sentence in split_sentences(QueryReader.asking_part(query.focus)):
            said = vocabulary.concepts(sentence)
            if said & tests and not said & reports:
                return None
        return lambda section: len(section) >= 2 and bool(vocabulary.concepts(section[-1]) & results)

    def section_bonus(self, query: Query, used: Callable[[str], bool] = lambda word: True,
                      had: frozenset[str] = frozenset(), listed: frozenset[str] = frozenset()
                      ) -> Callable[[tuple[str, ...]], float]:
        """A section whose own heading names what the question asks about (a heading on other causes for "what
        else could it be?") frames its sentences as the answer. listed: the (lower-case) headings of the documents'
        categorised lists; had: those the asker says they already have ("apart from <category A> and <B>, what
        else?"): the list's other categories answer."""
        kinds = self.vocabulary.kinds
        # what the question is about (a differential, a deficit), not the tests it names: many headings name tests
        asked = {c for c in self.concepts(query.asked) if kinds.get(c) in ("finding", "condition")}
        # ... a test's result not where it is denied: "no <tests> tonight" asks nothing of a heading on what the
        # results show (one supposed does: "if <test> shows <x>, what then?")
        asked -= self.vocabulary.role("reported_result") & self.negated(query.asked)
        # ... or a word of the heading itself that the documents' sentences never use ("what <heading word> does it
        # list?" under a heading on <heading word>): only a heading says it
        words = content_words(query.asked) - QUESTION_STEMS
        # "what <kinds> can present as ...?", "which <kind-of> diagnoses ...?": the words a wh-word governs name the
        # category whose members are asked for, whatever the question's type (a clause of a two-part question)
        categories = asked_categories(query.asked, listed)
        searched = content_words(self.answer_types.searched.get(query.answer_type, ""))
        cache: dict[tuple[str, ...], float] = {}

        def bonus(section: tuple[str, ...]) -> float:
            if len(section) < 2:
                return 0.0
            if had and section[-1].lower() in listed:  # a category of a list some of whose categories the asker has
                return -ALREADY_HAVE if section[-1].lower() in had else LIST_SECTION
            if section not in cache:
                heading = content_words(section[-1]) - content_words(section[0])
                named = heading & words
                cache[section] = SECTION if (self.vocabulary.shared(self.concepts(section[-1]), asked)
                                             or any(not used(w) for w in named)) else 0.0
                if heading and (heading <= words if query.answer_type == "list"
                                else section[-1].lower() in categories):
                    # "which <category> causes does it list?" under a heading "<Category>": that section's items
                    cache[section] = LIST_SECTION
                elif heading and heading <= searched:
                    # "what mistakes ...?" under "Common pitfalls": where a question of this type is answered
                    cache[section] = LIST_SECTION
                band = content_words(query.implied) - content_words(section[0])
                if band and band <= heading:  # "<score> of 1": the pathway "when <condition> is unlikely"
                    cache[section] = BAND_FIT
            return cache[section]
        return bonus

    def boost(self, query: Query, passages: Sequence[ScoredChunk] = (),
              concept_rarity: dict[str, float] | None = None,
              categories: dict[str, frozenset[str]] | None = None,
              category_headings: frozenset[str] = frozenset()) -> Callable[..., float]:
        """concept_rarity: each concept's inverse frequency among the indexed sentences (rarer says more);
        categories: the heading words a document lists a word under (rag.pipeline.listed_categories);
        category_headings: the (lower-case) headings of the documents' categorised lists ("<lead-in>:" then a short
        subsection per kind of thing)."""
        vocabulary = self.vocabulary
        answer_types = self.answer_types
        concepts = self.concepts
        conditions = {c for c in query.concepts if vocabulary.kinds.get(c) == "condition"}
        reported = vocabulary.role("reported_result")
        # "the <test> showed nothing serious" reports a result as much as "the <test> shows <a finding>" does
        results = reported | vocabulary.role("established")
        reports_result = bool(query.reported or query.supposed)
        conditions -= reported
        if query.affirmed:  # a condition only its pertinent negatives name ("<system> normal") is none the patient has
            conditions -= concepts(query.focus) - concepts(query.affirmed)
        if not of_a_test(vocabulary, query.focus):
            # "<vital signs> normal", "normal <blood test>": the examination's or a blood test's, no test's result;
            # no condition to share with "if <test> is negative"
            conditions -= vocabulary.role("established")
        # the documents' own subject (their titles' concepts) is in every sentence: it says nothing about a result
        subject = concepts(" ".join({p.chunk.title for p in passages}))
        stated = concepts(query.focus) - results - subject
        # the words that report ("found", "shows") are not what was found
        stated_words = (content_words(query.focus) - QUESTION_STEMS
                        - content_words(vocabulary.matched_text(query.focus, results)))
        # what a reported finding is, in the documents' own lists ("<finding>" listed under "<Category>"): "If
        # <category> is confirmed, ..." says what to do once it is
        stated_words |= content_words(" ".join(h for w in stated_words for h in (categories or {}).get(w, ())))
        # a test whose result the question reports is done: a sentence telling one to order it is not the next step
        tests = tests_of(vocabulary)
        done = stated & tests if query.reported else set()
        # the tests named beside a result word ("<test A> report: <finding>"), not one only proposed ("<test B> instead
        # of <test C>"): what "Once <test> results are available" must name to say what follows this result
        resulted = _resulted_tests(query.focus, vocabulary, tests, results)
        denied = query.denied
        placeholder = vocabulary.role("placeholder")  # "if imaging is negative": whichever test was done
        # a normal result reported or supposed, of the tests the turn (with the one it follows) names
        established = vocabulary.role("established")
        normal = bool((query.reported | query.supposed) & established)
        tested = concepts(query.resolved) & tests if normal else set()
        # what the asking part names in any wording ("<term>" / "<its other spelling>", "hold off" / "wait"), less
        # the documents' subject, each weighed by how rarely the indexed sentences name it
        rarity = concept_rarity or {}
        # (a result word the question uses without reporting a result, "our audit found ...", is not asked about)
        unreported = set() if reports_result else reported
        asking = QueryReader.asking_part(query.affirmed or query.focus)
        # "can I call that the definitive imaging?" of a test done: what that test can and cannot show is the answer
        asks_sufficiency = bool(vocabulary.concepts(asking) & vocabulary.role("sufficiency"))
        asked = {c: rarity[c] for c in vocabulary.concepts(asking, FIT_KINDS) - subject
                 - unreported if c in rarity}
        if asked.keys() & placeholder:
            # "can we skip further imaging?" after "I scanned it with <a test>": the asking part's placeholder stands
            # for the tests the turn (or the question it follows) names; what the sources say of that test answers
            named = vocabulary.concepts(query.resolved, FIT_KINDS) & tests - placeholder - subject
            asked |= {c: rarity[c] for c in named if c in rarity}
        asked_total = sum(asked.values())
        # what applies in a stated score's band ("<score> of 0" -> "For <band> <disease> ...:"), beyond the
        # documents' subject; the sentence giving the band itself is the bridge, not the answer
        band = content_words(query.implied) - content_words(" ".join(p.chunk.title for p in passages))

        asks_coverage = bool(_ASKS_COVERAGE.search(QueryReader.asking_part(query.focus)))
        # the documents' bibliographic lines, each of whose sentences (authors, title, journal) is about the document
        bibliographic = ([] if query.answer_type == "source" else
                         [m.group(0) for p in passages for m in _BIBLIOGRAPHIC.finditer(p.chunk.text)])

        # the findings the asker told before asking, less the words of the asking itself and of the documents' subject
        told, asking_sentences = QueryReader.told_and_asked(query.affirmed or query.focus)
        asked_words = content_words(asking_sentences)
        # "<drug>?": a sentence on the class of the medicine this turn asks about answers it, however much it echoes
        asked_classes = classes_mentioned(QueryReader.asking(query.asked))
        named_measures = named_measurements(query.measured)
        told_words = (content_words(told) - asked_words - QUESTION_STEMS
                      - content_words(" ".join({p.chunk.title for p in passages}))
                      if told and query.answer_type not in answer_types.restated else set())

        def boost(text: str, listed: bool = False, heading: str = "", joined: bool = False) -> float:
            """heading: a list item's own subsection heading; in a categorised list it says what kind of thing the
            item is ("<abscess name>, <bone infection name>" under "<Infection>"); joined: the text is a lead-in and
            its best item, standing for the whole list."""
            found = concepts(text)
            score = CONDITION_FIT if conditions & found else 0.0
            if told_words:
                words = content_words(text)
                echoed = words & told_words
                # (advice for a patient with such findings, or what they suggest, answers; only a description echoes)
                if (len(echoed) >= ECHO_MIN_WORDS and not words & asked_words and not answer_types.advises(text)
                        and not asked_classes.related(classes_mentioned(text))
                        and not answer_types.states("signs", text)):
                    score -= ECHO * len(echoed) / len(words)
            if asked_total:
                kind = (vocabulary.concepts(heading, KIND_OF_THING) if listed and heading.lower() in category_headings
                        else frozenset())
                named = vocabulary.shared(vocabulary.concepts(text, FIT_KINDS) | kind, asked)
                score += ASKED_CONCEPTS * sum(w for c, w in asked.items() if c in named) / asked_total
            # (not "Once <test B> results are available: ..." for a result of <test A>: that waits on another test)
            def what_next() -> float:
                waits = resulted and _waits_on_another_test(text, vocabulary, tests, resulted | placeholder, results)
                return 0.0 if waits else WHAT_NEXT
            if reports_result and opens_with_condition(text, vocabulary) and (found & stated or
                                                                              content_words(text) & stated_words):
                score += what_next()  # "the <test> shows <finding>": "If <finding> is confirmed, ..." says what next
            elif normal and opens_with_condition(text, vocabulary):
                # "and if that's normal?" of the <test> just discussed: "If <test> / imaging is negative, ..."
                clause = text.split(",", 1)[0]
                said = {m.concept for m in vocabulary.mentions(clause)[1]}
                # "is negative", "is normal", "is negative for <finding>"; of another test, it is not this case
                if said & (established | {"cue.negation"}) and said & (tested | placeholder):
                    score += what_next()
                elif said & established and said & tests and tested:
                    score -= OTHER_TEST
            if query.answer_type in ("recommendation", "treatment") and _DIRECTIVE.match(text):
                score += DIRECTIVE
            if done & found and _DIRECTIVE.match(text):
                score -= DONE_TEST
            elif done and query.answer_type in ("recommendation", "treatment", "yes_no") and not asks_sufficiency \
                    and found & tests - placeholder and found & tests - placeholder <= done:
                score -= DONE_TEST  # only about the test already done: what it can show, not what to do next
            if done and opens_with_condition(text, vocabulary):
                supposed = concepts(text.split(",", 1)[0]) & (tests | placeholder)
                if supposed and not supposed & (done | placeholder):
                    score -= OTHER_TEST
            if query.ruled_out and self.negated(text) & query.ruled_out:
                score += CONDITION_FIT  # "even when there are no <findings>" for a patient who has none
            elif denied & found and query.answer_type not in answer_types.keeps_negatives and not (
                    joined and query.answer_type in answer_types.examined):
                # (a whole list of what to look for still answers "what should the doctor examine?" when the item it
                # is judged by is one the patient does not have: its other items are still to look for)
                score -= DENIED
            if states_coverage(text) and not asks_coverage or any(text.strip() in line for line in bibliographic):
                return score - ABOUT_ITSELF
            fit = age_fit(query.age, text)  # "<group> under 30: ..." answers a 26-year-old, not a 52-year-old
            score += AGE_FIT * fit if fit > 0 else AGE_MISFIT * fit
            fit = sex_fit(query.sex, text)  # "In <the other sex>, ..." does not answer for this patient
            score += AGE_FIT * fit if fit > 0 else AGE_MISFIT * fit
            # "<measure> below <n>" for a patient whose stated <measure> is below it names their condition; for one
            # whose <measure> is not, the sentence is about other patients
            fit = measure_fit(query.measured, text, vocabulary)
            if not fit and heading and named_measures:  # "<measure> above <n>" heading what to do for such patients
                fit = measure_fit(named_measures, heading, vocabulary)
            score += CONDITION_FIT * fit if fit > 0 else AGE_MISFIT * fit
            if answer_types.states(query.answer_type, text):
                score += STATES_TYPE
            if query.answer_type in ("dose", "regimen", "recommendation", "treatment") and _FIRST_CHOICE.match(text):
                score += FIRST_CHOICE
            if band and band <= content_words(text) and not gives_band(text):
                score += BAND_FIT
            if query.answer_type == "list" and listed:
                score += LISTED
            if query.excluded:
                words = content_words(text)
                if len(words & query.excluded) * 3 >= len(words):
                    score -= ALREADY_HAVE  # "anything besides those two?"
            if query.answer_type == "source" and listed:
                score -= SOURCE_LIST
            return score
        return boost


def _waits_on_another_test(text: str, vocabulary, tests: frozenset[str], done: frozenset[str] | set[str],
                           results: frozenset[str]) -> bool:
    """Does the sentence's opening condition wait on the result of tests the question reports no result of ("Once
    <test> results are available: ...", asked with another test's report)? Not "If <x> is suspected and no <test>
    has been done": that names no result."""
    condition = vocabulary.concepts(re.split(r"[,:]", text, maxsplit=1)[0])
    named = condition & tests
    return bool(named) and bool(condition & results) and not named & done


def _resulted_tests(text: str, vocabulary, tests: frozenset[str], results: frozenset[str]) -> set[str]:
    """The tests a text gives a result of: the test named last before a result word in its sentence ("<test>
    report: <finding>", "the <test> shows"), else one right after it ("the report of the <test>"); "it shows <x>
    better and the <test> list is long" gives none."""
    out: set[str] = set()
    for sentence in split_sentences(text):
        tokens, mentions = vocabulary.mentions(sentence)
        for m in mentions:
            if m.concept not in results:
                continue
            if m.start and tokens[m.start - 1].text in _POINTERS:
                continue  # "it shows <x> better": said of a test the sentence may not give a result of
            before = [x for x in mentions if x.end <= m.start and x.concept in tests
                      and not any(t.text == ";" for t in tokens[x.end:m.start])]
            after = [x for x in mentions if x.start >= m.end and x.concept in tests
                     and all(t.text in _OF_THE for t in tokens[m.end:x.start])]
            if before or after:
                out.add((before[-1] if before else after[0]).concept)
    return out


_OF_THE = frozenset({"of", "on", "from", "the", "his", "her", "their", "my", "a", "an", "for"})
_POINTERS = frozenset({"it", "this", "that", "which"})
