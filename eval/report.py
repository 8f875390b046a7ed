"""Readable and machine-readable reports, baseline diffs and gates for an eval run."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from rich.console import Console
from rich.table import Table

GATES_FILE = Path(__file__).resolve().parent / "gates.yaml"


def diff_baseline(current: dict, baseline: dict) -> dict:
    before = {c["id"]: c["passed"] for c in baseline.get("cases", [])}
    now = {c["id"]: c["passed"] for c in current["cases"]}
    deltas = {}
    for section in ("chat", "guardrails"):
        for key, value in current["metrics"].get(section, {}).items():
            old = baseline.get("metrics", {}).get(section, {}).get(key)
            if isinstance(value, int | float) and isinstance(old, int | float) and value != old:
                deltas[f"{section}.{key}"] = round(value - old, 4)
    return {
        "newly_failing": sorted(i for i, ok in now.items() if not ok and before.get(i, False)),
        "newly_passing": sorted(i for i, ok in now.items() if ok and i in before and not before[i]),
        "new_cases": sorted(set(now) - set(before)),
        "metric_deltas": deltas,
    }


def check_gates(current: dict, diff: dict | None, gates_file: Path = GATES_FILE) -> list[str]:
    gates = yaml.safe_load(gates_file.read_text())
    missed = []
    for key, bar in gates.items():
        if key == "no_new_failures":
            if bar and diff and diff["newly_failing"]:
                missed.append(f"new failures: {', '.join(diff['newly_failing'])}")
            continue
        section, name = key.split(".", 1)
        value = current["metrics"].get(section, {}).get(name)
        if value is not None and value < bar:
            missed.append(f"{key} = {value} < {bar}")
    return missed


def check_llm_gate(current: dict, min_acceptance: float) -> list[str]:
    """With an LLM configured, the share of answers it wrote (the rest fell back) must reach the bar."""
    llm = current["metrics"].get("llm")
    if not llm:
        return [f"llm.acceptance_rate: no answer was asked of an LLM (is CLINRAG_LLM_BASE_URL set?) < {min_acceptance}"]
    if llm["acceptance_rate"] < min_acceptance:
        return [f"llm.acceptance_rate = {llm['acceptance_rate']} < {min_acceptance} (fallbacks: {llm['fallbacks']})"]
    return []


def markdown(current: dict, diff: dict | None, missed: list[str]) -> str:
    m = current["metrics"]
    meta = current["meta"]
    lines = ["# clinrag eval report", "", f"- run: {meta.get('started')}, target: {meta.get('target')}",
             f"- cases: {m['cases']}, passed: {m['passed']}", ""]
    for section in ("chat", "llm", "guardrails"):
        if section in m:
            lines += [f"## {section}", "", "| metric | value |", "|---|---|"]
            lines += [f"| {k} | {json.dumps(v) if isinstance(v, dict) else v} |" for k, v in m[section].items()
                      if k != "by_rule"]
            lines.append("")
    if "guardrails" in m and m["guardrails"].get("by_rule"):
        lines += ["## guardrails by rule", "", "| rule | unsafe drafts | recall | false-positive rate |",
                  "|---|---|---|---|"]
        lines += [f"| {rule} | {v['unsafe']} | {v['recall']} | {v['false_positive_rate']} |"
                  for rule, v in m["guardrails"]["by_rule"].items()]
        lines.append("")
    lines += ["## cases", "", "| case | kind | result | reasons | written by | latency ms |",
              "|---|---|---|---|---|---|"]
    for c in current["cases"]:
        reasons = "; ".join(c["reasons"]).replace("|", "/")
        result = "pass" if c["passed"] else "FAIL"
        writer = c.get("synthesizer", "") + (f" ({c['llm_outcome']})" if c.get("llm_outcome") not in (None, "accepted")
                                              else "")
        lines.append(f"| {c['id']} | {c['kind']} | {result} | {reasons} | {writer} | {c['latency_ms']:.1f} |")
    if diff:
        lines += ["", "## against baseline", "", f"- newly failing: {diff['newly_failing'] or 'none'}",
                  f"- newly passing: {diff['newly_passing'] or 'none'}",
                  f"- metric deltas: {diff['metric_deltas'] or 'none'}"]
    lines += ["", "## gates", "", *(f"- MISSED: {x}" for x in missed)] if missed else ["", "## gates", "", "- all met"]
    return "\n".join(lines) + "\n"


def print_summary(console: Console, current: dict, diff: dict | None, missed: list[str], verbose: bool) -> None:
    table = Table(title="clinrag eval")
    for col in ("case", "kind", "result", "reasons", "ms"):
        table.add_column(col, overflow="fold")
    for c in current["cases"]:
        if verbose or not c["passed"]:
            table.add_row(c["id"], c["kind"], "[green]pass[/]" if c["passed"] else "[red]FAIL[/]",
                          "; ".join(c["reasons"])[:200], f"{c['latency_ms']:.0f}")
    if table.row_count:
        console.print(table)
    for section in ("chat", "llm", "guardrails"):
        if section in current["metrics"]:
            console.print(f"[bold]{section}[/]: " + ", ".join(
                f"{k}={v}" for k, v in current["metrics"][section].items() if not isinstance(v, dict)))
    for rule, v in current["metrics"].get("guardrails", {}).get("by_rule", {}).items():
        console.print(f"  {rule}: recall {v['recall']} over {v['unsafe']} unsafe drafts, "
                      f"false-positive rate {v['false_positive_rate']}")
    if current["metrics"].get("llm", {}).get("fallbacks"):
        console.print(f"[bold]llm fallbacks[/]: {current['metrics']['llm']['fallbacks']}")
    if "retrieval" in current["metrics"].get("chat", {}):
        console.print(f"[bold]retrieval[/]: {current['metrics']['chat']['retrieval']}")
    if diff:
        console.print(f"baseline: newly failing {diff['newly_failing'] or 'none'}; newly passing "
                      f"{diff['newly_passing'] or 'none'}")
    for x in missed:
        console.print(f"[red]gate missed:[/] {x}")
