"""Errors at the HTTP edge: RFC 9457 problem+json on native routes, the OpenAI envelope on /v1/chat/completions."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rag.errors import ClinragError

PROBLEM = "application/problem+json"
TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 413: "Payload too large", 415: "Unsupported media type", 422: "Unprocessable content",
          429: "Too many requests", 500: "Internal error", 503: "Service unavailable"}
OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 413: "invalid_request_error", 415: "invalid_request_error",
                422: "invalid_request_error", 429: "rate_limit_exceeded", 503: "server_error", 500: "server_error"}


class ApiError(HTTPException):
    def __init__(self, status: int, detail: str, headers: dict | None = None) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)


def is_openai_route(request: Request) -> bool:
    return request.url.path.startswith("/v1/chat/completions") or request.url.path.startswith("/v1/models")


def error_response(request: Request, status: int, detail: str, headers: dict | None = None,
                   errors: list | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    if is_openai_route(request):
        body = {"error": {"message": detail, "type": OPENAI_TYPES.get(status, "invalid_request_error"),
                          "param": None, "code": status}}
        return JSONResponse(body, status_code=status, headers=headers)
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail,
            "instance": request.url.path, "request_id": request_id}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error_response(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        malformed = any(e["type"] in ("json_invalid", "json_type") for e in errors)
        status = 400 if malformed else 422
        detail = "request body is not valid JSON" if malformed else "; ".join(
            f"{'.'.join(str(x) for x in e['loc'][1:]) or 'body'}: {e['msg']}" for e in errors)[:1000]
        return error_response(request, status, detail, errors=errors)

    @app.exception_handler(ClinragError)
    async def domain_error(request: Request, exc: ClinragError):
        return error_response(request, exc.status, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # never a traceback in a response
        import structlog

        structlog.get_logger().exception("unhandled", request_id=getattr(request.state, "request_id", None))
        return error_response(request, 500, "internal error; see the server log with this request id")
