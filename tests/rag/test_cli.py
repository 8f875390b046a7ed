"""The CLI as a user meets it: readable help, the answer printed plainly, no library noise, honest about loading."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from rich.console import Console
from typer.testing import CliRunner

from bench.common import free_port
from rag.cli import app
from rag.cli_support import print_answer
from tests.pdfs import make_pdf

COMMANDS = [[], ["ask"], ["ingest"], ["eval"], ["guard"], ["serve"], ["index"], ["index", "status"],
            ["index", "rebuild"], ["corpus"], ["corpus", "clean"], ["documents"], ["documents", "list"],
            ["documents", "show"], ["documents", "delete"]]
PYTHON_TYPES = re.compile(r"<(bool|str|int|float|path|Path|list\[[^\]]*\])>")
QUESTION = "What imaging should I order for a palpable mid-lumbar mass?"


def run(args: list[str], **env):
    env = {"COLUMNS": "120", **{k: str(v) for k, v in env.items()}}
    return CliRunner().invoke(app, args, prog_name="clinrag", env=env)


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) or "clinrag" for c in COMMANDS])
def test_help_shows_conventional_metavars_not_python_types(command):
    result = run([*command, "--help"])
    assert result.exit_code == 0, result.output
    assert not PYTHON_TYPES.search(result.output), result.output
    assert not re.search(r"\{\w+\}", result.output), result.output  # typer's {paths} usage braces


@pytest.mark.parametrize("command,usage,option", [
    (["ask"], "clinrag ask [OPTIONS] QUESTION", "--api-key KEY"),
    (["ingest"], "clinrag ingest [OPTIONS] PATH...", "--actor NAME"),
    (["eval"], "clinrag eval [OPTIONS] [SET]...", "--baseline FILE"),
    (["guard"], "clinrag guard [OPTIONS] DRAFT", "--pack NAME"),
    (["serve"], "clinrag serve [OPTIONS]", "--port PORT"),
])
def test_help_has_usage_metavars_and_examples(command, usage, option):
    text = re.sub(r"[ │]+", " ", run([*command, "--help"]).output)
    assert usage in text and option in text and "Examples" in text and "$ clinrag " + command[0] in text


@pytest.fixture(scope="module")
def payload(pipeline) -> dict:
    answer = pipeline.answer([{"role": "user", "content": QUESTION}])
    assert any(c.references for c in answer.citations) and len(answer.citations) >= 2
    return answer.model_dump(mode="json")


def printed(payload: dict) -> str:
    console = Console(record=True, width=100, force_terminal=False)
    print_answer(console, payload, 0.1)
    return console.export_text()


def test_one_line_per_cited_passage_with_its_title_once(payload):
    lines = printed(payload).splitlines()
    headers = [ln for ln in lines if re.match(r"\[\d+\] ", ln)]
    assert [int(re.match(r"\[(\d+)\]", h).group(1)) for h in headers] == [c["n"] for c in payload["citations"]]
    for header, citation in zip(headers, payload["citations"], strict=True):
        assert header.count(citation["title"]) == 1, header
        assert f"(score {citation['score']:.2f})" in header


def test_article_references_read_as_references_not_as_answer_markers(payload):
    text = printed(payload)
    for citation in payload["citations"]:
        for ref in citation["references"]:
            assert f"ref. {ref['n']} {ref['title'].rstrip('.')}" in text
            assert f"[{ref['n']}] {ref['title']}" not in text
    # the only [n] in the output are the answer's own markers and the passage headers
    assert set(re.findall(r"\[(\d+)\]", text)) <= {str(c["n"]) for c in payload["citations"]}


def test_passage_text_with_brackets_is_printed_literally(payload):
    citation = {**payload["citations"][0], "text": "MRI [bold]without[/bold] and with contrast [link=x]."}
    text = printed({**payload, "citations": [citation], "answer": "See [1] and [red]."})
    assert "[bold]without[/bold]" in text and "[link=x]" in text and "See [1] and [red]." in text


def test_ask_without_a_running_service_says_it_loads_the_model(library, session_settings):
    result = run(["ask", QUESTION], CLINRAG_DATA_DIR=session_settings.data_dir, CLINRAG_PORT=free_port())
    assert result.exit_code == 0, result.output
    assert "no clinrag service answers" in result.stderr and "loading the model" in result.stderr
    assert "without and with" in result.stdout and "[1]" in result.stdout


def test_ask_local_flag_answers_in_process_without_probing(library, session_settings):
    result = run(["ask", "--local", "--json", QUESTION], CLINRAG_DATA_DIR=session_settings.data_dir)
    assert result.exit_code == 0, result.output
    assert '"citations"' in result.stdout and "loading the model" in result.stderr


def test_ingest_prints_no_pdf_parser_warnings_or_progress_bars(tmp_path):
    pdf = make_pdf(["Spinal Schwannoma Note", "Schwannomas are nerve sheath tumors that enhance after gadolinium."])
    # a wrong startxref offset: pypdf recovers and logs 'incorrect startxref pointer' on stderr
    pdf = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n" + str(int(m.group(1)) + 7).encode(), pdf)
    (tmp_path / "schwannoma.pdf").write_bytes(pdf)
    # a real process: pytest's own log capture would hide what a user's terminal shows
    result = subprocess.run([sys.executable, "-m", "rag", "ingest", str(tmp_path / "schwannoma.pdf")],
                            env={**os.environ, "CLINRAG_DATA_DIR": str(tmp_path / "data")},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1 documents added or updated" in result.stdout
    for noise in ("startxref", "Object Streams", "it/s", "Batches", "%|", "Warning"):
        assert noise not in result.stdout + result.stderr, result.stderr
