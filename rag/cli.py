"""The `clinrag` command line: serve, ingest, ask, guard, eval, index, corpus."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rag.cli_support import App, ask_service, examples, print_answer, quiet_libraries, service_ready, service_url
from rag.config import Settings
from rag.errors import ClinragError, PayloadTooLarge

app = App(help="clinrag: clinical answers from curated guidelines, cited and guard-railed.",
          epilog=examples("clinrag serve", "clinrag ask \"<your question>\"",
                          "clinrag COMMAND --help"), no_args_is_help=True, add_completion=False)
index_app = App(help="Inspect or rebuild the on-disk index.", no_args_is_help=True)
corpus_app = App(help="Maintain the shipped corpus.", no_args_is_help=True)
documents_app = App(help="List, read and delete the indexed documents (what the API's /v1/documents does).",
                    no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(corpus_app, name="corpus")
app.add_typer(documents_app, name="documents")
console = Console(stderr=True)
out = Console()

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of text.")]


@app.callback()
def _quiet() -> None:
    quiet_libraries()


def fail(exc: ClinragError, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(code)


def make_library(settings: Settings | None = None):
    from rag.embed import Embedder
    from rag.library import Library

    settings = settings or Settings()
    return Library(settings, Embedder(settings.embedding_model, settings.threads))


@index_app.command("status", epilog=examples("clinrag index status --json"))
def index_status(as_json: JsonOpt = False) -> None:
    """Show the index manifest (model, dimension, corpus hash, chunks) and whether it is current."""
    started = time.perf_counter()
    library = make_library()
    status = library.status()
    if status["state"] == "ready":
        snap = library.store.load()
        status["loaded_chunks"] = len(snap.chunks)
    status["seconds"] = round(time.perf_counter() - started, 3)
    if as_json:
        out.print_json(json.dumps(status))
        return
    m = status["manifest"] or {}
    table = Table(title=f"index: {status['state']}", show_header=False)
    for key in ("build_id", "model", "dimension", "weights_sha256", "corpus_hash", "document_count",
                "chunk_count", "built_at", "build_seconds", "format_version"):
        table.add_row(key, str(m.get(key, "-")))
    table.add_row("index_dir", status["index_dir"])
    out.print(table)
    for p in status["problems"]:
        out.print(f"[yellow]problem:[/yellow] {p}")
    if status["state"] != "ready":
        raise typer.Exit(1)


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Rebuild the whole index from the document store (seeding it with the shipped corpus if empty)."""
    library = make_library()
    started = time.perf_counter()
    try:
        snap = library.open() if library.docstore.is_empty() else library.rebuild()
    except ClinragError as exc:
        fail(exc)
    out.print(f"rebuilt {snap.manifest['chunk_count']} chunks from {snap.manifest['document_count']} documents "
              f"in {time.perf_counter() - started:.2f}s -> {snap.path}")


@app.command(epilog=examples("clinrag ingest notes/ new-guideline.pdf --actor dr.smith"))
def ingest(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Files (txt, md, html, pdf) or folders of them.")],
    actor: Annotated[str, typer.Option(metavar="NAME", help="Recorded as who made the change.")] = "cli",
) -> None:
    """Add or update documents: clean, chunk, embed, then swap the new index in atomically.

    Every readable file goes into one new index version (one embedding pass, one swap); a file that
    cannot be read is reported with its reason and skipped, and the index keeps serving meanwhile."""
    from rich.progress import Progress

    from rag.ingest.pdf import PdfLimits
    from rag.ingest.readers import SUPPORTED, parse_document

    files = [f for p in paths for f in (sorted(x for x in p.rglob("*") if x.suffix.lower() in SUPPORTED)
                                        if p.is_dir() else [p])]
    settings = Settings()
    library = make_library(settings)
    try:
        library.open()
    except ClinragError as exc:
        fail(exc)
    docs, errors = [], []
    started = time.perf_counter()
    with Progress(console=console) as progress:
        task = progress.add_task("reading", total=len(files))
        for f in files:
            progress.update(task, description=f"reading {f.name}")
            try:
                if not f.is_file():
                    raise ClinragError(f"{str(f)!r}: no such file")
                size = f.stat().st_size
                if size > settings.max_upload_bytes:  # the API's limit: a huge file is a mistake, not a job
                    raise PayloadTooLarge(f"{str(f)!r}: {size:,} bytes is over the upload limit of "
                                          f"{settings.max_upload_bytes:,} (CLINRAG_MAX_UPLOAD_BYTES)")
                docs.append(parse_document(f.read_bytes(), f.name, pdf_limits=PdfLimits.from_settings(settings)))
            except ClinragError as exc:
                errors.append(str(exc))
                console.print(f"  [red]rejected[/red]  {exc}")
            progress.advance(task)
    try:
        results = library.write_many(docs, actor=actor) if docs else []
    except ClinragError as exc:
        fail(exc)
    for r in results:
        console.print(f"  {r.action:9} {r.document_id} v{r.version} ({r.chunks} chunks)")
    changed = [r for r in results if r.action != "unchanged"]
    out.print(f"{len(changed)} documents added or updated, {sum(r.chunks for r in changed)} chunks indexed, "
              f"{len(errors)} rejected, in {time.perf_counter() - started:.1f}s")
    if errors:
        raise typer.Exit(1)


@documents_app.command("list")
def documents_list(as_json: JsonOpt = False) -> None:
    """Every live document: id, version, title, source, who changed it last and when."""
    library = make_library()
    rows = library.docstore.listing()
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table(title=f"{len(rows)} documents")
    for key in ("id", "version", "title", "source", "updated_by", "updated_at"):
        table.add_column(key)
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("id", "version", "title", "source", "updated_by", "updated_at")))
    out.print(table)


@documents_app.command("show")
def documents_show(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The document id (as `documents list` shows it).")],
    as_json: JsonOpt = False,
) -> None:
    """One document's current text and metadata, and every version with who and when."""
    library = make_library()
    try:
        doc = library.docstore.get(doc_id)
        history = library.docstore.history(doc_id)
    except ClinragError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps({**doc.model_dump(mode="json"), "history": history}))
        return
    out.print(f"[bold]{doc.title}[/]  ({doc.id} v{doc.version}, source: {doc.source or '-'})")
    for h in history:
        out.print(f"  v{h['version']} {h['action']:8} {h['created_at']} by {h['actor']}")
    if doc.disclaimer:
        out.print(f"[dim]source's disclaimer: {doc.disclaimer}[/]")
    out.print("\n" + doc.text, markup=False, highlight=False)


@documents_app.command("delete")
def documents_delete(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The document id to remove from the index.")],
    actor: Annotated[str, typer.Option(metavar="NAME", help="Recorded as who made the change.")] = "cli",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a document from the index (its versions stay in the history), as DELETE /v1/documents/ID does."""
    library = make_library()
    try:
        library.open()
        doc = library.docstore.get(doc_id)
        if not yes and not typer.confirm(f"delete {doc.id!r} ({doc.title}) from the index?"):
            raise typer.Exit(1)
        result = library.write(None, delete_id=doc.id, mode="delete", actor=actor)
    except ClinragError as exc:
        fail(exc)
    out.print(f"deleted {result.document_id} (v{result.version} records the deletion)")


@corpus_app.command("clean")
def corpus_clean(
    check: Annotated[bool, typer.Option("--check", help="Only check the cleaned copies are current; exit 1 "
                                        "when one is stale.")] = False,
) -> None:
    """Write corpus/cleaned/<id>.md and .json from the raw pages (the same cleaning ingest applies)."""
    from rag.library import shipped_documents

    settings = Settings()
    stale = []
    for doc in shipped_documents(settings.corpus_dir):
        target = settings.corpus_dir / "cleaned"
        target.mkdir(exist_ok=True)
        meta = doc.model_dump(exclude={"text"})
        files = {target / f"{doc.id}.md": doc.text, target / f"{doc.id}.json": json.dumps(meta, indent=2) + "\n"}
        for path, content in files.items():
            if not path.exists() or path.read_text() != content:
                stale.append(str(path))
                if not check:
                    path.write_text(content)
    if check and stale:
        console.print("stale: " + ", ".join(stale))
        raise typer.Exit(1)
    out.print("up to date" if not stale else "wrote " + ", ".join(stale))


def main() -> None:
    try:
        app()
    except ClinragError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(1)


@app.command(epilog=examples(
    "clinrag guard -q \"<the question>\" \"<a draft answer to check>\""))
def guard(
    draft: Annotated[str, typer.Argument(metavar="DRAFT", help="The draft answer to check (any source).")],
    question: Annotated[str, typer.Option("--question", "-q", metavar="TEXT", help="The clinician's question.")] = "",
    pack: Annotated[str | None, typer.Option(metavar="NAME", help="Judge with this clinical pack only "
                                             "(default: every pack whose scope applies).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a draft answer against the red-flag rules and print the verdict and the safe answer.

    Exit code 0 for pass, 2 when the draft was revised, blocked or escalated."""
    from guardrails.engine import GuardrailEngine

    engine = GuardrailEngine()
    try:
        verdict = engine.check(question, draft, pack=pack)
    except KeyError as exc:
        raise ClinragError(str(exc.args[0])) from None
    if as_json:
        payload = verdict.model_dump(mode="json")
        payload["safe_answer"] = verdict.safe_answer
        out.print_json(json.dumps(payload))
    else:
        colour = {"pass": "green", "revise": "yellow", "block": "red", "escalate": "red"}[verdict.action]
        packs = ", ".join(verdict.packs) or "no pack in scope"
        out.print(f"[bold {colour}]{verdict.action.upper()}[/]  packs: {packs}")
        for v in verdict.violations:
            out.print(f"  [{colour}]{v.rule_id}[/] ({v.pattern}): {v.message}\n    span: {v.span!r}")
        if verdict.banner:
            out.print(f"[bold red]{verdict.banner}[/]")
        out.print(f"safe answer: {verdict.safe_answer}")
    raise typer.Exit(0 if verdict.action == "pass" else 2)


@app.command("eval", epilog=examples(
    "clinrag eval --gate --baseline eval/baseline.json", "clinrag eval eval/fresh/ --url http://127.0.0.1:8000"))
def eval_cmd(
    sets: Annotated[list[Path] | None, typer.Argument(metavar="SET", help="JSONL case files or folders "
                                                      "(default eval/cases).")] = None,
    url: Annotated[str | None, typer.Option(metavar="URL", help="Evaluate a running server, not the in-process "
                                            "pipeline.")] = None,
    api_key: Annotated[str | None, typer.Option(envvar="CLINRAG_EVAL_API_KEY", metavar="KEY",
                                                help="Bearer key for --url.")] = None,
    baseline: Annotated[Path | None, typer.Option(metavar="FILE", help="A stored result JSON to diff against.")] = None,
    gate: Annotated[bool, typer.Option(help="Exit non-zero when a gate in eval/gates.yaml is missed.")] = False,
    out_dir: Annotated[Path, typer.Option(metavar="DIR", help="Where report.md and report.json are written.")] = Path(
        "reports"),
    update_baseline: Annotated[Path | None, typer.Option(metavar="FILE", help="Write this run as the new baseline "
                                                         "file.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing cases too.")] = False,
    generated: Annotated[bool, typer.Option(help="Add the generated guardrail robustness suite (~13,000 drafts; "
                                            "recall and false positives per rule in the report).")] = False,
    min_llm_acceptance: Annotated[float | None, typer.Option(
        help="With an LLM configured: exit 1 unless at least this share of chat answers came from it "
        "(the rest fell back to the extractive default).")] = None,
) -> None:
    """Run the regression set through the same pipeline the API serves; report, diff, gate.

    Writes a Markdown report and a JSON file; with --gate, exits 1 when a quality gate is missed."""
    from datetime import UTC, datetime

    from rich.progress import Progress

    from eval.report import check_gates, check_llm_gate, diff_baseline, markdown, print_summary
    from eval.runner import (
        CASES_DIR,
        HttpTarget,
        InProcessTarget,
        generated_guard_cases,
        load_cases,
        metrics,
        run_cases,
        to_json,
    )

    try:
        cases = load_cases(sets or [CASES_DIR]) + (generated_guard_cases() if generated else [])
    except (ValueError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if url:
        target = HttpTarget(url, api_key)
    else:
        from rag.pipeline import Pipeline

        pipeline = Pipeline()
        pipeline.warm_up()
        target = InProcessTarget(pipeline)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("evaluating", total=len(cases))
        results = run_cases(cases, target, progress=lambda _id: progress.advance(task))
    current = to_json(results, metrics(results), {"started": started, "target": url or "in-process"})
    diff = diff_baseline(current, json.loads(baseline.read_text())) if baseline else None
    missed = check_gates(current, diff) if gate else []
    if min_llm_acceptance is not None:
        missed += check_llm_gate(current, min_llm_acceptance)
    out_dir.mkdir(parents=True, exist_ok=True)
    full = {**current, "baseline_diff": diff, "gates_missed": missed}
    (out_dir / "report.json").write_text(json.dumps(full, indent=2))
    (out_dir / "report.md").write_text(markdown(current, diff, missed))
    print_summary(out, current, diff, missed, verbose)
    out.print(f"reports: {out_dir / 'report.md'}, {out_dir / 'report.json'}")
    if update_baseline:
        update_baseline.write_text(json.dumps(current, indent=2))
        out.print(f"baseline written: {update_baseline}")
    if missed:
        raise typer.Exit(1)


@app.command(epilog=examples(
    "clinrag ask \"<your question>\"",
    "clinrag ask --json \"<your question>\" > answer.json",
    "clinrag ask --local \"<your question>\""))
def ask(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="The clinical question.")],
    as_json: JsonOpt = False,
    local: Annotated[bool, typer.Option("--local", help="Answer in this process even when a service is "
                                        "running (loads the model and index: seconds).")] = False,
    api_key: Annotated[str | None, typer.Option(envvar="CLINRAG_API_KEY", metavar="KEY",
                                                help="Bearer key for the running service, when it has keys "
                                                "configured.")] = None,
) -> None:
    """Answer one question from the indexed sources: cited answer, sources, guardrail verdict, timings.

    When a clinrag service answers on the configured address (CLINRAG_HOST, CLINRAG_PORT) the question goes
    to it and the answer comes back in well under a second; otherwise the model and index load here first."""
    started = time.perf_counter()
    settings = Settings()
    base = service_url(settings.host, settings.port)
    try:
        if not local and service_ready(base):
            console.print(f"[dim]asking the clinrag service running at {base}[/]", soft_wrap=True)
            payload = ask_service(base, question, api_key)
        else:
            console.print(f"[dim]no clinrag service answers at {base}: loading the model and index in this "
                          "process (several seconds; `clinrag serve` in another terminal avoids the wait)[/]",
                          soft_wrap=True)
            payload = _ask_in_process(settings, question)
    except ClinragError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps(payload))
        return
    print_answer(out, payload, time.perf_counter() - started)


def _ask_in_process(settings: Settings, question: str) -> dict:
    from rag.pipeline import Pipeline

    pipeline = Pipeline(settings)
    pipeline.warm_up()
    return pipeline.answer([{"role": "user", "content": question}]).model_dump(mode="json")


@app.command(epilog=examples(
    "clinrag serve", "CLINRAG_API_KEYS=clinician:KEY1,editor:KEY2 clinrag serve --port 8080"))
def serve(
    host: Annotated[str | None, typer.Option(metavar="ADDRESS", help="Bind address (default CLINRAG_HOST, "
                                             "127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(metavar="PORT", help="Port (default CLINRAG_PORT, 8000).")] = None,
) -> None:
    """Start the HTTP service (builds the index first if it is missing or stale)."""
    import uvicorn

    from api.app import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = Settings(**overrides)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning",
                access_log=False)
