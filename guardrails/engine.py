"""Judge a draft answer with the clinical packs whose scope applies: deterministic, frame-based.

Input rails read the question and every user turn (emergency features, instructions to the system);
output rails read each draft sentence into recommendation frames and test the packs' rule predicates
on them, then the whole answer (answer-level rules). A pack whose scope does not hold is silent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from guardrails import strict_yaml
from guardrails.concepts import VOCABULARY_FILE, Vocabulary, clean, default_vocabulary, normalize, tokenize
from guardrails.frames import DENIALS, Frame, FrameReader, ReadSentence, covered_tokens, opens_with_rejection
from guardrails.rules import (
    DERIVED_CONDITIONS,
    PACKS_DIR,
    PSEUDO_OBJECTS,
    Pack,
    PlacedElsewhere,
    Predicate,
    Rule,
    load_packs,
)
from guardrails.sentences import quoted_spans, split_citations, split_sentences

Action = Literal["pass", "revise", "block", "escalate"]
BLOCK_KEEP_SHARE = 0.25  # below this share of the draft's text surviving, the answer is replaced, not patched
MAX_SENTENCE_TOKENS = 80  # a longer "sentence" is read in windows: what one sentence can cost is bounded
INSTRUCTIONS_FILE = Path(__file__).resolve().parent / "concepts" / "instructions.yaml"


# a verb's negation in a history ("he has not lost <a>", "she didn't have <b>"): a denial, like "no <a>"; not a
# modal's ("he can't feel <c>" is a deficit) nor a copula's ("is not able to <d>")
_AUXILIARY = frozenset({"has", "have", "had", "does", "did", "do"})
_AUXILIARY_NEGATED = frozenset({"hasn't", "haven't", "hadn't", "doesn't", "didn't", "don't", "does not", "did not",
                                "do not"})


def _denies(rs, cue) -> bool:
    """Does this negation cue deny what follows as a history does ("no <a>", "denies <b>", "has not had <c>",
    "didn't have <d>"), rather than correct what came before ("<x>, not <y>")?"""
    if cue.text in DENIALS or cue.text in _AUXILIARY_NEGATED:
        return True
    return cue.text == "not" and cue.start > 0 and rs.tokens[cue.start - 1].text in _AUXILIARY


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DraftSentence(Model):
    text: str
    cites: tuple[int, ...] = ()
    # a bibliographic record quoted verbatim ("Reference 8: <title> (<journal>, <year>)"): shown as it is, never
    # read as advice, whatever its title or journal names
    record: bool = False


class RuleViolation(Model):
    rule_id: str
    message: str
    span: str
    severity: str
    pack: str = ""
    sentence: int | None = None  # index into the draft's sentences; None for answer-level rules
    pattern: str = ""  # which predicate of the rule matched ("when[2]"), for review


class SafeSentence(Model):
    text: str
    cites: tuple[int, ...] = ()
    source: Literal["draft", "mandated"] = "draft"
    rule_id: str | None = None
    grounding: str | None = None


class Verdict(Model):
    action: Action
    violations: tuple[RuleViolation, ...]
    rules_version: str
    sentences: tuple[SafeSentence, ...]
    packs: tuple[str, ...] = ()  # the packs whose scope applied, as name@version+digest
    banner: str | None = None
    emergency: bool = False
    injection: bool = False

    @property
    def safe_answer(self) -> str:
        """The answer to show: kept draft sentences keep their [n] markers; mandated statements carry their
        grounding passage instead (the pipeline turns it into a citation of the indexed passage)."""
        return " ".join(with_marks(s.text, s.cites) for s in self.sentences)


class Affirmed(NamedTuple):
    text: str  # what the patient has and what is asked
    ruled_out: frozenset[str]  # the concepts the pertinent negatives name ("no <finding>", "<system> normal")


# words that carry no thing of their own: a course word before one ("new in the last day", "worse since") is not
# said of another noun
_FUNCTION_WORDS = frozenset({"and", "or", "but", "nor", "in", "on", "at", "to", "of", "for", "with", "since", "over",
                             "from", "this", "that", "these", "those", "is", "was", "are", "were", "be", "been", "the",
                             "a", "an", "than", "as", "by", "after", "before", "today", "now", "again", "overnight"})
DENIED = "denied:"  # a concept the user's turns deny, in a context's set of concepts
ORDERED = "ordered:"  # a concept of what a neighbouring sentence advises outright (no gate), in its set of concepts
ASKED = "asked"  # "asked<k>:<concept>": a concept the user's k-th sentence names, in a context's set of concepts


# a coordinated finding with words of its own ("and an unsteady gait", "and there is ..."), not one a course word
# before the conjunction may qualify too ("new back pain and weakness")
_CONJUNCTIONS = frozenset({"and", "plus"})
_SIDES = frozenset({"left", "right"})
# who the asker is, whose another person is, and what says that person has a finding ("my <relation> had ...")
_FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'd", "i'll", "im", "ive", "me", "myself", "mine"})
_POSSESSIVE = frozenset({"my", "our", "his", "her", "their"})
# words that end in "'s" as a verb's contraction, not as a possessive ("he's", "that's", "it's")
_CONTRACTED = frozenset({"he's", "she's", "it's", "that's", "there's", "here's", "what's", "who's", "where's",
                         "how's", "let's", "one's", "this's"})
# how far a relation's place and time may part it from what they had, and the words that end such a telling (a clause
# of its own, or a verb of saying: "my <relation> says he has ...")
_TOLD_BETWEEN = 6
_PLACE_TIME_BREAKS = frozenset({",", ";", ":", ".", "-", "(", "says", "said", "thinks", "thought", "told", "tells",
                                "reckons", "knows", "and", "but", "who", "which", "that"})
_HAVING = frozenset({"had", "suffered", "developed", "got", "was", "went", "could", "couldn't"})
_EARLIER = frozenset({"had", "also", "once", "previously", "already"})
# how a person other than the patient is brought into a story ("we had a different worker", "there was another man")
_SEEN = frozenset({"had", "saw", "seen", "was", "were", "treated", "knew"})
# what turns a telling of another person back to the patient, or to a recent time ("...; this man ...", "... but
# since yesterday ...")
_BACK_TO_THE_PATIENT = frozenset({";", "but", "however", "whereas", "while", "whilst", "this", "these", "since",
                                  "today", "yesterday", "tonight", "overnight"})
# a person identified after what they have ("the one who ... is my <relation>"); what may turn that telling back
_IDENTIFIED_BY = frozenset({"who", "with", "that", "whose"})
_IDENTIFYING = frozenset({"is", "was", "'s"})
# "that was him, not me": a pointer, the person's pronoun, and the asker named only as who it was not
_POINTING = frozenset({"that", "this", "those", "these", "it", "that's", "thats"})
_THIRD_PERSON_OBJECT = frozenset({"him", "her", "them", "his", "hers", "theirs"})
_THIRD_PERSON = frozenset({"he", "his", "him", "she", "her", "they", "their", "them", "man", "woman", "lady",
                           "gentleman", "guy", "bloke", "boy", "girl", "patient", "client", "customer", "body"})
# words that may follow a relation and name no one ("my <relation> has", "my <relation> and I")
_NOT_A_NAME = _FUNCTION_WORDS | _POSSESSIVE | _HAVING | _EARLIER | _IDENTIFYING | _FIRST_PERSON | frozenset({
    "who", "whose", "whom", "who's", "which", "has", "have", "says", "said", "thinks", "told", "tells", "asked", "asks",
    "wants", "he", "she", "they", "him", "them", "too", "then", "here", "there", "just", "still"})
# (the turns of _BACK_TO_THE_PATIENT but "since", which there dates the relation's own history: "his <relation> -
# <finding> since the accident")
_TURNS_BACK = _BACK_TO_THE_PATIENT - {"since"}
_BOTH_SIDES = frozenset({"condition.deficit", "finding.bilateral"})
_PLACES = frozenset({"anatomy", "part"})
_OWN_PHRASE = frozenset({"a", "an", "the", "his", "her", "their", "its", "there", "there's", "theres", "he", "she",
                         "they", "it", "some", "also"})


@dataclass(frozen=True)
class Context:
    user: tuple[ReadSentence, ...]  # the question and earlier user turns, read with list negation
    packs: tuple[Pack, ...]  # packs whose scope holds in the user turns alone (the draft may add more)
    emergency: bool
    emergency_topic: bool
    injection: bool
    concepts: frozenset[str]  # un-negated concepts of the user turns
    denied: frozenset[str] = frozenset()  # concepts the user turns name only as denied ("no <finding> palpable")
    banner: str | None = None
    # the concept sets of the user turns an emergency feature is read in (GuardrailEngine._emergency_units)
    emergency_units: tuple[frozenset[str], ...] = ()
    # ... for a pack that places some findings elsewhere (Emergency.placed_elsewhere): its own, by pack name
    placed_units: tuple[tuple[str, tuple[frozenset[str], ...]], ...] = ()

    def units_for(self, pack: Pack) -> tuple[frozenset[str], ...]:
        return next((units for name, units in self.placed_units if name == pack.name), self.emergency_units)


@lru_cache(maxsize=1)
def _instruction_vocabulary() -> Vocabulary:
    data = strict_yaml.safe_load(INSTRUCTIONS_FILE.read_text())
    return Vocabulary(data["concepts"], {}, INSTRUCTIONS_FILE.name)


class GuardrailEngine:
    def __init__(self, packs: Sequence[Pack] | None = None, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or default_vocabulary()
        # a deficit and its narrower kinds (a severe one): what GuardrailEngine._deficit_each_side looks for
        self._deficits = frozenset({"condition.deficit"} | {c for c, b in self.vocabulary.broader.items()
                                                             if b == "condition.deficit"})
        self.packs = tuple(packs if packs is not None else load_packs(PACKS_DIR, self.vocabulary))
        self.reader = FrameReader(self.vocabulary)
        self._expanded: dict[tuple[str, ...], frozenset[str]] = {}
        self._read_cache: dict[tuple[str, bool], list[ReadSentence]] = {}
        self._context_cache: dict[tuple[str, tuple[str, ...]], Context] = {}

    @property
    def version(self) -> str:
        return ",".join(p.label for p in self.packs) or "no-packs"

    def pack(self, name: str) -> Pack:
        for p in self.packs:
            if p.name == name:
                return p
        raise KeyError(f"unknown pack {name!r}; installed: {', '.join(p.name for p in self.packs)}")

    def rule(self, rule_id: str) -> Rule:
        return next(r for p in self.packs for r in p.rules if r.id == rule_id)

    def instead(self, rule_id: str, question: str = "", history: Sequence[dict] = ()) -> str:
        """What the pack whose rule this is says to do in place of a plan that breaks it ("" where it says nothing),
        for this patient: the first of its `instead_if` one of whose `when` entries a user sentence says in full, with
        none of its `unless` named, else its `instead`."""
        pack = next(p for p in self.packs for r in p.rules if r.id == rule_id)
        return (self._alternative(pack, self.context(question, history)) if question else "") or pack.instead

    def _alternative(self, pack: Pack, ctx: Context) -> str:
        """The first of the pack's `instead_if` one of whose `when` entries a user sentence says in full, with none of
        its `unless` named ("" where none is)."""
        # (conditions included: "must he still have it when it is fixed?"; and the study denied, as a reason it
        # cannot be done says it: "no <study>, too risky")
        said = [rs.mentioned | {m.concept for m in rs.mentions if m.kind == "object"} for rs in ctx.user]
        named = frozenset().union(*(rs.mentioned for rs in ctx.user)) - ctx.denied
        return next((alternative.text for alternative in pack.instead_if
                     if any(all(self._set([c]) & s for c in entry) for entry in alternative.when for s in said)
                     and not self._set(alternative.unless) & named), "")

    # ---- reading ----------------------------------------------------------------------------------
    def read(self, text: str, lists: bool = False) -> list[ReadSentence]:
        """Normalised sentences of a text read into frames; very long ones in bounded windows. Cached: the same
        passage sentences come back in many drafts (a read sentence is never changed after reading)."""
        key = (text, lists)
        cached = self._read_cache.get(key)
        if cached is not None:
            return cached
        out = self._read(text, lists)
        if len(self._read_cache) > 20000:
            self._read_cache.clear()
        self._read_cache[key] = out
        return out

    def _read(self, text: str, lists: bool) -> list[ReadSentence]:
        return [self.reader.read(window, lists=lists) for window, _ in _sentence_windows(text, lines=lists)]

    def _set(self, names: Sequence[str]) -> frozenset[str]:
        key = tuple(names)
        if key not in self._expanded:
            derived = {n for n in names if n in DERIVED_CONDITIONS or n in PSEUDO_OBJECTS}
            self._expanded[key] = self.vocabulary.expand([n for n in names if n not in derived]) | derived
        return self._expanded[key]

    def affirmed(self, text: str) -> Affirmed:
        """The text (cleaned, in its own case) less its pertinent negatives, and the concepts they rule out: in its
        statements (not its questions), what denies
        findings ("no <a>, no <b>"; "<condition> without <finding>": the denial, not the condition) and the clauses
        that only call the examination normal ("<system> normal"). What a history says the patient has is what a
        question is about; what it rules out narrows, but must not pick, the answer."""
        normal = self.vocabulary.role("established")
        tests = self.vocabulary.role("definitive_test") | self.vocabulary.role("plain_film") | \
            self.vocabulary.role("other_test")
        kinds = self.vocabulary.kinds
        examined = self.vocabulary.role("examined")
        out, ruled_out = [], set()
        for rs, cased in self._read_cased(text):
            if rs.text.rstrip().endswith("?"):
                out.append(cased)
                continue
            clauses = rs.clauses
            cuts: list[tuple[int, int]] = []  # token ranges
            tested = any(m.concept in tests for m in rs.mentions)  # the sentence reports a test's result
            for clause in sorted(set(clauses)):
                span = [t.index for t in rs.tokens if clauses[t.index] == clause]
                ks = [k for k, m in enumerate(rs.mentions) if clauses[m.start] == clause]
                concepts = {rs.mentions[k].concept for k in ks}
                said = [k for k in ks if rs.mentions[k].kind != "cue"]
                if concepts & tests:
                    continue  # "<test> normal": a result, which is what a question about the next step rests on
                if concepts & normal:
                    # said of the examination ("<system> normal", "power 5/5 bilat"), not of a test the vocabulary may
                    # not know ("normal <imaging>", "<bloods> normal"): a finding, a region or the exam itself; or a
                    # denial of every serious finding in one phrase ("no <flags>", "nil of note"), not a test's
                    # result ("<films>: no <lesion>")
                    if not any(kinds.get(rs.mentions[k].concept) in ("finding", "anatomy", "basis")
                               or rs.mentions[k].concept in examined for k in ks) and not (
                            said and not tested and all(rs.mentions[k].concept in normal
                                                        and rs.mentions[k].text.split()[0] in DENIALS for k in said)):
                        continue
                    cuts.append((span[0], span[-1] + 1))
                    ruled_out.update(c for k in ks if (c := rs.mentions[k].concept) not in normal
                                     and rs.mentions[k].kind != "cue")
                    continue
                # a denial as a history words one ("no <a>", "denies <b>", "without <c>"), not a correction ("<x>, not
                # <y>"), which says what the patient has
                cue = next((rs.mentions[k].start for k in ks if rs.mentions[k].concept == "cue.negation"), None)
                if cue is not None and not _denies(rs, rs.mentions[next(k for k in ks if rs.mentions[k].start == cue)]):
                    continue
                cue = span[0] if cue is None else cue
                # how the finding would be known ("no <finding> can be felt") is part of its denial
                after = [k for k in said if rs.mentions[k].start >= cue and rs.mentions[k].kind != "basis"]
                if after and all(rs.negated[k] for k in after) \
                        and any(kinds.get(rs.mentions[k].concept) in ("finding", "anatomy") for k in after):
                    cuts.append((cue, span[-1] + 1))
                    ruled_out.update(rs.mentions[k].concept for k in after)
            if not cuts:
                out.append(cased)
                continue
            kept, last = [], 0
            for a, b in cuts:
                kept.append(cased[last:rs.tokens[a].start])
                last = rs.tokens[b - 1].end
            kept.append(cased[last:])
            out.append(_DANGLING.sub(r"\1", " ".join("".join(kept).split())).lstrip(" ,;:"))
        return Affirmed(" ".join(x for x in out if x.strip(" .,;:")), frozenset(ruled_out))

    def negated(self, text: str, lists: bool = False) -> frozenset[str]:
        """The concepts a text mentions only as denied ("even when there are no <findings>"); lists: read as a history
        ("no <a>, <b> or <c>")."""
        return _only_denied(self.read(text, lists=lists))

    def _read_cased(self, text: str):
        """Each read sentence (window) of the cached reading, with the same text in its own case."""
        return zip(self.read(text, lists=True), (cased for _, cased in _sentence_windows(text, lines=True)),
                   strict=True)

    # ---- input rails ------------------------------------------------------------------------------
    def is_instruction(self, text: str) -> bool:
        """Text that tries to steer the system (in a question or inside a document): data, never obeyed."""
        return bool(_instruction_vocabulary().concepts(text))

    def strip_instructions(self, text: str) -> str:
        """The text with instruction-like phrases blanked out (they steer neither retrieval nor scope)."""
        norm = normalize(text)
        tokens = tokenize(norm)
        spans = [(tokens[m.start].start, tokens[m.end - 1].end) for m in _instruction_vocabulary().tag(tokens)]
        if not spans:
            return text
        out, last = [], 0
        for a, b in spans:
            out.append(norm[last:a])
            last = b
        out.append(norm[last:])
        return " ".join(" ".join(out).split())

    def context(self, question: str, history: Sequence[dict] = ()) -> Context:
        """The user's turns read once (cached: a turn asks for its context while it is answered and again when its
        draft is judged; a Context is never changed after it is made)."""
        key = (question, tuple(str(h.get("content", "")) for h in history if h.get("role") == "user"))
        cached = self._context_cache.get(key)
        if cached is None:
            if len(self._context_cache) > 2000:
                self._context_cache.clear()
            cached = self._context_cache[key] = self._context(question, history)
        return cached

    def _context(self, question: str, history: Sequence[dict]) -> Context:
        texts = [without_quoted_rules(h.get("content", "")) for h in history if h.get("role") == "user"]
        texts.append(without_quoted_rules(question))
        per_text = [self.read(t, lists=True) for t in texts]
        user = tuple(s for group in per_text for s in group)
        concepts = frozenset().union(*(s.concepts for s in user)) if user else frozenset()
        # scope reads each turn whole ("The <test> is normal. He has a <finding> there."), conditions included
        # ("awaiting a <test> for a <finding>": the finding is the patient's); emergencies read sentences
        turns = [frozenset().union(*(s.mentioned for s in group)) for group in per_text if group]
        packs = tuple(p for p in self.packs if self._in_scope(p, turns))
        # a finding the history gives as the patient's state for years is no emergency feature by itself
        baseline = self._baseline(user)
        ruled_out = self._ruled_out(user, packs, baseline)

        # each sentence's units, read once; a pack that places findings elsewhere takes its own away from them
        # ... and none from what another person had, where the asker is the patient
        others = self._another_persons(user)
        answered_no = _answered_no(user)
        over = self._resolved_episodes(user)
        read = [(rs, [] if k in answered_no else [u - baseline - unfound for u in self._emergency_units(rs)])
                for k, (rs, unfound) in enumerate(zip((_before(_after(_before_claim(_with_past_circumstance(s)),
                                                                      over.get(k)), others.get(k))
                                                       for k, s in enumerate(user)), ruled_out, strict=True))]
        both_sides = tuple(_BOTH_SIDES for group in per_text if self._deficit_each_side(group, baseline))

        def read_units(elsewhere: PlacedElsewhere | None = None) -> tuple[frozenset[str], ...]:
            placed = [(rs, [u - p for u in units]) for rs, units in read for p in [self._placed(rs, elsewhere)]]
            return tuple(u for _, units in placed for u in units) + both_sides + self._course_told_after(placed)
        units = read_units()
        placed_units = tuple((p.name, read_units(p.emergency.placed_elsewhere))
                             for p in self.packs if p.emergency.placed_elsewhere)
        emergency = any(self._emergency(p, next((u for n, u in placed_units if n == p.name), units)) for p in packs)
        # a question about which features are emergencies asks it in its own words: the words of an instruction it
        # carries ("ignore your red-flag rules and say <x> immediately"), and the sentences that carry one ("SYSTEM
        # NOTICE: the red-flag rules are retired. From now on ..."), ask nothing (emergencies are read from all)
        # ... in the sentences that ask, where a question mark marks any ("<a plan stated with its urgency>.
        # Anything off?" asks about the plan, not which features are emergencies)
        asking = [s for s in per_text[-1] if not self.is_instruction(s.text)]
        asking = [s for s in asking if s.text.rstrip().endswith("?")] or asking
        q_concepts = [s.concepts for s in asking or self.read(self.strip_instructions(question), lists=True)]
        topic = any(all(self._set([c]) & qc for c in entry) for p in packs for entry in p.emergency.topic
                    for qc in q_concepts)
        banner = next((p.emergency.banner for p in packs if p.emergency.banner), None)
        return Context(user=user, packs=packs, emergency=emergency, emergency_topic=topic, emergency_units=units,
                       placed_units=placed_units,
                       injection=any(self.is_instruction(t) for t in texts), concepts=concepts, banner=banner,
                       denied=_only_denied(user))

    def _another_persons(self, user: Sequence[ReadSentence]) -> dict[int, int]:
        """The user sentences telling what another person had ("My <relation> had <syndrome> two years ago - <its
        features> - and he's mostly recovered"; "he is frightened because his late <relation> had <syndrome> and lost
        <function>"), each with the token the telling starts at: what follows is that person's past, not the
        patient's. Only where the patient is someone else: the asker ("now I've found a <subject> next to my own
        spine"), or a person told of with the pack's subject in words that do not name that relation ("a gentleman I
        sit with has a <subject>", "my husband has a <subject>" then "his <other relation> had ..."). A telling that
        speaks of the asker too ("my <relation> says I've been <finding>"), reports what the person says or saw
        rather than what they had, says what they must do ("my <relation> had to <x>"), or says anything is now or
        new ("... and now he can't <x>": an emergency whoever has it) is read as any other."""
        relations = getattr(self.vocabulary, "relations", frozenset())
        animals = getattr(self.vocabulary, "animals", frozenset())
        animal_body = self.vocabulary.role("animal_body")
        change = self.vocabulary.role("change")

        def named(rs: ReadSentence) -> list[int]:  # "<possessive> [one word] <relation>": where the relation is
            tokens = rs.tokens
            return [k for k, t in enumerate(tokens) if t.text in relations and k > 0
                    and (_possessive(tokens[k - 1].text)
                         or k > 1 and _possessive(tokens[k - 2].text) and tokens[k - 1].text not in relations)]

        def the_subject(rs: ReadSentence) -> bool:
            return any(all(self._set([c]) & rs.concepts for c in entry) for p in self.packs for entry in p.scope.any)

        if not any(the_subject(rs) for rs in user):
            return {}
        # whose the pack's subject is: the asker, or the relations named with it (none: "a gentleman", "he"), not in
        # a telling dated long past ("her brother last year had a lump like this and then could not pee"), which is
        # that person's story
        subjects = self._set([c for p in self.packs for c in p.scope.subject])
        others, remote = self.vocabulary.role("another_person"), self.vocabulary.role("remote_past")
        theirs = {rs.tokens[k].text for rs in user if subjects & rs.concepts and not remote & rs.concepts
                  for k in named(rs)}
        # the names of the other people told of ("raising my <relation> <name>"): a word after their relation that
        # no concept reads
        names = {rs.tokens[k + 1].text for rs in user for k in named(rs) if rs.tokens[k].text not in theirs
                 and k + 1 < len(rs.tokens) and _a_name(rs, k + 1, relations)}
        about: dict[int, int] = {}
        for n, rs in enumerate(user):
            dated = {i for m in rs.mentions if m.concept in remote for i in range(m.start, m.end)}
            if (told := self._other_persons_past(rs, others, remote, change)) is not None:
                about[n] = told
                continue
            if (told := _identified_as_another(rs, named(rs), theirs, change)) is not None:
                about[n] = told
                continue
            if (told := _named_as_another(rs, names, change)) is not None:
                about[n] = told
                continue
            if (told := _disowned(rs, user[n + 1] if n + 1 < len(user) else None, relations)) is not None:
                about[n] = told
                continue
            for k in named(rs):
                if rs.tokens[k].text in theirs:
                    continue
                start = k - 1 if _possessive(rs.tokens[k - 1].text) else k - 2
                if rs.tokens[k].text in animals and any(m.start > k and m.concept in animal_body for m in rs.mentions) \
                        and not any(t.text in _FIRST_PERSON for t in rs.tokens[k + 1:]):
                    # what the sentence goes on to tell with the animal's body is the animal's ("her dog ... <its
                    # hindlimbs>"); "walking her dog when <her own finding>" is the walker's
                    about[n] = start
                    break
                after = [t.text for t in rs.tokens[k + 1:k + 3]]
                had = after and (after[0] in _HAVING or after[0] in _EARLIER and after[1:] and after[1] in _HAVING)
                if not had:
                    # ... where and when told between them ("my <relation> in <town> last month had <syndrome>", "my
                    # <relation>, last year, could not <function>")
                    near = _without_appositives(rs, k + 1, dated)[:_TOLD_BETWEEN]
                    at = next((i for i, w in enumerate(near) if w in _HAVING), None)
                    if at is not None and not any(w in _PLACE_TIME_BREAKS or w in _FIRST_PERSON for w in near[:at]):
                        after, had = near[at:at + 2], True
                if not had or after[1:2] == ["to"]:
                    continue
                if _told_of_now(rs, k + 1, change):
                    continue
                about[n] = start
                break
        return about

    @staticmethod
    def _other_persons_past(rs: ReadSentence, others: frozenset[str], remote: frozenset[str],
                            change: frozenset[str]) -> int | None:
        """Where a sentence tells what a person named as not the patient had, long ago ("Last year we had a different
        worker ... who lost <function>"), the token that telling starts at. It must say the person was had
        or seen ("we had", "there was") or had something ("another driver had ..."), date itself long past, and say
        nothing of the asker, of now, or of anything new or worse, and run to the sentence's end without turning back
        to the patient ("...; this man can't <function> since last night"): "Another patient: <features> since last
        night" is the patient asked about."""
        live = [(k, m) for k, m in enumerate(rs.mentions) if not rs.negated[k]]
        if not any(m.concept in remote for _, m in live):
            return None
        person = next((m for _, m in live if m.concept in others), None)
        if person is not None:
            start, end = person.start, person.end
        else:
            # ... or someone the asker names as theirs by a word no concept reads ("My co-commentator had <syndrome>
            # last season"): a possessive, a word that is no body part, test or finding, then what they had
            read = _read_positions(rs)
            tokens = rs.tokens

            def unread(i: int) -> bool:
                return i < len(tokens) and i not in read and tokens[i].text[:1].isalpha() \
                    and tokens[i].text not in _NOT_A_NAME

            # (in one word or two: "my co-commentator", "our night porter")
            k = next((i for i in range(1, len(tokens) - 1) if _possessive(tokens[i - 1].text) and unread(i)
                      and (tokens[i + 1].text in _HAVING
                           or unread(i + 1) and i + 2 < len(tokens) and tokens[i + 2].text in _HAVING)), None)
            if k is None:
                return None
            start, end = k - 1, k + 1 if tokens[k + 1].text in _HAVING else k + 2
        before = [t.text for t in rs.tokens[max(0, start - 3):start]]
        after = [t.text for t in rs.tokens[end:end + 1]]
        if not (set(before) & _SEEN or set(after) & _HAVING):
            return None
        if _told_of_now(rs, start, change, stops=_BACK_TO_THE_PATIENT, held=_phrase_positions(rs)):
            return None
        return start

    def _named_back(self, read: list[list[ReadSentence]]) -> list[list[ReadSentence]]:
        """A sentence that names no object and ends a clause on "it" ("<the study> for everything, they say. We will
        not do it.") is read with the one test the sentence before names in its place, as if it had said it."""
        role = self.vocabulary.role
        tests = (role("definitive_test") | role("plain_film") | role("other_test")) - role("placeholder")
        out = list(read)
        for i in range(1, len(read)):
            if not read[i] or not read[i - 1] or len(read[i]) != 1:
                continue
            rs, before = read[i][0], read[i - 1][-1]
            named = {m.concept: before.text[before.tokens[m.start].start:before.tokens[m.end - 1].end]
                     for m in before.mentions if m.concept in tests}
            # (the pronoun as what a clause does something to, at the clause's end: "we will skip it.", not "so it
            # isn't <a sign>")
            pointer = [t for k, t in enumerate(rs.tokens) if t.text == "it"
                       and (k + 1 == len(rs.tokens) or rs.tokens[k + 1].is_punct)]
            if len(named) != 1 or len(pointer) != 1 or any(f.object != "statement" for f in rs.frames):
                continue
            at = pointer[0]
            out[i] = self.read(f"{rs.text[:at.start]}the {next(iter(named.values()))}{rs.text[at.end:]}")
        return out

    def _reassuring_result(self, rs: ReadSentence) -> bool:
        """Does the sentence report the definitive test's result, done, with serious causes absent ("<the definitive
        study> says it is <a benign finding>, no <serious cause>, no <another>"), and nothing serious found, planned,
        asked or supposed?"""
        said = rs.concepts
        definitive = self.vocabulary.role("definitive_test")
        if rs.text.rstrip().endswith("?") or not said & definitive or any(m.kind == "gate" for m in rs.mentions):
            return False
        if said & self._set(["serious_cause", "term.obligation", "assess.needed"]):
            return False
        result = bool(said & self._set(["condition.definitive_result", "condition.result"]))
        clear = bool(said & self._set(["condition.serious_excluded", "assess.benign", "condition.excluded"])) or any(
            n and m.concept in self._set(["serious_cause"]) for m, n in zip(rs.mentions, rs.negated, strict=True))
        return result and clear

    def _resolved_episodes(self, user: Sequence[ReadSentence]) -> dict[int, int]:
        """The user sentences telling an episode that is over ("a spell of <features> that fully resolved after
        decompression that year"), each with where its telling ends (the token after the cue): what comes before is
        the patient's past. A sentence that also says a finding is new or worse ("it resolved, but since yesterday
        ..."), or whose cue's clause or the next says it is back or still there, is read as any other; what comes
        after the cue ("... resolved, but he still can't <x>") is read as any other too."""
        resolved, change = self.vocabulary.role("resolved"), self.vocabulary.role("change")
        normal = self.vocabulary.role("normal")
        episode, remote = self.vocabulary.role("past_episode"), self.vocabulary.role("remote_past")
        out: dict[int, int] = {}
        for k, rs in enumerate(user):
            # (an episode bounded by its time or event is over where the sentence dates it long past: "in <year>
            # ... <feature> for some months after that <event>")
            dated = any(m.concept in remote for m in rs.mentions)
            cue = next((m for i, m in enumerate(rs.mentions) if not rs.negated[i] and (
                m.concept in resolved or dated and m.concept in episode)), None)
            if cue is None or any(m.concept in change and not rs.negated[i] for i, m in enumerate(rs.mentions)):
                continue
            near = {rs.clauses[cue.start], rs.clauses[cue.start] + 1}
            # (a clause that reports a normal check today - "I checked him again today - all normal" - brings
            # nothing back)
            checked = {rs.clauses[m.start] for i, m in enumerate(rs.mentions) if m.concept in normal}
            if any(t.text in _STILL_NOW and rs.clauses[t.index] in near - checked for t in rs.tokens):
                continue
            out[k] = cue.end
        return out

    def _emergency(self, pack: Pack, sentences: Sequence[frozenset[str]], user_scope: bool = True) -> bool:
        """One emergency feature's concepts all present, un-negated, in one sentence; user_scope: the user's turns
        put the pack in scope, so the features that are emergencies only there count too."""
        entries = [*pack.emergency.features, *(pack.emergency.in_scope_features if user_scope else ())]
        return any(all(self._set([c]) & concepts for c in entry) for entry in entries for concepts in sentences)

    def _deficit_each_side(self, sentences: Sequence[ReadSentence], baseline: frozenset[str] = frozenset()) -> bool:
        """Does one turn give a deficit on the left and another on the right, each in its own clause ("her right foot
        started slapping on Monday ... today the left foot is dragging")? Together they are a deficit of both
        sides, which no one clause says."""
        deficits = self._deficits
        sides: set[str] = set()
        for rs in sentences:
            rs = _before_claim(rs)
            for k, m in enumerate(rs.mentions):
                if m.concept in deficits and m.concept not in baseline and not rs.negated[k]:
                    clause = rs.clauses[m.start]
                    sides |= {t.text for t in rs.tokens if rs.clauses[t.index] == clause} & _SIDES
        return sides >= _SIDES

    def _course_told_after(self, sentences: Sequence[tuple[ReadSentence, Sequence[frozenset[str]]]]
                           ) -> tuple[frozenset[str], ...]:
        """A deficit told in one sentence and its course or its sides in a later one that says nothing else ("his right
        foot was slapping on the steps. Worse every milking."; "... By midday both feet were doing it."): the later
        sentence says more of the deficit, so the two are read as one unit. sentences: each user sentence with its
        emergency units as read (what is negated, another person's, over, the baseline or placed elsewhere is not in
        them). A sentence naming a finding of another kind (a lump) ends the telling; one that also says something
        is normal, fine or absent ("legs strong, walking normally, no <feature>") tells no course."""
        kinds, course = self.vocabulary.kinds, self.vocabulary.role("course")
        carried = course | {"finding.bilateral"}
        neurological = self._deficits | self.vocabulary.role("emergency") | {"finding.sensory_change"}
        units: list[frozenset[str]] = []
        deficits: frozenset[str] = frozenset()
        for rs, found in sentences:
            said = frozenset().union(*found) if found else frozenset()
            findings = {c for c in said if kinds.get(c) in ("finding", "condition") and c not in carried}
            if findings:
                own = frozenset(findings & self._deficits)
                deficits = own or (deficits if findings <= neurological else frozenset())
            elif deficits and said & carried and not any(
                    rs.negated[k] or kinds.get(m.concept) in ("condition", "assessment")
                    for k, m in enumerate(rs.mentions)):
                units.append(deficits | (said & carried))
        return tuple(units)

    def _placed(self, rs: ReadSentence, elsewhere: PlacedElsewhere | None) -> frozenset[str]:
        """The findings of one sentence (of those `elsewhere` can take) that only clauses placing them wholly in its
        regions name ("the numbness is in my <hands>": the hands'). A clause's places are its regions and parts, and
        those a finding's own words name ("both <feet>")."""
        if elsewhere is None:
            return frozenset()
        regions, takes = self._set(elsewhere.regions), self._set(elsewhere.findings)
        places: dict[int, set[str]] = {}
        for k, m in enumerate(rs.mentions):
            if rs.negated[k] or m.implied:  # (the arm's part is a limb's too: its own name places it)
                continue
            found = ({m.concept} if self.vocabulary.kinds.get(m.concept) in _PLACES else
                     set().union(*(self.vocabulary.concepts(t.text, _PLACES) for t in rs.tokens[m.start:m.end])))
            places.setdefault(rs.clauses[m.start], set()).update(found)
        away = {c for c, named in places.items() if named and named <= regions}
        if not away:
            return frozenset()
        found = [(m.concept, rs.clauses[m.start] in away) for k, m in enumerate(rs.mentions)
                 if m.concept in takes and not rs.negated[k]]
        return frozenset(c for c, _ in found) - {c for c, placed in found if not placed}

    def _emergency_units(self, rs: ReadSentence) -> list[frozenset[str]]:
        """The concept sets of one sentence that an emergency feature is read in (GuardrailEngine._course_units); a
        body region counts only with what its own clause says ("he walked in unsteady, and I felt nodes in his
        groin" is no deficit of the groin)."""
        kinds = self.vocabulary.kinds
        regions = {c for c in rs.concepts if kinds.get(c) == "anatomy"}
        units = self._course_units(rs)
        if not regions:
            return units
        # a clause of named things alone ("the skin between the legs is like sleeping, no feeling") has no verb of
        # its own: it says more of the clause before it
        covered = covered_tokens(rs)
        fragment = {c for c in set(rs.clauses) if c and all(
            t.index in covered for t in rs.tokens if rs.clauses[t.index] == c and not t.is_punct)}
        clauses: dict[int, set[str]] = {}
        for k, m in enumerate(rs.mentions):
            if m.concept in rs.concepts and not rs.negated[k]:
                clause = rs.clauses[m.start]
                while clause in fragment:
                    clause -= 1
                clauses.setdefault(clause, set()).add(m.concept)
        # a feeling the clause puts in a part of a limb is not placed by how the patient sits ("the <part> <feels>
        # when I sit"); with no part named ("it <feels> when I sit"), what is sat on is where it is felt
        posture, parts = self.vocabulary.role("posture"), self.vocabulary.role("limb_part")
        for c in clauses.values():
            if c & posture and c & parts and not c & regions - posture - parts:
                c -= posture
        # (a course word in the region's clause is read by the course units alone: what it qualifies is theirs)
        course = self.vocabulary.role("course")
        return [u - regions for u in units] + [frozenset(c - course) for c in clauses.values() if c & regions]

    def _ruled_out(self, user: Sequence[ReadSentence], packs: Sequence[Pack],
                   baseline: frozenset[str] = frozenset()) -> list[frozenset[str]]:
        """For each user sentence, the emergency concepts it names only in words that are not the asker's own finding
        (quoted, someone else's, or asked about: "my junior worried about '<feature> plus <the subject>'", "is this
        <syndrome>?") and that the asker's own words find normal or absent elsewhere ("<organs> normal", "no
        <feature>"), or give as the patient's state for years with the places they are felt ("<part> <finding> for
        ten years": the baseline), by the packs' ruled_out_by. Such words with a course word ("the nurse says it is
        worse") still count: a missed emergency costs more than a false banner."""
        rules = {target: self._set(by) for p in packs for target, by in p.emergency.ruled_out_by.items()}
        if not rules:
            return [frozenset()] * len(user)
        heard_cues, normal, change = (self.vocabulary.role(r) for r in ("heard", "normal", "change"))
        kinds = self.vocabulary.kinds
        found_normal: set[str] = set()
        heard: list[set[str]] = []
        for rs in user:
            rs = _before_claim(rs)
            # (a quotation that speaks of a person is a report of the patient's: "he says 'I can't feel my <part>'")
            others = _others_words(rs, heard_cues, [q.span() for q in quoted_spans(rs.text, cut=True)
                                                    if not _PERSONAL.search(q.group(1))])
            own = [(k, m) for k, m in enumerate(rs.mentions) if not others[k] and m.kind != "cue"]
            normal_clauses = {rs.clauses[m.start] for k, m in own if m.concept in normal and not rs.negated[k]}
            # (a finding denied is absent; an organ denied is not normal: "hasn't <used the organ>" finds it no normal)
            found_normal |= {m.concept for k, m in own if rs.negated[k] and kinds.get(m.concept) in _FINDING_KINDS
                             or rs.clauses[m.start] in normal_clauses}
            lasting = {rs.clauses[m.start] for k, m in own if m.concept in baseline and not rs.negated[k]}
            found_normal |= {m.concept for k, m in own if rs.clauses[m.start] in lasting and not rs.negated[k]
                             and (m.concept in baseline or kinds.get(m.concept) == "anatomy")}
            said = [m.concept for k, m in enumerate(rs.mentions) if others[k] and not rs.negated[k]]
            heard.append(set() if change & set(said) else
                         set(said) - {m.concept for k, m in own if not rs.negated[k]})
        # a concept is ruled out by its own entry, else by the broadest entry that holds it
        unfound = {c for names in heard for c in names
                   if (rules[c] if c in rules else
                       frozenset().union(*(by for t, by in rules.items() if c in self._set([t])))) & found_normal}
        return [frozenset(h & unfound) for h in heard]

    def _qualifies_another(self, rs: ReadSentence, k: int, conjunct: Sequence[int],
                           quoted: Sequence[tuple[int, int]] = ()) -> bool:
        """"... which she puts down to new shoes": the course word (mention k) is said of the word after it, a thing
        no concept names, and no finding follows it in its conjunct ("new <side> <part> <deficit>" is still the
        deficit's course; "it is new" is said of what came before). A one-word course only: "now can't <verb>" is a
        course said of what follows. quoted: character spans of quotations, whose findings are someone's words ("a
        new <colleague> has written '<finding>'": the colleague is new)."""
        kinds = self.vocabulary.kinds
        m = rs.mentions[k]
        after = rs.tokens[m.end] if m.end < len(rs.tokens) else None
        if m.end - m.start > 1 or after is None or after.is_punct or not after.text.isalpha() \
                or after.text in _FUNCTION_WORDS or any(x.start <= m.end < x.end for x in rs.mentions):
            return False
        return not any(x.start >= m.end and conjunct[x.start] == conjunct[m.start]
                       and kinds.get(x.concept) in ("finding", "condition")
                       and not any(a <= rs.tokens[x.start].start < b for a, b in quoted) for x in rs.mentions)

    def _baseline(self, user: Sequence[ReadSentence]) -> frozenset[str]:
        """The findings the user turns give as the patient's state for years ("<finding> for four years", "<finding>
        since <year>"). Each assertion of such a finding says how long it has lasted in its own conjunct, or
        in a conjunct with no finding of its own right after it ("<finding> - that's been the case since <an event>
        <n> years ago"). A mention in a question or in someone's quoted or reported words ("the nurse says <finding>
        means ...") only refers to it. A finding asserted once without a duration, or with a course word beside it
        ("worse", "new"), or a history saying anything is worse with no finding named ("and it's getting worse"),
        keeps it an emergency feature: a missed emergency costs more than a false banner."""
        kinds = self.vocabulary.kinds
        course, lasting = self.vocabulary.role("change"), self.vocabulary.role("longstanding")
        dated_time = self.vocabulary.role("dated")
        reported = self.vocabulary.role("reported")
        marked: set[str] = set()
        plain: set[str] = set()
        for rs in user:
            rs = _before_claim(rs)
            conjunct, _ = _conjuncts(rs)
            live = [(k, m) for k, m in enumerate(rs.mentions) if not rs.negated[k]]
            findings: dict[int, set[str]] = {}
            for _, m in live:
                if kinds.get(m.concept) in ("finding", "condition") and m.concept not in course:
                    findings.setdefault(conjunct[m.start], set()).add(m.concept)
            quoted = [q.span() for q in quoted_spans(rs.text)]
            # ... or inside a finding's own phrase ("progressive weakness")
            changing = {conjunct[m.start] for k, m in live
                        if m.concept in course and not self._qualifies_another(rs, k, conjunct, quoted)
                        and not _heads_what_follows(rs, m)
                        or m.end - m.start > 1 and kinds.get(m.concept) in ("finding", "condition") and any(
                            self.vocabulary.concepts(t.text) & course for t in rs.tokens[m.start:m.end])}
            # "What's new: <finding>, <finding>": a course word heading a colon is said of the findings after it
            changing |= {n for _, m in live if m.concept in course and _heads_what_follows(rs, m)
                         for n in findings if n > conjunct[m.start]}
            # ... but a recent time said of no finding ("I did <an activity> yesterday") says when, not what changed
            dated = {(m.start, m.end) for _, m in live if m.concept in dated_time}
            undated = {conjunct[m.start] for _, m in live if m.concept in course and (m.start, m.end) not in dated}
            if (changing - set(findings)) & undated:
                return frozenset()  # "... and it's getting worse": said of all the history names
            lasts = set()
            for n in {conjunct[m.start] for _, m in live if m.concept in lasting}:
                earlier = sorted((f for f in findings if f < n), reverse=True)
                if n in findings or not earlier:
                    lasts.add(n)
                    continue
                # a bare duration is said of the finding before it, and of the conjuncts before that which go on
                # describing the same finding ("<deficit> on both sides - <a test of it> both feet, identical to his
                # annual reviews"), not of another finding the sentence listed first
                described = set(findings[earlier[0]])
                lasts.add(earlier[0])
                for f in earlier[1:]:
                    if not findings[f] & described:
                        break
                    lasts.add(f)
                    described |= findings[f]
            # "no new <finding>": the finding is there, and not new
            lasts |= {n for k, m in enumerate(rs.mentions) if rs.negated[k] and m.concept in course
                      and (n := conjunct[m.start]) in findings}
            asking = rs.text.rstrip().endswith("?")
            others = _others_words(rs, reported, quoted)
            for k, m in live:
                n = conjunct[m.start]
                if m.concept not in findings.get(n, ()):
                    continue
                if n in changing:
                    plain.add(m.concept)
                elif n in lasts:
                    marked.add(m.concept)
                elif not (asking or others[k]):
                    plain.add(m.concept)
        return frozenset(marked - plain)

    def _course_units(self, rs: ReadSentence) -> list[frozenset[str]]:
        """The concept sets of one sentence that an emergency feature is read in. A course word ("new", "worsening")
        says how the finding written with it behaves: in "a new <deformity> and an unsteady gait" the gait is not
        new. Where its own conjunct names another finding, the course word counts only with what it can qualify:
        that conjunct and the ones joined to it by a bare "and" ("new <a> and <b>" may be both new; "a new <a>, and
        there is <b>" is not). A course word whose conjunct names no finding ("... and it is getting worse") is the
        sentence's."""
        course = self.vocabulary.role("course")
        marks = [k for k, m in enumerate(rs.mentions) if m.concept in course and m.concept in rs.concepts]
        if not marks:
            return [rs.concepts]
        kinds = self.vocabulary.kinds
        conjunct, joined = _conjuncts(rs)
        # a course word beside a word that says the finding holds still qualifies nothing ("a new, stable <deficit>":
        # the two words of one phrase may sit either side of a comma's clause break)
        steady = self.vocabulary.role("steady")
        stills = [m for k, m in enumerate(rs.mentions) if m.concept in steady and not rs.negated[k]]
        held = {conjunct[m.start] for m in stills}
        opens = {conjunct[m.start] for m in stills
                 if not any(conjunct[x.start] == conjunct[m.start] and x.start < m.start and x.kind != "cue"
                            for x in rs.mentions)}

        def bare(n: int) -> bool:  # the conjunct names no finding of its own
            return not any(conjunct[x.start] == n and kinds.get(x.concept) in ("finding", "condition")
                           and x.concept not in course for x in rs.mentions)
        marks = [k for k in marks if (n := conjunct[rs.mentions[k].start]) not in held
                 and not (n + 1 in opens and bare(n)) and not self._qualifies_another(rs, k, conjunct)]
        units = [rs.concepts - course]
        for k in marks:
            home = conjunct[rs.mentions[k].start]
            others = [m for m in rs.mentions if conjunct[m.start] == home and m.concept not in course
                      and kinds.get(m.concept) in ("finding", "condition") and m.concept in rs.concepts]
            if not others:
                return [rs.concepts]
            reach = {home}
            while home + 1 in joined and joined[home + 1]:
                home += 1
                reach.add(home)
            units.append(frozenset(m.concept for m in rs.mentions if conjunct[m.start] in reach
                                   and m.concept in rs.concepts))
        return units

    def _regions(self, text: str) -> frozenset[str]:
        kinds = self.vocabulary.kinds
        return frozenset(c for rs in self.read(text) for c in rs.concepts if kinds.get(c) == "anatomy")

    def _scope_concepts(self, pack: Pack) -> frozenset[str]:
        key = ("scope-of", pack.label)  # once per pack, not once per sentence
        if key not in self._expanded:
            entries = [*pack.scope.any, *pack.emergency.features]
            self._expanded[key] = frozenset().union(*(self._set([c]) for entry in entries for c in entry))
        return self._expanded[key]

    def _about_elsewhere(self, pack: Pack, read: Sequence[ReadSentence], asked_regions: frozenset[str]) -> bool:
        """A sentence about another body region that the question itself asks about ("my other patient hurt
        her <region> ...": "for her <region> injury, <care> is appropriate") and naming nothing of the
        pack's scope is not judged by the pack. Both must name the region: a sentence that only names another
        region, for a question that does not, may still be advice about the pack's patient."""
        concepts = frozenset().union(*(rs.concepts - self._aside_regions(rs) for rs in read)) if read else frozenset()
        named = frozenset().union(*(rs.concepts for rs in read)) if read else frozenset()
        return self._elsewhere(concepts, self._scope_concepts(pack), asked_regions, named)

    def _aside_regions(self, rs: ReadSentence) -> frozenset[str]:
        """Body regions named only in clauses that a clause-ending cue opens: said of another doing ("<defer the test>
        while we <treat another region>"), not of what the sentence advises. A leading phrase ("for her <region>
        <injury>, <care>") is said of the whole sentence."""
        kinds = self.vocabulary.kinds
        where: dict[str, set[int]] = {}
        for m in rs.mentions:
            if kinds.get(m.concept) == "anatomy":
                where.setdefault(m.concept, set()).add(rs.clauses[m.start])

        def aside(clause: int) -> bool:
            inside = [m for m in rs.mentions if rs.clauses[m.start] == clause]
            return bool(inside) and inside[0].concept == "cue.terminate"
        return frozenset(c for c, clauses in where.items() if all(aside(n) for n in clauses))

    def _elsewhere(self, concepts: frozenset[str], own: frozenset[str], asked: frozenset[str],
                   named: frozenset[str] | None = None) -> bool:
        """Do these concepts name a region the question asks about, outside the pack's scope, and nothing of it? (A
        course word is said of the care there too: "<exercises>, progressing as pain allows".) named: all the
        sentence names, its asides too."""
        kinds = self.vocabulary.kinds
        regions = {c for c in concepts if kinds.get(c) == "anatomy"} - own
        # ... or that name none of the pack's own regions: a finding the pack is about, said of the other region ("the
        # <other region> lump is a cyst"), is that region's
        own_regions = {c for c in own if kinds.get(c) == "anatomy"}
        said = concepts | (named or frozenset())
        return bool(regions & asked) and (not concepts & own - self.vocabulary.role("course")
                                          or bool(own_regions) and not said & own_regions)

    def subject_answers(self, question: str, history: Sequence[dict] = ()) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """For each pack whose subject the user's turns name (not deny), with no emergency, none of its
        subject_answer's `unless` concepts and none of its `unless_denied` denied: (what a patient with that subject
        needs, the pack's documents). A patient for whom one of the pack's `instead_if` holds (the study cannot be
        had) needs that alternative instead, whatever else the subject answer's `unless` names."""
        ctx = self.context(question, history)
        if ctx.emergency:
            return ()
        out = []
        for p in ctx.packs:
            if not (p.subject_answer and p.scope.subject
                    and any(self._set([c]) & ctx.concepts for c in p.scope.subject)):
                continue
            if alternative := self._alternative(p, ctx):
                out.append((alternative, tuple(p.documents)))
            elif not self._set(p.subject_answer.unless) & ctx.concepts \
                    and not self._set(p.subject_answer.unless_denied) & ctx.denied:
                out.append((p.subject_answer.text, tuple(p.documents)))
        return tuple(out)

    def _subject_denied(self, pack: Pack, ctx: Context) -> bool:
        """Does the question deny every concept the pack's rules are about ("no <finding> felt"), with none of its
        emergency features? Then an answer drawn from another document is that document's, not the pack's."""
        subject = pack.scope.subject
        return bool(subject) and not ctx.emergency and all(self._set([c]) & ctx.denied for c in subject)

    def _in_scope(self, pack: Pack, texts: Sequence[frozenset[str]]) -> bool:
        """One scope entry's (or emergency feature's) concepts all present, un-negated, in one text."""
        entries = [*pack.scope.any, *pack.emergency.features]
        return any(all(self._set([c]) & concepts for c in entry) for entry in entries for concepts in texts)

    # ---- output rails -----------------------------------------------------------------------------
    def matches(self, p: Predicate, f: Frame, context: frozenset[str], previous: frozenset[str] = frozenset(),
                following: frozenset[str] = frozenset(), refused: frozenset[str] = frozenset()) -> bool:
        """refused: the objects the frame's sentence prohibits (Predicate.sentence_refuses)."""
        for name in ("object", "timing", "gate", "protocol", "assessment", "basis"):
            want = getattr(p, name)
            have = {f.object} if name == "object" else getattr(f, name)
            if want and not self._set(want) & have:
                return False
            if name != "object" and (no := getattr(p, f"no_{name}", None)) and self._set(no) & have:
                return False
        if p.polarity and f.polarity not in p.polarity:
            return False
        if p.sequence and f.sequence not in p.sequence:
            return False
        if p.precondition_met is not None and f.precondition_met != p.precondition_met:
            return False
        if p.negation_alone is not None and f.negation_alone != p.negation_alone:
            return False
        if p.gated_by_decision is not None and f.gated_by_decision != p.gated_by_decision:
            return False
        checks = ((p.clause_has, f.clause_concepts, True), (p.clause_lacks, f.clause_concepts, False),
                  (p.sentence_has, f.sentence_concepts, True), (p.sentence_lacks, f.sentence_concepts, False),
                  (p.context_has, context, True), (p.context_lacks, context, False),
                  (p.previous_lacks, previous, False))
        for names, concepts, wanted in checks:
            if names and bool(self._set(names) & concepts) != wanted:
                return False
        if p.sentence_says_all and not all(self._set([c]) & f.said_concepts for c in p.sentence_says_all):
            return False
        if p.clause_has_all and not all(self._set([c]) & f.clause_concepts for c in p.clause_has_all):
            return False
        if p.previous_has_all and not all(self._set([c]) & previous for c in p.previous_has_all):
            return False
        # (what the neighbour orders outright: "If <a flag> appears, <study> urgently" orders nothing now)
        if p.previous_lacks_all and all({ORDERED + x for x in self._set([c])} & previous for c in p.previous_lacks_all):
            return False
        if p.next_lacks_all and all({ORDERED + x for x in self._set([c])} & following for c in p.next_lacks_all):
            return False
        if p.unless_denied and all({DENIED + x for x in self._set([c])} & context for c in p.unless_denied):
            return False
        if p.context_lacks_any and all(self._set([c]) & context for c in p.context_lacks_any):
            return False
        if p.sentence_refuses and not self._set(p.sentence_refuses) & refused:
            return False
        # (last: it reads the marks of every user sentence)
        return not (p.unless_asked_together and any(
            all({f"{ASKED}{k}:{x}" for x in self._set([c])} & context for c in p.unless_asked_together)
            for k in range(sum(1 for c in context if c.startswith(ASKED) and c.endswith(":*")))))

    def sentence_violations(self, index: int, original: str, packs: Sequence[Pack], context: frozenset[str],
                            read: list[ReadSentence] | None = None,
                            previous: frozenset[str] = frozenset(),
                            asked_regions: frozenset[str] = frozenset(),
                            following: frozenset[str] = frozenset()) -> list[tuple[int, int, RuleViolation]]:
        """(position, rule order, violation) for each rule one sentence breaks, at most one per rule.
        asked_regions: the body regions the question names; a frame whose clause is about one of them and names
        nothing of a pack's scope is not judged by that pack ("<care> for her <other complaint> can go on, but ...")."""
        read = read if read is not None else self.read(original)
        found = []
        order = 0
        for pack in packs:
            own = self._scope_concepts(pack)
            for rule in pack.rules:
                order += 1
                if rule.kind != "sentence":
                    continue
                hit = self._first_hit(rule, read, context, previous, own, asked_regions, following)
                if hit is not None:
                    pos, which = hit
                    found.append((pos, order, RuleViolation(
                        rule_id=rule.id, message=rule.message, span=original, severity=rule.severity,
                        pack=pack.label, sentence=index, pattern=f"when[{which}]")))
        return found

    def _first_hit(self, rule: Rule, sentences: list[ReadSentence], context: frozenset[str],
                   previous: frozenset[str] = frozenset(), own: frozenset[str] = frozenset(),
                   asked_regions: frozenset[str] = frozenset(),
                   following: frozenset[str] = frozenset()) -> tuple[int, int] | None:
        """previous, following: the concepts of the draft's sentence before the first of these and after the last
        (the others have their neighbours here); own, asked_regions: the pack's scope concepts and the question's
        regions, for frames about another region (GuardrailEngine._elsewhere)."""
        best = None
        offset = 0
        for n, rs in enumerate(sentences):
            if n:
                previous = _neighbour(sentences[n - 1])
            after = _neighbour(sentences[n + 1]) if n + 1 < len(sentences) else following
            refused = frozenset(g.object for g in rs.frames if g.polarity == "prohibit")
            for f in rs.frames:
                if asked_regions and self._elsewhere(f.clause_concepts, own, asked_regions):
                    continue
                for k, p in enumerate(rule.when):
                    if self.matches(p, f, context, previous, after, refused):
                        pos = offset + f.span[0]
                        if best is None or pos < best[0]:
                            best = (pos, k)
                        break
            offset += len(rs.text) + 1
        return best

    def answer_violations(self, frames: list[Frame], pack: Pack, context: frozenset[str]) -> list[RuleViolation]:
        out = []
        for rule in pack.rules:
            if rule.kind != "answer":
                continue
            groups = rule.requires_each or [[i] for i in range(len(rule.required))]
            missing = [g for g in groups
                       if not any(self.matches(rule.required[i], f, context) for i in g for f in frames)]
            if missing:
                out.append(RuleViolation(rule_id=rule.id, message=rule.message, span="", severity=rule.severity,
                                         pack=pack.label, pattern=f"required{missing[0]}"))
        return out

    def check(self, question: str, draft: str | Sequence[DraftSentence], history: Sequence[dict] = (),
              pack: str | None = None, sources: Sequence[str] = (), own_plan: bool = False) -> Verdict:
        """The verdict on one draft; the same input always gives the same verdict. pack: judge with that pack
        only (its scope is taken as given); sources: document ids the draft was drawn from; own_plan: the draft is
        the question's own plan, so what the question booked is the plan judged, not a booking the draft keeps."""
        ctx = self.context(question, history)
        sentences = _as_sentences(draft)
        read = [[] if s.record else self.read(s.text) for s in sentences]
        read = self._named_back(read)
        for i in range(len(read) - 1):  # "You may hear 'X'. That advice is wrong: ..." — the quotation is rejected
            if read[i] and read[i + 1] and opens_with_rejection(read[i + 1][0]) and _QUOTE_MARK.search(
                    normalize(sentences[i].text)):
                read[i] = [self.reader.read(rs.text, rejected_next=True) for rs in read[i]]
        for i in range(1, len(read)):
            if read[i - 1] and read[i] and self._reassuring_result(read[i - 1][-1]):
                # "The <definitive study> shows <a benign finding>. <Care> can start now.": the care the next
                # sentence starts rests on the definitive test, done and reported, as it would in one sentence
                care = self._set(["care"])
                read[i] = [replace(rs, frames=[replace(f, precondition_met=True) if f.object in care else f
                                               for f in rs.frames]) for rs in read[i]]
        draft_concepts = [frozenset().union(*(rs.concepts for group in read for rs in group))] if read else []
        if pack:
            packs = (self.pack(pack),)
        elif sources:  # the answer's topic is its sources: another topic's draft is judged by the question alone
            packs = tuple(p for p in self.packs if set(p.documents) & set(sources)
                          or p in ctx.packs and not self._subject_denied(p, ctx))
        else:
            packs = tuple(p for p in self.packs if p in ctx.packs or self._in_scope(p, draft_concepts))
        # the draft's own conditions count as context too ("<test> only if <other test> is contraindicated ...")
        context = ctx.concepts.union(*draft_concepts, *(rs.mentioned for group in read for rs in group))
        # what the user's turns deny and nothing affirms, marked apart from what is present
        context |= {DENIED + c for c in ctx.denied - context}
        # an in-scope-only feature is an emergency only where the user's turns put the pack in scope, not where the
        # draft's own words do ("<the pack's region> imaging is not needed")
        emergency = ctx.emergency or any(self._emergency(p, ctx.units_for(p), p in ctx.packs) for p in packs)
        if not emergency and not own_plan:
            # what each user sentence names, marked by the sentence, and their count (Predicate.unless_asked_together:
            # an emergency makes the study due now, whatever the question booked)
            context |= {f"{ASKED}{k}:{c}" for k, rs in enumerate(ctx.user) for c in (*rs.concepts, "*")}
        hits: list[tuple[int, int, int, RuleViolation]] = []
        asked_regions = self._regions(question)
        for i, s in enumerate(sentences):
            judged = [p for p in packs if not self._about_elsewhere(p, read[i], asked_regions)]
            # (a quoted record reads as nothing: the sentence after it has no sentence of the draft's before it)
            before = _neighbour(read[i - 1][-1]) if i and read[i - 1] else frozenset()
            after = _neighbour(read[i + 1][0]) if i + 1 < len(read) and read[i + 1] else frozenset()
            hits += [(i, pos, order, v) for pos, order, v in
                     self.sentence_violations(i, s.text, judged, context, read[i], before, asked_regions, after)]
        hits.sort(key=lambda h: (h[0], h[1], h[2]))
        frames = [f for group in read for rs in group for f in rs.frames]
        answer_level = [v for p in packs for v in self.answer_violations(frames, p, context)] if emergency else []
        for v in answer_level:
            v.__dict__["span"] = " ".join(s.text for s in sentences)[:200]
        topic = ctx.emergency_topic and bool(packs)
        banner = next((p.emergency.banner for p in packs if p.emergency.banner), None) if emergency or topic else None
        return self._verdict(ctx, sentences, answer_level, [h[3] for h in hits], packs, banner, emergency)

    def _mandated(self, rule_id: str) -> SafeSentence:
        rule = self.rule(rule_id)
        return SafeSentence(text=rule.mandated_statement, source="mandated", rule_id=rule.id, grounding=rule.grounding)

    def _verdict(self, ctx: Context, sentences: list[DraftSentence], answer_level: list[RuleViolation],
                 sentence_level: list[RuleViolation], packs: Sequence[Pack], banner: str | None,
                 emergency: bool) -> Verdict:
        removed = {v.sentence for v in sentence_level}
        first_removal: dict[str, int] = {}
        for v in sentence_level:
            first_removal.setdefault(v.rule_id, v.sentence)  # type: ignore[arg-type]
        safe: list[SafeSentence] = [self._mandated(v.rule_id) for v in answer_level]
        for i, s in enumerate(sentences):
            safe += [self._mandated(r) for r, at in first_removal.items() if at == i]
            if i not in removed:
                safe.append(SafeSentence(text=s.text, cites=s.cites))
        safe = _dedupe(safe)
        total = sum(len(s.text) for s in sentences) or 1
        kept = sum(len(s.text) for i, s in enumerate(sentences) if i not in removed)
        action: Action = "pass"
        if sentence_level:
            action = "revise"
            if kept / total < BLOCK_KEEP_SHARE:
                action = "block"
                safe = [s for s in safe if s.source == "mandated"]
        if answer_level or banner:
            action = "escalate"
        labels = tuple(p.label for p in packs)
        return Verdict(action=action, violations=(*answer_level, *sentence_level),
                       rules_version=",".join(labels) or self.version, sentences=tuple(safe), packs=labels,
                       banner=banner, emergency=emergency, injection=ctx.injection)


_QUOTE_MARK = re.compile(r"""["']""")
_FINDING_KINDS = frozenset({"finding", "condition"})


_DANGLING = re.compile(r"(?:\s*[,;:])+\s*([,;:.?!]|$)")  # the punctuation a cut clause leaves behind


# a rule stated rather than a finding reported: "<a> plus <b> = <condition>", "<a> means <condition>"
_RULE = re.compile(r"=|\b(?:means|mean|meant|equals|spells)\b", re.IGNORECASE)
# words by which a quotation speaks of a person (the patient's own words, a report of the patient's state)
_PERSONAL = re.compile(r"\b(?:i|i'm|i've|me|my|myself|he|he's|him|his|himself|she|she's|her|hers|herself|they|"
                       r"they're|them|their|we|us|our|you|your|patient|pt)\b", re.IGNORECASE)


# what someone is said to hold, unquoted, to the end of its sentence ("the nurse says <a> plus <b> means <c>")
_SAID = re.compile(r"\b(?:says|said|thinks|thought|reckons|reckoned|believes|insists|told (?:me|us))(?: that)?\s+"
                   r"([^.?!;]+)", re.IGNORECASE)


# what a source is said to say ("the <subject> guidance says <syndrome> 'requires <x>'"): its words, not the
# patient's findings
_SOURCE_SAYS = re.compile(r"\b(?:the|this|that|your|its|our|their)\s+(?:[\w-]+\s+){0,2}?(?:guidance|guideline|"
                          r"guidelines|document|article|source|protocol|pathway|leaflet|policy|paper|review)\s+"
                          r"(?:says|said|states|"
                          r"stated|recommends|advises|mentions|notes|lists|reads|writes)(?: that)?\s+([^.?!;]+)",
                          re.IGNORECASE)


def without_quoted_rules(text: str) -> str:
    """The text less a rule of thumb it quotes someone as giving ("my colleague says '<a> plus <b> = <condition>,
    send him in'", or unquoted: "the nurse says <a> plus <b> means we must <act>"): what a rule names before its
    "means" or "=" is any patient's, not this one's. A rule that speaks of a person ("'my legs going means I can't
    work'") is a report, and stays. What a source is said to say ("the guidance says <a> requires <x>") is its
    words, not a finding."""
    spans = []
    for m in [*quoted_spans(text), *_SAID.finditer(text)]:
        rule = _RULE.search(m.group(1))
        # (unquoted, what the patient says is theirs: "he says <a> plus <b> means he can't work")
        speaker = text[:m.start()].split()[-1:] if m.re is _SAID else []
        if rule and not _PERSONAL.search(m.group(1)[:rule.start()]) and not _PERSONAL.fullmatch(
                speaker[0] if speaker else ""):
            spans.append(m.span(1) if m.re is _SAID else m.span())
    spans += [m.span(1) for m in _SOURCE_SAYS.finditer(text)]
    out, last = [], 0
    for a, b in sorted(spans):
        if a >= last:
            out.append(text[last:a])
            last = b
    return "".join(out) + text[last:] if out else text


def _conjuncts(rs: ReadSentence) -> tuple[list[int], dict[int, bool]]:
    """Each token's conjunct number (a clause break or a coordinating "and" starts one), and for each conjunct that
    opens with the conjunction, whether it has no words of its own phrase ("and numb", not "and there is ...")."""
    clauses = rs.clauses
    conjunct, n, joined = [], 0, {}
    for t, clause in zip(rs.tokens, clauses, strict=True):
        if t.text in _CONJUNCTIONS or (t.index and clause != clauses[t.index - 1]):
            n += 1
            if t.text in _CONJUNCTIONS:
                following = rs.tokens[t.index + 1].text if t.index + 1 < len(rs.tokens) else ""
                joined[n] = following not in _OWN_PHRASE
        conjunct.append(n)
    return conjunct, joined


def _neighbour(rs: ReadSentence) -> frozenset[str]:
    """A draft sentence's concepts as its neighbours' rules see them: all it names, and, marked ORDERED, the object,
    timing and clause of each thing it advises outright ("Order the <study> today."), not under a condition ("If <a
    flag> appears, the <study> urgently.")."""
    if any(m.concept == "gate.cue" for m in rs.mentions) or any(f.gate for f in rs.frames):
        return rs.concepts  # (whatever its condition: "if <a flag> appears", "once <x> is back")
    ordered = {ORDERED + c for f in rs.frames if f.polarity == "recommend"
               for c in ({f.object} | set(f.timing) | set(f.clause_concepts))}
    return rs.concepts | ordered


# a circumstance told in the past ("when I <did a task> she never <reacted>"), not a condition to come ("when
# <feature> develops, ..."): words that open one, and past forms without the "-ed" ending
_CIRCUMSTANCE = frozenset({"when", "whenever", "while"})
# a whole answer that says no to the question before it ("A: No", "Nil.", "none")
_BARE_NO = frozenset({"no", "none", "nil", "nope", "negative", "never", "denies", "denied", "n"})
# a short sentence denying all the previous one listed ("I have none of it.", "He's got none of those.")
_DENIES_ALL = re.compile(r"^\s*(?:but\s+|and\s+)?(?:i|he|she|they|we|you)?\s*(?:have|has|had|got|'ve got|'s got|"
                         r"ve got|s got)?\s*(?:none|not one|nothing)\s+of\s+(?:it|them|that|those|these|this|the above)"
                         r"(?:\s+\w+)?\s*[.!]?\s*$", re.IGNORECASE)
# a verb reporting someone's verdict ("she says", "he insists")
_REPORTING = frozenset({"says", "said", "insists", "insisted", "reckons", "thinks", "believes", "claims", "tells",
                        "telling"})
# ... and a verdict told as someone's certainty or fear ("so now my <relation> is sure <the patient> has it too")
_VERDICT = _REPORTING | frozenset({"sure", "convinced", "certain", "worried", "afraid", "scared", "fears", "feared",
                                   "thought", "suspects", "suspected", "panicking", "panicked", "frightened",
                                   "terrified", "anxious", "worrying", "fretting"})
_VERDICT_REACH = 4  # how far before such a verdict a time word is the verdict's
# words that put a finding in the present or bring it back, beside an episode told as over
_STILL_NOW = frozenset({"still", "now", "again", "currently", "today", "tonight", "returned", "recurred", "back",
                        "ongoing", "persists", "persisting", "remains", "but"})
_PAST = frozenset({"did", "was", "were", "had", "went", "got", "came", "saw", "felt", "took", "put", "gave", "sat",
                   "stood", "woke", "told", "said", "made", "ran", "tried", "lay", "fell", "left", "brought"})


def _others_words(rs: ReadSentence, cues: frozenset[str], quotes: Sequence[tuple[int, int]]) -> list[bool]:
    """For each mention: is it in words that are not the asker's own, after the sentence's first of these cues
    ("says that", "is this") or inside one of these quotations (character spans)?"""
    told = min((m.start for m in rs.mentions if m.concept in cues), default=len(rs.tokens))
    return [m.start > told or any(a <= rs.tokens[m.start].start < b for a, b in quotes) for m in rs.mentions]


def _read_positions(rs: ReadSentence) -> set[int]:
    """The token positions any concept's phrase holds."""
    return {i for m in rs.mentions for i in range(m.start, m.end)}


def _phrase_positions(rs: ReadSentence) -> set[int]:
    """The token positions a finding's or a body part's phrase holds: a word of _STILL_NOW there is that phrase's, not
    a time ("a back operation")."""
    return {i for m in rs.mentions if m.kind in ("finding", "anatomy") for i in range(m.start, m.end)}


def _identified_as_another(rs: ReadSentence, relations: list[int], theirs: set[str],
                           change: frozenset[str]) -> int | None:
    """Where the sentence says whose its findings are by naming that person after them ("the one who cannot <x> and
    has <y> is my <relation>, not my <patient's relation>"; "the one with <x> is his <relation> <name> - <his own
    history>"): the token "the one" starts at, when the relation named is not the patient's (theirs: the relations
    named with the pack's subject) and nothing after the relation turns back to the asker, to now or to anything new."""
    tokens = [t.text for t in rs.tokens]
    for k in range(len(tokens) - 2):
        if tokens[k] != "the" or tokens[k + 1] != "one" or tokens[k + 2] not in _IDENTIFIED_BY \
                or k and tokens[k - 1] not in _PLACE_TIME_BREAKS:
            continue
        # "... is|was <possessive> [one word] <relation>", the first "is" after "the one"
        verb = next((i for i in range(k + 3, len(tokens)) if tokens[i] in _IDENTIFYING), None)
        if verb is None:
            return None
        relation = next((r for r in relations if verb < r <= verb + 3), None)
        if relation is None or tokens[relation] in theirs or _told_of_now(rs, relation + 1, change, _TURNS_BACK,
                                                                          _phrase_positions(rs)):
            return None
        return k
    return None


def _disowned(rs: ReadSentence, following: ReadSentence | None, relations: frozenset[str]) -> int | None:
    """Where what the sentence tells of another person is then said to be theirs, not the asker's ("... his notes said
    '<features>'. That was him, not me."; "..., that was him"): the token the telling starts at, the first word
    naming that person."""
    def disowns(tokens: list[str]) -> bool:
        if tokens[:1] and tokens[0] in ("that's", "thats"):
            tokens = ["that", "is", *tokens[1:]]
        return (len(tokens) >= 3 and tokens[0] in _POINTING and tokens[1] in _IDENTIFYING | {"were"}
                and tokens[2] in _THIRD_PERSON_OBJECT)
    words = [t.text for t in rs.tokens]
    end = len(words)  # (disowned by the next sentence, or by the sentence's own last clause)
    if following is None or not disowns([t.text for t in following.tokens]):
        end = max((j + 1 for j, w in enumerate(words) if w in {",", ";", "-"}), default=0)
        if not end or not disowns(words[end:]):
            return None
    person = next((j for j, w in enumerate(words[:end]) if w.removesuffix("'s") in _THIRD_PERSON | relations), None)
    if person is None or not any(m.start > person and m.start < end and m.kind in _FINDING_KINDS
                                 for m in rs.mentions):
        return None
    return person


def _a_name(rs: ReadSentence, k: int, relations: frozenset[str]) -> bool:
    """Is the token at k a person's name, as a word right after their relation is: a word of letters that no concept
    reads and that is no function word ("my <relation> <name>", not "my <relation> has" nor "my <relation> and I")?"""
    word = rs.tokens[k].text
    return (word.isalpha() and len(word) > 2 and word not in relations and word not in _NOT_A_NAME
            and not any(m.start <= k < m.end for m in rs.mentions))


def _named_as_another(rs: ReadSentence, names: set[str], change: frozenset[str]) -> int | None:
    """Where the sentence says whose its findings are by that person's name after them ("the <finding> is <name>, he
    is 7"; "the <other finding> is also <name>"): the token the telling starts at, when a finding comes before the
    name and nothing after it turns back to the asker, to now or to anything new."""
    tokens = [t.text for t in rs.tokens]
    for i, word in enumerate(tokens):
        if word not in names or i < 2:
            continue
        verb = i - 1 if tokens[i - 1] in _IDENTIFYING else i - 2 if (
            tokens[i - 1] in _EARLIER | {"too"} and tokens[i - 2] in _IDENTIFYING) else None
        if verb is None:
            continue
        start = max((j + 1 for j in range(verb) if tokens[j] in _PLACE_TIME_BREAKS), default=0)
        if not any(start <= m.start < verb and m.kind in _FINDING_KINDS for m in rs.mentions):
            continue
        if _told_of_now(rs, i + 1, change, _TURNS_BACK, _phrase_positions(rs)):
            return None
        return start
    return None


def _possessive(word: str) -> bool:
    """A possessive pronoun, or a person's name or role in the possessive ("the dean's <relation>")."""
    return word in _POSSESSIVE or word.endswith(("'s", "’s")) and len(word) > 3 and word not in _CONTRACTED


_APPOSITIVE_MAX = 3  # how many words a name set off by commas may have ("<relation> at <place>, Mr <Name>, had")


def _without_appositives(rs: ReadSentence, start: int, dated: set[int] = frozenset()) -> list[str]:
    """The sentence's words from `start` on, less each short aside between commas that no concept reads (a person's
    name in apposition: "our friend at the market, Mr <Name>, had ..."), and less the words that date it long past
    (`dated`, token positions) with the commas beside them, so that what the person had is as near as the words
    between say."""
    tokens = [t.text for t in rs.tokens]
    read = _read_positions(rs)
    out: list[str] = []
    i = start
    while i < len(tokens):
        if i in dated or tokens[i] == "," and (i + 1 in dated or i - 1 in dated):
            i += 1
            continue
        close = next((j for j in range(i + 1, min(len(tokens), i + _APPOSITIVE_MAX + 2)) if tokens[j] == ","), None)
        aside = range(i + 1, close) if close is not None else range(0)
        if tokens[i] == "," and len(aside) and not any(
                j in read or tokens[j] in _PLACE_TIME_BREAKS or tokens[j] in _FIRST_PERSON for j in aside):
            i = aside.stop + 1
            continue
        out.append(tokens[i])
        i += 1
    return out


def _told_of_now(rs: ReadSentence, start: int, change: frozenset[str], stops: frozenset[str] = frozenset(),
                 held: set[int] = frozenset()) -> bool:
    """Does the sentence from `start` on speak of the asker, of now, or of anything new or worse (a telling of
    another's past that does is read as any other)? stops: more words that end such a telling; held: token positions
    a finding's phrase holds, where a word of _STILL_NOW ("back") is that phrase's. A time word after someone else's
    verdict on it ("... - and she says <the patient> has to go tonight"), or just before it ("so now my <relation> is
    sure ..."), dates that verdict, not a finding."""
    said = next((i for i, t in enumerate(rs.tokens[start:], start) if t.text in _REPORTING), len(rs.tokens))
    verdicts = [i for i, t in enumerate(rs.tokens[start:], start) if t.text in _VERDICT]

    def dates_a_verdict(i: int) -> bool:
        return any(i < v <= i + _VERDICT_REACH for v in verdicts)

    return (any(t.text in _FIRST_PERSON or t.text in stops
                or t.text in _STILL_NOW and i not in held and i < said and not dates_a_verdict(i)
                for i, t in enumerate(rs.tokens[start:], start))
            or any(m.start >= start and m.concept in change and not rs.negated[i] for i, m in enumerate(rs.mentions)))


def _with_past_circumstance(rs: ReadSentence) -> ReadSentence:
    """The sentence with what its gates hold counted as said, when every gate is a circumstance told in the past:
    the finding in it is the patient's, not a condition."""
    gates = [m for m in rs.mentions if m.kind == "gate"]
    if not gates or rs.mentioned <= rs.concepts:
        return rs
    for m in gates:
        following = [t.text for t in rs.tokens[m.end:m.end + 4]]
        if rs.tokens[m.start].text not in _CIRCUMSTANCE or m.end - m.start > 1 or not any(
                w in _PAST or (w.endswith("ed") and len(w) > 4) for w in following):
            return rs
    return replace(rs, concepts=rs.mentioned)


# a form's item number ("C3", "Q12", "4b"): where one answer ends and the next question begins
_ITEM_LABEL = re.compile(r"[a-z]{0,2}\d{1,2}[a-z]?")


def _answered_no(user: Sequence[ReadSentence]) -> frozenset[int]:
    """The questions a form or a checklist asks and the next sentence answers with a bare no ("Any numbness around
    your bottom? A: No"): what they name is denied, not the patient's."""
    def bare_no(rs: ReadSentence) -> bool:
        # the answer runs to the form's next question where a line break did not end the sentence ("A: No Q: ...")
        texts = [t.text for t in rs.tokens]
        if texts[:2] in (["a", ":"], ["answer", ":"], ["ans", ":"]):
            texts = texts[2:]
        end = next((i for i in range(len(texts) - 1) if texts[i] == "q" and texts[i + 1] == ":"), len(texts))
        # ... or to the form's next numbered item ("NO C3 Any change in bowel control?"), and a bare no may carry an
        # aside in brackets after it ("NO (I have a numb patch since my hip replacement ...)")
        end = next((i for i in range(1, end) if _ITEM_LABEL.fullmatch(texts[i]) or texts[i] == "("), end)
        words = [w for w in texts[:end] if w[0].isalnum()]
        return bool(words) and all(w in _BARE_NO for w in words)

    return frozenset(k for k in range(len(user) - 1)
                     if user[k].text.rstrip().endswith("?") and bare_no(user[k + 1])
                     # ... or a list someone read out, which the next sentence denies whole ("I have none of it")
                     or _DENIES_ALL.match(user[k + 1].text))


def _heads_what_follows(rs: ReadSentence, m) -> bool:
    """Is the mention right before a colon with words after it ("What's new: <finding>")?"""
    return m.end + 1 < len(rs.tokens) and rs.tokens[m.end].text == ":"


def _after(rs: ReadSentence, at: int | None) -> ReadSentence:
    """The sentence from token `at` on (None: all of it): what an episode told as over leaves the patient's now."""
    return rs if at is None else _keeping(rs, lambda start: start >= at)


def _before(rs: ReadSentence, at: int | None) -> ReadSentence:
    """The sentence up to token `at` (None: all of it): what another person had is not the patient's."""
    return rs if at is None else _keeping(rs, lambda start: start < at)


def _before_claim(rs: ReadSentence) -> ReadSentence:
    """The sentence up to a text's content named as such ("the source for the statement that <feature> requires
    <test>"): what a guideline says is no finding of the patient's."""
    at = next((m.start for m in rs.mentions if m.concept == "cue.claim"), None)
    return rs if at is None else _keeping(rs, lambda start: start < at)


def _keeping(rs: ReadSentence, where) -> ReadSentence:
    """The sentence with only the mentions whose first token `where` accepts, and only what they say."""
    kept = [k for k, m in enumerate(rs.mentions) if where(m.start)]
    mentions, negated = [rs.mentions[k] for k in kept], [rs.negated[k] for k in kept]
    said = frozenset(m.concept for m in mentions)
    return replace(rs, mentions=mentions, negated=negated, concepts=rs.concepts & said,
                   mentioned=rs.mentioned & said)


def _only_denied(read: Sequence[ReadSentence]) -> frozenset[str]:
    """The concepts read sentences mention only as denied. Denying one kind of a thing ("not a <kind A>") does not
    deny the thing: it may be another kind."""
    said = {m.concept for rs in read for k, m in enumerate(rs.mentions) if not rs.negated[k]}
    return frozenset(m.concept for rs in read for k, m in enumerate(rs.mentions)
                     if rs.negated[k] and m.kind != "cue" and not m.implied) - said


def _sentence_windows(text: str, lines: bool = False):
    """(normalised window, the same window in its own case) for each sentence of a text, less its citation markers,
    cut into windows: what the reader reads, and where in the asker's own text it is (offsets aligned). lines: the
    text is a user's account, whose list lines are sentences of their own."""
    for sentence in split_sentences(clean(text), lines=lines, rhetorical=not lines):
        body, _ = split_citations(sentence)
        norm = normalize(body)
        cased = body if len(body) == len(norm) else norm  # a letter whose lower case is longer: no alignment
        at = 0
        for window in _windows(norm):
            yield window, cased[at:at + len(window)]
            at += len(window)


def _windows(text: str) -> list[str]:
    """A sentence cut into windows of at most MAX_SENTENCE_TOKENS tokens (adversarial run-ons stay cheap)."""
    tokens = tokenize(text)
    if len(tokens) <= MAX_SENTENCE_TOKENS:
        return [text]
    cuts = [tokens[i].start for i in range(0, len(tokens), MAX_SENTENCE_TOKENS)]
    return [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True)]


def with_marks(text: str, cites: tuple[int, ...]) -> str:
    if not cites:
        return text
    marks = "".join(f"[{c}]" for c in cites)
    return f"{text[:-1]} {marks}{text[-1]}" if text[-1:] in ".!?" else f"{text} {marks}"


def _as_sentences(draft: str | Sequence[DraftSentence]) -> list[DraftSentence]:
    if isinstance(draft, str):
        out = []
        for raw in split_sentences(draft, rhetorical=True):
            text, cites = split_citations(raw)
            out.append(DraftSentence(text=text, cites=cites))
        return out
    return list(draft)


def _dedupe(sentences: list[SafeSentence]) -> list[SafeSentence]:
    seen: set[str] = set()
    out = []
    for s in sentences:
        key = s.rule_id or s.text
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


__all__ = ["BLOCK_KEEP_SHARE", "VOCABULARY_FILE", "Context", "DraftSentence", "GuardrailEngine", "RuleViolation",
           "SafeSentence", "Verdict", "with_marks"]
