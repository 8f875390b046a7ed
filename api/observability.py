"""Request ids, structured logs, Prometheus metrics and early body-size limits, as one ASGI middleware."""

from __future__ import annotations

import logging
import time
import uuid

import structlog
from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("clinrag.http")


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(message)s", level=getattr(logging, level.upper(), logging.INFO))
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso", utc=True), structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.INFO)),
    )


class Metrics:
    """One registry per app, so tests and several apps in one process never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("clinrag_http_requests_total", "HTTP requests", ["route", "method", "status"],
                                registry=r)
        self.latency = Histogram("clinrag_http_request_seconds", "HTTP latency", ["route"], registry=r,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60))
        self.stage = Histogram("clinrag_stage_seconds", "Answer pipeline stage latency", ["stage"], registry=r,
                               buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
                                        20, 30, 60))  # up to the longest LLM deadline anyone sets
        self.actions = Counter("clinrag_guardrail_actions_total", "Guardrail verdicts", ["action"], registry=r)
        self.violations = Counter("clinrag_guardrail_violations_total", "Rule violations", ["rule_id"], registry=r)
        self.abstentions = Counter("clinrag_abstentions_total", "Answers that abstained", registry=r)
        self.fallbacks = Counter("clinrag_llm_fallbacks_total", "Answers the LLM was to write that fell back to the "
                                 "extractive default, by reason", ["reason"], registry=r)
        self.llm_outcomes = Counter("clinrag_llm_outcomes_total", "LLM answers by outcome (accepted or the fallback "
                                    "reason)", ["outcome"], registry=r)
        self.llm_dropped = Counter("clinrag_llm_dropped_sentences_total", "Model sentences dropped by verification",
                                   registry=r)
        self.chunks = Gauge("clinrag_index_chunks", "Chunks in the serving index", registry=r)
        self.documents = Gauge("clinrag_index_documents", "Documents in the serving index", registry=r)

    def record_answer(self, answer) -> None:
        for stage, ms in answer.timings_ms.items():
            self.stage.labels(stage).observe(ms / 1000)
        self.actions.labels(answer.guardrail.action).inc()
        for v in answer.guardrail.violations:
            self.violations.labels(v.rule_id).inc()
        if answer.abstained:
            self.abstentions.inc()
        if answer.llm_outcome:
            self.llm_outcomes.labels(answer.llm_outcome).inc()
            if answer.llm_outcome != "accepted":
                self.fallbacks.labels(answer.llm_outcome).inc()
            self.llm_dropped.inc(len(answer.llm_dropped))


class RequestContext:
    """Assigns a request id, refuses oversize bodies before reading them, logs and measures each request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body: int, max_upload: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        request_id = headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        upload = scope["path"].startswith("/v1/documents") and "multipart" in headers.get("content-type", "")
        limit = self.max_upload if upload else self.max_body
        started = time.perf_counter()
        status = {"code": 500, "started": False}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["started"] = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send_wrapper, limit, request_id)
        else:
            received = {"n": 0}

            async def limited_receive() -> Message:
                message = await receive()
                if message["type"] == "http.request":
                    received["n"] += len(message.get("body", b""))
                    if received["n"] > limit:
                        raise _BodyTooLarge(limit)
                return message

            try:
                await self.app(scope, limited_receive, send_wrapper)
            except _BodyTooLarge:
                if not status["started"]:
                    await _too_large(scope, send_wrapper, limit, request_id)
            except Exception:
                # Handled here, inside the logging and metrics, so a 5xx carries X-Request-ID, a log line
                # and a series like any response; not re-raised, so the keep-alive connection survives.
                log.exception("unhandled error", request_id=request_id, method=scope["method"],
                              path=scope["path"])
                if not status["started"]:
                    await _problem(scope, send_wrapper, 500, "Internal error",
                                   "internal error; see the server log with this request id", request_id)
        route = scope.get("route").path if scope.get("route") else "unmatched"
        elapsed = time.perf_counter() - started
        self.metrics.requests.labels(route, scope["method"], str(status["code"])).inc()
        self.metrics.latency.labels(route).observe(elapsed)
        log.info("request", request_id=request_id, method=scope["method"], route=route, status=status["code"],
                 latency_ms=round(elapsed * 1000, 2), key_id=scope["state"].get("key_id"))


class _BodyTooLarge(HTTPException):
    """Raised while the body streams in (chunked bodies have no Content-Length to refuse up front).

    An HTTPException, so FastAPI's body parsing passes it through as a 413 instead of a generic 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")


async def _too_large(scope: Scope, send: Send, limit: int, request_id: str) -> None:
    await _problem(scope, send, 413, "Payload too large", f"request body larger than {limit} bytes", request_id)


async def _problem(scope: Scope, send: Send, status: int, title: str, detail: str, request_id: str) -> None:
    import json

    openai = scope["path"].startswith(("/v1/chat/completions", "/v1/models"))
    if openai:
        kind = "invalid_request_error" if status < 500 else "server_error"
        body = {"error": {"message": detail, "type": kind, "param": None, "code": status}}
        ctype = b"application/json"
    else:
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                "instance": scope["path"], "request_id": request_id}
        ctype = b"application/problem+json"
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
