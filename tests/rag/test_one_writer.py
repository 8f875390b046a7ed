"""One writer at a time, whoever it is, and readers in other processes follow what was written."""

from __future__ import annotations

import json
import shutil

import pytest
from filelock import FileLock

from rag.docids import normalize_document_id
from rag.errors import DocumentExists, InvalidDocumentId, WriteInProgress
from rag.ingest.readers import parse_document
from rag.library import Library
from tests.conftest import make_settings

GOUT = b"# Acute Gout\n\n## Treatment\n\nColchicine or an NSAID is first-line for an acute gout flare.\n"
CAP = (b"# Community-acquired pneumonia\n\n## Severity\n\nUse the CURB-65 score to judge severity of "
       b"community-acquired pneumonia in adults.\n")


def doc(data: bytes, name: str, doc_id: str | None = None):
    return parse_document(data, name, doc_id=doc_id)


@pytest.fixture()
def two_processes(tmp_path, embedder):
    """Two libraries over one data folder: the running server's and an editor's CLI, as two processes have."""
    settings = make_settings(tmp_path / "data")
    server = Library(settings, embedder)
    server.open()
    cli = Library(settings, embedder)
    cli.open()
    return server, cli


def indexed_documents(library: Library) -> set[str]:
    return {c.document_id for c in library.snapshot.chunks}


def test_a_write_from_another_process_is_followed_and_kept_by_the_next_write(two_processes):
    server, cli = two_processes
    cli.write(doc(GOUT, "gout.md"), actor="cli")
    assert "gout" in indexed_documents(server)  # the server follows CURRENT on its next read
    server.write(doc(CAP, "cap.md"), actor="api")
    for library in (server, cli):
        assert {"gout", "cap"} <= indexed_documents(library)
        status = library.status()
        assert status["state"] == "ready" and status["problems"] == []
    manifest = server.snapshot.manifest
    assert set(manifest["documents"]) == {d["id"] for d in server.docstore.listing()}


def test_a_write_builds_on_the_disk_snapshot_not_a_stale_one_in_memory(two_processes):
    server, cli = two_processes
    server_snapshot_before = server._snapshot
    cli.write(doc(GOUT, "gout.md"))
    # the server has not read since; its write must still start from what the CLI wrote
    assert server._snapshot is server_snapshot_before
    server.write(doc(CAP, "cap.md"))
    assert {"gout", "cap"} <= {c.document_id for c in server._snapshot.chunks}


def test_status_reports_a_document_the_index_lacks_and_the_next_write_repairs_it(two_processes):
    server, _ = two_processes
    # what a writer killed between recording and swapping leaves: a recorded version with no chunks
    record = doc(GOUT, "gout.md").model_copy(update={"version": 1})
    with server.docstore.transaction() as conn:
        server.docstore.record(conn, record, "add", "crashed-writer")
    status = server.status()
    assert status["state"] != "ready"
    assert any("'gout'" in p and "0 chunks indexed" in p for p in status["problems"]), status["problems"]
    server.write(doc(CAP, "cap.md"))
    assert {"gout", "cap"} <= indexed_documents(server)
    assert server.status()["state"] == "ready"


def test_a_held_lock_makes_a_writer_wait_then_refuse_and_nothing_is_written(tmp_path, embedder):
    settings = make_settings(tmp_path / "data", write_lock_timeout_s=0.3)
    library = Library(settings, embedder)
    library.open()
    before = library.snapshot.manifest["build_id"]
    with FileLock(str(settings.data_dir / "index.lock")), pytest.raises(WriteInProgress):
        library.write(doc(GOUT, "gout.md"))
    assert library.snapshot.manifest["build_id"] == before and not library.docstore.exists("gout")
    library.write(doc(GOUT, "gout.md"))  # once released, the same write goes through
    assert library.docstore.exists("gout")


def test_crash_leftovers_are_removed_at_start_and_the_serving_snapshot_kept(tmp_path, embedder):
    settings = make_settings(tmp_path / "data")
    Library(settings, embedder).open()
    root = settings.index_dir
    current = (root / "CURRENT").read_text().strip()
    partial = root / ".tmp-deadbeef"
    partial.mkdir()
    (partial / "chunks.jsonl").write_text('{"partial": ')
    orphan = root / "99991231T235959-abcdef"  # complete, built after the serving one, never swapped in
    shutil.copytree(root / current, orphan)
    (root / ".CURRENT-1a2b3c").write_text(orphan.name)
    library = Library(settings, embedder)
    library.open()
    names = {p.name for p in root.iterdir()}
    assert current in names and "CURRENT" in names
    assert not {partial.name, orphan.name, ".CURRENT-1a2b3c"} & names
    assert library.snapshot.manifest["build_id"] == current


@pytest.mark.parametrize(("raw", "canonical"), [
    ("acute-gout", "acute-gout"), ("Acute Gout", "acute-gout"), ("  ACUTE_GOUT ", "acute-gout"),
    ("ａｃｕｔｅ-gout", "acute-gout"), ("cap2", "cap2")])
def test_document_ids_normalise_to_one_form(raw, canonical):
    assert normalize_document_id(raw) == canonical


@pytest.mark.parametrize("raw", ["../../etc/passwd", "a/b", "gout.md", "-gout", "gout-", "a--b", "", "   ",
                                 "x" * 81, "gout\x00", "naïve"])
def test_document_ids_outside_the_rule_are_refused_not_rewritten(raw):
    with pytest.raises(InvalidDocumentId) as err:
        normalize_document_id(raw)
    assert "lower-case letters, digits and single hyphens" in str(err.value)


def test_the_library_refuses_a_bad_id_and_a_case_variant_duplicate(fresh_library):
    with pytest.raises(InvalidDocumentId):
        fresh_library.write(doc(GOUT, "gout.md", doc_id="../../etc/passwd"), mode="add")
    fresh_library.write(doc(GOUT, "gout.md", doc_id="acute-gout"), mode="add")
    with pytest.raises(DocumentExists):
        fresh_library.write(doc(GOUT + b"More.", "gout.md", doc_id="Acute Gout "), mode="add")
    assert [d["id"] for d in fresh_library.docstore.listing()].count("acute-gout") == 1
    assert fresh_library.docstore.get("ACUTE-GOUT").id == "acute-gout"
    manifest = json.loads((fresh_library.snapshot.path / "manifest.json").read_text())
    assert "acute-gout" in manifest["documents"]
