"""401 without or with a wrong key, 403 for a role that may not, on every route; local mode; rate limits."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import auth
from tests.conftest import make_settings

ROUTES = [  # method, path, json body, a role that is refused
    ("POST", "/v1/chat", {"message": "Imaging for a lumbar mass?"}, "editor"),
    ("POST", "/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hi mass"}]}, "editor"),
    ("GET", "/v1/models", None, "editor"),
    ("POST", "/v1/guardrails/check", {"question": "q", "answer": "MRI can wait."}, "editor"),
    ("POST", "/v1/documents", {"title": "t", "text": "Some text about things."}, "clinician"),
    ("GET", "/v1/documents", None, "clinician"),
    ("GET", "/v1/documents/palpable-mid-lumbar-mass", None, "clinician"),
    ("PUT", "/v1/documents/palpable-mid-lumbar-mass", {"title": "t", "text": "Some text about things."}, "evaluator"),
    ("DELETE", "/v1/documents/palpable-mid-lumbar-mass", None, "evaluator"),
    ("GET", "/metrics", None, "clinician"),
]


@pytest.mark.parametrize("method,path,body,refused", ROUTES, ids=[f"{m} {p}" for m, p, *_ in ROUTES])
def test_missing_and_wrong_keys_are_401_and_a_refused_role_is_403(client, method, path, body, refused):
    r = client.request(method, path, json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = client.request(method, path, json=body, headers={"Authorization": "Bearer not-a-key"})
    assert r.status_code == 401
    r = client.request(method, path, json=body, headers=auth(refused))
    assert r.status_code == 403
    if path.startswith("/v1/chat/completions") or path == "/v1/models":
        assert r.json()["error"]["type"] == "permission_error"
    else:
        assert r.headers["content-type"].startswith("application/problem+json") and r.json()["status"] == 403


def test_health_endpoints_need_no_key(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["chunks"] > 0


LOCAL_BEARERS = [None, "sk-anything", "local", "", "not a key at all"]


@pytest.mark.parametrize("bearer", LOCAL_BEARERS, ids=[repr(b) for b in LOCAL_BEARERS])
@pytest.mark.parametrize("peer", ["testclient", "127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_local_mode_admits_loopback_with_any_bearer_or_none(pipeline, tmp_path, bearer, peer):
    headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
    with TestClient(create_app(make_settings(tmp_path), pipeline=pipeline), client=(peer, 5000)) as c:
        r = c.post("/v1/guardrails/check", json={"question": "q", "answer": "Order MRI now."}, headers=headers)
        assert r.status_code == 200, r.text
        assert c.get("/v1/models", headers=headers).status_code == 200
        assert c.get("/v1/documents", headers=headers).status_code == 200  # the local user is admin


@pytest.mark.parametrize("bearer", [None, "sk-anything"])
@pytest.mark.parametrize("peer", ["10.0.0.7", "192.168.1.2", "2001:db8::1", "::ffff:10.0.0.7", "proxy.example"])
def test_local_mode_refuses_a_peer_off_loopback_with_any_bearer(pipeline, tmp_path, bearer, peer):
    headers = {} if bearer is None else {"Authorization": f"Bearer {bearer}"}
    with TestClient(create_app(make_settings(tmp_path), pipeline=pipeline), client=(peer, 5000)) as c:
        r = c.post("/v1/guardrails/check", json={"question": "q", "answer": "Order MRI now."}, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert c.get("/v1/models", headers=headers).json()["error"]["type"] == "authentication_error"


def test_local_mode_switched_off_needs_keys_even_on_loopback(pipeline, tmp_path):
    with TestClient(create_app(make_settings(tmp_path, local_mode=False), pipeline=pipeline)) as c:
        body = {"question": "q", "answer": "Order MRI now."}
        assert c.post("/v1/guardrails/check", json=body).status_code == 401
        assert c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer sk-x"}).status_code == 401


def test_configured_keys_are_required_on_loopback_too(pipeline, tmp_path):
    settings = make_settings(tmp_path, api_keys="clinician:real-key")
    with TestClient(create_app(settings, pipeline=pipeline), client=("127.0.0.1", 5000)) as c:
        body = {"question": "q", "answer": "Order MRI now."}
        assert c.post("/v1/guardrails/check", json=body).status_code == 401
        assert c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer sk-x"}).status_code == 401
        ok = c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer real-key"})
        assert ok.status_code == 200


def test_local_mode_is_refused_off_loopback():
    with pytest.raises(ValueError, match="loopback"):
        make_settings("/tmp/x", host="0.0.0.0")


def test_keys_can_be_stored_as_hashes_in_a_file(pipeline, tmp_path):
    import hashlib

    keys = tmp_path / "keys"
    keys.write_text(f"# clinicians\nclinician:sha256:{hashlib.sha256(b'secret-1').hexdigest()}\n")
    with TestClient(create_app(make_settings(tmp_path, api_keys_file=keys), pipeline=pipeline)) as c:
        ok = c.post("/v1/guardrails/check", json={"question": "q", "answer": "a"},
                    headers={"Authorization": "Bearer secret-1"})
        assert ok.status_code == 200


def test_rate_limit_per_key_answers_429_with_retry_after(pipeline, tmp_path):
    settings = make_settings(tmp_path, api_keys="clinician:k1,clinician:k2", rate_limit_per_minute=2)
    with TestClient(create_app(settings, pipeline=pipeline)) as c:
        body = {"question": "q", "answer": "Order MRI."}
        codes = [c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer k1"}).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer k1"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert c.post("/v1/guardrails/check", json=body, headers={"Authorization": "Bearer k2"}).status_code == 200
