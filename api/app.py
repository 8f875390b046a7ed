"""The FastAPI app factory: no work at import time; the pipeline is built once in the lifespan."""

from __future__ import annotations

import asyncio
import gc
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from api import errors, openapi
from api.audit import AuditLog
from api.auth import KeyRing
from api.deps import RateLimiter
from api.observability import Metrics, RequestContext, configure_logging
from api.routes import chat, documents, guard, health, web
from guardrails.engine import GuardrailEngine
from rag.config import Settings
from rag.pipeline import Pipeline


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        log = structlog.get_logger("clinrag")
        if pipeline is None:
            try:
                built = Pipeline(settings)
                await asyncio.to_thread(built.warm_up)  # builds the index if missing or stale
                app.state.pipeline = built
                app.state.precompute = asyncio.create_task(asyncio.to_thread(built.precompute))
            except Exception as exc:  # readyz reports it; the process stays up for diagnosis
                app.state.startup_error = str(exc)
                log.error("startup failed", error=str(exc))
        elif pipeline.ready:  # handed an open pipeline: it still answers once before the first request
            await asyncio.to_thread(pipeline.rehearse)
        serving = app.state.pipeline
        if serving is not None and serving.llm_client is not None:
            await asyncio.to_thread(serving.llm_client.start)
        # The model, the index and the vocabularies live as long as the process: moved out of the collector's
        # generations, they are no longer walked by every full collection, which otherwise pauses every
        # thread, health checks included, for a quarter of a second once the heap is this size.
        gc.freeze()
        local = settings.local_mode and not app.state.keyring
        log.info("ready", host=settings.host, port=settings.port, local_mode=local)
        yield

    app = FastAPI(title="clinrag", version="0.1.0", lifespan=lifespan,
                  description="Clinical answers from curated guidelines: every sentence cited, "
                              "red-flag rules enforced.")
    app.state.settings = settings
    app.state.pipeline = pipeline
    app.state.startup_error = None
    app.state.metrics = metrics
    app.state.keyring = KeyRing.from_settings(settings.api_keys, settings.api_keys_file)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.guardrails = pipeline.guardrails if pipeline else GuardrailEngine()
    app.state.audit = AuditLog(settings.data_dir / "audit.sqlite3", settings.audit_question_text)
    errors.install(app)
    openapi.install(app)
    for module in (chat, guard, documents, health, web):
        app.include_router(module.router)
    app.add_middleware(RequestContext, metrics=metrics, max_body=settings.max_body_bytes,
                       max_upload=settings.max_upload_bytes)
    return app
