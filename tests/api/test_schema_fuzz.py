"""Schemathesis against the app's own OpenAPI document: every response is documented (status, media type, schema).

Bounded and deterministic (derandomized Hypothesis, a fixed example budget per operation) so CI stays quick."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from rag.pipeline import Pipeline
from tests.api.conftest import KEY_SETTING, auth
from tests.conftest import make_settings

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 20}


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory, embedder):
    settings_ = make_settings(tmp_path_factory.mktemp("fuzz"), api_keys=KEY_SETTING, rate_limit_per_minute=100000)
    p = Pipeline(settings_, embedder=embedder)
    p.warm_up()
    app = create_app(settings_, pipeline=p)
    return schemathesis.openapi.from_asgi("/openapi.json", app), app.openapi()


@pytest.fixture(scope="module")
def operations(app_schema):
    ops = [result.ok() for result in app_schema[0].get_all_operations()]
    assert len(ops) >= 11
    return ops


def has_input(doc: dict, operation) -> bool:
    """Only an operation with a body or parameters can be sent invalid data."""
    spec = doc["paths"][operation.path][operation.method.lower()]
    return bool(spec.get("requestBody") or spec.get("parameters"))


def run_cases(operation, mode: GenerationMode, checks, headers: dict) -> None:
    @settings(max_examples=EXAMPLES[mode], deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=checks)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_response_matches_the_documented_status_media_type_and_schema(app_schema, operations, mode):
    negative = mode is GenerationMode.NEGATIVE
    checks = CONFORMANCE + ([negative_data_rejection] if negative else [])
    for operation in operations:
        if not negative or has_input(app_schema[1], operation):
            run_cases(operation, mode, checks, auth("admin"))


def test_refusals_are_documented_on_every_guarded_route(operations):
    """401 without a key and 403 for a role that may not: each one as the route documents it."""
    guarded = [op for op in operations if op.path not in ("/healthz", "/readyz")]
    for operation in guarded:
        refused = "clinician" if operation.path.startswith("/v1/documents") or operation.path == "/metrics" \
            else "editor"
        for headers, status in (({}, 401), (auth(refused), 403)):
            run_refusal(operation, headers, status)


def run_refusal(operation, headers: dict, status: int) -> None:
    @settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True)
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code == status, (operation.label, response.status_code, response.text)
        case.validate_response(response, checks=CONFORMANCE)

    check()
