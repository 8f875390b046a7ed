"""Clinician chat: the native endpoint with server-side conversations, and the OpenAI-compatible one."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.deps import ClinicianAuth, PipelineDep
from api.errors import ApiError
from api.openapi import AUTH, BAD_BODY, COMPLETION_OK, openai_errors, problems
from api.schemas import ChatRequest, ChatResponse, OpenAIChatRequest, OpenAIModelList
from rag.types import Answer

router = APIRouter(tags=["chat"])
MODEL_ID = "clinrag-extractive"


def _record(request: Request, answer: Answer, question: str, route: str, key_id: str) -> None:
    state = request.app.state
    state.metrics.record_answer(answer)
    state.audit.record(
        route=route, request_id=request.state.request_id, key_id=key_id, question=question, answer=answer.answer,
        citations=[c.model_dump() for c in answer.citations], action=answer.guardrail.action,
        rule_ids=[v.rule_id for v in answer.guardrail.violations], rules_version=answer.guardrail.rules_version,
        latency_ms=answer.timings_ms.get("total"), index_version=answer.index_version,
        conversation_id=answer.conversation_id or None)


@router.post("/v1/chat", response_model=ChatResponse, summary="Ask a question or a follow-up",
             responses=problems(*AUTH, *BAD_BODY, 404, 503))
def chat(body: ChatRequest, request: Request, pipeline: PipelineDep, principal: ClinicianAuth) -> ChatResponse:
    """Answer from the indexed sources, every sentence cited; pass `conversation_id` to follow up."""
    store = pipeline.conversations
    cid = body.conversation_id or store.create(owner=principal.key_id)
    history = store.history(cid, owner=principal.key_id)  # 404 for an unknown one or another key's
    answer = pipeline.answer([*history, {"role": "user", "content": body.message}], conversation_id=cid)
    store.append(cid, body.message, answer.answer, answer.model_dump(mode="json"))
    _record(request, answer, body.message, "/v1/chat", principal.key_id)
    return ChatResponse(**answer.model_dump(exclude={"retrieved"}))


@router.get("/v1/models", response_model=OpenAIModelList, summary="List the model (OpenAI-compatible)",
            responses=openai_errors(*AUTH))
def models(request: Request, principal: ClinicianAuth) -> dict:
    """The one model this service answers as."""
    return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "clinrag"}]}


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
            "scope": answer.scope,
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
    answer = await run_in_threadpool(pipeline.answer, messages)  # computed and guard-railed before any byte
    _record(request, answer, messages[-1]["content"], "/v1/chat/completions", principal.key_id)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    finish = "content_filter" if answer.guardrail.action == "block" else "stop"
    if not body.stream:
        prompt_tokens = sum(len(m["content"].split()) for m in messages)  # words: no tokenizer of ours
        completion_tokens = len(answer.answer.split())
        return {"id": completion_id, "object": "chat.completion", "created": created, "model": MODEL_ID,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": _content(answer)},
                             "finish_reason": finish, "logprobs": None}],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
                **_extra(answer)}
    return StreamingResponse(_stream(request, answer, completion_id, created, finish), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(request: Request, answer: Answer, completion_id: str, created: int, finish: str):
    """Only guardrail-approved text exists at this point; it is sent in small pieces, then [DONE]."""

    def chunk(delta: dict, finish_reason: str | None = None, extra: dict | None = None) -> str:
        payload = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
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
