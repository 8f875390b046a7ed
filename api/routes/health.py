"""Liveness, readiness and Prometheus metrics."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import MetricsAuth
from api.errors import ApiError
from api.openapi import AUTH, problems
from api.schemas import Health, Ready

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> dict:
    """The process is up (says nothing about the index)."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, summary="Readiness", responses=problems(503))
def readyz(request: Request) -> dict:
    """Index loaded, embedder warm, rules valid: ready to answer."""
    pipeline = getattr(request.app.state, "pipeline", None)
    error = getattr(request.app.state, "startup_error", None)
    if error:
        raise ApiError(503, f"startup failed: {error}")
    if pipeline is None or not pipeline.ready:
        raise ApiError(503, "starting: index or embedder not ready yet", {"Retry-After": "2"})
    manifest = pipeline.library.snapshot.manifest
    return {"status": "ready", "index": manifest["build_id"], "chunks": manifest["chunk_count"],
            "model": manifest["model"], "rules_version": pipeline.guardrails.version,
            # the LLM's state as last seen (never a call to it: readiness does not wait on the model)
            "llm": pipeline.llm_client.status() if pipeline.llm_client else None}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, responses={
    200: {"description": "Prometheus text exposition format.", "content": {CONTENT_TYPE_LATEST.split(";")[0]: {
        "schema": {"type": "string"}}}}, **problems(*AUTH)})
def metrics(request: Request, principal: MetricsAuth) -> Response:
    """Requests, latency per stage, guardrail actions by rule, abstentions, index size."""
    state = request.app.state
    pipeline = getattr(state, "pipeline", None)
    if pipeline is not None and pipeline.ready:
        state.metrics.chunks.set(len(pipeline.library.snapshot.chunks))
        state.metrics.documents.set(pipeline.library.snapshot.manifest["document_count"])
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
