"""Honest records at the HTTP edge: ids, sizes, 5xx hygiene, conversation ownership, audit, disclaimers."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.pipeline import Pipeline
from tests.api.conftest import KEY_SETTING, auth
from tests.conftest import make_settings

PROBLEM = "application/problem+json"
GOUT = "# Acute Gout\n\n## Treatment\n\nColchicine or an NSAID is first-line for an acute gout flare in the toe.\n"


def ids(client: TestClient) -> list[str]:
    return [d["id"] for d in client.get("/v1/documents", headers=auth("editor")).json()]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "a/b", "gout.md", "x" * 81])
def test_a_multipart_id_outside_the_rule_is_refused_and_nothing_written(editor_client, bad):
    before = ids(editor_client)
    r = editor_client.post("/v1/documents", headers=auth("editor"), data={"id": bad},
                           files={"file": ("gout.md", GOUT.encode(), "text/markdown")})
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert "single hyphens" in r.json()["detail"]
    assert ids(editor_client) == before


def test_case_and_spacing_variants_name_the_same_document(editor_client):
    h = auth("editor")
    first = editor_client.post("/v1/documents", headers=h, json={"id": "acute-gout", "title": "Acute gout",
                                                                 "text": GOUT})
    assert first.status_code == 201
    for variant in ("Acute-Gout", "acute-gout ", "ACUTE GOUT", "acute_gout"):
        r = editor_client.post("/v1/documents", headers=h, json={"id": variant, "title": "Gout", "text": GOUT + "x"})
        assert r.status_code == 409, (variant, r.text)
        r = editor_client.post("/v1/documents", headers=h, data={"id": variant},
                               files={"file": ("g.md", (GOUT + "y").encode(), "text/markdown")})
        assert r.status_code == 409, (variant, r.text)
    assert ids(editor_client).count("acute-gout") == 1
    assert editor_client.get("/v1/documents/ACUTE-GOUT", headers=h).json()["id"] == "acute-gout"
    assert editor_client.get("/v1/documents/..%2F..%2Fetc%2Fpasswd", headers=h).status_code in (404, 422)


def test_a_chunked_body_over_the_limit_gets_413_not_400(tmp_path, pipeline):
    settings = make_settings(tmp_path / "d", api_keys=KEY_SETTING, max_body_bytes=2_000, max_upload_bytes=3_000)
    with TestClient(create_app(settings, pipeline=pipeline)) as client:
        def chunks(n: int):
            yield b'{"message": "'
            for _ in range(n):
                yield b"lumbar mass " * 50
            yield b'"}'

        r = client.post("/v1/chat", headers={**auth("clinician"), "content-type": "application/json"},
                        content=chunks(10))
        assert r.status_code == 413 and r.headers["content-type"].startswith(PROBLEM), r.text
        assert r.headers["x-request-id"]
        r = client.post("/v1/chat/completions", headers={**auth("clinician"), "content-type": "application/json"},
                        content=chunks(10))
        assert r.status_code == 413 and r.json()["error"]["code"] == 413


def test_an_unexpected_error_is_a_500_with_request_id_log_and_metric(tmp_path, pipeline, monkeypatch, capsys):
    settings = make_settings(tmp_path / "d", api_keys=KEY_SETTING)
    app = create_app(settings, pipeline=pipeline)
    with TestClient(app, raise_server_exceptions=False) as client:
        async def boom(*_a, **_k):
            raise RuntimeError("secret internals")

        monkeypatch.setattr(pipeline, "answer_async", boom)  # the routes' entry point
        r = client.post("/v1/chat", headers={**auth("clinician"), "X-Request-ID": "req-500-test"},
                        json={"message": "Imaging for a lumbar mass?"})
        assert r.status_code == 500 and r.headers["content-type"].startswith(PROBLEM)
        assert r.headers["x-request-id"] == "req-500-test" and "secret" not in r.text
        r2 = client.post("/v1/chat/completions", headers=auth("clinician"),
                         json={"messages": [{"role": "user", "content": "Imaging for a lumbar mass?"}]})
        assert r2.status_code == 500 and r2.json()["error"]["type"] == "server_error" and r2.headers["x-request-id"]
        monkeypatch.undo()
        assert client.get("/healthz").status_code == 200  # the same connection goes on serving
        metrics = client.get("/metrics", headers=auth("evaluator")).text
        assert 'clinrag_http_requests_total{method="POST",route="/v1/chat",status="500"} 1.0' in metrics
    logged = capsys.readouterr()
    assert "req-500-test" in logged.out + logged.err


def test_a_conversation_belongs_to_the_key_that_created_it(client):
    first = client.post("/v1/chat", headers=auth("clinician"), json={"message": "Imaging for a lumbar mass?"})
    cid = first.json()["conversation_id"]
    for role in ("evaluator", "admin"):
        r = client.post("/v1/chat", headers=auth(role), json={"message": "and contrast?", "conversation_id": cid})
        assert r.status_code == 404 and r.json()["detail"] == f"conversation {cid!r} not found"
    same = client.post("/v1/chat", headers=auth("clinician"), json={"message": "and contrast?",
                                                                    "conversation_id": cid})
    assert same.status_code == 200 and same.json()["conversation_id"] == cid


def test_the_audit_row_names_the_snapshot_the_answer_used(tmp_path, embedder, monkeypatch):
    settings = make_settings(tmp_path / "data", api_keys=KEY_SETTING)
    p = Pipeline(settings, embedder=embedder)
    p.warm_up()
    used: list[str] = []
    original = p.answer_async  # the routes' entry point

    async def answer_then_swap(*args, **kwargs):
        answer = await original(*args, **kwargs)
        used.append(answer.index_version)
        # an edit lands after the answer was composed and before the route records it
        p.library.write(_gout_doc(len(used)), actor="editor")
        return answer

    monkeypatch.setattr(p, "answer_async", answer_then_swap)
    app = create_app(settings, pipeline=p)
    with TestClient(app) as client:
        r = client.post("/v1/chat", headers=auth("clinician"), json={"message": "Imaging for a lumbar mass?"})
        assert r.status_code == 200
        row = app.state.audit.recent(1)[0]
    assert row["index_version"] == used[0] != p.library.snapshot.manifest["build_id"]


def _gout_doc(n: int):
    from rag.ingest.readers import parse_document

    return parse_document((GOUT + f"\nRevision {n}.\n").encode(), "gout.md")


def test_the_service_disclaimer_is_always_shown_and_a_source_disclaimer_only_when_cited(editor_client):
    settings = editor_client.app.state.settings
    h = auth("admin")
    r = editor_client.post("/v1/chat", headers=h, json={"message": "Which imaging for a palpable lumbar mass?"})
    body = r.json()
    assert body["disclaimer"] == settings.disclaimer
    sources = body["source_disclaimers"]
    assert [s["document_id"] for s in sources] == ["palpable-mid-lumbar-mass"]
    assert sources[0]["text"].startswith("This information is intended for healthcare professionals")
    assert sources[0]["text"] not in body["disclaimer"]
    editor_client.post("/v1/documents", headers=h, json={"id": "acute-gout", "title": "Acute gout", "text": GOUT})
    gout = editor_client.post("/v1/chat", headers=h,
                              json={"message": "What is first-line for an acute gout flare?"}).json()
    assert gout["disclaimer"] == settings.disclaimer and gout["source_disclaimers"] == []
    assert [c["document_id"] for c in gout["citations"]] == ["acute-gout"]
    off = editor_client.post("/v1/chat", headers=h, json={"message": "Best statin dose after a stroke?"}).json()
    assert off["abstained"] and off["disclaimer"] and off["source_disclaimers"] == []


def test_concurrent_edits_never_make_the_audit_disagree_with_the_answer(editor_client):
    app = editor_client.app
    h = auth("editor")
    stop = threading.Event()
    errors: list[str] = []

    def edit():
        n = 0
        while not stop.is_set():
            n += 1
            r = editor_client.put("/v1/documents/acute-gout", headers=h,
                                  json={"title": "Acute gout", "text": GOUT + f"\nRevision {n}.\n"})
            if r.status_code != 200:
                errors.append(r.text)

    editor_client.post("/v1/documents", headers=h, json={"id": "acute-gout", "title": "Acute gout", "text": GOUT})
    writer = threading.Thread(target=edit)
    writer.start()
    try:
        versions = []
        for _ in range(12):
            body = editor_client.post("/v1/chat", headers=auth("clinician"),
                                      json={"message": "What is first-line for an acute gout flare?"}).json()
            versions.append(body["conversation_id"])
    finally:
        stop.set()
        writer.join()
    assert errors == []
    rows = {r["conversation_id"]: r for r in app.state.audit.recent(50) if r["route"] == "/v1/chat"}
    store = app.state.pipeline.conversations
    for cid in versions:
        answer = store.turns(cid)[-1]["answer"]
        assert rows[cid]["index_version"] == answer["index_version"]


def test_a_handed_open_pipeline_answers_once_at_startup_not_inside_the_first_requests(tmp_path, pipeline):
    """What each snapshot derives once (document statistics and their vectors) is derived before the app
    takes requests: the first clinicians' questions otherwise compute it for everyone, and a burst of them
    starved health checks on a two-core machine."""
    from tests.conftest import sharing_vectors

    p = sharing_vectors(Pipeline(make_settings(pipeline.settings.data_dir), embedder=pipeline.embedder), pipeline)
    p.library.open(rebuild_if_needed=False)
    build = p.library.snapshot.manifest["build_id"]
    assert p._doc_cache[0] != build  # opened, never asked
    with TestClient(create_app(make_settings(tmp_path), pipeline=p)) as client:
        assert p._doc_cache[0] == build and p._per_build  # derived during startup
        assert client.get("/healthz").status_code == 200
