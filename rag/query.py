"""Query understanding, once per turn: Question -> Query.

The last user message is normalised through the shared concept layer (invisible characters, look-alike
letters, shorthand and lay words recognised as concepts, each concept's plain label added to the search
terms), instructions to the system are removed, a follow-up is resolved against the conversation, the
clinical focus of a long vignette is picked out, and the expected answer type is named. Knowledge about
any one document lives in that document and in the concept vocabulary, not here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from guardrails import strict_yaml
from guardrails.concepts import Vocabulary, clause_start, clean, default_vocabulary, normalize
from guardrails.sentences import quoted_spans, split_sentences
from rag.bands import without_stated
from rag.measures import measured
from rag.patient import patient_age, patient_gestation, patient_group, patient_sex
from rag.text import content_words
from rag.types import Frozen

ANSWER_TYPES_FILE = Path(__file__).resolve().parent / "answer_types.yaml"
# Words that ask rather than inform: a question made only of them is judged on its other words.
QUESTION_WORDS = frozenset("""what which when how why should would could does do is are can may patient patients
doctor clinician next step steps manage managed management handle handled approach best first line first-line
recommended recommend recommendation treatment treat appropriate need needs needed evaluate evaluation option options
initial right good use used using order ordering year old man woman male female adult child help useful important
likely most explain forget moment just quick quicker tell now please okay yes know think want new take get sure
really instead able allowed fine shall must still anything something else apart besides except since
faster slower cheaper easier better worse happen happens happened""".split())
# the question words as the stems content_words yields
QUESTION_STEMS = content_words(" ".join(QUESTION_WORDS))
_QUOTE_AFTER_COLON = re.compile(r":\s+(['\"\u2018\u201c])")
# a question that points back to what was just said ("reasonable to go with that?", "would it do?")
_POINTS_BACK = re.compile(r"\b(?:that|this|it|those|these|them|so)\b", re.IGNORECASE)
# words that point back rather than name ("besides those two"), as the stems content_words yields
_ANAPHORA = content_words("those these them that this they the two three both all ones one")
# "already did one", "had one last week": the test just discussed, done
_DONE_ONE = (r"\b(did|done|had|got|ordered|booked|arranged|requested|organi[sz]ed) one\b"
             r"(?=\s*(?:[-,.;:?!\u2013\u2014]|$)|\s+(?:already|last|this|yesterday|today|before|earlier|and|but|"
             r"which|that|at|in)\b)")
# Voice dictation: punctuation said aloud, and a test's initials spelt letter by letter ("an m r i with contrast")
_SPOKEN_PUNCTUATION = re.compile(r"\s*\b(comma|full stop|question mark|exclamation mark|semi ?colon)\b\.?",
                                 re.IGNORECASE)
_PUNCTUATION_SAID = {"comma": ",", "full stop": ".", "question mark": "?", "exclamation mark": "!", "semicolon": ";",
                     "semi colon": ";"}
_SPELT_LETTERS = re.compile(r"\b[A-Za-z](?: [A-Za-z]){1,4}\b")
_PRONOUN = re.compile(r"\b(?:it|its|that|this|these|those|they|them|he|she|him|her|his|instead|also|then|same|such|"
                      r"the (?:scan|study|test|mass|lesion|lump|one|invasive one|other one))\b|\bwhat (?:about|if)\b|"
                      r"\bwhy not\b|^(?:and|but|or|so)\b|"
                      # a reply's opening ("ok - which bloods ...?") and "an equivalent" of what was just said
                      r"^(?:ok|okay|right|alright|thanks|great)\b|\b(?:an?|the) (?:equivalent|alternative)\b|"
                      # a correction of a detail of the earlier turn ("sorry, I meant <x> not <y>") continues it
                      r"\bi meant\b|\bi misread\b|\btypo\b|"
                      # the course of the case the earlier turn gave ("still <finding> after 5 minutes. What now?"),
                      # not a result that sets a new question ("<test> done: <findings>. Next step?")
                      r"\bstill\b|\bwhat now\b|\bnow what\b|"
                      # the last answer pointed at ("you wrote '<x>' - why?")
                      r"\byou (?:wrote|said|mentioned|quoted|cited|recommended|suggested)\b|"
                      r"\byour (?:answer|reply|last)\b|"
                      # "the practice already did one": one of the things the earlier turn named (_DONE_POINTER)
                      + _DONE_ONE + r"|"
                      # a plan put up for approval with nothing after it ("<plan>, shall I?") is the earlier case's
                      r"\b(?:shall|should|can|could|may|do) (?:i|we)\s*\?|"
                      # "a mass there" points back; "is there", "there are" do not
                      r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\bthere\b(?!\s+(?:is|are|was|were|'s)\b)",
                      re.IGNORECASE)


# A turn that announces another patient or another question ("PE teacher again - different pupil. She ..."): its
# pronouns are that patient's, not the earlier turn's
_ANOTHER_CASE = re.compile(r"\b(?:different|another|new|separate|unrelated|next) (?:patient|pupil|child|kid|case|lady|"
                           r"man|woman|gentleman|person|client|scenario)\b|\b(?:different|unrelated|separate) "
                           r"(?:question|topic|subject)\b|\bchanging the subject\b", re.IGNORECASE)


# Pointers to the items of the last answer ("the second one", "besides those two", "suspect those?") and to the test it
# named ("and if that's normal?"): English grammar, not knowledge of any document
# what an ordinal counts when it points at the last answer's sentences ("your first sentence", "the second point")
_SENTENCE_POINTERS = frozenset({"sentence", "line", "claim", "statement", "point", "bit", "part"})
_ORDINALS = {"first": 0, "former": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "latter": -1}
_ORDINAL = re.compile(r"\b(?:the|your|that) (first|second|third|fourth|fifth|last|former|latter)"
                      r"(?: (?:one|option|possibility|group|category|item|thing|cause|type|kind|point|sentence|line|"
                      r"claim|statement|bit|part|"
                      r"of (?:those|these|them)))?"
                      r"(?=\s*(?:[?.,;:!)\-\u2013\u2014]|$|\b(?:is|was|then|you|that|which|in|on|from|about|for)\b))",
                      re.IGNORECASE)
_ITEMS_POINTER = re.compile(r"\b(?:those|these|both)(?: (?:two|three|four|ones|things|options|possibilities))?"
                            r"(?=\s*(?:[?.,;!)]|$|\b(?:and|or|apart|aside|first|then|too|instead|as well)\b))",
                            re.IGNORECASE)
_RESULT_POINTER = re.compile(r"\b(if|when|once|unless) (?:that|it|this)"
                             r"(?:('s)|(?=(?: is| was| comes? back| came back| shows?| turns? out| looks?)\b))",
                             re.IGNORECASE)
_TEST_POINTER = re.compile(r"\b(?:that|this|the same) (?:test|scan|study|investigation|examination|imaging)\b",
                           re.IGNORECASE)
_DONE_POINTER = re.compile(_DONE_ONE, re.IGNORECASE)
# what an answer's list item is given as an example of ("<kind>, such as <a>, <b> or <c>, and ..."): not an item
_ELABORATION = re.compile(r"\b(?:such as|e\.g\.|for example|including|namely|like)\b.*?(?=,\s*(?:and|or)\b|[;:]|$)",
                          re.IGNORECASE)
_ITEM_LEAD = re.compile(r"^.*?\b(?:are|include|includes|including|were)\b\s*", re.IGNORECASE)
_NOT_ITEM = re.compile(r"^(?:with|without|to|for|in|on|at|by|from|if|but|then|than|so|not|do|does|should|must|may|"
                       r"can)\b|\b(?:are|is|was|were|be|been|include|includes)\b", re.IGNORECASE)
# a sentence's subject, when it opens with a short noun phrase and its verb ("<A> is ...", "<B> may ...")
_SUBJECT = re.compile(r"^((?!(?:if|when|do|does|don't|in|for|once|after|before|while|although)\b)"
                      r"(?:[\w-]+ ){0,7}?[\w-]+) (?:is|are|was|were|may|can|should|must|will|has|have)\b",
                      re.IGNORECASE)
ITEM_WORDS = 6  # a list item is a noun phrase; a longer segment is a clause


# "I work as an associate in ...", "I'm a <role> writing to ...", "We are a <team> ...": who asks, not what they plan
_SELF_DESCRIPTION = re.compile(r"^(?:i|we)(?:\s+(?:work|worked|am|are)|'m|'re)\s+"
                               r"(?!going|planning|about|thinking|happy|keen|inclined|considering|hoping)"
                               r"(?:as|in|at|for|a|an|the|based|employed|part)\b", re.IGNORECASE)
# an opening that introduces the asker ("DC here (chiropractor, 12 yrs in practice).", "Night sister here -"): who
# asks, not what they propose
_INTRODUCTION = re.compile(r"^\s*(?:[\w/&'.-]+\s+){1,4}here\b\s*(?:\([^()]*\))?\s*[.!:,;\u2013\u2014-]?\s*$",
                           re.IGNORECASE)
# a question that only asks what a source says ("What does the <x> guidance say?", "What do the guidelines say?")
_SAYS_ONLY = re.compile(r"^(?:so\s+|and\s+)?what\s+(?:does|do|would)\s+(?:the|this|that|your|our)\s+(?:[\w-]+\s+){0,3}"
                        r"(?:guidance|guidelines?|document|article|source|sources|protocol|pathway)\s+say\s*\?$",
                        re.IGNORECASE)
# a question that only points back at what the sentence before it asks for ("She wants <x> and <y>. What are they?")
_POINTS_BACK_ONLY = re.compile(r"^(?:so\s+|and\s+)?(?:what|which)\s+(?:are|is|were|was|would be)\s+"
                               r"(?:they|it|those|these|that|this|them)\s*\?$", re.IGNORECASE)
# a wh-clause inside a statement ("... wants it to list which changes would mean ...")
_WH_CLAUSE = re.compile(r"\b(?:which|what|when|how|whether)\s+\w+", re.IGNORECASE)
_JOINED_QUESTION = re.compile(r"(?:,\s*|;\s*|\s)(?:and|or|also|plus)\s+(?=(?:(?:for|at|in|on|by|to|with|from)\s+)?"
                               r"(?:what|which|how|when|where|why|who|is|are|does|do|should|can|could|would)\b)"
                               # "which <drug>, what dose and for how long?"
                               r"|[;,]\s*(?=(?:what|which|how|when|where|why)\b)",
                               re.IGNORECASE)
_ASKS = re.compile(r"(?:(?:for|at|in|on|by|to|with|from|and|or|so|but)\s+)*(?:what|which|how|when|where|why|who|whom|"
                   r"whose|is|are|was|were|does|do|did|should|can|could|would|will|may|must|shall)\b", re.IGNORECASE)
_WH_OPENS = re.compile(r"(?:(?:and|or|so|but|then)\s+)?(?:what|which|how|when|where|why|who|whom|whose)\b",
                       re.IGNORECASE)
# a request in the imperative ("give me <x>, and what <y>"): it asks as a wh-question does
_REQUESTS = re.compile(r"(?:please\s+)?(?:give|tell|show|send|list|outline|describe|explain|summari[sz]e|set out|"
                       r"write)\b", re.IGNORECASE)
# words that qualify a value rather than name whose it is ("the usual starting dose", "the exact interval")
GENERIC_VALUE = content_words("""what which the a an usual starting start initial recommended maximum max daily total
loading first correct right typical standard exact exactly weekly recommend appropriate proper current suggested
normal usual ideal best optimal minimum min good safe low high higher lower single double full half reduced rate
same present existing previous regular own keep kept keeping stay staying stick sticking take taking
maintenance iv im po sc oral intravenous intramuscular subcutaneous
drug drugs medicine medicines medication medications treatment agent
whats hows wheres whos whens
say says said guidance guideline guidelines article source""")  # (a route is how, not whose value it is;
# "which drug and what dose?" asks the dose of whichever drug answers, not of something named "drug"; "I keep the
# same dose?" asks of the dose the asker takes, not of something named "same"; "whats the
# dose" is "what's", typed without its apostrophe; "how long the guidance says it should be <done>" is the doing's)
# a change asked of a value ("any change to the dose?") is not whose value it is, nor what it is about
CHANGE_WORDS = content_words("change changes adjustment adjust adjusted alteration difference different revised")
GENERIC_VALUE |= CHANGE_WORDS
_MODAL = content_words("should must will would could can may might shall does do is are was were the a an")
RUN_ON_WORDS = 45  # a sentence longer than this, strung together with commas, is read clause by clause
VIGNETTE_SENTENCES = 4  # a question this long is a vignette: its asking part is searched on its own as well
# what a case sentence names (the scope's topical kinds, less the conditions every history has)
# a question told in reported speech ("she asked what ...", "he wants to know whether ...")
# ... or in the words it was asked in, inverted after "wants to know" ("He wants to know is it <x>, and should he <y>")
_TOLD_QUESTION = re.compile(r"\b(?:(?:asked|asks|asking|wants? to know|wanted to know|wondered|wonders|wondering)\s+"
                            r"(?:me\s+|us\s+|you\s+)?(?:what|which|whether|if|how|when|why|where)|"
                            r"(?:wants? to know|wanted to know|wondering)\s+(?:is|are|was|were|does|do|did|can|could|"
                            r"should|will|would|has|have)\s+(?:it|he|she|they|we|i|you|this|that|there|the)\b|"
                            # ... or requested ("please tell me exactly which <x> ...", "she asks two things: what <x>")
                            r"(?:tell|show|give)\s+(?:me|us)\s+(?:exactly\s+|please\s+)?(?:what|which|whether|if|how|when|"
                            r"why|where)|asks?\s+(?:\w+\s+)?(?:things?|questions?)\s*:\s*(?:what|which|whether|if|how|"
                            r"when|why|where))\b",
                            re.IGNORECASE)
# a line of a transcript the asker pastes ("DR: And how long has it been there?", "PT (interpreted): ..."): the
# questions up to its last line are its speakers', not the asker's, where the asker asks one after it
_SPEAKER_LINE = re.compile(r"(?:^|[:\n]\s*)(?:DR|DOC|DOCTOR|Dr|Doctor|PT|Pt|PATIENT|Patient|ME|Me|INT|INTERPRETER|"
                           r"Interpreter|NURSE|Nurse|RN|CALLER|Caller|MUM|Mum|DAD|Dad|WIFE|Wife|HUSBAND|Husband|PARENT|Parent|"
                           r"CLINICIAN|Clinician|GP)\b(?:\s*\([^)]{0,40}\))?\s*:")
_CASE_KINDS = frozenset({"object", "finding", "anatomy", "protocol", "name"})
_SUPPOSITION = re.compile(r"\b(?:if|unless|in case|should it|assuming|supposing|when)\b[^,;.?!]*", re.IGNORECASE)
# another condition named only to compare ("IV <drug> like we give for <condition B>"): what is done there, not what
# the patient has, so it neither picks the documents nor the sentences
_COMPARISON = re.compile(r"\b(?:just\s+)?(?:like|as)\s+(?:we|you|they|i|one|he|she|people)\s+(?:would\s+|do\s+|did\s+)?"
                         r"(?:(?:give|use|do|treat|manage|prescribe|start)s?\s+)?(?:it\s+|them\s+)?(?:for|in|with)\s+"
                         r"[^,;.?!'\"]*",
                         re.IGNORECASE)
# a result a question takes as given ("what happens after a negative <test>?")
_AFTER_RESULT = re.compile(r"\b(?:after|following|given)\s+(?:a|an|the|this|that|his|her|their)\s+[^,;.?!]*",
                           re.IGNORECASE)
_CLINICAL_KINDS = frozenset({"object", "finding", "anatomy", "condition", "protocol", "assessment", "measure"})
_SUBJECT_KINDS = frozenset({"object", "finding", "anatomy", "condition"})  # what a question can be about
_STAND_INS = frozenset({"that", "this", "it"})  # a test named in an earlier sentence, pointed back to


_WH = frozenset({"what", "which", "how", "when", "where", "who", "whom", "whose", "why"})


_ELIDED = re.compile(r"^(what|which|how|where|when)\s+(to|towards?|for|with|in|on|about|against|from|of)\b(.*)$",
                     re.IGNORECASE)


def _elided(earlier: str, part: str) -> str:
    """A joined question that leaves out what the one before it said ("which findings point towards <a>, and which
    towards <b>?"): the earlier one's words up to the same preposition stand in for the gap."""
    m = _ELIDED.match(part)
    if not m:
        return part
    head = re.match(rf"^((?:what|which|how|where|when)\b.*?)\s+{re.escape(m.group(2))}\b", earlier, re.IGNORECASE)
    return f"{head.group(1)} {m.group(2)}{m.group(3)}" if head else part


def _wh_before(tokens, start: int) -> bool:
    """Does a wh-word open the clause before this position ("what findings should I look for": a wh-question,
    though "should I" would ask yes or no at the clause's start)?"""
    for token in reversed(tokens[:start]):
        if token.is_punct:
            return False
        if token.text in _WH:
            return True
    return False


# words that open a second yes-or-no question after "or" ("is it safe, or should I wait?", "is it serious or not?")
_POLAR_AGAIN = frozenset({"should", "can", "could", "is", "are", "was", "were", "do", "does", "did", "will", "would",
                          "shall", "must", "may", "might", "have", "has", "had", "am", "not", "no", "what", "anything",
                          "something", "else", "isn't", "aren't", "don't", "doesn't", "won't", "can't", "shouldn't"})


def _offers_alternatives(tokens, start: int) -> bool:
    """Does the question from this position on offer alternatives joined by "or" ("is it tonight or Thursday?", "is
    this the emergency tonight, or we keep Tuesday?")? It asks which one, not yes or no; "or" opening another
    yes-or-no question ("..., or should I wait?", "... or not?") offers none."""
    for k in range(start, len(tokens) - 1):
        if tokens[k].text == "?":
            return False
        if tokens[k].text == "or" and not tokens[k + 1].is_punct and tokens[k + 1].text not in _POLAR_AGAIN:
            return True
    return False


class AnswerTypes:
    """Answer types as data: each type has question cues (concept-layer phrases) and, for the types whose
    answer is a specific value, the evidence a passage must hold (regular expressions over its sentences)."""

    def __init__(self, path: Path = ANSWER_TYPES_FILE) -> None:
        data = strict_yaml.safe_load(path.read_text())
        unknown = set(data) - {"types", "exclusions", "exclusions_opening", "exclusions_after", "name_stems",
                               "rhetorical", "advice", "error_headings", "proposals", "judgements", "told_advice",
                               "advice_asked", "cautions", "whether_named", "conditional_values"}
        if unknown:
            raise ValueError(f"{path.name}: unknown top-level keys {sorted(unknown)}; allowed: types, exclusions, "
                             "exclusions_opening, exclusions_after, name_stems, rhetorical, advice, error_headings, "
                             "proposals, judgements, told_advice, advice_asked, cautions, whether_named, "
                             "conditional_values")
        self.whether_named = [re.compile(str(e), re.IGNORECASE) for e in data.get("whether_named") or []]
        if any(rx.groups != 1 for rx in self.whether_named):
            raise ValueError(f"{path.name}: whether_named: each pattern has exactly one group (what is asked of)")
        self.conditional = [re.compile(str(e), re.IGNORECASE) for e in data.get("conditional_values") or []]
        if any(rx.groups != 1 for rx in self.conditional):
            raise ValueError(f"{path.name}: conditional_values: each pattern has exactly one group (the factor)")
        self.advice = [re.compile(str(e), re.IGNORECASE) for e in data.get("advice") or []]
        self.proposals = [re.compile(str(e), re.IGNORECASE) for e in data.get("proposals") or []]
        self.judgements = [re.compile(str(e), re.IGNORECASE) for e in data.get("judgements") or []]
        self.told_advice = [re.compile(str(e), re.IGNORECASE) for e in data.get("told_advice") or []]
        self.advice_asked = [re.compile(str(e), re.IGNORECASE) for e in data.get("advice_asked") or []]
        self.cautions = [re.compile(str(e), re.IGNORECASE) for e in data.get("cautions") or []]
        self.error_headings = [re.compile(str(e), re.IGNORECASE) for e in data.get("error_headings") or []]
        self.name_stems = tuple(str(x).lower() for x in data.get("name_stems") or [])
        self.rhetorical = frozenset(normalize(str(x)) for x in data.get("rhetorical") or [])
        concepts, self.evidence, self.describe, self.prefer, self.searched = {}, {}, {}, {}, {}
        self._measures: dict[str, list[tuple[frozenset[str], re.Pattern]]] = {}
        keeps: set[str] = set()
        restated: set[str] = set()
        examined: set[str] = set()
        settled: set[str] = set()
        doing: set[str] = set()
        self.polar: set[str] = set()
        self.bare: dict[str, frozenset[str]] = {}
        # the concepts a type's question names only in asking it ("what else should the doctor look for?" asks what
        # to examine, not what else it could be): not the question's subject
        self.displaces: dict[str, frozenset[str]] = {}
        concepts["exclusion"] = {"kind": "cue", "phrases": data.get("exclusions") or ["apart from"]}
        if data.get("exclusions_opening"):
            concepts["exclusion_opening"] = {"kind": "cue", "phrases": data["exclusions_opening"]}
        if data.get("exclusions_after"):
            concepts["exclusion_after"] = {"kind": "cue", "phrases": data["exclusions_after"]}
        for name, spec in data["types"].items():
            if set(spec) - {"cues", "evidence", "describe", "prefer", "polar", "searched", "keeps_negatives",
                            "restated", "examined", "settled_by_emergency", "qualifies", "asks_what_to_do", "measures",
                            "bare", "displaces"}:
                raise ValueError(f"{path.name}: type {name}: allowed keys are cues, evidence, describe, prefer, polar, "
                                 "searched, keeps_negatives, restated, examined, settled_by_emergency, qualifies, "
                                 "asks_what_to_do, measures, bare, displaces")
            displaces = spec.get("displaces") or []
            if not isinstance(displaces, list) or not all(isinstance(x, str) for x in displaces):
                raise ValueError(f"{path.name}: type {name}: displaces must be a list of concept names")
            self.displaces[name] = frozenset(displaces)
            bare = spec.get("bare") or []
            if not isinstance(bare, list) or not all(isinstance(x, str) and x in spec["cues"] for x in bare):
                raise ValueError(f"{path.name}: type {name}: bare must list some of its own one-word cues")
            self.bare[name] = frozenset(normalize(x) for x in bare)
            measures = spec.get("measures") or []
            if not isinstance(measures, list) or not all(isinstance(x, str) and content_words(x) for x in measures):
                raise ValueError(f"{path.name}: type {name}: measures must be a list of words naming a measure")
            self._measures[name] = [(content_words(x), re.compile(rf"\b{re.escape(x)}", re.IGNORECASE))
                                    for x in measures]
            for flag in ("keeps_negatives", "restated", "examined", "polar", "settled_by_emergency", "asks_what_to_do"):
                if flag in spec and not isinstance(spec[flag], bool):
                    raise ValueError(f"{path.name}: type {name}: {flag} must be true or false")
            if spec.get("keeps_negatives"):
                keeps.add(name)
            if spec.get("restated"):
                restated.add(name)
            if spec.get("examined"):
                examined.add(name)
            if spec.get("settled_by_emergency"):
                settled.add(name)
            if spec.get("asks_what_to_do"):
                doing.add(name)
            if spec.get("polar") is True:
                self.polar.add(name)
            concepts[f"answer.{name}"] = {"kind": "cue", "phrases": spec["cues"]}
            self.evidence[name] = [re.compile(e, re.IGNORECASE) for e in spec.get("evidence", [])]
            self.prefer[name] = [re.compile(e, re.IGNORECASE) for e in spec.get("prefer", [])]
            self.searched[name] = str(spec.get("searched", ""))
            self.describe[name] = spec.get("describe", name)
        self.order = list(data["types"])
        # a type whose cue, beside another type's question, qualifies what that one asks for ("how long must he keep
        # off <an activity>?" asks a duration of the activity): the answer's sentence gives both
        self.qualifiers: dict[str, list[str]] = {}
        for name, spec in data["types"].items():
            for other in spec.get("qualifies") or []:
                if other not in data["types"]:
                    raise ValueError(f"{path.name}: type {name}: qualifies unknown type {other!r}")
                self.qualifiers.setdefault(other, []).append(name)
        self.keeps_negatives = frozenset(keeps)  # types asking about what the patient does not have (yet)
        self.restated = frozenset(restated)  # types a restatement of the asker's own findings answers
        # types asking what to examine: every item of a list of findings to look for answers, those the patient is
        # said not to have included
        self.examined = frozenset(examined)
        self.settled_by_emergency = frozenset(settled)  # types a patient's emergency answers by itself
        self.asks_what_to_do = frozenset(doing)  # types asking what to do for the patient (or whether to)
        self.vocabulary = Vocabulary(concepts, {}, path.name)
        # the concept layer's spellings ("cant", "shud", "wat") read the cues too
        self.vocabulary.set_spellings(getattr(default_vocabulary(), "spellings", {}))
        self._cue_words = {name: frozenset(w for cue in spec["cues"] for part in normalize(str(cue)).split()
                                           for w in part.split("|") if w != "~")
                           for name, spec in data["types"].items()}

    def asked_whether_named(self, text: str) -> list[str]:
        """What a question asks whether the source recommends or mentions ("does the guidance recommend <X> ...?"),
        by the `whether_named` patterns."""
        return [m.group(1).strip() for rx in self.whether_named for m in rx.finditer(text) if m.group(1).strip()]

    def conditioned_on(self, sentence: str) -> str:
        """The factor whose effect a sentence's value is ("<factor> increases the probability of <x> from <a> to
        <b>"), by the `conditional_values` patterns; "" for a value said of no factor."""
        for rx in self.conditional:
            if m := rx.search(sentence):
                return m.group(1).strip()
        return ""

    def measures_named(self, text: str, answer_type: str) -> list[frozenset[str]]:
        """The named measures (`measures`: "survival", "sensitivity") the text asks the value of, each as its
        stemmed words: a value of another measure ("a probability of <x>" for "what is the survival?") does not
        answer it."""
        return [frozenset(words) for words, rx in self._measures.get(answer_type, ()) if rx.search(text)]

    def gives_value(self, answer_type: str, sentence: str) -> bool:
        """Does the sentence give the kind of value this type of question asks for (its `evidence` patterns)?"""
        return any(rx.search(sentence) for rx in self.evidence.get(answer_type, ()))

    def lists_errors(self, heading: str) -> bool:
        """Is this a heading over errors to avoid (`error_headings`), whose items read as advice when quoted bare?"""
        return any(rx.search(heading) for rx in self.error_headings)

    def proposal(self, text: str) -> str:
        """The sentences of a question that put a plan forward ("I was going to <x>", "the F1 wants to <x>", "can I
        just <x>?"), by the `proposals` patterns, and the told sentences a judging question puts forward (`judgements`,
        `told_advice`: "... rub her legs and give her a hot toddy. Good plan?"); "" where none does."""
        sentences = split_sentences(text)
        proposed = [any(rx.search(s) for rx in self.proposals) for s in sentences]
        # a question judging what was told ("... rub her arms and give her a hot drink. Is that ok?") puts forward
        # the told sentence before it, whoever's plan it is and however it is said, and any told sentence before
        # that says what to do or reports what someone advised (`told_advice`)
        judged = next((k for k, s in enumerate(sentences) if k and s.rstrip().endswith("?")
                       and any(rx.search(s) for rx in self.judgements)), None)
        if judged is not None:
            for k in range(judged):
                if not _SELF_DESCRIPTION.match(sentences[k]) and (
                        k == judged - 1 or self.advises(sentences[k])
                        or any(rx.search(sentences[k]) for rx in self.told_advice)):
                    proposed[k] = True
        # a question asking what to do ("What should we do right now?") after what others advised ("the coach wants
        # to strap it and play on"): what was advised is put forward, whoever advised it, and judged with the answer
        # (not what anyone said: "her meter says 2.1" proposes nothing)
        asked = next((k for k, s in enumerate(sentences) if k and s.rstrip().endswith("?")
                      and any(rx.search(s) for rx in self.advice_asked)), None)
        if asked is not None and judged is None:
            for k in range(asked):
                if not _SELF_DESCRIPTION.match(sentences[k]) and any(
                        rx.search(sentences[k]) for rx in self.told_advice):
                    proposed[k] = True
        return " ".join(s for s, put in zip(sentences, proposed, strict=True) if put)

    def cautions_against(self, sentence: str, heading: str = "") -> bool:
        """Does the sentence warn against doing something (the `cautions` patterns), or is it an item under a heading
        over errors to avoid?"""
        return any(rx.search(sentence) for rx in self.cautions) or bool(heading and self.lists_errors(heading))

    def advises(self, sentence: str) -> bool:
        """Does the sentence say what to do (the `advice` patterns), rather than only describe?"""
        return any(rx.search(sentence) for rx in self.advice)

    def states(self, answer_type: str, sentence: str) -> bool:
        """Does the sentence say what this type of question asks for: a consequence or a reason by the type's `prefer`
        patterns, a value (a dose, a duration) by its `evidence` patterns?"""
        patterns = (*self.prefer.get(answer_type, ()), *self.evidence.get(answer_type, ()))
        return any(rx.search(sentence) for rx in patterns)

    def owner(self, text: str, answer_type: str, width: int = 2) -> list[str]:
        """The words naming whose value a value question asks ("<drug> dose", "dose of <drug>"): the content words
        right before the type's cue (up to width of them), else those after its "of"; [] when the cue stands
        alone."""
        tokens, mentions = self.vocabulary.mentions(text)
        for m in mentions:
            if m.concept != f"answer.{answer_type}":
                continue
            before = []
            # the words right before it, within its clause; none before a cue that opens a question ("the coach asks
            # when he can <do> again": who asks is not whose time it is)
            # ... nor before a cue said as a verb ("a better way to <cue> it": what is done is after it)
            infinitive = m.start > 0 and tokens[m.start - 1].text == "to"
            for t in reversed(tokens[max(0, m.start - 3):m.start]
                              if tokens[m.start].text not in _WH and not infinitive else ()):
                if t.is_punct or t.is_number:
                    break
                before.insert(0, t.text)
            before = [w for w in before if content_words(w) and not content_words(w) & GENERIC_VALUE]
            after = [t.text for t in tokens[m.end:m.end + 4]]
            # "<qualifier> dose of <drug>": what the value is of, named after "of", is whose it is
            of = ([w for w in after[1:] if w.isalpha() and content_words(w)
                   and not content_words(w) & GENERIC_VALUE][:2] if after and after[0] == "of" else [])
            if before and not of:
                return before[-width:]
            if of:
                return of
            # "how long should the <...> <thing> be?": the thing whose value it is stands right before "be"
            # (within the cue's clause: "what dose, and is there anything else I should be offering?" asks no more)
            rest = []
            for t in tokens[m.end:m.end + 9]:
                if t.is_punct:
                    break
                rest.append(t.text)
            if "be" in rest:
                named = [w for w in rest[:rest.index("be")]
                         if content_words(w) - _MODAL and not content_words(w) & GENERIC_VALUE]
                if named:
                    return named[-1:]
            # "which <drug> and at what dose?": what the question's first wh-phrase names
            head = [t.text for t in tokens[:m.start]]
            if head[:1] in (["which"], ["what"]) and "and" in head and not any(t.is_punct for t in tokens[:m.start]):
                named = [w for w in head[1:head.index("and")] if content_words(w)
                         and not content_words(w) & GENERIC_VALUE]
                if 0 < len(named) <= 3:
                    return named[-2:]
        return []

    def qualifying(self, text: str, answer_type: str) -> list[str]:
        """The types whose cues the text also names and that qualify this answer type's question (`qualifies`)."""
        wanted = self.qualifiers.get(answer_type)
        if not wanted:
            return []
        said = {m.concept.removeprefix("answer.") for m in self.vocabulary.mentions(text)[1]}
        return [t for t in wanted if t in said]

    def without_cues(self, text: str, answer_type: str) -> str:
        """The text less the phrases that asked for this answer type ("which papers are cited for", "where
        does the claim come from"): what is left names the claim, not the asking."""
        norm = normalize(text)
        tokens, mentions = self.vocabulary.mentions(text)
        # the cue's own words, not the words its wildcards matched ("how much <route> <drug> do we give": the
        # medicine stays)
        return _cut(norm, [(t.start, t.end) for m in mentions if m.concept == f"answer.{answer_type}"
                           for t in tokens[m.start:m.end] if not self._wildcard_only(t.text, answer_type)], gap=" ")

    def _wildcard_only(self, word: str, answer_type: str) -> bool:
        """Did only a cue's wildcard ('~') match this word (it is none of the type's cue words)?"""
        words = self._cue_words.get(answer_type, frozenset())
        return word not in words and not any(w.endswith("*") and word.startswith(w[:-1]) for w in words)

    def classify(self, text: str) -> str:
        """The first-listed type whose cue the question contains; 'explanation' when none does."""
        tokens, mentions = self.vocabulary.mentions(text)
        cues = [m for m in mentions
                if not (m.concept.removeprefix("answer.") in self.polar
                        and (_wh_before(tokens, m.start) or _offers_alternatives(tokens, m.start)))
                and not (self.evidence.get(m.concept.removeprefix("answer.")) and self.argues(tokens, m.start))
                and not self._named_in_polar(tokens, mentions, m) and not _declined(tokens, m.start)]
        asked = [k for k, t in enumerate(tokens) if t.text == "?"]
        # a yes-or-no question answered before the one asked after it ("Is that true? What <kinds> can it be?"):
        # the later question says what the answer must give, and the yes or no is in it
        later = [m for m in cues if m.concept.removeprefix("answer.") not in self.polar]
        found = {m.concept.removeprefix("answer.") for m in cues
                 if not (m.concept.removeprefix("answer.") in self.polar
                         and any(m.start < q < x.start for x in later for q in asked))}
        return next((t for t in self.order if t in found), "explanation")

    def _named_in_polar(self, tokens, mentions, m) -> bool:
        """Is this cue one of its type's bare words, in a clause a polar cue opens ("can they give him the same
        doses?") or in a question a tag closes ("..., right?")? It names what the yes or no is about."""
        bare = self.bare.get(m.concept.removeprefix("answer."))
        if not bare or not all(t.text in bare for t in tokens[m.start:m.end]):
            return False
        polar = [x for x in mentions if x.concept.removeprefix("answer.") in self.polar]
        opening = clause_start(tokens, m.start)
        end = next((k for k in range(m.end, len(tokens)) if tokens[k].text == "?"), None)
        return any(x.start == opening for x in polar) or end is not None and any(
            x.start > m.end and x.end == end + 1 for x in polar)

    def argues(self, tokens, start: int) -> bool:
        """Does the clause holding this position open with a rhetorical opening ("isn't ...", "surely ...")?"""
        first = clause_start(tokens, start)
        return first < len(tokens) and tokens[first].text in self.rhetorical

    def _exclusion_spans(self, text: str) -> list[tuple[int, int, int, int]]:
        """(cut start, governed start, governed end, cut end) token positions of each exclusion phrase and the words
        it governs: after it to the end of its clause ("apart from <a> and <b>, ..."), or, for a phrase that
        follows them, from the start of its clause ("<a> and <b> are covered. What else ...")."""
        tokens, mentions = self.vocabulary.mentions(text)
        norm = normalize(text)
        spans = []
        for m in mentions:
            # (a phrase that sets aside only where it opens its clause: "One is <a>; what is the other?", not "the
            # bigger one is <a>")
            if m.concept == "exclusion" or m.concept == "exclusion_opening" and (
                    m.start == 0 or tokens[m.start - 1].is_punct):
                end = m.end
                # (a full stop inside a name, "<Dr.Name> overview", ends no clause)
                while end < len(tokens) and not (tokens[end].is_punct and not (
                        tokens[end].text == "." and norm[tokens[end].end:tokens[end].end + 1].isalnum())):
                    end += 1
                spans.append((m.start, m.end, end, end))
            elif m.concept == "exclusion_after":
                start = m.start
                while start > 0 and not tokens[start - 1].is_punct:
                    start -= 1
                spans.append((start, start, m.start, m.end))
        return spans

    def excluded(self, text: str) -> str:
        """What the exclusion phrases govern ("apart from <a> and <b>" -> "<a> and <b>")."""
        norm = normalize(text)
        tokens = self.vocabulary.mentions(text)[0]
        return " ".join(norm[tokens[a].start:tokens[b - 1].end] for _, a, b, _ in self._exclusion_spans(text)
                        if b > a)

    def without_exclusions(self, text: str) -> str:
        """The text less what an exclusion phrase governs ("apart from <a> and <b>, what else")."""
        norm = normalize(text)
        tokens = self.vocabulary.mentions(text)[0]
        spans = self._exclusion_spans(text)
        return _cut(norm, [(tokens[a].start, tokens[b - 1].end) for a, _, _, b in spans if b > a])


def _cut(norm: str, spans: list[tuple[int, int]], gap: str = "") -> str:
    """A normalised text less the (start, end) character spans given, in order, each left as gap; spacing tidied."""
    for start, end in reversed(spans):
        norm = f"{norm[:start]}{gap}{norm[end:]}"
    return " ".join(norm.split())


@lru_cache(maxsize=1)
def default_answer_types() -> AnswerTypes:
    return AnswerTypes()


_CITATION_MARKS = re.compile(r"\[\d+(?:[,\s]+\d+)*\]")  # "[1]", "[1, 3]"


def answer_items(answer: str) -> list[str]:
    """The items an answer lists ("The main concerns are <a>, such as <x> or <y>, and <b> [1]." -> [<a>, <b>]): the
    segments of its most itemised sentence that are noun phrases, less what they are given as examples of."""
    text = _CITATION_MARKS.sub(" ", answer)
    text = re.sub(r"\([^()]*\)", " ", text)
    best: list[str] = []
    for sentence in split_sentences(text):
        sentence = _ELABORATION.sub(" ", sentence.strip().rstrip(".?!").rsplit(":", 1)[-1])
        segments = [" ".join(x.split()) for x in re.split(r"[,;]|\band\b|\bor\b", sentence) if content_words(x)]
        items = [_ITEM_LEAD.sub("", x, count=1) if i == 0 else x for i, x in enumerate(segments)]
        # every segment a noun phrase: a sentence of clauses ("<do this>, and <that> is needed") lists nothing; two
        # segments list only as what the sentence says something is ("The <concerns> are <a> and <b>")
        listed = len(items) >= 3 or (len(items) == 2 and items[0] != segments[0])
        phrases = all(len(x.split()) <= ITEM_WORDS and not _NOT_ITEM.search(x) for x in items)
        if listed and phrases and len(items) > len(best):
            best = items
    if not best:  # "<A> is the first option ... [1]. <B> is invasive ... [2]." -> [<A>, <B>]
        subjects = [m.group(1) for x in split_sentences(text) if (m := _SUBJECT.match(x.strip()))]
        if len(subjects) >= 2 and len(subjects) == len(split_sentences(text)):
            best = subjects
    return best


def join_items(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# a sentence that tells of a person, not only of animals: a pronoun, a person's noun, or an age with a sex
_A_PERSON = re.compile(r"\b(?:she|her|hers|he|him|his|woman|women|lady|girl|boy|man|men|patient|wife|husband|mother|"
                       r"mum|mom|daughter|son|sister|brother|pregnant|\d{1,3}\s?[mf]|year[- ]old|years old)\b",
                       re.IGNORECASE)
# the scanner, not the animal ("a CAT scan at 20 weeks")
_CAT_SCAN = re.compile(r"\bcat\s+scan", re.IGNORECASE)


def _clauses(sentence: str) -> list[str]:
    """A run-on sentence ("So I saw a <patient> who <aside>, he came in to <aside> but mentioned <finding>, and
    there's a <finding>, anyway - what next?") as its clauses, each a sentence of its own, so that a vignette's
    asides drop out of its focus as a punctuated one's do; a sentence of normal length stays whole."""
    if len(sentence.split()) <= RUN_ON_WORDS:
        return [sentence]
    pieces = [p.strip(" ,;") for p in re.split(r",\s+|;\s+|\s+[-\u2013\u2014]+\s+", sentence) if p.strip(" ,;")]
    out: list[str] = []
    for piece in pieces:  # a fragment too short to say anything joins the clause before it
        if out and len(piece.split()) < 3:
            out[-1] = f"{out[-1]}, {piece}"
        else:
            out.append(piece)
    # (in a run-on question, a clause opening with a wh-word asks too: "for <x>, which <y> do they give - <aside> - and
    # how many <z>?")
    asks = sentence.rstrip().endswith("?")
    ended = [c if c.endswith(("?", ".", "!")) else f"{c}?" if asks and _WH_OPENS.match(c) else f"{c}." for c in out]
    return [c[:1].upper() + c[1:] for c in ended]  # capitalised, so the sentence splitter sees them apart


class Query(Frozen):
    question: str  # the last user message as typed
    # the same with its misspellings read as the documents' and the vocabulary's words, nothing removed: what the
    # guardrails read ("urinary retension + sadle anasthesia" is an emergency however it is spelt)
    spelled: str = ""
    text: str  # normalised, instructions removed: the words the clinician asked with
    resolved: str  # text, preceded by the earlier turn it continues when it is a follow-up
    search: str  # resolved, less its pertinent negatives, plus the labels: what retrieval reads
    labels: str = ""  # the plain labels of the concepts it names in other words, and what a stated score's band means
    # the long forms of the clinical shorthand it uses that the documents do not ("<ion>+" -> the ion's name), also
    # in labels
    expanded: str = ""
    # each typed shorthand with the long form it is read as, where the documents write that form out ("<ABBR>" ->
    # its drug's name): a value of a name the documents write out in full is theirs to give
    read_as: tuple[tuple[str, str], ...] = ()
    # the classes of the medicines it names, in the documents' words ("on <medicine>" -> "<its class>"): searched,
    # and weighed in choosing sentences, but not in judging whether the question is on a document's topic
    related: str = ""
    focus: str  # the sentences of a vignette that carry the question
    asked: str  # the affirmed focus less what it says the asker already knows ("apart from X, what else")
    affirmed: str = ""  # the focus less its pertinent negatives ("no <finding>", "<system> normal")
    ruled_out: frozenset[str] = frozenset()  # the concepts those pertinent negatives name
    answer_type: str
    concepts: frozenset[str]  # concepts the question names, un-negated
    history: tuple[dict, ...]
    follow_up: bool = False
    had_instructions: bool = False
    # content words of what the asker already has ("apart from <a> and <b>"; "besides those two"
    # after an answer: that answer's words): sentences mostly about them yield to new ones
    excluded: frozenset[str] = frozenset()
    # results the question reports as known ("the <test> showed nothing serious"), not ones it asks about ("what can
    # <test> show?") or supposes ("if they're clear ..."): what was done is context, what next is the question
    reported: frozenset[str] = frozenset()
    age: float | None = None  # the patient's age in years, as this turn or an earlier one states it
    sex: str | None = None  # the patient's sex ("male"/"female"), as this turn or an earlier one states it
    group: str | None = None  # "adult" or "child" where no age is stated but the words say which (rag.patient)
    gestation: float | None = None  # a baby's gestation at birth in weeks ("30+4 weeker"), as any turn states it
    # a long vignette's asking sentences and the one before them ("... two doses of <drug> given. What next?"),
    # searched as well as the whole; empty for a short question
    core: str = ""
    # the sentence of a vignette that states the case (its most clinical concepts), where another sentence asks:
    # "<a finding at a site>, <a course>. <what the asker wants to do about it>?" is on the topic the case names
    case: str = ""
    denied: frozenset[str] = frozenset()  # findings the question says the patient does not have
    supposed: frozenset[str] = frozenset()  # results an asking sentence supposes ("and if it shows ...?")
    # the separate questions a turn asks ("what does <test> show, and how far can I trust it?"): each gets a sentence
    parts: tuple[str, ...] = ()
    part_types: tuple[str, ...] = ()  # each part's expected answer type, read once
    # whether the turn asks what to do for the patient, in its answer type or in one of its parts ("is this an
    # emergency, and what <test> should the <finding> get?")
    asks_what_to_do: bool = False
    # what the documents say a stated score's value means ("<score> of 1" -> "<condition> is unlikely"): searched
    # and matched as part of the question (rag.bands)
    implied: str = ""
    # whose value a value question asks ("a dose of <drug>", "how long should the <thing> be?"): read once, for the
    # scope's answerability and the composer
    owner: tuple[str, ...] = ()
    # the word right before a two-word owner ("<unknown word> <known word> <form> dose"): part of the owner's name
    owner_preceded_by: str = ""
    # a follow-up's own words, pointers spelt out ("and if the <test> is normal?"): searched on their own as well,
    # because the earlier turn they continue can drown them; alone they do not say which document is asked
    again: str = ""
    # the patient's stated measurements ("<measure> 90": (<measure concept>, 90.0)), this turn's and the earlier turns'
    measured: tuple[tuple[str, float], ...] = ()
    # the spans it quotes long enough to be a document's own words ("the line saying '<x>'"): read once, for the
    # scope's related questions and the composer's lead
    quoted: tuple[str, ...] = ()


# "the <title words> article/guidance/source": which document the asker means, not what the patient has or what is
# asked ("can the <title words> article answer <another subject>?" is about the other subject); the title words are a
# noun phrase ("was that consistent with what the guidance says" names none)
_NOT_TITLE_WORD = (r"(?!(?:the|a|an|this|that|these|those|what|which|with|of|for|to|in|on|at|by|from|and|or|is|are|"
                   r"was|were|be|you|your|my|our|their|his|her|its|it|i|we|they|say|says|said|per|according)\b)")
_SOURCE_NAMED = re.compile(r"\b(?:the|this|that|your|their|our|its)\s+((?:" + _NOT_TITLE_WORD + r"[\w'-]+\s+){1,4})"
                           r"(?=(?:article|guidance|guideline|guidelines|source|sources|document|paper|page|webpage"
                           r"|website|leaflet|handout|factsheet|summary|entry)\b)",
                           re.IGNORECASE)


# ... or after it ("your article on the <title words>", "the guidance about <title words> for my uncle"): up to the
# clause's end
_SOURCE_ON = re.compile(r"\b((?:article|guidance|guideline|guidelines|source|document|paper|page|webpage|website|"
                        r"leaflet|handout|factsheet|summary|entry)\s+(?:on|about)\s+)[^.,;:!?()]{3,80}", re.IGNORECASE)


def without_source_names(text: str) -> str:
    """The text less the title words it names a source by ("the <title words> article" -> "the article", "your
    article on <title words>" -> "your article")."""
    text = _SOURCE_NAMED.sub(lambda m: m.group(0)[:-len(m.group(1))], text)
    return " ".join(_SOURCE_ON.sub(lambda m: f"{m.group(1).split()[0]} ", text).split())


# an e-mail's quoted line (">", ">>" ...) or header line ("Subject: ..."), and a question mark closing a sentence
_QUOTED_LINE = re.compile(r"^[ \t]*(?:>|(?:subject|from|to|cc|sent|date)[ \t]*:).*$", re.MULTILINE | re.IGNORECASE)
_QUESTION_END = re.compile(r"\?+(?=[\s\"')\]]*$)|\?+(?=\s)")


QUOTE_MIN_WORDS = 4  # a shorter quote ("'not cancer'") is a phrase anyone might use, not a line of a document


# what stands for a test the conversation named ("It shows <finding>")
# who says a thing, not what a test shows ("the cardiologist in Saskatoon confirmed that", "he confirmed it"): a person
# named by a pronoun, by an agent noun ("-ist", "-ian") or by a common title, within a few words before the verb
_PERSON_WORDS = frozenset({"he", "she", "they", "i", "we", "you", "doctor", "doc", "dr", "nurse", "gp", "consultant",
                           "surgeon", "registrar", "reg", "team", "specialist", "colleague", "boss", "wife", "husband",
                           "mum", "mom", "dad", "family"})
_PERSON_SUFFIXES = ("ist", "ists", "ian", "ians")
_RESULT_SUBJECT_WINDOW = 4
_CLAUSE_EDGES = frozenset({",", ";", ":", "-", "(", ")", "but", "and", "so", "because", "that", "which"})


def _said_by_a_person(tokens, start: int, tested: set[int] = frozenset()) -> bool:
    """Is the result word at `start` a person's saying (its subject a person, in its own clause), not a test's (a test
    named nearer it is its subject: "they say the <test> was as good")? tested: the token positions naming tests."""
    for i in range(start - 1, max(-1, start - 1 - _RESULT_SUBJECT_WINDOW), -1):
        t = tokens[i]
        if t.text in _CLAUSE_EDGES or i in tested:
            return False
        if t.text in _PERSON_WORDS or (len(t.text) > 5 and t.text.endswith(_PERSON_SUFFIXES)):
            return True
    return False

# a report told in its own sentence after its test ("Report says ...", "Rep: ...")
_REPORT_OPENERS = frozenset({"report", "reports", "rep", "result", "results", "impression", "conclusion"})
_TEST_PRONOUNS = frozenset({"it", "that", "this", "they", "these"})
# what a shorthand report ("<test>: <findings>") says was found, and the kinds of concept that make it one
_REPORT_RESULT = "condition.result"
_REPORTED_KINDS = frozenset({"finding", "condition", "term", "assessment"})
_TEST_NAMING = frozenset({"object", "protocol", "anatomy"})
# a claim reported as the source's ("the article warns that <claim> - which reference ...?"): quoted without marks
# ... or by a part of it ("the guidance's last bullet says that <claim>", "the article ends its follow-up section by
# saying that <claim>"); after the document's own verb, "that" may be left out ("the guidance says <claim>")
_REPORTED_CLAIM = re.compile(
    r"\b(?:(?:article|guidance|guideline|paper|source|document|summary|text|review|overview|material|materials|"
    r"leaflet|handout|resource|page)(?:'s)?"
    r"(?:\s+(?:[\w'-]+\s+){0,5}?(?:says|said|saying|warns|warned|warning|states|stated|stating|claims|claimed|notes"
    r"|noted|writes|wrote|mentions|mentioned|recommends|advises|argues|suggests|reads)\s+that"
    r"|\s+(?:says|said|warns|warned|states|stated|claims|claimed|notes|noted|writes|wrote|mentions|mentioned|recommends"
    r"|advises|argues|suggests|reads)(?:\s+that)?)"
    r"|(?:bullet|point|line|sentence|item)\s+(?:says|said|states|stated|reads|warns)(?:\s+that)?"
    # a claim named as one ("the statement in the <document> that <claim>", "the closing advice that <claim>")
    r"|(?:statement|claim|advice|assertion|recommendation|warning)\s+(?:[\w'-]+\s+){0,5}?that)"
    r"\s+([^?;:\n\u2014\u2013]+?)(?=\s+-\s+|[?;:\n\u2014\u2013]|[.!]\s|[.!]?$)", re.IGNORECASE)


def fields_written_out(text: str) -> str:
    """The text with each JSON object pasted into it (a form, an integration's payload) written as the sentences its
    fields say ("<object> <field>: <value>."), so that its findings are read as a note's and an instruction in a
    field as an instruction. Parsed by the standard library's JSON decoder; a brace that opens no object is kept."""
    if "{" not in text:
        return text
    decoder, out, at = json.JSONDecoder(), [], 0
    while (start := text.find("{", at)) != -1:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            out.append(text[at:start + 1])
            at = start + 1
            continue
        out.append(text[at:start])
        out.append(" ".join(_field_sentences(value)) if isinstance(value, dict) else text[start:end])
        at = end
    out.append(text[at:])
    return "".join(out)


def _field_sentences(fields: dict, owner: str = "") -> list[str]:
    said = []
    for key, value in fields.items():
        name = f"{owner} {str(key).replace('_', ' ')}".strip()
        if isinstance(value, dict):
            said += _field_sentences(value, name)
            continue
        items = value if isinstance(value, list) else [value]
        # (a field left empty is named as the payload names it: "<field>: null" asks for what goes in it)
        plain = ", ".join(x.strip() if isinstance(x, str) else json.dumps(x) for x in items
                          if not isinstance(x, (dict, list)))
        said += [f"{name}: {plain}" + ("" if plain.endswith((".", "?", "!")) else ".")] if plain else []
        said += [x for item in items if isinstance(item, dict) for x in _field_sentences(item, name)]
    return said


def quoted_lines(text: str) -> list[str]:
    """The spans a question quotes that are long enough to be a document's own words, with or without quotation
    marks (a claim it reports as the source's)."""
    spans = [m.group(1) for m in quoted_spans(text)] + [m.group(1).strip("'\"\u2018\u2019\u201c\u201d ")
                                                      for m in _REPORTED_CLAIM.finditer(text)]
    return list(dict.fromkeys(x for x in spans if len(content_words(x)) >= QUOTE_MIN_WORDS))


def quoted_questions_told(text: str) -> str:
    """A forwarded thread's quoted lines (">" ...) and headers ("Subject: <x>??") are what others said: their
    questions are told, not asked, when the sender asks one of their own outside them ("> Could this be <x>?" ...
    "Two things: ...?")."""
    if not _QUOTED_LINE.search(text) or "?" not in _QUOTED_LINE.sub("", text):
        return text
    return _QUOTED_LINE.sub(lambda m: _QUESTION_END.sub(".", m.group(0)), text)


_DECLINING = frozenset({"no", "not", "without", "nor", "minus"})
_BETWEEN = frozenset({"the", "a", "an", "any", "exact", "specific", "actual"})


def _declined(tokens, start: int) -> bool:
    """Is the cue at this position one the asker says they do not want ("what treatment that usually means, in
    general terms (no doses needed)", "not the exact dose")?"""
    k = start - 1
    while k >= 0 and start - k <= 2 and tokens[k].text in _BETWEEN:
        k -= 1
    return k >= 0 and tokens[k].text in _DECLINING


def _bare(question: str) -> bool:
    """A question that names nothing of its own ("Is it?", "What do I tell her?"): it asks what the text around it
    asks."""
    return not content_words(question) - QUESTION_STEMS


# a closing word or two of thanks or greeting in any language ("Haristo.", "Sag bol.", "Cheers!"): what a turn with no
# question mark asks is the sentence before it; a short sentence that asks or requests ("Next steps.") is no sign-off
SIGN_OFF_WORDS = 3
_REQUEST_WORDS = frozenset({"what", "which", "how", "when", "where", "why", "who", "next", "steps", "plan", "advice",
                            "please", "help", "thoughts", "options", "ok", "okay", "right", "correct", "true", "go",
                            "answer", "reply", "explain", "tell", "advise", "discuss", "summarise", "summarize"})


def _last_said(sentences: Sequence[str]) -> int:
    """The index of the last sentence that is not a closing word of thanks or greeting (SIGN_OFF_WORDS words or
    fewer, none of them asking); the last sentence where every one is."""
    for k in range(len(sentences) - 1, -1, -1):
        words = re.findall(r"[\w']+", sentences[k].lower())
        if (len(words) > SIGN_OFF_WORDS or _REQUEST_WORDS & set(words) or sentences[k].rstrip().endswith("?")
                or _ASKS.match(sentences[k].strip())):  # ("Is it bad": a question without its mark)
            return k
    return len(sentences) - 1


def _after_transcript(sentences: Sequence[str], asking: list[int]) -> list[int]:
    """The asking sentences (their indexes) less a pasted transcript's, where the asker asks after its last line."""
    lines = [k for k, s in enumerate(sentences) if _SPEAKER_LINE.search(s)]
    return [k for k in asking if k > lines[-1]] or asking if lines else asking


class QueryReader:
    def __init__(self, vocabulary: Vocabulary | None = None, answer_types: AnswerTypes | None = None,
                 strip_instructions=None, is_instruction=None, denied=None, affirmed=None) -> None:
        self.vocabulary = vocabulary or default_vocabulary()
        self.answer_types = answer_types or default_answer_types()
        self.strip_instructions = strip_instructions or (lambda text: text)
        self.is_instruction = is_instruction or (lambda text: False)
        self.denied = denied or (lambda text: frozenset())  # findings a text denies (negation-aware reader)
        # the text less its pertinent negatives ("no <a>, <system> normal"; guardrails.engine.affirmed)
        self.affirmed = affirmed or (lambda text: (" ".join(clean(text).split()), frozenset()))
        roles = self.vocabulary.role
        self._results = roles("reported_result") | roles("established")
        self._quoted = roles("quoted_result")  # a result quoted from a letter names its test after itself
        self._tests = roles("definitive_test") | roles("plain_film") | roles("other_test")
        self._lesser_tests = self._tests - roles("definitive_test")

    def _group(self, text: str, previous: Sequence[str], concepts: frozenset[str]) -> str | None:
        """The patient's group in words, the latest turn first; a child's word beside a state of the vocabulary's
        `expecting` role names the one the patient carries, so it puts her in no group."""
        group = next((g for t in (text, *reversed(previous)) if (g := patient_group(t)) is not None), None)
        return None if group == "child" and concepts & self.vocabulary.role("expecting") else group

    def undictated(self, text: str) -> str:
        """A dictated question in written form: punctuation said aloud ("comma", "question mark") as its mark, and
        letters spelt out ("m r i") joined where they make a term the concept vocabulary knows."""
        text = _SPOKEN_PUNCTUATION.sub(lambda m: _PUNCTUATION_SAID[" ".join(m.group(1).lower().split())], text)

        def joined(m: re.Match) -> str:
            word = m.group(0).replace(" ", "")
            return word if self.vocabulary.concepts(word) else m.group(0)
        return _SPELT_LETTERS.sub(joined, text)

    def read(self, messages: Sequence[dict], spell=None, topical=None, banded=None, indexed=None,
             shorthand=None, aliases=None, classes=None, written_out=None) -> Query:
        """spell: reads a misspelt word as the indexed documents' word (rag.typos), when given; topical: is this
        (stemmed) word one the indexed documents use sparingly, so a sentence naming it is about their subjects
        (the concept vocabulary knows some subjects far better than others); banded: what the documents say the
        score values a text states mean (rag.bands); indexed: is this (stemmed) word in the indexed documents (another
        name of what the question names is searched only in the documents' own words); shorthand: the long forms of
        the clinical shorthand a text uses, read for the indexed documents (rag.abbreviations); aliases: the same,
        with the documents' own shorthand in its plain words too (whose value is asked); classes: the classes of
        the medicines a text names, in the documents' words (rag.abbreviations); written_out: each shorthand a text
        types with the long form the documents write out in a sentence (rag.abbreviations)."""
        spell = spell or (lambda text: text)
        indexed = indexed or (lambda word: True)
        topical = topical or (lambda word: False)
        banded = banded or (lambda text: "")
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        if not users:
            raise ValueError("no user message")
        last = users[-1]
        question = quoted_questions_told(self.undictated(fields_written_out(str(messages[last].get("content") or ""))))
        history = tuple({"role": m.get("role"), "content": str(m.get("content") or "")} for m in messages[:last]
                        if m.get("role") in ("user", "assistant"))
        # a sentence that steers the system ("Pretend you are my attending ...") is dropped whole when the
        # question has others; what is left of an instruction inside a sentence is blanked
        spelled = self.vocabulary.respelt(spell(clean(question)))
        sentences = split_sentences(spelled)
        kept = [x for x in sentences if not self.is_instruction(x)
                or self._clinical(self.strip_instructions(x), _SUBJECT_KINDS)] or sentences
        stripped = self.strip_instructions(" ".join(kept))
        text = " ".join(stripped.split()) or spelled
        focus = self._focus(text, topical)
        previous = [m["content"] for m in history if m["role"] == "user"]
        follow_up = bool(previous) and not _ANOTHER_CASE.search(focus) and (
            bool(_PRONOUN.search(focus)) or bool(_ORDINAL.search(focus)) or len(focus.split()) < 12)
        said = [m["content"] for m in history if m["role"] == "assistant"]
        if follow_up and said:
            focus = self.point_back(focus, said[-1])
        # the turn a follow-up continues, spelt once
        earlier = spell(clean(self.undictated(previous[-1]))) if follow_up else ""
        resolved = f"{self.strip_instructions(earlier)} {focus}" if follow_up else focus
        # ... with a request that closes the turn after its question ("Is that point from a <kind of> paper? Give me
        # the reference."; "What does <x> rest on? Title, journal and year please.")
        answer_type = self.answer_types.classify(f"{self.asking(focus)} {self.after_asking(text)}".strip())
        if answer_type == "explanation" and (request := self.request_before(text)):
            # "<who> wants ... to list which <changes> would mean <x>. What does the guidance say?": the request
            # before a question that only asks what the guidance says is what it asks for
            answer_type = self.answer_types.classify(request)
        displaced = self.answer_types.displaces.get(answer_type, frozenset())
        concepts = self._concepts(resolved) - displaced
        # a sentence is picked by what the patient has and what is asked; what the question rules out narrows the
        # answer (rag.ranking) but its words would pick the sentences about it
        affirmed, ruled_out = self.affirmed(focus)
        affirmed = " ".join(_COMPARISON.sub(" ", affirmed or focus).split()) or affirmed or focus
        asked = self.answer_types.without_exclusions(affirmed)
        # plain labels of the concepts it asks about; what it says it already knows adds none
        # a result the conversation's last question reported is still the patient's when the follow-up reports none
        # ("<test>: no serious pathology. Next step?" ... "So we can close the file?")
        # ... and in a follow-up, "it" or "that" before a result word stands for the test the conversation named
        # ("what scan?" ... "Done. It shows <a finding>. So what now?")
        tested = follow_up and bool(self._concepts(" ".join(m["content"] for m in history)) & self._tests)
        reported = self._reported(focus, pronoun_test=tested) or (
            self._reported(earlier) if follow_up else frozenset())
        denied = self.denied(focus)
        # what the question denies ("no <finding>") is not searched for
        named = (self._concepts(asked) | (concepts - self._concepts(focus))) - denied - displaced
        if reported:  # "the <test> showed <a finding>": the test is done, what it found is the question
            # ... but what a normal test short of the definitive one means ("the <plain film> came back normal") is
            # asked in the documents' name for that test
            lesser = self._lesser_tests if reported & self.vocabulary.role("established") else frozenset()
            named = {c for c in named if self.vocabulary.kinds.get(c) not in ("object", "protocol") or c in lesser}
        else:  # "his neurological exam is normal": not a test's result, so no result words to search for
            named -= self._results
        measured = self._measured(text, previous)
        labels = self._labels(resolved, frozenset(named), indexed)
        expanded = related = ""
        read_as: tuple[tuple[str, str], ...] = ()
        typed = f"{clean(previous[-1])} {clean(question)}" if follow_up else clean(question)
        if shorthand is not None:  # "K+ 6.8": searched, and read for what it asks, in the documents' words
            have = content_words(f"{resolved} {labels}")
            expanded = " ".join(f for f in shorthand(typed) if not content_words(f) <= have)
            labels = f"{labels} {expanded}".strip()
        if written_out is not None:
            read_as = tuple(written_out(typed))
        if classes is not None:  # "on <medicine>": searched in its class's words too
            have = content_words(f"{resolved} {labels}")
            related = " ".join(f for f in classes(typed) if not content_words(f) <= have)
        governed = self.answer_types.excluded(focus)
        excluded = content_words(governed) - _ANAPHORA
        if governed and not excluded and said:  # "besides those two": the last answer
            excluded = content_words(re.sub(r"\[\d+\]", "", said[-1]))
        implied = banded(resolved)
        if implied:  # "<score> of 1: first test?": the score is known; what it means is searched instead
            asked = without_stated(asked)
        parts = self.parts(focus)
        part_types = tuple(self.answer_types.classify(p) for p in parts)
        if answer_type in self.answer_types.keeps_negatives:  # "what should she look out for?"
            asked, affirmed, ruled_out = self.answer_types.without_exclusions(focus), focus, frozenset()
        labels = f"{labels} {self.answer_types.searched.get(answer_type, '')}".strip()
        # (the word before a two-word owner too: "<unknown word> <known word> <form> dose")
        whole = (self.answer_types.owner(self.asking(focus), answer_type, width=3)
                 if self.answer_types.evidence.get(answer_type) else [])
        owner = tuple(whole[-2:])
        if owner and aliases is not None:  # "the <formula> regimen" is given under "<its plain name>"
            owner += tuple(f for f in aliases(" ".join(owner)) if f not in owner)
        # "the <ABBR> dose": a dose of the name the documents write out for it
        owner += tuple(f for t, f in read_as if t.lower() in {w.lower() for w in owner} and f not in owner)
        return Query(question=question, spelled=spelled,
                     text=text, resolved=resolved, labels=f"{labels} {implied}".strip(), expanded=expanded,
                     read_as=read_as,
                     related=related,
                     # what it rules out is not searched for ("no <finding>, no <symptom>" would find the documents
                     # about them)
                     search=" ".join(x for x in (resolved[:-len(focus)].strip() if follow_up else "", affirmed, labels,
                                                 implied) if x),
                     implied=implied, owner=owner, owner_preceded_by=whole[0] if len(whole) == 3 else "",
                     focus=focus, asked=asked, affirmed=affirmed, ruled_out=ruled_out,
                     excluded=frozenset(excluded), reported=reported,
                     core=(core := self._core(affirmed) or self._claim(affirmed, answer_type, follow_up)),
                     case=self._case(affirmed, core),
                     again=focus if follow_up else "",
                     denied=denied, parts=parts, part_types=part_types, supposed=self._supposed(focus),
                     # (a part asks it with a wh-question of its own: "..., and is that reference a summary?" asks
                     # nothing of the patient)
                     asks_what_to_do=answer_type in self.answer_types.asks_what_to_do or any(
                         t in self.answer_types.asks_what_to_do and t not in self.answer_types.polar
                         for t in part_types),
                     age=next((a for t in (text, *reversed(previous)) if (a := patient_age(t)) is not None), None),
                     sex=next((x for t in (text, *reversed(previous)) if (x := patient_sex(t)) is not None), None),
                     group=self._group(text, previous, concepts - denied),
                     # (as typed: the spelling fixer reads ward slang such as "<n> weeker" as other words)
                     gestation=next((g for t in (question, *reversed(previous))
                                     if (g := patient_gestation(t)) is not None), None),
                     measured=measured, quoted=tuple(quoted_lines(question)),
                     answer_type=answer_type, concepts=concepts,
                     history=history, follow_up=follow_up,
                     had_instructions=len(kept) < len(sentences) or text != " ".join(" ".join(kept).split()))

    def _measured(self, text: str, previous: Sequence[str]) -> tuple[tuple[str, float], ...]:
        """Each measurement's latest stated value ("<measure> 90" now, after "<measure> 97" in an earlier turn)."""
        latest: dict[str, float] = {}
        for said in (*previous, text):
            latest.update(measured(said, self.vocabulary))
        return tuple(latest.items())

    @staticmethod
    def pointed_claim(question: str, answer: str) -> str:
        """The claim of the last answer a provenance follow-up points at: "which reference backs your first sentence?"
        is the answer's first sentence, "... the last point?" its last; with no such pointer, the whole answer."""
        sentences = [s for s in split_sentences(_CITATION_MARKS.sub("", answer)) if content_words(s)]
        m = _ORDINAL.search(question)
        if m is None or len(sentences) < 2 or (m.group(0).split()[-1].lower() not in _SENTENCE_POINTERS):
            return " ".join(sentences) or answer
        n = _ORDINALS[m.group(1).lower()]
        return sentences[n] if -len(sentences) <= n < len(sentences) else " ".join(sentences)

    def point_back(self, focus: str, answer: str) -> str:
        """The follow-up with its pointers to the last answer spelt out: "the second one" as that answer's second
        list item, "besides those two" as its items, "and if that's normal?" as the test it named."""
        items = answer_items(answer)

        def ordinal(m: re.Match) -> str:
            n = _ORDINALS[m.group(1).lower()]
            return items[n] if len(items) >= 2 and -len(items) <= n < len(items) else m.group(0)

        out = _ORDINAL.sub(ordinal, focus)
        if len(items) >= 2:
            out = _ITEMS_POINTER.sub(lambda m: join_items(items), out)
        test = next((m.text for m in self.vocabulary.mentions(answer)[1] if m.concept in self._tests), None)
        # "and if that's normal?" needs its test named; "and if that shows <a finding>?" is about the finding
        if test:  # "if that test shows <a finding>": the test is named, whatever it shows
            out = _TEST_POINTER.sub(f"the {test}", out)
            out = _DONE_POINTER.sub(lambda m: f"{m.group(1)} the {test}", out)
        if test and self._concepts(focus) & self.vocabulary.role("established"):
            out = _RESULT_POINTER.sub(lambda m: f"{m.group(1)} the {test}{' is' if m.group(2) else ''}", out)
        return out

    def _labels(self, text: str, concepts: frozenset[str], indexed=lambda word: True) -> str:
        """Plain names of the concepts the question names in other words ("XR" -> radiographs); a concept it
        already names plainly adds nothing, so common words do not drown the question's own."""
        words = set(re.findall(r"[a-z]+", text.lower()))
        out = []
        broader = self.vocabulary.broader
        for c in sorted(concepts):
            label = self.vocabulary.labels.get(c)
            if label and broader.get(c) in concepts:  # a kind names its broader concept too: its name counts once
                wider = set(self.vocabulary.labels.get(broader[c], "").split())
                label = " ".join(w for w in label.split() if w not in wider)
            if self.vocabulary.kinds.get(c) == "measure":
                continue  # "<measure> 97": the value against a threshold says what it means, not the name
            if label and self.vocabulary.kinds.get(c) == "name":  # another name of the same thing: the names unused
                out.append(" ".join(w for w in label.split() if w.lower() not in words
                                    and all(indexed(x) for x in content_words(w))))
            elif label and len(set(label.lower().split()) & words) * 2 < len(label.split()):
                out.append(label)
        return " ".join(out)

    def _claim(self, text: str, answer_type: str, follow_up: bool) -> str:
        """A provenance question's claim ("which reference supports the claim that <claim>?"), searched on its own
        too: the asking words around it say nothing of the topic. Empty for other questions and for a follow-up
        ("which source is that from?" names its claim in the turn before)."""
        if answer_type != "source" or follow_up:
            return ""
        claim = self.answer_types.without_cues(text, "source")
        return claim if claim != normalize(text) and len(content_words(claim)) >= 3 else ""

    @staticmethod
    def _core(focus: str) -> str:
        """A long vignette's asking part (searched on its own too); empty for a short question."""
        return QueryReader.asking_part(focus) if len(split_sentences(focus)) >= VIGNETTE_SENTENCES else ""

    def _case(self, focus: str, core: str) -> str:
        """The sentence outside the asking part that names the most distinct clinical concepts (two at least)."""
        sentences = split_sentences(focus)
        if len(sentences) < 2:
            return ""
        asking = core or QueryReader.asking_part(focus)
        best, most = "", 1
        for sentence in sentences:
            if sentence.strip() in asking:
                continue
            named = len(self.vocabulary.distinct(c for c in self._concepts(sentence)
                                                 if self.vocabulary.kinds.get(c) in _CASE_KINDS))
            if named > most:
                best, most = sentence.strip(), named
        return best

    def _supposed(self, text: str) -> frozenset[str]:
        """Results an asking sentence supposes ("and if that shows <a finding>?", "what if the <test> shows
        <a finding>?"): what the sources say to do then is the answer, though nothing is done yet."""
        out: set[str] = set()
        for sentence in split_sentences(text):
            if sentence.rstrip().endswith("?"):
                # the question is the supposition ("And if ...?", "What if ...?", "If it shows X, then what?"), not a
                # clause inside another question ("what is the point of X, if the post-gad images show it anyway?")
                clause = _SUPPOSITION.search(sentence)
                if clause and len(sentence[:clause.start()].split()) <= 1:
                    out |= self._concepts(clause.group(0)) & self._results
                # ... or what it asks is what follows a result ("what should happen after a negative <test>?")
                for after in _AFTER_RESULT.finditer(sentence):
                    named = self._concepts(after.group(0))
                    if named & self._tests:
                        out |= named & self.vocabulary.role("established")
        return frozenset(out)

    def _reported(self, text: str, pronoun_test: bool = False) -> frozenset[str]:
        """Results the text reports: in sentences that tell rather than ask, less their suppositions ("if they're
        clear, ..."), said of a test ("the <test> shows ..."); "I found <a sign>" and "his examination
        is normal" are examination findings, not a test's result. pronoun_test: the conversation named a test, so a
        sentence opening with a pronoun before a result word ("It shows <finding>") reports that test's result."""
        out: set[str] = set()
        established = self.vocabulary.role("established")
        tested_before = pronoun_test
        for sentence in split_sentences(text):
            if sentence.rstrip().endswith("?"):
                continue
            tokens, said = self.vocabulary.mentions(_SUPPOSITION.sub(" ", sentence))
            # a clause that argues ("surely the <test> shows it anyway") reports nothing
            mentions = [m for m in said if m.kind != "cue" and not self.answer_types.argues(tokens, m.start)]
            # (a test said not to be done reports nothing: "should get no imaging, because he has a normal <exam>")
            denied = {m.end for m in said if m.concept == "cue.negation"}
            first_test = next((m.start for m in mentions if m.concept in self._tests and m.start not in denied), None)
            if first_test is None:
                # a report opening the sentence stands for the test it reports ("Report's back: <findings>")
                # (a report's or results' own word: "Findings:" heads an examination as often as a test)
                first_test = next((m.start for m in mentions if m.concept in self._results and m.start <= 1
                                   and tokens[m.start].text.startswith(("report", "result"))
                                   and m.end < len(tokens) and tokens[m.end].text == ":"), None)
            if first_test is None and pronoun_test and tokens and tokens[0].text in _TEST_PRONOUNS:
                first_test = next((0 for m in mentions if m.concept in self._results and 1 <= m.start <= 2), None)
            if first_test is None and tested_before and tokens and tokens[0].text in _REPORT_OPENERS:
                # "<the test> last week. Report says no <a>, no <b>.": a report told in its own sentence is the test's
                # the sentence before named
                first_test = 0
            tested_before = tested_before or any(m.concept in self._tests for m in said)
            if first_test is None:
                continue
            # a test's result comes after the test ("the <test> confirmed <finding>"); what someone "confirmed" before
            # any test is named is not one ("<a team> confirmed the device is <test>-conditional, so <test> is safe")
            tested = {i for x in mentions if x.concept in self._tests for i in range(x.start, x.end)}
            out |= {m.concept for m in mentions if m.concept in established
                    or m.concept in self._results and (m.start > first_test or m.concept in self._quoted)
                    and not _said_by_a_person(tokens, m.start, tested)}
            if self._reads_as_report(tokens, mentions, first_test):
                out.add(_REPORT_RESULT)
        return frozenset(out)

    def _reads_as_report(self, tokens, mentions, first_test: int) -> bool:
        """"<test> [<protocol>]: <findings>" is a report in shorthand: a colon straight after the test, and a finding
        after the colon ("<test> w/wo: <size> <lesion> ..."), as against "<test>: booked for <day>"."""
        end = max((m.end - 1 for m in mentions if m.start == first_test), default=first_test)
        # the test and what names it further ("<region> with <agent>")
        for m in sorted(mentions, key=lambda x: x.start):
            if m.start >= first_test and m.start <= end + 1 and self.vocabulary.kinds.get(m.concept) in _TEST_NAMING:
                end = max(end, m.end)
        colon = next((t.index for t in tokens[end:end + 2] if t.text == ":"), None)
        return colon is not None and any(m.start > colon and self.vocabulary.kinds.get(m.concept) in _REPORTED_KINDS
                                         for m in mentions)

    @staticmethod
    def plan(text: str) -> str:
        """The sentences that may state a plan or proposal, as statements: not the asker describing themselves ("I
        work in a <practitioner's> practice", "I'm a <role> writing to ...", "<role> here (...)"), which proposes
        nothing."""
        # a plan quoted after a colon ("the vetting comment: '<plan>'") is read as its own sentences
        text = _QUOTE_AFTER_COLON.sub(r". \1", text)
        sentences = split_sentences(text)
        return " ".join(s for k, s in enumerate(sentences) if not _SELF_DESCRIPTION.match(s.strip())
                        and not (k == 0 and _INTRODUCTION.match(s))).replace("?", ".")

    def named_back(self, plan: str) -> str:
        """A plan whose later sentence judges a test only by a stand-in ("is my <test> enough?", "enough to plan off
        that?") after an earlier one named the test ("I can see it on <test>"): the stand-in reads as that test, so
        the plan is judged for what it proposes. Only where the earlier sentences name one test."""
        roles = self.vocabulary.role
        placeholders = roles("placeholder")
        specific = (roles("definitive_test") | roles("plain_film") | roles("other_test")) - placeholders
        sentences = split_sentences(plan)
        out: list[str] = []
        named: dict[str, str] = {}
        # ... and only while the test is the last thing named, or the sentence judges whether a test is enough: after
        # "<test> report says '<a lesion>'", "it" is the lesion ("can't I just leave it?"), but "is that enough?" is
        # still asked of the test
        kinds = self.vocabulary.kinds
        lesion = {c for c, k in kinds.items() if k == "finding" or c == "assess.benign"}
        sufficiency = roles("sufficiency")
        last_is_test = False
        for sentence in sentences:
            sentence = normalize(sentence)  # the reading's offsets are the normalised text's
            tokens, mentions = self.vocabulary.mentions(sentence)
            own = [m for m in mentions if m.concept in specific]
            if own:
                named.update({m.concept: sentence[tokens[m.start].start:tokens[m.end - 1].end] for m in own})
                last_is_test = not any(m.concept in lesion and m.start > own[-1].start for m in mentions)
            elif len(named) == 1 and (last_is_test or any(m.concept in sufficiency for m in mentions)):
                test = next(iter(named.values()))
                stand_in = next((m for m in mentions if m.concept in placeholders), None)
                span = ((tokens[stand_in.start].start, tokens[stand_in.end - 1].end) if stand_in else
                        next(((t.start, t.end) for t in tokens if t.text in _STAND_INS), None))
                before = span[0] if span is not None else 0
                if span is not None and not any(m.concept in lesion and tokens[m.start].start < before
                                                for m in mentions):
                    sentence = f"{sentence[:span[0]]}{test}{sentence[span[1]:]}"
                last_is_test = not any(m.concept in lesion for m in mentions)
            else:
                last_is_test = last_is_test and not any(m.concept in lesion for m in mentions)
            out.append(sentence)
        return " ".join(out)

    def as_proposed(self, plan: str) -> str:
        """A plan with its words of wanting left out ("he wants to join <care>", "the family would prefer <x>"): what
        the patient wants, asked about, is the proposal the question puts (another's advice stays reported)."""
        norm = normalize(plan)
        tokens, mentions = self.vocabulary.mentions(norm)
        return _cut(norm, [(tokens[m.start].start, tokens[m.end - 1].end) for m in mentions
                           if m.concept == "cue.wish"])

    @staticmethod
    def asking(text: str) -> str:
        """The sentences that ask (a vignette's medication list says "5 mg" without asking for a dose)."""
        sentences = split_sentences(text)
        marked = [k for k, s in enumerate(sentences) if s.rstrip().endswith("?")]
        asking = [sentences[k] for k in _after_transcript(sentences, marked)]
        # a question told as asked ("She asked what the doctor will look for ...") asks where no question mark does,
        # before whatever closes the note ("Note to self: check what the guidance says ..."), and where the marked
        # ones only pass it on ("She wants to know how many hours he must fast. What do I tell her?")
        if not asking or all(_bare(s) for s in asking):
            asking = [s for s in sentences if _TOLD_QUESTION.search(s) and s not in asking] + asking
        return " ".join(asking) if asking else (sentences[_last_said(sentences)] if sentences else text)

    @staticmethod
    def request_before(text: str) -> str:
        """A sentence just before a last question that only asks what the source says ("What does the <x> guidance
        say?"), where that sentence asks something itself in a wh-clause ("... wants his care plan to list which
        <changes> would mean <x>"); or before one that only points back at it ("She wants <x> and <y>. What are
        they?"); empty otherwise."""
        sentences = split_sentences(text)
        asking = [i for i, s in enumerate(sentences) if s.rstrip().endswith("?")]
        if len(asking) != 1 or asking[0] == 0:
            return ""
        if _POINTS_BACK_ONLY.match(sentences[asking[0]].strip()):
            return sentences[asking[0] - 1]
        if not _SAYS_ONLY.match(sentences[asking[0]].strip()):
            return ""
        # (the nearest of the two before it: "... list which <changes> would mean <x>. He's fine today. What does
        # the guidance say?")
        return next((b for b in reversed(sentences[max(0, asking[0] - 2):asking[0]]) if _WH_CLAUSE.search(b)), "")

    @staticmethod
    def after_asking(text: str) -> str:
        """The sentences after the last question, when a request without a question mark closes the turn ("...?
        Title, journal and year please."); empty when the question ends it or none is asked."""
        sentences = split_sentences(text)
        last = max((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")), default=None)
        return " ".join(sentences[last + 1:]) if last is not None else ""

    @staticmethod
    def parts(text: str) -> tuple[str, ...]:
        """The questions the asking sentences hold, when more than one: each question sentence, and within one,
        wh-clauses joined by "and" / ";" ("what <x>, and how soon <y>?"); a part needs a content word."""
        found: list[str] = []
        sentences = split_sentences(text)
        # (with no question mark, the last sentence asks, as QueryReader.asking reads it: "Give me <x>, and what <y>.")
        asking = [k for k, s in enumerate(sentences) if s.rstrip().endswith("?")] or [_last_said(sentences)]
        asking = _after_transcript(sentences, asking)
        # a bare question ("Is it?", "True?") asks about the sentence before it ("She assumes <a claim>. Is it?")
        asking = [f"{sentences[k - 1]} {sentences[k]}" if k > 0 and _bare(sentences[k])
                  and not sentences[k - 1].rstrip().endswith("?") else sentences[k] for k in asking if k >= 0]
        for sentence in asking:
            pieces = [p.strip(" ,;?.") for p in _JOINED_QUESTION.split(sentence) if p and p.strip(" ,;?.")]
            if pieces and _ASKS.match(framed := re.split(r":\s+", pieces[0])[-1]):
                pieces[0] = framed  # "The son asks: which <x>, and why <y>?": the framing before the colon asks nothing
            if len(pieces) > 1 and not (_ASKS.match(pieces[0]) or _REQUESTS.match(pieces[0])):
                # "for <background>, which <x>, what <y>?"
                pieces[:2] = [f"{pieces[0]}, {pieces[1]}"]
            found += [_elided(pieces[k - 1], p) if k else p for k, p in enumerate(pieces)]
        parts = [p for p in found if len(content_words(p) - QUESTION_STEMS) >= 1]
        return tuple(parts) if len(parts) >= 2 and len(parts) == len(found) else ()

    @staticmethod
    def told_and_asked(text: str) -> tuple[str, str]:
        """What the asker tells before their question, and the question: its asking sentences, with the sentence
        before them when the question points back to it ("... can do a bone scan on Wednesday. Reasonable to go with
        that?"). Nothing is told when the question is the whole text."""
        sentences = split_sentences(text)
        first = next((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")), None)
        if not first:
            return "", text
        if _POINTS_BACK.search(sentences[first]) or not content_words(sentences[first]) - QUESTION_STEMS:
            first -= 1
        return " ".join(sentences[:first]), " ".join(sentences[first:])

    def without(self, text: str, concepts: frozenset[str]) -> str:
        """The words less those that name one of these concepts. Staff (the role "staff") are who asks or acts, never
        what a sentence must say (a job's name may share its stem with the test that job performs); tests are never
        the cause a differential's member names ("what's on the differential before the <test>?")."""
        tokens, mentions = self.vocabulary.mentions(text)
        cut = {i for m in mentions if m.concept in concepts for i in range(m.start, m.end)}
        return " ".join(t.text for i, t in enumerate(tokens) if i not in cut) if cut else text

    @staticmethod
    def asking_part(text: str) -> str:
        """The asking sentences with the one before the first of them ("He wants to join <a programme> now. Should
        I enrol him?"): what the question is about when its asking sentence only points back."""
        sentences = split_sentences(text)
        if not sentences:
            return text
        first = next((i for i, s in enumerate(sentences) if s.rstrip().endswith("?")), len(sentences) - 1)
        return " ".join(sentences[max(0, first - 1):])

    def _concepts(self, text: str) -> frozenset[str]:
        found = frozenset(m.concept for m in self.vocabulary.mentions(text)[1] if m.kind != "cue")
        groups = found & self.vocabulary.role("population")
        animals = getattr(self.vocabulary, "animals", frozenset())
        if not groups or not animals:
            return found
        # a group told in a sentence about animals and no person is theirs, not the patient's ("I scan <animals> for a
        # living - <group> scanning"; not "31F, <group> at 20 weeks, <animal> bite on her hand")
        own = frozenset().union(*(self.vocabulary.concepts(s) for s in split_sentences(text)
                                  if not set(re.findall(r"[a-z]+", _CAT_SCAN.sub(" ", s).lower())) & animals
                                  or _A_PERSON.search(s)))
        return found - (groups - own)

    def _focus(self, text: str, topical=lambda word: False) -> str:
        """A long vignette's focus: its questions and the sentences that name a clinical concept or a word the
        indexed documents use sparingly ("wheeze, urticaria"); social history and other asides drop out ("He is a
        keen cyclist.")."""
        sentences = [c for s in split_sentences(text) for c in _clauses(s)]
        # a turn that moves on to another question ("But I have other question: <x>?") asks about what comes after
        turned = max((k for k, s in enumerate(sentences) if "cue.new_question" in self.vocabulary.concepts(s)),
                     default=None)
        if turned and any(s.rstrip().endswith("?") for s in sentences[turned:]):
            sentences = sentences[turned:]
            text = " ".join(sentences)
        if len(sentences) <= 2:
            return text
        # (with no question mark the last sentence asks: "Give me the <checklist> - bullet points, no waffle.")
        asks = any(s.rstrip().endswith("?") for s in sentences)
        keep = [s for k, s in enumerate(sentences) if s.rstrip().endswith("?") or self._clinical(s)
                or any(topical(w) for w in content_words(s)) or not asks and k == len(sentences) - 1]
        return " ".join(keep) if keep else text

    def _clinical(self, sentence: str, kinds: frozenset[str] | None = None) -> bool:
        """Does the sentence name something clinical (a test, a finding, a body part, a condition ...)?"""
        return bool(self.vocabulary.concepts(sentence, kinds or _CLINICAL_KINDS))
