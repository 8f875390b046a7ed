"""The peer, side by side: a plain llama-index pipeline over the same chunks and embedder.

VectorStoreIndex + retriever + CitationQueryEngine with llama-index's MockLLM answers the same questions;
we report its latency beside ours. Needs the `bench` extra (llama-index-core)."""

from __future__ import annotations

from bench.common import summary, timed
from bench.latency import questions


def build(pipeline):
    from llama_index.core import Settings as LISettings
    from llama_index.core import VectorStoreIndex
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import MockLLM
    from llama_index.core.query_engine import CitationQueryEngine
    from llama_index.core.schema import TextNode

    embedder = pipeline.embedder

    class SameEmbedder(BaseEmbedding):
        def _get_query_embedding(self, query: str):
            return embedder.encode([query])[0].tolist()

        def _get_text_embedding(self, text: str):
            return embedder.encode([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]):
            return embedder.encode(texts).tolist()

        async def _aget_query_embedding(self, query: str):
            return self._get_query_embedding(query)

    LISettings.llm = MockLLM(max_tokens=64)
    LISettings.embed_model = SameEmbedder()
    nodes = [TextNode(text=c.text, id_=c.id, metadata={"section": c.section_label})
             for c in pipeline.library.snapshot.chunks]
    index = VectorStoreIndex(nodes, embed_model=LISettings.embed_model)
    return CitationQueryEngine.from_args(index, similarity_top_k=6, llm=LISettings.llm)


def run(pipeline, rounds: int = 3) -> dict:
    engine = build(pipeline)
    return summary(timed(engine.query, [q[-1]["content"] for q in questions()], rounds))
