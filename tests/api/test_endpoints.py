"""Each route through TestClient: happy paths, the documented 4xx for every bad-input class."""

import json

import pytest

from tests.api.conftest import auth
from tests.conftest import REPO
from tests.pdfs import make_pdf

CLIN = auth("clinician")
EDIT = auth("editor")
GUARD_CASES = [json.loads(x) for x in (REPO / "eval/cases/guard_public.jsonl").read_text().splitlines() if x]


def test_chat_answers_with_citations_and_follows_up_in_a_conversation(client):
    r = client.post("/v1/chat", json={"message": "What imaging should I order for a palpable lumbar mass?"},
                    headers=CLIN)
    assert r.status_code == 200 and r.headers["x-request-id"]
    body = r.json()
    assert body["citations"] and "[1]" in body["answer"] and body["guardrail"]["action"] == "pass"
    assert body["disclaimer"] and set(body["timings_ms"]) >= {"retrieve", "synthesize", "guardrails", "total"}
    follow = client.post("/v1/chat", json={"message": "He has a pacemaker. What should I order instead?",
                                           "conversation_id": body["conversation_id"]}, headers=CLIN).json()
    assert follow["conversation_id"] == body["conversation_id"]
    assert "CT" in follow["answer"] and "contraindicated" in follow["answer"]


def test_unknown_conversation_is_404_problem(client):
    r = client.post("/v1/chat", json={"message": "hello mass", "conversation_id": "nope"}, headers=CLIN)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "conversation 'nope' not found"


@pytest.mark.parametrize("body,status", [
    ({}, 422), ({"message": ""}, 422), ({"message": 42}, 422), ({"message": "x" * 4001}, 422),
    ({"message": "hi", "extra": 1}, 422), ({"message": ["a"]}, 422),
])
def test_chat_bad_input_is_a_4xx_problem(client, body, status):
    r = client.post("/v1/chat", json=body, headers=CLIN)
    assert r.status_code == status and r.json()["title"]


def test_malformed_json_is_400(client):
    r = client.post("/v1/chat", content=b'{"message": ', headers={**CLIN, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["detail"] == "request body is not valid JSON"


def test_oversize_body_is_refused_before_reading(client):
    r = client.post("/v1/chat", content=b"x" * 1_000_001, headers={**CLIN, "content-type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("case", GUARD_CASES, ids=[c["id"] for c in GUARD_CASES])
def test_guard_check_endpoint(client, case):
    r = client.post("/v1/guardrails/check", json={"question": case["question"], "answer": case["draft"]},
                    headers=CLIN)
    body = r.json()
    got = [v["rule_id"] for v in body["violations"]]
    assert r.status_code == 200 and body["rules_version"]
    assert (got[:1] == case["violates"][:1]) and set(case["violates"]) <= set(got)
    if got:
        assert body["safe_answer"] and body["action"] in ("revise", "block", "escalate")


def test_openai_completion_non_streaming(client):
    r = client.post("/v1/chat/completions", headers=CLIN, json={
        "model": "anything", "temperature": 0.2, "top_p": 1, "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user",
             "content": [{"type": "text", "text": "Why is contrast needed for the lumbar mass MRI?"}]}]})
    body = r.json()
    assert r.status_code == 200 and body["object"] == "chat.completion"
    assert body["choices"][0]["finish_reason"] == "stop" and "[1]" in body["choices"][0]["message"]["content"]
    assert body["citations"] and body["guardrail"]["action"] == "pass" and body["abstained"] is False


def test_openai_streaming_sends_chunks_then_done(client):
    with client.stream("POST", "/v1/chat/completions", headers=CLIN, json={
            "model": "m", "stream": True,
            "messages": [{"role": "user", "content": "Can the lumbar mass MRI wait?"}]}) as r:
        lines = [ln for ln in r.iter_lines() if ln]
    assert r.headers["content-type"].startswith("text/event-stream")
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(ln[6:]) for ln in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "MRI" in text and chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


@pytest.mark.parametrize("body", [
    {"model": "m", "messages": []}, {"model": "m"}, {"model": "m", "messages": [{"role": "wizard", "content": "x"}]},
    {"model": "m", "messages": [{"role": "assistant", "content": "only me"}]},
    {"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 9},
])
def test_openai_bad_input_uses_the_openai_error_envelope(client, body):
    r = client.post("/v1/chat/completions", json=body, headers=CLIN)
    assert r.status_code in (400, 422) and r.json()["error"]["type"] == "invalid_request_error"


def test_models_lists_one_model(client):
    assert client.get("/v1/models", headers=CLIN).json()["data"][0]["object"] == "model"


def test_metrics_expose_requests_guardrail_actions_and_index_size(client):
    client.post("/v1/guardrails/check", json={"question": "mass", "answer": "The MRI can wait."}, headers=CLIN)
    text = client.get("/metrics", headers=auth("evaluator")).text
    assert 'clinrag_guardrail_violations_total{rule_id="RF-MRI-DELAY"}' in text
    assert "clinrag_index_chunks" in text and "clinrag_http_requests_total" in text


SCHWANNOMA = make_pdf(["Spinal Schwannoma Note",
                       "Schwannomas are benign nerve sheath tumors that enhance avidly after gadolinium."])


def test_upload_ask_cite_delete_forget(editor_client):
    q = {"message": "Do schwannomas enhance after gadolinium?"}
    up = editor_client.post("/v1/documents", files={"file": ("schwannoma.pdf", SCHWANNOMA, "application/pdf")},
                            headers=EDIT)
    assert up.status_code == 201 and up.json()["id"] == "schwannoma" and up.json()["chunks"] >= 1
    cited = editor_client.post("/v1/chat", json=q, headers=auth("admin")).json()
    assert any(c["document_id"] == "schwannoma" for c in cited["citations"])
    assert editor_client.delete("/v1/documents/schwannoma", headers=EDIT).json()["action"] == "delete"
    after = editor_client.post("/v1/chat", json=q, headers=auth("admin")).json()
    assert all(c["document_id"] != "schwannoma" for c in after["citations"])
    assert editor_client.get("/v1/documents/schwannoma", headers=EDIT).status_code == 404


def test_json_document_versions_and_listing(editor_client):
    body = {"title": "Acute Gout", "text": "## Treatment\n\nColchicine is first-line for acute gout flares."}
    assert editor_client.post("/v1/documents", json=body, headers=EDIT).status_code == 201
    assert editor_client.post("/v1/documents", json=body, headers=EDIT).status_code == 409
    body["text"] = "## Treatment\n\nPrednisolone is an alternative for acute gout flares."
    put = editor_client.put("/v1/documents/acute-gout", json=body, headers=EDIT).json()
    assert (put["version"], put["action"]) == (2, "replace")
    detail = editor_client.get("/v1/documents/acute-gout", headers=EDIT).json()
    assert "Prednisolone" in detail["text"] and [h["version"] for h in detail["history"]] == [1, 2]
    ids = [d["id"] for d in editor_client.get("/v1/documents", headers=EDIT).json()]
    assert ids == ["acute-gout", "palpable-mid-lumbar-mass"]


@pytest.mark.parametrize("name,data,ctype,status", [
    ("scan.docx", b"PK\x03\x04 not supported", "application/octet-stream", 415),
    ("broken.pdf", b"%PDF-1.4 garbage", "application/pdf", 422),
    ("empty.txt", b"", "text/plain", 422),
    ("binary.md", b"\x00\x01\x02", "text/markdown", 422),
])
def test_bad_uploads_are_refused_and_the_index_is_unchanged(editor_client, name, data, ctype, status):
    before = editor_client.get("/readyz").json()["index"]
    r = editor_client.post("/v1/documents", files={"file": (name, data, ctype)}, headers=EDIT)
    assert r.status_code == status and name in r.json()["detail"]
    assert editor_client.get("/readyz").json()["index"] == before


def test_document_bad_requests(editor_client):
    csv = {**EDIT, "content-type": "text/csv"}
    assert editor_client.post("/v1/documents", content=b"x", headers=csv).status_code == 415
    assert editor_client.post("/v1/documents", json={"title": ""}, headers=EDIT).status_code == 422
    assert editor_client.post("/v1/documents", content=b"{", headers={**EDIT, "content-type": "application/json"}
                              ).status_code == 400
    assert editor_client.put("/v1/documents/missing", json={"title": "t", "text": "Some text about it."},
                             headers=EDIT).status_code == 404
    assert editor_client.delete("/v1/documents/missing", headers=EDIT).status_code == 404
    big = b"x" * 10_000_001
    r = editor_client.post("/v1/documents", files={"file": ("big.txt", big, "text/plain")}, headers=EDIT)
    assert r.status_code == 413
