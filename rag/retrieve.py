"""Hybrid retrieval: dense (FAISS cosine) and BM25, fused by reciprocal rank, over one snapshot."""

from __future__ import annotations

import numpy as np

from rag.embed import Embedder
from rag.index.store import Snapshot
from rag.text import tokenize
from rag.types import ScoredChunk


def dense_search(snapshot: Snapshot, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(faiss id, cosine) pairs, best first."""
    if snapshot.faiss_index.ntotal == 0:
        return []
    scores, ids = snapshot.faiss_index.search(vector.reshape(1, -1), min(k, snapshot.faiss_index.ntotal))
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]


def sparse_search(snapshot: Snapshot, query: str, k: int) -> list[tuple[int, float]]:
    """(position in snapshot.chunks, BM25 score) pairs, best first; unknown words are dropped."""
    if snapshot.bm25 is None:
        return []
    vocab = snapshot.bm25.vocab_dict
    tokens = [t for t in tokenize(query) if t in vocab]
    if not tokens:
        return []
    docs, scores = snapshot.bm25.retrieve([tokens], k=min(k, len(snapshot.chunks)), show_progress=False,
                                          n_threads=0)
    return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


class HybridRetriever:
    def __init__(self, embedder: Embedder, candidate_k: int = 20, rrf_k: int = 60) -> None:
        self.embedder = embedder
        self.candidate_k = candidate_k
        self.rrf_k = rrf_k

    def retrieve(self, snapshot: Snapshot, query: str, k: int, vector: np.ndarray | None = None,
                 core: str = "", core_vector: np.ndarray | None = None) -> list[ScoredChunk]:
        """query: the search text the query step made; vector: its embedding, when the caller has it; core: the
        asking part of a long vignette, searched as well so that a history full of other subjects ("known
        <condition> ... came in for <a test> ... two doses of <drug>, what next?") does not drown it."""
        expanded = query
        if vector is None:
            vector = self.embedder.encode([expanded])[0]
        fused: dict[str, float] = {}
        dense: dict[str, float] = {}
        sparse: dict[str, float] = {}
        searches = [(vector, expanded)]
        if core:
            searches.append((core_vector if core_vector is not None else self.embedder.encode_query(core), core))
        for v, text in searches:
            for rank, (fid, score) in enumerate(dense_search(snapshot, v, self.candidate_k)):
                chunk = snapshot.by_faiss_id[fid]
                dense[chunk.id] = max(score, dense.get(chunk.id, score)) if v is not vector else score
                fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            for rank, (pos, score) in enumerate(sparse_search(snapshot, text, self.candidate_k)):
                chunk = snapshot.chunks[pos]
                sparse.setdefault(chunk.id, score)
                fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
        return [ScoredChunk(chunk=snapshot.chunk(cid), score=score, dense=dense.get(cid), sparse=sparse.get(cid))
                for cid, score in ranked]
