"""Apps over real pipelines: a shared read-only one, and fresh ones for tests that change documents."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.pipeline import Pipeline
from tests.conftest import make_settings

KEYS = {"clinician": "clin-key-123", "editor": "edit-key-456", "evaluator": "eval-key-789", "admin": "admin-key-0"}
KEY_SETTING = ",".join(f"{role}:{key}" for role, key in KEYS.items())


def auth(role: str) -> dict:
    return {"Authorization": f"Bearer {KEYS[role]}"}


@pytest.fixture(scope="session")
def client(pipeline, session_settings):
    settings = make_settings(session_settings.data_dir, api_keys=KEY_SETTING)
    with TestClient(create_app(settings, pipeline=pipeline)) as c:
        yield c


@pytest.fixture()
def editor_client(tmp_path, embedder):
    """A fresh library the test may change."""
    settings = make_settings(tmp_path / "data", api_keys=KEY_SETTING)
    p = Pipeline(settings, embedder=embedder)
    p.warm_up()
    with TestClient(create_app(settings, pipeline=p)) as c:
        yield c
