"""Crafted and broken PDFs uploaded through the API: a problem+json 4xx, quickly, and nothing written."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.pipeline import Pipeline
from tests.api.conftest import KEY_SETTING, auth
from tests.conftest import make_settings
from tests.hostile_pdfs import HOSTILE, many_pages

EDIT = auth("editor")


@pytest.fixture(scope="module")
def editor_app(tmp_path_factory, embedder):
    """A library of its own (refused uploads must leave it as it was), with a page limit set by settings."""
    settings = make_settings(tmp_path_factory.mktemp("hostile"), api_keys=KEY_SETTING, pdf_max_pages=50)
    p = Pipeline(settings, embedder=embedder)
    p.warm_up()
    with TestClient(create_app(settings, pipeline=p)) as c:
        yield c, p


def _state(client, pipeline):
    return client.get("/v1/documents", headers=EDIT).json(), len(pipeline.library.snapshot.chunks)


@pytest.mark.parametrize("kind", [*sorted(HOSTILE), "over-the-configured-page-limit"])
def test_crafted_pdf_upload_is_a_problem_4xx_and_writes_nothing(editor_app, kind):
    client, pipeline = editor_app
    make, status = HOSTILE.get(kind, (lambda: many_pages(51), 413))
    before = _state(client, pipeline)
    started = time.monotonic()
    r = client.post("/v1/documents", files={"file": (f"{kind}.pdf", make(), "application/pdf")}, headers=EDIT)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == status and kind in problem["detail"] and "Traceback" not in r.text
    assert time.monotonic() - started < 10
    assert _state(client, pipeline) == before


def test_a_pdf_within_the_limits_is_still_accepted(editor_app):
    client, pipeline = editor_app
    r = client.post("/v1/documents", files={"file": ("fifty.pdf", many_pages(50), "application/pdf")}, headers=EDIT)
    assert r.status_code == 201, r.text
    client.delete("/v1/documents/fifty", headers=EDIT)
