"""The scope decision, in two stages, as a typed result with its reasons.

(a) Topic: is the question about something an indexed document covers? Measured against the corpus:
the best passage sentence's cosine to the question and the clinical concepts the question shares with
the passages. Thresholds are calibrated by `python -m bench.calibrate_scope` on negatives (SciFact
claims, other specialties' questions) and generated variants of answerable questions, never on the
wording of known cases; the figures are in the README.
(b) Answerability: when the question asks for a specific value (a dose, a regimen, a figure, a duration,
a size), does a passage about the question's focus hold one? If the topic is covered but the value is
not, the answer is partial: it says what the sources do not give, then what they do say.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from guardrails.concepts import default_vocabulary
from guardrails.sentences import split_sentences
from rag.abbreviations import classes_named, drug_classes
from rag.coverage import ADULT_AGE, ITEM_KINDS, Exclusion, StatedPopulation, excluded
from rag.diseases import default_disease_names
from rag.patient import age_ranges, group_of
from rag.query import (
    CHANGE_WORDS,
    QUESTION_STEMS,
    AnswerTypes,
    Query,
    QueryReader,
    default_answer_types,
    without_source_names,
)
from rag.text import american, content_words, initial_runs
from rag.types import Frozen, ScoredChunk
from rag.typos import everyday_english, known_english

Outcome = Literal["answer", "partial", "abstain"]
# Concept kinds that carry a topic (a test, a finding, a body part), not the grammar of a request.
TOPICAL_KINDS = frozenset({"object", "finding", "anatomy", "protocol", "condition", "name"})
# the kinds that make an everyday word a clinical one: a body part or a finding
_BODY_KINDS = frozenset({"anatomy", "finding"})
# idf = log(n / (df + 0.5)): within this margin of the largest, a word is in at most ~3 sentences
RARE_IDF_MARGIN = 0.85
NAMED_TOPIC_MIN_SIMILARITY = 0.2
# A document's own rare terms, shared with the question, say what it is about for any subject (the concept layer
# knows some subjects far better than others): at least this many words that occur in at most RARE_SHARE of the
# corpus's sentences, with the best sentence at least this close. Calibrated by `python -m bench.calibrate_scope`
# with six guidelines indexed: no SciFact claim more accepted, two more answerable questions on the
# guidelines the concept layer does not know.
RARE_TERMS_MIN = 3
RARE_SHARE = 0.01
TITLE_WORD_SHARE = 0.02  # a title word this rare among the sentences names the document's subject
TITLE_SUBJECT_SHARE = 0.005  # ... and a one-word title subject this rare names it alone (ScopePolicy.named_by_title)
RARE_TERMS_MIN_SIMILARITY = 0.45
# ... and each rare term beyond the least lowers the closeness needed by this much, down to the floor: a question
# sharing seven of a document's rare words is about it, whatever one sentence's closeness. The terms are counted over
# the whole answering document. Measured with twenty-five guidelines: SciFact claims accepted 40/300 before and
# after; answerable questions abstained 6/1537 -> 2/1537.
RARE_TERM_STEP = 0.02
RARE_TERMS_FLOOR_SIMILARITY = 0.37
# the rare-word vote for a question's document (ScopePolicy.rare_words_document_first)
VOTE_SHARE = 0.03
VOTE_MARGIN = 2.0
VOTE_MIN_WORDS = 3
# a diagnosis put as a question about the patient ("is this just <x>?", "could it be <x>?"): a hypothesis to the end
# of its question, not what the patient is known to have
_HYPOTHESIS = re.compile(r"\b(?:is|could|might|may|would|can)\s+(?:this|it|that|he|she)\s+"
                         r"(?:(?:just|only|simply|really|not|be|have|has|got)\s+)*[^?]*\?", re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z]+")
_ACRONYM = re.compile(r"\b[A-Z]{3,6}\b")  # not two letters ("ED", "GP": a place, a role)


# a sentence opened or closed by a capitalised word set off by a comma: the one addressed
_VOCATIVE = re.compile(r"(?:^|[.?!]\s+)([A-Z][a-z]+)\s*,|,\s*([A-Z][a-z]+)\s*[?!.]")


def _initials(title: str) -> set[str]:
    """The initials of each run of three to six consecutive words of a title ("<Aaa> <bbb> <ccc>" -> "abc")."""
    return {short for short, _ in initial_runs(title)}




def document_first(passages: list[ScoredChunk], document: str) -> list[ScoredChunk]:
    """The document's passages first, each part in its retrieval order (the scope decision and the answer take the
    first passage's document)."""
    return ([p for p in passages if p.chunk.document_id == document]
            + [p for p in passages if p.chunk.document_id != document])

# values that belong to a named thing ("a dose of <drug>", "how long should the <thing> be?")
OWNED_TYPES = frozenset({"dose", "regimen", "gauge", "extent", "length"})
VALUE_TYPES = frozenset({"dose", "regimen", "statistic", "duration", "extent", "gauge", "score", "threshold", "cost",
                         "codes", "field_strength", "age"})


_ASKING = QUESTION_STEMS
# the word a history denies ("not pregnant", "no fever", "not infected yet", "denies trauma"): the patient does not
# have it, so it votes for no document (a guideline about it is not about this patient)
_DENIED_WORD = re.compile(r"\b(?:no|not|without|denies|denied|nil)\s+(?:any\s+|signs?\s+of\s+|evidence\s+of\s+)?"
                          r"([A-Za-z][A-Za-z-]+)", re.IGNORECASE)
# a condition named by its acronym and said not to be the patient's ("this is not DKA", "it isn't a DVT")
_NOT_ACRONYM = re.compile(r"\b(?:not|isn't|isnt|wasn't|ruled out|excluded)\s+(?:an?\s+|the\s+)?([A-Z]{2,6})\b")
# the reason of a partial answer to "does the guidance recommend <X>?" where the document never names X: no other
# passage of it can name X either (ScopePolicy.answered_by_more)
NEVER_NAMED = "answerability: the answering document never names"
# what a partial answer led by the document's own statement of its limits says is not given
LIMITS_MISSING = "advice on this"
# what a yes-or-no question asks to give or whether it is indicated ("is <X> indicated?", "can I give <X>?")
_WHETHER_GIVEN = re.compile(
    r"\b(?:is|are)\s+([A-Za-z][\w-]*)\s+(?:indicated|needed|required|necessary|safe|appropriate|recommended|"
    r"warranted|useful|effective)\b"
    r"|\b(?:give|use|start|prescribe|try|add|offer|take|taking|continue|continuing)\s+(?:(?:him|her|them|it)\s+)?"
    r"([A-Za-z][\w-]*)", re.IGNORECASE)
# a compound kind of a subject: "<setting>-acquired <subject>", "<agent>-induced <subject>"
_COMPOUND_KIND = re.compile(r"\b([A-Za-z]+)-(acquired|associated|related|induced|onset)\s+([A-Za-z]+)")
# "per <unit>" of a rate or a weight-based amount: a question asking per kilogram, per minute, per hour or per week
# is answered only by a figure given per the same unit ("micrograms per kg per minute" is not "500 micrograms")
_PER = r"(?:\bper\s+|/\s*|\ba\s+)"
_RATE_UNITS = {"kg": r"(?:kg|kilo(?:gram)?s?)\b", "min": r"(?:min(?:ute)?s?)\b", "h": r"(?:h|hrs?|hours?)\b",
               "week": r"(?:w(?:ee)?ks?)\b", "m2": r"(?:m2|m²|square met(?:re|er))"}
_RATE_IN = {u: re.compile(_PER + rx, re.IGNORECASE) for u, rx in _RATE_UNITS.items()}
# the population a document's title says it is written for ("... in adults", "... in children")
_ADULTS = re.compile(r"\b(?:in|for|and) adults?\b|\badult (?:patients|population)\b", re.IGNORECASE)
_CHILDREN = re.compile(r"\b(?:in|for) (?:children|infants|neonates)\b|\bp(?:a)?ediatric\b|\bchildren\b",
                       re.IGNORECASE)
# a title's separate subjects ("<subject A> and <subject B> in <population>")
_TITLE_PARTS = re.compile(r"\band\b|,|/", re.IGNORECASE)
_BRACKETED = re.compile(r"\(([^()]*)\)")
_IN_SETTING = re.compile(r"\b(?:in|during|after|under|over|aged|up to|from|for)\b.*$", re.IGNORECASE)
# what a title says of its subject's care rather than the subject ("Evaluation and management of <subject>")
_TITLE_GENERIC = frozenset(content_words("evaluation management assessment recognition treatment diagnosis care "
                                         "suspected initial emergency investigation approach"))
# whom a title's part names rather than what ("... in boys and men", "... infants and children under 2")
_WHOM = re.compile(r"\b(?:boys?|girls?|men|man|women|woman|adults?|child(?:ren)?|infants?|bab(?:y|ies)|neonates?|"
                   r"newborns?|people|patients?|\d+)\b", re.IGNORECASE)
_RATE_ALSO = {"week": re.compile(r"\bweekly\b", re.IGNORECASE), "h": re.compile(r"\bhourly\b", re.IGNORECASE)}

# specialist terms nothing indexed knows, in the asking sentence, that make it about something else
ASKED_UNKNOWN_TERMS = 2
# ... each a long word (a dialect's spelling of an everyday word is short: "onythin", "sortit")
SPECIALIST_TERM_LETTERS = 8
# the share of an asking sentence's longer words an English dictionary knows, for it to be read as English
ENGLISH_SHARE = 0.75


def _in_english(text: str, besides: frozenset[str] = frozenset()) -> bool:
    """Are most of the text's words of four letters or more English (the hashtags and the terms asked about aside)?"""
    words = [w.lower() for w in re.findall(r"(?<![#@])\b[A-Za-z]{4,}\b", text) if w.lower() not in besides]
    return bool(words) and sum(1 for w in words if known_english(w) or known_english(american(w))) >= \
        ENGLISH_SHARE * len(words)


class ScopeDecision(Frozen):
    outcome: Outcome
    reasons: tuple[str, ...] = ()
    similarity: float = 0.0  # best passage sentence's cosine to the question
    shared_concepts: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()  # the document's rare words the question uses
    document_id: str | None = None  # the document the answer is drawn from
    missing: str | None = None  # what a partial answer says the sources do not give


def _subject_words(title: str) -> set[str]:
    """A title's content words less whom it is written for ("... in adults", "... in children")."""
    return content_words(_ADULTS.sub(" ", _CHILDREN.sub(" ", title)))


def _unshouted(title: str, text: str) -> set[str]:
    """The title's acronyms that the text does not write in capitals ("<subject> (LAST)" is not named by "last
    changed ten weeks ago")."""
    shouted = set(re.findall(r"\b[A-Z]{2,}\b", text))
    return content_words(" ".join(w for w in re.findall(r"\b[A-Z]{2,}\b", title) if w not in shouted))


# a document referred to by its subject ("the 'don'ts' from the <subject> guidance", "per the <subject> guideline")
_DOCUMENT_NAMED = re.compile(r"((?:\b[\w'-]+\s+){1,3})(?:guidance|guidelines?|article|paper|piece|document|protocol"
                             r"|pathway|leaflet|summary)\b", re.IGNORECASE)

def _names_document(text: str, title_words: set[str]) -> bool:
    """Does the text refer to a document by words all of which are its title's ("the <title words> guidance")?"""
    return any((said := content_words(m.group(1)) - _ASKING) and said <= title_words
               for m in _DOCUMENT_NAMED.finditer(text))


def _other_names(head: str) -> list[str]:
    """A title's subject and the other name it gives in brackets, each with the words after the brackets ("<a> (<b>)
    <c>" names "<a> <c>" and "<b> <c>"): either is the subject."""
    m = _BRACKETED.search(head)
    names = [f"{head[:m.start()]} {head[m.end():]}", f"{m.group(1)} {head[m.end():]}"] if m else [head]
    return [" ".join(name.split()) for name in names]


def _names_any(said: set[str], owner: set[str]) -> bool:
    """Does the sentence name one of the owner's words, alone or as the end of a compound ("<prefix>steroid" names a
    "steroid")?"""
    return bool(said & owner) or any(w.endswith(o) for w in said for o in owner if len(o) >= 5)


# a guideline called by words of its title ("the <word> guidance", "the <word> <word> guideline")
_CALLED = re.compile(r"\b(?:the|this|that|your|our|its)\s+((?:[a-z][a-z'-]*\s+){0,2}[a-z][a-z'-]*)\s+"
                     r"(?:guidance|guidelines?|protocol|pathway)\b", re.IGNORECASE)


def _called(query: Query) -> list[frozenset[str]]:
    """The (stemmed) title words each guideline the asking part calls by name is called by ("does your <word> <word>
    guideline cover her?")."""
    return [frozenset(content_words(m.group(1)))
            for m in _CALLED.finditer(QueryReader.asking_part(query.affirmed or query.focus))]


def rare_terms_enough(terms: int, similarity: float, step: float = RARE_TERM_STEP) -> bool:
    """Do this many rare terms shared with a document, its best sentence this close, put a question on its topic?"""
    need = max(RARE_TERMS_FLOOR_SIMILARITY, RARE_TERMS_MIN_SIMILARITY - step * (terms - RARE_TERMS_MIN))
    return terms >= RARE_TERMS_MIN and similarity >= need


def _unindexed_medicine(word: str, corpus_words) -> bool:
    """A medicine of the class list that the indexed documents name neither by itself nor by a class of it."""
    return (any(word in c.members for c in drug_classes()) and not content_words(word) & corpus_words
            and not _class_indexed(word, corpus_words))


def _class_indexed(medicine: str, corpus_words) -> bool:
    """Do the indexed documents name a class this medicine belongs to, by every word of it ("<a medicine>" of a
    guideline that says "do not <act> with <that class>")?"""
    return any(medicine in c.members and (words := content_words(c.words)) and words <= corpus_words
               for c in drug_classes())


def _population_misfit(query: Query, title: str, stated: StatedPopulation | None = None,
                       idf: dict[str, float] | None = None) -> str | None:
    """Why a document whose title names its population, or whose statements of coverage do (rag.coverage), does not
    cover the patient (their age, else the group the question calls them: "a 70 kg adult"; a baby's gestation at
    birth); None when it does. idf: where given, only a title word rare in the corpus says the question names the
    document's subject ("pain" in "<subject> pain crisis in adults" names no subject)."""
    if stated is not None:
        # (named in its words, or in lay words the concept layer names it by: "the <lay word> guidance")
        named_words = _subject_words(title) & content_words(f"{query.focus} {query.labels}")
        if idf:
            level = ScopePolicy.rare_level(idf, TITLE_WORD_SHARE)
            named_words = {w for w in named_words if idf.get(w, 0.0) >= level}
        named = bool(named_words)
        if named and stated.addresses(query.age):
            return None  # its statement of limits says what to do for this patient: that is the answer
        if why := stated.misfit(query.age, group_of(query.age, query.group, ADULT_AGE), query.gestation, named):
            return why
        if stated.ages_in or stated.groups_in:
            return None  # whom it says it covers decides, not its title's shorthand ("<subject> in <groups>")
    if not title or (query.age is None and query.group is None):
        return None
    adults, children = bool(_ADULTS.search(title)), bool(_CHILDREN.search(title))
    said = _age_said(query.age) if query.age is not None else f"an {query.group}" if query.group == "adult" \
        else f"a {query.group}"
    ranges = age_ranges(title) if query.age is not None else []
    if ranges and not any(lo <= query.age < hi for lo, hi in ranges):  # "<subject> in children aged <a> to <b>"
        return f"the patient is {said} and the document is written for other ages ({title})"
    adult = query.age >= ADULT_AGE if query.age is not None else query.group == "adult"
    if adults and not children and not adult:
        return f"the patient is {said} and the document is written for adults"
    if children and not adults and adult:
        return f"the patient is {said} and the document is written for children"
    return None


def _age_said(age: float) -> str:
    """An age as a clinician says it: weeks in the first months, months in the first two years."""
    if age < 3 / 12:
        return f"{round(age * 365.25 / 7):g} weeks old"
    if age < 2:
        return f"{round(age * 12):g} months old"
    return f"{age:g} years old"


class ScopePolicy:
    def __init__(self, topic_min: float, topic_min_with_concept: float, related_margin: float = 0.1,
                 answer_types: AnswerTypes | None = None, min_shared: int = 2) -> None:
        self.topic_min = topic_min
        self.min_shared = min_shared
        self.topic_min_with_concept = topic_min_with_concept
        self.related_margin = related_margin
        self.answer_types = answer_types or default_answer_types()
        self.vocabulary = default_vocabulary()
        self.diseases = default_disease_names()

    def concepts(self, text: str) -> frozenset[str]:
        return self.vocabulary.concepts(text, TOPICAL_KINDS)

    def decide(self, query: Query, passages: list[ScoredChunk], sentence_vectors: dict[str, np.ndarray],
               qvec: np.ndarray, related: np.ndarray | None = None,
               corpus_idf: dict[str, float] | None = None,
               document_concepts: Callable[[str], frozenset[str]] | None = None,
               known_disease: Callable[[str], bool] | None = None,
               core_vector: np.ndarray | None = None,
               document_words: Callable[[str], frozenset[str]] | None = None,
               spelled_out: tuple[str, ...] = (),
               population: Callable[[str], StatedPopulation] | None = None,
               quoted_vectors: Sequence[np.ndarray] = (),
               names_subject: Callable[[str], bool] | None = None,
               case_vector: np.ndarray | None = None) -> ScopeDecision:
        """known_disease: does some indexed document use every word of this disease name (rag.diseases)?
        core_vector: a long vignette's asking part: a passage as close to it as to the whole is as much on topic;
        document_words: a document's (stemmed) content words: the rare terms a question shares with the answering
        document are counted over all of it, not only over the passages retrieval happened to return. spelled_out: the
        long forms of the question's capitalised shorthand (rag.abbreviations): one that is the answering document's
        title subject names it, as a rare name does. population: whom a document's statements of coverage say it is
        for (rag.coverage). quoted_vectors: the spans the question quotes, embedded. names_subject: does the question
        name one of a document's title subjects by every rare word of it (ScopePolicy.title_subjects)? case_vector:
        the vignette's case sentence (Query.case), embedded: a passage as close to it is as much on topic."""
        if not passages:
            return ScopeDecision(outcome="abstain", reasons=("nothing retrieved",))
        probes = [v for v in (qvec, core_vector, case_vector) if v is not None]
        scored = [(max(float(np.max(sentence_vectors[p.chunk.id] @ v)) for v in probes), p)
                  for p in passages if p.chunk.sentences]
        best, top = max(scored, key=lambda x: x[0]) if scored else (0.0, passages[0])
        document = passages[0].chunk.document_id
        # the subject, population and title checks are of the document that answers, whichever document holds the
        # closest sentence
        top = max((x for x in scored if x[1].chunk.document_id == document), key=lambda x: x[0],
                  default=(best, passages[0]))[1]
        topical = {c for c in query.concepts if self.vocabulary.kinds.get(c) in TOPICAL_KINDS}
        shared = tuple(sorted(topical & self.concepts(" ".join(p.chunk.text for p in passages[:3]))))
        base = {"similarity": round(best, 4), "shared_concepts": shared, "document_id": document}
        weight = self.shared_weight(self.vocabulary.distinct(shared))
        # "components of <SCORE-NAME>?": a rare name the corpus uses says what the question is about, though a
        # sentence encoder reads the acronym poorly
        # ... and so does the document's subject in shorthand ("can't be <ABBR>" beside "<Long form> (<ABBR>)
        # poisoning"), which neither the encoder nor the rare words read as the subject
        titled = content_words(top.chunk.title)
        title = self.concepts(top.chunk.title)
        kinds = self.vocabulary.kinds
        # (only a question below the plain topic floor needs naming the subject: most turns never read it)
        named = self.topic_min > best >= NAMED_TOPIC_MIN_SIMILARITY and (
            # ... and so does a question naming the document's subject in other words: a finding at a site its title
            # names, by their concepts ("<a finding> beside <a region>" of "<the finding> of <the region>"), however a
            # wrapper around it (a role-play, a newsletter) dilutes the sentence encoder's reading; not the words it
            # calls a source by ("your <title words> source lists a question about <another subject>")
            # (in a follow-up, by the conversation it continues: "What de plan then?" after a turn naming the subject)
            len(self.vocabulary.distinct(c for c in title & self.concepts(without_source_names(
                query.resolved if query.follow_up else query.focus)) if kinds.get(c) in _BODY_KINDS)) >= 2
            or self._known_rare_name(query, corpus_idf or {})
            or any(content_words(form) and content_words(form) <= titled for form in spelled_out)
            or _names_document(query.focus, titled)
            # ... and so does the document's own subject, named anywhere in the question by its rare words ("her two
            # boys have <subject> and now she has it too"), once a sentence is as close as shared concepts need
            or (best >= self.topic_min_with_concept and names_subject is not None and names_subject(document)))
        terms = self.rare_shared_terms(query, [p for p in passages if p.chunk.document_id == document][:3],
                                       corpus_idf or {}, document_words(document) if document_words else None)
        if terms:
            base["shared_terms"] = terms
        if best < self.topic_min and not named and not (
                weight >= self.min_shared and best >= self.topic_min_with_concept) and not rare_terms_enough(
                len(terms), best):
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: best passage similarity {best:.2f} with {len(shared)} shared clinical concepts",), **base)
        distinct = self.vocabulary.distinct
        about_subject = len(distinct(title & topical)) >= min(2, len(distinct(title))) > 0
        asking = QueryReader.asking(query.focus)
        off_subject = not title & self.concepts(asking)
        # (read only where it can decide: an asking sentence off the subject, or a weak match)
        unknown = self._unknown_terms(query, corpus_idf or {}) if off_subject or (
            best < self.topic_min and not about_subject) else []
        specialist = [w for w in unknown if len(w) >= SPECIALIST_TERM_LETTERS]
        if len(specialist) >= ASKED_UNKNOWN_TERMS and off_subject and _in_english(asking, besides=frozenset(unknown)):
            # a question whose asking sentence names several specialist terms nothing indexed knows, and nothing of
            # the document's subject, asks about something else, however the story around it names the subject
            # ("<the subject> is sorted now. ... Which is it most likely to be: <term>, <term> or <term>?"); an
            # asking sentence mostly in another language has words of its own no dictionary here knows
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: the question is about {', '.join(specialist)}, which no indexed document mentions",), **base)
        if best < self.topic_min and not about_subject and unknown:
            # accepted only on the weaker evidence (shared concepts, a rare name, rare terms), not about the document's
            # own subject, while naming a specialist term no indexed document, concept or English dictionary knows
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: the question is about {', '.join(unknown)}, which no indexed document mentions",), **base)
        # a question naming any of the top document's subject (a title concept or word) is about it, whatever else
        # it names ("could the <finding> be <a disease the guideline never names>?")
        # ... a word of its title that is not how things behave ("acute" is in many titles and says nothing of which)
        course = content_words(self.vocabulary.matched_text(top.chunk.title, self.vocabulary.role("course")))
        on_subject = bool(self._subject_concepts(top.chunk.title, title) & topical
                          or (content_words(top.chunk.title) - course) & content_words(query.focus) - _ASKING)
        foreign = self._foreign_diseases(query, known_disease) if not on_subject else []
        if foreign:
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: the question is about {', '.join(foreign)}, which no indexed document mentions",), **base)
        sibling = self._sibling_kind(query, passages)
        if sibling:
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: the question is about {sibling}, another kind than the document's",), **base)
        population = (_population_misfit(query, top.chunk.title,
                                         population(top.chunk.document_id) if population else None, corpus_idf)
                      or self._unaddressed_group(query, top, document_concepts))
        if population:
            return ScopeDecision(outcome="abstain", reasons=(f"topic: {population}",), **base)
        elsewhere = self._other_body_region(query, passages, document_concepts)
        if elsewhere:
            return ScopeDecision(outcome="abstain", reasons=(
                f"topic: the question is about the {elsewhere}, which no retrieved document concerns",), **base)
        # a question about the document's own subject (its title's concepts) is never one of its "related questions"
        # ... or names the title's head finding with another of its concepts ("a <finding> beside the <region>")
        head = next((c for c in self.vocabulary.concepts_in_order(top.chunk.title)
                     if self.vocabulary.kinds.get(c) == "finding"), None)
        # ... said of the patient or the question, not of the source named by its title ("can the <title words>
        # article answer <a related question>?")
        told = topical & self.concepts(without_source_names(query.resolved))
        own_subject = len(distinct(title)) >= 2 and (title <= told or (head in told
                                                                        and len(distinct(title & told)) >= 2))
        if related is not None and len(related) and not own_subject:
            # (a related question the asker quotes is matched on its own: "I noticed '<it>' listed ...")
            near = max(float(np.max(related @ v)) for v in (qvec, *quoted_vectors))
            if near >= 0.65 and near > best + self.related_margin:
                return ScopeDecision(outcome="abstain", reasons=(
                    f"topic: matches a listed related question ({near:.2f}), not clinical content",), **base)
        idf = corpus_idf or {}
        unnamed = self._unnamed(query, idf)
        if unnamed and not on_subject:
            # "what dose of <a medicine no document names>?" asked off the document's subject: what the document does
            # say is about something else (on its subject, what it says is the partial answer)
            return ScopeDecision(outcome="abstain", reasons=(
                f"answerability: the question asks for {self.answer_types.describe[query.answer_type]} of "
                f"{unnamed}, which no indexed document names",), **base)
        absent = self._asked_absent(query, document_words(document) if document_words else None,
                                    document_concepts(document) if document_concepts else None)
        if absent:
            return ScopeDecision(outcome="partial", reasons=(f"{NEVER_NAMED} {absent}",),
                                 missing=f"any advice on {absent}", **base)
        missing = self._missing(query, passages, idf.keys()) or (
            self.answer_types.describe[query.answer_type] if unnamed else None)
        if missing and unnamed:
            # "a dose of <a medicine no document names>"; "can I take <it>?": any advice on it
            missing = f"any advice on {unnamed}" if query.answer_type == "yes_no" else f"{missing} of {unnamed}"
        if missing:
            return ScopeDecision(outcome="partial", reasons=(f"answerability: no passage gives {missing}",),
                                 missing=missing, **base)
        return ScopeDecision(outcome="answer", reasons=(f"topic: similarity {best:.2f}",), **base)

    def _asked_absent(self, query: Query, words: frozenset[str] | None,
                      concepts: frozenset[str] | None) -> str | None:
        """"Does the <subject> guidance recommend <X>?" where the answering document never names X (by every word of
        it, or by a concept it reads): what the document says is around X, not of it. X, or None."""
        if words is None:
            return None
        for asked in self.answer_types.asked_whether_named(QueryReader.asking(query.focus)):
            # (its words a concept the document reads covers are named by that concept: "<a kind of care>" is named
            # by a document on that care; "<a specific form> of <a test>" is not named by the test alone)
            named = self.vocabulary.concepts(asked) & (concepts or frozenset())
            own = content_words(asked) - _ASKING - content_words(self.vocabulary.matched_text(asked, named))
            if not own or own <= words:
                continue
            return asked
        return None

    def answered_by_more(self, decision: ScopeDecision, query: Query, passages: list[ScoredChunk],
                         corpus_idf: dict[str, float]) -> ScopeDecision:
        """A partial answer whose missing value a passage found later for the question's other parts gives, about
        its focus ("..., should we hold the <drug>? What dose?": the dose is in the passage on the <drug>), is a
        whole answer."""
        if decision.outcome != "partial" or self._unnamed(query, corpus_idf) or any(
                r.startswith(NEVER_NAMED) for r in decision.reasons):  # (no other passage of it names the thing)
            return decision
        own = [p for p in passages if p.chunk.document_id == decision.document_id]
        if not own or self._missing(query, own, corpus_idf.keys()):
            return decision
        return decision.model_copy(update={"outcome": "answer", "missing": None, "reasons": (
            *decision.reasons, "answerability: a passage found for another part of the question gives it")})

    def addressed_without_value(self, decision: ScopeDecision, query: Query, said: Sequence[str]) -> ScopeDecision:
        """An answer made of the document's words for a patient its coverage leaves out ("does not cover: children
        under <a>, who are managed under <other guidance>"), to a question asking for a value none of them gives (a
        dose for that child): partial, the value not given."""
        # (the question's own type, or a part's: "is the plan the same as for other adults, and which rates in
        # pregnancy?")
        asked = [t for t in (query.answer_type, *query.part_types) if self.answer_types.evidence.get(t)]
        kind = next((t for t in asked if not any(self.answer_types.gives_value(t, text) for text in said)), None)
        if decision.outcome != "answer" or kind is None:
            return decision
        missing = self.answer_types.describe[kind]
        return decision.model_copy(update={"outcome": "partial", "missing": missing, "reasons": (
            *decision.reasons, f"answerability: the document's words for this patient do not give {missing}")})

    def value_left_out(self, decision: ScopeDecision, query: Query, limits: Sequence[str]) -> ScopeDecision:
        """An answer to a value question that quotes one of its document's statements of limits naming that kind of
        value of what the question asks about ("The doses and schedules of <drug>" for "what's the <drug> dose?";
        "The starting dose ... and reducing schedule of <class>" for "the starting dose and the reducing schedule?"):
        the document says it does not give it, so the answer is partial, whatever figure another sentence holds.
        limits: the answer's sentences that are statements of limits."""
        kind = query.answer_type
        if decision.outcome != "answer" or not self.answer_types.evidence.get(kind) or not limits:
            return decision
        owner = content_words(" ".join(query.owner))
        asked = (content_words(self.answer_types.without_cues(QueryReader.asking(query.focus), kind)) - _ASKING
                 - CHANGE_WORDS)
        for text in limits:
            if self.answer_types.classify(text) != kind:
                continue
            said = content_words(text) | classes_named(text)
            if _names_any(said, owner) if owner else said & asked:
                missing = self.answer_types.describe[kind]
                return decision.model_copy(update={"outcome": "partial", "missing": missing, "reasons": (
                    *decision.reasons, f"answerability: the document says it does not give {missing} of this")})
        return decision

    def led_by_limits(self, decision: ScopeDecision, query: Query, limits_first: bool) -> ScopeDecision:
        """An answer whose best sentence is one of its document's statements of limits (what the document leaves to
        other guidance): partial, what was asked not given (a value of the type asked, else any advice on it)."""
        if decision.outcome != "answer" or not limits_first:
            return decision
        missing = (self.answer_types.describe[query.answer_type] if self.answer_types.evidence.get(query.answer_type)
                   else LIMITS_MISSING)
        return decision.model_copy(update={"outcome": "partial", "missing": missing, "reasons": (
            *decision.reasons, "answerability: the closest sentence is one the document's limits leave to others")})

    def settled_by_emergency(self, decision: ScopeDecision, query: Query, emergency: bool) -> ScopeDecision:
        """A partial answer whose missing part a patient's emergency answers ("may he <carry on an activity> until
        the scan?" with emergency features: no, he needs emergency care now) is a whole answer."""
        if decision.outcome == "partial" and emergency and query.answer_type in self.answer_types.settled_by_emergency:
            return decision.model_copy(update={"outcome": "answer", "missing": None, "reasons": (
                *decision.reasons, "answerability: the patient's emergency answers it")})
        return decision

    def settled_by_plan(self, decision: ScopeDecision, query: Query, breaks_rule: bool) -> ScopeDecision:
        """A partial answer whose missing part the question's own plan settles ("can he work through the season and
        do his scan in April?": the plan puts off what the patient needs now, and the rule it breaks answers it) is a
        whole answer, as a patient's emergency settles it."""
        settled = query.answer_type in self.answer_types.settled_by_emergency
        if decision.outcome == "partial" and breaks_rule and settled:
            return decision.model_copy(update={"outcome": "answer", "missing": None, "reasons": (
                *decision.reasons, "answerability: the question's own plan breaks a rule, which answers it")})
        return decision

    def _subject_concepts(self, title: str, concepts: frozenset[str]) -> frozenset[str]:
        """The concepts that name a title's subject (not its course): a body region only when the title names nothing
        more than the region ("<region> <injury>" is not about every question on another part of the <region>: a part
        of the <region> is read as the <region>)."""
        kinds = self.vocabulary.kinds
        concepts = concepts - self.vocabulary.role("course")  # "acute": how it behaves, not what it is
        subject = frozenset(c for c in concepts if kinds.get(c) != "anatomy")
        if subject:
            return subject
        regions = frozenset(c for c in concepts if kinds.get(c) == "anatomy")
        said = content_words(self.vocabulary.matched_text(title, regions))
        rest = _subject_words(title) - said
        return regions if not rest else frozenset()

    def shared_weight(self, shared) -> int:
        """How much the clinical concepts a question shares with the passages say it is on their topic: a named
        test, treatment or medicine counts double."""
        return sum(2 if self.vocabulary.kinds.get(c) in ("object", "name") else 1 for c in shared)

    def _known(self, name: str, corpus_words) -> bool:
        """Do the indexed documents name this (a word of it, or a synonym the concept layer lists: a medicine's
        British or US name)?"""
        if content_words(name) & corpus_words:
            return True
        return any(content_words(p) and content_words(p) <= corpus_words
                   for c in self.vocabulary.concepts(name) for p in self.vocabulary.phrases.get(c, ()))

    def title_subjects(self, documents, title: Callable[[str], str], idf: dict[str, float]
                       ) -> dict[str, tuple[tuple[frozenset[str], ...], frozenset[str]]]:
        """Each document's title subjects (the title before any colon, each of its "<a> and <b>", less its population,
        setting and course words; a one-word subject only when the word is rarer still: "vomiting" is not one) and
        its title's rare words: what ScopePolicy.named_by_title matches a question against. They depend on the
        corpus, not the question: callers compute them once per index build."""
        if not idf:
            return {}
        level = self.rare_level(idf, TITLE_WORD_SHARE)
        strict = self.rare_level(idf, TITLE_SUBJECT_SHARE)
        course = self.vocabulary.role("course")

        def rare(text: str) -> frozenset[str]:
            said = _subject_words(text) - content_words(self.vocabulary.matched_text(text, course))
            return frozenset(w for w in said if idf.get(w, 0.0) >= level)

        out = {}
        for document_id in documents:
            head = _WHOM.sub(" ", _IN_SETTING.sub("", title(document_id).split(":", 1)[0]))
            subjects = tuple(dict.fromkeys(
                words for name in _other_names(head) for part in _TITLE_PARTS.split(name)
                if (words := rare(part) - _TITLE_GENERIC)
                and (len(words) > 1 or idf.get(next(iter(words)), 0.0) >= strict)))
            out[document_id] = (subjects, rare(title(document_id)))
        return out

    @staticmethod
    def named_by_title(query: Query, subjects: dict[str, tuple[tuple[frozenset[str], ...], frozenset[str]]],
                       spelled_out: Callable[[str], list[str]] = lambda text: []
                       ) -> tuple[str | None, Callable[[str], bool]]:
        """The one document one of whose title subjects (ScopePolicy.title_subjects) the question's asking part names
        by every rare word ("what dose of <drug> for an adult with <a title's subject>?", or in the documents' own
        shorthand), or None; and whether the asking part names any of a given document's title words. A document on
        another subject that happens to give the <drug>'s dose for its own patients does not answer for the one
        named."""
        asked = QueryReader.asking_part(query.affirmed or query.focus)
        asking = content_words(" ".join([asked, *spelled_out(asked)]))
        names = ScopePolicy.subject_namer(subjects, asking)
        named = [d for d in subjects if names(d)]
        if not named:
            # a guideline called by a rare word of its title ("what does the <word> guidance say?"): that one, where
            # no other title has the word
            called = frozenset().union(*_called(query))
            named = [d for d, (_, rare) in subjects.items() if called and called <= rare]
            if len(named) == 1:  # (called by name, it is the one asked about, whatever else the words name)
                only = named[0]
                return only, lambda document_id: document_id == only
            named = []
        if not named:
            # the patient's condition named before the asking part ("Patient with <a title's subject>, ... Is <drug>
            # OK?"): the question is that document's, not another's that gives the drug for its own patients
            told = query.affirmed or query.focus
            asking = content_words(" ".join([told, *spelled_out(told)]))
            names = ScopePolicy.subject_namer(subjects, asking)
            named = [d for d in subjects if names(d)]
        return ((named[0] if len(named) == 1 else None),
                lambda document_id: bool(subjects.get(document_id, ((), frozenset()))[1] & asking))

    @staticmethod
    def subject_namer(subjects: dict[str, tuple[tuple[frozenset[str], ...], frozenset[str]]],
                      said: set[str] | frozenset[str]) -> Callable[[str], bool]:
        """Whether these (stemmed) words name one of a document's title subjects (ScopePolicy.title_subjects) by every
        rare word of it."""
        return lambda document_id: any(words <= said for words in subjects.get(document_id, ((), frozenset()))[0])

    @staticmethod
    def rare_level(idf: dict[str, float], share: float) -> float:
        """The idf at or above which a word is in at most this share of the corpus's sentences (at least one)."""
        sentences = 1.5 * math.exp(max(idf.values()))  # idf = log(n / (df + 0.5)); the rarest word has df 1
        return math.log(sentences / (max(1.0, share * sentences) + 0.5))

    @staticmethod
    def rare_shared_terms(query: Query, passages: list[ScoredChunk], idf: dict[str, float],
                          used: frozenset[str] | None = None) -> tuple[str, ...]:
        """The question's words (less the asking words, with its shorthand's long forms) that the document uses
        (used: its words; else its top passages') and that occur in at most RARE_SHARE of the corpus's sentences;
        numbers do not count."""
        if not idf or not passages:
            return ()
        level = ScopePolicy.rare_level(idf, RARE_SHARE)
        # "<ion>+" is the documents' ion name; a follow-up is on the topic of the turn it continues ("<drug> dose?"
        # ... "done that, still <finding>. What now?")
        said = query.resolved if query.again else query.focus
        words = content_words(f"{said} {query.expanded}") - _ASKING
        if used is None:
            used = content_words(" ".join(p.chunk.text for p in passages))
        return tuple(sorted(w for w in words & used if not w.isdigit() and idf.get(w, 0.0) >= level))

    def _unknown_terms(self, query: Query, idf: dict[str, float]) -> list[str]:
        """Specialist words of the asking sentence that neither the corpus, the concept vocabulary nor an English
        dictionary knows (a disorder or a drug the corpus never names): long plain words, not shorthand or codes."""
        if not idf:
            return []
        out = []
        typed = {t.lower() for t, _ in query.read_as}  # a brand or shorthand read as a name the documents write out
        asking = QueryReader.asking(query.focus)
        # whom the asker addresses ("<Name>, can I ...?", "... is it safe, <Name>?") is no term of the question
        addressed = {name.lower() for pair in _VOCATIVE.findall(asking) for name in pair if name}
        for w in re.findall(r"(?<![#@])\b[A-Za-z][a-z]{5,}\b", asking):
            low = w.lower()
            if (low in addressed or low in typed or content_words(low) & idf.keys() or self.vocabulary.concepts(low)
                    or known_english(low) or known_english(american(low)) or _class_indexed(low, idf.keys())):
                continue
            out.append(low)
        return out

    @staticmethod
    def _sibling_kind(query: Query, passages: list[ScoredChunk]) -> str | None:
        """A compound kind of a retrieved document's own subject that the document never names ("<X>-acquired
        <subject>" asked of a guideline on "<Y>-acquired <subject>"): another kind of the same thing, not covered by
        it (whichever retrieved document's passage happens to be closest)."""
        for document in dict.fromkeys(p.chunk.document_id for p in passages):
            own = [p for p in passages if p.chunk.document_id == document]
            titled = {m.group(3).lower(): m.group(0).lower() for m in _COMPOUND_KIND.finditer(own[0].chunk.title)}
            if not titled:
                continue
            text = " ".join(p.chunk.text.lower() for p in own)
            for m in _COMPOUND_KIND.finditer(query.focus):
                asked, kind = m.group(0).lower(), titled.get(m.group(3).lower())
                if kind and asked != kind and f"{m.group(1).lower()}-{m.group(2).lower()}" not in text:
                    return asked
        return None

    def subject_document_first(self, passages: list[ScoredChunk], query: Query,
                               outvoted: Callable[[str, str], bool] = lambda document, other: False
                               ) -> list[ScoredChunk]:
        """A question naming the subject of one retrieved document's title and not of the closest passage's ("<care>
        before the cause of the <finding> is known", where another document is about <care> for patients without
        it) is about that document: its passages go first (in their retrieval order otherwise). outvoted(document,
        other): does the other document use far more of the question's rare words (the rare-word vote)? A subject
        read from the concept layer alone does not overrule that ("<finding A>, <symptoms of an organ>": a guideline
        on <finding A> in another disease is not the organ's)."""
        vocabulary = self.vocabulary
        # a disease the question names that a retrieved document's title names ("<disease> over the lower back, now a
        # fluctuant swelling") says which document it is about, however many words another shares: the concept layer
        # knows some subjects far better than others, the disease ontology names them all
        # ... stated, not wondered about: "is this just <disease>?" asks whether the patient has it
        diseases = set(self.diseases.find(_HYPOTHESIS.sub(" ", query.affirmed or query.focus)))
        # ... and so does a title's subject by its initials ("<ABC> stage 1, which drugs to hold?" beside a guideline
        # titled "<A...> <B...> <C...>")
        acronyms = {a.lower() for a in _ACRONYM.findall(query.focus) if not vocabulary.concepts(a)}
        titles = {p.chunk.document_id: p.chunk.title for p in passages}  # in retrieval order
        named_by_title = [d for d, title in titles.items()
                          if diseases & set(self.diseases.find(title)) or acronyms & _initials(title)]
        if passages[0].chunk.document_id in named_by_title:
            return passages
        document = next(iter(named_by_title), None)
        if document is not None:
            return document_first(passages, document)
        # what the question is about (findings, conditions), not how they behave ("acute", "new") nor what it denies
        asked = {c for c in query.concepts - query.denied - vocabulary.role("course")
                 if vocabulary.kinds.get(c) in ("finding", "condition")}
        if not asked:
            return passages
        # a title's disease the question does not name says nothing of the question's broader words: "(suspected
        # <disease>)" in a title is no reason to answer "is this <class of disease>?" from it
        named: dict[str, int] = {}
        for p in passages:
            if p.chunk.document_id not in named:
                subject = self.diseases.without(p.chunk.title, diseases)
                named[p.chunk.document_id] = len(vocabulary.distinct(self.concepts(subject) & asked))
        document = max(named, key=named.get)  # the first of the best, in retrieval order
        if named[document] <= named[passages[0].chunk.document_id] or outvoted(document, passages[0].chunk.document_id):
            return passages
        return document_first(passages, document)

    def rare_words_document_first(self, passages: list[ScoredChunk], query: Query, idf: dict[str, float],
                                  document_words: Callable[[str], frozenset[str]]) -> list[ScoredChunk]:
        """The retrieved document that uses far more of the question's rare words than the closest one does is the
        one it is about, whatever the concept layer knows of either subject ("new temporal <symptom>, jaw pain on
        chewing, <marker> pending: wait before starting <drug>?" shares one common word with a guideline on another
        cause of the <symptom>, five rare ones with its own): its passages go first. Rare: in at most
        VOTE_SHARE of the corpus's sentences, weighed by rarity; far more: at least VOTE_MARGIN times as much.
        document_words: a document's (stemmed) content words, anywhere in it."""
        if not idf or len({p.chunk.document_id for p in passages}) < 2:
            return passages
        used = self.rare_votes(query, idf, document_words, dict.fromkeys(p.chunk.document_id for p in passages))
        weight = {d: sum(idf[w] for w in ws) for d, ws in used.items()}
        first = passages[0].chunk.document_id
        best = max(weight, key=weight.get)
        if not self.outvotes(used, idf, best, first):
            return passages
        return document_first(passages, best)

    def rare_votes(self, query: Query, idf: dict[str, float], document_words: Callable[[str], frozenset[str]],
                   documents) -> dict[str, frozenset[str]]:
        """Each document's votes: the question's rare words it uses (ScopePolicy.rare_words_document_first)."""
        level = self.rare_level(idf, VOTE_SHARE)
        # a follow-up is about what the turn it continues named too ("<drug>'s range?" ... "can I restart it?"); what
        # the question denies ("no <finding>") votes for no document: a document about it is not about this patient
        said = query.resolved if query.again else (query.affirmed or query.focus)
        said = _DENIED_WORD.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)], said)
        # (an everyday English word is rare in a small corpus by chance: "anyone", "rather" and "whole" name no subject;
        # one the concept layer reads as a body part or a finding still does)
        everyday = content_words(" ".join(w for w in _WORDS.findall(said)
                                          if everyday_english(w) and not self.vocabulary.concepts(w, _BODY_KINDS)))
        words = {w for w in content_words(said) - _ASKING - everyday if not w.isdigit() and idf.get(w, 0.0) >= level}
        return {d: frozenset(document_words(d) & words) for d in documents}

    @staticmethod
    def outvotes(used: dict[str, frozenset[str]], idf: dict[str, float], document: str, other: str) -> bool:
        """Does the document use far more of the question's rare words than the other (at least VOTE_MARGIN times
        their weight, and VOTE_MIN_WORDS of them)?"""
        weight = {d: sum(idf[w] for w in used[d]) for d in (document, other)}
        return (document != other and weight[document] >= VOTE_MARGIN * weight[other]
                and len(used[document]) >= VOTE_MIN_WORDS)

    def denied_subject_last(self, passages: list[ScoredChunk], query: Query,
                            long_forms: Callable[[str], list[str]] = lambda text: [],
                            idf: dict[str, float] | None = None,
                            votes: Callable[[list[str]], dict[str, frozenset[str]]] | None = None) -> list[ScoredChunk]:
        """A document whose title's head finding the question denies ("..., no <finding>, <system> normal: <test>?"
        beside a guideline on that <finding>) is not about this patient: the closest retrieved document whose subject
        the question names (else the closest whose subject it does not deny) answers first. long_forms: the long
        forms of shorthand, the documents' own included (rag.abbreviations); votes: ScopePolicy.rare_votes."""
        # ... and one whose title's acronym the question says the patient's condition is not ("the doctor said 'this
        # is not <ACRONYM>, it is another one'"): the concept layer need not know the disease
        # (by the acronym in the title, or by the long form the documents write it out as: long_forms)
        said_not = {m.group(1) for m in _NOT_ACRONYM.finditer(query.focus)}
        if said_not:
            forms = [content_words(f) for t in said_not for f in long_forms(t)]

            def denied(title: str) -> bool:
                return bool(set(re.findall(r"\b[A-Z]{2,}\b", title)) & said_not) or any(
                    f and f <= content_words(title) for f in forms)
            first = {p.chunk.document_id: p.chunk.title for p in passages}
            if denied(passages[0].chunk.title):
                allowed = [d for d, title in first.items() if not denied(title)]
                if allowed and votes is not None and idf:
                    # (of the others, the one using most of the question's rare words: the order retrieval found them
                    # in was led by the denied subject's words)
                    used = votes(allowed)
                    allowed.sort(key=lambda d: -sum(idf.get(w, 0.0) for w in used[d]))
                if allowed:
                    return document_first(passages, allowed[0])
        if not query.denied:
            return passages
        heads = {p.chunk.document_id: self._title_head(p.chunk.title) for p in passages}  # in retrieval order
        if heads[passages[0].chunk.document_id] not in query.denied:
            return passages
        allowed = [d for d, head in heads.items() if head not in query.denied]
        other = next((d for d in allowed if heads[d] in query.concepts), allowed[0] if allowed else None)
        if other is None:
            return passages
        return document_first(passages, other)

    def _title_head(self, title: str) -> str | None:
        """The finding a title is about ("<finding> and <symptom>": the first named), not how it behaves."""
        course = self.vocabulary.role("course")
        return next((c for c in self.vocabulary.concepts_in_order(title)
                     if self.vocabulary.kinds.get(c) == "finding" and c not in course), None)

    def declines(self, query: Query, names: Callable[[Sequence[Exclusion]], bool],
                 exclusions: Callable[[str], tuple[Exclusion, ...]],
                 title: Callable[[str], str] = lambda document_id: "",
                 population: Callable[[str], StatedPopulation | None] = lambda document_id: None,
                 idf: dict[str, float] | None = None) -> Callable[[str], bool]:
        """Does a document say it leaves the question's subject to other guidance ("<region> masses are outside its
        scope"; rag.coverage), or does its title's population, or its own statement of whom it covers, leave out the
        patient ("<subject> in children" for a 52-year-old; "covers babies born at <n> weeks or later")? names: the
        question's reading of items of limits (ScopePolicy.excluded_by)."""
        # (an item whose statement says what to do for its patients, naming no other guidance, is answered by the
        # document itself: Pipeline._addressing)
        # a document the question calls by its title ("does your <title words> guideline cover her?") is asked about
        # itself: its own statement of whom it leaves out answers, not another document's advice
        called = _called(query)
        return lambda document_id: not any(c and c <= frozenset(content_words(title(document_id)))
                                           for c in called) and (
            names([x for x in exclusions(document_id) if x.handed_to or not x.advice])
            or bool(_population_misfit(query, title(document_id), population(document_id), idf)))

    @staticmethod
    def advised_items(names: Callable[[Sequence[Exclusion]], bool], items: Sequence[Exclusion]) -> list[Exclusion]:
        """The items of a document's limits that leave out the question's patient and say what to do for them,
        naming no other guidance to do it."""
        return [x for x in items if x.advice and not x.handed_to and names((x,))]

    def excluded_by(self, query: Query) -> Callable[[Sequence[Exclusion]], bool]:
        """Does the question name every finding and region (and the words) of one of these items of limits? Made
        once per turn: the one reading of the question that declines, handed_to and advised_items share."""
        named = frozenset(c for c in query.concepts - query.denied if self.vocabulary.kinds.get(c) in ITEM_KINDS)
        words = frozenset(content_words(query.focus))
        return lambda items: bool(named) and excluded(named, tuple(items), words, query.denied, query.age)

    @staticmethod
    def handed_to(names: Callable[[Sequence[Exclusion]], bool], items: Sequence[Exclusion],
                  titles: dict[str, str]) -> str | None:
        """The indexed document a declining document's own statement hands the question's patient to ("<patients>,
        who are managed under the <subject> guidance"): the one whose title holds every subject word the statement
        names; None when the matching item names no guidance, or none is indexed under that name."""
        for item in items:
            if item.handed_to and names((item,)):
                found = [d for d, t in titles.items() if item.handed_to <= frozenset(content_words(t))]
                if len(found) == 1:
                    return found[0]
        return None

    @staticmethod
    def successor(wider: list[ScoredChunk], query: Query, title: Callable[[str], str], idf: dict[str, float],
                  declined: str, population: Callable[[str], StatedPopulation | None] = lambda document_id: None,
                  votes: Callable[[list[str]], dict[str, frozenset[str]]] | None = None) -> str | None:
        """The document that answers in place of a declining one: the closest whose title names something the question
        does (a word rare in the corpus: "management" names nothing); else, where the subject was declined (not the
        patient), the closest of all. A document declined for its population is not replaced by one on another
        subject for the same patient when the question names its subject (a question on <subject> in a child is not
        answered from "<other subject> in children"), nor by one that uses less of the question's rare words than it
        (votes: ScopePolicy.rare_votes; without them, by none)."""
        asked = content_words(query.focus) - _ASKING
        level = ScopePolicy.rare_level(idf, TITLE_WORD_SHARE) if idf else 0.0
        # (a title word the declining document's title shares names the subject it hands over, not another's:
        # "<kind A> <subject>" does not take what "<subject> of <kind B>" leaves to other guidance)
        handed = _subject_words(title(declined))

        def names(document: str, every: bool = False) -> bool:
            rare = {w for w in _subject_words(title(document)) - (handed if document != declined else frozenset())
                    - _unshouted(title(document), query.focus) if idf.get(w, 0.0) >= level}
            return bool(rare & asked) and (not every or rare <= asked)

        for document in dict.fromkeys(p.chunk.document_id for p in wider):
            if names(document):
                return document
        by_population = bool(_population_misfit(query, title(declined), population(declined), idf))
        # only a subject the question names in full, or one whose words it uses more than the closest other's, holds
        # the patient to it: a document retrieval put first on likeness and a shared word ("suddenly" beside "sudden
        # <condition> in adults") is not what a child's question is about
        if not wider or by_population and (votes is None or names(declined, every=True)):
            return None
        other = wider[0].chunk.document_id
        if by_population:
            used = votes([declined, other])
            if sum(idf.get(w, 0.0) for w in used[other]) < sum(idf.get(w, 0.0) for w in used[declined]):
                return None
        return other

    @staticmethod
    def declined_document_last(passages: list[ScoredChunk], declines: Callable[[str], bool], query: Query,
                               title: Callable[[str], str], idf: dict[str, float]) -> list[ScoredChunk]:
        """A document that declines the question does not answer it while a retrieved one that does not decline it
        can (ScopePolicy.successor): that one's passages go first."""
        other = ScopePolicy.successor([p for p in passages if not declines(p.chunk.document_id)], query, title, idf,
                                      passages[0].chunk.document_id)
        if other is None:
            return passages
        return document_first(passages, other)

    def _unaddressed_group(self, query: Query, top: ScoredChunk,
                           document_concepts: Callable[[str], frozenset[str]] | None) -> str | None:
        """A patient in a group the answering document never mentions (the vocabulary's `population`
        role): its advice is for other patients and may not be safe for them."""
        if document_concepts is None:
            return None
        groups = (query.concepts & self.vocabulary.role("population")) - query.denied
        unaddressed = sorted(groups - document_concepts(top.chunk.document_id))
        if not unaddressed:
            return None
        names = " or ".join(self.vocabulary.labels.get(c, c) for c in unaddressed)
        return f"the patient's {names} is not addressed by the document"

    def _foreign_diseases(self, query: Query, known_disease: Callable[[str], bool] | None) -> list[str]:
        """The diseases the asking sentences name when no indexed document knows any of them ("should a child with
        <disease B> have <treatment>?" of a guideline on <disease A>); [] when any disease the question names is one
        the documents know (then the others are its context: "<a known disease> in a patient with <another>")."""
        if known_disease is None:
            return []
        named = self.diseases.find(QueryReader.asking(query.focus))
        if not named:
            return []
        everywhere = self.diseases.find(query.focus)
        if any(known_disease(d) for d in [*named, *everywhere]):
            return []
        return list(dict.fromkeys(named))

    def _other_body_region(self, query: Query, passages: list[ScoredChunk],
                           document_concepts: Callable[[str], frozenset[str]] | None) -> str | None:
        """The body regions the question names, when none of them is one any retrieved document names anywhere
        (a question about one region asked of a guideline about another), else None. Shared words ("palpable",
        "lump", "first imaging") make such a question look close; the region says what it is about."""
        if document_concepts is None:
            return None
        # a long vignette's history ("3 weeks after a knee arthroscopy") is not what it asks about
        asked = self.vocabulary.concepts(query.core) if query.core else query.concepts
        regions = ({c for c in asked if self.vocabulary.kinds.get(c) == "anatomy"}
                   - self._sites(query.core or query.focus))
        if not regions:
            return None
        covered = frozenset().union(*(document_concepts(d) for d in {p.chunk.document_id for p in passages}))
        if regions & covered:
            return None
        if query.core and self._located_regions(query.focus) & covered:
            # the vignette locates a finding where a retrieved document does ("<finding> over <region A> ... and
            # <finding> in <region B>: what does each point to?"): the asking part's other region is the same patient's
            return None
        regions &= self._located_regions(query.core or query.focus)
        if not regions:
            return None
        if query.follow_up and query.resolved.endswith(query.focus) and not (
                regions & self.vocabulary.concepts(" ".join(s for s in split_sentences(query.focus)
                                                            if s.rstrip().endswith("?")))) \
                and self._located_regions(query.resolved[:-len(query.focus)]) & covered:
            # a follow-up whose question names no region stays where its conversation is ("The <finding> was
            # <another resident>'s, with his <region> infection. So for <the patient>, what is the plan?")
            return None
        return " and ".join(sorted(self.vocabulary.labels.get(c, c.split(".", 1)[-1]) for c in regions))

    def _sites(self, text: str) -> frozenset[str]:
        """The body regions a text names only as where something is given ("they'll give me an injection in the
        <region>"): the site, not what the question is about."""
        _, mentions = self.vocabulary.mentions(text)
        administration = self.vocabulary.role("administration")
        given = [m.end for m in mentions if m.concept in administration]
        regions = [m for m in mentions if self.vocabulary.kinds.get(m.concept) == "anatomy"]
        sites = {m.concept for m in regions if m.start in given}
        return frozenset(sites - {m.concept for m in regions if m.start not in given})

    def _located_regions(self, text: str) -> frozenset[str]:
        """The body regions a text names where it locates a finding (a finding in the same stretch between
        punctuation: "a <finding> in the <region>"), or all it names when it names no finding ("and for the <region>?"):
        "<medicine> for his <region>" in a medication list is history, not what is asked about."""
        kinds = self.vocabulary.kinds
        tokens, mentions = self.vocabulary.mentions(text)
        regions = [m for m in mentions if kinds.get(m.concept) == "anatomy"]
        findings = [m for m in mentions if kinds.get(m.concept) in ("finding", "condition")]
        if not findings:
            return frozenset(m.concept for m in regions)

        def stretch(position: int) -> int:
            return sum(1 for t in tokens[:position] if t.is_punct)
        located = {stretch(f.start) for f in findings}
        return frozenset(m.concept for m in regions if stretch(m.start) in located)

    def _names(self, query: Query, anywhere: bool = False) -> list[str]:
        """Names in the asking sentences (or, with anywhere, the whole focus): acronyms, words with inner capitals,
        drug-name stems (answer_types.yaml)."""
        stems = self.answer_types.name_stems
        # the focus keeps the asker's letter case (asked is normalised to lower case)
        text = query.focus if anywhere else QueryReader.asking(query.focus)
        asked = re.split(r":\s", text)[-1]
        if not anywhere and len(asked.split()) >= 4:
            # "Teaching the <staff> for a session: how much <drug> ...?": the framing before the colon names no entity
            # of the question after it
            text = asked
        return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]+", text)
                if w.isupper() and len(w) >= 3 or any(c.isupper() for c in w[1:])  # "ABC", "aBC", "ABC-65"
                or w.lower().endswith(stems)]  # not "Non-invasive": a capital first letter is the sentence's

    def _known_rare_name(self, query: Query, idf: dict[str, float]) -> bool:
        """Does the question name something only a few indexed sentences use (so it is what they are about)?"""
        if not idf:
            return False
        rare = max(idf.values()) - RARE_IDF_MARGIN
        # a name anywhere in the question says what it is about ("<SCORE-NAME> of 0, ... which <treatment>?")
        return any(idf.get(w, 0.0) >= rare for name in self._names(query, anywhere=True) for w in content_words(name)
                   if not w.isdigit())

    def _unnamed(self, query: Query, idf: dict[str, float]) -> str | None:
        """What a question for a specific value is about, when the corpus never names it (a drug, a score, a lab
        value: "anakinra dose", "SINS score", "eGFR 28"; or the owner of a dose, "a dose of <drug>"): it cannot be
        answered from the corpus, whatever else matches. A name is an acronym, a mixed-case word, or a word with a
        drug-name stem (answer_types.yaml)."""
        if not idf:
            return None
        if query.answer_type == "yes_no":
            # "is <a medicine no document names> indicated?", "can I give <it>?": no document says yes or no of it
            asking = QueryReader.asking(query.focus)
            asked = {(m.group(1) or m.group(2)).lower() for m in _WHETHER_GIVEN.finditer(asking)}
            unknown = [w for w in self._unknown_terms(query, idf) if w in asked]
            # ... or a medicine the class list knows, which no document names by itself or by its class ("can I
            # take <an anti-inflammatory> till then?" of a guideline that names no anti-inflammatory): the concept
            # layer may know the word, the documents still say nothing of it
            # ... where the question asks of it alone: beside a test or a finding ("give <it> and rest, and scan only
            # if the pain hasn't settled?") it is a plan the documents may well judge
            kinds = ("object", "finding", "anatomy")
            medicines = {w for w in asked if w not in unknown and _unindexed_medicine(w, idf.keys())}
            named = {c for c in self.vocabulary.concepts(asking) if self.vocabulary.kinds.get(c) in kinds}
            if medicines and not named - self.vocabulary.concepts(" ".join(medicines)):
                unknown += sorted(medicines)
            return " and ".join(unknown) if unknown else None
        if query.answer_type not in VALUE_TYPES:
            return None
        named = " ".join(query.owner) if query.answer_type in OWNED_TYPES else ""
        if content_words(named) and not self._known(named, idf.keys()):
            return named
        # ... or the word before it that no document uses ("<unknown word> <known word> <known form> dose": the
        # documents' doses of the <known form> are of other things)
        before = query.owner_preceded_by if query.answer_type in OWNED_TYPES else ""
        if before.isalpha() and content_words(before) and not self._known(before, idf.keys()):
            return f"{before} {named}"
        # whose value it is, every word of it indexed: a name in another of the turn's questions asks that question
        # ("<drug> dose? <acronym no document uses> first?"), one in the same sentence qualifies this one
        own = (next((x for x in split_sentences(QueryReader.asking(query.focus))
                     if content_words(named) & content_words(x)), None)
               if content_words(named) and content_words(named) <= idf.keys() else None)

        def in_question(name: str) -> bool:
            return own is None or bool(content_words(name) & content_words(own)) or name.lower() in own.lower()
        # shorthand the concept layer reads (an abbreviation the vocabulary lists) names no new entity
        names = [w for w in self._names(query) if not self.vocabulary.concepts(w) and in_question(w)]
        unknown = [w for w in names if content_words(w) and not (content_words(w) & idf.keys())  # "IM": too short
                   and not any(typed == w for typed, _ in query.read_as)]
        # ... and a specialist word no document, concept or dictionary knows, asked about in the asking sentence (a
        # medicine named without a stem the list knows): its value cannot be in the documents either
        unknown += [w for w in self._unknown_terms(query, idf) if w not in {u.lower() for u in unknown}
                    and in_question(w)]
        # (the answer type's own word names what is asked, not whose it is: "what <criteria> and timeframe ...?")
        unknown = [w for w in unknown if content_words(self.answer_types.without_cues(w, query.answer_type))]
        return " and ".join(unknown) if unknown else None

    def _missing(self, query: Query, passages: list[ScoredChunk], corpus_words=frozenset()) -> str | None:
        """What the question asks for that no passage about its focus holds, or None. corpus_words: the indexed
        documents' (stemmed) words."""
        holds = self.value_reader(query, corpus_words)
        if holds is None:
            return None
        # the passages the answer would draw on: the answering document's retrieved passages
        if any(holds(p.chunk) for p in passages if p.chunk.document_id == passages[0].chunk.document_id):
            return None
        return self.answer_types.describe[query.answer_type]

    def value_reader(self, query: Query, corpus_words=frozenset()) -> Callable[..., bool] | None:
        """Whether a chunk holds a sentence giving the value the question asks for (its answer type), attached to
        the question's focus and to whose value it is; None when the answer type is no value. holds(chunk, by_name):
        by_name, only a sentence
        that names whose value it is, by its name or by the class the question asks for ("<a medicine of the class>
        <dose>" for "which <class>, what dose?"): a passage retrieval did not find must be tied to the question by
        more than a shared word."""
        patterns = self.answer_types.evidence.get(query.answer_type) or []
        if not patterns:
            return None
        # what the asking sentence names, with the plain names of what it says in shorthand (shorthand read
        # as a concept), less the document's own subject (its title's words are in every sentence): "what dose of
        # <drug B>?" is not answered by a dose of <drug A> in a guideline about <drug A>
        labels = query.labels
        asking = self.answer_types.without_cues(QueryReader.asking(query.focus), query.answer_type)  # not "dose"
        # nor the doing ("should I give"): what is given is the question
        # ... nor a change asked of it ("any change to the dose?")
        asked = (content_words(f"{asking} {labels}") - _ASKING - CHANGE_WORDS
                 - content_words(self.vocabulary.matched_text(asking, {"action.do"})))
        asked |= content_words(" ".join(query.owner))  # whose value it is, in its plain words too (rag.query)
        # ... and its shorthand as the documents write it out ("<abbr> drops: how long?" of "<long form> for 7 days")
        asked |= content_words(" ".join(f for t, f in query.read_as
                                        if re.search(rf"(?<!\w){re.escape(t)}(?!\w)", asking, re.IGNORECASE)))
        if not content_words(asking) - _ASKING - CHANGE_WORDS:
            # an asking part that names nothing ("<the story>. What needs to happen, and how quickly?"): what the story
            # names is the focus (the whole, below), not the plain labels of it alone
            asked = set()
        whole = content_words(f"{query.focus} {labels}") - _ASKING
        units = [u for u, rx in _RATE_IN.items() if rx.search(asking)]
        # whose value it is ("a dose of <drug B>"): a value for something else does not answer it, and one the
        # documents never name (nor any other name of it) cannot be in them
        named = " ".join(query.owner) if query.answer_type in OWNED_TYPES else ""
        owner = content_words(named)
        owner &= corpus_words  # (a value of something no document names: _unnamed, in decide)
        if not owner and query.answer_type in OWNED_TYPES:
            # "should <drug> be given, and at what dose?": the names the question gives (a drug, a score) are whose
            # value it asks, when no "<value> of <x>" says so
            stems = self.answer_types.name_stems  # a medicine by its name's stem; an acronym ("IV") names none
            owner = content_words(" ".join(n for n in self._names(query) if not self.vocabulary.concepts(n)
                                           and n.lower().endswith(stems))) & set(corpus_words)
        drug_owner = bool(owner) and any(o.lower().endswith(self.answer_types.name_stems) for o in query.owner)
        # the disease whose value it is, when it is not the document's own ("a starting dose for isolated <disease B>"
        # asked of a guideline on <disease A> that names <B> among its symptoms): a value for <A> does not answer it
        diseases = [content_words(d) for d in self.diseases.find(asking)]
        # ... and the activity it is asked of ("how long must he keep off <an activity>?"): a time for something else
        # does not answer it
        # (of the part that asks for the value, where the turn asks several: "When should <drug> start, and what
        # rate?" asks the time in a part of its own)
        own_part = next((p for p, t in zip(query.parts, query.part_types, strict=True) if t == query.answer_type),
                        None)
        qualifying = self.answer_types.qualifying(own_part or QueryReader.asking(query.focus), query.answer_type)
        # ... and the named measure it asks ("the five-year survival percentage"): a figure for another does not
        measures = self.answer_types.measures_named(QueryReader.asking(query.focus), query.answer_type)

        findings = frozenset({"finding"})
        told = self.vocabulary.concepts(query.focus, findings)

        def holds(chunk, by_name: bool = False) -> bool:
            # (the title's subject, before a colon: what follows lists what the document covers, "<subject>:
            # recognition, fluids first, cautious <drug> ...", and a value of those is what a question asks)
            title = content_words(chunk.title.split(":")[0])
            focus = (asked - title) or (whole - title) or whole
            heading = content_words(chunk.section[-1]) if chunk.section else set()
            lead: set[str] = set()
            for s in chunk.sentences:  # a list item is about its heading too ("Duration ...: 3 months")
                # ... and about its lead-in ("<Drug> is the preferred antidote:" then "Loading dose 15 mg/kg ...")
                if not s.bullet:
                    lead = content_words(s.text) if s.text.rstrip().endswith(":") else set()
                # ... and a medicine it names is of its class ("<a corticosteroid> <dose>" answers a steroid dose)
                classes = classes_named(s.text)
                said = content_words(f"{s.text} {s.label}") | heading | classes | (lead if s.bullet else set())
                if by_name and not ((owner and _names_any(said, owner)) or classes & focus):
                    continue
                # (a sentence naming the medicine whose value it is, and giving it, is about the question's focus:
                # "<drug> regimen, start to finish?")
                if ((said & focus or drug_owner and _names_any(said, owner))
                        and (not owner or _names_any(said, owner) or owner <= title)
                        and all(d <= said or d <= title for d in diseases)
                        and all(m <= said for m in measures)
                        # (a value for patients with a factor the question does not name, in its words or by a
                        # finding the concept layer reads, answers another question)
                        and (not (factor := self.answer_types.conditioned_on(s.text)) or content_words(factor) & whole
                             or told & self.vocabulary.concepts(factor, findings))
                        and self.answer_types.gives_value(query.answer_type, s.text)
                        and all(self.answer_types.gives_value(q, f"{' '.join(chunk.section[-1:])} {s.text}")
                                for q in qualifying)
                        and all(_RATE_IN[u].search(s.text) or (u in _RATE_ALSO and _RATE_ALSO[u].search(s.text))
                                for u in units)):
                    return True
            return False
        return holds
