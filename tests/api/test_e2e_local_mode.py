"""Local mode as integrators meet it: a real uvicorn with no keys, the official openai client with made-up keys,
the README's curl block pasted verbatim, and `clinrag ask` reusing the running service."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from bench import common
from tests.conftest import REPO

pytestmark = pytest.mark.e2e
QUESTION = "Which MRI protocol for a palpable lumbar mass?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python -m rag serve` with no keys configured: the default `make serve`."""
    env = {"CLINRAG_API_KEYS": "", "CLINRAG_LOCAL_MODE": "true"}
    with common.server(tmp_path_factory.mktemp("local-data"), env=env, timeout=180) as (base, _proc, _ready):
        yield base


def openai_client(base: str, key: str):
    from openai import OpenAI

    return OpenAI(base_url=f"{base}/v1", api_key=key, max_retries=0)


@pytest.mark.parametrize("key", ["sk-anything", "local"])
def test_official_client_with_any_key_non_streaming(server, key):
    client = openai_client(server, key)
    done = client.chat.completions.create(model="clinrag", messages=[{"role": "user", "content": QUESTION}])
    assert "without and with" in done.choices[0].message.content and "[1]" in done.choices[0].message.content
    assert done.model_extra["citations"][0]["n"] == 1 and done.model_extra["guardrail"]["action"] == "pass"
    assert [m.id for m in client.models.list().data] == ["clinrag-extractive"]


@pytest.mark.parametrize("key", ["sk-anything", "local"])
def test_official_client_with_any_key_streaming(server, key):
    stream = openai_client(server, key).chat.completions.create(
        model="clinrag", stream=True, messages=[{"role": "user", "content": QUESTION}])
    parts, finish = [], None
    for event in stream:
        parts.append(event.choices[0].delta.content or "")
        finish = event.choices[0].finish_reason or finish
    assert "without and with" in "".join(parts) and finish == "stop"


def readme_curl_block() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## HTTP interface"):]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_readme_curl_block_runs_verbatim(server, tmp_path):
    port = server.rsplit(":", 1)[1]
    script = readme_curl_block().replace("localhost:8000", f"localhost:{port}")
    assert script.count(f"localhost:{port}") >= 12  # only the port changed
    result = subprocess.run(["bash", "-c", "set -eo pipefail\n" + script], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert '"conversation_id"' in out and "data: [DONE]" in out and '"clinrag-extractive"' in out
    assert '"action"' in out and '"acute-gout"' in out and '"status":"ready"' in out.replace(" ", "")
    # a refusal would be a problem+json body; a bare "401" can occur inside an id or a metric value
    assert "clinrag_" in out and '"status":401' not in out.replace(" ", "") and "Unauthorized" not in out


def test_cli_ask_uses_the_running_service_and_says_so(server):
    port = server.rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if k != "CLINRAG_API_KEY"} | {"CLINRAG_PORT": port}
    result = subprocess.run([sys.executable, "-m", "rag", "ask", QUESTION], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"asking the clinrag service running at {server}" in result.stderr
    assert "loading the model" not in result.stderr
    assert "without and with" in result.stdout and re.search(r"^\[1\] ", result.stdout, re.M)
