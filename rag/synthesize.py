"""Extractive composer: the retrieved passages' own sentences that answer the question, cited.

No invented words: each answer sentence is a source sentence (a bullet fragment gets its full stop).
Sentences are scored by meaning (cosine to the question, vectors cached per chunk) and by the
question's key terms; the direct recommendation leads, then reasons and pitfalls, within a length cap.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.abbreviations import ClassMentions
from rag.text import content_words
from rag.types import CitedSentence, DraftAnswer, ScoredChunk

_DIRECTIVE = re.compile(r"^(?:order|obtain|perform|do not|don't|never|proceed|initiate|start|request|arrange|"
                        r"consider|refer|use|avoid)\b", re.IGNORECASE)
_CONDITION = re.compile(r"^(?:if|when|once|where)\s+([^,]{3,80}),", re.IGNORECASE)
TITLE_PENALTY = 0.5  # per unit of a sentence's cosine to its document's title above 0.5
# per unit of a sentence's hubness above its document's median: a sentence close to many of its document's others
# restates the subject and is near every question about it (hubness reduction, as CSLS does for translation)
HUB_PENALTY = 1.0
HUB_NEIGHBOURS = 10
MEMBER_WINDOW = 0.1  # items of one category about as close to a part as its closest: the list's order decides
PART_WINDOW = 0.45  # a part's sentence comes from the candidates an answer could hold anyway
SECOND_WINDOW = 0.75  # how far below the best a second sentence may be (ExtractiveComposer.compose)
VALUE_TIE = 0.02  # sentences this close in score are a tie, which the one giving an asked-for value wins
VALUE_WINDOW = 1.2  # how far below the best sentence the one giving an asked-for value may be and still be kept
LIST_ITEM_MARGIN = 0.03  # a whole list yields to its best item when the two would tie
_NOT_A_CLAIM = re.compile(r":\s*$")  # lead-ins such as "This is the definitive study because:"
# a sentence that opens with a pronoun standing for what the sentence before it named
_POINTS_BACK = re.compile(r"^(?:it|they|this|these|its|their)\s+(?!is\s+(?:not\s+)?(?:important|essential|"
                          r"recommended|reasonable|safe|unsafe|unclear|common|rare|unusual|usual|possible|likely|"
                          r"unlikely|worth|vital|advisable)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class UnderCategories:
    """What a question's part asks for when it asks for the members of listed categories ("which <kinds> ...?"): a
    sentence under one of their headings. The composer picks among them by the part alone."""
    headings: frozenset[str]  # lower case
    # for "what could it be?": how many conditions a member names (rag.diseases); of a category's members, those
    # naming any are its answer, not what is said of them ("<kind> can cause <harm> if missed")
    conditions: Callable[[str], int] | None = field(default=None, compare=False)

    def __call__(self, text: str, heading: str = "") -> bool:
        return heading.lower() in self.headings


class SentenceVectors:
    """Embeddings of each chunk's sentences, computed once per chunk id (content-addressed, so safe
    across index swaps) and kept in a bounded LRU."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], capacity: int = 4096) -> None:
        self.encode = encode
        self.capacity = capacity
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chunks: list[ScoredChunk]) -> dict[str, np.ndarray]:
        with self._lock:
            missing = list({sc.chunk.id: sc.chunk for sc in chunks if sc.chunk.id not in self._cache}.values())
        computed = {}
        if missing:  # encoded outside the lock; two threads may both compute a chunk, harmlessly
            vectors = self.encode([s.text for c in missing for s in c.sentences])
            row = 0
            for c in missing:
                computed[c.id] = vectors[row: row + len(c.sentences)]
                row += len(c.sentences)
        with self._lock:
            self._cache.update(computed)
            out = {}
            for sc in chunks:
                vectors = self._cache.get(sc.chunk.id)
                if vectors is None:
                    vectors = computed[sc.chunk.id]
                else:
                    self._cache.move_to_end(sc.chunk.id)
                out[sc.chunk.id] = vectors
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return out


def as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text.rstrip(";:,") + "."


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, vectors: SentenceVectors, max_chars: int = 900, max_sentences: int = 6,
                 skip: Callable[[str], bool] | None = None,
                 lists_errors: Callable[[str], bool] | None = None) -> None:
        """skip: a sentence never quoted (one that steers the system); lists_errors: is this a heading over errors to
        avoid ("Common pitfalls"), whose items are quoted under it."""
        self.vectors = vectors
        self.max_chars = max_chars
        self.max_sentences = max_sentences
        self.skip = skip or (lambda _text: False)
        self.lists_errors = lists_errors or (lambda _heading: False)
        self._titles: dict[str, np.ndarray] = {}

    def compose(self, question: str, query_vector: np.ndarray, passages: list[ScoredChunk],
                idf: dict[str, float] | None = None, generic: frozenset[str] = frozenset(),
                boost: Callable[[str, bool, str, bool], float] | None = None,
                section_bonus: Callable[[tuple[str, ...]], float] | None = None,
                hubness: Callable[[str], dict[str, np.ndarray]] | None = None,
                parts: np.ndarray | None = None, leads: Sequence[str] = (),
                states: Callable[[str, str], bool] | None = None,
                part_states: Sequence[Callable[[str, str], bool] | None] = (),
                holds: Sequence[str] = (), says: Callable[[str, str], bool] | None = None,
                closing: Sequence[str] = (),
                grounds: Sequence[str] = (),
                kin: Callable[[str], ClassMentions] | None = None, own_words: str | None = None) -> DraftAnswer:
        """question: the words to match (the current turn); query_vector: the resolved query's meaning;
        boost: a score added to sentences that fit this patient better (the query step decides which);
        section_bonus: a score for the sentences of a section whose heading names what the question asks about;
        parts: the vectors of the separate questions a turn asks: each part's best sentence is kept first;
        part_states: for each part that asks for a value or for a listed category's members, does a sentence (read
        with its subsection's heading) give one ("..., and for how long?": a duration; "what <kinds> ...?": an item
        under that kind's heading): that part's best sentence is one that does, where one could be held;
        leads: source sentences that answer the question whatever their score (the rules its own plan breaks): they
        go first, and the answer's length window stays set by the best scored sentence; states: does a sentence
        (read with its subsection's heading) give the value the question asks for (its answer type's evidence): an
        answer to a value question holds the best such sentence, the one that made it answerable, even below the
        length window; holds: source sentences the answer ends with whatever their score (what to do in place of the
        question's own plan, where it breaks a rule), in place of the last-chosen sentences where the length cap leaves
        no room, unless a chosen sentence already says what one says (says(chosen, held)); closing: source sentences
        added after the answer, over its length cap, unless a chosen sentence says what one says; grounds: every source
        sentence of the rules the plan breaks and of what the document says of it (the leads come first), which
        a held sentence never displaces; kin: the classes a text names, each with the (stemmed) words that name it
        ("ramipril", "ACE inhibitors"): a sentence naming a class the question names in other words matches those
        words (the question's medicine, the guideline's class of it, or the other way round), of the classes the
        asker's own words (own_words; else the question) name, not those of labels added to search by."""
        idf = idf or {}
        default_idf = max(idf.values(), default=1.0)
        terms = content_words(question) - content_words(" ".join(generic))
        # Words of the documents' own titles name the topic every passage shares: they weigh little.
        topic = set().union(*(content_words(p.chunk.title) for p in passages)) if passages else set()
        weight = {w: idf.get(w, default_idf) * (0.15 if w in topic else 1.0) for w in terms}
        # normalised by the undiscounted weights: a question made only of the topic's own words matches little
        total = sum(idf.get(w, default_idf) for w in terms) or 1.0
        matched = _term_matcher(question if own_words is None else own_words, terms, kin)
        vectors = self.vectors.get(passages)
        # a sentence that restates the document's whole subject (close to its title) answers "what is this about",
        # not the specific question: it yields to sentences about the question's own point
        titles = self._title_vectors(passages)
        hubs = {d: hubness(d) for d in {p.chunk.document_id for p in passages}} if hubness else {}
        candidates = [c for i, sc in enumerate(passages)
                      for c in self._candidates(i, sc, len(passages), vectors[sc.chunk.id], query_vector, terms,
                                                weight, total, matched, titles[sc.chunk.title],
                                                section_bonus(sc.chunk.section) if section_bonus else 0.0,
                                                hubs.get(sc.chunk.document_id, {}).get(sc.chunk.id), leads)]
        if boost is not None:
            # a list is boosted for its lead-in and best item, as it is scored: its length earns it nothing
            candidates = [_Candidate(c.score + boost(c.judged or c.text, c.listed, _subheading(passages[c.passage]),
                                                       c.judged is not None),
                                     c.passage, c.first, c.text, c.words, c.listed, c.vector, c.judged)
                          for c in candidates]
        candidates.sort(key=lambda c: (-c.score, c.passage, c.first))
        if states is not None:
            candidates = _value_breaks_ties(candidates, lambda c: states(c.text, _subheading(passages[c.passage])))
        chosen: list[_Candidate] = []
        best = candidates[0].score if candidates else 0.0
        used = 0
        firsts: set[int] = set()  # each part's best sentence, when the turn asks several questions
        if parts is not None and len(parts) >= 2 and candidates:
            # "what does <test> show, and how far can I trust it?": the best sentence for each part, by the whole
            # question's score plus its meaning's closeness to that part, goes first (in the whole's order)
            near = [c for c in candidates if c.vector is not None and c.score >= best - PART_WINDOW]
            for k, v in enumerate(parts):
                gives = part_states[k] if k < len(part_states) else None
                # (the members of a category asked for by name are its answer wherever they score)
                within = candidates if isinstance(gives, UnderCategories) else near
                pool = ([c for c in within if c.vector is not None and gives(c.text, _subheading(passages[c.passage]))]
                        if gives is not None else [])
                if pool and isinstance(gives, UnderCategories) and gives.conditions is not None:
                    pool = [c for c in pool if gives.conditions(c.text)] or pool
                if pool and isinstance(gives, UnderCategories):
                    # the members of a category the part names: the item closest to that part, not to the whole (whose
                    # other part pulls the category's other items: "which <kinds>, and why <test>?"); of items about
                    # as close, the one the list gives first (its headline member, before what is said of them)
                    # (the list's order is the document's: its chunks' places in it, not the order retrieval
                    # found them in)
                    top = max(float(c.vector @ v) for c in pool)
                    firsts.add(id(min((c for c in pool if float(c.vector @ v) >= top - MEMBER_WINDOW),
                                      key=lambda c: (passages[c.passage].chunk.ordinal, c.first))))
                elif pool or near:
                    firsts.add(id(max(pool or near, key=lambda c: c.score + float(c.vector @ v))))
            if len(firsts) == 1:
                # every part's best is one sentence ("how do I know it has resolved, and how do I switch?"): the part
                # that sentence is furthest from gets its own best among what a second sentence may be
                shared = next(c for c in candidates if id(c) in firsts)
                second = [c for c in candidates if c.vector is not None and c.score >= best - SECOND_WINDOW
                          and c is not shared]
                if second:
                    k = min(range(len(parts)), key=lambda j: float(shared.vector @ parts[j]))
                    gives = part_states[k] if k < len(part_states) else None
                    # (what that part asks for, where the window holds it: "... which <kinds> ...": an item of theirs)
                    pool = ([c for c in second if gives(c.text, _subheading(passages[c.passage]))]
                            if gives is not None else [])
                    firsts.add(id(max(pool or second, key=lambda c: c.score + float(c.vector @ parts[k]))))
            candidates = ([c for c in candidates if id(c) in firsts]
                          + [c for c in candidates if id(c) not in firsts])
        led: list[_Candidate] = []
        if leads:
            # each lead as its own sentence: a list whose one item it is ("<lead-in>: <a>; <lead>; <c>") is another
            # candidate, quoted only where it scores
            own = {id(min(same, key=lambda c: len(c.text))) for g in leads
                   if (same := [c for c in candidates if _same_sentence(c.text, g)])}
            led = [c for c in candidates if id(c) in own]
            candidates = led + [c for c in candidates if all(c is not x for x in led)]
        for cand in candidates:
            kept = id(cand) in firsts or any(cand is x for x in led)  # (a part's best is kept wherever it scores)
            # (the leads answer the plan whatever their score: the windows are the rest's, as if they were alone)
            free = sum(1 for c in chosen if all(c is not x for x in led))
            if len(chosen) >= self.max_sentences or (free >= 2 and cand.score < best - 0.45 and not kept):
                break
            if free == 1 and cand.score < best - SECOND_WINDOW and not kept:
                break
            if any(_jaccard(cand.words, c.words) > 0.6 or cand.text.lower() in c.text.lower()
                   or c.text.lower() in cand.text.lower() for c in chosen):
                continue
            if used + len(cand.text) + 6 > self.max_chars:
                continue
            chosen.append(cand)
            used += len(cand.text) + 6
        if states is not None and chosen and not any(states(c.text, _subheading(passages[c.passage])) for c in chosen):
            value = next((c for c in candidates if states(c.text, _subheading(passages[c.passage]))
                          and c.score >= best - VALUE_WINDOW
                          and all(c is not x for x in chosen)), None)
            if value is not None:
                while chosen[1:] and (len(chosen) >= self.max_sentences or used + len(value.text) + 6 > self.max_chars):
                    used -= len(chosen.pop().text) + 6
                if used + len(value.text) + 6 <= self.max_chars:
                    chosen.insert(1, value)
                    used += len(value.text) + 6
        continued = None  # the leading sentence's continuation, kept with it
        if chosen and len(chosen) < self.max_sentences:
            # the leading sentence's own next sentence continues it ("<X> is not needed for most patients." "<X> can
            # be offered at <time> to <whom> ..."): kept when it shares a word with it and there is room
            lead = chosen[0]
            after = next((c for c in candidates if c.passage == lead.passage and c.first == lead.first + 1
                          and not c.listed), None)
            if (after is not None and all(after is not c for c in chosen) and after.words & lead.words - topic
                    and used + len(after.text) + 6 <= self.max_chars):
                chosen.insert(1, after)
                used += len(after.text) + 6
                continued = after
        for cand in list(chosen):
            # a sentence that opens by pointing back ("It is the method of choice when ...") is quoted after the one it
            # points to, where there is room: alone, it names nothing
            if cand.judged or not _POINTS_BACK.match(cand.text) or len(chosen) >= self.max_sentences:
                continue
            # (the sentence itself, a list item's included; not a lead-in joined with its items)
            before = next((c for c in candidates if c.passage == cand.passage and c.first == cand.first - 1
                           and not c.judged), None)
            if (before is not None and all(before is not c for c in chosen)
                    and used + len(before.text) + 6 <= self.max_chars):
                chosen.insert(chosen.index(cand), before)
                used += len(before.text) + 6
        def said_already(text: str) -> bool:
            return any(_same_sentence(c.text, text) or (says is not None and says(c.text, text)) for c in chosen)
        for held in holds:
            if said_already(held):
                continue
            cand = next((c for c in candidates if _same_sentence(c.text, held)), None)
            if cand is None:
                continue
            # one more sentence than a composed answer holds; where the length cap leaves no room, what to do in place
            # of the plan outranks the answer's last-chosen sentences, never its leads nor the best of the others (the
            # one that answers the question itself, or each of its parts)
            # (where two leads answer a plan already, the best of the others is no longer what answers it)
            answering = next((c for c in chosen if all(c is not x for x in led) and c is not continued),
                             None) if sum(any(c is x for x in led) for c in chosen) < 2 else None
            # (the last-chosen that may go, past a safety statement that may not: "<rule's sentence>" stays)
            while len(chosen) > 2 and (len(chosen) > self.max_sentences or used + len(cand.text) + 6 > self.max_chars):
                last = next((c for c in reversed(chosen[2:])
                             if all(c is not x for x in led) and c is not answering and c is not continued
                             and id(c) not in firsts and not any(_is_grounding(c.text, g) for g in grounds)), None)
                if last is None:
                    break
                chosen = [c for c in chosen if c is not last]
                used -= len(last.text) + 6
            # (where what may go has gone and it still does not fit, it is quoted over the length cap: what to do is
            # worth more than a short answer)
            if len(chosen) <= self.max_sentences:
                chosen.append(cand)
                used += len(cand.text) + 6
        for said in closing:
            # what the patient needs, after an answer to another question: added, never in place of the answer
            if said_already(said):
                continue
            cand = next((c for c in candidates if _same_sentence(c.text, said)), None)
            if cand is not None and len(chosen) <= self.max_sentences:
                chosen.append(cand)
        sentences = tuple(CitedSentence(text=self._under_its_heading(as_sentence(c.text), passages[c.passage]),
                                        cites=(c.passage + 1,)) for c in chosen)
        return DraftAnswer(sentences=sentences, passages=tuple(passages), synthesizer=self.name)

    def _under_its_heading(self, text: str, passage: ScoredChunk) -> str:
        """An item of a list of errors ("Giving <drug> instead of <treatment>." under "Common pitfalls") is the error
        itself: quoted bare it reads as advice, so it is quoted after its heading, in the document's own words."""
        heading = passage.chunk.section[-1] if len(passage.chunk.section) > 1 else ""
        if (not heading or not self.lists_errors(heading) or text.lower().startswith(heading.lower())
                or _DIRECTIVE.match(text)):  # "Do not <x>" under the heading says what to do already
            return text
        return f"{heading}: {text[:1].lower() + text[1:] if text[1:2].islower() else text}"

    def hubness(self, chunks: list[ScoredChunk]) -> dict[str, np.ndarray]:
        """Per chunk, each sentence's hubness above its document's median (0 at or below it): the mean cosine to
        its HUB_NEIGHBOURS nearest sentences of the same document. `chunks`: one document's chunks, in order."""
        vectors = self.vectors.get(chunks)
        rows = [vectors[c.chunk.id] for c in chunks]
        if not rows or sum(len(r) for r in rows) < 3:
            return {c.chunk.id: np.zeros(len(c.chunk.sentences)) for c in chunks}
        matrix = np.vstack(rows)
        k = min(HUB_NEIGHBOURS, len(matrix) - 1)
        hub = np.empty(len(matrix))
        for start in range(0, len(matrix), 512):  # blocks: a long document never needs its whole square at once
            sims = matrix[start:start + 512] @ matrix.T
            for j in range(len(sims)):
                sims[j, start + j] = -1.0  # not its own neighbour
            hub[start:start + 512] = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
        excess = np.maximum(0.0, hub - float(np.median(hub)))
        out, row = {}, 0
        for c, r in zip(chunks, rows, strict=True):
            out[c.chunk.id] = excess[row: row + len(r)]
            row += len(r)
        return out

    def _title_vectors(self, passages: list[ScoredChunk]) -> dict[str, np.ndarray]:
        missing = sorted({p.chunk.title for p in passages} - set(self._titles))
        if missing:
            self._titles.update(zip(missing, self.vectors.encode(missing), strict=True))
        return self._titles

    def _candidates(self, p_index: int, sc: ScoredChunk, n: int, vectors: np.ndarray, query_vector: np.ndarray,
                    terms: set[str], weight: dict[str, float], total: float,
                    matched: Callable[[str, set[str]], set[str]], title: np.ndarray, framed_by_section: float = 0.0,
                    hub: np.ndarray | None = None, leads: Sequence[str] = ()) -> list[_Candidate]:
        """Each sentence of a passage, and each lead-in with its list items joined ("X: a; b; c"). A fragment is
        none, unless it is one of the leads (a short instruction that answers a plan: "Never <do X>.")."""
        heading = content_words(sc.chunk.section[-1] if sc.chunk.section else "")
        sentences = sc.chunk.sentences
        out: list[_Candidate] = []
        lead_in: set[str] = set()

        def similarity(k: int) -> float:
            """Cosine to the question, less the restating penalties (close to the title, a hub of its document)."""
            value = float(vectors[k] @ query_vector) - TITLE_PENALTY * max(0.0, float(vectors[k] @ title) - 0.5)
            return value - HUB_PENALTY * float(hub[k]) if hub is not None else value
        for i, s in enumerate(sentences):
            words = content_words(s.text)
            cosine = similarity(i)
            own = sum(weight[w] for w in matched(s.text, words)) / total
            rank_bonus = 0.1 * (n - p_index) / n + framed_by_section
            if _NOT_A_CLAIM.search(s.text):
                lead_in = words
                run = 0  # the list items right after the lead-in
                while i + 1 + run < len(sentences) and sentences[i + 1 + run].bullet:
                    run += 1
                items = [x.text for x in sentences[i + 1: i + 1 + run] if not self.skip(x.text)]
                if items:
                    text = s.text.rstrip() + " " + "; ".join(_lower_first(t) for t in items)
                    joined = set().union(words, *(content_words(t) for t in items))
                    # a lead-in says little itself ("One point is given for each:"): the list is judged by its
                    # best item with the lead-in (never by its length) and by the heading it sits under
                    # an item is judged as it would be on its own (a list never escapes its items' penalties)
                    best_k = max(range(i + 1, i + 1 + run), key=lambda k: float(vectors[k] @ query_vector))
                    best_item = float(vectors[best_k] @ query_vector)
                    listed_own = max(sum(weight[w] for w in matched(f"{s.text} {t}", words | content_words(t)))
                                     for t in items) / total
                    # ... and by the sentence the lead-in continues ("<Score> is used ... One point is given for
                    # each:"): a short lead-in points back to what it lists
                    before = (content_words(sentences[i - 1].text) if i and not sentences[i - 1].bullet
                              and not _NOT_A_CLAIM.search(sentences[i - 1].text) else set())
                    framed = sum(weight[w] for w in (heading | before) & terms - joined) / total
                    # one item answers a question about that item better than its whole list does
                    out.append(_Candidate(max(cosine, best_item - LIST_ITEM_MARGIN) + 0.9 * listed_own + 0.4 * framed
                                          + rank_bonus, p_index, i, text, joined, True, vectors[best_k],
                                          f"{s.text.rstrip()} {sentences[best_k].text}"))
                continue
            if self.skip(s.text) or len(s.text) < 25 and not any(_same_sentence(s.text, g) for g in leads):
                continue
            framed = sum(weight[w] for w in (lead_in | heading | content_words(s.label)) & terms - words) / total
            score = cosine + 0.9 * own + 0.4 * framed + rank_bonus + (0.04 if _DIRECTIVE.match(s.text) else 0.0)
            condition = _CONDITION.match(s.text)
            if condition and content_words(condition.group(1)) & terms:
                score += 0.15  # "If malignancy is identified, ..." answers "imaging suggests metastases"
            out.append(_Candidate(score, p_index, i, s.text, words, s.bullet, vectors[i]))
        return out


def _term_matcher(question: str, terms: set[str], kin: Callable[[str], ClassMentions] | None
                  ) -> Callable[[str, set[str]], set[str]]:
    """The question's terms a sentence (its text, its content words) matches: by the word itself, or by naming the
    same class in other words."""
    if kin is None or not (asked := kin(question)).by_name and not asked.by_member:
        return lambda _text, words: words & terms

    def matched(text: str, words: set[str]) -> set[str]:
        return (words & terms).union(*(found & terms for found in asked.related(kin(text)).values()))
    return matched


def _value_breaks_ties(candidates: list[_Candidate], gives: Callable[[_Candidate], bool]) -> list[_Candidate]:
    """For a question asking for a value (a duration, a dose): of two sentences next in score and within VALUE_TIE of
    each other, the one that gives such a value goes first ("when can he train again?": "Avoid exercise for at least
    <n> days" before a sentence that only shares the word "exercise")."""
    out = list(candidates)
    for i in range(1, len(out) - 1):
        if out[i].score - out[i + 1].score < VALUE_TIE and not gives(out[i]) and gives(out[i + 1]):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def _subheading(passage: ScoredChunk) -> str:
    """The heading of the subsection a passage sits in; none for a passage directly under its document's title."""
    section = passage.chunk.section
    return section[-1] if len(section) >= 2 else ""


@dataclass(frozen=True)
class _Candidate:
    score: float
    passage: int
    first: int
    text: str
    words: set[str]
    listed: bool = False  # a list item, or a lead-in with its items
    vector: np.ndarray | None = None  # its meaning (a list's: its best item's), for the parts of a question
    judged: str = ""  # what the fit boost reads: the text, or a list's lead-in with its best item only


def _same_sentence(text: str, other: str) -> bool:
    a, b = text.rstrip(" ."), other.rstrip(" .")
    return bool(a) and bool(b) and (a in b or b in a)


def _is_grounding(text: str, grounding: str) -> bool:
    """Is the sentence the grounding's own (the grounding may leave out its continuation: "<rule>—<reason>"), not a
    list joined into one candidate of which the grounding is one item?"""
    return _same_sentence(text, grounding) and 2 * len(grounding) >= len(text)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2].isupper() is False else text
