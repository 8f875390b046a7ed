"""The composition root: settings -> embedder, library (index), retriever, synthesizer, guardrails.

One Pipeline serves the API, the CLI and the eval runner, so what the eval measures is what a
clinician gets. `answer(messages)` is the whole path for one turn.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from guardrails.concepts import normalize
from guardrails.engine import DraftSentence, GuardrailEngine, SafeSentence, Verdict
from rag.abbreviations import Shorthand, bedside_words, classes_mentioned
from rag.bands import Band, bands_in, implied
from rag.config import Settings
from rag.conversations import ConversationStore
from rag.coverage import (
    Exclusion,
    StatedPopulation,
    addresses_age,
    declared_exclusions,
    stated_population,
    states_limits,
    under_its_heading,
)
from rag.diseases import default_disease_names
from rag.diseases import words as disease_words
from rag.embed import Embedder, set_threads
from rag.errors import LLMUnavailable
from rag.ingest.chunk import is_reference_chunk
from rag.library import Library
from rag.llm import LLMClient, Reply
from rag.llm_answer import LLMSynthesizer, Prompt, build_prompt
from rag.measures import measure_fit, named_measurements
from rag.query import QUESTION_STEMS, QUESTION_WORDS, Query, QueryReader
from rag.ranking import FIT_KINDS, SentenceFit, asked_categories, of_a_test, tests_of
from rag.retrieve import HybridRetriever
from rag.scope import RARE_SHARE, ScopeDecision, ScopePolicy, document_first
from rag.stream_answer import stream_turn
from rag.synthesize import ExtractiveComposer, SentenceVectors, UnderCategories, as_sentence
from rag.text import clauses, content_words
from rag.types import (
    Answer,
    Citation,
    CitationRef,
    CitedSentence,
    DraftAnswer,
    GuardrailResult,
    Retrieved,
    ScoredChunk,
    SourceDisclaimer,
    Violation,
)
from rag.typos import TypoFixer, everyday_english, known_english, rare_english

# two documents whose best sentences are this close to a vignette's asking part are about as close
ASKED_TIE = 0.02
VIGNETTE_EXTRA = 2
REGION_NEGATION_REACH = 2  # words between "not" and the region it denies ("not on the <region>")
PACK_PASSAGES = 2  # a pack's documents' passages that join a question in its scope that retrieval did not find
DECLINED_WIDER = 4  # how much further to look when the closest document leaves the subject to other guidance
PLAN_CAUTION_MIN = 0.3  # a warning at least this close in meaning to the plan's sentence is about that plan
# ... as is one sharing with it a word this close to the rarest indexed word's idf (about sixteen times as many
# sentences use it)
PLAN_WORD_IDF_MARGIN = 2.8
PLAN_COMMON_WORD_MARGIN = 4.0  # a word this far below the rarest word's idf is in too many sentences to tie a warning
# a warning as close in meaning to one clause of the plan as PLAN_CAUTION_MIN, and this much closer than the
# document's next warning, is about what that clause would do, in whatever words ("shut the holes with strips" / "do
# not close puncture wounds")
PLAN_CLAUSE_MARGIN = 0.15
# a plan's leading sentences: why not its first object, and the rules it breaks (two of them at most)
PLAN_LEADS = 3
# a follow-up's passages from the document the last answer quoted, where retrieval found none of them
FOLLOWED_PASSAGES = 3
PART_PASSAGES = 2  # how far (in answers' worth of passages) to look for a question part's own document's passage
TOPICAL_SHARE = 0.05  # a word in at most this share of the corpus's sentences keeps a vignette's sentence in focus
ABSTAIN_TEXT = ("The indexed sources do not cover this question, so I cannot answer it from them. "
                "Please consult other guidance.")


class Pipeline:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self.embedder = embedder or Embedder(s.embedding_model, s.threads)
        self.library = Library(s, self.embedder)
        self.retriever = HybridRetriever(self.embedder, s.candidate_k, s.rrf_k)
        self.guardrails = GuardrailEngine()
        self.queries = QueryReader(strip_instructions=self.guardrails.strip_instructions,
                                   is_instruction=self.guardrails.is_instruction, denied=self._denied,
                                   affirmed=self.guardrails.affirmed)
        self.scope = ScopePolicy(s.topic_min_similarity, s.topic_min_similarity_with_concept)
        self.fit = SentenceFit(self.guardrails.vocabulary, self.queries.answer_types, self.scope.concepts,
                              self.guardrails.negated)
        self.sentence_vectors = SentenceVectors(self.embedder.encode)
        self.composer = ExtractiveComposer(self.sentence_vectors, max_chars=s.max_answer_chars,
                                           max_sentences=s.max_answer_sentences,
                                           skip=self.guardrails.is_instruction,
                                           lists_errors=self.queries.answer_types.lists_errors)
        self.conversations = ConversationStore(s.data_dir / "conversations.sqlite3")
        # with an endpoint configured, the LLM drafts and the extractive composer is its fallback
        self.llm_client = LLMClient(s) if s.llm_base_url else None
        self.llm = LLMSynthesizer() if s.llm_base_url else None
        # CPU-bound stages of async answers: one thread per core; more threads only fight over the GIL and
        # make the event loop (health checks included) wait its turn
        self._workers = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="clinrag-answer")
        self._doc_cache: tuple[str, dict] = ("", {})
        self._per_build: dict[str, tuple[str, object]] = {}  # what each snapshot's derived data is, by name
        self._by_title: dict[str, str] = {}  # normalised title -> document id, for reference links
        self._related: tuple[str, np.ndarray | None] = ("", None)

    def warm_up(self, rebuild_if_needed: bool = True) -> None:
        """Load the model and the index (building it if needed) and answer once: ready to serve."""
        self.embedder.warm_up()
        self.library.open(rebuild_if_needed=rebuild_if_needed)
        self.rehearse()

    def rehearse(self) -> None:
        """Answer one question over the open index, so that what each snapshot derives once (vocabularies,
        document statistics, their vectors) is derived now and not inside the first clinicians' requests."""
        # without the LLM: readiness never waits on the model
        chunks = self.library.snapshot.chunks
        # a question about the first indexed document's own subject exercises every stage, whatever the corpus
        question = f"What does {chunks[0].title} recommend?" if chunks else "warm-up"
        turn = self._begin([{"role": "user", "content": question}], 0.0, use_llm=False)
        self._finish(turn, None, None)

    def precompute(self, max_chunks: int = 2000) -> int:
        """Sentence vectors of a small corpus now rather than at each chunk's first question (the server
        runs this in the background once it is ready). Returns the chunks computed."""
        chunks = self.library.snapshot.chunks
        if len(chunks) > max_chunks:
            return 0
        self.sentence_vectors.get([ScoredChunk(chunk=c, score=0.0) for c in chunks])
        return len(chunks)

    @property
    def ready(self) -> bool:
        return self.embedder.ready and self.library._snapshot is not None

    # ---- documents' metadata, refreshed when the snapshot changes -------------------------------
    def _documents(self, build_id: str) -> dict:
        if self._doc_cache[0] != build_id:
            self._doc_cache = (build_id, {d.id: d for d in self.library.docstore.active()})
            self._by_title = {_title_key(d.title): d.id for d in self._doc_cache[1].values()}
            questions = [q for d in self._doc_cache[1].values() for q in d.metadata.get("related_questions", [])]
            self._related = (build_id, self.embedder.encode(questions) if questions else None)
        return self._doc_cache[1]

    def _for_build(self, snapshot, name: str, derive):
        """What derive(snapshot) gives, computed once per snapshot build (a new build derives it afresh)."""
        build_id = snapshot.manifest["build_id"]
        held = self._per_build.get(name)
        if held is None or held[0] != build_id:
            held = (build_id, derive(snapshot))
            self._per_build[name] = held
        return held[1]

    def chunk_holding(self, snapshot, text: str):
        """The indexed chunk whose sentences hold this text (a rule's grounding passage, a sentence an answer quoted),
        or None; each chunk's sentences are joined once per snapshot build."""
        joined = self._for_build(snapshot, "joined_chunks",
                                 lambda s: [(c, " ".join(x.text for x in c.sentences)) for c in s.chunks])
        return next((c for c, text_of in joined if text in text_of), None)

    def document_concepts(self, snapshot, document_id: str) -> frozenset[str]:
        """The clinical concepts a document is about (cached per snapshot), for the scope's body-region check:
        those its title names or that at least DOCUMENT_CONCEPT_SENTENCES of its sentences name ("<a node
        group>" once in a guideline on <another region> does not make that region its concern)."""
        cache = self._for_build(snapshot, "document_concepts", lambda _: {})
        if document_id not in cache:
            chunks = [c for c in snapshot.chunks if c.document_id == document_id and not is_reference_chunk(c)]
            counts, _ = self._concept_counts(snapshot, document_id)
            titled = self.scope.concepts(chunks[0].title) if chunks else frozenset()
            kinds = self.scope.vocabulary.kinds
            # a document whose title names a body region is about that region: others it names in passing are not
            # its concern; a document about a disease of anywhere covers every region it names
            regional = any(kinds.get(c) == "anatomy" for c in titled)
            cache[document_id] = titled | {c for c, n in counts.items()
                                           if n >= (DOCUMENT_CONCEPT_SENTENCES if regional else 1)}
        return cache[document_id]

    def document_exclusions(self, snapshot, document_id: str) -> tuple[Exclusion, ...]:
        """What a document says it leaves to other guidance (rag.coverage), cached per snapshot."""
        cache = self._for_build(snapshot, "document_exclusions", lambda _: {})
        if document_id not in cache:
            own = [c for c in snapshot.chunks if c.document_id == document_id and not is_reference_chunk(c)]
            vocabulary = self.scope.vocabulary
            cache[document_id] = declared_exclusions(
                [x.text for c in own for x in c.sentences], self.scope.concepts, vocabulary.kinds,
                vocabulary.matched_text, content_words(own[0].title if own else ""), vocabulary.role("course"),
                self._subject_concepts(snapshot, document_id, own))
        return cache[document_id]

    def _concept_counts(self, snapshot, document_id: str) -> tuple[dict[str, int], int]:
        """How many of a document's sentences name each concept, and how many sentences it has, outside its
        statements of limits ("it does not cover <group>" does not make the group its concern); cached per
        snapshot."""
        cache = self._for_build(snapshot, "concept_counts", lambda _: {})
        if document_id not in cache:
            # (an item of a list under a heading that states the limits is such a statement too: "What this guideline
            # does not cover" / "<group>: refer to <other team>")
            sentences = [x.text for c in snapshot.chunks if c.document_id == document_id
                         and not is_reference_chunk(c)
                         for x, read in zip(c.sentences, under_its_heading(c), strict=True) if not states_limits(read)]
            counts: dict[str, int] = {}
            for sentence in sentences:
                for concept in self.scope.concepts(sentence):
                    counts[concept] = counts.get(concept, 0) + 1
            cache[document_id] = (counts, len(sentences))
        return cache[document_id]

    def _subject_concepts(self, snapshot, document_id: str, chunks: list) -> frozenset[str]:
        """What a document is about: the concepts of its title and those at least SUBJECT_CONCEPT_SHARE of its
        sentences name."""
        counts, total = self._concept_counts(snapshot, document_id)
        titled = self.scope.concepts(chunks[0].title) if chunks else frozenset()
        return titled | {c for c, n in counts.items() if n >= SUBJECT_CONCEPT_SHARE * total}

    def document_population(self, snapshot, document_id: str) -> StatedPopulation:
        """Whom a document's statements of coverage say it is for and leaves out (rag.coverage), cached per
        snapshot. The items of a list under a heading that states its limits are read as that statement's: whom a
        document leaves out by age or group is plain wherever it says it (what it leaves out by subject, from such a
        list, is not read: "the choice of operation for <condition>" is advice it leaves to others, not its
        patients)."""
        cache = self._for_build(snapshot, "document_population", lambda _: {})
        if document_id not in cache:
            cache[document_id] = stated_population((t for c in snapshot.chunks if c.document_id == document_id
                                                    and not is_reference_chunk(c) for t in under_its_heading(c)),
                                                   self.scope.answer_types.advises)
        return cache[document_id]

    def document_words(self, snapshot, document_id: str) -> frozenset[str]:
        """A document's (stemmed) content words, its reference list and its statements of limits left out (a
        guideline that hands "<finding A> with <finding B>" to other guidance is not about them); cached per
        snapshot."""
        def derive(s) -> dict[str, frozenset[str]]:
            texts: dict[str, list[str]] = {}
            for c in s.chunks:
                if not is_reference_chunk(c):
                    texts.setdefault(c.document_id, [c.title]).extend(
                        x.text for x in c.sentences if not states_limits(x.text))
            return {d: frozenset(content_words(" ".join(t))) for d, t in texts.items()}
        return self._for_build(snapshot, "document_content_words", derive).get(document_id, frozenset())

    def idf(self, snapshot) -> dict[str, float]:
        """Inverse sentence frequency of each word in the indexed corpus (rare words weigh more)."""
        return self._for_build(snapshot, "idf", lambda s: _inverse_sentence_frequency(s, content_words))

    def disease_reader(self, snapshot):
        """Is a disease name one some indexed document uses every word of (its words in one document, in any order:
        "<site> <disease>" is known to a guideline on <disease> that names the <site>)?"""
        def words(snapshot) -> list[set[str]]:
            texts: dict[str, list[str]] = {}
            for c in snapshot.chunks:
                texts.setdefault(c.document_id, [c.title]).append(c.text)
            return [set(disease_words(" ".join(t))) for t in texts.values()]
        documents = self._for_build(snapshot, "document_words", words)
        return lambda name: any(set(name.split()) <= words for words in documents)

    def hubness(self, snapshot, document_id: str) -> dict[str, np.ndarray]:
        """Each indexed sentence's hubness within its document (rag.synthesize), computed once per document and
        snapshot."""
        cache = self._for_build(snapshot, "hubness", lambda _: {})
        if document_id not in cache:
            chunks = [ScoredChunk(chunk=c, score=0.0) for c in snapshot.chunks
                      if c.document_id == document_id and not is_reference_chunk(c)]
            cache[document_id] = self.composer.hubness(chunks)
        return cache[document_id]

    def categories(self, snapshot) -> dict[str, frozenset[str]]:
        """Per snapshot: the words each lead-in list item names, mapped to its subsection's heading words."""
        return self._for_build(snapshot, "categories", listed_categories)

    def bands(self, snapshot) -> list[Band]:
        """Per snapshot: the score bands the documents give ("a score of 1 or less means <band>"; rag.bands)."""
        return self._for_build(snapshot, "bands", lambda s: [
            b for c in s.chunks if not is_reference_chunk(c)
            for b in bands_in(c.document_id, [x.text for x in c.sentences], " ".join([*c.section[1:], c.text]))])

    def concept_rarity(self, snapshot) -> dict[str, float]:
        """Inverse sentence frequency of each concept the indexed corpus names (per snapshot)."""
        concepts = self.guardrails.vocabulary.concepts
        return self._for_build(snapshot, "concept_rarity",
                               lambda s: _inverse_sentence_frequency(s, lambda t: concepts(t, FIT_KINDS)))

    def _denied(self, text: str) -> frozenset[str]:
        """Findings a question denies ("no <finding>, no <finding>"), the regions it says a finding is not at
        ("<finding> ..., not on the <region>"), and the emergencies and patient groups it rules out ("no <emergency>",
        "not <group>"), read as the guardrails read a history."""
        kinds = self.guardrails.vocabulary.kinds
        emergency = self.guardrails.vocabulary.role("emergency")
        emergency |= self.guardrails.vocabulary.role("population")  # "she is not <group>" as plainly
        denied = self.guardrails.negated(text, lists=True)
        # a region only where a negation says so of it ("not on the <region>"), not as the tail of a negated list
        # ("rather than anything else for <region> <findings>")
        regions = {m.concept for rs in self.guardrails.read(text, lists=True) for k, m in enumerate(rs.mentions)
                   if kinds.get(m.concept) == "anatomy" and rs.negated[k] and any(
                       x.concept == "cue.negation" and 0 <= m.start - x.end <= REGION_NEGATION_REACH
                       for x in rs.mentions)}
        return frozenset(c for c in denied if kinds.get(c) == "finding" or c in emergency or c in regions)

    def topical_words(self, snapshot):
        """Is a (stemmed) word one the indexed documents use in at most TOPICAL_SHARE of their sentences?"""
        idf = self.idf(snapshot)
        if not idf:
            return lambda word: False
        level = ScopePolicy.rare_level(idf, TOPICAL_SHARE)
        return lambda word: not word.isdigit() and idf.get(word, 0.0) >= level

    def shorthand(self, snapshot) -> Shorthand:
        """Clinical shorthand read in this snapshot's words (rag.abbreviations; built once per snapshot)."""
        vocabulary = self.guardrails.vocabulary

        def derive(s) -> Shorthand:
            texts = [(c.document_id, t) for c in s.chunks for t in (c.title, *(x.text for x in c.sentences))]
            return Shorthand.for_corpus([t for _, t in texts], known_english,
                                        lambda token: bool(vocabulary.concepts(token)),
                                        titles=[c.title for c in s.chunks], rare_word=rare_english,
                                        documents=[d for d, _ in texts])
        return self._for_build(snapshot, "shorthand", derive)

    def typos(self, snapshot) -> TypoFixer:
        """The misspelling reader for this snapshot's words (built once per snapshot)."""
        vocabulary = self.guardrails.vocabulary
        return self._for_build(snapshot, "typos", lambda s: TypoFixer.from_texts(
            [t for c in s.chunks for t in (c.title, c.text)], vocabulary.words(),
            [*vocabulary.spellings, *bedside_words()]))

    # ---- the whole turn -------------------------------------------------------------------------
    def answer(self, messages: Sequence[dict], conversation_id: str | None = None) -> Answer:
        """One turn, blocking the calling thread (CLI, eval, tests)."""
        turn = self._begin(messages, time.monotonic() + self.settings.llm_timeout_s)
        reply = None
        if turn.prompt is not None and self.llm_client is not None:
            try:
                reply = self.llm_client.complete(turn.prompt.messages, turn.deadline)
            except LLMUnavailable as exc:
                reply = exc
        return self._finish(turn, reply, conversation_id)

    async def answer_async(self, messages: Sequence[dict], conversation_id: str | None = None) -> Answer:
        """The same turn for the API: the CPU-bound stages run in worker threads, and the wait on the LLM holds
        no thread at all, so slow model answers never starve health checks or extractive answers. The deadline
        runs from the request's arrival, and the extractive fallback is composed while the model writes, so a
        fallback at the deadline costs only the guardrails."""
        deadline = time.monotonic() + self.settings.llm_timeout_s
        loop = asyncio.get_running_loop()
        turn = await loop.run_in_executor(self._workers, self._begin, messages, deadline)
        return await self._rest_of_turn(turn, loop, conversation_id)

    def _fallback_ready(self, turn: _Turn) -> None:
        _configure_thread(self.settings.threads)
        turn.extractive = self._extractive(turn.query, turn.topical, turn.qvec, turn.snapshot, turn.plan,
                                           turn.core_vector, turn.instead, turn.part_vectors, turn.closing)

    async def answer_stream(self, messages: Sequence[dict]) -> AsyncIterator[str | Answer]:
        """The turn as the text pieces a clinician may see now, then the Answer (its text is their sum)."""
        async for item in stream_turn(self, messages):
            yield item

    async def _rest_of_turn(self, turn: _Turn, loop, conversation_id: str | None = None) -> Answer:
        reply = None
        if turn.prompt is not None and self.llm_client is not None:
            fallback = loop.run_in_executor(self._workers, self._fallback_ready, turn)
            try:
                reply = await self.llm_client.acomplete(turn.prompt.messages, turn.deadline)
            except LLMUnavailable as exc:
                reply = exc
            finally:
                await fallback
        return await loop.run_in_executor(self._workers, self._finish, turn, reply, conversation_id)

    def _begin(self, messages: Sequence[dict], deadline: float, use_llm: bool = True) -> _Turn:
        """Query understanding, retrieval and the scope decision; the LLM's prompt when it will be asked."""
        _configure_thread(self.settings.threads)
        t0 = time.perf_counter()
        snapshot = self.library.snapshot  # one snapshot for the whole turn: old or new, never a mix
        bands = self.bands(snapshot)
        idf = self.idf(snapshot)
        shorthand = self.shorthand(snapshot)
        query = self.queries.read(messages, spell=self.typos(snapshot).fix, topical=self.topical_words(snapshot),
                                  indexed=idf.__contains__, shorthand=shorthand.long_forms,
                                  aliases=functools.partial(shorthand.long_forms, documents_own=True),
                                  classes=shorthand.classes_of, written_out=shorthand.written_out,
                                  banded=lambda text: implied(text, bands) if bands else "")
        # what the documents' own lists say the question's rare words are ("<finding>" under "<Category>") is
        # searched too (not asked: answerability reads the question alone), so "the <test> shows <finding>, what
        # next?" finds "If <category> is confirmed, ..."
        categories = self.categories(snapshot)
        kinds = " ".join(sorted(set().union(*(categories.get(w, ()) for w in content_words(query.focus)))))
        search = f"{query.search} {kinds}" if kinds else query.search
        docs = self._documents(snapshot.manifest["build_id"])
        # every text this turn searches by is known now: one forward pass encodes them all
        self.embedder.encode_queries([t for t in (search, f"{search} {query.related}" if query.related else "",
                                                  query.core, query.case) if t])
        # the classes of the medicines it names find and choose passages; whether it is on a document's topic at all
        # is judged on its own words (topic_vec), not on what the class list adds
        topic_vec = self.embedder.encode_query(search)
        if query.related:
            search = f"{search} {query.related}"
        qvec = self.embedder.encode_query(search) if query.related else topic_vec
        # reference lists are passages only for "which source is that from?"; they never fill another answer
        # a vignette or a follow-up searched twice (whole and its asking part) keeps a little more of what either found
        k = self.settings.top_k + (VIGNETTE_EXTRA if query.core or query.again else 0)
        cvec = self.embedder.encode_query(query.core) if query.core else None
        if query.core:
            found = self.retriever.retrieve(snapshot, search, k + 1, vector=qvec, core=query.core, core_vector=cvec)
        else:
            found = self.retriever.retrieve(snapshot, search, k + 1, vector=qvec, core=query.again)
        passages = self.with_neighbours(snapshot, [p for p in found if not is_reference_chunk(p.chunk)][:k])
        title = lambda d: getattr(docs.get(d), "title", "")  # noqa: E731
        population = functools.partial(self.document_population, snapshot)
        words = functools.partial(self.document_words, snapshot)
        votes = functools.partial(self.scope.rare_votes, query, idf, words)
        limits_named = self.scope.excluded_by(query)
        declines = self.scope.declines(query, limits_named, lambda d: self.document_exclusions(snapshot, d), title,
                                       population, idf)
        if passages and declines(passages[0].chunk.document_id):
            # the closest document leaves this subject (or this patient) to other guidance: the guidance it names, if
            # indexed, else the closest one that does not decline it answers
            wider = [p for p in self.retriever.retrieve(snapshot, search, DECLINED_WIDER * k, vector=qvec)
                     if not is_reference_chunk(p.chunk) and not declines(p.chunk.document_id)]
            handed = self.scope.handed_to(limits_named,
                                          self.document_exclusions(snapshot, passages[0].chunk.document_id),
                                          {d: title(d) for d in docs})
            successor = self.scope.successor(wider, query, title, idf, passages[0].chunk.document_id, population,
                                             votes) if handed is None else handed
            if handed is not None and handed not in {p.chunk.document_id for p in wider}:
                wider = self._closest_of(snapshot, handed, qvec, k)
            if successor:
                passages = self._own_passages_first(snapshot, wider, successor, passages, k)
        # the document the conversation's last answer quoted (or, where it quoted none, its earlier turns' own)
        answered = (_answered_from(query.history, functools.partial(self.chunk_holding, snapshot))
                    or self._earlier_turns_document(snapshot, query)) if query.follow_up else None
        if query.follow_up and passages:
            # a follow-up continues the document the last answer quoted, where retrieval found none of it ("Ha - so
            # that's it. <what happened since>. Can I <do x> tomorrow?" after an answer on <the subject>)
            # ... where its closest sentence is as close to the turn as what retrieval found ("what about <another
            # subject>?" moves on)
            if answered is not None and answered not in {p.chunk.document_id for p in passages}:
                own = self._closest_of(snapshot, answered, qvec, FOLLOWED_PASSAGES)
                found = self.sentence_vectors.get(passages)
                best = max((float(np.max(found[p.chunk.id] @ qvec)) for p in passages if p.chunk.sentences),
                           default=0.0)
                if own and own[0].score >= best:
                    passages += self.with_neighbours(snapshot, own)
        passages += self._pack_documents_passages(snapshot, query, passages, search, qvec, k)
        passages += self._asked_category_passages(snapshot, query, passages)
        closest = passages[0].chunk.document_id if passages else None
        vectors = self.sentence_vectors.get(passages)
        if cvec is not None and len({p.chunk.document_id for p in passages}) > 1:
            passages = self.scope.rare_words_document_first(
                self._asked_document_first(passages, vectors, cvec, query.core, idf, words, votes), query, idf, words)
        elif len({p.chunk.document_id for p in passages}) > 1:
            # (the closest document that the vote kept first is not moved by a subject the concept layer reads; one
            # the vote moved away from may be moved back)
            retrieved = passages[0].chunk.document_id
            passages = self.scope.subject_document_first(
                self.scope.rare_words_document_first(passages, query, idf, words), query,
                lambda document, other: other == retrieved and self.scope.outvotes(votes([document, other]), idf,
                                                                                    other, document))
        named = self._named_document_first(snapshot, query, passages, search, qvec, k, docs, title, idf, shorthand,
                                           declines)
        if named is not passages:
            passages, vectors = named, self.sentence_vectors.get(named)
        if len({p.chunk.document_id for p in passages}) > 1:
            passages = self.scope.denied_subject_last(passages, query,
                                                      functools.partial(shorthand.long_forms, documents_own=True),
                                                      idf, votes)
        if len({p.chunk.document_id for p in passages}) > 1 and declines(passages[0].chunk.document_id):
            passages = self.scope.declined_document_last(passages, declines, query, title, idf)
        if query.follow_up and len({p.chunk.document_id for p in passages}) > 1:
            # a follow-up continues the conversation's document: the one the last answer quoted ("and the gas and
            # <ion>, how often?" after a <condition> answer is still about that <condition>, though another
            # guideline says more of the <ion>)
            if answered in {p.chunk.document_id for p in passages}:
                passages = document_first(passages, answered)
        if passages and passages[0].chunk.document_id != closest:
            # another document answers than the one retrieval put first: its own closest passages, not only those
            # that made the first cut among every document's
            wider = [p for p in self.retriever.retrieve(snapshot, search, DECLINED_WIDER * k, vector=qvec)
                     if not is_reference_chunk(p.chunk)]
            passages = self._own_passages_first(snapshot, wider, passages[0].chunk.document_id, passages, k)
            vectors = self.sentence_vectors.get(passages)
        valued = (self._value_passages(snapshot, query, passages, idf)
                  + self._result_passages(snapshot, query, passages)
                  + self._measured_passages(snapshot, query, passages))
        if valued:
            passages = passages + valued
            vectors = self.sentence_vectors.get(passages)
        spelled = tuple(shorthand.spelled_out(query.focus))  # (the scope's rare-name test and its subject test)
        turn = _Turn(query, snapshot, docs, qvec, passages, t0, deadline, core_vector=cvec)
        turn.timings["retrieve"] = _ms(t0)
        t1 = time.perf_counter()
        turn.decision = self.scope.decide(query, passages, vectors, topic_vec, self._related[1], idf,
                                          core_vector=cvec,
                                          case_vector=self.embedder.encode_query(query.case) if query.case else None,
                                          document_concepts=lambda d: self.document_concepts(snapshot, d),
                                          known_disease=self.disease_reader(snapshot),
                                          document_words=lambda d: self.document_words(snapshot, d),
                                          spelled_out=spelled,
                                          population=population,
                                          quoted_vectors=self.embedder.encode(list(query.quoted)),
                                          names_subject=self.scope.subject_namer(
                                              self._title_subjects(snapshot, docs, title, idf),
                                              content_words(" ".join([query.focus, *spelled]))))
        if turn.decision.outcome != "abstain":
            turn.passages += self._part_passages(snapshot, query, turn)
            turn.decision = self.scope.answered_by_more(turn.decision, query, turn.passages, idf)
            turn.plan = self._plan_groundings(query, turn) or self._plan_cautions(query, turn)
            turn.decision = self.scope.settled_by_plan(turn.decision, query, turn.plan_breaks_rule)
            turn.addressing = (self._addressing(snapshot, query, turn.decision, limits_named)
                               or self._beyond_limits(snapshot, query, turn.decision, idf))
            if turn.addressing is not None:
                turn.decision = self.scope.addressed_without_value(turn.decision, query,
                                                                   [x.text for x in turn.addressing.sentences])
        if use_llm and self.llm is not None and self.llm_client is not None and turn.decision.outcome != "abstain" \
                and turn.addressing is None:  # (the document's own words for a patient it leaves out, as they are)
            prompt = build_prompt(query.question, turn.topical, query.history, self.guardrails.is_instruction)
            turn.prompt = prompt if prompt.shown else None
        turn.timings["scope"] = _ms(t1)
        turn.llm_started = time.perf_counter()
        return turn

    def _finish(self, turn: _Turn, reply: Reply | LLMUnavailable | None, conversation_id: str | None) -> Answer:
        """The draft (the LLM's verified answer, or exactly the extractive default), guardrails, the answer."""
        _configure_thread(self.settings.threads)
        query, timings = turn.query, turn.timings
        if turn.prompt is not None:
            timings["llm"] = _ms(turn.llm_started)
            if isinstance(reply, Reply) and reply.first_token_ms is not None:
                timings["llm_first_token"] = round(reply.first_token_ms, 2)
        t1 = time.perf_counter()
        draft = self._draft(turn, reply)
        timings["synthesize"] = _ms(t1)
        t2 = time.perf_counter()
        draft_sentences = [DraftSentence(text=s.text, cites=s.cites, record=s.record) for s in draft.sentences]
        sources = sorted({p.chunk.document_id for p in draft.passages})
        verdict = self.guardrails.check(query.spelled or query.question, draft_sentences, query.history,
                                        sources=sources)
        settled = self.scope.settled_by_emergency(turn.decision, query, verdict.emergency)
        if settled is not turn.decision:
            turn.decision = settled
            draft = draft.model_copy(update={"abstained": False, "partial": None})
        if draft.abstained and verdict.action == "escalate" and not verdict.emergency:
            # a general question about warning signs, outside the sources: abstain, no banner
            verdict = verdict.model_copy(update={"action": "pass", "banner": None})
        timings["guardrails"] = _ms(t2)
        answer = self._assemble(query, draft, verdict, turn.snapshot, turn.qvec, turn.docs, conversation_id,
                                turn.decision)
        timings["total"] = _ms(turn.t0)
        retrieved = tuple(Retrieved(chunk_id=p.chunk.id, document_id=p.chunk.document_id,
                                    section=p.chunk.section_label, score=round(p.score, 5)) for p in turn.passages)
        return answer.model_copy(update={"timings_ms": timings, "retrieved": retrieved})

    def _draft(self, turn: _Turn, reply: Reply | LLMUnavailable | None) -> DraftAnswer:
        """The synthesizer's draft from the passages of the answer's one topic document."""
        query, decision = turn.query, turn.decision
        if decision.outcome == "abstain":
            return DraftAnswer(sentences=(), passages=(), abstained=True)
        topical = turn.topical
        draft = None
        if self.llm is not None and turn.prompt is not None and reply is not None:
            outcome = self.llm.outcome(reply, turn.prompt, topical)
            if outcome.accepted:
                draft = DraftAnswer(sentences=outcome.sentences, passages=tuple(topical), synthesizer=self.llm.name,
                                    llm_outcome=outcome.label, llm_dropped=outcome.dropped)
            else:
                draft = self._extractive_for(turn).model_copy(update={
                    "fallback_reason": f"llm {outcome.label}: {outcome.detail}".rstrip(": "),
                    "llm_outcome": outcome.label, "llm_dropped": outcome.dropped})
        elif self.llm is not None:
            draft = self._extractive_for(turn).model_copy(update={
                "fallback_reason": "llm not_asked: no passage to show the model", "llm_outcome": "not_asked"})
        if draft is None:
            draft = self._extractive_for(turn)
        if decision.outcome == "answer" and turn.addressing is None and draft.sentences and decision.document_id:
            # the answer's best sentence is one of the document's statements of what it leaves out, with no advice for
            # it ("<a procedure>: its detailed indications, technique and aftercare"): it does not give what was
            # asked, whatever else it goes on to quote (one that says what to do instead, "does not cover <group>:
            # discuss with <team>", is the answer for them)
            lead = draft.sentences[0].text
            items = [text for text, _ in self._limit_items(turn.snapshot, decision.document_id)[0]]
            decision = turn.decision = self.scope.led_by_limits(
                decision, query, lead in items and not self.scope.answer_types.advises(lead))
            # (a list item is quoted with a full stop of its own)
            limits = {text.rstrip(".;:, ") for text in items}
            decision = turn.decision = self.scope.value_left_out(
                decision, query, [s.text for s in draft.sentences if s.text.rstrip(".;:, ") in limits])
        if decision.outcome == "partial":
            return draft.model_copy(update={"abstained": True, "partial": decision.missing})
        if query.answer_type == "source":
            return self._with_sources(draft, turn.snapshot, query)
        return draft

    def _addressing(self, snapshot, query: Query, decision: ScopeDecision,
                    limits_named: Callable[[Sequence], bool]) -> DraftAnswer | None:
        """For a patient whom the answering document's statements of coverage leave out (by an item of its limits, or
        by age) but whose advice it still gives ("does not cover open injuries ...: refer to <a team> the same day";
        "does not cover: children under <a> (... refer to <a service>)"), the answer made of that advice alone, each
        sentence citing its passage: the rest is written for other patients. None otherwise. limits_named: the
        question's reading of items of limits (ScopePolicy.excluded_by)."""
        document = decision.document_id
        if document is None:
            return None
        advised = self.scope.advised_items(limits_named, self.document_exclusions(snapshot, document))
        if advised:
            # "does not cover <these patients>: <what to do for them>": the statement, as the document words it
            quoted = self._quoted(snapshot, document, lambda text: any(
                _plain(i.advice)[:60] in _plain(text) for i in advised))
            if quoted is not None:
                return quoted
        if query.age is None:
            return None
        stated = self.document_population(snapshot, document)
        if not stated.addresses(query.age) or not stated.misfit(query.age, None, None, named=False):
            return None
        advises = self.scope.answer_types.advises
        return self._quoted(snapshot, document, lambda text: addresses_age(text, query.age, advises))

    def _beyond_limits(self, snapshot, query: Query, decision: ScopeDecision,
                       idf: dict[str, float]) -> DraftAnswer | None:
        """A value asked of something the answering document names only among its limits ("what dose of <a rescue
        drug> ...?" of a guideline whose limits say "the dose and duration of <that rescue> are not covered here";
        "<an emergency of the condition>: what dose ...?" where it is "managed under a separate guideline"): the
        answer is those items of its limits, as it words them; the rest is written for other questions. Whose value
        it is (the question's owner: "<drug> dose"), in rare words (not everyday English) that the document uses
        there and nowhere else, says so; a word of the story that happens to be there too ("awaiting transfer" beside
        "after transfer to a <specialist> centre ... outside its scope") does not. None otherwise."""
        document = decision.document_id
        if document is None or not idf or not query.owner or not self.scope.answer_types.evidence.get(
                query.answer_type):
            return None
        items, elsewhere = self._limit_items(snapshot, document)
        level = ScopePolicy.rare_level(idf, RARE_SHARE)
        owner = content_words(" ".join(w for w in query.owner if not everyday_english(w)))
        only = {w for w in owner - elsewhere if not w.isdigit() and idf.get(w, 0.0) >= level}
        said = {text for text, words in items if only & words}
        return self._quoted(snapshot, document, said.__contains__) if said else None

    def _limit_items(self, snapshot, document: str) -> tuple[tuple[tuple[str, frozenset[str]], ...], frozenset[str]]:
        """A document's statements of limits (its sentences that state them, and the items under a heading that
        does), each with its (stemmed) words read with that heading, and the words of all its other sentences;
        cached per snapshot."""
        cache = self._for_build(snapshot, "limit_items", lambda _: {})
        if document not in cache:
            items: list[tuple[str, frozenset[str]]] = []
            elsewhere: set[str] = set()
            for c in snapshot.chunks:
                if c.document_id != document or is_reference_chunk(c):
                    continue
                for x, read in zip(c.sentences, under_its_heading(c), strict=True):
                    if states_limits(read):
                        items.append((x.text, frozenset(content_words(read))))
                    else:
                        elsewhere.update(content_words(read))
            cache[document] = (tuple(items), frozenset(elsewhere))
        return cache[document]

    @staticmethod
    def _quoted(snapshot, document: str, keep: Callable[[str], bool]) -> DraftAnswer | None:
        """The document's sentences that keep holds, each citing its passage; None when there are none."""
        held = [(c, [x.text for x in c.sentences if keep(x.text)])
                for c in snapshot.chunks if c.document_id == document and not is_reference_chunk(c)]
        held = [(c, texts) for c, texts in held if texts]
        if not held:
            return None
        return DraftAnswer(sentences=tuple(CitedSentence(text=t, cites=(n + 1,)) for n, (_, texts) in enumerate(held)
                                           for t in texts),
                           passages=tuple(ScoredChunk(chunk=c, score=0.0) for c, _ in held))

    def _extractive_for(self, turn: _Turn) -> DraftAnswer:
        if turn.addressing is not None:
            return turn.addressing
        if turn.extractive is None:
            turn.extractive = self._extractive(turn.query, turn.topical, turn.qvec, turn.snapshot, turn.plan,
                                           turn.core_vector, turn.instead, turn.part_vectors, turn.closing)
        return turn.extractive

    def _asked_category_passages(self, snapshot, query: Query, passages: list[ScoredChunk]) -> list[ScoredChunk]:
        """The closest document's passages under the heading of a listed category whose members the question asks for
        ("which <kinds> could cause ...?" under "<Kind>"), where retrieval missed them behind the question's other part
        ("... and why does <a test> need <x>?"); ranked last, the composer weighs them as any other."""
        if not passages:
            return []
        document = passages[0].chunk.document_id
        asked = asked_categories(query.asked, frozenset(self.category_headings(snapshot)[0])) | frozenset(
            self._differential_kinds(snapshot, query, document))
        if not asked:
            return []
        have = {p.chunk.id for p in passages}
        floor = min(p.score for p in passages)
        return [ScoredChunk(chunk=c, score=floor) for c in snapshot.chunks
                if c.document_id == document and c.id not in have and c.section and c.section[-1].lower() in asked]

    def _part_passages(self, snapshot, query: Query, turn: _Turn) -> list[ScoredChunk]:
        """For each part of a question that asks several things ("what do these point to, and what test should she
        ask for?"), the answering document's passage closest to that part, where retrieval of the whole found only
        the others' (the composer keeps each part's best sentence); ranked last."""
        if not query.parts or not turn.passages:
            return []
        have = {p.chunk.id for p in turn.passages}
        floor = min(p.score for p in turn.passages)
        out = []
        turn.part_vectors = self.embedder.encode(list(query.parts))
        for part, vector in zip(query.parts, turn.part_vectors, strict=True):
            found = next((p for p in self.retriever.retrieve(snapshot, part, PART_PASSAGES * self.settings.top_k,
                                                             vector=vector)
                          if p.chunk.document_id == turn.decision.document_id and not is_reference_chunk(p.chunk)),
                         None)
            if found is not None and found.chunk.id not in have:
                out.append(ScoredChunk(chunk=found.chunk, score=floor))
                have.add(found.chunk.id)
        return out

    def _value_passages(self, snapshot, query: Query, passages: list[ScoredChunk],
                        idf: dict[str, float]) -> list[ScoredChunk]:
        """The answering document's passages that give the value asked for ("which oral <drug class>, what dose?"),
        where retrieval's cut missed them behind the question's other words (the class and the setting, not the
        medicine's name); ranked last, the scope decision and the composer weigh them as any other. None when a
        retrieved passage gives it already."""
        if not passages:
            return []
        holds = self.scope.value_reader(query, idf.keys())
        document = passages[0].chunk.document_id
        if holds is None or any(holds(p.chunk) for p in passages if p.chunk.document_id == document):
            return []
        have, floor = {p.chunk.id for p in passages}, min(p.score for p in passages)
        return [ScoredChunk(chunk=c, score=floor) for c in snapshot.chunks
                if c.document_id == document and c.id not in have and not is_reference_chunk(c)
                and holds(c, by_name=True)]

    def _result_passages(self, snapshot, query: Query, passages: list[ScoredChunk]) -> list[ScoredChunk]:
        """The answering document's passages under a heading on what results mean (SentenceFit.on_results), where
        retrieval's cut missed them behind the findings' own words; ranked last, the composer weighs them as any
        other."""
        on_results = self.fit.on_results(query) if passages else None
        if on_results is None:
            return []
        document = passages[0].chunk.document_id
        have, floor = {p.chunk.id for p in passages}, min(p.score for p in passages)
        return [ScoredChunk(chunk=c, score=floor) for c in snapshot.chunks
                if c.document_id == document and c.id not in have and not is_reference_chunk(c)
                and on_results(c.section)]

    def _measured_passages(self, snapshot, query: Query, passages: list[ScoredChunk]) -> list[ScoredChunk]:
        """The answering document's passages under a heading giving a threshold the patient's stated measurement
        meets ("<measure> above <n>": what to do for this patient), where retrieval's cut missed them behind the
        question's other words; ranked last, the composer weighs them as any other. (A threshold in a sentence picks
        that sentence, not its passage: a document about the measure gives one in most of them.)"""
        measured = named_measurements(query.measured)
        if not passages or not measured:
            return []
        vocabulary = self.guardrails.vocabulary
        document = passages[0].chunk.document_id
        have = {p.chunk.id for p in passages}
        floor = min(p.score for p in passages)
        return [ScoredChunk(chunk=c, score=floor) for c in snapshot.chunks
                if c.document_id == document and c.id not in have and not is_reference_chunk(c)
                and len(c.section) > 1 and measure_fit(measured, c.section[-1], vocabulary) > 0]

    def _differential_kinds(self, snapshot, query: Query, document: str) -> list[str]:
        """For a question asking what something could be ("all the kinds of things it could be", "what groups of
        causes does it list?"), the (lower-case) categories of the document's list under a heading the concept layer
        reads as a differential ("<Kind A>", "<Kind B>", "Other <kind>"), less those the asker says they have; []
        for any other question, or a document with fewer than two."""
        if query.answer_type != "list" or "finding.differential" not in query.concepts:
            return []
        kinds = self._for_build(snapshot, "differential_kinds", self._differentials).get(document, frozenset())
        kinds -= self._had_categories(query, snapshot)
        return sorted(kinds) if len(kinds) >= 2 else []

    def _differentials(self, snapshot) -> dict[str, frozenset[str]]:
        """Per document, the (lower-case) categories of its lists whose lead-in or section names a differential."""
        headings = frozenset(self.category_headings(snapshot)[0])
        vocabulary = self.guardrails.vocabulary

        def under_a_differential(chunk) -> bool:
            group = lead_in_group(snapshot, chunk)
            lead = group[0] if group else None
            return lead is not None and "finding.differential" in vocabulary.concepts(
                " ".join((*lead.section[-1:], *(x.text for x in lead.sentences))))
        out: dict[str, set[str]] = {}
        for c in snapshot.chunks:
            if c.section and c.section[-1].lower() in headings and under_a_differential(c):
                out.setdefault(c.document_id, set()).add(c.section[-1].lower())
        return {d: frozenset(k) for d, k in out.items()}

    def _earlier_turns_document(self, snapshot, query: Query) -> str | None:
        """The document retrieval puts first for the turn a follow-up continues, where the last answer quotes none
        word for word (pasted back reworded): the conversation's document."""
        earlier = next((m["content"] for m in reversed(query.history) if m["role"] == "user"), "")
        if not earlier.strip():
            return None
        found = self.retriever.retrieve(snapshot, earlier, 1, vector=self.embedder.encode_query(earlier))
        return found[0].chunk.document_id if found else None

    def _closest_of(self, snapshot, document: str, qvec: np.ndarray, k: int) -> list[ScoredChunk]:
        """A document's k passages closest to the question (by their closest sentence), where retrieval found none
        of them."""
        own = [ScoredChunk(chunk=c, score=0.0) for c in snapshot.chunks
               if c.document_id == document and not is_reference_chunk(c) and c.sentences]
        vectors = self.sentence_vectors.get(own)
        scored = [ScoredChunk(chunk=p.chunk, score=float(np.max(vectors[p.chunk.id] @ qvec))) for p in own]
        return sorted(scored, key=lambda p: -p.score)[:k]

    def _own_passages_first(self, snapshot, found: list[ScoredChunk], document: str, passages: list[ScoredChunk],
                            k: int) -> list[ScoredChunk]:
        """The document's closest passages among those found (with their neighbours) first, then the others."""
        kept = self.with_neighbours(snapshot, [p for p in found if p.chunk.document_id == document][:k])
        have = {p.chunk.id for p in kept}
        return kept + [p for p in passages if p.chunk.id not in have]

    @staticmethod
    def _asked_document_first(passages: list[ScoredChunk], vectors: dict[str, np.ndarray],
                              core: np.ndarray, core_text: str = "", idf: dict[str, float] | None = None,
                              document_words=lambda document_id: frozenset(),
                              votes=lambda documents: {}) -> list[ScoredChunk]:
        """A vignette's history names other subjects ("known <condition> on <drug>, came in for <test> ... two doses
        of <drug> given, what next?"): the document whose sentences best match its asking part answers it, so that
        document's passages go first (the scope decision and the answer take the first passage's document). Two
        documents about as close are told apart by the asking part's words each one uses, weighed by rarity:
        "<drug> given twice, still <finding>" is about the document that names the <drug>. Where the asking part's
        document uses fewer of the whole question's rare words than the one retrieval put first, those words decide
        among all retrieved (votes: ScopePolicy.rare_votes): "used the <drug> gel 4 weeks, no better. binning it.
        what's next?" is about the document naming the <drug>, not one that the asking part's "binning" shares a
        word with."""
        best: dict[str, float] = {}
        for p in passages:
            if p.chunk.sentences:
                best[p.chunk.document_id] = max(best.get(p.chunk.document_id, -1.0),
                                                float(np.max(vectors[p.chunk.id] @ core)))
        if not best:
            return passages
        document = max(best, key=best.get)
        close = [d for d in best if best[d] >= best[document] - ASKED_TIE]
        if len(close) > 1 and idf:
            asked = content_words(core_text)
            document = max(close, key=lambda d: (sum(idf.get(w, 0.0) for w in asked & document_words(d)), best[d]))
        first = passages[0].chunk.document_id
        if document != first and idf:
            # the asking part's document uses fewer of the whole question's rare words than the one retrieval put
            # first: the rare words decide among every retrieved document
            used = votes(list(dict.fromkeys(p.chunk.document_id for p in passages)))
            weight = {d: sum(idf.get(w, 0.0) for w in ws) for d, ws in used.items()}
            if weight[first] > weight[document]:
                document = max(weight, key=weight.get)
        return document_first(passages, document)

    def _title_subjects(self, snapshot, docs: dict, title, idf: dict[str, float]) -> dict:
        """Each document's title subjects (ScopePolicy.title_subjects), once per index build."""
        return self._for_build(snapshot, "title_subjects", lambda _: self.scope.title_subjects(docs, title, idf))

    def _named_document_first(self, snapshot, query: Query, passages: list[ScoredChunk], search: str,
                              qvec: np.ndarray, k: int, docs: dict, title, idf: dict[str, float],
                              shorthand: Shorthand, declines: Callable[[str], bool]) -> list[ScoredChunk]:
        """The document whose title subject the asking part names, when it names none of the closest document's title
        (ScopePolicy.named_by_title): its closest passages first, found further down the ranking if retrieval's first
        cut missed them. The same list when no document is so named, or when the one named leaves this patient out
        (a <finding> in a guideline for children, told of a 37-year-old)."""
        named, names = self.scope.named_by_title(query, self._title_subjects(snapshot, docs, title, idf),
                                                 shorthand.spelled_out)
        if not passages or named is None or named == passages[0].chunk.document_id \
                or names(passages[0].chunk.document_id) or declines(named):
            return passages
        wider = [p for p in self.retriever.retrieve(snapshot, search, DECLINED_WIDER * k, vector=qvec)
                 if p.chunk.document_id == named and not is_reference_chunk(p.chunk)]
        if wider:
            return self._own_passages_first(snapshot, wider, named, passages, k)
        return document_first(passages, named) if named in {p.chunk.document_id for p in passages} else passages

    def _pack_documents_passages(self, snapshot, query: Query, passages: list[ScoredChunk], search: str,
                                 qvec: np.ndarray, k: int) -> list[ScoredChunk]:
        """A question in a clinical pack's scope ("a red, tender swelling beside the <region> with <red flag>: is
        this just <another document's disease>?") is one the pack's documents are written for: when retrieval found
        none of them, their closest passages join the others, and which document answers is decided as usual."""
        packs = self.guardrails.context(query.spelled or query.question, query.history).packs
        wanted = {d for pack in packs for d in pack.documents}
        if not wanted or not passages or wanted & {p.chunk.document_id for p in passages}:
            return []
        found = [p for p in self.retriever.retrieve(snapshot, search, DECLINED_WIDER * k, vector=qvec)
                 if p.chunk.document_id in wanted and not is_reference_chunk(p.chunk)]
        return self.with_neighbours(snapshot, found[:PACK_PASSAGES]) if found else []

    def _plan_groundings(self, query: Query, turn: _Turn) -> tuple[str, ...]:
        """A plan or proposal the question states ("I'll just reassure and discharge, ok?", "can we wait six
        weeks?"), read by the guardrails as if it were a draft: the source sentences of the rules it breaks are
        what answers it, and what their packs say to do instead (turn.instead) ends the answer. Their passages join
        the topical ones (the decision's document only)."""
        # what the patient's subject needs, for a question asking what to do, from the subject's own document: it
        # leads where no plan the question states breaks a rule (a broken rule's statements lead then, and what to do
        # instead ends the answer)
        needs: tuple[str, ...] = ()
        # (not after a result the question reports of the definitive test, however it is written: "<test> w/wo:
        # <findings>. Next steps?")
        vocabulary = self.guardrails.vocabulary
        # ... a result reported of "it", the test the conversation named ("what scan?" ... "Done. It shows <x>"), is
        # that test's
        tests = tests_of(vocabulary)
        named = vocabulary.concepts(query.text) & tests or (vocabulary.concepts(
            " ".join(h["content"] for h in query.history)) & tests if query.follow_up else frozenset())
        # (a normal the question reports of the patient's functions, "walks fine, pees fine", is no test's result)
        established = vocabulary.role("established")
        reported = query.reported - established if not of_a_test(vocabulary, query.text) else query.reported
        reported_definitive = bool(reported) and bool(named & vocabulary.role("definitive_test"))
        if turn.decision and not reported_definitive:
            needs = tuple(text for text, documents in self.guardrails.subject_answers(query.text, query.history)
                          if turn.decision.document_id in documents)
        held_needs: tuple[str, ...] = ()
        if needs and not query.asks_what_to_do:
            # a question about the patient that asks something else ("what else could it be?", "why <that test>?"):
            # what the patient needs ends the answer, unless a value or a source is asked for (the figure,
            # the dose or the reference is the whole answer)
            if not (self.queries.answer_types.evidence.get(query.answer_type) or query.answer_type == "source"):
                held_needs = needs[:1]
            needs = ()
        plan = self.queries.as_proposed(self.queries.named_back(QueryReader.plan(query.text)))
        groundings: tuple[str, ...] = ()
        if plan:
            verdict = self.guardrails.check(query.text, plan, query.history, own_plan=True)
            said = self._said_of_the_plans_object(verdict, turn)
            rules = [s.grounding for s in verdict.sentences if s.source == "mandated" and s.grounding]
            # in turn, what the document says of the plan's object and the rule it breaks: the answer leads with the
            # first PLAN_LEADS, so a plan breaking two rules is answered with why not, the first rule and why not the
            # second object, not with two sentences on one object
            groundings = tuple(dict.fromkeys(x for pair in itertools.zip_longest(said, rules) for x in pair if x))
        # (a plan the asking sentence itself puts forward: "can he work through the season and do his scan in April?";
        # not a booking the story tells beside a question about something else)
        asking = normalize(QueryReader.asking(query.text))
        turn.plan_breaks_rule = bool(groundings) and any(
            normalize(v.span)[:40] in asking for v in verdict.violations if v.span)
        if not groundings:
            self._hold(turn, (), (*needs, *held_needs))
            turn.closing = held_needs
            return needs
        self._hold(turn, tuple(x for v in verdict.violations
                               if (x := self.guardrails.instead(v.rule_id, query.text, query.history))),
                   (*groundings, *needs[:1], *held_needs))
        # what the patient's subject needs still closes an answer to the plan ("<a finding> plus <the subject>
        # means <x>, so I'm to <do y>?": why not, then what the subject itself needs)
        turn.closing = (*needs[:1], *held_needs)
        return groundings

    def _plan_cautions(self, query: Query, turn: _Turn) -> tuple[str, ...]:
        """A plan the question puts forward ("I was going to put in <a drop> first") on a topic no pack reads: the
        answering document's sentence that warns against what it would do ("Never <do what the drop does>."; an item
        under its pitfalls), the closest to the plan's own sentence, leads the answer."""
        answer_types = self.queries.answer_types
        # (a question about the plan, not one asking for a source, a figure or a dose that a plan sits beside)
        if turn.decision is None or answer_types.evidence.get(query.answer_type) or query.answer_type == "source":
            return ()
        proposal = answer_types.proposal(query.affirmed or query.focus)
        if not proposal:
            return ()
        # (every caution of the answering document, retrieved or not: its instruction against the plan may sit in a
        # section retrieval did not reach)
        cautions = self._for_build(turn.snapshot, "cautions", self._caution_sentences).get(
            turn.decision.document_id, ())
        title = cautions[0][0].title if cautions else ""
        # (a word most warnings use, a verb such as "give", ties none of them to the plan)
        idf = self.idf(turn.snapshot)
        common = max(idf.values(), default=0.0) - PLAN_COMMON_WORD_MARGIN
        words = {w for w in content_words(proposal) - QUESTION_STEMS - content_words(title)
                 if idf.get(w, common) >= common}
        if not cautions:
            return ()
        holding = {c.id: ScoredChunk(chunk=c, score=0.0) for c, *_ in cautions}  # each chunk once
        vectors = self.sentence_vectors.get(list(holding.values()))
        # each clause of the plan by itself: the warning closest to it, by a clear margin, is about what it would do
        # even where the two share no word
        tied: dict[str, float] = {}
        for part in clauses(proposal):
            meaning = self.embedder.encode_query(part)
            near = sorted(((float(vectors[c.id][i] @ meaning), text) for c, i, text, _ in cautions), reverse=True)
            if near[0][0] >= PLAN_CAUTION_MIN and (len(near) < 2 or near[0][0] - near[1][0] >= PLAN_CLAUSE_MARGIN):
                tied[near[0][1]] = max(near[0][0], tied.get(near[0][1], 0.0))
        found = [(chunk, i, text) for chunk, i, text, said in cautions if said & words]
        if not found and not tied:
            return ()
        target = self.embedder.encode_query(proposal)
        # (the two closest: the error named as such under the pitfalls, and the instruction against it)
        # (a warning tied to a clause scores the closer of that clause and the whole plan)
        closeness = {text: float(vectors[c.id][i] @ target) for c, i, text in found}
        for text, score in tied.items():
            closeness[text] = max(score, closeness.get(text, 0.0))
        ranked = sorted(((score, text) for text, score in closeness.items()), reverse=True)
        # a warning that names what the plan would do by a word few indexed sentences use ("Reserve <a rare
        # procedure> for ...") is about that plan however far its meaning reads from the plan's sentence
        rare = max(idf.values(), default=0.0) - PLAN_WORD_IDF_MARGIN
        named = {text for _, _, text in found if any(idf.get(w, 0.0) >= rare for w in content_words(text) & words)}
        cautions = tuple(dict.fromkeys([text for score, text in ranked
                                        if score >= PLAN_CAUTION_MIN or text in named or text in tied][:2]))
        # (those retrieval did not find join the turn's passages)
        present = {x.text for p in turn.passages for x in p.chunk.sentences}
        self._hold(turn, (), tuple(c for c in cautions if c not in present))
        return cautions

    def _caution_sentences(self, snapshot) -> dict[str, tuple]:
        """For each document, its sentences that warn against doing something (an instruction against it, or an item
        under its pitfalls), each as (chunk, position, text, its content words): read once per snapshot build."""
        answer_types = self.queries.answer_types
        out: dict[str, list] = {}
        for c in snapshot.chunks:
            if is_reference_chunk(c):
                continue
            heading = c.section[-1] if len(c.section) >= 2 else ""
            out.setdefault(c.document_id, []).extend(
                (c, i, x.text, frozenset(content_words(x.text))) for i, x in enumerate(c.sentences)
                if answer_types.cautions_against(x.text, heading))
        return {d: tuple(found) for d, found in out.items()}

    def _hold(self, turn: _Turn, held: tuple[str, ...], groundings: tuple[str, ...] = ()) -> None:
        """Sentences the answer ends with whatever their score (turn.instead), and the passages that hold them and the
        groundings, from the decision's document only, among the turn's passages."""
        turn.instead = tuple(dict.fromkeys((*turn.instead, *held)))
        have = {p.chunk.id for p in turn.passages}
        for g in (*groundings, *held):
            chunk = self.chunk_holding(turn.snapshot, g)
            if chunk and chunk.id not in have and turn.decision and chunk.document_id == turn.decision.document_id:
                turn.passages.append(ScoredChunk(chunk=chunk, score=0.0))
                have.add(chunk.id)

    def _said_of_the_plans_object(self, verdict: Verdict, turn: _Turn) -> list[str]:
        """For each rule a stated plan breaks on a test or a treatment it names ("is <test> enough?"), the answering
        document's own sentence about that one, the closest to what the rule mandates ("<test> may confirm <x> but
        cannot evaluate <y>"): the rule's general grounding says what to do instead, this says why not the plan."""
        if not turn.decision or not verdict.violations:
            return []
        vocabulary = self.guardrails.vocabulary
        objects = frozenset({"object"})
        # a test or a treatment the plan proposes, not an opinion it would ask for nor a generic placeholder
        proposed = (vocabulary.role("definitive_test") | vocabulary.role("plain_film") | vocabulary.role("other_test")
                    | vocabulary.role("care")) - vocabulary.role("opinion")
        document = turn.decision.document_id
        chunks = [c for c in turn.snapshot.chunks if c.document_id == document and not is_reference_chunk(c)]
        out, targets = [], {}
        for v in verdict.violations:
            mandated = next((s.text for s in verdict.sentences if s.rule_id == v.rule_id and s.source == "mandated"),
                            None)
            # (imaging the plan says not to do is not what it proposes: "no imaging, <care> and a review")
            negated = self.guardrails.negated(v.span)
            named = vocabulary.concepts(v.span, objects) & proposed - (negated & vocabulary.role("placeholder"))
            # what the plan proposes instead of the rule's own advice ("can <test A> stand in for <test B>?"), not
            # the test it would avoid ("let <test A> cover <the finding> and avoid <test B>")
            named = (named - vocabulary.concepts(mandated or "", objects)) or (named - negated) or named
            # a lesser test the plan rests on, not the definitive one it would drop ("<lesser test> normal - cancel
            # <definitive test>"): the document's sentence on the lesser test says why not
            named = (named - vocabulary.role("definitive_test")) or named
            if not named or mandated is None:
                continue
            held = [c for c in chunks if any(vocabulary.concepts(x.text, objects) & named for x in c.sentences)]
            if not held:
                continue
            vectors = self.sentence_vectors.get([ScoredChunk(chunk=c, score=0.0) for c in held])
            if mandated not in targets:  # one rule broken by several sentences: its statement embedded once
                targets[mandated] = self.embedder.encode_query(mandated)
            target = targets[mandated]
            best = max(((float(vectors[c.id][i] @ target), x.text) for c in held for i, x in enumerate(c.sentences)
                        if vocabulary.concepts(x.text, objects) & named), default=None)
            if best is not None:
                out.append(best[1])
        return out

    def _extractive(self, query: Query, topical: list[ScoredChunk], qvec: np.ndarray, snapshot,
                    plan: tuple[str, ...] = (), core_vector: np.ndarray | None = None,
                    instead: tuple[str, ...] = (), part_vectors: np.ndarray | None = None,
                    closing: tuple[str, ...] = ()) -> DraftAnswer:
        """The extractive default: the one code path both a plain deployment and every LLM fallback take."""
        # the words that pick sentences are the question's own (a follow-up's, not the earlier turn's) and the
        # plain labels of what it asks about, less what it says the asker already knows
        words = f"{query.asked} {query.labels}"  # with what a stated score's band means
        said = [m["content"] for m in query.history if m["role"] == "assistant"]
        if query.answer_type == "source" and query.quoted:
            # "our policy cites it for this line: '<x>'. Give its reference number.": the line quoted is the claim
            words = " ".join(query.quoted)
        elif query.answer_type == "source" and said:
            # "which source is that from?": the claim just made ("... your first sentence?": that one of them)
            words = QueryReader.pointed_claim(query.question, said[-1])
        elif query.answer_type == "source":  # "which papers are cited for <claim>?": the claim picks
            words = self.queries.answer_types.without_cues(words, "source")
        affirmed = normalize(query.affirmed or query.focus)
        narrowed = query.follow_up or query.asked != affirmed or query.answer_type == "source"
        said_here = query.affirmed or query.focus  # what it rules out narrows the answer; it does not pick it
        asking = QueryReader.asking_part(said_here)
        self.embedder.encode_queries([t for t in (words if narrowed else "", asking if asking != said_here else "")
                                      if t])
        # (the search, and so qvec, already leaves out what the question rules out)
        cvec = self.embedder.encode_query(words) if narrowed else qvec
        if query.answer_type != "source" and asking != said_here:
            # background and its question, read apart: a sentence answering the question itself ranks as well as
            # one echoing the background (both meanings weigh equally)
            # (a long vignette's asking part is its core, already embedded for retrieval)
            asked = core_vector if core_vector is not None and asking == query.core else self.embedder.encode_query(
                asking)
            cvec = cvec + asked
            cvec = cvec / np.linalg.norm(cvec)
        categories = self.categories(snapshot)
        headings = frozenset(self.category_headings(snapshot)[0])
        boost = self.fit.boost(query, topical, self.concept_rarity(snapshot), categories, headings)
        idf = self.idf(snapshot)  # sentences' words only: a word only a heading uses is not in it
        bonus = self.fit.section_bonus(query, idf.__contains__, self._had_categories(query, snapshot), headings)
        parts = list(query.parts)
        part_states = [self._part_value_stated(p, k, headings) for p, k in zip(query.parts, query.part_types,
                                                                                  strict=True)]
        if query.answer_type == "source":
            # "which reference is <a claim> tied to, and what are its title and year?": the claim is the one thing to
            # find; the parts ask for the record, and a plan the story tells ("had ten weeks of <care> first") is
            # context, not what is asked
            parts, part_states, plan = [], [], ()
            if query.quoted:  # the claim quoted or reported is matched on its own words, not on the case around it
                boost = None
        kinds = self._differential_kinds(snapshot, query, topical[0].chunk.document_id) if topical else []
        if kinds and not parts:
            # "what could it be?" over a list of kinds: each kind's member closest to the question, as a turn's parts
            # each get theirs
            asked = self.queries.without(query.asked, tests_of(self.guardrails.vocabulary))
            parts = [f"{k}: {asked}" for k in kinds]
            named = default_disease_names().find
            part_states = [UnderCategories(frozenset({k}), conditions=lambda text: len(named(text))) for k in kinds]
        staff = self.guardrails.vocabulary.role("staff")
        return self.composer.compose(self.queries.without(words, staff), cvec, topical, idf, QUESTION_WORDS,
                                     boost=boost, section_bonus=bonus,
                                     hubness=lambda d: self.hubness(snapshot, d),
                                     parts=(part_vectors if part_vectors is not None and parts == list(query.parts)
                                            else self.embedder.encode(parts) if parts else None),
                                     # the document's line the asker quotes; what the document says of the plan, and
                                     # the rule it breaks
                                     leads=(*_lines_quoted(query.quoted, topical)[:1], *plan[:PLAN_LEADS]),
                                     # (any pack rule's own source sentence is a safety statement: never displaced)
                                     grounds=(*plan, *(r.grounding for pack in self.guardrails.packs
                                                       for r in pack.rules if r.grounding)) if instead else plan,
                                     states=self._value_stated(query),
                                     part_states=part_states,
                                     holds=instead, closing=closing, says=self._says_what_it_does,
                                     kin=classes_mentioned,
                                     own_words=query.asked)

    def _says_what_it_does(self, sentence: str, other: str) -> bool:
        """Does the sentence name every test, treatment and protocol the other names (an order of "<test> with
        <protocol>" said again in a longer sentence)?"""
        kinds = frozenset({"object", "protocol"})
        named = self.guardrails.vocabulary.concepts(other, kinds)
        return bool(named) and named <= self.guardrails.vocabulary.concepts(sentence, kinds)

    def _value_stated(self, query: Query):
        """For a question asking for a value (a dose, a duration, a figure ...): does a sentence give one? None
        for other questions."""
        answer_types = self.queries.answer_types
        if not answer_types.evidence.get(query.answer_type):
            return None
        # whose value it is ("how long should the <thing> be?"): a value of something else does not answer it
        owner = content_words(" ".join(query.owner))
        # (whose value a list item gives may be said only by its subsection's heading: "<Drug>" / "Regimen: ...")
        return lambda text, heading="": (answer_types.gives_value(query.answer_type, text)
                                         and (not owner or bool(owner & content_words(f"{text} {heading}"))))

    def _part_value_stated(self, part: str, kind: str, listed: frozenset[str]):
        """For one part of a question that asks for a value ("what dose", "for how long"), for what a type answered in
        words says (a site, a reason), or for the members of one of the documents' listed categories ("what <kinds>
        can ...?"): does a sentence, under its subsection's heading, give that? None for a part that asks for none."""
        answer_types = self.queries.answer_types
        if answer_types.evidence.get(kind):
            return lambda text, heading="": answer_types.gives_value(kind, text)
        if answer_types.prefer.get(kind):  # a part answered in words ("..., and where does it go?": a place)
            return lambda text, heading="": answer_types.states(kind, text)
        categories = asked_categories(part, listed)
        return UnderCategories(categories) if categories else None

    def category_headings(self, snapshot) -> tuple[list[str], np.ndarray | None]:
        """Per snapshot: the (lower-case) headings of the documents' categorised lists, and their meanings."""
        def derive(s):
            headings = sorted({h for hs in self.categories(s).values() for h in hs})
            return headings, self.embedder.encode(headings) if headings else None
        return self._for_build(snapshot, "category_headings", derive)

    def _had_categories(self, query: Query, snapshot) -> frozenset[str]:
        """The list categories (headings) the asker says they already have ("apart from <a> and <b>, what else?"):
        each excluded item is the category nearest it in meaning ("<kind A>s" is filed under "<category A>", not
        under a heading that merely lists "<other> <kind A>s" too)."""
        items = [x.strip() for x in re.split(r",|\band\b|\bor\b|/", self.queries.answer_types.excluded(query.focus))
                 if content_words(x)]
        if not items:
            return frozenset()
        headings, vectors = self.category_headings(snapshot)
        if vectors is None:
            return frozenset()
        similarity = self.embedder.encode(items) @ vectors.T
        return frozenset(headings[int(row.argmax())] for row in similarity if float(row.max()) >= HAD_CATEGORY_MIN)

    def _with_sources(self, draft: DraftAnswer, snapshot, query: Query, most: int = 3) -> DraftAnswer:
        """A provenance answer: the statement, then the reference records it rests on, each cited to the
        document's reference list (an indexed passage). A question that describes a record by words only the
        reference list uses ("which of its references is a case report in a <profession>'s journal?") is answered
        with those records."""
        if not draft.sentences:
            return draft
        first = draft.passages[draft.sentences[0].cites[0] - 1].chunk
        records = next((c for c in snapshot.chunks if c.document_id == first.document_id
                        and is_reference_chunk(c)), None)
        if records is not None:
            # (query.asked is without what the question sets aside: "apart from the <publisher> overview, which paper?")
            asked = content_words(self.queries.answer_types.without_cues(query.asked, "source"))
            described = _records_described(records.sentences, asked - self.document_words(snapshot, first.document_id))
            own = _sentence_refs(first, draft.sentences[0].text) if described and query.quoted else ()
            if own and not any(set(r.refs) & set(own) for r in described):
                # the record the asker names is what someone credited the quoted line to ("the slide says '<x>' and
                # credits it to <a journal>; which reference is it actually tied to?"): the line's own marks answer
                described = []
            if described:
                passages = [*draft.passages, ScoredChunk(chunk=records, score=0.0)]
                # (the quoted line, where the record is its own, goes first: "quote me its wording and the source")
                head = (draft.sentences[0],) if query.quoted and own else ()
                return draft.model_copy(update={
                    "sentences": (*head, *(CitedSentence(text=s.text, cites=(len(passages),), record=True)
                                           for s in described[:most])), "passages": tuple(passages)})
        # the statement's own reference marks when it has them ("... untreated 7, 8"), else its passage's
        statement, cite = draft.sentences[0], draft.sentences[0].cites[0]
        refs = _sentence_refs(first, statement.text)
        if records is None or not refs:
            return draft
        passages = list(draft.passages)
        # a kind of record asked for ("the supporting source that is a research article rather than a guideline"):
        # only records of that kind, for the statement of the draft that has one
        wanted = _kinds_asked([s.text for s in records.sentences], query.asked)
        if wanted:
            kinds = {n: _record_kind(s.text) for s in records.sentences for n in s.refs}
            own = [(x, c) for x in draft.sentences for c in x.cites[:1]
                   if any(kinds.get(n) in wanted for n in _sentence_refs(draft.passages[c - 1].chunk, x.text))]
            if own:
                statement, cite = own[0]
                refs = _sentence_refs(draft.passages[cite - 1].chunk, statement.text)
            refs = tuple(n for n in refs if kinds.get(n) in wanted) or refs
        passages.append(ScoredChunk(chunk=records, score=0.0))
        n = len(passages)
        cited = [CitedSentence(text=s.text, cites=(n,), record=True) for s in records.sentences
                 if set(s.refs) & set(refs)]
        head = CitedSentence(text=statement.text, cites=(cite,))
        return draft.model_copy(update={"sentences": (head, *cited[:most]), "passages": tuple(passages)})

    def _assemble(self, query: Query, draft: DraftAnswer, verdict: Verdict, snapshot, qvec: np.ndarray,
                  docs: dict, conversation_id: str | None, decision: ScopeDecision) -> Answer:
        passages = list(draft.passages)
        sentences: list[tuple[str, tuple[int, ...]]] = []
        for s in verdict.sentences:
            cites = s.cites if s.source == "draft" else self._ground(s, passages, snapshot, qvec)
            sentences.append((s.text, cites))
        abstained = draft.abstained and not any(s.source == "mandated" for s in verdict.sentences)
        numbering: dict[int, int] = {}
        parts = []
        for text, cites in sentences:
            marks = "".join(f"[{numbering.setdefault(c, len(numbering) + 1)}]" for c in cites)
            body = as_sentence(text)
            parts.append(f"{body[:-1]} {marks}{body[-1]}" if marks else body)
        citations = [self._citation(n, passages[old - 1], docs, self._by_title) for old, n in numbering.items()]
        text = " ".join(parts) if parts else ABSTAIN_TEXT
        if draft.partial and parts:
            text = f"The indexed sources do not give {draft.partial} for this question. What they do say: {text}"
        cited = dict.fromkeys(c.document_id for c in citations)
        source_disclaimers = tuple(SourceDisclaimer(document_id=d, title=docs[d].title, text=docs[d].disclaimer)
                                   for d in cited if d in docs and docs[d].disclaimer)
        return Answer(
            conversation_id=conversation_id or "", answer=text, citations=tuple(citations),
            guardrail=GuardrailResult(action=verdict.action, rules_version=verdict.rules_version,
                                      violations=tuple(Violation(rule_id=v.rule_id, message=v.message, span=v.span)
                                                       for v in verdict.violations)),
            abstained=abstained, disclaimer=self.settings.disclaimer, source_disclaimers=source_disclaimers,
            index_version=snapshot.manifest["build_id"], banner=verdict.banner, synthesizer=draft.synthesizer,
            fallback_reason=draft.fallback_reason or (f"{decision.outcome}: {'; '.join(decision.reasons)}"
                                                      if decision.outcome != "answer" else None),
            scope=decision.outcome, llm_outcome=draft.llm_outcome, llm_dropped=draft.llm_dropped,
        )

    def _ground(self, s: SafeSentence, passages: list[ScoredChunk], snapshot, qvec: np.ndarray) -> tuple[int, ...]:
        """A mandated statement cites the indexed passage its rule is grounded in."""
        for i, p in enumerate(passages):
            if s.grounding and s.grounding in " ".join(x.text for x in p.chunk.sentences):
                return (i + 1,)
        chunk = self.chunk_holding(snapshot, s.grounding) if s.grounding else None
        if chunk is None:
            return ()
        from rag.index.store import faiss_id

        score = float(snapshot.faiss_index.reconstruct(faiss_id(chunk.id)) @ qvec)
        passages.append(ScoredChunk(chunk=chunk, score=0.0, dense=score))
        return (len(passages),)

    @staticmethod
    def _citation(n: int, sc: ScoredChunk, docs: dict, by_title: dict[str, str]) -> Citation:
        doc = docs.get(sc.chunk.document_id)
        titles = {r.n: r.title for r in doc.references} if doc else {}
        return Citation(
            n=n, document_id=sc.chunk.document_id, title=sc.chunk.title, section=sc.chunk.section_label,
            chunk_id=sc.chunk.id, text=sc.chunk.text, score=round(sc.dense if sc.dense is not None else sc.score, 4),
            references=tuple(CitationRef(n=r, title=titles.get(r, ""), document_id=by_title.get(_title_key(
                titles.get(r, "")))) for r in sc.chunk.refs),
        )

    @staticmethod
    def with_neighbours(snapshot, passages: list[ScoredChunk], top: int = 3) -> list[ScoredChunk]:
        """A top passage brings the chunks beside it in the same section (a section cut in two stays whole); any
        passage that is part of a lead-in's list (a chunk ending in 'raises concern for:' and the short subsections
        after it) brings the whole list, so one item's neighbours are there for "what else could it be?"."""
        have = {p.chunk.id for p in passages}
        extra = []

        def add(chunk, score: float) -> None:
            if chunk.id not in have:
                have.add(chunk.id)
                extra.append(ScoredChunk(chunk=chunk, score=score))

        for p in passages[:top]:
            for ordinal in (p.chunk.ordinal - 1, p.chunk.ordinal + 1):
                near = snapshot.at(p.chunk.document_id, ordinal)
                if near and near.section == p.chunk.section:
                    add(near, p.score * 0.5)
        for p in passages:
            for member in lead_in_group(snapshot, p.chunk):
                add(member, p.score * 0.5)
        return passages + extra


_thread = threading.local()


def _configure_thread(threads: int) -> None:
    if not getattr(_thread, "configured", False):  # OpenMP thread counts are per thread (server pools)
        set_threads(threads)
        _thread.configured = True


@dataclass
class _Turn:
    """What the first half of a turn hands the second: everything but the draft."""

    query: Query
    snapshot: object
    docs: dict
    qvec: np.ndarray
    passages: list[ScoredChunk]
    t0: float
    deadline: float  # time.monotonic() by which the LLM must have answered
    decision: ScopeDecision | None = None
    prompt: Prompt | None = None
    llm_started: float = 0.0
    core_vector: np.ndarray | None = None  # a long vignette's asking part, embedded once for the whole turn
    extractive: DraftAnswer | None = None  # the default's draft, composed while the model writes
    plan: tuple[str, ...] = ()  # source sentences of the rules the question's own plan breaks
    plan_breaks_rule: bool = False  # whether the question's own plan breaks a pack rule (those sentences answer it)
    instead: tuple[str, ...] = ()  # what their packs say to do in place of that plan
    closing: tuple[str, ...] = ()  # what the patient's subject needs, said after an answer to another question
    # the document's advice for a patient its stated coverage leaves out (Pipeline._addressing): the whole answer
    addressing: DraftAnswer | None = None
    part_vectors: np.ndarray | None = None  # the question's parts (Query.parts), embedded once for the whole turn
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def topical(self) -> list[ScoredChunk]:
        return [p for p in self.passages if self.decision and p.chunk.document_id == self.decision.document_id]
# a concept this share of a document's sentences name is what the document is about: an item of its limits that names
# only such concepts is told from its own patients by its other words (rag.coverage.Exclusion.needs)
SUBJECT_CONCEPT_SHARE = 0.1
DOCUMENT_CONCEPT_SENTENCES = 2  # a region named in fewer sentences of a regional document (not its title) is in passing
HAD_CATEGORY_MIN = 0.3  # an excluded item this close in meaning to a list's category heading is that category
CATEGORY_WORD_SENTENCES = 3  # a word in more indexed sentences than this is too common to name a kind of thing
LEAD_IN_ITEMS = 4  # the most subsections a lead-in's list reaches over
LEAD_IN_ITEM_SENTENCES = 3  # a longer subsection is a section of its own, not a list item


def lead_in_group(snapshot, chunk) -> list:
    """The chunks of the lead-in list this chunk belongs to (the lead-in chunk, ending in ':', and the short
    subsections right after it), or [] when it belongs to none."""
    def is_lead_in(c) -> bool:
        return bool(c.sentences) and c.sentences[-1].text.rstrip().endswith(":") and not c.sentences[-1].bullet

    def items(lead) -> list:
        out = []
        for ordinal in range(lead.ordinal + 1, lead.ordinal + 1 + LEAD_IN_ITEMS):
            c = snapshot.at(lead.document_id, ordinal)
            if c is None or c.section == lead.section or len(c.sentences) > LEAD_IN_ITEM_SENTENCES or is_lead_in(c):
                break
            out.append(c)
        return out

    for back in range(0, LEAD_IN_ITEMS + 1):
        lead = snapshot.at(chunk.document_id, chunk.ordinal - back)
        if lead is None:
            break
        if is_lead_in(lead) and len(lead.sentences) <= LEAD_IN_ITEM_SENTENCES:
            group = items(lead)
            if group and (back == 0 or chunk.id in {c.id for c in group}):
                return [lead, *group]
            break
        if back and (len(lead.sentences) > LEAD_IN_ITEM_SENTENCES):
            break
    return []


def listed_categories(snapshot) -> dict[str, frozenset[str]]:
    """What a document's own lists say a word is: each (stemmed) word of a lead-in list's item ("<finding A>,
    <finding B> or <finding C>") that the corpus uses sparingly, mapped to the subsection heading it sits under
    ("<category>")."""
    out: dict[str, set[str]] = {}
    seen: set[str] = set()
    # only words the corpus uses sparingly name a kind of thing ("<finding>"); the subject's own words do not
    frequency: dict[str, int] = {}
    for c in snapshot.chunks:
        for sentence in c.sentences:
            for w in content_words(sentence.text):
                frequency[w] = frequency.get(w, 0) + 1
    for chunk in snapshot.chunks:
        group = lead_in_group(snapshot, chunk) if chunk.id not in seen else []
        for member in group[1:]:
            seen.add(member.id)
            title = member.section[-1] if member.section else ""
            heading = content_words(title)
            if not heading or not member.sentences:
                continue
            for w in content_words(member.sentences[0].text) - heading:
                if frequency.get(w, 0) > CATEGORY_WORD_SENTENCES:
                    continue
                out.setdefault(w, set()).add(title.lower())
        seen.update(c.id for c in group)
    return {w: frozenset(h) for w, h in out.items()}


def _answered_from(history: Sequence[dict], holding) -> str | None:
    """The document the last answer of a conversation quoted most (its sentences are the documents' own), or None.
    holding(text): the chunk whose sentences hold a text (Pipeline.chunk_holding)."""
    said = next((m["content"] for m in reversed(history) if m["role"] == "assistant"), "")
    quoted = [s.strip().rstrip(".") for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s*\[\d+\]", "", said))]
    counts = Counter(chunk.document_id for text in quoted if len(text) >= 25 and (chunk := holding(text)) is not None)
    return counts.most_common(1)[0][0] if counts else None


def _inverse_sentence_frequency(snapshot, items) -> dict[str, float]:
    """log(n / (df + 0.5)) of each item (a word, a concept) over the indexed sentences; items(text) -> its items."""
    df: dict[str, int] = {}
    sentences = [s.text for c in snapshot.chunks for s in c.sentences]
    for text in sentences:
        for item in set(items(text)):
            df[item] = df.get(item, 0) + 1
    n = len(sentences) + 1
    return {item: math.log(n / (d + 0.5)) for item, d in df.items()}


def _lines_quoted(quoted: Sequence[str], passages: Sequence[ScoredChunk]) -> list[str]:
    """The passages' sentences that hold a span the question quotes (Query.quoted), word for word ("the line saying
    '<x>' - which reference supports it?"): the statement asked about, whatever else it resembles."""
    spans = [f" {_title_key(normalize(x))} " for x in quoted]
    return list(dict.fromkeys(s.text for p in passages for s in p.chunk.sentences
                              if any(span in f" {_title_key(normalize(s.text))} " for span in spans))) if spans else []


def _records_described(records: Sequence, only_listed: set[str]) -> list:
    """The reference records a question describes by words only the reference list uses: two of them in one record.
    A word most records share ("journal") tells none apart; one word alone may be any record's passing word
    ("overview", "report")."""
    said = [content_words(s.text) for s in records]
    telling = {w for w in only_listed if 0 < sum(w in x for x in said) <= max(1, len(said) // 3)}
    return [s for s, x in zip(records, said, strict=True) if len(telling & x) >= 2]


def _record_kind(record: str) -> str:
    """The kind a reference record gives before its publisher ("Reference 4: <title> (Research; <journal>, 2008).")."""
    found = re.findall(r"\(([^();]+);[^()]*\)\.?\s*$", record)
    return found[-1].strip().lower() if found else ""


def _kinds_asked(records: Sequence[str], asked: str) -> frozenset[str]:
    """The record kinds a question asks for by name, less those it sets aside ("rather than a guideline"); none when
    it names every kind the list has, or none."""
    kinds = {k for r in records if (k := _record_kind(r))}
    text = asked.lower()
    # (a kind offered as one alternative asks which it is: "a guideline, or a paper?")
    named = {k for k in kinds if re.search(rf"\b{re.escape(k)}", text)
             and not re.search(rf"\b{re.escape(k)}\w*\s*,?\s+or\b|\bor\s+(?:an?\s+|the\s+)?{re.escape(k)}", text)}
    refused = {k for k in named
               if re.search(rf"\b(?:rather than|instead of|other than|not)\s+(?:an?\s+|the\s+)?{re.escape(k)}", text)}
    wanted = frozenset(named - refused)
    return wanted if wanted and wanted != kinds else frozenset()


def _sentence_refs(chunk, text: str) -> tuple[int, ...]:
    """The reference marks of the chunk's sentence with this text, else the chunk's."""
    said = _plain(text).rstrip(" .;:")
    return next((s.refs for s in chunk.sentences if s.refs and _plain(s.text).rstrip(" .;:") == said),
                None) or chunk.refs


def _plain(text: str) -> str:
    return " ".join(text.lower().split())


def _title_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
