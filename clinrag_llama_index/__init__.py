"""clinrag inside llama-index: a retriever over clinrag's hybrid index and a guardrail step for any response.

Install with `pip install 'clinrag[llama-index]'`. This package is the only place that imports llama_index;
rag/, api/ and guardrails/ never do.

    pipeline = Pipeline(); pipeline.warm_up()
    engine = RetrieverQueryEngine(ClinragRetriever(pipeline),
                                  response_synthesizer=GuardedSynthesizer(get_response_synthesizer(llm=my_llm),
                                                                          ClinragGuardrail(pipeline)))
"""

from __future__ import annotations

try:
    import llama_index.core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("clinrag_llama_index needs llama-index-core: pip install 'clinrag[llama-index]'") from exc

from clinrag_llama_index.guard import ClinragGuardrail, GuardedSynthesizer
from clinrag_llama_index.retriever import ClinragRetriever, chunk_node

__all__ = ["ClinragGuardrail", "ClinragRetriever", "GuardedSynthesizer", "chunk_node"]
