"""Clinician chat: the native endpoint with server-side conversations, and the OpenAI-compatible one."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.deps import ClinicianAuth, PipelineDep
from api.errors import ApiError
from api.openapi import AUTH, BAD_BODY, COMPLETION_OK, openai_errors, problems
from api.schemas import ChatRequest, ChatResponse, OpenAIChatRequest, OpenAIModelList
from rag.types import Answer

router = APIRouter(tags=["chat"])
MODEL_ID = "clinrag-extractive"
log = structlog.get_logger("clinrag.chat")


def _model_id(request: Request, answer: Answer | None = None) -> str:
    """What answers: the extractive composer, or the configured LLM (this answer's writer when given)."""
    settings = request.app.state.settings
    if not settings.llm_base_url or (answer is not None and answer.synthesizer != "llm"):
        return MODEL_ID
    return f"clinrag-llm:{settings.llm_model}"


def _record(request: Request, answer: Answer, question: str, route: str, key_id: str) -> None:
    state = request.app.state
    state.metrics.record_answer(answer)
    state.audit.record(
        route=route, request_id=request.state.request_id, key_id=key_id, question=question, answer=answer.answer,
        citations=[c.model_dump() for c in answer.citations], action=answer.guardrail.action,
        rule_ids=[v.rule_id for v in answer.guardrail.violations], rules_version=answer.guardrail.rules_version,
        latency_ms=answer.timings_ms.get("total"), index_version=answer.index_version,
        conversation_id=answer.conversation_id or None, synthesizer=answer.synthesizer,
        fallback_reason=answer.fallback_reason)
    log.info("answer", request_id=request.state.request_id, route=route, synthesizer=answer.synthesizer,
             llm_outcome=answer.llm_outcome, fallback_reason=answer.fallback_reason, action=answer.guardrail.action,
             llm_dropped=list(answer.llm_dropped), latency_ms=answer.timings_ms.get("total"))


@router.post("/v1/chat", response_model=ChatResponse, summary="Ask a question or a follow-up",
             responses=problems(*AUTH, *BAD_BODY, 404, 503))
async def chat(body: ChatRequest, request: Request, pipeline: PipelineDep, principal: ClinicianAuth) -> ChatResponse:
    """Answer from the indexed sources, every sentence cited; pass `conversation_id` to follow up."""
    store = pipeline.conversations
    cid = body.conversation_id or store.create(owner=principal.key_id)
    history = store.history(cid, owner=principal.key_id)  # 404 for an unknown one or another key's
    answer = await pipeline.answer_async([*history, {"role": "user", "content": body.message}], conversation_id=cid)
    store.append(cid, body.message, answer.answer, answer.model_dump(mode="json"))
    _record(request, answer, body.message, "/v1/chat", principal.key_id)
    return ChatResponse(**answer.model_dump(exclude={"retrieved"}))


@router.get("/v1/models", response_model=OpenAIModelList, summary="List the model (OpenAI-compatible)",
            responses=openai_errors(*AUTH))
def models(request: Request, principal: ClinicianAuth) -> dict:
    """The model this service answers as: the extractive composer, or the configured LLM with it as fallback."""
    return {"object": "list", "data": [{"id": _model_id(request), "object": "model", "created": 0,
                                        "owned_by": "clinrag"}]}


def _text(content) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")


def _content(answer: Answer) -> str:
    return f"{answer.banner}\n\n{answer.answer}" if answer.banner else answer.answer


def _extra(answer: Answer) -> dict:
    return {"citations": [c.model_dump(mode="json") for c in answer.citations],
            "guardrail": answer.guardrail.model_dump(mode="json"), "abstained": answer.abstained,
            "scope": answer.scope, "synthesizer": answer.synthesizer, "fallback_reason": answer.fallback_reason,
            "llm_outcome": answer.llm_outcome,
            "banner": answer.banner, "disclaimer": answer.disclaimer,
            "source_disclaimers": [d.model_dump(mode="json") for d in answer.source_disclaimers],
            "timings_ms": answer.timings_ms,
            "retrieved": [r.model_dump(mode="json") for r in answer.retrieved]}


@router.post("/v1/chat/completions", summary="OpenAI-compatible chat completions",
             responses={**COMPLETION_OK, **openai_errors(*AUTH, *BAD_BODY, 503)})
async def completions(body: OpenAIChatRequest, request: Request, pipeline: PipelineDep, principal: ClinicianAuth):
    """OpenAI Chat Completions: `choices[0].message.content` carries the cited answer; `stream` sends SSE."""
    messages = [{"role": m.role, "content": _text(m.content)} for m in body.messages]
    if not any(m["role"] == "user" and m["content"].strip() for m in messages):
        raise ApiError(400, "messages must include a user message with text")
    if len(messages[-1]["content"]) > 4000 or messages[-1]["role"] != "user":
        raise ApiError(400, "the last message must be a user message of at most 4000 characters")
    if body.stream and pipeline.llm is not None:
        # each sentence goes out once verified and passed by the rules; the first piece is pulled before the
        # response opens, so an early failure is still a real HTTP error
        pieces = pipeline.answer_stream(messages)
        first = await anext(pieces)
        return StreamingResponse(_live(request, first, pieces, messages[-1]["content"], principal.key_id),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    answer = await pipeline.answer_async(messages)  # computed and guard-railed before any byte
    _record(request, answer, messages[-1]["content"], "/v1/chat/completions", principal.key_id)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    finish = "content_filter" if answer.guardrail.action == "block" else "stop"
    if not body.stream:
        prompt_tokens = sum(len(m["content"].split()) for m in messages)  # words: no tokenizer of ours
        completion_tokens = len(answer.answer.split())
        return {"id": completion_id, "object": "chat.completion", "created": created,
                "model": _model_id(request, answer),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": _content(answer)},
                             "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
                **_extra(answer)}
    return StreamingResponse(_stream(request, answer, completion_id, created, finish), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _live(request: Request, first, pieces, question: str, key_id: str):
    """Sentences as the pipeline releases them, then the final chunk with citations and the guardrail verdict."""
    completion_id, created, model = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time()), _model_id(request)

    def chunk(delta: dict, finish_reason: str | None = None, extra: dict | None = None) -> str:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}
        return f"data: {json.dumps({**payload, **(extra or {})})}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    item, streamed = first, False
    try:
        while not isinstance(item, Answer):
            streamed = True
            yield chunk({"content": item})
            item = await anext(pieces)
    finally:
        await pieces.aclose()  # a client that hangs up cancels the model's request
    answer = item
    _record(request, answer, question, "/v1/chat/completions", key_id)
    if not streamed:
        for piece in re.findall(r"\S+\s*", _content(answer)):
            yield chunk({"content": piece})
    yield chunk({}, "content_filter" if answer.guardrail.action == "block" else "stop", _extra(answer))
    yield "data: [DONE]\n\n"


async def _stream(request: Request, answer: Answer, completion_id: str, created: int, finish: str):
    """Only guardrail-approved text exists at this point; it is sent in small pieces, then [DONE]."""

    model = _model_id(request, answer)

    def chunk(delta: dict, finish_reason: str | None = None, extra: dict | None = None) -> str:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}
        return f"data: {json.dumps({**payload, **(extra or {})})}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for piece in re.findall(r"\S+\s*", _content(answer)):
        if await request.is_disconnected():
            return
        yield chunk({"content": piece})
        await asyncio.sleep(0)
    yield chunk({}, finish, _extra(answer))
    yield "data: [DONE]\n\n"
