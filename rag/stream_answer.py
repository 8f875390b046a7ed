"""Which sentences of a model's answer may go to the clinician while the model is still writing.

A sentence is released once it is complete, has passed verification against its own cited passages, and the
sentence-level rules pass it in the context of every sentence before it (answer-level rules that depend on the
question, such as emergency escalation, are decided before the first byte: such answers are not released
early at all). Release keeps order: once a sentence is held back, nothing after it is released early, and the
rest of the answer is decided on the whole draft when the model has finished.
"""

from __future__ import annotations

from guardrails.engine import DraftSentence, GuardrailEngine
from rag.llm_answer import LLMSynthesizer, Prompt
from rag.llm_reply import clean, parse
from rag.types import CitedSentence, ScoredChunk


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
