"""Ingest speed (documents and chunks per second), index size on disk, and retrieval quality on BEIR SciFact."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from bench.common import peak_rss_mb
from rag.config import Settings
from rag.ingest.readers import parse_document
from rag.library import Library
from rag.retrieve import dense_search, sparse_search


def dir_size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 2)


def shipped(embedder, data_dir: Path) -> dict:
    settings = Settings(data_dir=data_dir)
    started = time.perf_counter()
    library = Library(settings, embedder)
    library.open()
    seconds = time.perf_counter() - started
    m = library.snapshot.manifest
    return {"documents": m["document_count"], "chunks": m["chunk_count"], "seconds": round(seconds, 2),
            "chunks_per_s": round(m["chunk_count"] / seconds, 1), "index_mb": dir_size_mb(library.store.current_path())}


def load_scifact(root: Path) -> tuple[list, dict, dict]:
    docs = [json.loads(line) for line in (root / "corpus.jsonl").read_text().splitlines() if line.strip()]
    queries = {q["_id"]: q["text"] for q in map(json.loads, (root / "queries.jsonl").read_text().splitlines())}
    qrels: dict[str, set[str]] = {}
    for line in (root / "qrels/test.tsv").read_text().splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(qid, set()).add(did)
    return docs, queries, qrels


def scifact_ingest(embedder, root: Path, data_dir: Path) -> tuple[Library, dict]:
    raw, _, _ = load_scifact(root)
    library = Library(Settings(data_dir=data_dir, corpus_dir=_empty_corpus(data_dir)), embedder)
    library.open()
    started = time.perf_counter()
    docs = [parse_document(f"# {d['title'] or d['_id']}\n\n{d['text']}\n".encode(), f"{d['_id']}.md",
                           doc_id=f"sf-{d['_id']}", fmt="markdown") for d in raw if d["text"].strip()]
    parsed = time.perf_counter() - started
    library.write_many(docs, actor="bench", progress=False)
    seconds = time.perf_counter() - started
    chunks = len(library.snapshot.chunks)
    return library, {"documents": len(docs), "chunks": chunks, "seconds": round(seconds, 1),
                     "parse_seconds": round(parsed, 1), "docs_per_s": round(len(docs) / seconds, 1),
                     "chunks_per_s": round(chunks / seconds, 1), "index_mb": dir_size_mb(library.store.current_path()),
                     "peak_rss_mb": peak_rss_mb()}


def _empty_corpus(data_dir: Path) -> Path:
    corpus = data_dir / "empty-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "sources.yaml").write_text("documents: []\n")
    return corpus


def _doc_ranking(doc_ids: list[str]) -> list[str]:
    """Chunk hits -> documents, each at the rank of its best chunk."""
    return list(dict.fromkeys(doc_ids))


def ndcg_at_10(ranking: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranking[:10]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return dcg / ideal if ideal else 0.0


def retrieval_quality(library: Library, root: Path, candidates: int = 300, rrf_k: int = 60) -> dict:
    _, queries, qrels = load_scifact(root)
    snap = library.snapshot
    out: dict[str, dict[str, list[float]]] = {m: {"ndcg@10": [], "recall@100": []} for m in ("dense", "bm25", "hybrid")}
    for qid, relevant in qrels.items():
        query = queries[qid]
        vec = library.embedder.encode([query])[0]
        dense = [snap.by_faiss_id[f].document_id[3:] for f, _ in dense_search(snap, vec, candidates)]
        sparse = [snap.chunks[p].document_id[3:] for p, _ in sparse_search(snap, query, candidates)]
        fused: dict[str, float] = {}
        for ranked in (dense, sparse):
            for rank, doc in enumerate(_doc_ranking(ranked)):
                fused[doc] = fused.get(doc, 0.0) + 1 / (rrf_k + rank + 1)
        hybrid = sorted(fused, key=lambda d: -fused[d])
        for name, ranking in (("dense", _doc_ranking(dense)), ("bm25", _doc_ranking(sparse)), ("hybrid", hybrid)):
            out[name]["ndcg@10"].append(ndcg_at_10(ranking, relevant))
            out[name]["recall@100"].append(len(set(ranking[:100]) & relevant) / len(relevant))
    return {name: {k: round(sum(v) / len(v), 4) for k, v in m.items()} | {"queries": len(qrels)}
            for name, m in out.items()}
