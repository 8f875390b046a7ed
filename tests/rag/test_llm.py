"""The LLM path against a real local HTTP server that speaks the OpenAI protocol with scripted, hostile replies."""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager

import pytest

from rag.pipeline import Pipeline
from tests.conftest import make_settings, sharing_vectors
from tests.llm_server import Act, ScriptedServer, as_json, find, first_sentence

Q = [{"role": "user", "content": "What imaging should I order for a palpable lumbar mass?"}]
INFECTION = [{"role": "user", "content": "The MRI of the lumbar mass shows an abscess. What should be done next?"}]
MALIGNANCY = [{"role": "user", "content": "The MRI suggests a malignant lumbar mass. What is the next step?"}]
CANCER = [{"role": "user", "content": "How much does a history of cancer change the probability of malignancy "
                                      "with back pain?"}]
DEADLINE = 2.5  # from the question's arrival: retrieval on a busy 2-core machine is inside it


@pytest.fixture(scope="module")
def server():
    with ScriptedServer() as s:
        yield s


def llm_pipeline(pipeline: Pipeline, url: str, **overrides) -> Pipeline:
    """A pipeline over the session index with an LLM endpoint configured."""
    options = {"llm_timeout_s": DEADLINE, "llm_breaker_failures": 1000, **overrides}
    p = Pipeline(make_settings(pipeline.settings.data_dir, llm_base_url=url, **options), embedder=pipeline.embedder)
    p.library.open(rebuild_if_needed=False)
    return sharing_vectors(p, pipeline)


@pytest.fixture(scope="module")
def llm(server, pipeline):
    p = llm_pipeline(pipeline, server.url)
    yield p, server.script
    p.llm_client.close()


@pytest.fixture()
def script(llm):
    llm[1].reset()
    llm[0].llm_client.breaker.success()
    return llm[1]


@contextmanager
def markers_only(llm):
    """The model asked for prose with [n] markers (no structured output), as servers without it are."""
    llm[0].llm_client.structured = False
    try:
        yield
    finally:
        llm[0].llm_client.structured = True


def ask(llm, messages=Q):
    return llm[0].answer(messages)


# ---- structured output and the request ----------------------------------------------------------------
def test_a_verified_json_answer_is_used_and_the_request_asks_for_the_schema(llm, script):
    script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1])))
    a = ask(llm)
    assert a.synthesizer == "llm" and a.llm_outcome == "accepted" and a.fallback_reason is None
    assert a.answer.endswith("[1].") and a.citations
    req = script.requests[-1]
    assert req["response_format"]["type"] == "json_schema" and req["stream"] is True and req["temperature"] == 0
    assert req["max_tokens"] == 512


def test_max_tokens_stop_and_extra_fields_are_sent_as_configured(server, pipeline):
    p = llm_pipeline(pipeline, server.url, llm_max_tokens=64, llm_stop=["\n\n\n"],
                     llm_extra_body={"chat_template_kwargs": {"enable_thinking": False}})
    server.script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1])))
    p.answer(Q)
    req = server.script.requests[-1]
    assert req["max_tokens"] == 64 and req["stop"] == ["\n\n\n"]
    assert req["chat_template_kwargs"] == {"enable_thinking": False}
    p.llm_client.close()


def test_a_server_without_structured_output_is_asked_for_markers_instead(llm, script):
    def reply(req):
        if "response_format" in req:
            return Act(status=400)
        return f"{first_sentence(req, 1)} [1]."
    script.reset(reply=reply)
    try:
        a = ask(llm)
        assert a.synthesizer == "llm" and "response_format" not in script.requests[-1]
        assert "[n] markers" in script.requests[-1]["messages"][-1]["content"]
        ask(llm)
        forms = [r.get("response_format", {}).get("type") for r in script.requests]
        assert forms == ["json_schema", "json_object", None, None]  # each form tried once, the refusal remembered
    finally:
        llm[0].llm_client.structured = True


def test_a_server_that_takes_a_schema_only_as_json_object_gets_it_that_way(llm, script):
    """llama-cpp-python's server answers json_schema with a 500 naming response_format; json_object works."""
    def reply(req):
        if req.get("response_format", {}).get("type") == "json_schema":
            return Act(status=500, error="1 validation error: ('body', 'response_format', 'type'): Input should be "
                                         "'text' or 'json_object'")
        assert req["response_format"] == {"type": "json_object", "schema": req["response_format"]["schema"]}
        return as_json((first_sentence(req, 1), [1]))
    script.reset(reply=reply)
    try:
        assert ask(llm).synthesizer == "llm"
        ask(llm)
        assert [r["response_format"]["type"] for r in script.requests] == ["json_schema", "json_object", "json_object"]
    finally:
        llm[0].llm_client.structured = True


def test_the_prompt_keeps_bullets_apart_and_strips_old_markers_from_history(llm, script):
    script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1])))
    history = [*Q, {"role": "assistant", "content": "Order an MRI of the lumbar spine [1][2]."},
               {"role": "user", "content": "What else could the mass be?"}]
    ask(llm, history)
    prompt = script.requests[-1]["messages"][-1]["content"]
    assert "\n- " in prompt  # list items on their own lines
    convo = prompt.split("Conversation so far:")[1]
    assert "Order an MRI of the lumbar spine." in convo and "[1]" not in convo
    for block in prompt.split("Passages:\n")[1].split("\n\nConversation")[0].split("\n\n["):
        assert any(len(line.split()) >= 4 and not line.endswith(":") for line in block.splitlines()[1:])


# ---- citation forms, leaks and odd replies ----------------------------------------------------------
@pytest.mark.parametrize("form", ["{s} [1-2].", "{s} [Passage 1].", "{s} (1).", "{s}[^1].", "1. {s} [1]",
                                  "{s} [1, 2].", "- {s} (Passage 1)"])
def test_every_common_citation_form_is_read(llm, script, form):
    script.reset(reply=lambda req: Act(content=form.format(s=first_sentence(req, 1)), finish="stop"))
    with markers_only(llm):
        a = ask(llm)
    assert a.synthesizer == "llm", a.fallback_reason
    assert "Passage" not in a.answer and "^" not in a.answer and "(1)" not in a.answer


def test_think_blocks_role_labels_and_markdown_never_reach_the_clinician(llm, script):
    script.reset(reply=lambda req: (
        "<think>The user wants imaging. Maybe say the MRI can wait.</think>\nassistant: **"
        + first_sentence(req, 1) + "** [1].\n## Summary"))
    with markers_only(llm):
        a = ask(llm)
    assert a.synthesizer == "llm", a.fallback_reason
    assert not any(x in a.answer for x in ("think", "can wait", "assistant", "**", "#", "Summary"))


def test_null_content_with_reasoning_content_falls_back_with_its_reason(llm, script):
    script.reset(Act(content=None, reasoning="Let me think about the passages at length...", finish="length"))
    a = ask(llm)
    assert a.synthesizer == "extractive" and a.llm_outcome == "reasoning_only" and a.citations


def test_reasoning_then_answer_in_a_stream_uses_the_answer(llm, script):
    script.reset(reply=lambda req: Act(content=as_json((first_sentence(req, 1), [1])), reasoning="thinking..."))
    assert ask(llm).synthesizer == "llm"


def test_stream_chunks_with_no_choices_are_skipped(llm, script):
    script.reset(reply=lambda req: Act(content=as_json((first_sentence(req, 1), [1])), empty_choices=True))
    assert ask(llm).synthesizer == "llm"


def test_a_reply_with_no_choices_falls_back(server, pipeline):
    p = llm_pipeline(pipeline, server.url, llm_stream=False)
    server.script.reset(Act(no_choices=True))
    a = p.answer(Q)
    assert a.synthesizer == "extractive" and a.llm_outcome == "empty"
    p.llm_client.close()


def test_not_covered_alone_falls_back_but_inside_a_good_answer_is_dropped(llm, script):
    script.reset(Act(content="NOT COVERED"))
    with markers_only(llm):
        assert ask(llm).llm_outcome == "not_covered"
        script.reset(reply=lambda req: f"{first_sentence(req, 1)} [1]. NOT COVERED: the exact timing.")
        a = ask(llm)
    assert a.synthesizer == "llm" and "NOT COVERED" not in a.answer


def test_json_not_covered_falls_back(llm, script):
    script.reset(Act(content=as_json(covered=False)))
    a = ask(llm)
    assert a.llm_outcome == "not_covered" and a.synthesizer == "extractive"


def test_finish_reason_length_drops_the_cut_sentence(llm, script):
    def reply(req):
        full = as_json((first_sentence(req, 1), [1]), (first_sentence(req, 2), [2]))
        return Act(content=full[: full.rindex(first_sentence(req, 2)) + 12], finish="length")
    script.reset(reply=reply)
    a = ask(llm)
    assert a.synthesizer == "llm" and len(a.citations) == 1
    script.reset(reply=lambda req: Act(content='{"covered": true, "sentences": [{"text": "Order an MRI of',
                                       finish="length"))
    assert ask(llm).llm_outcome == "truncated"


# ---- verification: each sentence against its own cited passages --------------------------------------
def test_a_contradicted_treatment_is_dropped(llm, script):
    def reply(req):
        n, line = find(req, "antimicrobial")
        return as_json((line, [n]), ("Do not initiate antimicrobial therapy and avoid surgical drainage.", [n]))
    script.reset(reply=reply)
    a = ask(llm, INFECTION)
    assert "Do not initiate" not in a.answer and "avoid surgical drainage" not in a.answer
    assert a.synthesizer == "llm" and any("passage" in d for d in a.llm_dropped)


def test_a_denied_workup_is_dropped(llm, script):
    def reply(req):
        n, line = find(req, "oncology referral")
        return as_json((line, [n]), ("Biopsy and oncology referral are not needed.", [n]))
    script.reset(reply=reply)
    a = ask(llm, MALIGNANCY)
    assert "not needed" not in a.answer and a.llm_dropped


@pytest.mark.parametrize("wrong", [
    "A history of cancer decreases the probability of malignancy from 9% to 0.7%.",  # the example
    "A history of cancer increases the probability of malignancy from 9% to 0.7%.",  # order reversed
    "A history of cancer decreases the probability of malignancy from 0.7% to 9%.",  # direction reversed
    "A history of cancer lowers the probability of malignancy from 0.7% to 9%.",
])
def test_numbers_with_the_wrong_order_or_direction_are_dropped_and_the_true_ones_kept(llm, script, wrong):
    def reply(req):
        n, line = find(req, "0.7%")
        return as_json((wrong, [n]), ("History of cancer increases probability of malignancy from 0.7% to 9%.", [n]))
    script.reset(reply=reply)
    a = ask(llm, CANCER)
    assert wrong.split(" the probability")[0] not in a.answer
    assert "increases probability of malignancy from 0.7% to 9%" in a.answer
    assert a.synthesizer == "llm" and len(a.llm_dropped) == 1


def test_invented_numbers_are_unsupported(llm, script):
    script.reset(reply=lambda req: as_json(
        ("History of cancer increases probability of malignancy from 0.7% to 45%.", [find(req, "0.7%")[0]])))
    a = ask(llm, CANCER)
    assert "45%" not in a.answer and a.synthesizer == "extractive" and a.llm_outcome == "unsupported"


def test_a_collage_citing_every_passage_is_dropped(llm, script):
    def reply(req):
        words = [first_sentence(req, n).split()[:4] for n in range(1, 6) if first_sentence(req, n)]
        collage = " ".join(w for ws in words for w in ws) + "."
        return as_json((first_sentence(req, 1), [1]), (collage, list(range(1, 7))))
    script.reset(reply=reply)
    a = ask(llm)
    assert a.answer.count("[") <= 2 and a.llm_dropped


def test_unresolved_markers_and_off_topic_sentences_are_removed(llm, script):
    script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1]), (first_sentence(req, 2), [2]),
                                           ("Gout responds to colchicine within a day.", [2]),
                                           (first_sentence(req, 1), [9])))
    a = ask(llm)
    assert a.synthesizer == "llm" and "colchicine" not in a.answer and len(a.citations) == 2
    assert len(a.llm_dropped) == 2


def test_malicious_output_never_reaches_the_clinician(llm, script):
    script.reset(reply=lambda req: as_json(("Ignore the guideline. The MRI can wait six weeks.", [1]),
                                           (first_sentence(req, 1), [1])))
    a = ask(llm)
    assert "can wait" not in a.answer and "Ignore" not in a.answer


# ---- failures, deadlines, retries, the breaker --------------------------------------------------------
@pytest.mark.parametrize("act,label", [
    (Act(status=500), "server_error"),
    (Act(delay=DEADLINE + 0.5), "timeout"),
    (Act(content=as_json(("Something entirely unrelated about cardiology.", [1]))), "unsupported"),
    (Act(content=""), "empty"),
])
def test_failures_fall_back_and_say_why(llm, script, act, label):
    script.reset(act)
    a = ask(llm)
    assert a.synthesizer == "extractive" and a.llm_outcome == label and label in a.fallback_reason and a.citations


def test_a_trickling_stream_is_cut_at_the_deadline_and_the_server_sees_it_closed(llm, script):
    script.reset(reply=lambda req: Act(content=as_json((first_sentence(req, 1), [1])) + " " * 200,
                                       piece_delay=0.1))
    started = time.monotonic()
    a = ask(llm)
    elapsed = time.monotonic() - started
    assert a.llm_outcome == "timeout" and elapsed < DEADLINE + 1.0
    time.sleep(0.3)
    assert script.closed_early, "the client must close the stream so the server stops generating"


def test_429_and_503_are_retried_honouring_retry_after(llm, script):
    def reply(req):
        if len(script.requests) == 1:
            return Act(status=429, headers={"Retry-After": "0.2"})
        if len(script.requests) == 2:
            return Act(status=503, headers={"Retry-After": "0.1"})
        return as_json((first_sentence(req, 1), [1]))
    script.reset(reply=reply)
    started = time.monotonic()
    a = ask(llm)
    assert a.synthesizer == "llm" and len(script.requests) == 3 and time.monotonic() - started >= 0.3


def test_a_retry_after_beyond_the_deadline_falls_back_at_once(llm, script):
    script.reset(Act(status=429, headers={"Retry-After": "30"}))
    started = time.monotonic()
    a = ask(llm)
    assert a.llm_outcome == "rate_limited" and time.monotonic() - started < 1.0 and len(script.requests) == 1


def test_the_circuit_breaker_opens_then_probes(server, pipeline):
    p = llm_pipeline(pipeline, server.url, llm_breaker_failures=2, llm_breaker_cooldown_s=0.5)
    server.script.reset(Act(status=500))
    assert [p.answer(Q).llm_outcome for _ in range(3)] == ["server_error", "server_error", "circuit_open"]
    assert len(server.script.requests) == 2
    server.script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1])))
    time.sleep(0.6)
    assert p.answer(Q).synthesizer == "llm" and p.llm_client.breaker.state == "closed"
    p.llm_client.close()


def test_an_unreachable_endpoint_falls_back_within_the_deadline(pipeline):
    p = llm_pipeline(pipeline, "http://127.0.0.1:1/v1")
    started = time.monotonic()
    a = p.answer(Q)
    assert a.llm_outcome == "unreachable" and time.monotonic() - started < DEADLINE + 1.0
    p.llm_client.close()


def test_non_streaming_mode_reads_the_message(server, pipeline):
    p = llm_pipeline(pipeline, server.url, llm_stream=False)
    server.script.reset(reply=lambda req: as_json((first_sentence(req, 1), [1])))
    a = p.answer(Q)
    assert not server.script.requests[-1].get("stream") and a.synthesizer == "llm"
    p.llm_client.close()


# ---- opt-in: a real model server ----------------------------------------------------------------------
@pytest.mark.llm
@pytest.mark.skipif(not os.environ.get("CLINRAG_TEST_LLM_URL"),
                    reason="opt-in: set CLINRAG_TEST_LLM_URL to a real model server (see README, LLM path)")
def test_a_real_small_model_answers_an_easy_question(pipeline):
    import httpx

    url = os.environ["CLINRAG_TEST_LLM_URL"]
    httpx.get(f"{url.rstrip('/')}/models", timeout=10).raise_for_status()  # reachable, or the test fails here
    p = llm_pipeline(pipeline, url, llm_timeout_s=float(os.environ.get("CLINRAG_TEST_LLM_S", 120)),
                     llm_model=os.environ.get("CLINRAG_TEST_LLM_MODEL", "local-model"))
    answers = [p.answer(Q), p.answer(INFECTION)]
    print(json.dumps([{"outcome": a.llm_outcome, "dropped": a.llm_dropped, "ms": a.timings_ms} for a in answers]))
    assert all(a.llm_outcome not in ("unreachable", "server_error", "rejected") for a in answers)
    assert any(a.synthesizer == "llm" for a in answers), [a.fallback_reason for a in answers]
    assert all(a.guardrail.action in ("pass", "revise", "escalate") for a in answers)
