"""The OpenAPI document as the service behaves: every error status a route can answer, with its real media type.

Routes declare their statuses with `problems(...)` (native routes, application/problem+json) or
`openai_errors(...)` (the OpenAI-compatible routes, the `{"error": {...}}` envelope); `install` registers the
schemas those entries name, so no `$ref` dangles, and drops FastAPI's default 422 schema, which this service
never sends."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from api.errors import PROBLEM, TITLES
from api.schemas import ChatCompletion, DocumentIn, OpenAIError, ProblemDetails

WHY = {
    400: "The body is not valid JSON, or the request is inconsistent in a way the schema cannot say.",
    401: "No API key, or an unknown one (keys are configured, or the caller is not on loopback).",
    403: "The key's role may not use this route.",
    404: "No such resource (or a conversation that belongs to another key).",
    409: "A document with this id already exists (replace it with PUT).",
    413: "The body is larger than the configured limit; refused before it is read.",
    415: "Neither multipart/form-data nor application/json.",
    422: "The body does not match the schema, or the file cannot be read as a document.",
    429: "Rate limit for this key; see Retry-After.",
    503: "The index or embedder is not ready yet (see Retry-After), or a document write waited too long for "
         "another writer.",
}
AUTH = (401, 403, 429)
BAD_BODY = (400, 413, 422)  # malformed JSON, too large, schema mismatch


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def problems(*codes: int) -> dict:
    return {code: {"description": f"{TITLES[code]}: {WHY[code]}",
                   "content": {PROBLEM: {"schema": _ref(ProblemDetails)}}}
            for code in sorted(codes)}


def openai_errors(*codes: int) -> dict:
    return {code: {"description": f"{TITLES[code]}: {WHY[code]}",
                   "content": {"application/json": {"schema": _ref(OpenAIError)}}}
            for code in sorted(codes)}


COMPLETION_OK = {200: {"description": "A chat.completion, or with `stream: true` an SSE stream of "
                       "chat.completion.chunk events ending with `data: [DONE]`.",
                       "content": {"application/json": {"schema": _ref(ChatCompletion)},
                                   "text/event-stream": {"schema": {  # each event
                                       "type": "object", "required": ["data"], "properties": {"data": {
                                           "type": "string", "description": "A JSON chat.completion.chunk, "
                                           "or [DONE] last."}}}}}}}
REGISTERED = (ProblemDetails, OpenAIError, DocumentIn, ChatCompletion)


def _components(models: tuple[type[BaseModel], ...]) -> dict:
    out: dict = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode="serialization"
                                         if model is ChatCompletion else "validation")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def install(app: FastAPI) -> None:
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _components(REGISTERED).items():
            schemas.setdefault(name, schema)
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = doc
        return doc

    app.openapi = openapi
