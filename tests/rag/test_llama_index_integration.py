"""clinrag inside a real llama-index RetrieverQueryEngine, with a local deterministic LLM (no network)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

from llama_index.core.base.llms.types import CompletionResponse, LLMMetadata
from llama_index.core.llms import CustomLLM
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import get_response_synthesizer

from clinrag_llama_index import ClinragGuardrail, ClinragRetriever, GuardedSynthesizer
from tests.conftest import REPO

IMAGING = "What imaging should I order for a palpable mid-lumbar mass?"
UNSAFE_TAIL = "Reassess in 4-6 weeks before ordering an MRI."


class ComposingLLM(CustomLLM):
    """Answers with the first sentence of the first retrieved passage in its prompt, plus a scripted tail."""

    tail: str = ""
    prompts: list[str] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="composing-test-llm", context_window=32000, num_output=256)

    def _compose(self, prompt: str) -> str:
        self.prompts.append(prompt)
        context = prompt.split("---------------------")[1]
        passage = next(line for line in context.splitlines()
                       if line.strip() and not line.startswith(("title:", "section:")))
        first = passage.split(". ")[0].rstrip(".") + "."
        return f"{first} {self.tail}".strip()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self._compose(prompt))

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):
        text = self._compose(prompt)
        yield CompletionResponse(text=text, delta=text)


def engine(pipeline, tail: str = "", streaming: bool = False) -> tuple[RetrieverQueryEngine, ComposingLLM]:
    llm = ComposingLLM(tail=tail, prompts=[])
    synthesizer = get_response_synthesizer(llm=llm, response_mode="compact", streaming=streaming)
    guarded = GuardedSynthesizer(synthesizer, ClinragGuardrail(pipeline))
    return RetrieverQueryEngine(ClinragRetriever(pipeline, top_k=4), response_synthesizer=guarded), llm


def test_the_retriever_returns_cited_nodes(pipeline):
    nodes = ClinragRetriever(pipeline, top_k=4).retrieve(IMAGING)
    assert 1 <= len(nodes) <= 4
    for n in nodes:
        meta = n.node.metadata
        chunk = pipeline.library.snapshot.chunk(meta["chunk_id"])
        assert n.node.node_id == chunk.id and n.node.get_content() == chunk.text
        assert meta["document_id"] == chunk.document_id and meta["title"] == chunk.title
        assert meta["section"] == chunk.section_label and n.node.ref_doc_id == chunk.document_id
        assert [r["n"] for r in meta["references"]] == list(chunk.refs)
    cited = [r for n in nodes for r in n.node.metadata["references"]]
    assert cited and all(r["title"] for r in cited)  # the article's own reference list, linked by number
    assert "without and with" in " ".join(n.node.get_content() for n in nodes)
    # the LLM sees title and section, never ids or the reference list
    llm_view = nodes[0].node.get_content(metadata_mode="llm")
    assert nodes[0].node.metadata["section"] in llm_view and "chunk_id" not in llm_view


def test_a_safe_response_passes_unchanged_inside_a_query_engine(pipeline):
    query_engine, llm = engine(pipeline)
    response = query_engine.query(IMAGING)
    drafted = llm._compose(llm.prompts[0])
    assert response.response == drafted
    assert response.metadata["guardrail"]["action"] == "pass"
    assert response.metadata["guardrail"]["violations"] == []
    assert response.source_nodes and all("document_id" in n.node.metadata for n in response.source_nodes)


def test_an_unsafe_response_is_revised_with_the_cited_mandated_statement(pipeline):
    query_engine, _llm = engine(pipeline, tail=UNSAFE_TAIL)
    response = query_engine.query(IMAGING)
    guardrail = response.metadata["guardrail"]
    assert guardrail["action"] == "revise"
    assert guardrail["violations"][0]["rule_id"] == "RF-MRI-DELAY"
    assert "4-6 weeks" not in response.response
    mandated = pipeline.guardrails.rule("RF-MRI-DELAY").mandated_statement.rstrip(".")
    assert mandated in response.response
    marker = response.response.split(mandated, 1)[1].split("]", 1)[0] + "]"
    n = int(marker.strip(" [.]"))
    grounding = " ".join(pipeline.guardrails.rule("RF-MRI-DELAY").grounding.split())
    assert grounding in " ".join(response.source_nodes[n - 1].node.get_content().split())


def test_a_streaming_engine_and_the_async_path_are_checked_too(pipeline):
    streaming, _ = engine(pipeline, tail=UNSAFE_TAIL, streaming=True)
    streamed = streaming.query(IMAGING)
    assert streamed.metadata["guardrail"]["action"] == "revise" and "4-6 weeks" not in streamed.response
    async_engine, _ = engine(pipeline, tail=UNSAFE_TAIL)
    answered = asyncio.run(async_engine.aquery(IMAGING))
    assert answered.metadata["guardrail"]["action"] == "revise" and "4-6 weeks" not in answered.response


def test_an_emergency_question_gets_the_banner_first(pipeline):
    question = "A patient with a known lumbar mass now has urinary retention and saddle numbness. What next?"
    response = engine(pipeline)[0].query(question)
    assert response.metadata["guardrail"]["action"] == "escalate"
    assert response.response.startswith(response.metadata["guardrail"]["banner"])
    assert "surgical consultation" in response.response


def test_the_guardrail_step_works_on_any_response_as_a_function(pipeline):
    from llama_index.core.base.response.schema import Response

    guard = ClinragGuardrail(pipeline)
    checked = guard(Response(response="For a palpable lumbar mass, start physical therapy first and image later."),
                    "Palpable lumbar mass: next step?")
    assert checked.metadata["guardrail"]["action"] in {"revise", "block"}
    assert "physical therapy first" not in checked.response
    assert checked.source_nodes  # the mandated statement brought its grounding passage, cited


def test_the_core_imports_without_llama_index():
    """rag/, api/ and guardrails/ never import llama_index: they load with it made unimportable."""
    code = ("import sys; sys.modules['llama_index'] = None\n"
            "import api.app, rag.pipeline, rag.cli, guardrails.engine, guardrails.stream, eval.runner\n"
            "assert not [m for m in sys.modules if m.startswith('llama_index') and sys.modules[m] is not None]\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
