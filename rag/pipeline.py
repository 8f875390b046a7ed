"""The composition root: settings -> embedder, library (index), retriever, synthesizer, guardrails.

One Pipeline serves the API, the CLI and the eval runner, so what the eval measures is what a
clinician gets. `answer(messages)` is the whole path for one turn.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from guardrails.engine import DraftSentence, GuardrailEngine, SafeSentence, Verdict
from rag.config import Settings
from rag.conversations import ConversationStore
from rag.embed import Embedder, set_threads
from rag.library import Library
from rag.retrieve import HybridRetriever
from rag.synthesize import ExtractiveComposer, SentenceVectors, as_sentence
from rag.text import (
    DIRECT_RECOMMENDATION,
    MRI_RULED_OUT,
    NEXT_STEP,
    ORDERS_MRI,
    WHEN_MRI_RULED_OUT,
    content_words,
    expand_query,
)
from rag.types import Answer, Citation, CitationRef, DraftAnswer, GuardrailResult, Retrieved, ScoredChunk, Violation

ABSTAIN_TEXT = ("The indexed sources do not cover this question, so I cannot answer it from them. "
                "Please consult other guidance.")
# Words that carry no topic: a question made only of them is judged on its other words.
GENERIC = content_words(
    "what which when how why best first line first-line recommended recommend recommendation treatment treat "
    "management manage appropriate approach next step steps patient patients doctor clinician should would could "
    "need needs needed evaluate evaluation option options initial right good use used using order ordering year "
    "old man woman male female adult child does do is are can may help useful important likely most explain "
    "forget moment just quick quicker tell now mode developer safety safe rules rule guideline guidelines "
    "please okay yes know think want new trigger triggers action happen going wrong thing things take get sure "
    "really instead able allowed fine shall must still anything something else other")
# Only the asking words: everything else in a question can point at the sentence that answers it.
QUESTION_WORDS = frozenset(content_words("what which when how why should would could does do is are can may "
                                         "patient patients doctor clinician next step steps manage managed management "
                                         "handle handled approach"))
# A question about a mass at the spine is this corpus' own topic, never one of its "Related Questions".
SPINAL_MASS = re.compile(r"(?=.*\b(?:mass|lump|swelling|lesion|tumou?r|growth)s?\b)"
                         r"(?=.*\b(?:lumbar|spine|spinal|paraspinal|back|l[1-5])\b)", re.IGNORECASE | re.DOTALL)
_FOLLOW_UP = re.compile(r"\b(?:it|its|that|this|these|those|they|them|he|she|him|her|his|instead|also|then|"
                        r"what if|why not|same|such|the scan|the study|the mass|the lesion)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    question: str
    history: tuple[dict, ...]
    retrieval_query: str


def split_turn(messages: Sequence[dict]) -> Turn:
    """The last user message is the question; earlier turns are the conversation it continues."""
    users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    if not users:
        raise ValueError("no user message")
    last = users[-1]
    question = str(messages[last].get("content") or "")
    history = tuple({"role": m.get("role"), "content": str(m.get("content") or "")} for m in messages[:last]
                    if m.get("role") in ("user", "assistant"))
    previous = [m["content"] for m in history if m["role"] == "user"]
    query = question
    if previous and (_FOLLOW_UP.search(question) or len(question.split()) < 12):
        query = f"{previous[-1]} {question}"
    return Turn(question=question, history=history, retrieval_query=query)


class Pipeline:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        s = self.settings
        self.embedder = embedder or Embedder(s.embedding_model, s.threads)
        self.library = Library(s, self.embedder)
        self.retriever = HybridRetriever(self.embedder, s.candidate_k, s.rrf_k)
        self.guardrails = GuardrailEngine()
        self.sentence_vectors = SentenceVectors(self.embedder.encode)
        self.composer = ExtractiveComposer(self.sentence_vectors, max_chars=s.max_answer_chars,
                                           skip=self.guardrails.is_instruction)
        self.conversations = ConversationStore(s.data_dir / "conversations.sqlite3")
        self.llm = None
        if s.llm_base_url:
            from rag.llm import LLMSynthesizer

            self.llm = LLMSynthesizer(s, fallback=self.composer)
        self._doc_cache: tuple[str, dict] = ("", {})
        self._idf: tuple[str, dict[str, float]] = ("", {})
        self._by_title: dict[str, str] = {}  # normalised title -> document id, for reference links
        self._related: tuple[str, np.ndarray | None] = ("", None)

    def warm_up(self, rebuild_if_needed: bool = True) -> None:
        """Load the model and the index (building it if needed) and answer once: ready to serve."""
        self.embedder.warm_up()
        self.library.open(rebuild_if_needed=rebuild_if_needed)
        self.answer([{"role": "user", "content": "warm-up: imaging for a palpable lumbar mass"}])

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

    def idf(self, snapshot) -> dict[str, float]:
        """Inverse sentence frequency of each word in the indexed corpus (rare words weigh more)."""
        build_id = snapshot.manifest["build_id"]
        if self._idf[0] != build_id:
            df: dict[str, int] = {}
            sentences = [s.text for c in snapshot.chunks for s in c.sentences]
            for text in sentences:
                for w in content_words(text):
                    df[w] = df.get(w, 0) + 1
            n = len(sentences) + 1
            self._idf = (build_id, {w: math.log(n / (d + 0.5)) for w, d in df.items()})
        return self._idf[1]

    # ---- abstention -----------------------------------------------------------------------------
    def coverage(self, query: str, passages: list[ScoredChunk]) -> float:
        terms = content_words(expand_query(query)) - GENERIC
        if not terms:
            return 1.0
        vocab = set().union(*(content_words(p.chunk.text + " " + p.chunk.section_label) for p in passages))
        return len(terms & vocab) / len(terms)

    def should_abstain(self, query: str, qvec: np.ndarray, passages: list[ScoredChunk]) -> str | None:
        """Why the indexed sources do not cover the question (None: they do). Calibrated on eval/cases:
        key-term coverage, the best single sentence's similarity (sharper than a whole chunk's), and
        closeness to the article's "Related Questions" list, which is not clinical content."""
        if not passages:
            return "nothing retrieved"
        cov = self.coverage(query, passages)
        if cov < self.settings.abstain_min_coverage:
            return f"passages cover {cov:.0%} of the question's key terms"
        vectors = self.sentence_vectors.get(passages)
        best = max(float(np.max(vectors[p.chunk.id] @ qvec)) for p in passages if p.chunk.sentences)
        if best < self.settings.abstain_min_similarity and cov < self.settings.abstain_weak_coverage:
            return f"best sentence similarity {best:.2f} and key-term coverage {cov:.0%} are both low"
        related = self._related[1]
        if related is not None and len(related) and not SPINAL_MASS.search(query):
            near = float(np.max(related @ qvec))
            best_chunk = max((p.dense for p in passages if p.dense is not None), default=0.0)
            if near >= 0.65 and near > best_chunk + 0.1 and near > best + 0.05:
                return f"question matches a listed related question (not clinical content), {near:.2f}"
        return None

    # ---- the whole turn -------------------------------------------------------------------------
    def answer(self, messages: Sequence[dict], conversation_id: str | None = None) -> Answer:
        if not getattr(_thread, "configured", False):  # OpenMP thread counts are per thread (server pools)
            set_threads(self.settings.threads)
            _thread.configured = True
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        turn = split_turn(messages)
        # instructions to the system inside a question are data: they steer neither retrieval nor scope
        query = self.guardrails.strip_instructions(turn.retrieval_query) or turn.retrieval_query
        turn = Turn(question=turn.question, history=turn.history, retrieval_query=query)
        snapshot = self.library.snapshot  # one snapshot for the whole turn: old or new, never a mix
        docs = self._documents(snapshot.manifest["build_id"])
        qvec = self.embedder.encode_query(expand_query(turn.retrieval_query))
        passages = self.with_neighbours(snapshot, self.retriever.retrieve(
            snapshot, turn.retrieval_query, self.settings.top_k, vector=qvec))
        timings["retrieve"] = _ms(t0)
        t1 = time.perf_counter()
        reason = self.should_abstain(turn.retrieval_query, qvec, passages)
        if reason:
            draft = DraftAnswer(sentences=(), passages=(), abstained=True)
        elif self.llm is not None:
            draft = self.llm.compose(turn.question, qvec, passages, turn.history, self.idf(snapshot), QUESTION_WORDS)
        else:
            # a follow-up's own words pick the sentences; the resolved query only found the passages
            cvec = qvec if turn.retrieval_query == turn.question else self.embedder.encode_query(
                expand_query(turn.question))
            adjust: tuple = ()
            if MRI_RULED_OUT.search(turn.question):
                adjust = ((ORDERS_MRI, -0.3), (WHEN_MRI_RULED_OUT, 0.3))
            elif NEXT_STEP.search(turn.question):
                adjust = ((DIRECT_RECOMMENDATION, 0.4),)
            draft = self.composer.compose(turn.question, cvec, passages, self.idf(snapshot), QUESTION_WORDS, adjust)
        timings["synthesize"] = _ms(t1)
        t2 = time.perf_counter()
        draft_sentences = [DraftSentence(text=s.text, cites=s.cites) for s in draft.sentences]
        verdict = self.guardrails.check(turn.question, draft_sentences, turn.history)
        if draft.abstained and verdict.action == "escalate" and not verdict.emergency:
            # a general question about warning signs, outside the sources: abstain, no banner
            verdict = verdict.model_copy(update={"action": "pass", "banner": None})
        timings["guardrails"] = _ms(t2)
        answer = self._assemble(turn, draft, verdict, snapshot, qvec, docs, conversation_id, reason)
        timings["total"] = _ms(t0)
        retrieved = tuple(Retrieved(chunk_id=p.chunk.id, document_id=p.chunk.document_id,
                                    section=p.chunk.section_label, score=round(p.score, 5)) for p in passages)
        return answer.model_copy(update={"timings_ms": timings, "retrieved": retrieved})

    def _assemble(self, turn: Turn, draft: DraftAnswer, verdict: Verdict, snapshot, qvec: np.ndarray,
                  docs: dict, conversation_id: str | None, reason: str | None) -> Answer:
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
        disclaimer = " ".join(sorted({docs[c.document_id].disclaimer for c in citations
                                      if c.document_id in docs and docs[c.document_id].disclaimer}))
        return Answer(
            conversation_id=conversation_id or "", answer=text, citations=tuple(citations),
            guardrail=GuardrailResult(action=verdict.action, rules_version=verdict.rules_version,
                                      violations=tuple(Violation(rule_id=v.rule_id, message=v.message, span=v.span)
                                                       for v in verdict.violations)),
            abstained=abstained, disclaimer=disclaimer, banner=verdict.banner, synthesizer=draft.synthesizer,
            fallback_reason=draft.fallback_reason or (f"abstained: {reason}" if reason else None),
        )

    def _ground(self, s: SafeSentence, passages: list[ScoredChunk], snapshot, qvec: np.ndarray) -> tuple[int, ...]:
        """A mandated statement cites the indexed passage its rule is grounded in."""
        for i, p in enumerate(passages):
            if s.grounding and s.grounding in " ".join(x.text for x in p.chunk.sentences):
                return (i + 1,)
        for chunk in snapshot.chunks:
            if s.grounding and s.grounding in " ".join(x.text for x in chunk.sentences):
                from rag.index.store import faiss_id

                score = float(snapshot.faiss_index.reconstruct(faiss_id(chunk.id)) @ qvec)
                passages.append(ScoredChunk(chunk=chunk, score=0.0, dense=score))
                return (len(passages),)
        return ()

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
        """A top passage brings the chunks beside it in the same section (a section cut in two stays whole)."""
        have = {p.chunk.id for p in passages}
        extra = []
        for p in passages[:top]:
            for ordinal in (p.chunk.ordinal - 1, p.chunk.ordinal + 1):
                near = snapshot.at(p.chunk.document_id, ordinal)
                if near and near.section == p.chunk.section and near.id not in have:
                    have.add(near.id)
                    extra.append(ScoredChunk(chunk=near, score=p.score * 0.5))
        return passages + extra


_thread = threading.local()


def _title_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
