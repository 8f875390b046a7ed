"""The CLI's manners: readable help, quiet libraries, a running service reused, answers printed plainly."""

from __future__ import annotations

import logging
import os
import warnings

import httpx
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

# Typer shows a parameter's Python type (`<bool>`, `<list[Path]>`) and wraps required arguments in braces;
# a user wants the conventional metavars instead: QUESTION, PATH..., --url URL.
_TYPE_METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH", "file": "FILE", "directory": "DIR"}


class _Argument(TyperArgument):
    def display_type_rich(self, ctx) -> str | None:
        return None  # the name column already shows the metavar

    def _rich_display_name(self) -> str:
        name = (self.metavar or self.name or "ARG").upper()
        return f"{name}..." if self.nargs != 1 else name

    def _usage_display_name(self) -> str:
        name = (self.metavar or self.name or "ARG").upper()
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name


class _Option(TyperOption):
    def display_type_rich(self, ctx) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar:
            return self.metavar
        label = self.display_type(ctx).strip("<>").removeprefix("list[").rstrip("]")
        return _TYPE_METAVARS.get(label, label.upper())


def _readable(params: list) -> None:
    for p in params:
        if type(p) is TyperArgument:
            p.__class__ = _Argument
        elif type(p) is TyperOption:
            p.__class__ = _Option


class _Readable:
    """Mixed into a click command or group: its parameters, --help included, print conventional metavars."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _readable(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _readable([option] if option else [])
        return option


class ReadableCommand(_Readable, TyperCommand):
    pass


class ReadableGroup(_Readable, TyperGroup):
    pass


class App(typer.Typer):
    """A Typer app whose commands and sub-apps print conventional metavars in their help."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cls=ReadableGroup, rich_markup_mode="rich", **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", ReadableCommand)
        return super().command(*args, **kwargs)


def examples(*commands: str) -> str:
    """A help epilog with one example per line (blank lines keep rich from joining them)."""
    return "Examples:\n\n" + "\n\n".join(f"  $ {c}" for c in commands)


def quiet_libraries() -> None:
    """pypdf's recoverable-PDF warnings, progress bars and transformers' notices are not the user's business."""
    if os.environ.get("CLINRAG_LOG_LEVEL", "").upper() == "DEBUG":
        return
    for name, value in {"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                        "TOKENIZERS_PARALLELISM": "false"}.items():
        os.environ.setdefault(name, value)
    for name in ("pypdf", "sentence_transformers", "transformers", "huggingface_hub", "bm25s", "faiss"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"pypdf(\..*)?")
    warnings.filterwarnings("ignore", category=FutureWarning)


def service_url(host: str, port: int) -> str:
    """Where the configured service answers: a wildcard bind is reached on loopback."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def service_ready(base: str, timeout: float = 0.5) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def ask_service(base: str, question: str, api_key: str | None, timeout: float = 60) -> dict:
    """One question through a running service's /v1/chat; its problem detail becomes the error message."""
    from rag.errors import ClinragError

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        r = httpx.post(f"{base}/v1/chat", json={"message": question}, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ClinragError(f"the service at {base} stopped answering: {exc}") from None
    if r.status_code != 200:
        try:
            detail = r.json().get("detail") or r.text
        except ValueError:
            detail = r.text
        hint = " (pass --api-key or set CLINRAG_API_KEY)" if r.status_code in (401, 403) else ""
        raise ClinragError(f"the service at {base} answered {r.status_code}: {detail}{hint}")
    return r.json()


def _section_path(title: str, section: str) -> str:
    """The section trail without the document title the chunker prefixes to it."""
    parts = [p.strip() for p in section.split(">") if p.strip() and p.strip() != title.strip()]
    return " › ".join(parts)


def _passage(text: str, limit: int = 300) -> list[str]:
    text = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
    return [line.strip() for line in text.splitlines() if line.strip()]


def print_answer(out: Console, payload: dict, elapsed_s: float) -> None:
    """An answer as a clinician reads it: banner, text, one line per cited passage, verdict, disclaimer."""
    if payload.get("banner"):
        out.print(f"[bold red]{escape(payload['banner'])}[/]\n")
    out.print(escape(payload["answer"]) + "\n", soft_wrap=True)
    for c in payload["citations"]:
        where = _section_path(c["title"], c["section"])
        out.print(f"[bold]\\[{c['n']}][/] {escape(c['title'])}" + (f" › {escape(where)}" if where else "")
                  + f"  [dim](score {c['score']:.2f})[/]", soft_wrap=True)
        for line in _passage(c["text"]):
            out.print(f"    {escape(line)}", soft_wrap=True, highlight=False)
        if c.get("references"):
            refs = "; ".join(f"ref. {r['n']} {r['title'].rstrip('.')}" for r in c["references"])
            out.print(f"    [dim]article's references: {escape(refs)}[/]", soft_wrap=True, highlight=False)
    g = payload["guardrail"]
    out.print(f"\nguardrail: {g['action']} (rules {g['rules_version']})"
              + "".join(f"\n  {v['rule_id']}: {escape(v['span'][:120])!r}" for v in g["violations"]), soft_wrap=True)
    if payload.get("disclaimer"):
        out.print(f"\n[dim]{escape(payload['disclaimer'])}[/]", soft_wrap=True)
    for d in payload.get("source_disclaimers", []):  # the publisher's words, attributed to it, never clinrag's
        out.print(f"[dim]{escape(d['title'])} (source's own disclaimer): {escape(d['text'])}[/]", soft_wrap=True)
    timings = ", ".join(f"{k} {v:.1f} ms" for k, v in payload.get("timings_ms", {}).items())
    out.print(f"[dim]timings: {timings}; this command {elapsed_s:.2f} s[/]", soft_wrap=True)

