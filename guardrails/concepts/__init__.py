"""The shared concept layer: normalisation plus a general clinical vocabulary as data.

`Vocabulary.tag(text)` reads normalised text as tokens and returns every concept mention, longest match
first. Matching walks the tokens once and tries only phrases that start with the token at hand (at most
MAX_PHRASE tokens each), so its cost is linear in the text. Guardrail frames, pack scope and query
understanding all read text through this one layer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import re2
import yaml

from guardrails import strict_yaml
from guardrails.concepts.normalize import clean, normalize

__all__ = ["Mention", "Token", "Vocabulary", "clause_start", "clean", "default_vocabulary", "normalize", "tokenize"]

VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.yaml"
MAX_PHRASE = 8
# the first words of two-word alternatives, and the words that end them ("can not", "has been", "a few"): where one
# token's last alternative and the next token's first make such a pair, the phrase meant a two-word alternative
_PAIRED_FIRST = frozenset({"can", "is", "was", "were", "are", "am", "did", "does", "do", "has", "had", "have", "will",
                           "would", "could", "should", "must", "need"})
_PAIRED_ARTICLE = frozenset({"a", "an", "the"})
# A phrase of whole words goes into the trie once per path through its alternatives; a report's long lists ("no
# <place>|... or <place>|... abnormality") would make hundreds of thousands, so those are matched as written
_TRIE_PATHS = 64
_BOUND = re2.compile(r"<num<\d+(?:\.\d+)?>")
KINDS = {"object", "protocol", "timing", "gate", "condition", "assessment", "basis", "cue", "action", "finding",
         "anatomy", "term", "name", "measure", "part"}
# Tokens: numbers with their shorthand forms (6/52, 4-6, 2.5), words with an apostrophe, and the
# punctuation that ends a clause. RE2 guarantees linear time whatever the input.
_TOKEN = re2.compile(r"(\d+(?:\.\d+)?(?:\s*(?:-|to)\s*\d+(?:\.\d+)?)?(?:/\d+)?\pL*|\pL+[0-9]*(?:'\pL+)?|"
                     r"[.,;:!?()]|\s-\s|\s-$)")
_UNIT = re2.compile(r"^([0-9][0-9./ to-]*?)(\pL+)$")
_NUMBER_WORDS = frozenset("a an one two three four five six seven eight nine ten eleven twelve fifteen twenty "
                          "thirty few several couple".split())


_Entry = tuple  # (words, concept, compiled words); see Vocabulary.__init__
_Node = list  # [next word -> node, (rank, concept) of the phrase ending here or None]


class VocabularyError(ValueError):
    """The vocabulary file is invalid; the message names the concept and the problem."""


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    index: int

    @property
    def is_number(self) -> bool:
        return self.text[0].isdigit() or self.text in _NUMBER_WORDS

    @property
    def is_punct(self) -> bool:
        return not self.text[0].isalnum()


@dataclass(frozen=True)
class Mention:
    concept: str
    kind: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    text: str
    implied: bool = False  # the broader concept of the mention before it, over the same words


_WORD = re2.compile(r"[\w'/]+")  # a whole word with its apostrophes and slashes: "u/s" is not "u"


def clause_start(tokens: list[Token], index: int, breaks: frozenset[int] | set[int] = frozenset()) -> int:
    """Where the clause holding this token starts: after the punctuation before it (or at a break position)."""
    while index > 0 and not tokens[index - 1].is_punct and index not in breaks:
        index -= 1
    return index


def _marks_apart(text: str) -> str:
    """A phrase's clause marks as words of their own, as the tokenizer makes them."""
    for mark in ",;:?!":
        text = text.replace(mark, f" {mark} ")
    return text


def tokenize(text: str) -> list[Token]:
    """Tokens of already-normalised text (a new list: callers may change it)."""
    return list(_tokens(text))


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[Token, ...]:
    """Cached: a turn reads each passage sentence several times, and a process answers from the same passages all
    day; RE2's matches cost more from Python than the tokens are worth."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0).strip() or "-"
        unit = _UNIT.match(raw) if raw[0].isdigit() else None
        if unit:  # "3cm", "4-6wks": the number and its unit are two tokens
            cut = m.start() + len(unit.group(1))
            out.append(Token(unit.group(1).strip(), m.start(), cut, len(out)))
            out.append(Token(unit.group(2), cut, m.end(), len(out)))
        else:
            out.append(Token(raw, m.start(), m.end(), len(out)))
    return tuple(out)


class _WordPattern:
    """One word of a phrase, compiled once: the tagger tries thousands of them per sentence, and reading the
    pattern's text on each try (splitting alternatives, testing its forms) cost more than the match itself."""

    __slots__ = ("exact", "prefixes", "number_suffixes", "any_word", "number", "below")

    def __init__(self, pattern: str) -> None:
        self.any_word = pattern == "~"
        self.number = pattern == "<num>"
        # a number below a bound ("<num<100>": a residual of 30 mL, not of 300)
        self.below = float(pattern[5:-1]) if pattern.startswith("<num<") else None
        exact, prefixes, suffixes = set(), [], []
        if not (self.any_word or self.number or self.below is not None):
            for alt in pattern.split("|"):
                exact.add(alt)
                if alt.endswith("*"):
                    prefixes.append(alt[:-1])
                elif alt.startswith("<num>/"):
                    suffixes.append(alt[5:])
        self.exact = frozenset(exact)
        self.prefixes = tuple(prefixes)
        self.number_suffixes = tuple(suffixes)

    @property
    def literal(self) -> bool:
        """Only whole words: a phrase can be looked up by this word."""
        return bool(self.exact) and not self.prefixes and not self.number_suffixes

    def matches(self, token: Token) -> bool:
        text = token.text
        if text in self.exact:
            return True
        if self.any_word:
            return not token.is_punct
        if self.number:
            return token.is_number
        if self.below is not None:
            return _value(text) is not None and _value(text) < self.below
        if self.prefixes and text.startswith(self.prefixes):
            return True
        return bool(self.number_suffixes) and text[0].isdigit() and text.endswith(self.number_suffixes)


def _value(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class Vocabulary:
    def __init__(self, concepts: dict[str, dict], groups: dict[str, list[str]] | None = None,
                 source: str = "<vocabulary>") -> None:
        self.source = source
        self.kinds: dict[str, str] = {}
        self.order: dict[str, int] = {}
        self.attaches: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.phrases: dict[str, tuple[str, ...]] = {}  # each concept's phrases as written (its synonyms)
        # a concept's broader one, named wherever it is: a question about one kind of <cause> still shares the
        # <cause> with every sentence about another kind, and shares the kind itself only with its own
        self.broader: dict[str, str] = {}
        self._concept_cache: dict[str, tuple[tuple[str, str], ...]] = {}
        self._read_cache: dict[str, tuple[list[Token], list[Mention]]] = {}
        # a mention names token positions and words only, so one sequence of words is tagged once
        self._tag_cache: dict[tuple[str, ...], tuple[Mention, ...]] = {}
        self.groups = {k: tuple(v) for k, v in (groups or {}).items()}
        # Phrases of whole words only (nine in ten; _TRIE_PATHS) sit in a word trie: a token walks it once, however
        # many phrases share its words ("not" starts over a hundred). The rest, each as (its words, its concept, its
        # words compiled), are indexed by their first whole word and where it stands (a token looks each up at its
        # offset), or, with none, by what their first token can be; a token tries only the phrases it can start.
        self._entries: list[_Entry] = []
        self._trie: _Node = [{}, None]
        self._anchored: dict[tuple[int, str], list[_Entry]] = {}  # (offset, whole word there) -> phrases
        self._offsets: tuple[int, ...] = ()
        self._phrases: dict[str, list[_Entry]] = {}  # first word -> phrases (a first word of mixed alternatives)
        self._prefixed: dict[str, list[_Entry]] = {}  # "physio*": keyed by "phy"
        self._wild: list[_Entry] = []  # phrases whose first token is any other pattern
        for order, (name, spec) in enumerate(concepts.items()):
            self._add(name, spec, order)
        for g, members in self.groups.items():
            unknown = [m for m in members if m not in self.kinds]
            if unknown:
                raise VocabularyError(f"{source}: group {g} names unknown concepts {unknown}")
        for name, wider in self.broader.items():
            if wider not in self.kinds:
                raise VocabularyError(f"{source}: concept {name}: broader names unknown concept {wider!r}")
            if wider in self.broader:  # one level: a chain would make every reader walk it
                raise VocabularyError(f"{source}: concept {name}: its broader concept {wider} has a broader one")

    def _add(self, name: str, spec: dict, order: int) -> None:
        if not isinstance(spec, dict) or set(spec) - {"kind", "phrases", "attaches", "label", "broader"}:
            raise VocabularyError(
                f"{self.source}: concept {name}: allowed keys are kind, phrases, attaches, label, broader")
        if "broader" in spec:
            self.broader[name] = str(spec["broader"])
        if "label" in spec:
            self.labels[name] = str(spec["label"])
        if spec.get("attaches", "nearest") not in ("before", "after", "nearest"):
            raise VocabularyError(f"{self.source}: concept {name}: attaches must be before, after or nearest")
        self.attaches[name] = spec.get("attaches", "nearest")
        if spec.get("kind") not in KINDS:
            raise VocabularyError(f"{self.source}: concept {name}: kind must be one of {sorted(KINDS)}")
        phrases = spec.get("phrases") or []
        if not phrases:
            raise VocabularyError(f"{self.source}: concept {name}: needs at least one phrase")
        self.kinds[name] = spec["kind"]
        self.order[name] = order
        self.phrases[name] = tuple(str(p) for p in phrases)
        for phrase in phrases:
            if not isinstance(phrase, str):  # YAML reads a bare no/yes/on/off as a boolean: quote it
                raise VocabularyError(f"{self.source}: concept {name}: phrase {phrase!r} is not text; quote it")
            if any("|" in w and "-" in w for w in str(phrase).split()):
                # "cutoff|cut-off" would be read as the words "cutoff|cut" and "off": a silent never-match
                raise VocabularyError(f"{self.source}: concept {name}: phrase {phrase!r}: an alternative ('a|b') "
                                      f"must be one word; write the hyphenated form as its own phrase")
            split = _two_word_alternative(str(phrase))
            if split:
                # "can't|cannot|can not|unable to hold" is read as "can't|cannot|can", "not|unable", "to", "hold": a
                # two-word alternative cut by the bars, and a silent never-match
                raise VocabularyError(f"{self.source}: concept {name}: phrase {phrase!r}: the alternative {split!r} "
                                      f"is two words; an alternative ('a|b') must be one word, so write it as its "
                                      f"own phrase")
            # "spect/ct" is two words; "6/52" and "<num>/52" stay one (the tokenizer keeps a number's slash); a
            # clause mark is a token of its own, as the tokenizer makes it ("title, journal" is three tokens)
            words = tuple(part for w in _marks_apart(normalize(str(phrase))).replace("-", " ").split()
                          for part in (w.split("/") if "/" in w and not w[0].isdigit() and not w.startswith("<num>")
                                       else [w]) if part)
            if any(w.startswith("<num<") and not _BOUND.fullmatch(w) for w in words):
                raise VocabularyError(f"{self.source}: concept {name}: phrase {phrase!r}: a bounded number is "
                                      f"written '<num<N>' with N a number")
            if not words or len(words) > MAX_PHRASE:
                raise VocabularyError(
                    f"{self.source}: concept {name}: phrase {phrase!r} must have 1-{MAX_PHRASE} words")
            entry = (words, name, tuple(_WordPattern(w) for w in words))
            self._entries.append(entry)
            if all(w.literal for w in entry[2]) and math.prod(len(w.exact) for w in entry[2]) <= _TRIE_PATHS:
                self._insert(entry[2], (order, name))
                continue
            anchor = next((k for k, w in enumerate(entry[2]) if w.literal), None)
            if anchor is not None:
                for word in entry[2][anchor].exact:
                    self._anchored.setdefault((anchor, word), []).append(entry)
                self._offsets = tuple(sorted({*self._offsets, anchor}))
                continue
            for first in words[0].split("|"):
                if first.endswith("*") and len(first) > 3:
                    self._prefixed.setdefault(first[:3], []).append(entry)
                elif first == "~" or "*" in first or first.startswith("<num"):
                    self._wild.append(entry)
                else:
                    self._phrases.setdefault(first, []).append(entry)

    def _insert(self, words: tuple[_WordPattern, ...], ending: tuple[int, str]) -> None:
        """Every path of a phrase's alternatives into the trie; where phrases end alike, the first concept wins."""
        nodes = [self._trie]
        for w in words:
            nodes = [n[0].setdefault(alt, [{}, None]) for n in nodes for alt in w.exact]
        for n in nodes:
            if n[1] is None or ending[0] < n[1][0]:
                n[1] = ending

    def words(self) -> frozenset[str]:
        """Every plain word the phrases use ("<word>*" gives "<word>"): words a question may spell wrongly."""
        out = set()
        for words, _, _ in self._entries:
            for w in words:
                out.update(t.rstrip("*") for t in w.split("|") if t.rstrip("*").isalpha())
        return frozenset(out)

    @classmethod
    def load(cls, path: Path = VOCABULARY_FILE) -> Vocabulary:
        try:
            data = strict_yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{path.name}: not valid YAML ({exc})") from None
        keys = {"concepts", "groups", "roles", "spellings", "relations", "animals"}
        if set(data) - keys:
            raise VocabularyError(f"{path.name}: top-level keys allowed: {', '.join(sorted(keys))}")
        vocabulary = cls(data.get("concepts") or {}, data.get("groups"), path.name)
        vocabulary.set_roles(data.get("roles") or {})
        vocabulary.set_spellings(data.get("spellings") or {})
        vocabulary.set_relations(data.get("relations") or [], data.get("animals") or [])
        return vocabulary

    def set_relations(self, relations: list[str], animals: list[str] = ()) -> None:
        """The words naming another person by relation to the asker ("my husband"), and the asker's animals ("my
        dachshund"), which are relations too: plain words, not concepts, so that naming a person never changes what
        a question is read to ask."""
        for name, words in (("relations", relations), ("animals", animals)):
            if not isinstance(words, list | tuple) or not all(
                    isinstance(w, str) and len(tokenize(normalize(w))) == 1 and normalize(w) == w for w in words):
                raise VocabularyError(f"{self.source}: {name} must be a list of single lower-case words")
        self.animals = frozenset(animals)
        self.relations = frozenset(relations) | self.animals

    def set_spellings(self, spellings: dict[str, str]) -> None:
        """Single-token variants read as their usual form before matching ("cant" as "can't")."""
        self.spellings: dict[str, str] = {}
        self._tag_cache.clear()
        for variant, usual in spellings.items():
            if not isinstance(variant, str) or not isinstance(usual, str) or len(tokenize(normalize(variant))) != 1 \
                    or len(tokenize(normalize(usual))) != 1:
                raise VocabularyError(f"{self.source}: spelling {variant!r}: {usual!r} must map one word to one word")
            self.spellings[normalize(variant)] = normalize(usual)

    def respelt(self, text: str) -> str:
        """The text with each spelling variant written as its usual form ("cant" as "can't"), case kept elsewhere:
        what tag() reads token by token, for text that is embedded or searched whole."""
        spellings = getattr(self, "spellings", {})
        if not spellings:
            return text
        return _WORD.sub(lambda m: spellings.get(m.group(0).lower(), m.group(0)), text)

    def set_roles(self, roles: dict[str, dict]) -> None:
        """Roles the frame reader needs (see the vocabulary file); each names concepts or groups that exist."""
        self.roles: dict[str, frozenset[str]] = {}
        self.role_conditions: list[tuple[frozenset[str], str | None]] = []
        for name, spec in roles.items():
            if not isinstance(spec, dict) or set(spec) - {"concepts", "as_condition"} or "concepts" not in spec:
                raise VocabularyError(f"{self.source}: role {name}: allowed keys are concepts, as_condition")
            try:
                members = self.expand(spec["concepts"])
            except VocabularyError as exc:
                raise VocabularyError(f"{self.source}: role {name}: {exc}") from None
            self.roles[name] = members
            if "as_condition" in spec:
                condition = spec["as_condition"]
                self.role_conditions.append((members, None if condition == "none" else str(condition)))

    def mentions(self, text: str) -> tuple[list[Token], list[Mention]]:
        """The text's tokens (normalised) and concept mentions, cached by text: one question is read by several
        steps of a turn. Callers must not change the lists."""
        hit = self._read_cache.get(text)
        if hit is None:
            tokens = tokenize(normalize(text))
            hit = (tokens, self.tag(tokens))
            if len(self._read_cache) > 4096:
                self._read_cache.clear()
            self._read_cache[text] = hit
        return hit

    def matched_text(self, text: str, concepts: frozenset[str] | set[str]) -> str:
        """The words of the text that name any of these concepts."""
        tokens, mentions = self.mentions(text)
        return " ".join(t.text for m in mentions if m.concept in concepts for t in tokens[m.start:m.end])

    def role(self, name: str) -> frozenset[str]:
        """The concepts of a role; an unknown role is an error in the vocabulary, not an empty set."""
        try:
            return self.roles[name]
        except (AttributeError, KeyError):
            raise VocabularyError(f"{self.source}: no role {name!r}") from None

    def as_condition(self, concept: str) -> tuple[bool, str | None]:
        """(has a role with a condition meaning, that meaning) for a concept met inside a condition span."""
        for members, condition in getattr(self, "role_conditions", []):
            if concept in members:
                return True, condition
        return False, None

    def expand(self, names: Iterable[str]) -> frozenset[str]:
        """Concept names with groups and dotted prefixes ('modality') resolved to concepts."""
        out: set[str] = set()
        for n in names:
            if n in self.groups:
                out |= set(self.groups[n])
            elif n in self.kinds:
                out.add(n)
            else:
                found = {c for c in self.kinds if c.startswith(n + ".")}
                if not found:
                    raise VocabularyError(f"unknown concept or group {n!r}")
                out |= found
        return frozenset(out)

    def shared(self, a: Iterable[str], b: Iterable[str]) -> frozenset[str]:
        """The concepts two readings share. Two different kinds of one broader concept do not share it ("the
        <kind A> causes" and a heading on <kind B>); a kind and its broader concept named plainly do."""
        a, b = frozenset(a), frozenset(b)
        out = set(a & b)
        for wider in {self.broader[c] for c in a | b if c in self.broader} & out:
            kinds_a = {c for c in a if self.broader.get(c) == wider}
            kinds_b = {c for c in b if self.broader.get(c) == wider}
            if kinds_a and kinds_b and not kinds_a & kinds_b:
                out.discard(wider)
        return frozenset(out)

    def distinct(self, concepts: Iterable[str]) -> frozenset[str]:
        """The concepts less those a kind among them already names (one word counts once)."""
        concepts = frozenset(concepts)
        return concepts - {self.broader[c] for c in concepts if c in self.broader}

    def concepts(self, text: str, kinds: frozenset[str] | None = None) -> frozenset[str]:
        """The concepts a text names (any negation aside), cached: the same passage sentences come back often."""
        found = self._concept_cache.get(text)
        if found is None:
            found = tuple((m.concept, m.kind) for m in self.mentions(text)[1])
            if len(self._concept_cache) > 20000:
                self._concept_cache.clear()
            self._concept_cache[text] = found
        return frozenset(c for c, k in found if kinds is None or k in kinds)

    def first_concept(self, text: str) -> str | None:
        found = self.concepts_in_order(text)
        return found[0] if found else None

    def concepts_in_order(self, text: str) -> tuple[str, ...]:
        self.concepts(text)
        return tuple(c for c, _ in self._concept_cache[text])

    def tag(self, tokens: list[Token]) -> list[Mention]:
        """Every concept mention, scanning left to right; at each token the longest phrase wins, and the
        tokens it covers are consumed (so 'not needed' is one assessment, not a negation plus a word). A concept
        with a broader one is followed by a mention of that over the same words."""
        key = tuple(t.text for t in tokens)
        cached = self._tag_cache.get(key)
        if cached is not None:
            return list(cached)
        found = self._tag(tokens)
        if len(self._tag_cache) > 20000:
            self._tag_cache.clear()
        self._tag_cache[key] = tuple(found)
        return found

    def _tag(self, tokens: list[Token]) -> list[Mention]:
        spellings = getattr(self, "spellings", {})
        if spellings:
            tokens = [replace(t, text=spellings[t.text]) if t.text in spellings else t for t in tokens]
        out: list[Mention] = []
        i = 0
        n = len(tokens)
        while i < n:
            best: tuple[int, int, str] | None = None
            node, j = self._trie, i
            while j < n and (node := node[0].get(tokens[j].text)) is not None:
                j += 1
                if node[1] is not None:
                    best = (j - i, *node[1])
            t = tokens[i].text
            # a mark starts only the phrases written with it: an open first word (a prefix, a number, "~") needs a word
            candidates = self._phrases.get(t, []) + (self._prefixed.get(t[:3], []) + self._wild
                                                     if t[0].isalnum() else [])
            for offset in self._offsets:
                if i + offset < n:
                    candidates += self._anchored.get((offset, tokens[i + offset].text), ())
            for words, name, compiled in candidates:
                k = len(words)
                rank = self.order[name]
                if i + k > n or (best and (k < best[0] or k == best[0] and rank >= best[1])):
                    continue
                if all(w.matches(tokens[i + j]) for j, w in enumerate(compiled)):
                    best = (k, rank, name)
            if best:
                k, _, name = best
                text = " ".join(t.text for t in tokens[i:i + k])
                out.append(Mention(name, self.kinds[name], i, i + k, text))
                if name in self.broader:  # the same words name the broader concept too
                    out.append(Mention(self.broader[name], self.kinds[self.broader[name]], i, i + k, text, True))
                i += k
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    return Vocabulary.load()


def _two_word_alternative(phrase: str) -> str:
    """The two-word alternative a phrase cuts with its bars ("x|can not|y" read as "x|can" then "not|y"), or ""."""
    tokens = phrase.split()
    for a, b in zip(tokens, tokens[1:], strict=False):
        if "|" not in a or "|" not in b:
            continue
        last, first = a.split("|")[-1], b.split("|")[0]
        if last in _PAIRED_FIRST and first in ("not", "been") or last in _PAIRED_ARTICLE and first in (
                "few", "bit", "lot", "couple"):
            return f"{last} {first}"
    return ""
