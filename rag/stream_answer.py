"""Which sentences of a model's answer may go to the clinician while the model is still writing.

A sentence is released once it is complete, has passed verification against its own cited passages, and the
sentence-level rules pass it in the context of every sentence before it (answer-level rules that depend on the
question, such as emergency escalation, are decided before the first byte: such answers are not released
early at all). Release keeps order: once a sentence is held back, nothing after it is released early, and the
rest of the answer is decided on the whole draft when the model has finished.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from guardrails.engine import DraftSentence, GuardrailEngine
from rag.errors import LLMUnavailable
from rag.llm import Reply
from rag.llm_answer import LLMSynthesizer, Prompt
from rag.llm_reply import clean, parse
from rag.synthesize import as_sentence
from rag.types import Answer, CitedSentence, DraftAnswer, ScoredChunk

if TYPE_CHECKING:
    from rag.pipeline import Pipeline


class SentenceRelease:
    def __init__(self, synthesizer: LLMSynthesizer, guardrails: GuardrailEngine, question: str,
                 history: tuple[dict, ...], prompt: Prompt, passages: list[ScoredChunk]) -> None:
        self.synthesizer = synthesizer
        self.guardrails = guardrails
        self.question = question
        self.history = history
        self.prompt = prompt
        self.passages = passages
        self.sources = sorted({p.chunk.document_id for p in passages})
        self.accepted: list[CitedSentence] = []  # verified, in order
        self.released: list[CitedSentence] = []
        self.dropped: list[str] = []
        self._seen = 0
        self._mode: str | None = None
        self._holding = False

    def feed(self, content: str, done: bool = False) -> list[CitedSentence]:
        """The sentences of the answer so far that may be sent now (each at most once)."""
        text = clean(content)
        if not text:
            return []
        mode = "json" if text.lstrip().startswith("{") else "prose"
        if mode != self._mode:  # the reply turned out to be the other kind: start over, nothing released yet
            if self.released:
                return []
            self._mode, self._seen, self.accepted, self.dropped = mode, 0, [], []
        parsed = parse(content, None if done else "length", len(self.prompt.shown))
        sentences = list(parsed.sentences)
        if not done and mode == "prose":
            sentences = sentences[:-1]  # its [n] marker may still be on its way
        out = []
        for s in sentences[self._seen:]:
            checked = self.synthesizer.verified(s, self.prompt, self.passages)
            if isinstance(checked, str):
                self.dropped.append(checked)
                continue
            self.accepted.append(checked)
            if self._holding:
                continue
            verdict = self.guardrails.check(self.question, [DraftSentence(text=x.text, cites=x.cites)
                                                            for x in self.accepted], self.history,
                                            sources=self.sources)
            index = len(self.accepted) - 1
            if verdict.banner or any(v.sentence in (index, None) for v in verdict.violations):
                self._holding = True
                continue
            self.released.append(checked)
            out.append(checked)
        self._seen = max(self._seen, len(sentences))
        return out


async def stream_turn(p: Pipeline, messages: Sequence[dict]) -> AsyncIterator[str | Answer]:
    """The turn as the text pieces a clinician may see now, then the Answer (its text is their sum). With an
    LLM, each sentence goes out as soon as it is complete, verified and passed by the sentence-level rules;
    if the model fails before any sentence went out, the answer is exactly the extractive default."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + p.settings.llm_timeout_s
    turn = await loop.run_in_executor(p._workers, p._begin, messages, deadline)
    context = p.guardrails.context(turn.query.spelled or turn.query.question, turn.query.history)
    if (turn.prompt is None or p.llm is None or p.llm_client is None or turn.decision.outcome != "answer"
            or turn.query.answer_type == "source" or context.emergency or context.emergency_topic):
        yield await p._rest_of_turn(turn, loop)  # nothing is released before the whole answer is checked
        return
    release = SentenceRelease(p.llm, p.guardrails, turn.query.spelled or turn.query.question, turn.query.history,
                              turn.prompt, turn.topical)
    pieces: asyncio.Queue[str] = asyncio.Queue()
    request = asyncio.ensure_future(p.llm_client.acomplete(
        turn.prompt.messages, turn.deadline, lambda text: loop.call_soon_threadsafe(pieces.put_nowait, text)))
    fallback = loop.run_in_executor(p._workers, p._fallback_ready, turn)
    content, numbering, sent = "", {}, []
    try:
        while not (request.done() and pieces.empty()):
            waiter = asyncio.ensure_future(pieces.get())
            await asyncio.wait({waiter, request}, return_when=asyncio.FIRST_COMPLETED)
            if not waiter.done():
                waiter.cancel()
                continue
            content += waiter.result()
            for sentence in await loop.run_in_executor(p._workers, release.feed, content):
                sent.append(_render(sentence.text, sentence.cites, numbering))
                yield sent[-1] if len(sent) == 1 else " " + sent[-1]
        await fallback
        try:
            reply: Reply | LLMUnavailable = request.result()
        except LLMUnavailable as exc:
            reply = exc
        if not release.released:
            yield await loop.run_in_executor(p._workers, p._finish, turn, reply, None)
            return
        answer = await loop.run_in_executor(p._workers, finish_released, p, turn, release, reply, content,
                                            numbering, sent)
        if answer.answer != " ".join(sent):
            yield answer.answer[len(" ".join(sent)):]
        yield answer
    finally:
        request.cancel()  # the clinician left: the model stops writing


def finish_released(p: Pipeline, turn, release: SentenceRelease, reply, content: str,
                     numbering: dict[int, int], sent: list[str]) -> Answer:
    """Some sentences are out: the rest of the model's answer is decided on the whole draft; what was sent
    stays, and only sentences not yet sent are added (a failed model adds nothing more)."""
    from rag.pipeline import _configure_thread

    _configure_thread(p.settings.threads)
    if isinstance(reply, Reply):
        release.feed(content, done=True)
    turn.timings["llm"] = _ms(turn.llm_started)
    t2 = time.perf_counter()
    draft = DraftAnswer(sentences=tuple(release.accepted), passages=tuple(turn.topical), synthesizer="llm",
                        llm_outcome="accepted" if isinstance(reply, Reply) else "cut_short",
                        llm_dropped=tuple(release.dropped),
                        fallback_reason=None if isinstance(reply, Reply) else f"llm {reply.reason} after "
                        f"{len(release.released)} sentences were sent: the answer ends there")
    verdict = p.guardrails.check(turn.query.spelled or turn.query.question, [DraftSentence(text=x.text, cites=x.cites)
                                                          for x in draft.sentences], turn.query.history,
                                    sources=sorted({p.chunk.document_id for p in turn.topical}))
    passages = list(draft.passages)
    released = {(x.text, x.cites) for x in release.released}
    parts = list(sent)
    if isinstance(reply, Reply):
        for s in verdict.sentences:
            if s.source == "draft" and (s.text, s.cites) in released:
                continue
            cites = s.cites if s.source == "draft" else p._ground(s, passages, turn.snapshot, turn.qvec)
            parts.append(_render(s.text, cites, numbering))
    turn.timings["guardrails"] = _ms(t2)
    answer = p._assemble(turn.query, draft, verdict, turn.snapshot, turn.qvec, turn.docs, None, turn.decision)
    citations = tuple(p._citation(n, passages[old - 1], turn.docs, p._by_title)
                      for old, n in numbering.items())
    turn.timings["total"] = _ms(turn.t0)
    return answer.model_copy(update={"answer": " ".join(parts), "citations": citations,
                                     "timings_ms": turn.timings, "banner": None})


def _render(text: str, cites: tuple[int, ...], numbering: dict[int, int]) -> str:
    """A sentence with its markers, passages numbered by first appearance (as _assemble numbers them)."""
    marks = "".join(f"[{numbering.setdefault(c, len(numbering) + 1)}]" for c in cites)
    body = as_sentence(text)
    return f"{body[:-1]} {marks}{body[-1]}" if marks else body


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
