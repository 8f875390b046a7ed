"""Clinical shorthand read in the indexed documents' words ("<ion>+ <value>" -> the ion's name, "<ABBR>" -> its
long form).

Clinicians type shorthand the concept vocabulary does not list and the documents never use; a question in it
finds nothing by its words. Two lists, both data: the vendored Wikipedia list of medical abbreviations
(rag/vocab/medical_abbreviations.csv, CC BY-SA, 2,606 senses) and the team's shorthand.yaml (bedside senses that
win over the list, and shorthand never expanded). A third source is the corpus itself: a document that defines
"<long form> (<ABBR>)" gives that sense, whatever either list says.

A shorthand with several senses in the list ("<ABBR>": three diseases of three specialties)
reads as the one the indexed documents use most (every content word of it in one sentence), so the same
question is read for the guidelines that are indexed; a sense none of them uses is never searched. A typed word
is shorthand only when it is not an everyday English word in lower case (a listed shorthand that is also a verb
stays a word), not a word the
documents use, and not one the concept vocabulary already reads (its own labels name it).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from guardrails import strict_yaml
from rag.text import INITIALS_GLUE, content_words, initial_runs

VOCAB = Path(__file__).resolve().parent / "vocab"
LIST_FILE = VOCAB / "medical_abbreviations.csv"
SHORTHAND_FILE = VOCAB / "shorthand.yaml"
CLASSES_FILE = VOCAB / "drug_classes.yaml"
CLASS_NAMED_BY = 2  # a medicine named by this many documents is searched by its name only, not also by its class
# a typed token: letters and digits, joined by "&" or "/" ("U&E", "f/u"), an ion's "+" ("K+")
_TOKEN = re.compile(r"(?<![A-Za-z0-9&/])([A-Za-z][A-Za-z0-9]*(?:[&/][A-Za-z0-9]+)*)(\+?)(?![A-Za-z0-9&/])")
# a one-letter shorthand is read only as an ion or a lab value: "K+", "K 6.8", "Na 128"
_VALUE_AFTER = re.compile(r"\s*\+|\s*(?:of\s+|is\s+|=\s*|:\s*)?\d")
# "<long form> (<ABBR>)" in a document
# a medicine's name as drug_classes.yaml lists it, and as a text is read for one
_MEMBER = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[ -][A-Za-z0-9]+)*")  # a class's name as guidelines write it
_DEFINED = re.compile(r"\(([A-Z][A-Za-z0-9]{1,9})\)")


@lru_cache(maxsize=1)
def _lists() -> tuple[dict[str, list[str]], dict[str, str], frozenset[str], dict[str, tuple[str, ...]]]:
    """(the vendored list: lower-case shorthand -> its senses; the team's: shorthand -> plain words; never expanded;
    the team's plain words listed by several names -> each name apart)"""
    listed: dict[str, list[str]] = defaultdict(list)
    with LIST_FILE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            listed[row["abbreviation"].lower()].append(row["long_form"])
    data = strict_yaml.safe_load(SHORTHAND_FILE.read_text(encoding="utf-8"))
    if set(data) - {"expand", "keep"}:
        raise ValueError(f"{SHORTHAND_FILE}: unknown keys {sorted(set(data) - {'expand', 'keep'})}")
    named = {str(k).lower(): _names_of(k, v) for k, v in (data.get("expand") or {}).items()}
    expand = {short: " ".join(names) for short, names in named.items()}
    keep = frozenset(str(k).lower() for k in data.get("keep") or ())
    if expand.keys() & keep:
        raise ValueError(f"{SHORTHAND_FILE}: both expanded and kept: {sorted(expand.keys() & keep)}")
    return dict(listed), expand, keep, {" ".join(n): tuple(n) for n in named.values() if len(n) > 1}


def bedside_words() -> frozenset[str]:
    """The team's shorthand (shorthand.yaml), lower case: clinicians' words, never misspellings of a corpus word
    ("Paeds ED nurse" is no "pads ED nurse")."""
    _, expand, keep, _ = _lists()
    return frozenset(expand) | keep


def _names_of(short, value) -> list[str]:
    """A shorthand's plain words: one name, or a list of other names of the same thing."""
    names = value if isinstance(value, list) else [value]
    if not names or any(not isinstance(n, str) or not n.strip() for n in names):
        raise ValueError(f"{SHORTHAND_FILE}: {short!r}: want its plain words, or a list of other names of one thing; "
                         f"found {value!r}")
    return [n.strip() for n in names]


def other_names() -> dict[str, tuple[str, ...]]:
    """A listed shorthand's plain words (all its names, as searched) -> each name apart ("<British> <US>" ->
    ("<British>", "<US>")), for the shorthand the team lists by several names."""
    return _lists()[3]


@dataclass(frozen=True)
class DrugClass:
    names: tuple[str, ...]  # as guidelines write the class: each a whole name ("ACE inhibitor"), synonyms apart
    members: frozenset[str]  # lower case

    @property
    def words(self) -> str:
        """Every word of its names once, in order: what a search for the class adds to the question."""
        return " ".join(dict.fromkeys(" ".join(self.names).split()))


@lru_cache(maxsize=1)
def drug_classes() -> tuple[DrugClass, ...]:
    """The classes of drug_classes.yaml, checked strictly."""
    data = strict_yaml.safe_load(CLASSES_FILE.read_text(encoding="utf-8"))
    if set(data) != {"classes"}:
        raise ValueError(f"{CLASSES_FILE}: want one key, classes; found {sorted(data)}")
    out = []
    for i, entry in enumerate(data["classes"]):
        if (not isinstance(entry, dict) or set(entry) != {"names", "members"} or not isinstance(entry["members"], list)
                or not isinstance(entry["names"], list)):
            raise ValueError(f"{CLASSES_FILE}: class {i + 1} needs exactly a list of names and a list of members")
        names = tuple(str(n).strip() for n in entry["names"])
        members = [str(m).lower() for m in entry["members"]]
        if (not names or any(not _NAME.fullmatch(n) for n in names) or not members
                or any(not _MEMBER.fullmatch(m) for m in members)):
            raise ValueError(f"{CLASSES_FILE}: class {i + 1} ({entry['names']!r}): names as words (letters, digits, "
                             "hyphens, single spaces), and members as single words (letters, digits, hyphens)")
        out.append(DrugClass(names, frozenset(members)))
    return tuple(out)


@lru_cache(maxsize=1)
def _class_words() -> dict[str, frozenset[str]]:
    """Each listed medicine's class words (drug_classes.yaml), stemmed."""
    out: dict[str, set[str]] = {}
    for drug_class in drug_classes():
        for member in drug_class.members:
            out.setdefault(member, set()).update(content_words(drug_class.words))
    return {m: frozenset(w) for m, w in out.items()}


@lru_cache(maxsize=1)
def _class_mentions() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
    """Per class, a pattern for a mention of it by one of its names as a whole (its last word plural or not;
    "non-steroidal" is no mention of a steroid) and one for a mention of one of its members."""
    def whole(alternatives: list[str]) -> re.Pattern[str]:
        return re.compile(r"(?<![a-z0-9-])(?:" + "|".join(alternatives) + r")(?:e?s)?(?![a-z0-9-])")

    def name(n: str) -> str:
        return r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", n.lower()))
    return tuple((whole([name(n) for n in c.names]), whole([re.escape(m) for m in sorted(c.members)]))
                 for c in drug_classes())


@dataclass(frozen=True)
class ClassMentions:
    """The drug classes a text names: class index -> the stemmed words that name it, by a name of the class ("ACE
    inhibitors") and by a member ("ramipril")."""
    by_name: dict[int, frozenset[str]]
    by_member: dict[int, frozenset[str]]

    def related(self, other: ClassMentions) -> dict[int, frozenset[str]]:
        """Of this text's class mentions, those the other text names the same class for: a medicine by its class's
        name, a class by its name or any member (two members of one class are two medicines, not one)."""
        out = {c: words for c, words in self.by_name.items() if c in other.by_name or c in other.by_member}
        for c, words in self.by_member.items():
            if c in other.by_name:
                out[c] = out.get(c, frozenset()) | words
        return out


@lru_cache(maxsize=65536)
def classes_mentioned(text: str) -> ClassMentions:
    lower = text.lower()
    by_name, by_member = {}, {}
    for i, (names, members) in enumerate(_class_mentions()):
        for found, pattern in ((by_name, names), (by_member, members)):
            spans = [m.group(0) for m in pattern.finditer(lower)]
            if spans:
                found[i] = frozenset(content_words(" ".join(spans)))
    return ClassMentions(by_name, by_member)


def classes_named(text: str) -> set[str]:
    """The (stemmed) class words of the listed medicines a text names ("prednisolone": corticosteroid, steroid)."""
    classes = _class_words()
    return set().union(*(classes.get(w, frozenset()) for w in re.findall(r"[a-z][a-z0-9-]+", text.lower())))


def title_initials(titles: Iterable[str]) -> dict[str, str]:
    """The initials of each run of three to five words of a title, less its small words, read as that run: a
    guideline's subject goes by its initials on the ward whether or not the guideline spells them out. Initials two
    titles share name neither."""
    out: dict[str, str] = {}
    shared: set[str] = set()
    for title in dict.fromkeys(titles):
        for short, form in initial_runs(title, longest=5):
            if out.get(short, form) != form:
                shared.add(short)
            out.setdefault(short, form)
    return {k: v for k, v in out.items() if k not in shared}


def defined_in(texts: Iterable[str]) -> dict[str, str]:
    """Shorthand the documents define: "<long form> (<ABBR>)", the long form being the words before the bracket
    whose initials spell it (Schwartz and Hearst's rule, first letters only)."""
    out: dict[str, str] = {}
    for text in texts:
        for m in _DEFINED.finditer(text):
            short = m.group(1)
            letters = [c.lower() for c in short if c.isalpha() and c.isupper()] or [short[0].lower()]
            words = re.findall(r"[A-Za-z][A-Za-z-]*", text[max(0, m.start() - 120):m.start()])
            for n in range(len(letters), min(len(words), 2 * len(letters)) + 1):
                span = words[-n:]
                initials = [w[0].lower() for w in span if w.lower() not in INITIALS_GLUE]
                if initials == letters:
                    out.setdefault(short.lower(), " ".join(span))
                    break
    return out



CLIPPING_MIN = 5  # letters (as rag.typos reads a misspelling only from five)


class Shorthand:
    """The long forms of the shorthand a text uses, read for one indexed corpus."""

    def __init__(self, senses: dict[str, str], keep: frozenset[str], is_word: Callable[[str], bool],
                 reads: Callable[[str], bool], used: Callable[[str], bool] = lambda word: False,
                 bedside: frozenset[str] = frozenset(), rare_word: Callable[[str], bool] = lambda word: False,
                 others: dict[str, list[tuple[str, list[frozenset[str]]]]] | None = None,
                 documents: Sequence[frozenset[str]] = (),
                 classes: dict[str, tuple[str, ...]] | None = None,
                 held: Callable[[str], int] = lambda long_form: 0) -> None:
        """senses: lower-case shorthand -> the long form this corpus reads it as; is_word: an everyday English word;
        reads: does the concept vocabulary read this token? used: is this lower-case word one the documents use?
        bedside: the team's shorthand (shorthand.yaml), read in lower case too where the English word it spells is
        rare (rare_word: "neb" is a bird's beak in the dictionary, a nebuliser on the ward); others: for a shorthand
        the documents use in more than one sense, each sense with the words of each document that uses it."""
        self.senses = senses
        self.others = others or {}
        self.documents = documents  # each document's telling words (used by few documents)
        self.keep = keep
        self.is_word = is_word
        self.used = used
        self.reads = reads
        self.bedside = bedside
        self.rare_word = rare_word
        self.classes = classes or {}  # a medicine -> the words of each of its classes the documents use
        self.held = held  # how many of the documents' sentences use every word of a long form

    @classmethod
    def for_corpus(cls, sentences: list[str], is_word: Callable[[str], bool],
                   reads: Callable[[str], bool], titles: Iterable[str] = (),
                   rare_word: Callable[[str], bool] = lambda word: False,
                   documents: list[str] | None = None) -> Shorthand:
        """is_word: an everyday English word; reads: does the concept vocabulary read this token? titles: the
        documents' titles, whose subjects are known by their initials ("<ABCD>" for "<Aaa> <bbb>-<ccc> <ddd>");
        documents: the document of each sentence, so that a shorthand two documents use in two senses is read in the
        sense of the document the rest of the question is about."""
        listed, expand, keep, _ = _lists()
        holding: dict[str, set[int]] = defaultdict(set)  # stemmed word -> the sentences that use it
        doc_words: dict[str, set[str]] = defaultdict(set)  # document -> its (stemmed) words
        for i, s in enumerate(sentences):
            words = content_words(s)
            for w in words:
                holding[w].add(i)
            if documents is not None:
                doc_words[documents[i]] |= words

        def held(long_form: str) -> set[int]:
            """The sentences that use every word of the long form."""
            words = content_words(long_form)
            if not words or any(w not in holding for w in words):
                return set()
            return set.intersection(*(holding[w] for w in words))

        def used(long_form: str) -> int:
            return len(held(long_form))

        def users(long_form: str) -> list[frozenset[str]]:
            """The words of each document that uses the long form (every word of it in one sentence)."""
            return [frozenset(doc_words[d]) for d in sorted({documents[i] for i in held(long_form)})] \
                if documents else []
        senses: dict[str, str] = {}
        others: dict[str, list[tuple[str, list[frozenset[str]]]]] = {}
        for short, forms in listed.items():
            counts = [(used(f), f) for f in forms]
            best = max(counts, key=lambda x: x[0])
            if best[0] > 0:  # the first listed of the most used
                senses[short] = next(f for n, f in counts if n == best[0])
                in_use = [f for n, f in counts if n > 0]
                if documents is not None and len(forms) > 1:
                    # a shorthand of several senses in the list: each sense the documents use, with their words
                    others[short] = [(f, users(f)) for f in [senses[short], *(f for f in in_use
                                                                            if f != senses[short])]]
        # a bedside sense none of whose words the documents use would only steer the search away from them
        senses.update({short: form for short, form in expand.items() if content_words(form) & holding.keys()})
        # a title's initials are a guess at what the ward calls its subject: not where the lists know the shorthand in
        # other senses ("HCA" beside "<Aaa> <Hhh> in <Cccc> and <Aaaa>" is a healthcare assistant on the ward)
        senses.update({short: form for short, form in title_initials(titles).items()
                       if short not in listed or form.lower() in {f.lower() for f in listed[short]}})
        senses.update(defined_in(sentences))
        for short in keep:
            senses.pop(short, None)
        typed = {w.lower() for s in sentences for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", s)}
        # what tells documents apart: the words at most a quarter of them use
        df = Counter(w for words in doc_words.values() for w in words)
        telling = {w for w, n in df.items()
                   if n <= max(1, len(doc_words) // 4) and not any(c.isdigit() for c in w)}
        everyone = [frozenset(words & telling) for words in doc_words.values()]
        # (a sense defined by a document or the team's list is not a guess: it has no alternatives)
        others = {short: [(f, [frozenset(d & telling) for d in docs]) for f, docs in alternatives]
                  for short, alternatives in others.items() if senses.get(short) == alternatives[0][0]}
        # a class none of whose words the documents use would only steer the search away from them; a medicine
        # several documents name is found by its own name, and its class would spread the search over every
        # document that names any medicine of it
        classes: dict[str, tuple[str, ...]] = defaultdict(tuple)
        for drug_class in drug_classes():
            if content_words(drug_class.words) & holding.keys():
                for member in drug_class.members:
                    if max((df.get(w, 0) for w in content_words(member)), default=0) < CLASS_NAMED_BY:
                        classes[member] += (drug_class.words,)
        return cls(senses, keep, is_word, reads, typed.__contains__, frozenset(expand), rare_word, others, everyone,
                   dict(classes), used)

    def sense(self, short: str, text: str) -> str | None:
        """The long form of a shorthand in this text: where the documents use it in several senses, the one whose
        document shares more of the text's other words than any other sense's does ("CS" beside the words of one
        guideline, not the sense another uses more often); None when the text does not tell them apart: a wrong
        sense would steer the search to the wrong document, the typed shorthand steers it nowhere."""
        alternatives = self.others.get(short)
        if not alternatives:
            return self.senses[short]
        words = content_words(text) - content_words(short)
        shared = sorted(((max((len(words & w) for w in docs), default=0), f) for f, docs in alternatives),
                        key=lambda x: -x[0])
        if len(shared) > 1 and shared[1][0] == shared[0][0]:
            return None
        # ... and a sense whose documents share none of the text's words, where another document shares some, is not
        # this text's: "delivered by CS" beside another guideline's words is not the sense one document uses
        if shared[0][0] == 0 and any(words & d for d in self.documents
                                     if not any(d == w for _, docs in alternatives for w in docs)):
            return None
        return shared[0][1]

    def long_forms(self, text: str, documents_own: bool = False) -> list[str]:
        """The long forms of the shorthand in text, in order, each once. documents_own: the team's shorthand that the
        documents use as well is read in its plain words too (whose value a question asks: "the <formula> regimen"
        is given under a heading in its plain words); otherwise the documents' own shorthand is searched as typed."""
        out: list[str] = []
        # the text with the plain words of its unambiguous shorthand, which tell an ambiguous one's sense
        context = " ".join([text, *(self.senses[t.lower()] for t, _ in _TOKEN.findall(text)
                                    if t.lower() in self.senses and t.lower() not in self.others)])
        for m in _TOKEN.finditer(text):
            token, plus = m.group(1), m.group(2)
            low = token.lower()
            if low in self.keep or low not in self.senses:
                continue
            if len(token) == 1 and not (token.isupper() and (plus or _VALUE_AFTER.match(text, m.end(1)))):
                continue
            bedside = low in self.bedside
            # a clipping of the very word it stands for, long enough to be no everyday word of its own ("bicarb": the
            # dictionary's word means the same; "hypo" is a word people write), is read
            clipping = bedside and len(low) >= CLIPPING_MIN and any(
                w.startswith(low) for w in re.findall(r"[a-z]+", self.senses[low].lower()))
            everyday = self.is_word(low) and not (bedside and (self.rare_word(low) or clipping))
            own = self.used(low) and not (bedside and documents_own)
            if (token.islower() and (everyday or own) or len(token) > 1 and own or self.reads(token)):
                # an everyday or a document's word in lower case; "<ABBR>" the documents use: searched as typed;
                # "XR": the concept layer's labels name it
                continue
            form = self.sense(low, context)
            if form is not None and form not in out:
                out.append(form)
        return out

    def written_out(self, text: str) -> list[tuple[str, str]]:
        """Each shorthand typed with a capital in the text, with the long form it is read as, where a sentence of the
        documents uses every word of that form ("PTU" beside a guideline that writes the drug's name in full)."""
        out = []
        for token in dict.fromkeys(re.findall(r"[A-Za-z][A-Za-z0-9]+", text)):
            if any(c.isupper() for c in token):
                for form in self.long_forms(token):
                    # a shorthand listed by several names reads as the name the documents write
                    held = next((n for n in (form, *other_names().get(form, ())) if self.held(n)), None)
                    if held is not None:
                        out.append((token, held))
        return out

    def spelled_out(self, text: str) -> list[str]:
        """The long forms of the text's capitalised shorthand (two letters or more) that the documents themselves
        use, as typed: "can't be CO" names the subject a guideline writes as "carbon monoxide (CO)" and then "CO"
        (a title's initials no document writes are a guess, not its name)."""
        out: list[str] = []
        for token in re.findall(r"\b[A-Z][A-Z0-9]{1,5}\b", text):
            low = token.lower()
            if low in self.senses and low not in self.keep and self.used(low):
                form = self.sense(low, text)
                if form is not None and form not in out:
                    out.append(form)
        return out

    def classes_of(self, text: str) -> list[str]:
        """The classes of the medicines the text names (by name, or by a brand the team's list reads as one), in the
        words the documents use for them, in order, each once: "on <medicine>" is about what a guideline says of
        "<its class>"."""
        out: list[str] = []
        if self.classes:
            team = _lists()[1]  # a brand's generic name, whether or not the documents name that medicine
            words = _MEMBER.findall(text.lower())
            for member in [*words, *(m for w in words for m in _MEMBER.findall(team.get(w, "").lower()))]:
                out += [w for w in self.classes.get(member, ()) if w not in out]
        return out
