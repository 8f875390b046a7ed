"""clinrag's hybrid retrieval (dense + BM25, fused) as a llama-index retriever of cited nodes."""

from __future__ import annotations

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

from rag.ingest.chunk import is_reference_chunk
from rag.pipeline import Pipeline
from rag.types import ScoredChunk

# what a node carries for citing; the LLM sees title and section, never ids or the reference list
CITATION_KEYS = ("document_id", "title", "section", "chunk_id", "version", "references")
HIDDEN_FROM_LLM = ["document_id", "chunk_id", "version", "references"]


def chunk_node(pipeline: Pipeline, scored: ScoredChunk, n: int = 1) -> NodeWithScore:
    """One clinrag passage as a llama-index node, with the same citation (references linked) that /v1/chat gives."""
    snapshot = pipeline.library.snapshot
    docs = pipeline._documents(snapshot.manifest["build_id"])  # also refreshes the title -> document links
    citation = Pipeline._citation(n, scored, docs, pipeline._by_title)
    chunk = scored.chunk
    node = TextNode(
        id_=chunk.id, text=chunk.text,
        metadata={"document_id": chunk.document_id, "title": chunk.title, "section": chunk.section_label,
                  "chunk_id": chunk.id, "version": chunk.version,
                  "references": [r.model_dump() for r in citation.references]},
        excluded_llm_metadata_keys=list(HIDDEN_FROM_LLM), excluded_embed_metadata_keys=list(CITATION_KEYS),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.document_id)})
    return NodeWithScore(node=node, score=scored.score)


class ClinragRetriever(BaseRetriever):
    """Returns what clinrag itself would retrieve for the question: its query reading (vocabulary, instructions
    treated as data), hybrid search over the live index snapshot, reference lists left out."""

    def __init__(self, pipeline: Pipeline, top_k: int | None = None,
                 callback_manager: CallbackManager | None = None) -> None:
        if not pipeline.ready:
            raise ValueError("warm the pipeline up first (Pipeline.warm_up()): its index is not open")
        self._pipeline = pipeline
        self._top_k = top_k or pipeline.settings.top_k
        super().__init__(callback_manager=callback_manager)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        p = self._pipeline
        snapshot = p.library.snapshot  # one snapshot for the whole call, as the pipeline does
        query = p.queries.read([{"role": "user", "content": query_bundle.query_str}], spell=p.typos(snapshot).fix,
                               topical=p.topical_words(snapshot))
        vector = p.embedder.encode_query(query.search)
        found = p.retriever.retrieve(snapshot, query.search, self._top_k + 1, vector=vector, core=query.core)
        passages = [s for s in found if not is_reference_chunk(s.chunk)][:self._top_k]
        return [chunk_node(p, s, i + 1) for i, s in enumerate(passages)]
