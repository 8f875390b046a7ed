"""Dependencies handed to routes: the one pipeline, the caller's role (auth + rate limit), the audit log."""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Principal
from api.errors import ApiError
from rag.pipeline import Pipeline

bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer <key>`")


class RateLimiter:
    """Token bucket per key: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """0 when allowed, else seconds until the next request would be."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1, now)
            return 0.0


def get_pipeline(request: Request) -> Pipeline:
    pipeline = getattr(request.app.state, "pipeline", None)
    if pipeline is None or not pipeline.ready:
        raise ApiError(503, "the service is starting: index or embedder not ready yet", {"Retry-After": "2"})
    return pipeline


PipelineDep = Annotated[Pipeline, Depends(get_pipeline)]


def _loopback(request: Request) -> bool:
    if request.client is None or request.client.host == "testclient":  # in-process ASGI: no network peer
        return True
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 from a dual-stack socket
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def require(*roles: str):
    """A dependency that admits callers whose role is one of `roles` (admin always)."""

    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
        state = request.app.state
        if not state.keyring and state.settings.local_mode and _loopback(request):
            # No keys configured: the single local user. OpenAI clients and chat UIs always send some
            # bearer ("sk-anything", "local"); with nothing to check it against, it is ignored, as
            # Ollama, llama.cpp and vLLM do. Off loopback nothing is admitted without a real key.
            principal = Principal(key_id="local", role="admin")
        elif credentials is None:
            raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'", {"WWW-Authenticate": "Bearer"})
        else:
            principal = state.keyring.lookup(credentials.credentials)
            if principal is None:
                raise ApiError(401, "invalid API key", {"WWW-Authenticate": "Bearer"})
        if principal.role != "admin" and principal.role not in roles:
            raise ApiError(403, f"role {principal.role!r} may not do this; needs one of {', '.join(roles)}")
        wait = state.rate_limiter.allow(principal.key_id)
        if wait:
            raise ApiError(429, "rate limit exceeded for this API key", {"Retry-After": str(int(wait) + 1)})
        request.scope["state"]["key_id"] = principal.key_id
        return principal

    return dependency


ClinicianAuth = Annotated[Principal, Depends(require("clinician", "evaluator"))]
EditorAuth = Annotated[Principal, Depends(require("editor"))]
ReaderAuth = Annotated[Principal, Depends(require("editor", "evaluator"))]
MetricsAuth = Annotated[Principal, Depends(require("evaluator"))]
