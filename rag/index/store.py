"""The on-disk index: FAISS (IndexIDMap2, ids that survive deletes) + BM25 + chunks + manifest.

Every write builds a complete new snapshot in a side folder, then swaps the CURRENT pointer with
os.replace, so a crash or a bad file leaves the previous snapshot serving and loadable.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from rag.errors import IndexMismatch, IndexNotReady
from rag.text import tokenize
from rag.types import Chunk

# 2: British and American spellings share one BM25 token; 3: reference lists are passages; 4: a list item's opening
# circumstance ("In <group>, ...") labels its later sentences; 5: "-ise" words both spellings share keep their ending
FORMAT_VERSION = 5
KEEP_SNAPSHOTS = 3


def faiss_id(chunk_id: str) -> int:
    return int(chunk_id[:15], 16)  # 60 bits of the content hash: positive int64, stable across rebuilds


def corpus_hash(documents: dict[str, tuple[int, str]]) -> str:
    """documents: id -> (version, content sha); the same function serves the docstore and the index."""
    lines = sorted(f"{doc_id}\t{ver}\t{sha}" for doc_id, (ver, sha) in documents.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Snapshot:
    """One immutable, loaded index. Readers hold a reference; a swap never changes it under them."""

    path: Path
    manifest: dict
    chunks: tuple[Chunk, ...]
    faiss_index: object
    bm25: object | None

    @property
    def by_faiss_id(self) -> dict[int, Chunk]:
        return self._by_id  # type: ignore[attr-defined]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {faiss_id(c.id): c for c in self.chunks})
        object.__setattr__(self, "_pos", {c.id: i for i, c in enumerate(self.chunks)})
        object.__setattr__(self, "_ordinal", {(c.document_id, c.ordinal): c for c in self.chunks})

    def at(self, document_id: str, ordinal: int) -> Chunk | None:
        """The chunk at a position in its document (for neighbours)."""
        return self._ordinal.get((document_id, ordinal))  # type: ignore[attr-defined]

    def chunk_position(self, chunk_id: str) -> int | None:
        return self._pos.get(chunk_id)  # type: ignore[attr-defined]

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[self._pos[chunk_id]]  # type: ignore[attr-defined]


def bm25_text(chunk: Chunk) -> str:
    return f"{chunk.section[-1] if chunk.section else ''}\n{chunk.text}"


def embed_text(chunk: Chunk) -> str:
    return f"{chunk.section_label}: {chunk.text}"


def _build_bm25(chunks: tuple[Chunk, ...]):
    import bm25s

    if not chunks:
        return None
    retriever = bm25s.BM25()
    retriever.index([tokenize(bm25_text(c)) or ["_"] for c in chunks], show_progress=False)
    return retriever


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def current_path(self) -> Path | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if (path / "manifest.json").exists() else None

    def read_manifest(self) -> dict | None:
        path = self.current_path()
        return json.loads((path / "manifest.json").read_text()) if path else None

    def load(self) -> Snapshot:
        import faiss

        path = self.current_path()
        if path is None:
            raise IndexNotReady(f"no index in {self.root}; run `clinrag index rebuild`")
        manifest = json.loads((path / "manifest.json").read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexMismatch(
                f"index format {manifest.get('format_version')} != {FORMAT_VERSION}; run `clinrag index rebuild`"
            )
        with (path / "chunks.jsonl").open() as fh:
            chunks = tuple(Chunk.model_validate_json(line) for line in fh if line.strip())
        index = faiss.read_index(str(path / "vectors.faiss"))
        if index.ntotal != len(chunks) or manifest.get("chunk_count") != len(chunks):
            raise IndexMismatch(f"index at {path} is inconsistent ({index.ntotal} vectors, {len(chunks)} chunks)")
        bm25 = None
        if (path / "bm25").exists():
            import bm25s

            bm25 = bm25s.BM25.load(str(path / "bm25"))
        return Snapshot(path=path, manifest=manifest, chunks=chunks, faiss_index=index, bm25=bm25)

    def build(
        self, *, base: Snapshot | None, add: Iterable[Chunk], remove_documents: Iterable[str],
        documents: dict[str, tuple[int, str]], encode: Callable[[list[str]], np.ndarray],
        model: dict, fail_hook: Callable[[str], None] | None = None,
    ) -> Path:
        """Write a complete new snapshot aside (base minus removed documents plus added chunks).

        Only new chunks are embedded; kept vectors are copied out of the base FAISS index.
        Returns the folder, not yet active: call activate() to swap it in."""
        import faiss

        started = time.perf_counter()
        removed = set(remove_documents)
        add = list(add)
        kept = [c for c in (base.chunks if base else ()) if c.document_id not in removed]
        chunks = tuple(kept + add)
        dim = int(model["dimension"])
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        if kept:
            ids = np.array([faiss_id(c.id) for c in kept], dtype=np.int64)
            vectors = np.vstack([base.faiss_index.reconstruct(int(i)) for i in ids]).astype(np.float32)
            index.add_with_ids(vectors, ids)
        if add:
            vectors = encode([embed_text(c) for c in add])
            index.add_with_ids(vectors, np.array([faiss_id(c.id) for c in add], dtype=np.int64))
        if len({faiss_id(c.id) for c in chunks}) != len(chunks):
            raise IndexMismatch("duplicate chunk ids in one snapshot")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            with (tmp / "chunks.jsonl").open("w") as fh:
                for c in chunks:
                    fh.write(c.model_dump_json() + "\n")
            if fail_hook:
                fail_hook("chunks-written")
            faiss.write_index(index, str(tmp / "vectors.faiss"))
            bm25 = _build_bm25(chunks)
            if bm25 is not None:
                bm25.save(str(tmp / "bm25"))
            if fail_hook:
                fail_hook("vectors-written")
            build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
            manifest = {
                "format_version": FORMAT_VERSION, "build_id": build_id, **model,
                "corpus_hash": corpus_hash(documents), "documents": {k: list(v) for k, v in documents.items()},
                "chunk_count": len(chunks), "document_count": len(documents),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 3),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2))
            final = self.root / build_id
            os.replace(tmp, final)
            return final
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def activate(self, path: Path) -> None:
        """Atomic swap: CURRENT names the new snapshot; older ones beyond KEEP_SNAPSHOTS are removed."""
        pointer = self.root / f".CURRENT-{uuid.uuid4().hex[:6]}"
        pointer.write_text(path.name + "\n")
        with pointer.open() as fh:
            os.fsync(fh.fileno())
        os.replace(pointer, self.current_file)
        self._prune(keep=path.name)

    def discard(self, path: Path) -> None:
        shutil.rmtree(path, ignore_errors=True)

    def _snapshot_dirs(self) -> list[Path]:
        return sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.name)

    def _prune(self, keep: str) -> None:
        """Keep the serving snapshot and the newest older ones; callers hold the write lock."""
        older = [p for p in self._snapshot_dirs() if p.name != keep]
        for old in older[:-(KEEP_SNAPSHOTS - 1) or None]:
            shutil.rmtree(old, ignore_errors=True)

    def remove_leftovers(self) -> list[Path]:
        """What a killed writer leaves (build folders, pointer files, a complete snapshot never swapped
        in): removed at start, under the write lock, so no live writer can own them. Returns what went."""
        if not self.root.exists():
            return []
        removed: list[Path] = []
        current = self.current_path()
        for path in sorted(self.root.iterdir()):
            if path.name.startswith(".tmp-") or path.name.startswith(".CURRENT-"):
                removed.append(path)
            elif path.is_dir() and not path.name.startswith(".") and path != current and (
                    current is None or path.name > current.name or not (path / "manifest.json").exists()):
                removed.append(path)  # built after the serving one but never activated, or incomplete
        for path in removed:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        return removed
