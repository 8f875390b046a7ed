"""The editor's library: document versions (SQLite) and the index snapshot they produce, kept in step.

One writer at a time, whoever it is: every write (API, CLI, rebuild) holds a file lock beside the index,
reads the snapshot that is on disk now (not one remembered in memory, which another process may have
replaced), reconciles it with the document store, builds a new snapshot aside, records the versions,
then swaps. Readers take `library.snapshot` once per question and keep it, so they see the old or the
new index, never a mix; a process that did not write follows `CURRENT` on its next question.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import structlog
from filelock import FileLock, Timeout

from guardrails import strict_yaml
from rag.config import Settings
from rag.docids import normalize_document_id
from rag.docstore import DocStore, content_sha
from rag.embed import Embedder, set_threads
from rag.errors import DocumentExists, DocumentNotFound, IndexMismatch, IndexNotReady, WriteInProgress
from rag.index.store import FORMAT_VERSION, IndexStore, Snapshot, corpus_hash
from rag.ingest.chunk import indexed_chunks
from rag.ingest.pdf import PdfLimits
from rag.ingest.readers import parse_document
from rag.types import Document

log = structlog.get_logger("clinrag.library")


@dataclass(frozen=True)
class WriteResult:
    document_id: str
    version: int
    action: str  # add | replace | delete | unchanged
    chunks: int
    seconds: float


def shipped_documents(corpus_dir: Path, pdf_limits: PdfLimits | None = None) -> list[Document]:
    """The corpus as shipped: each raw page cleaned by the same function an editor's upload goes through."""
    spec = strict_yaml.safe_load((corpus_dir / "sources.yaml").read_text())
    docs = []
    for entry in spec["documents"]:
        raw = corpus_dir / entry["raw"]
        docs.append(parse_document(raw.read_bytes(), raw.name, doc_id=entry["id"], source=entry.get("source", ""),
                                   metadata=entry.get("metadata"), pdf_limits=pdf_limits))
    return docs


class Library:
    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.docstore = DocStore(settings.db_path)
        self.store = IndexStore(settings.index_dir)
        self._snapshot: Snapshot | None = None
        self._thread_lock = threading.RLock()  # FileLock is per process; threads of one process queue here
        self._file_lock = FileLock(str(settings.data_dir / "index.lock"))
        self._reload_lock = threading.Lock()
        self._current_seen: tuple | None = None

    # ---- reading ----------------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The serving snapshot; if another process swapped CURRENT since, the new one (loaded once)."""
        if self._snapshot is None:
            raise IndexNotReady("index not loaded")
        self._follow_current()
        return self._snapshot

    def _current_stamp(self) -> tuple | None:
        try:
            st = os.stat(self.store.current_file)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _follow_current(self) -> None:
        stamp = self._current_stamp()  # one stat per question: cheap, and no watcher thread to manage
        if stamp == self._current_seen or stamp is None:
            return
        if not self._reload_lock.acquire(blocking=False):
            return  # another thread is loading it; keep serving the snapshot we have meanwhile
        try:
            path = self.store.current_path()
            if path is not None and (self._snapshot is None or path != self._snapshot.path):
                try:
                    self._snapshot = self.store.load()
                    log.info("snapshot followed", build_id=self._snapshot.manifest["build_id"])
                except Exception as exc:  # a half-visible or broken snapshot: keep the one that serves
                    log.error("snapshot not followed", path=str(path), error=str(exc))
                    return
            self._current_seen = stamp
        finally:
            self._reload_lock.release()

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

    def verify(self, snapshot: Snapshot) -> list[str]:
        """Every live document indexed with exactly the chunks its text yields, and nothing else indexed."""
        counts: dict[str, int] = {}
        for chunk in snapshot.chunks:
            counts[chunk.document_id] = counts.get(chunk.document_id, 0) + 1
        gaps = []
        live = self.docstore.active()
        for doc in live:
            expected = len(indexed_chunks(doc, self.settings.chunk_max_chars))
            if counts.get(doc.id, 0) != expected:
                gaps.append(f"document {doc.id!r} v{doc.version}: {counts.get(doc.id, 0)} chunks indexed, "
                            f"{expected} expected")
        for doc_id in sorted(set(counts) - {d.id for d in live}):
            gaps.append(f"document {doc_id!r} is indexed ({counts[doc_id]} chunks) but not live in the store")
        listed = {k: tuple(v) for k, v in snapshot.manifest.get("documents", {}).items()}
        if listed != self.docstore.corpus_state():
            gaps.append("the manifest's document list differs from the document store")
        return gaps

    def status(self) -> dict:
        manifest = self.store.read_manifest()
        problems = self.problems(manifest)
        gaps: list[str] = []
        if manifest is not None and manifest.get("format_version") == FORMAT_VERSION:
            try:
                gaps = self.verify(self.store.load())
            except (IndexNotReady, IndexMismatch) as exc:
                gaps = [str(exc)]
        state = "ready" if not problems and not gaps else ("missing" if manifest is None else
                                                          "stale" if problems else "inconsistent")
        return {"state": state, "problems": problems + gaps, "index_dir": str(self.store.root),
                "manifest": manifest}

    # ---- writing ----------------------------------------------------------------------------------
    @contextmanager
    def writing(self, load: bool = True) -> Iterator[Snapshot | None]:
        """Hold the one-writer lock and yield the snapshot that is current on disk (None if none yet). load=False: the
        caller rebuilds whatever is on disk, so an index this version cannot read (an older format) is not loaded."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with self._thread_lock:
            try:
                self._file_lock.acquire(timeout=self.settings.write_lock_timeout_s)
            except Timeout:
                raise WriteInProgress(
                    f"another process has held the index write lock ({self._file_lock.lock_file}) for over "
                    f"{self.settings.write_lock_timeout_s:g}s; try again when its write has finished") from None
            try:
                path = self.store.current_path()
                if load and path is not None and (self._snapshot is None or self._snapshot.path != path):
                    self._snapshot = self.store.load()
                yield self._snapshot if path is not None else None
            finally:
                self._file_lock.release()

    def open(self, *, rebuild_if_needed: bool = True, progress: bool = False) -> Snapshot:
        """Seed an empty store with the shipped corpus, clear crash leftovers, rebuild a missing/stale
        index (or refuse), load."""
        with self.writing(load=False):
            for removed in self.store.remove_leftovers():
                log.warning("removed crash leftover", path=str(removed))
            if self.docstore.is_empty():
                for doc in shipped_documents(self.settings.corpus_dir, PdfLimits.from_settings(self.settings)):
                    with self.docstore.transaction() as conn:
                        self.docstore.record(conn, doc, "add", "seed")
            problems = self.problems(self.store.read_manifest())
            if problems:
                if not rebuild_if_needed:
                    raise IndexMismatch("; ".join(problems) + " - run `clinrag index rebuild`")
                self._rebuild_locked(progress)
            self._snapshot = self.store.load()
            self._current_seen = self._current_stamp()
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
        with self.writing(load=False):
            return self._rebuild_locked(progress)

    def _rebuild_locked(self, progress: bool) -> Snapshot:
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
        docs = [d.model_copy(update={"id": normalize_document_id(d.id)}) for d in docs]
        delete_ids = [normalize_document_id(i) for i in delete_ids]
        with self.writing() as base:
            if base is None:
                raise IndexNotReady("no index yet: run `clinrag index rebuild` (or start the service) first")
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
            touched = {d.id for d, _, _ in planned}
            repair = self._reconcile(base, exclude=touched)
            path = self.store.build(base=base, add=[c for _, _, cs in planned for c in cs] + repair.chunks,
                                    remove_documents=touched | repair.remove, documents=state,
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
            self._current_seen = self._current_stamp()
            seconds = time.perf_counter() - started
            return results + [WriteResult(d.id, d.version, a, len(cs), seconds) for d, a, cs in planned]

    def _reconcile(self, base: Snapshot, exclude: set[str]) -> _Repair:
        """What the base snapshot lacks against the store (a writer that died between recording and
        swapping leaves exactly this): re-chunk those documents into the next build, so the manifest
        written from the store's list is true of the index."""
        indexed = {k: tuple(v) for k, v in base.manifest.get("documents", {}).items()}
        live = self.docstore.corpus_state()
        stale = sorted(i for i, v in live.items() if indexed.get(i) != v and i not in exclude)
        gone = {i for i in indexed if i not in live and i not in exclude}
        chunks = [c for i in stale for c in indexed_chunks(self.docstore.get(i), self.settings.chunk_max_chars)]
        for doc_id in stale:
            log.warning("reindexing a document the serving snapshot lacks", document_id=doc_id)
        return _Repair(chunks=chunks, remove=set(stale) | gone)


@dataclass(frozen=True)
class _Repair:
    chunks: list
    remove: set[str]
