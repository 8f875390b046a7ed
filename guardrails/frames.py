"""Recommendation frames: what a sentence recommends, about which object, when, waiting on what.

A sentence is read through the concept layer into mentions, cut into clauses, and each object mention
(a test, a kind of care, a wait-and-see strategy) becomes a Frame. Negation and framing come from
structure, ConText-style: a negation cue governs the rest of its clause (to the next clause boundary);
a post-negation cue ("... is a mistake") governs what precedes it in its clause; a framing cue
("a common pitfall is ...") or reported speech ("some clinicians would ...") governs the rest of the
sentence. A gate cue ("once", "pending", "only if") opens a condition span: objects inside it are
conditions, not actions, and the frame it attaches to waits on the conditions it names.

No dependency parser: none installable offline had provenance we could verify (the spaCy English
models are not on PyPI under their authors' name), so scopes are ConText-style, as medspaCy does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from guardrails.concepts import Mention, Token, Vocabulary, tokenize
from guardrails.sentences import OPEN_QUOTE

Polarity = str  # recommend | prohibit | report | ask | pitfall


@dataclass(frozen=True)
class Frame:
    object: str  # concept id of the thing recommended or judged
    polarity: Polarity
    timing: frozenset[str] = frozenset()  # timing concepts that apply to it, un-negated
    gate: frozenset[str] = frozenset()  # condition concepts it waits on
    gated_by_decision: bool = False  # "then decide on <test>": its doing depends on an earlier result
    protocol: frozenset[str] = frozenset()
    assessment: frozenset[str] = frozenset()  # judgements of this object in its clause, un-negated
    basis: frozenset[str] = frozenset()  # what a judgement rests on (examination, age, feel)
    precondition_met: bool = False  # "after <test> has excluded <condition>"
    sequence: str = ""  # "after_care" (imaging after a trial), "before_imaging" (care before imaging)
    # prohibited, and the only thing its sentence negates besides its own modifiers ("do not order <test> for
    # now"), unlike "do not arrange <test> after <other test>" or "neither <care> nor <care> before <test>"
    negation_alone: bool = False
    clause_concepts: frozenset[str] = frozenset()  # every un-negated concept in its clause
    sentence_concepts: frozenset[str] = frozenset()  # every un-negated concept in the sentence
    # what the sentence asserts: un-negated and outside every gate ("<care> waits until <cause> has been excluded"
    # says nothing has excluded it)
    said_concepts: frozenset[str] = frozenset()
    span: tuple[int, int] = (0, 0)  # character offsets of the anchor in the normalised sentence
    text: str = ""


@dataclass
class ReadSentence:
    text: str  # normalised
    tokens: list[Token]
    mentions: list[Mention]
    negated: list[bool]
    clauses: list[int] = field(default_factory=list)  # each token's clause number (clause_ids), read once
    frames: list[Frame] = field(default_factory=list)
    concepts: frozenset[str] = frozenset()  # un-negated concepts the sentence asserts (conditions aside)
    mentioned: frozenset[str] = frozenset()  # un-negated concepts anywhere, conditions included


_BOUNDARY_PUNCT = frozenset(".,;:!?()-")

# gate cues after which the thing gated on has been done ("<care> once <test> has been done"), unlike "pending"
_COMPLETION = frozenset({"after", "once", "following", "when", "whenever", "now that", "as soon as", "only after",
                         "only once", "only when", "once the", "after the", "if and when", "with the results of"})
_SEQUENCE = frozenset({"then", "and then", "followed by", "before"})
_SELF_NEGATING = frozenset({"no", "not", "never", "nothing", "none"})
_INABILITY = frozenset({"cannot", "can't", "can not", "couldn't", "could not", "unable"})
_WAITING = frozenset({"wait for", "wait on", "waiting for", "waiting on", "await", "awaiting"})
# a negated verb of having ("doesn't have", "did not have"): the verb is the cue's own, not a new clause's
_VERB_NEGATIONS = frozenset({"doesn't", "don't", "didn't", "dont", "doesnt", "didnt", "not", "never", "hasn't",
                             "haven't", "hadn't"})
_POSSESSING = frozenset({"have", "has", "had", "got", "get", "gets"})
_LIST_NEGATION = frozenset({"denies", "denied", "denying", "no", "without", "negative for", "free of", "absent"})
# how a history denies a finding ("no <a>", "denies <b>", "<c> absent"): not "not", which also corrects ("<x>, not <y>")
DENIALS = _LIST_NEGATION | {"nil", "none", "never"}
# how a question opens in English: a clause opening otherwise and closed by a tag ("..., right?") is a statement
_QUESTION_OPENERS = frozenset({"what", "why", "how", "when", "where", "which", "who", "whom", "whose", "is", "are",
                               "was", "were", "do", "does", "did", "can", "could", "should", "would", "will", "shall",
                               "may", "might", "must", "has", "have", "had", "isn't", "aren't", "don't", "doesn't",
                               "didn't", "can't", "shouldn't", "wouldn't", "won't", "any", "or"})
TAG_WORDS = 2  # the most words a question tag has ("right?", "isn't it?", "ishi?")
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "this", "that", "any"})
_ASSERTED = frozenset({"new", "newly", "now", "worsening", "progressive", "increasing", "recent", "sudden", "acute"})


def covered_tokens(rs: ReadSentence) -> set[int]:
    """The indices of the tokens some mention covers: what is left are the sentence's own words (its verbs)."""
    return {t for x in rs.mentions for t in range(x.start, x.end)}


def _own_verb_between(rs: ReadSentence, m: Mention, a: int) -> bool:
    """Between an object and a gate after it, another object in a verb phrase of its own, joined by "and" ("<test>
    immediately and tell him to <return> if ..."), not a list of objects under one verb ("<test A> and <test B> if
    ...")."""
    covered = covered_tokens(rs)
    for x in rs.mentions:
        if x.kind != "object" or not m.end <= x.start < a:
            continue
        between = [t for t in rs.tokens[m.end:x.start] if t.index not in covered]
        joins = [k for k, t in enumerate(between) if t.text == "and"]
        if joins and len(between) - joins[-1] - 1 >= 2:
            return True
    return False


def _coordinated_verb_before(rs: ReadSentence, clauses: list[int], a: int) -> bool:
    """Does the gate at token a follow a verb phrase of its own joined by "and" ("..., and we can tweak it once
    ...")? Not a bare "and" or an adverb ("..., and only once ...", "..., ideally once ...")."""
    covered = covered_tokens(rs)
    words = [t for t in rs.tokens[:a] if clauses[t.index] == clauses[a] and not t.is_punct]
    return bool(words) and words[0].text.lower() == "and" and len(
        [t for t in words[1:] if t.index not in covered]) >= 2


def clause_ids(tokens: list[Token], mentions: list[Mention]) -> list[int]:
    """Clause number of each token: punctuation and terminating cues ("but", "then", "so") start a new one."""
    starts = {m.start for m in mentions if m.concept == "cue.terminate"}
    out, clause = [], 0
    for t in tokens:
        if t.index in starts or t.text in _BOUNDARY_PUNCT:
            clause += 1
        out.append(clause)
    return out


def negation_flags(tokens: list[Token], mentions: list[Mention], clauses: list[int], lists: bool = False,
                   normal: frozenset[str] = frozenset()) -> list[bool]:
    """For each mention: is it negated? lists=True lets a list negation ("denies X, Y or Z", "no X or Y") run
    across commas, for symptoms in a question; an item said to be new is never negated. normal: the concepts that
    find a part normal (the vocabulary's `normal` role): a list part saying so asserts its own verdict."""
    flags = [False] * len(mentions)
    for i, cue in enumerate(mentions):
        # in a history, "I have excluded <a>, <b> and <c>" denies them as plainly as "no <a>, <b> or <c>"
        excluding = lists and cue.concept == "condition.excluded" and i + 1 < len(mentions) \
            and mentions[i + 1].start == cue.end
        if cue.concept in ("cue.negation", "cue.substitution") or excluding:
            if lists and cue.text in _INABILITY:
                continue  # in a history, "can't get an erection", "cannot feel": a symptom, not a denial
            list_mode = (excluding or lists and cue.text in _LIST_NEGATION and (cue.text not in ("no", "without")
                                                                                or _joined_by_or(tokens, cue.end))
                         # a draft's "do not start A, B or C": one prohibition over the list
                         or not lists and _joined_by_or(tokens, cue.end))
            judged = None  # where the judgement the negation denies ends ("does not replace <test>")
            for j in range(i + 1, len(mentions)):
                m = mentions[j]
                if m.concept in ("cue.terminate",):
                    break  # "no <a> or <b>, so <c> ...": a list ends where a new clause begins
                if m.kind == "assessment" and judged is not None and _relative_after_object(tokens, mentions,
                                                                                          judged, m.start):
                    break  # "... does not replace the <test> that a <finding> needs": the relative clause's own
                same = clauses[m.start] == clauses[cue.start]
                if not same and not (list_mode and _list_continues(tokens, cue.end, m.start)):
                    break
                # (the verb the cue itself negates is no stop: "he doesn't have <a> or <b>")
                own_verb = cue.end < len(tokens) and tokens[cue.end].text in _POSSESSING and tokens[
                    cue.end - 1].text in _VERB_NEGATIONS
                if lists and any(t.text in _LIST_STOPS for t in tokens[cue.end + own_verb:m.start]):
                    break  # in a history, "no <symptom>, has a <finding>": the verb ends the negated part
                if not lists and cue.text == "no" and m.kind == "assessment" \
                        and any(t.text in _CLAUSE_VERBS for t in tokens[cue.end + 1:m.start]):
                    break  # "<test> showing no <finding> is enough": "no" denies its noun phrase, not the verdict
                if m.kind != "cue" and tokens[m.start].text in _SELF_NEGATING and _joined_on(tokens, m.start):
                    break  # "it is not serious and no other test is needed": a phrase that carries its own "no"
                if m.kind == "object" and m.start > cue.end and tokens[m.start - 1].text in ("and", "but") \
                        and m.end < len(tokens) and tokens[m.end].text in _CLAUSE_VERBS:
                    break  # "no evidence of <finding> and <test> is not required": a clause with its own subject
                if list_mode and _asserted(tokens, m.start):
                    break
                if list_mode and m.start > cue.end and _after_comma(tokens, m.start) and m.end < len(tokens) \
                        and tokens[m.end].text in _CLAUSE_VERBS:
                    break  # "no <a> or <b>, a <finding> has been ruled out": the subject of a new clause
                if list_mode and _said_normal_after_comma(tokens, mentions, cue.end, m.start, normal):
                    break  # "no <a> or <b>, <organs> regular as clockwork": an item with its own verdict

                flags[j] = True
                if m.kind == "assessment" and judged is None:
                    judged = m.end
                if m.kind == "gate" and not (m.start == cue.end and m.text in _WAITING):
                    break  # "CT instead of MRI only if MRI is contraindicated": the condition is not negated
                # ... but a wait the cue itself denies denies what is waited for: "do not wait for <care> before
                # <test>" does not advise the care
        elif cue.concept == "cue.restriction" and not lists:
            # "PT is fine for non-specific pain, but not with a mass": what came before is limited to others;
            # "the mass cannot be assumed to be benign": what follows in its clause is rejected too
            for j in range(i - 1, -1, -1):
                if tokens[mentions[j].end].text in (";", ":") if mentions[j].end < len(tokens) else False:
                    break
                flags[j] = True
            for j in range(i + 1, len(mentions)):
                if clauses[mentions[j].start] != clauses[cue.start]:
                    break
                flags[j] = True
        elif cue.concept == "cue.post_negation":
            clause = clauses[cue.start]
            for j in range(i - 1, -1, -1):
                if clauses[mentions[j].start] != clause:
                    # "<care> before <test> is not recommended": a sequence inside the subject, not a new clause
                    if not (_sequence_in_subject(tokens, mentions, j, clause, clauses)
                            or _in_apposition(tokens, mentions[j].end, cue.start)
                            or _coordinated_subject(tokens, mentions[j].end, cue.start)):
                        break
                    clause = clauses[mentions[j].start]
                flags[j] = True
                if mentions[j].kind == "gate":
                    break  # "indicated only if MRI is unsuitable": a condition's own verdict stays in the condition
    if lists:
        _form_answers(tokens, mentions, flags)
        _parenthetical_denials(tokens, mentions, flags)
    for j in range(1, len(mentions)):
        # "should not wait until after <event>": a gate cue right after a negated one is the same cue, as negated
        if mentions[j].concept == "gate.cue" and mentions[j - 1].concept == "gate.cue" and flags[j - 1] \
                and mentions[j].start == mentions[j - 1].end:
            flags[j] = True
    return flags


# a subject and its verb restating what a joined clause is about ("not <a> and it's nothing <b>")
_RESTATED_SUBJECT = frozenset({"it's", "its", "it", "that's", "thats", "that", "is", "was", "it'll", "will", "be"})


def _joined_on(tokens: list[Token], at: int) -> bool:
    """Is the token at `at` the first of a clause joined on by "and", "or" or a comma, with at most a restated subject
    and its verb between ("..., and it's <phrase>")?"""
    k = at - 1
    while k >= 0 and at - k <= 3 and tokens[k].text in _RESTATED_SUBJECT:
        k -= 1
    return k >= 0 and tokens[k].text in ("and", "or", ",")


def _sequence_in_subject(tokens: list[Token], mentions: list[Mention], j: int, clause: int, clauses: list[int]) -> bool:
    """Does mention j's clause run on into `clause` through a word of sequence with no punctuation between ("<care>
    before <test> is not recommended")?"""
    start = next(t.index for t in tokens if clauses[t.index] == clause)
    return tokens[start].text in _SEQUENCE_WORDS and clauses[mentions[j].start] == clause - 1 \
        and not any(t.text in _BOUNDARY_PUNCT for t in tokens[mentions[j].end:start])


_SEQUENCE_WORDS = frozenset({"before", "until", "pending"})


def _in_apposition(tokens: list[Token], start: int, cue: int) -> bool:
    """Are the only boundaries between start and the verdict at cue the two dashes around an apposition ("<the plan>
    - <what it is> - is not right")?"""
    marks = [t.text for t in tokens[start:cue] if t.text in _BOUNDARY_PUNCT and t.text != ","]
    dashes_before = sum(t.text == "-" for t in tokens[:start])
    return marks == ["-", "-"] or marks == ["-"] and dashes_before == 1


def _coordinated_subject(tokens: list[Token], start: int, cue: int) -> bool:
    """Is the verdict at cue said of a subject of several items set off by commas, the sentence's opening ("<a>, or
    <b> first, is not appropriate")? Only commas part them, one of them followed by "or"/"and", one right before the
    verdict, and no verb of a clause of its own comes before it. start: where the mention before the verdict ends."""
    subject = tokens[:cue]  # (the sentence opens with the subject: what comes before the verdict is all of it)
    marks = [t.text for t in subject if t.text in _BOUNDARY_PUNCT]
    return start < cue and subject[-1].text == "," and set(marks) == {","} \
        and any(a.text == "," and b.text in ("or", "and", "nor") for a, b in zip(subject, subject[1:], strict=False)) \
        and not any(t.text in _CLAUSE_VERBS for t in subject)


def _absolute_with(tokens: list[Token], mentions: list[Mention], k: int, clauses: list[int]) -> bool:
    """Is mention k in the clause that opens the sentence with "with" and says no time ("With the <test> showing
    <x>, ..."; not "start <care>, with the <test> showing <x> next month")?"""
    clause = clauses[mentions[k].start]
    return bool(tokens) and tokens[0].text == "with" and clauses[0] == clause and not any(
        x.kind == "timing" for x in mentions if clauses[x.start] == clause)


# the participles of a result in the absolute ("with the <test> showing <x>")
_ABSOLUTE_RESULTS = frozenset({"showing", "confirming", "demonstrating", "revealing"})


# a form's answer to its item ("<finding> - NO", "<finding>: absent"), ended by the item's end
_FORM_ANSWERED = frozenset({"-", ":"})
_FORM_NO = DENIALS | {"negative", "neg"}
_NO_CHANGE = frozenset({"change", "changes", "problem", "problems", "issue", "issues", "concerns"})
_ITEM_ENDS = frozenset({";", ".", ",", ":", "(", ")", "?", "!"})


def _form_answers(tokens: list[Token], mentions: list[Mention], flags: list[bool]) -> None:
    """In a history pasted from a form or a checklist, an item answered "no" after it ("urinary <finding> - NO;
    <finding>: absent"; "<organ> (<what was asked of it>): 'no change'") denies the findings the item names, its
    parenthesis included, as "no <finding>" does."""
    for k, t in enumerate(tokens):
        if not (t.text in _FORM_NO and k >= 2 and tokens[k - 1].text in _FORM_ANSWERED):
            continue
        after = k + 1
        if t.text == "no" and after < len(tokens) and tokens[after].text in _NO_CHANGE:
            after += 1  # "no change", "no problems": the answer of an item that is as it was
        if not (after == len(tokens) or tokens[after].text in _ITEM_ENDS or tokens[after].text == "-"
                or tokens[after].text == "at" and after + 1 < len(tokens) and tokens[after + 1].text == "all"):
            continue
        start, depth = 0, 0
        for i in range(k - 2, -1, -1):
            text = tokens[i].text
            if text == ")":
                depth += 1
            elif text == "(":
                depth -= 1
            elif depth <= 0 and text in _ITEM_ENDS:
                start = i + 1
                break
        for j, m in enumerate(mentions):
            if m.kind in ("finding", "condition") and start <= m.start and m.end <= k - 1:
                flags[j] = True


def _parenthetical_denials(tokens: list[Token], mentions: list[Mention], flags: list[bool]) -> None:
    """In a history, a parenthesis right after a denied finding gives the evidence for the denial ("no <finding>
    (<its measurement> <value>)"): the findings it names are denied with it."""
    for k, t in enumerate(tokens):
        if t.text != "(":
            continue
        before = next((j for j, m in enumerate(mentions) if m.end == k), None)
        if before is None or not flags[before] or mentions[before].kind != "finding":
            continue
        close = next((i for i in range(k + 1, len(tokens)) if tokens[i].text == ")"), None)
        if close is None:
            continue
        for j, m in enumerate(mentions):
            if m.kind == "finding" and k < m.start and m.end <= close:
                flags[j] = True


def _said_normal_after_comma(tokens: list[Token], mentions: list[Mention], start: int, at: int,
                             normal: frozenset[str]) -> bool:
    """Does the comma-delimited part holding token `at` (after a comma past `start`) say its items are normal ("no
    <a>, <organs> normal")? A list negation stops there: the part asserts its own verdict."""
    comma = next((i for i in range(at - 1, start - 1, -1) if tokens[i].text == ","), None)
    if comma is None:
        return False
    end = next((i for i in range(at, len(tokens)) if tokens[i].text in (",", ";", ".")), len(tokens))
    return any(comma < x.start < end and x.concept in normal for x in mentions)


def _after_comma(tokens: list[Token], at: int) -> bool:
    """The token opens a noun phrase right after a comma (", <x>", ", a <x>")."""
    before = [t.text for t in tokens[max(0, at - 2):at]]
    return before[-1:] == [","] or len(before) == 2 and before[0] == "," and before[1] in ("a", "an", "the")


def _list_continues(tokens: list[Token], start: int, end: int) -> bool:
    """A list negation reaches this mention: only short items joined by commas, 'or', 'and', 'nor' lie between
    (a verb such as 'has' or 'reports' ends the list: "no fever, has a lumbar mass" asserts the mass)."""
    items, current = [], 0
    for t in tokens[start:end]:
        if t.text in _LIST_STOPS:
            return False
        if t.text in (",", "or", "and", "nor", "/"):
            items.append(current)
            current = 0
        elif not t.is_punct:
            current += 1
    items.append(current)
    return all(n <= 4 for n in items) and end - start <= 16


_LIST_STOPS = frozenset({".", ";", ":", "?", "!", "but", "however", "although", "though", "which", "now", "then",
                         # a time said ends the phrase a preposition negates ("without <x> an hour ago and ...")
                         "ago",
                         "has", "have", "had", "is", "are", "was", "were", "presents", "presented", "reports",
                         "reported", "complains", "describes", "with", "who", "that", "since", "because",
                         # a modal starts a new statement: "no <finding>, a <test> would add little"
                         "would", "should", "will", "can", "could", "may", "might", "must", "shall"})


_SUBJECT_OPENERS = frozenset({"it's", "that's", "there's", "we", "you", "i", "we'll", "you'll", "i'll", "we'd",
                              "you'd", "i'd", "we've", "you've", "i've", "we're", "you're", "i'm", "then", "so"})
_PRONOUNS = frozenset({"it", "this", "that", "there"})
_PEOPLE = frozenset({"he", "she", "we", "they", "you", "i"})
_DEMONSTRATIVES = frozenset({"this", "that"})
_MODALS = frozenset({"is", "will", "would", "can", "should", "may", "must", "could"})
_AUXILIARIES = frozenset({"is", "are", "was", "were", "has", "have", "had"})
# a result stated as the test's finding ("the <test> shows", "<test> confirmed"), not a noun ("based on <test>
# findings")
# an opening "With the <test> showing <finding>, ...": the test stated with its result, as "the <test> shows" is
_RESULT_PARTICIPLES = frozenset({"showing", "confirming", "demonstrating", "revealing"})
# words before a result verb that make it a purpose or a forecast ("needed to show", "will confirm")
_NOT_YET = frozenset({"to", "will", "would", "may", "might", "can", "could", "should", "must", "shall"})
_RESULT_VERBS = frozenset({"shows", "showed", "shown", "confirms", "confirmed", "reveals", "revealed", "demonstrates",
                           "demonstrated", "found", "identified", "reported", "was", "is", "characterised",
                           "characterized", "characterises", "characterizes",
                           # (of tests together: "<test A> and <test B> show")
                           "show", "confirm", "reveal", "demonstrate", "were", "are"}) | _RESULT_PARTICIPLES
# Gate cues that govern a noun phrase, not a clause ("a patient awaiting <test> for <finding> has <symptom>"): in a
# user's account the condition ends at the first finite verb, which starts what the account reports
_NOUN_GATES = frozenset({"awaiting", "await", "awaits", "awaited", "pending", "following", "after", "waiting", "wait"})
_FINITE = _AUXILIARIES | frozenset({"reports", "reported", "says", "said", "describes", "described", "complains",
                                    "complained", "develops", "developed", "presents", "presented", "notices",
                                    "noticed", "now", "today", "tonight", "since"})
# the verb right after a coordinated subject ("... and <test> is not required"): a clause of its own
_PAST_AUXILIARIES = frozenset({"has", "have", "had", "was", "were"})
_POINTERS = frozenset({"it", "them"})  # an earlier object, named again
_CIRCUMSTANCE = frozenset({"when", "whenever", "while"})
_RELATIVE = frozenset({"that", "which", "who", "whom", "whose"})
_PERSONS = frozenset({"he", "she", "they", "it"})
_UP_TO = frozenset({"until", "till", "til"})
# what may come, not what the patient does ("when she develops <finding>", "when it gets worse")
_CHANGES = frozenset({"develops", "gets", "becomes", "starts", "begins", "has", "is", "was", "does", "goes",
                      "notices", "shows", "comes", "returns", "worsens", "progresses", "spreads", "appears",
                      "occurs", "happens", "needs", "wants", "agrees", "arrives", "attends", "results", "reports"})
# who is doing it, before the doing ("when he's <doing>", "while she is <doing>", typed "when hes <doing>")
_DOER = frozenset({"he", "she", "they", "i", "we", "you", "he's", "she's", "they're", "i'm", "we're", "you're", "hes",
                   "shes", "theyre", "im", "is", "are", "was", "were", "am", "been"})
_CLAUSE_VERBS = _AUXILIARIES | _MODALS | frozenset({"might", "isn't", "aren't", "wasn't", "won't", "shouldn't"})


def _new_subject(tokens: list[Token], at: int, gate_end: int) -> bool:
    """'If it has been there for years it's almost certainly benign': the condition ends where a new subject
    and verb begin, even without a comma."""
    if at <= gate_end + 1 and not (at == gate_end + 1 and tokens[gate_end].text in _DEMONSTRATIVES):
        return False  # (the gate's own first word; "after that we'll ...": a demonstrative is its whole condition)
    t = tokens[at].text
    if t in _SUBJECT_OPENERS:
        return True
    if t in _MODALS | {"do", "does", "did"} and at + 1 < len(tokens) and tokens[at + 1].text in _PEOPLE:
        return True  # "only if it doesn't settle should he have <test>": the main clause, inverted
    # "if it's no better in a month she can get it checked": a person and a modal open the main clause
    return t in _PRONOUNS | _PEOPLE and at + 1 < len(tokens) and tokens[at + 1].text in _MODALS


def _segment(tokens: list[Token], at: int) -> int:
    """How many hard boundaries (';', ':') come before this token: a gate never reaches across one."""
    return sum(1 for t in tokens[:at] if t.text in (";", ":"))


def _joined_by_or(tokens: list[Token], start: int) -> bool:
    """A plain 'no' opens a list only when 'or'/'nor' joins it ("no X, Y or Z"); "no fever, retention" lists
    nothing: a missed emergency is worse than a needless banner."""
    for t in tokens[start:]:
        if t.text in (".", ";", ":", "?", "!", "but"):
            return False
        if t.text in ("or", "nor"):
            return True
    return False


STRUCK_REACH = 2  # characters between an instruction to strike a quotation and its opening mark ("delete '")
_QUOTED = re.compile(r"""(?:^|(?<=[\s(\[:,]))(["'])(.+?)\1(?=[\s.,;:!?)\]]|$)""")


# what may stand between a quotation and the judgement of it: nothing, or words pointing back at it ("'<X>' - that
# plan is not safe")
_POINTS_BACK = re.compile(r"(?:(?:that|this|which|the|such)(?:\s+(?:plan|advice|entry|note|approach|suggestion|idea"
                          r"|instruction|line|order|recommendation))?)?", re.IGNORECASE)


def opens_with_rejection(rs: ReadSentence) -> bool:
    """'That advice is wrong: ...', 'This is not correct.': the sentence begins by rejecting the one before."""
    return any(m.concept == "cue.reject" and m.start <= 3 for m in rs.mentions)


def _outside_rejected_quotes(text: str, tokens: list[Token], mentions: list[Mention],
                             rejected_next: bool = False) -> list[Mention]:
    """The mentions less those inside a quotation the sentence (or the next one) then rejects ("the letter says
    '<test> normal, so nothing serious', but that is not correct: ..."): quoted advice is the speaker's only when
    not rejected, and a quotation nobody rejects is read like any other words."""
    rejects = [tokens[m.start].start for m in mentions if m.concept == "cue.reject"]
    # ... and a judgement right after the quotation ("the note's reasoning - '<X>' - is wrong")
    judged = [tokens[m.start].start for m in mentions if m.concept == "cue.post_negation"]
    # ... or an instruction to strike it, right before it ("please delete '<X>'")
    struck = [tokens[m.end - 1].end for m in mentions if m.concept == "cue.strike"]
    if not rejects and not judged and not struck and not rejected_next:
        return mentions
    # a rejection opening the sentence governs the quotation after it ("Disregard the earlier note to '...'")
    opening = any(m.concept == "cue.reject" and m.start <= 1 for m in mentions)
    spans = [(q.start(2), q.end(2)) for q in _QUOTED.finditer(text)
             if rejected_next or opening or any(r >= q.end() for r in rejects)
             or any(0 <= q.start() - e <= STRUCK_REACH for e in struck)
             or any(j >= q.end() and _POINTS_BACK.fullmatch(text[q.end():j].strip(" -\u2013\u2014,")) for j in judged)]
    if rejected_next and not spans and (open_quote := OPEN_QUOTE.search(text)):
        spans = [(open_quote.start(1), len(text))]  # the sentence split took the closing mark with the full stop
    return [m for m in mentions if not any(a <= tokens[m.start].start < b for a, b in spans)]


def _relative_after_object(tokens: list[Token], mentions: list[Mention], start: int, end: int) -> bool:
    """Between these tokens, an object and then a relative pronoun ("the <test> that ..."): a clause about the object
    ("reassure her that ..." has no object before its "that": what follows is what is said, not a relative clause)."""
    objects = [m.end for m in mentions if m.kind == "object" and start <= m.start and m.end <= end]
    return bool(objects) and any(t.text in _RELATIVE for t in tokens[objects[0]:end])


_COORDINATORS = frozenset({"and", "then", "but"})


_CONCESSIVE = frozenset({"but", "however", "yet", "though", "although"})


def _opens_clause(tokens, clauses, start: int) -> bool:
    """Does the token at start open its clause (nothing but punctuation before it in the clause)?"""
    return all(tokens[i].is_punct for i in range(start) if clauses[i] == clauses[start])


def _coordinated_away(tokens: list[Token], covered: frozenset[int], m: Mention, o: Mention) -> bool:
    """Is there a coordinating conjunction between mention m and object o, outside any mention's own words (covered:
    "with and without contrast" is one protocol)?"""
    lo, hi = (m.end, o.start) if o.start >= m.end else (o.end, m.start)
    return any(tokens[i].text in _COORDINATORS and i not in covered for i in range(lo, hi))


def _doing(tokens: list[Token], at: int) -> bool:
    """An activity starts at this token, after at most two words naming who does it ("when walking", "when he's
    walking", "when she sits on the toilet"); not a change that may come ("when she develops weakness")."""
    for k in range(at, min(at + 3, len(tokens))):
        word = tokens[k].text
        if word.endswith("ing") and len(word) > 4:
            return True
        if k > at and word.endswith("s") and len(word) > 3 and word.isalpha() and word not in _CHANGES \
                and tokens[k - 1].text in _PERSONS:
            return True
        if word not in _DOER:
            return False
    return False


def _asserted(tokens: list[Token], at: int) -> bool:
    return any(t.text in _ASSERTED for t in tokens[max(0, at - 2):at])


# words that put one step after another in the same study ("<unenhanced images> first, then <the agent>")
_NEXT_STEP = frozenset({"then", "and then", "followed by", "after that", "and after that"})


_HAVING = frozenset({"with", "has", "had", "having"})


def _history_durations(tokens: list[Token], mentions: list[Mention]) -> list[Mention]:
    """A span of time that says how long a finding has lasted is the history, not a plan's timing: "<n> weeks of
    <finding>" (a word or two between: "<n> weeks of dull <finding>") and "with <finding> for <n> weeks" leave no
    timing for the study the sentence orders. A span of care or of watching ("<n> weeks of <care>", "watch <finding>
    for <n> weeks") is still one."""
    dropped: set[int] = set()
    for k, m in enumerate(mentions):
        if m.concept != "timing.interval":
            continue
        after = mentions[k + 1] if k + 1 < len(mentions) else None
        if (m.end < len(tokens) and tokens[m.end].text == "of" and after is not None and after.kind == "finding"
                and after.start - m.end <= 3):
            dropped.add(k)
        before = mentions[k - 1] if k else None
        if (before is not None and before.kind == "finding" and before.end == m.start
                and tokens[m.start].text in ("for", "over") and before.start
                and tokens[before.start - 1].text in _HAVING):
            dropped.add(k)
    return [m for k, m in enumerate(mentions) if k not in dropped] if dropped else mentions


_NAMED_THING_DETERMINERS = _DETERMINERS | {"my", "your", "our"}
# words that end the noun phrase a verb takes ("defer the <thing> and ...", "... until ...", "... rather than ...")
_PHRASE_ENDS = frozenset({"and", "but", "so", "then", "until", "till", "while", "rather", "instead", "not", "to",
                          "because", "as", "since", "or"})


_TIME_PREPOSITIONS = frozenset({"after", "until", "till", "for", "on", "at", "in", "by", "before", "following",
                                "past", "from"})


_JUDGED_HARMLESS = frozenset({"won't", "wont", "not", "never"})


def _deferral_of_another_thing(tokens: list[Token], mentions: list[Mention]) -> list[Mention]:
    """"Defer the <operation> for now and order <the test> today": a deferral said as a verb whose own noun phrase
    names something no concept reads (an operation, a holiday) puts off that thing, not a test the sentence names
    elsewhere, nor the sentence as a whole. A noun phrase naming an object or a booking ("defer the <test>",
    "postpone the appointment", "put off the decision") keeps it; a body part or a time in it names no such thing
    ("postpone the knee operation for now")."""
    describing = ("anatomy", "timing", "finding", "measure", "cue")
    covered = frozenset(i for m in mentions if m.kind not in describing or m.concept == "cue.booking"
                        for i in range(m.start, m.end))
    dropped: set[int] = set()
    for k, m in enumerate(mentions):
        if m.concept != "timing.defer" or m.end >= len(tokens) or tokens[m.end].text not in _NAMED_THING_DETERMINERS:
            continue
        if any(t.text in _JUDGED_HARMLESS for t in tokens[m.start:m.end]):
            continue  # "another month won't change a thing": a wait judged harmless, not a verb putting off its object
        if tokens[m.end - 1].text in _TIME_PREPOSITIONS or any(
                x.kind == "timing" and m.end <= x.start <= m.end + 1 for x in mentions):
            continue  # "in for the week after the <event>", "postponed a few weeks": what follows is when
        phrase: list[int] = []
        end = len(tokens)
        for j in range(m.end + 1, len(tokens)):
            if tokens[j].is_punct or tokens[j].text in _PHRASE_ENDS:
                end = j
                break
            phrase.append(j)
        if phrase and not covered.intersection(phrase) and any(tokens[j].text.isalpha() for j in phrase):
            dropped.add(k)
            # "postpone the <thing> rather than the <test>": the test is what is not put off, not what is not done
            # (not "... rather than delaying the <test>", where the cue still denies the delay)
            dropped.update(n for n, x in enumerate(mentions) if x.start == end and x.concept == "cue.substitution"
                           and n + 1 < len(mentions) and mentions[n + 1].kind == "object"
                           and all(t.text in _NAMED_THING_DETERMINERS for t in tokens[x.end:mentions[n + 1].start]))
    return [m for k, m in enumerate(mentions) if k not in dropped] if dropped else mentions


def _staged_protocol(mentions: list[Mention]) -> list[Mention]:
    """A study run unenhanced and then with the agent, said in steps ("images without contrast first, then repeat
    after IV <agent>", "the non-contrast sequences followed by post-<agent> ones"), is the without-and-with protocol:
    its unenhanced step is read as that protocol. Not when the agent comes later on a condition or at another time
    ("..., and we can add <agent> later if the report shows anything"), or with another test ("then <other test>
    with contrast")."""
    out = list(mentions)
    for i, m in enumerate(mentions):
        if m.concept != "protocol.noncontrast":
            continue
        stepped = False
        for j, x in enumerate(mentions[i + 1:], i + 1):
            if x.concept == "cue.terminate" and x.text in _NEXT_STEP:
                stepped = True
            elif x.concept == "contrast.agent":
                # ("..., then with <agent> only if the unenhanced images show something": the agent on a condition,
                # in its own clause)
                if stepped and not any(_holds_back(y) for y in _until_next_clause(mentions[j + 1:])):
                    out[i] = Mention("protocol.full", "protocol", m.start, m.end, m.text, implied=True)
                break
            elif x.kind in ("object", "protocol") or _holds_back(x):
                break
    return out


def _until_next_clause(mentions: list[Mention]) -> list[Mention]:
    """The mentions before the next clause-ending cue ("but", "so", "because", a new subject)."""
    end = next((k for k, m in enumerate(mentions) if m.concept == "cue.terminate"), len(mentions))
    return mentions[:end]


def _holds_back(m: Mention) -> bool:
    """Does this mention put a step off, or on a condition ("later", "if <result>", "not")?"""
    return (m.kind == "condition" or m.concept in ("timing.defer", "cue.negation")
            or m.concept == "gate.cue" and m.text != "after")


class FrameReader:
    """Reads sentences into frames with one vocabulary; the object kinds come from the vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.v = vocabulary
        self._watch_list = vocabulary.role("watch_list")
        self._normal = vocabulary.role("normal")
        # the conditions a plain film's and a definitive test's results are read as (FrameReader._established)
        self._plain_result = frozenset(vocabulary.as_condition(c)[1] for c in vocabulary.role("plain_film"))
        self._definitive_result_of = frozenset(vocabulary.as_condition(c)[1]
                                               for c in vocabulary.role("definitive_test"))

    def read(self, sentence: str, lists: bool = False, rejected_next: bool = False) -> ReadSentence:
        """rejected_next: the next sentence opens by rejecting what this one quotes ("That advice is wrong: ...")."""
        tokens = tokenize(sentence)
        mentions = _staged_protocol(self._sequences_only(self._absolute_opening(
            tokens, _deferral_of_another_thing(tokens, _history_durations(
                tokens, _outside_rejected_quotes(sentence, tokens, self.v.tag(tokens), rejected_next))))))
        clauses = clause_ids(tokens, mentions)
        negated = negation_flags(tokens, mentions, clauses, lists, self._normal)
        rs = ReadSentence(sentence, tokens, mentions, negated, clauses)
        gates = self._gate_spans(tokens, mentions, clauses, negated, account=lists,
                                 lists_after=frozenset(m.start for m in mentions if m.concept in self._watch_list))
        in_gate = [any(a <= m.start < b for a, b, _ in gates) for m in mentions]
        rs.concepts = frozenset(m.concept for k, m in enumerate(mentions)
                                if not negated[k] and not in_gate[k] and m.kind != "cue")
        # what the sentence mentions anywhere, conditions included ("if a surgeon says it feels benign, ...")
        rs.mentioned = frozenset(m.concept for k, m in enumerate(mentions) if not negated[k] and m.kind != "cue")
        owner = self._owners(mentions, clauses, in_gate, tokens)
        reported = next((m.start for m in mentions if m.concept in ("cue.reported", "cue.wish")), None)
        if reported is not None and any(m.concept == "cue.endorse" and m.start > reported for m in mentions):
            reported = None  # "<a colleague> suggested X, and I agree": the speaker makes it their own advice
        framed_from, framed_clause = self._framing(mentions, clauses)
        ctx = _Ctx(clauses, gates, in_gate, owner, framed_from, reported, framed_clause)
        objects = [i for i, m in enumerate(mentions) if m.kind == "object" and not in_gate[i]]
        rs.frames.extend(self._frame(rs, i, ctx) for i in objects)
        _share_across_coordination(rs, objects)
        rs.frames.append(self._statement(rs, ctx))
        self._sequence(rs, clauses)
        reporting = self._definitive_result(tokens, mentions, negated, in_gate, clauses)
        if reporting:
            # "the <test> shows <a benign finding>, so no further imaging is needed": what the sentence concludes rests
            # on the definitive test, which has been done; the test stated with its result is reported, not planned
            # ("the <enhanced test> shows <x>, so we can <treat it> electively": the timing is the treatment's)
            rs.concepts |= {"condition.definitive_result"}
            rs.mentioned |= {"condition.definitive_result"}
            done = {tokens[mentions[i].start].start for i in reporting}
            rs.frames = [_replace(f, precondition_met=True, polarity="report" if f.span[0] in done else f.polarity)
                         for f in rs.frames]
        return rs

    @staticmethod
    def _excluded_by(tokens: list[Token], mentions: list[Mention], negated: list[bool], clauses: list[int],
                     first: int, established: frozenset[str]) -> bool:
        """Is the test whose noun phrase starts at mention `first` the agent of a result said in the perfect or
        past passive just before it ("<condition> has been excluded on|by <test>"), in its clause, not negated?"""
        if not first:
            return False
        x = mentions[first - 1]
        between = [t.text for t in tokens[x.end:mentions[first].start]]
        if negated[first - 1] or x.concept not in established or clauses[x.start] != clauses[mentions[first].start] \
                or not between or between[0] not in ("on", "by") or len(between) > 2:
            return False
        said = {t.text for t in tokens[max(0, x.start - 2):x.end]}
        return bool(said & (_PAST_AUXILIARIES | {"been"}))

    def _definitive_result(self, tokens: list[Token], mentions: list[Mention], negated: list[bool],
                           in_gate: list[bool], clauses: list[int]) -> list[int]:
        """A definitive test stated with its result ("the <test> shows", "<test> with <agent> of the <region>
        confirmed"): a result word after the test in its clause, before any other test, none negated or a condition.
        The mentions that report it: the test, the words of its noun phrase before it ("the <enhanced> <test>") and
        the tests coordinated with it; none where there is no such result."""
        definitive = self.v.role("definitive_test")
        tests = definitive | self.v.role("plain_film") | self.v.role("other_test")
        results = self.v.role("reported_result")
        established = self.v.role("established")  # "<test> has excluded <condition>", "<test> was normal"
        modifiers = self.v.role("modifier")

        def rs_token(x: Mention) -> str:
            return tokens[x.start].text
        for k, m in enumerate(mentions):
            # (a test in the absolute "with the <test> showing <x>, ..." is done: its result is what the rest rests on)
            absolute = in_gate[k] and _absolute_with(tokens, mentions, k, clauses)
            if m.concept not in definitive or negated[k] or in_gate[k] and not absolute:
                continue
            reporting = [k]
            if absolute and any(t.text in _ABSOLUTE_RESULTS for t in tokens[m.end:]
                                if clauses[t.index] == clauses[m.start]):
                return reporting
            while reporting[0] and mentions[reporting[0] - 1].kind == "object" \
                    and mentions[reporting[0] - 1].end == mentions[reporting[0]].start:
                reporting.insert(0, reporting[0] - 1)
            # ... or the result first, in the passive ("<condition> has now been excluded on <enhanced> <test>")
            if self._excluded_by(tokens, mentions, negated, clauses, reporting[0], established):
                return reporting
            for j in range(k + 1, len(mentions)):
                x = mentions[j]
                if clauses[x.start] != clauses[m.start] or negated[j] or in_gate[j] and not absolute:
                    break
                # (a result, not a purpose or a forecast: "<test> may be needed to show", "<test> will show")
                if x.concept in results and rs_token(x) in _RESULT_VERBS and not (
                        x.start and tokens[x.start - 1].text in _NOT_YET):
                    return reporting
                # "<test> has excluded <condition>", "<test> was normal"; not "<test> is usually normal"
                if x.concept in established and any(t.text in _PAST_AUXILIARIES for t in tokens[m.end:x.start]):
                    return reporting
                # (another test coordinated with it, "<test A> and <test B> show", "<test A> followed by a <test B>
                # shows", reports with it)
                if x.kind == "object" and x.concept not in modifiers and not (
                        x.concept in tests and (_coordinated(tokens, x.start) or _same_phrase(
                            tokens, mentions[reporting[-1]].end, x.start))):
                    break
                if x.kind == "object":
                    reporting.append(j)
        return []

    # ---- pieces -------------------------------------------------------------------------------
    @staticmethod
    def _framing(mentions: list[Mention], clauses: list[int]) -> tuple[int | None, int | None]:
        """Where framing as a mistake starts, and the one clause it is limited to: a framing cue governs the rest of
        the sentence; a hazard ("the risk of <a test> alone") only what it names in its own clause."""
        for m in mentions:
            if m.concept == "cue.framing":
                return m.start, None
            if m.concept == "cue.hazard" and any(x.kind == "object" and x.start > m.start
                                                 and clauses[x.start] == clauses[m.start] for x in mentions):
                return m.start, clauses[m.start]
        return None, None

    def _sequences_only(self, mentions: list[Mention]) -> list[Mention]:
        """A study listed by its sequences ("Sagittal T1, sagittal T2 and STIR, plus axial T2 will tell us everything")
        with no agent, protocol or enhancement named anywhere in the sentence is an unenhanced study: read as its
        protocol (at the last sequence, nearest what the sentence says of the list: "<sequences> alone would be
        inadequate"), as "a non-contrast <study>" is."""
        named = [m for m in mentions if m.concept == "term.mri_sequence"]
        # ("T1, T2 and STIR": a bare weighting beside a named sequence is one too)
        bare = [m for m in mentions if m.concept == "term.mri_weighting"] if named else []
        if len(named) + len(bare) < 2 or any(m.kind == "protocol" or m.concept == "contrast.agent" for m in mentions):
            return mentions
        last = max(named, key=lambda m: m.start)
        return sorted([*mentions, Mention("protocol.noncontrast", "protocol", last.start, last.end, last.text,
                                          implied=True)], key=lambda m: (m.start, m.end))

    def _absolute_opening(self, tokens: list[Token], mentions: list[Mention]) -> list[Mention]:
        """An opening "With <condition> <established>, ..." ("With <cause> now excluded on <test>, <care> can start")
        states what the rest rests on, as "Once <test> has excluded <cause>, ..." does: its "with" is read as a gate
        cue. Only an opening clause holding an established condition (not "with <finding>, <test> now")."""
        if not tokens or tokens[0].text != "with":
            return mentions
        result = self._opening_result(tokens, mentions)
        if result is not None:
            return result
        if any(m.start == 0 for m in mentions):
            return mentions
        comma = next((k for k, t in enumerate(tokens) if t.text == ","), None)
        established, deferral = self.v.role("established"), self.v.expand(["deferral"])
        opening = [m for m in mentions if comma is not None and m.end <= comma]
        if not any(m.concept in established for m in opening) or any(
                m.concept in ("cue.negation", "cue.post_negation", "gate.cue") or m.concept in deferral
                for m in opening):
            return mentions  # "With <cause> not yet excluded, ...": nothing is established
        return [Mention("gate.cue", "gate", 0, 1, "with"), *mentions]

    def _opening_result(self, tokens: list[Token], mentions: list[Mention]) -> list[Mention] | None:
        """"With the <definitive test> showing <finding>, ...": the opening phrase is read as a test beside another
        ("<test A> with the <test B>") by its words alone; followed by a result participle it states the test's result.
        The test's own mentions and the result, or None when the opening is not one."""
        first = mentions[0] if mentions and mentions[0].start == 0 else None
        if first is None or first.kind != "timing" or first.end >= len(tokens) \
                or tokens[first.end].text not in _RESULT_PARTICIPLES:
            return None
        inner = [_replace(x, start=x.start + 1, end=x.end + 1) for x in self.v.tag(tokens[1:first.end])]
        if not any(x.concept in self.v.role("definitive_test") for x in inner):
            return None
        at = first.end
        said = Mention("condition.result", "condition", at, at + 1, tokens[at].text)
        return sorted([*inner, said, *(m for m in mentions[1:] if m.start != at)], key=lambda m: (m.start, m.end))

    @staticmethod
    def _gate_spans(tokens, mentions, clauses, negated, account: bool = False,
                    lists_after: frozenset[int] = frozenset()) -> list[tuple[int, int, Mention]]:
        """(start token, end token, cue) of each condition span: from a gate cue to the end of its clause. account:
        the text is a user's account of a patient, where a noun-phrase gate ends at the account's finite verb;
        lists_after: where the cues start that govern a list ("safety-netted for <a>, <b>, <c>"): their span reaches
        over the list's commas."""
        spans = []
        for m in mentions:
            if m.concept != "gate.cue" or negated[mentions.index(m)]:
                continue  # "rather than waiting for it to resolve", "don't wait for the bloods": waits on nothing
            if account and tokens[m.start].text in _CIRCUMSTANCE and _doing(tokens, m.end):
                continue  # "<symptom> when <doing>", "when he's <doing>": when a finding shows, not what it waits on
            if spans and spans[-1][1] == m.start and _new_subject(tokens, m.start, spans[-1][2].end):
                continue  # "only if <x> should he <y>": the inversion that ended the condition opens the main clause
            end = m.end
            actions = {x.start for x in mentions if x.concept == "action.do"}
            conditions = {x.start for x in mentions if x.kind == "condition"}
            while end < len(tokens) and clauses[end] == clauses[m.start] and not _new_subject(tokens, end, m.end) \
                    and not (end in actions and end > m.end + 1) \
                    and not (tokens[end].text == "no" and any(m.end <= c < end for c in conditions)) \
                    and not (account and tokens[m.start].text in _NOUN_GATES and end > m.end
                             and tokens[end].text in _FINITE):
                end += 1  # "if lump still there req MRI" / "if they are negative no MRI is needed": the consequent
            while m.start in lists_after and end < len(tokens) and tokens[end].text == ",":
                after = end + 1  # the next item: to its comma or the end of its clause
                while after < len(tokens) and tokens[after].text != "," and clauses[after] == clauses[end + 1]:
                    after += 1
                if after == end + 1 or not _list_continues(tokens, m.end, after):
                    break
                end = after
            spans.append((m.start, end, m))
        return spans

    def _owners(self, mentions: list[Mention], clauses: list[int], in_gate: list[bool],
                tokens: list[Token] = ()) -> list[int | None]:
        """The object each timing, protocol, basis and judgement belongs to: an object of its clause, on the side its
        concept attaches to first ("the bone scan is adequate" / "skip the contrast"), else the nearest. An object
        that usually qualifies another ("CT with contrast") yields to it; a judgement right before a placeholder
        ("the definitive investigation is SPECT") belongs to the specific test named later; with no object in
        its clause, a judgement reaches back ("<test> was unremarkable, which rules out <condition>"), and so does a
        timing whose clause points back with a pronoun ("<test> ... - no rush to chase it")."""
        objects = [k for k, m in enumerate(mentions) if m.kind == "object" and not in_gate[k]]
        out: list[int | None] = [None] * len(mentions)
        covered = frozenset(i for x in mentions for i in range(x.start, x.end))
        for k, m in enumerate(mentions):
            if m.kind not in ("timing", "protocol", "assessment", "basis") or in_gate[k]:
                continue
            same = [o for o in objects if clauses[mentions[o].start] == clauses[m.start]]
            heads = [o for o in same if mentions[o].concept not in self.v.role("modifier")]
            side = self.v.attaches.get(m.concept, "nearest")
            if side == "after":
                near = [o for o in same if 0 <= mentions[o].start - m.end <= 2]
                if near:
                    out[k] = near[0]
                    continue
            same = heads or same
            if not same:
                # (a pointer inside the timing's own words is what goes first: "<other work> can queue behind it")
                # ... and a timing that is its clause's only words ("book the <test>, no rush"): a fragment that says
                # more of the clause before it
                fragment = m.kind == "timing" and tokens and not any(
                    clauses[i] == clauses[m.start] and not m.start <= i < m.end and t.text[0].isalnum()
                    for i, t in enumerate(tokens))
                if m.kind in ("assessment", "protocol") or fragment or m.kind == "timing" and any(
                        t.text in _POINTERS and clauses[i] == clauses[m.start] and not m.start <= i < m.end
                        for i, t in enumerate(tokens)):
                    earlier = [o for o in objects if mentions[o].start < m.start]
                    # reaching back, the judgement is of the test, not of the agent that qualifies it ("<test> with
                    # <agent> is quicker, so it will be the definitive study")
                    modifiers = self.v.role("modifier")
                    named = [o for o in earlier if mentions[o].concept not in modifiers or not any(
                        clauses[mentions[x].start] == clauses[mentions[o].start]
                        and mentions[x].concept not in modifiers for x in objects)]  # "<agent>: none required"
                    # ... and of the test a placeholder after it stands for ("the <named test> - the <pictures> -
                    # ..., and that will settle it")
                    specific = [o for o in (named or earlier) if mentions[o].concept not in self.v.role("placeholder")]
                    out[k] = (specific or named or earlier)[-1] if earlier else None
                continue
            before = [o for o in same if mentions[o].start < m.start]
            after = [o for o in same if mentions[o].start > m.start]
            if m.kind == "assessment" and side != "nearest":
                attributive = bool(after) and mentions[after[0]].start == m.end
                placeholder = attributive and mentions[after[0]].concept in self.v.role("placeholder")
                if placeholder and len(after) > 1:
                    out[k] = after[1]
                elif placeholder and not before:
                    earlier = [o for o in objects if mentions[o].start < m.start]
                    out[k] = earlier[-1] if earlier else after[0]
                elif side == "before":
                    earlier = [o for o in objects if mentions[o].start < m.start]
                    out[k] = before[-1] if before else (earlier[-1] if earlier else None if attributive else after[0])
                else:
                    out[k] = after[0] if after and not attributive else (before[-1] if before else None)
            elif side == "before" and before:  # "<test A> ... alongside <test B>": A's
                out[k] = before[-1]
            elif side == "before" and _opens_clause(tokens, clauses, m.start) and any(
                    mentions[o].start < m.start for o in objects):
                # "add <test A> to <do x>, alongside <test B>": a clause opened by the words is said of the test
                # before it
                out[k] = [o for o in objects if mentions[o].start < m.start][-1]
            else:
                # "book <test A> for <time> and refer": a conjunction between a timing and an object starts another
                # action; the timing is the one's it is not cut off from
                out[k] = min(same, key=lambda o: (_coordinated_away(tokens, covered, m, mentions[o]),
                                                  abs(mentions[o].start - m.start), mentions[o].start > m.start))
        return out

    def _polarity(self, rs: ReadSentence, i: int, ctx: _Ctx) -> Polarity:
        start = rs.mentions[i].start
        if _asks(rs) and not _suggests(rs):
            return "ask"
        if ctx.framed_from is not None and ctx.framed_from < start and (
                ctx.framed_clause is None or ctx.clauses[start] == ctx.framed_clause):
            return "pitfall"
        if rs.negated[i] or any(
                x.concept in self.v.role("contraindication") and x.start > start and not ctx.in_gate[k]
                and not rs.negated[k] and ctx.clauses[x.start] == ctx.clauses[start]
                for k, x in enumerate(rs.mentions)):
            return "prohibit"  # "manipulation is contraindicated before imaging": not to be done
        if ctx.reported_from is not None and ctx.reported_from <= rs.mentions[i].end \
                and _segment(rs.tokens, ctx.reported_from) == _segment(rs.tokens, start):
            return "report"  # what others say, and "the physio suggested ...": the speaker is not advice
        return "recommend"

    def _corrects_a_deferral(self, rs: ReadSentence, i: int, ctx: _Ctx) -> bool:
        """'Postpone <care>, not <test>': a bare "not" after a comma takes the verb of the clause before it, and denies
        it of this object; where that verb puts something off, the object is not put off."""
        m = rs.mentions[i]
        cue = next((x for x in reversed(rs.mentions) if x.concept == "cue.negation" and x.end <= m.start), None)
        if cue is None or cue.start < 2 or rs.tokens[cue.start].text != "not" or rs.tokens[cue.start - 1].text != ",":
            return False
        if any(t.text not in _DETERMINERS for t in rs.tokens[cue.end:m.start]):
            return False  # "..., not <verb> <test>" says something of its own
        before = ctx.clauses[cue.start - 2]  # the comma opens the next clause
        return any(x.kind == "timing" and x.concept in self.v.role("deferral") and ctx.clauses[x.start] == before
                   for x in rs.mentions)

    def _frame(self, rs: ReadSentence, i: int, ctx: _Ctx) -> Frame:
        m = rs.mentions[i]
        mine = [x for k, x in enumerate(rs.mentions) if ctx.owner[k] == i and not rs.negated[k]]
        clause = [x for k, x in enumerate(rs.mentions) if ctx.clauses[x.start] == ctx.clauses[m.start]
                  and not rs.negated[k] and not ctx.in_gate[k] and x.kind != "cue"]
        gate, decided, after_imaging = self._gates_for(rs, i, ctx)
        # "<test A> instead of <test B>" / "Instead of <test B>, <test A>": A is offered as enough; a negated "instead
        # of" ("<test A> is not instead of it") offers nothing
        chosen = {"assess.adequate"} if any(
            x.concept == "cue.substitution" and not rs.negated[k]
            and (x.start > m.start and ctx.clauses[x.start] == ctx.clauses[m.start]
                 or x.start <= 1 < m.start and not rs.negated[i])
            for k, x in enumerate(rs.mentions)) else set()
        polarity = self._polarity(rs, i, ctx)
        flipped = False
        if polarity == "prohibit" and any(
                x.concept == "assess.needed" and rs.negated[k] and ctx.clauses[x.start] == ctx.clauses[m.start]
                for k, x in enumerate(rs.mentions)):
            # "no <test> is needed", "there's no need for <test>": the test judged unnecessary
            polarity, chosen = "recommend", {"assess.unnecessary"}
        elif polarity == "prohibit" and rs.negated[i] and m.concept not in self.v.role("care_plan") and any(
                rs.negated[k] and ctx.clauses[x.start] == ctx.clauses[m.start] and _adjacent(rs, x, m) and (
                    x.kind == "timing" and x.start < m.start and x.concept in self.v.role("deferral")
                    or x.kind == "timing" and x.start > m.start and x.concept in self.v.role("later_slot")
                    or x.kind in ("assessment", "protocol"))  # "<a> should not replace <b>", "no <protocol> <b>"
                for k, x in enumerate(rs.mentions)):
            # what is negated is the delay ("do not delay <test>"), a judgement ("<a> should not replace <test>")
            # or the protocol ("do not order <test> <protocol> alone"), not the test, which stays recommended.
            # Care is left alone: in "do not wait to reassess in <interval>" the reassessing itself is denied.
            polarity, flipped = "recommend", True
        elif polarity == "prohibit" and rs.negated[i] and self._corrects_a_deferral(rs, i, ctx):
            polarity, flipped = "recommend", True
        if flipped:  # "don't let them hold up <test>": whatever gate the sentence holds, the test is not to wait
            gate, decided = frozenset(), False
        timing = frozenset(x.concept for x in mine if x.kind == "timing")
        # "do not wait for the <later slot> <test>": the slot is what the denied wait waits for, denied with it
        waits = [x.start for k, x in enumerate(rs.mentions) if rs.negated[k] and x.start < m.start
                 and ctx.clauses[x.start] == ctx.clauses[m.start]
                 and (x.kind == "timing" and x.concept in self.v.role("deferral")
                      or x.kind == "gate" and rs.tokens[x.start].text in _NOUN_GATES)]
        if waits:
            timing -= {x.concept for x in mine if x.kind == "timing" and x.concept in self.v.role("later_slot")
                       and min(waits) < x.start < m.start}
        alone = polarity == "prohibit" and rs.negated[i] and not ctx.in_gate[i] and not any(
            rs.negated[k] and k != i and x.kind not in ("cue", "timing", "protocol", "action")
            for k, x in enumerate(rs.mentions))  # its own modifiers ("for now") may share the negation
        return Frame(
            object=m.concept, polarity=polarity, negation_alone=alone, timing=timing,
            gate=gate, gated_by_decision=decided,
            protocol=frozenset(x.concept for x in mine if x.kind == "protocol"),
            assessment=frozenset(x.concept for x in mine if x.kind == "assessment") | chosen,
            basis=frozenset(x.concept for x in clause if x.kind == "basis"),
            precondition_met=self._established(gate) or after_imaging,
            clause_concepts=frozenset(x.concept for x in clause), sentence_concepts=rs.mentioned,
            said_concepts=rs.concepts,
            span=(rs.tokens[m.start].start, rs.tokens[m.end - 1].end), text=m.text)

    def _established(self, gate: frozenset[str]) -> bool:
        """Does the frame wait on a cause found absent ("once <cause> is excluded", "if the <test> is normal")? Not
        when only a plain film is the test ("if the <plain film> is normal, start <care>"): a plain film excludes
        nothing (what the definitive test finds normal does)."""
        if not gate & self.v.role("established"):
            return False
        return not gate & self._plain_result or bool(gate & self._definitive_result_of)

    def _statement(self, rs: ReadSentence, ctx: _Ctx) -> Frame:
        """The sentence as a whole, for judgements with no object ("it is likely <a benign finding>"). Its
        precondition is met when imaging or tissue comes before the judgement ("the <test> showed <a benign
        finding>"). What a hazard frames in its own clause is not the sentence's ("I've rejected the plan of a <test>;
        we'll wait <a while>": the sentence names no test it advises)."""
        framed = {k for k, x in enumerate(rs.mentions) if ctx.framed_clause is not None and ctx.framed_from is not None
                  and x.start > ctx.framed_from and ctx.clauses[x.start] == ctx.framed_clause}
        live = [k for k, x in enumerate(rs.mentions) if not rs.negated[k] and not ctx.in_gate[k] and x.kind != "cue"
                and k not in framed]
        rejected = {rs.mentions[k].concept for k in framed} - {x.concept for k, x in enumerate(rs.mentions)
                                                               if k not in framed}
        judged = [rs.mentions[k].start for k in live if rs.mentions[k].kind == "assessment"]
        established = self.v.role("definitive_test") | self.v.role("tissue_diagnosis")
        first_judgement = min(judged) if judged else len(rs.tokens)
        precondition = any(x.concept in established and x.start < first_judgement for x in rs.mentions) or any(
            x.concept in established for k, x in enumerate(rs.mentions) if ctx.in_gate[k])
        polarity = "recommend"
        if _asks(rs):
            polarity = "ask"
        elif ctx.framed_from is not None and ctx.framed_clause is None:
            polarity = "pitfall"
        elif ctx.reported_from is not None:
            polarity = "report"
        concepts = [rs.mentions[k] for k in live]
        # a judgement the sentence goes on to deny is conceded, not made ("it feels like a <benign thing>, but we
        # can't call it <benign> on feel alone")
        withdrawn = {x.concept for k, x in enumerate(rs.mentions) if rs.negated[k] and x.kind == "assessment"
                     and any(y.concept == x.concept and y.start < x.start for y in concepts)}
        # ... and so is one a "but" answers with the definitive test ("my hunch is it's <something benign>, but a
        # hunch doesn't clear it: <the definitive test> now")
        concession = next((m.start for m in rs.mentions if m.concept == "cue.terminate" and m.text in _CONCESSIVE),
                          None)
        if concession is not None and any(x.start > concession and x.concept in self.v.role("definitive_test")
                                          for x in concepts):
            withdrawn |= {x.concept for x in concepts if x.kind == "assessment" and x.start < concession}
        return Frame(object="statement", polarity=polarity,
                     timing=frozenset(x.concept for x in concepts if x.kind == "timing"),
                     protocol=frozenset(x.concept for x in concepts if x.kind == "protocol"),
                     assessment=frozenset(x.concept for x in concepts if x.kind == "assessment") - withdrawn,
                     basis=frozenset(x.concept for x in concepts if x.kind == "basis"),
                     precondition_met=precondition, clause_concepts=rs.concepts - rejected,
                     sentence_concepts=rs.mentioned - rejected, said_concepts=rs.concepts - rejected,
                     span=(rs.tokens[first_judgement].start if judged else 0, 0), text=rs.text)

    def _attached(self, rs: ReadSentence, i: int, clauses, gate: tuple[int, int, Mention]) -> bool:
        """Does this gate govern mention i? Its own clause before the cue ("MRI only if ..."); else, when the
        gate's clause has no object of its own before the cue, the clause after it when the sentence opens
        with the gate ("If ..., MRI"), otherwise the clause before it ("MRI, once ...")."""
        a, b, _cue = gate
        m = rs.mentions[i]
        gclause = clauses[a]
        if any(x.kind == "object" and clauses[x.start] == gclause and x.start >= b for x in rs.mentions):
            # "if it comes back raised we'll proceed to MRI": the condition governs its own consequent only
            return clauses[m.start] == gclause and (m.start < a or m.start >= b)
        if clauses[m.start] == gclause:
            if m.start < a and _own_verb_between(rs, m, a):
                return False  # "order <test> now and tell him to <return> if <symptoms> develop": the later verb's
            # "If it comes back raised we'll proceed to MRI": a condition closed by a new subject governs what follows
            return m.start < a or (m.start >= b and (b >= len(rs.tokens) or clauses[b] == gclause))
        if any(x.kind == "object" and clauses[x.start] == gclause and x.start < a for x in rs.mentions):
            return False
        if _coordinated_verb_before(rs, clauses, a):
            # "<care> twice a week, and we can tweak it once the scan report lands": the gate waits on the later
            # verb's action, not on the care, which starts now
            return clauses[m.start] == gclause
        seg = _segment(rs.tokens, a)
        outside = sorted({clauses[x.start] for x in rs.mentions if x.kind == "object" and not (a <= x.start < b)
                          and _segment(rs.tokens, x.start) == seg})
        after = [c for c in outside if c > gclause]
        before = [c for c in outside if c < gclause]
        hard = [t.index for t in rs.tokens[:a] if t.text in (";", ":")]
        opens = not any(not t.is_punct for t in rs.tokens[(hard[-1] + 1 if hard else 0):a])
        target = (after[0] if after else None) if opens or not before else before[-1]
        return clauses[m.start] == target

    def _gates_for(self, rs: ReadSentence, i: int, ctx: _Ctx) -> tuple[frozenset[str], bool, bool]:
        """What the frame waits on, whether a decision gates it, and whether it comes after imaging is done."""
        found: set[str] = set()
        after_imaging = False
        advanced = self.v.role("definitive_test")
        for a, b, cue in ctx.gates:
            if not self._attached(rs, i, ctx.clauses, (a, b, cue)):
                continue
            held = [x for k, x in enumerate(rs.mentions) if a <= x.start < b and not rs.negated[k]
                    and x.kind in ("condition", "object", "timing", "finding", "protocol")]
            conds = set()
            for x in held:
                has_role, condition = self.v.as_condition(x.concept)
                if x.concept in advanced:
                    decided_only = any(y.concept == "gate.decide" and a <= y.start < b for y in rs.mentions)
                    after_imaging = after_imaging or (cue.text in _COMPLETION and not decided_only)
                if has_role:
                    if condition:  # an opinion or a referral (no condition meaning) is not a wait
                        conds.add(condition)
                elif x.kind == "timing":
                    conds.add("condition.time")
                elif x.kind == "condition":
                    conds.add(x.concept)
            if not held and cue.text in _COMPLETION and rs.mentions[i].start > a and any(
                    x.concept in advanced and x.start < a for x in rs.mentions):
                after_imaging = True  # "first the MRI ..., after we can start the exercises": afterwards
                continue
            found |= conds or ({"condition.unspecified"} if not held else set())
        start = rs.mentions[i].start
        # a decision the sentence denies gates nothing ("that cannot be decided by feel, so he needs <test>")
        decided = any(x.concept == "gate.decide" and x.start < start and not rs.negated[k]
                      for k, x in enumerate(rs.mentions))
        return frozenset(found), decided, after_imaging

    def _sequence(self, rs: ReadSentence, clauses) -> None:
        """Order across 'then' / 'followed by' / 'before': imaging that comes after a trial of care, a wait or an
        interval is delayed by it ("physio for six weeks, then MRI"; "wait a few weeks before any scan"); care that
        comes after imaging has its precondition met ("MRI first, then physiotherapy")."""
        advanced = self.v.role("definitive_test")
        plan, care, watching = self.v.role("care_plan"), self.v.role("care"), self.v.role("watching")
        deferral = self.v.expand(["deferral"])
        # "until then, <test> is the priority": up to that time, not after it
        points = [m for m in rs.mentions if m.concept == "cue.terminate" and m.text in _SEQUENCE
                  and not (m.text == "then" and m.start and rs.tokens[m.start - 1].text in _UP_TO)]
        if points and points[0].start == 0 and points[0].text == "before":
            self._sequence_reversed(rs, clauses, advanced, deferral, plan)
            return
        # a wait in a clause that only reports another's advice ("a colleague suggested reassessing in 4-6 weeks
        # before imaging; that would be inappropriate, so <test> now") delays nothing the draft advises
        reported = ({clauses[_token_at(rs, g.span[0])] for g in rs.frames if g.polarity == "report"}
                    - {clauses[_token_at(rs, g.span[0])] for g in rs.frames if g.polarity == "recommend"
                       and g.object != "statement"})
        out = []
        for f in rs.frames:
            start = f.span[0]
            # a point before the object, or a "then" right after it in its phrase ("<test> may then be
            # reconsidered"; "<test> before any treatment" puts the test first)
            cut = [p for p in points if _char(rs, p.start) < start
                   or f.object in advanced and p.text in ("then", "and then")
                   and _follows_closely(rs, _token_at(rs, start), p.start)]
            if f.object in advanced and f.polarity == "recommend" and cut:
                edge = _char(rs, cut[-1].start)
                earlier = [g for g in rs.frames if g.span[0] < edge and g.polarity == "recommend"
                           and g.object in plan]
                waited = any(not neg and m.concept in deferral and rs.tokens[m.start].start < edge
                             and clauses[m.start] not in reported
                             for m, neg in zip(rs.mentions, rs.negated, strict=True))
                if earlier or waited:
                    f = _replace(f, sequence="after_care")
            elif f.object in watching and f.polarity == "recommend" and cut and any(
                    g.object in care and g.polarity == "recommend"
                    and g.span[0] < _char(rs, cut[-1].start) for g in rs.frames):
                f = _replace(f, sequence="after_care")  # "massage for a month, then reassess": a trial, then a look
            elif f.object in plan and f.polarity == "recommend" and any(
                    g.object in advanced and g.polarity == "recommend" and g.span[0] > start for g in rs.frames):
                f = _replace(f, sequence="before_imaging")
            elif f.object in plan and cut:
                edge = _char(rs, cut[-1].start)
                # "<test> now, before any <care>": the care is what "before" governs, so it comes after the test (not
                # "<test> is booked; before that, <care>")
                k = _token_at(rs, start)
                governed = 0 < k - cut[-1].start <= 3 and not any(
                    t.text in _BOUNDARY_PUNCT or t.text in ("that", "then", "it", "this") for t in
                    rs.tokens[cut[-1].end:k])
                if any(g.object in advanced and g.polarity == "recommend" and g.span[0] < edge for g in rs.frames) \
                        and (cut[-1].text != "before" or governed):
                    f = _replace(f, precondition_met=True)
            out.append(f)
        rs.frames = out


    @staticmethod
    def _sequence_reversed(rs: ReadSentence, clauses, advanced, deferral, plan) -> None:
        """'Before any imaging, reassess in a month': the opening clause happens after the rest."""
        first = clauses[1] if len(clauses) > 1 else 0
        later = [f for f in rs.frames if f.object in advanced and f.polarity == "recommend"
                 and clauses[_token_at(rs, f.span[0])] <= first + 1 and _token_at(rs, f.span[0]) < _first_comma(rs)]
        rest_start = _first_comma(rs)
        waited = any(not neg and m.concept in deferral and m.start > rest_start
                     for m, neg in zip(rs.mentions, rs.negated, strict=True)) or any(
            g.object in plan and g.polarity == "recommend"
            and _token_at(rs, g.span[0]) > rest_start for g in rs.frames)
        if waited:
            rs.frames = [_replace(f, sequence="after_care") if f in later else f for f in rs.frames]


def _token_at(rs: ReadSentence, char: int) -> int:
    return next((t.index for t in rs.tokens if t.start >= char), len(rs.tokens))


def _first_comma(rs: ReadSentence) -> int:
    return next((t.index for t in rs.tokens if t.text in (",", ";", ":")), len(rs.tokens))


@dataclass(frozen=True)
class _Ctx:
    clauses: list[int]
    gates: list[tuple[int, int, Mention]]
    in_gate: list[bool]
    owner: list[int | None]
    framed_from: int | None
    reported_from: int | None
    framed_clause: int | None = None  # the one clause a hazard frames; None: the rest of the sentence


_COORDINATION = frozenset({"and", "or", ",", "&", "/", "the", "a", "an", "any", "his", "her", "your", "their",
                           "all"})


def _share_across_coordination(rs: ReadSentence, objects: list[int]) -> None:
    """"Pause <care> and <care> <care>": a timing said of one of coordinated objects is said of each, both
    ways ("<care> and <care> on hold" holds the first too). Frames are in mention order, one per object index."""
    pairs = [k for k in range(1, len(objects))
             if all(t.text in _COORDINATION for t in rs.tokens[rs.mentions[objects[k - 1]].end:
                                                               rs.mentions[objects[k]].start])
             and rs.frames[k - 1].polarity == rs.frames[k].polarity]
    for k in pairs:  # forward, then back, so a timing reaches every object of the run
        rs.frames[k] = _replace(rs.frames[k], timing=rs.frames[k].timing | rs.frames[k - 1].timing)
    # back only within a phrase ("<care> <care> on hold", "<care> and <care> on hold"): after a comma the timing
    # is likely the next item's own ("refer <care>, review in 4/52")
    joined = [k for k in pairs if not any(t.text == "," for t in
                                          rs.tokens[rs.mentions[objects[k - 1]].end:rs.mentions[objects[k]].start])]
    for k in reversed(joined):
        rs.frames[k - 1] = _replace(rs.frames[k - 1], timing=rs.frames[k - 1].timing | rs.frames[k].timing)


def _object_between(rs: ReadSentence, lo: int, hi: int) -> bool:
    return any(x.kind == "object" and lo < x.start < hi for x in rs.mentions)


def _follows_closely(rs: ReadSentence, at: int, point: int) -> bool:
    """Does the token at `point` come after `at` with no punctuation and no other object in between?"""
    return point > at and not any(t.is_punct for t in rs.tokens[at:point]) and not _object_between(rs, at, point)


def _adjacent(rs: ReadSentence, a: Mention, b: Mention) -> bool:
    """No other object between two mentions: "do not delay <test>" ties the delay to the test, while in
    "do not delay <test> for a trial of <care>" the care is not what is (not) delayed."""
    return not _object_between(rs, *sorted((a.start, b.start)))


def _asks(rs: ReadSentence) -> bool:
    """Does the sentence ask? A statement closed by a tag ("..., so she does not need <test>, right?", "..., ishi?", in
    any language: a word or two after the last comma, after a clause that opens as no question does) asserts what it
    says and seeks only agreement."""
    if not rs.text.rstrip().endswith("?"):
        return False
    first = next((t.text for t in rs.tokens if t.text not in _BOUNDARY_PUNCT), None)
    commas = [k for k, t in enumerate(rs.tokens) if t.text == ","]
    if not commas or first is None or first in _QUESTION_OPENERS:
        return True
    tail = [t for t in rs.tokens[commas[-1] + 1:] if t.text not in _BOUNDARY_PUNCT]
    head = [t for t in rs.tokens[:commas[-1]] if t.text not in _BOUNDARY_PUNCT]
    return not (1 <= len(tail) <= TAG_WORDS and len(head) >= 4 and all(t.text.replace("'", "").isalpha() for t in tail)
                and not any(m.start > commas[-1] and m.kind != "cue" for m in rs.mentions))


def _suggests(rs: ReadSentence) -> bool:
    """'Why not see how it looks in three months?': a question that proposes a plan."""
    return any(m.concept == "cue.suggestion" and m.start <= 1 for m in rs.mentions)


def _char(rs: ReadSentence, token_index: int) -> int:
    return rs.tokens[token_index].start


def _coordinated(tokens: list[Token], start: int) -> bool:
    """Is the word at start joined to the one before it as a second of two ("and", "plus", "then", "followed by"),
    past a determiner ("followed by a <test>")?"""
    k = start - 1
    while k >= 0 and tokens[k].text in _DETERMINERS:
        k -= 1
    if k < 0:
        return False
    before = tokens[k].text
    return before in ("and", "plus", "&", "then") or before == "by" and k > 0 and tokens[k - 1].text == "followed"


def _same_phrase(tokens: list[Token], end: int, start: int) -> bool:
    """Do at most two plain words join one test to the next in one noun phrase ("<test A>-guided core <test B>")?"""
    between = tokens[end:start]
    return len(between) <= 2 and all(t.text.isalpha() and t.text not in _DETERMINERS and t.text not in
                                     ("and", "or", "then", "but", "with", "without", "to", "for") for t in between)


def _replace(f: Frame, **changes) -> Frame:
    from dataclasses import replace

    return replace(f, **changes)
