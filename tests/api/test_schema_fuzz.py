"""Schemathesis against the app's own OpenAPI schema: no 5xx for any generated input, responses match."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from rag.pipeline import Pipeline
from tests.api.conftest import KEY_SETTING, auth
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory, embedder):
    settings = make_settings(tmp_path_factory.mktemp("fuzz"), api_keys=KEY_SETTING, rate_limit_per_minute=100000)
    p = Pipeline(settings, embedder=embedder)
    p.warm_up()
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, pipeline=p))


def test_no_server_error_and_responses_match_the_schema(app_schema):
    operations = [result.ok() for result in app_schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=auth("admin"))
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        check()
