"""clinrag's red-flag packs as a llama-index step: check a Response, revise it, say what was done.

A response from any llama-index engine (any LLM) is judged with the packs whose scope applies to the question,
the answer or the cited documents; violating sentences are replaced by the rule's mandated statement, cited to
the passage it is grounded in; an emergency puts the urgent banner first. The verdict rides in
`response.metadata["guardrail"]`. A streaming response is read whole first: no unchecked text gets through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.base.response.schema import (
    AsyncStreamingResponse,
    PydanticResponse,
    Response,
    StreamingResponse,
)
from llama_index.core.response_synthesizers import BaseSynthesizer
from llama_index.core.schema import NodeWithScore, QueryBundle

from clinrag_llama_index.retriever import chunk_node
from guardrails.engine import GuardrailEngine, SafeSentence, Verdict, with_marks
from rag.types import ScoredChunk


def _flat(text: str) -> str:
    return " ".join(text.split())


class ClinragGuardrail:
    """Callable on (response, question): returns the checked (and, where needed, revised) Response.

    pipeline: when given, a mandated statement whose grounding passage was not retrieved brings that passage in
    as a new source node, so the statement is cited as it would be in clinrag itself."""

    def __init__(self, pipeline=None, engine: GuardrailEngine | None = None) -> None:
        self._pipeline = pipeline
        self.engine = engine or (pipeline.guardrails if pipeline is not None else GuardrailEngine())

    def __call__(self, response: Response | StreamingResponse | PydanticResponse, question: str | QueryBundle,
                 history: Sequence[dict] = ()) -> Response:
        if isinstance(response, StreamingResponse | PydanticResponse):
            response = response.get_response()
        question = question.query_str if isinstance(question, QueryBundle) else question
        nodes = list(response.source_nodes)
        sources = sorted({n.node.metadata["document_id"] for n in nodes if "document_id" in n.node.metadata})
        verdict = self.engine.check(question, response.response or "", history, sources=sources)
        text = " ".join(with_marks(s.text, s.cites if s.source == "draft" else self._ground(s, nodes))
                        for s in verdict.sentences)
        if verdict.banner:
            text = f"{verdict.banner}\n\n{text}"
        metadata = {**(response.metadata or {}), "guardrail": _verdict_dict(verdict)}
        return Response(response=text, source_nodes=nodes, metadata=metadata)

    def _ground(self, s: SafeSentence, nodes: list[NodeWithScore]) -> tuple[int, ...]:
        """The [n] of the source node holding the rule's grounding passage (n counts source nodes from 1)."""
        if not s.grounding:
            return ()
        grounding = _flat(s.grounding)
        for i, n in enumerate(nodes):
            if grounding in _flat(n.node.get_content()):
                return (i + 1,)
        if self._pipeline is None:
            return ()
        for chunk in self._pipeline.library.snapshot.chunks:
            if grounding in _flat(chunk.text):
                nodes.append(chunk_node(self._pipeline, ScoredChunk(chunk=chunk, score=0.0), len(nodes) + 1))
                return (len(nodes),)
        return ()


def _verdict_dict(verdict: Verdict) -> dict[str, Any]:
    return {"action": verdict.action, "rules_version": verdict.rules_version, "packs": list(verdict.packs),
            "banner": verdict.banner,
            "violations": [{"rule_id": v.rule_id, "message": v.message, "span": v.span, "pack": v.pack}
                           for v in verdict.violations]}


class GuardedSynthesizer(BaseSynthesizer):
    """Wraps any response synthesizer so that every answer a query engine returns has passed the guardrail."""

    def __init__(self, inner: BaseSynthesizer, guardrail: ClinragGuardrail) -> None:
        # the inner synthesizer's LLM and helpers: never llama-index's global Settings
        super().__init__(llm=inner._llm, callback_manager=inner.callback_manager,
                         prompt_helper=inner._prompt_helper, chat_prompt_helper=inner._chat_prompt_helper)
        self._inner = inner
        self._guardrail = guardrail

    def _get_prompts(self):
        return self._inner.get_prompts()

    def _update_prompts(self, prompts_dict) -> None:
        self._inner.update_prompts(prompts_dict)

    def get_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any):
        raise TypeError("a guarded synthesizer answers through synthesize(), which checks the whole response")

    async def aget_response(self, query_str: str, text_chunks: Sequence[str], **kwargs: Any):
        raise TypeError("a guarded synthesizer answers through asynthesize(), which checks the whole response")

    def synthesize(self, query, nodes: list[NodeWithScore], additional_source_nodes=None, **kwargs: Any) -> Response:
        response = self._inner.synthesize(query, nodes, additional_source_nodes, **kwargs)
        return self._guardrail(response, query)

    async def asynthesize(self, query, nodes: list[NodeWithScore], additional_source_nodes=None,
                          **kwargs: Any) -> Response:
        response = await self._inner.asynthesize(query, nodes, additional_source_nodes, **kwargs)
        if isinstance(response, AsyncStreamingResponse):
            response = await response.get_response()
        return self._guardrail(response, query)
