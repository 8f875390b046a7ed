"""The LLM path against a real local HTTP server that speaks the OpenAI protocol with scripted replies."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.pipeline import Pipeline
from tests.conftest import make_settings

Q = [{"role": "user", "content": "What imaging should I order for a palpable lumbar mass?"}]


def first_sentence(request: dict, n: int = 1) -> str:
    """The first sentence of passage [n] as the scripted server received it."""
    prompt = request["messages"][-1]["content"]
    passage = re.search(rf"^\[{n}\] \([^)]*\) (.*)$", prompt, re.MULTILINE).group(1)
    return re.split(r"(?<=[.!?])\s", passage)[0].rstrip(".")


class Scripted:
    """What the fake model answers next: a function of the request, an HTTP status, or a delay."""

    def __init__(self) -> None:
        self.reply: Callable[[dict], str] = lambda req: ""
        self.status = 200
        self.delay = 0.0
        self.requests: list[dict] = []


@pytest.fixture(scope="module")
def fake_llm():
    script = Scripted()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            script.requests.append(body)
            time.sleep(script.delay)
            if script.status != 200:
                self.send_response(script.status)
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "boom"}}')
                return
            text = script.reply(body)
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in re.findall(r"\S+\s*", text):
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                return
            payload = json.dumps({"id": "x", "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1", script
    server.shutdown()


def llm_pipeline(session_settings, embedder, url: str, **overrides) -> Pipeline:
    settings = make_settings(session_settings.data_dir, llm_base_url=url, llm_timeout_s=1.0, **overrides)
    p = Pipeline(settings, embedder=embedder)
    p.library.open(rebuild_if_needed=False)
    return p


@pytest.fixture()
def llm(fake_llm, session_settings, embedder, library):
    url, script = fake_llm
    script.status, script.delay, script.requests[:] = 200, 0.0, []
    return llm_pipeline(session_settings, embedder, url), script


def test_supported_cited_answer_is_used_and_the_prompt_numbers_passages(llm):
    pipeline, script = llm
    script.reply = lambda req: f"{first_sentence(req)} [1]."
    a = pipeline.answer(Q)
    assert a.synthesizer == "llm" and a.fallback_reason is None and a.answer.endswith("[1].")
    prompt = script.requests[-1]["messages"][-1]["content"]
    assert "[1] (" in prompt and "[n] markers" in prompt and script.requests[-1]["temperature"] == 0


def test_unresolved_markers_and_unsupported_sentences_are_removed(llm):
    pipeline, script = llm
    script.reply = lambda req: (f"{first_sentence(req)} [1]. Gout responds to colchicine within a day [2]. "
                                f"{first_sentence(req)} [9]. Uncited filler sentence here.")
    a = pipeline.answer(Q)
    assert a.synthesizer == "llm" and "colchicine" not in a.answer and "[9]" not in a.answer
    assert "filler" not in a.answer and len(a.citations) == 1


def test_malicious_output_never_reaches_the_clinician(llm):
    pipeline, script = llm
    script.reply = lambda req: ("Ignore the guideline. The MRI can wait six weeks [1]. "
                                f"{first_sentence(req)} [1].")
    a = pipeline.answer(Q)
    assert "can wait" not in a.answer and "Ignore" not in a.answer


def test_invented_numbers_are_unsupported(llm):
    pipeline, script = llm
    script.reply = lambda req: "History of cancer increases probability of malignancy from 0.7% to 45% [1]."
    a = pipeline.answer([{"role": "user", "content": "How much does a history of cancer raise the probability?"}])
    assert "45%" not in a.answer and a.synthesizer == "extractive"


@pytest.mark.parametrize("setup,reason", [
    (lambda s: setattr(s, "status", 500), "endpoint failed"),
    (lambda s: setattr(s, "delay", 2.0), "timed out"),
    (lambda s: setattr(s, "reply", lambda req: "Something entirely unrelated about cardiology [1]."), "supported"),
    (lambda s: setattr(s, "reply", lambda req: "NOT COVERED"), "no answer"),
])
def test_failures_fall_back_to_the_extractive_composer_and_say_so(llm, setup, reason):
    pipeline, script = llm
    setup(script)
    a = pipeline.answer(Q)
    assert a.synthesizer == "extractive" and reason in a.fallback_reason and a.citations


def test_streaming_endpoint_is_read_whole_then_checked(fake_llm, session_settings, embedder, library):
    url, script = fake_llm
    script.status, script.delay = 200, 0.0
    script.reply = lambda req: f"{first_sentence(req)} [1]."
    p = llm_pipeline(session_settings, embedder, url, llm_stream=True)
    a = p.answer(Q)
    assert script.requests[-1]["stream"] is True and a.synthesizer == "llm" and a.citations


@pytest.mark.llm
@pytest.mark.skipif(not os.environ.get("CLINRAG_TEST_LLM_URL"),
                    reason="opt-in: set CLINRAG_TEST_LLM_URL to a real model server (see README, LLM path)")
def test_a_real_small_model_is_grounded_or_falls_back(session_settings, embedder, library):
    p = llm_pipeline(session_settings, embedder, os.environ["CLINRAG_TEST_LLM_URL"], llm_timeout_s=60.0)
    a = p.answer(Q)
    assert a.citations and (a.synthesizer == "llm" or a.fallback_reason)
    assert a.guardrail.action in ("pass", "revise", "block")
