"""The editor's library: document versions (SQLite) and the index snapshot they produce, kept in step.

Writes are serialised; each builds a new snapshot aside, records the version, then swaps. Readers take
`library.snapshot` once per question and keep it, so they see the old or the new index, never a mix.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from rag.config import Settings
from rag.docstore import DocStore, content_sha
from rag.embed import Embedder, set_threads
from rag.errors import DocumentExists, DocumentNotFound, IndexMismatch, IndexNotReady
from rag.index.store import FORMAT_VERSION, IndexStore, Snapshot, corpus_hash
from rag.ingest.chunk import indexed_chunks
from rag.ingest.readers import parse_document
from rag.types import Document


@dataclass(frozen=True)
class WriteResult:
    document_id: str
    version: int
    action: str  # add | replace | delete | unchanged
    chunks: int
    seconds: float


def shipped_documents(corpus_dir: Path) -> list[Document]:
    """The corpus as shipped: each raw page cleaned by the same function an editor's upload goes through."""
    spec = yaml.safe_load((corpus_dir / "sources.yaml").read_text())
    docs = []
    for entry in spec["documents"]:
        raw = corpus_dir / entry["raw"]
        docs.append(parse_document(raw.read_bytes(), raw.name, doc_id=entry["id"], source=entry.get("source", ""),
                                   metadata=entry.get("metadata")))
    return docs


class Library:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.docstore = DocStore(settings.db_path)
        self.store = IndexStore(settings.index_dir)
        self._snapshot: Snapshot | None = None
        self._write_lock = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        snap = self._snapshot
        if snap is None:
            raise IndexNotReady("index not loaded")
        return snap

    def model_info(self) -> dict:
        return {"model": self.settings.embedding_model, "weights_sha256": self.embedder.weights_sha256,
                "dimension": self.embedder.dimension}

    def problems(self, manifest: dict | None) -> list[str]:
        """Why the index on disk cannot serve as it is (empty list: it can)."""
        if manifest is None:
            return ["no index built yet"]
        out = []
        if manifest.get("format_version") != FORMAT_VERSION:
            out.append(f"index format {manifest.get('format_version')} != {FORMAT_VERSION}")
        if manifest.get("model") != self.settings.embedding_model:
            out.append(f"built with model {manifest.get('model')!r}, settings say {self.settings.embedding_model!r}")
        elif manifest.get("weights_sha256") != self.embedder.weights_sha256:
            out.append("model weights differ from the ones that built the index")
        if manifest.get("corpus_hash") != corpus_hash(self.docstore.corpus_state()):
            out.append("index is stale: the document store changed since it was built")
        return out

    def status(self) -> dict:
        manifest = self.store.read_manifest()
        problems = self.problems(manifest)
        return {"state": "ready" if not problems else ("missing" if manifest is None else "stale"),
                "problems": problems, "index_dir": str(self.store.root), "manifest": manifest}

    def open(self, *, rebuild_if_needed: bool = True, progress: bool = False) -> Snapshot:
        """Seed an empty store with the shipped corpus, rebuild a missing/stale index (or refuse), load."""
        if self.docstore.is_empty():
            for doc in shipped_documents(self.settings.corpus_dir):
                with self.docstore.transaction() as conn:
                    self.docstore.record(conn, doc, "add", "seed")
        problems = self.problems(self.store.read_manifest())
        if problems:
            if not rebuild_if_needed:
                raise IndexMismatch("; ".join(problems) + " - run `clinrag index rebuild`")
            self.rebuild(progress=progress)
        self._snapshot = self.store.load()
        return self._snapshot

    def _encode(self, progress: bool) -> Callable:
        """Bulk embedding may use every core (an offline job); serving threads are restored afterwards."""

        def encode(texts: list[str]):
            if len(texts) <= 32:
                return self.embedder.encode(texts, progress=progress)
            bulk = self.settings.ingest_threads or os.cpu_count() or 1
            try:
                set_threads(bulk)
                return self.embedder.encode(texts, progress=progress)
            finally:
                set_threads(self.embedder.threads)

        return encode

    def rebuild(self, progress: bool = False) -> Snapshot:
        with self._write_lock:
            docs = self.docstore.active()
            chunks = [c for d in docs for c in indexed_chunks(d, self.settings.chunk_max_chars)]
            path = self.store.build(base=None, add=chunks, remove_documents=(), documents=self.docstore.corpus_state(),
                                    encode=self._encode(progress), model=self.model_info())
            self.store.activate(path)
            self._snapshot = self.store.load()
            return self._snapshot

    def write(self, doc: Document | None, *, delete_id: str | None = None, mode: str = "upsert",
              actor: str = "cli", fail_hook: Callable[[str], None] | None = None) -> WriteResult:
        """Add, replace (new version) or delete one document: build aside, record, swap."""
        return self.write_many([doc] if doc else [], delete_ids=[delete_id] if delete_id else [], mode=mode,
                               actor=actor, fail_hook=fail_hook)[0]

    def write_many(self, docs: list[Document], *, delete_ids: list[str] = (), mode: str = "upsert",
                   actor: str = "cli", fail_hook: Callable[[str], None] | None = None,
                   progress: bool = False) -> list[WriteResult]:
        """Many documents in one snapshot: one embedding pass, one atomic swap, all recorded or none."""
        started = time.perf_counter()
        with self._write_lock:
            base = self.snapshot
            state = dict(self.docstore.corpus_state())
            planned: list[tuple[Document, str, list]] = []
            results: list[WriteResult] = []
            for doc in docs:
                exists = self.docstore.exists(doc.id) or any(p[0].id == doc.id for p in planned)
                if mode == "add" and exists:
                    raise DocumentExists(
                        f"document {doc.id!r} exists; use PUT /v1/documents/{doc.id} for a new version")
                if mode == "replace" and not exists:
                    raise DocumentNotFound(f"document {doc.id!r} not found")
                if exists and doc.id in state and content_sha(self.docstore.get(doc.id)) == content_sha(doc):
                    results.append(WriteResult(doc.id, state[doc.id][0], "unchanged", 0, 0.0))
                    continue
                record = doc.model_copy(update={"version": self.docstore.next_version(doc.id)})
                chunks = indexed_chunks(record, self.settings.chunk_max_chars)
                state[doc.id] = (record.version, content_sha(record))
                planned.append((record, "replace" if exists else "add", chunks))
            for doc_id in delete_ids:
                if not self.docstore.exists(doc_id):
                    raise DocumentNotFound(f"document {doc_id!r} not found")
                last = self.docstore.get(doc_id)
                planned.append((last.model_copy(update={"version": self.docstore.next_version(doc_id)}), "delete", []))
                state.pop(doc_id, None)
            if not planned:
                return results
            path = self.store.build(base=base, add=[c for _, _, cs in planned for c in cs],
                                    remove_documents=[d.id for d, _, _ in planned], documents=state,
                                    encode=self._encode(progress), model=self.model_info(), fail_hook=fail_hook)
            try:
                with self.docstore.transaction() as conn:
                    for record, action, _ in planned:
                        self.docstore.record(conn, record, action, actor)
                    if fail_hook:
                        fail_hook("recorded")
            except BaseException:
                self.store.discard(path)
                raise
            self.store.activate(path)
            self._snapshot = self.store.load()
            seconds = time.perf_counter() - started
            return results + [WriteResult(d.id, d.version, a, len(cs), seconds) for d, a, cs in planned]
