"""Guard a streamed draft: text is released only after the rules have passed it.

Deltas are buffered into whole sentences, so a violating sentence split across chunks is seen whole.
Each complete sentence is judged with the packs in scope for everything seen so far. When the question
shows emergency features nothing is released until the whole answer is checked, because the escalation
banner and mandated statement must lead."""

from __future__ import annotations

from collections.abc import Sequence

from guardrails.engine import GuardrailEngine, Verdict, with_marks
from guardrails.sentences import split_citations, split_sentences


class StreamGuard:
    def __init__(self, engine: GuardrailEngine, question: str, history: Sequence[dict] = (),
                 sources: Sequence[str] = ()) -> None:
        self.engine = engine
        self.question = question
        self.history = history
        self.sources = tuple(sources)
        ctx = engine.context(question, history)
        self.hold_all = ctx.emergency or ctx.emergency_topic
        self._buffer = ""
        self._seen: list[str] = []  # complete sentences, in order
        self.released: list[str] = []

    def feed(self, delta: str) -> list[str]:
        """Add streamed text; returns the sentences now safe to emit."""
        self._buffer += delta
        pieces = split_sentences(self._buffer)
        if len(pieces) < 2:
            return []
        complete, last = pieces[:-1], pieces[-1]
        self._buffer = self._buffer[self._buffer.rfind(last):]
        out = []
        for sentence in complete:
            self._seen.append(sentence)
            if self.hold_all:
                continue
            verdict = self.engine.check(self.question, " ".join(self._seen), self.history, sources=self.sources)
            index = len(self._seen) - 1
            if verdict.banner or any(v.sentence in (index, None) for v in verdict.violations):
                # held until the whole draft is judged, and so is everything after it: a sentence may be cleared by
                # the one that follows it ("Let's postpone <another test>. The <study> is requested today."), and
                # what is released keeps the draft's order
                self.hold_all = True
                continue
            out.append(sentence)
        self.released += out
        return out

    def finish(self) -> tuple[Verdict, list[str]]:
        """The verdict on the whole draft, and what is still to emit (never a sentence it removed)."""
        full = " ".join([*self._seen, self._buffer.strip()]).strip()
        verdict = self.engine.check(self.question, full, self.history, sources=self.sources)
        released = {split_citations(s)[0] for s in self.released}
        rest = [with_marks(s.text, s.cites) for s in verdict.sentences if s.text not in released]
        return verdict, rest
