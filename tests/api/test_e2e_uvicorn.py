"""End to end against a real uvicorn process on 127.0.0.1, with the official openai client."""

from __future__ import annotations

import os
import threading

import httpx
import pytest

from bench import common
from tests.pdfs import make_pdf

pytestmark = pytest.mark.e2e
KEY = "e2e-admin-key"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python -m rag serve` on a free loopback port (the same helper the benchmarks use)."""
    env = {"CLINRAG_API_KEYS": f"admin:{KEY}"}
    with common.server(tmp_path_factory.mktemp("e2e-data"), env=env, timeout=120) as (base, _proc, _ready):
        yield base


def openai_client(base: str):
    from openai import OpenAI

    return OpenAI(base_url=f"{base}/v1", api_key=KEY, max_retries=0)


def test_official_openai_client_non_streaming(server):
    client = openai_client(server)
    done = client.chat.completions.create(model="clinrag", temperature=0, messages=[
        {"role": "user", "content": "Which MRI protocol for a palpable lumbar mass?"}])
    content = done.choices[0].message.content
    assert "without and with" in content and "[1]" in content and done.choices[0].finish_reason == "stop"
    extra = done.model_extra
    assert extra["citations"][0]["n"] == 1 and extra["guardrail"]["action"] == "pass"
    assert [m.id for m in client.models.list().data] == ["clinrag-extractive"]


def test_official_openai_client_streaming_multi_turn(server):
    client = openai_client(server)
    stream = client.chat.completions.create(model="clinrag", stream=True, messages=[
        {"role": "user", "content": "What is the best imaging for a palpable mid-lumbar mass with back pain?"},
        {"role": "assistant", "content": "A lumbar spine MRI without and with IV contrast [1]."},
        {"role": "user", "content": "He has a pacemaker that isn't MRI-compatible. What should I order instead?"}])
    parts, finish = [], None
    for event in stream:
        parts.append(event.choices[0].delta.content or "")
        finish = event.choices[0].finish_reason or finish
    text = "".join(parts)
    assert "CT" in text and "contrast" in text and finish == "stop"


def test_official_openai_client_sees_an_emergency_banner(server):
    done = openai_client(server).chat.completions.create(model="clinrag", messages=[
        {"role": "user", "content": "A patient with a lumbar mass now has urinary retention and saddle numbness."}])
    content = done.choices[0].message.content
    assert content.startswith("URGENT") and "surgical consultation" in content
    assert done.model_extra["guardrail"]["action"] == "escalate"


def test_native_conversation_over_http(server):
    h = {"Authorization": f"Bearer {KEY}"}
    first = httpx.post(f"{server}/v1/chat", headers=h, json={"message": "Imaging for a palpable lumbar mass?"}).json()
    second = httpx.post(f"{server}/v1/chat", headers=h, json={
        "message": "Why not just do the post-contrast sequences?", "conversation_id": first["conversation_id"]}).json()
    assert "enhancement" in second["answer"]


def test_upload_ask_delete_and_concurrent_questions_during_replace(server):
    h = {"Authorization": f"Bearer {KEY}"}
    pdf = make_pdf(["Spinal Schwannoma Note",
                    "Schwannomas are nerve sheath tumors that enhance avidly after gadolinium."])
    r = httpx.post(f"{server}/v1/documents", headers=h, files={"file": ("schwannoma.pdf", pdf, "application/pdf")})
    assert r.status_code == 201
    q = {"message": "Do schwannomas enhance after gadolinium?"}
    assert any(c["document_id"] == "schwannoma"
               for c in httpx.post(f"{server}/v1/chat", headers=h, json=q).json()["citations"])
    failures: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        with httpx.Client(base_url=server, headers=h, timeout=30) as c:
            while not stop.is_set():
                resp = c.post("/v1/chat", json=q)
                if resp.status_code != 200 or not resp.json()["citations"]:
                    failures.append(f"{resp.status_code} {resp.text[:200]}")

    workers = [threading.Thread(target=ask) for _ in range(4)]
    for w in workers:
        w.start()
    for version in range(3):
        text = f"Schwannomas enhance after gadolinium (revision {version}); they are nerve sheath tumors."
        pdf = make_pdf(["Spinal Schwannoma Note", text])
        put = httpx.put(f"{server}/v1/documents/schwannoma", headers=h, timeout=60,
                        files={"file": ("schwannoma.pdf", pdf, "application/pdf")})
        assert put.status_code == 200, put.text
    stop.set()
    for w in workers:
        w.join()
    assert failures == []
    assert httpx.delete(f"{server}/v1/documents/schwannoma", headers=h).status_code == 200
    after = httpx.post(f"{server}/v1/chat", headers=h, json=q).json()
    assert all(c["document_id"] != "schwannoma" for c in after["citations"])


def test_eval_runner_against_a_deployment_by_url(server):
    from eval.runner import CASES_DIR, HttpTarget, load_cases, metrics, run_cases

    cases = [c for c in load_cases([CASES_DIR / "chat_public.jsonl", CASES_DIR / "guard_public.jsonl"])
             if c["id"].startswith(("pub-imaging", "pub-oos", "pub-esc", "gpub-unsafe-ct", "gpub-safe-ct"))]
    results = run_cases(cases, HttpTarget(server, KEY))
    assert [r.id for r in results if not r.passed] == []
    m = metrics(results)
    assert m["chat"]["escalation_recall"] == 1.0 and m["guardrails"]["recall"] == 1.0


def test_the_web_page_is_served(server):
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and "/v1/chat" in page.text and "<form" in page.text


def test_adversarial_drafts_return_promptly_and_the_server_stays_responsive(server):
    """20,000 digits, a long repeated token and deep nesting: each check is quick, and /healthz answers meanwhile."""
    headers = {"Authorization": f"Bearer {KEY}"}
    drafts = ["1" * 20000, "wait " * 3999, "(" * 9000 + "MRI" + ")" * 9000]
    slow: list[float] = []

    def hammer():
        with httpx.Client(base_url=server, headers=headers, timeout=30) as c:
            for draft in drafts:
                r = c.post("/v1/guardrails/check", json={"question": "Palpable lumbar mass", "answer": draft})
                assert r.status_code == 200
                slow.append(r.elapsed.total_seconds())

    worker = threading.Thread(target=hammer)
    worker.start()
    with httpx.Client(base_url=server, timeout=5) as c:
        while worker.is_alive():
            assert c.get("/healthz").elapsed.total_seconds() < 1.0
    worker.join()
    assert len(slow) == len(drafts) and max(slow) < 3.0, slow


def test_a_check_names_the_pack_and_an_unknown_pack_is_a_404(server):
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server, headers=headers, timeout=30) as c:
        r = c.post("/v1/guardrails/check", json={"question": "Palpable lumbar mass", "answer": "The MRI can wait."})
        assert r.json()["packs"][0].startswith("lumbar-mass@") and r.json()["violations"][0]["pack"]
        gout = c.post("/v1/guardrails/check", json={"question": "Gout flare", "answer": "Colchicine is first-line."})
        assert gout.json()["action"] == "pass" and gout.json()["packs"] == []
        missing = c.post("/v1/guardrails/check", json={"question": "q", "answer": "a", "pack": "no-such-pack"})
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


def _ask_cli(server: str, *args: str, **env: str):
    import subprocess
    import sys

    port = server.rsplit(":", 1)[1]
    full = {k: v for k, v in os.environ.items() if k != "CLINRAG_API_KEY"} | {"CLINRAG_PORT": port, **env}
    return subprocess.run([sys.executable, "-m", "rag", "ask", *args], env=full, capture_output=True, text=True,
                          timeout=120)


def test_cli_ask_uses_the_running_service_with_its_key(server):
    refused = _ask_cli(server, "Imaging for a palpable lumbar mass?")
    assert refused.returncode == 1 and "answered 401" in refused.stderr and "--api-key" in refused.stderr
    done = _ask_cli(server, "Imaging for a palpable lumbar mass?", CLINRAG_API_KEY=KEY)
    assert done.returncode == 0, done.stderr
    assert f"asking the clinrag service running at {server}" in done.stderr and "loading the model" not in done.stderr
    assert "[1]" in done.stdout and "guardrail: pass" in done.stdout
