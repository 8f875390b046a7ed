"""A running server and an editor's CLI on one data folder: nothing lost, nothing disagreeing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import httpx
import pytest

from bench import common
from tests.conftest import REPO

pytestmark = pytest.mark.e2e
KEY = "e2e-writer-key"
SCHWANNOMA = """# Spinal schwannoma

## Imaging

Schwannomas are nerve sheath tumours that enhance avidly after gadolinium and may widen the neural foramen
on a lumbar spine MRI; a dumbbell shape across the foramen is typical.
"""
GOUT = """# Acute gout

## Treatment

Colchicine or an NSAID is first-line for an acute gout flare; start within 24 hours of the first symptoms.
"""


def cli(data_dir, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "CLINRAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "rag", *args], env=full, cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_cli_ingest_while_the_server_runs_is_answered_and_survives_the_next_api_write(tmp_path):
    data = tmp_path / "data"
    files = tmp_path / "incoming"
    files.mkdir()
    (files / "spinal-schwannoma.md").write_text(SCHWANNOMA)
    h = {"Authorization": f"Bearer {KEY}"}
    with common.server(data, env={"CLINRAG_API_KEYS": f"admin:{KEY}"}, timeout=180) as (base, _proc, _ready):
        failures: list[str] = []
        stop = threading.Event()

        def ask() -> None:  # clinicians keep asking while the editor ingests
            with httpx.Client(base_url=base, headers=h, timeout=60) as c:
                while not stop.is_set():
                    r = c.post("/v1/chat", json={"message": "Imaging for a palpable lumbar mass?"})
                    if r.status_code != 200 or not r.json()["citations"]:
                        failures.append(f"{r.status_code} {r.text[:200]}")

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            done = cli(data, "ingest", str(files / "spinal-schwannoma.md"), "--actor", "editor-cli")
        finally:
            stop.set()
            asker.join()
        assert done.returncode == 0, done.stderr[-2000:]
        assert failures == []
        q = {"message": "Do schwannomas enhance after gadolinium?"}
        answer = httpx.post(f"{base}/v1/chat", headers=h, json=q, timeout=60).json()
        assert "spinal-schwannoma" in {c["document_id"] for c in answer["citations"]}, answer
        r = httpx.post(f"{base}/v1/documents", headers=h, timeout=120,
                       json={"id": "acute-gout", "title": "Acute gout", "text": GOUT})
        assert r.status_code == 201, r.text
        listed = {d["id"] for d in httpx.get(f"{base}/v1/documents", headers=h).json()}
        assert {"spinal-schwannoma", "acute-gout"} <= listed
        again = httpx.post(f"{base}/v1/chat", headers=h, json=q, timeout=60).json()
        assert "spinal-schwannoma" in {c["document_id"] for c in again["citations"]}
    status = cli(data, "index", "status", "--json")
    assert status.returncode == 0 and '"state": "ready"' in status.stdout, status.stdout + status.stderr


def test_documents_commands_and_the_cli_upload_limit(tmp_path):
    data = tmp_path / "data"
    big = tmp_path / "huge.md"
    big.write_text("# Huge\n\n" + "Colchicine is first-line for gout. " * 400)
    small = tmp_path / "acute-gout.md"
    small.write_text(GOUT)
    refused = cli(data, "ingest", str(big), env={"CLINRAG_MAX_UPLOAD_BYTES": "5000"})
    assert refused.returncode == 1 and "over the upload limit" in refused.stderr
    assert cli(data, "ingest", str(small)).returncode == 0
    listing = cli(data, "documents", "list", "--json")
    ids = [d["id"] for d in __import__("json").loads(listing.stdout)]
    assert "acute-gout" in ids and "huge" not in ids
    shown = cli(data, "documents", "show", "ACUTE-GOUT")
    assert shown.returncode == 0 and "Colchicine or an NSAID" in shown.stdout and "v1 add" in shown.stdout
    assert cli(data, "documents", "show", "../etc/passwd").returncode == 1
    deleted = cli(data, "documents", "delete", "acute-gout", "--yes", "--actor", "ed")
    assert deleted.returncode == 0, deleted.stderr
    after = cli(data, "documents", "list", "--json")
    assert "acute-gout" not in after.stdout
    assert cli(data, "documents", "delete", "acute-gout", "--yes").returncode == 1
