"""The OpenAPI document tells the truth: refs resolve, errors carry their real media type, types are strict."""

import pytest

from tests.api.conftest import auth

CLIN = auth("clinician")
OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")
CHAT = {"model": "clinrag", "messages": [{"role": "user", "content": "Imaging for a palpable lumbar mass?"}]}


@pytest.fixture(scope="module")
def doc(client) -> dict:
    return client.get("/openapi.json").json()


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_every_ref_resolves(doc):
    found = set(refs(doc))
    assert "#/components/schemas/DocumentIn" in found
    for ref in found:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


def test_errors_are_documented_with_their_real_media_type(doc):
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if int(status) < 400:
                    continue
                (media, body), = response["content"].items()
                expected = ("application/json", "OpenAIError") if path in OPENAI_PATHS else \
                    ("application/problem+json", "ProblemDetails")
                assert (media, body["schema"]["$ref"].rsplit("/", 1)[1]) == expected, (method, path, status)
    assert "HTTPValidationError" not in doc["components"]["schemas"]


@pytest.mark.parametrize("method,path,statuses", [
    ("post", "/v1/chat", {400, 401, 403, 404, 413, 422, 429, 503}),
    ("post", "/v1/chat/completions", {400, 401, 403, 413, 422, 429, 503}),
    ("get", "/v1/models", {401, 403, 429}),
    ("post", "/v1/guardrails/check", {400, 401, 403, 404, 413, 422, 429}),
    ("post", "/v1/documents", {400, 401, 403, 409, 413, 415, 422, 429, 503}),
    ("put", "/v1/documents/{doc_id}", {400, 401, 403, 404, 413, 415, 422, 429, 503}),
    ("get", "/v1/documents/{doc_id}", {401, 403, 404, 429, 503}),
    ("delete", "/v1/documents/{doc_id}", {401, 403, 404, 429, 503}),
    ("get", "/metrics", {401, 403, 429}),
    ("get", "/readyz", {503}),
])
def test_each_route_documents_the_statuses_it_answers(doc, method, path, statuses):
    documented = {int(s) for s in doc["paths"][path][method]["responses"]}
    assert statuses <= documented


def test_streaming_completion_is_documented_as_server_sent_events(doc):
    content = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/event-stream"}


STRICT_CASES = [  # a value the schema's type refuses, which lax parsing would have coerced
    ("/v1/chat/completions", {**CHAT, "temperature": False}),
    ("/v1/chat/completions", {**CHAT, "temperature": "0.5"}),
    ("/v1/chat/completions", {**CHAT, "stream": "true"}),
    ("/v1/chat/completions", {**CHAT, "stream": 1}),
    ("/v1/chat/completions", {**CHAT, "model": 7}),
    ("/v1/chat/completions", {**CHAT, "messages": [{"role": "user", "content": 42}]}),
    ("/v1/chat", {"message": 5}),
    ("/v1/chat", {"message": "hi", "conversation_id": 12}),
    ("/v1/guardrails/check", {"question": True, "answer": "Order MRI."}),
    ("/v1/documents", {"title": 1, "text": "Some text."}),
]


@pytest.mark.parametrize("path,body", STRICT_CASES, ids=[f"{p} {sorted(b.items())[-1]}" for p, b in STRICT_CASES])
def test_values_of_the_wrong_type_are_refused_not_coerced(client, path, body):
    r = client.post(path, json=body, headers=auth("admin"))
    assert r.status_code == 422, r.text
    if path in OPENAI_PATHS:
        assert r.json()["error"]["type"] == "invalid_request_error"
    else:
        assert r.headers["content-type"] == "application/problem+json" and r.json()["status"] == 422


@pytest.mark.parametrize("extra", [{"temperature": 0}, {"temperature": 1.5}, {"stream": False}, {"top_p": 1}])
def test_schema_valid_completion_requests_are_accepted(client, extra):
    assert client.post("/v1/chat/completions", json={**CHAT, **extra}, headers=CLIN).status_code == 200
