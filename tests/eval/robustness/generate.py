"""CheckList-style robustness suite for the QUESTION side: seeded perturbations of every seed chat case.

Each seed case in eval/cases/chat_public.jsonl and chat_team.jsonl yields variants of its final user turn
(earlier turns untouched), one per perturbation kind that changes the text:

  shorthand    clinical abbreviations (MRI -> MR, "physical therapy" -> "PT", "58-year-old" -> "58 yo", ...)
  typo         two adjacent interior letters swapped in one non-key word of >= 5 letters
  vignette     an irrelevant clause prepended ("He is a retired teacher who enjoys gardening.")
  statement    the question restated as a plan or belief plus a request to confirm (answerable cases only)
  spelling     British <-> American spelling
  lay          lay words for the finding ("mass" -> "lump", "urinary retention" -> "trouble passing water")
  instruction  an injected-instruction / role-play wrapper around the question

Every such variant keeps the seed's `expect` (same groups and the same abstain/escalate outcome). In addition,
kind "in-topic-absent" flips the outcome: each answerable imaging/management seed's clinical context is
followed by a question the article does not answer (a gadolinium dose, an antibiotic duration, a sensitivity
figure, a specific drug and dose), and the service must abstain.

The lexicon (lexicon.yaml) is test-only and was written without reading the engine's vocabulary.

    python -m tests.eval.robustness.generate            # variants per kind
    python -m tests.eval.robustness.generate --dump     # the generated cases as JSONL
    python -m tests.eval.robustness.generate --report   # build a pipeline, answer everything, print the table
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
LEXICON = HERE / "lexicon.yaml"
SEED_FILES = [REPO / "eval/cases/chat_public.jsonl", REPO / "eval/cases/chat_team.jsonl"]

KINDS = ["shorthand", "typo", "vignette", "statement", "spelling", "lay", "instruction"]
ABSENT = "in-topic-absent"
ORIGINAL = "original"

_B, _E = r"(?<![\w-])", r"(?![\w-])"  # whole-word boundaries; a hyphen belongs to the word
_SENT = re.compile(r"(?<=[.!?])\s+(?=\S)")
_WORD = re.compile(r"[A-Za-z]+")
_MALE = re.compile(r"\b(he|his|him|man|male|gentleman)\b", re.I)
_FEMALE = re.compile(r"\b(she|her|hers|woman|female|lady)\b", re.I)


# ---------------------------------------------------------------------------------------------- loading
def load_lexicon(path: Path = LEXICON) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_seed_cases(files: list[Path] = SEED_FILES) -> list[dict]:
    cases = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(json.loads(line))
    return cases


def _rng(seed: int, *parts: str) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed (version 2): stable across runs and PYTHONHASHSEED
    return random.Random(":".join([str(seed), *parts]))


# ------------------------------------------------------------------------------------------ text rules
def _match_case(src: str, repl: str, sentence_start: bool) -> str:
    """A capitalised word (not an acronym such as MRI) or a sentence start keeps its capital."""
    first = src.split()[0] if src.split() else src
    capitalised = first[:1].isupper() and (len(first) == 1 or first[1:].islower())
    if repl[:1].islower() and (sentence_start or capitalised):
        return repl[:1].upper() + repl[1:]
    return repl


def _compile_rules(rules: list[dict]) -> list[tuple[re.Pattern, list[str], bool]]:
    out = []
    for r in rules:
        src = r["from"]
        is_re = src.startswith("re:")
        body = src[3:] if is_re else re.escape(src)
        out.append((re.compile(_B + body + _E, re.I), list(r["to"]), is_re, len(src)))
    out.sort(key=lambda t: -t[3])  # longest phrase first
    return [(p, to, is_re) for p, to, is_re, _ in out]


def substitute(text: str, rules: list[dict], rng: random.Random) -> str:
    """Apply every matching rule once over the text, in a single pass (no rule rewrites another's output)."""
    held: list[str] = []

    def hold(s: str) -> str:
        held.append(s)
        return f"\x00{len(held) - 1}\x00"

    for pattern, alternatives, is_re in _compile_rules(rules):
        if not pattern.search(text):
            continue
        choice = alternatives[rng.randrange(len(alternatives))]

        def repl(m: re.Match, choice=choice, is_re=is_re) -> str:
            new = m.expand(choice) if is_re else choice
            start = re.search(r"(^|[.!?]\s+)$", m.string[: m.start()]) is not None
            return hold(_match_case(m.group(0), new, start))

        text = pattern.sub(repl, text)
    text = re.sub(r"\b([Aa])n? (?=\x00(\d+)\x00)", lambda m: _article(m.group(1), held[int(m.group(2))]) + " ", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: held[int(m.group(1))], text)


def _article(a: str, word: str) -> str:
    """'a' or 'an' (capital kept) before a substituted phrase: letter names for acronyms (an MR, a US)."""
    acronym = word[:1].isupper() and (len(word) == 1 or not word[1].islower())
    vowel = word[:1].upper() in "AEFHILMNORSX" if acronym else word[:1].lower() in "aeio"
    return a + ("n" if vowel else "")


def swap_spelling(text: str, pairs: list[list[str]], rng: random.Random) -> str:
    rules = [{"from": a, "to": [b]} for a, b in pairs] + [{"from": b, "to": [a]} for a, b in pairs]
    return substitute(text, rules, rng)


def typo(text: str, cfg: dict, rng: random.Random) -> str:
    protected = {w.lower() for w in cfg["protected"]}
    min_len = int(cfg.get("min_len", 5))
    candidates = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if len(w) < min_len or w.lower() in protected or w.isupper() or not w[1:].islower():
            continue
        if before in "-'/" or after in "-'/":  # part of a compound, contraction or shorthand
            continue
        spots = [i for i in range(1, len(w) - 2) if w[i] != w[i + 1]]  # interior pairs, first/last kept
        if spots:
            candidates.append((m, spots))
    if not candidates:
        return text
    m, spots = candidates[rng.randrange(len(candidates))]
    w, i = m.group(0), spots[rng.randrange(len(spots))]
    bad = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return text[: m.start()] + bad + text[m.end():]


def split_question(text: str) -> tuple[str, str]:
    """(leading context sentences, final sentence)."""
    parts = _SENT.split(text.strip())
    return " ".join(parts[:-1]), parts[-1]


def statement_form(text: str, cfg: dict, rng: random.Random) -> str:
    context, question = split_question(text)
    if not question.endswith("?"):
        return text
    for rule in cfg["rules"]:
        m = re.match(rule["pattern"], question)
        if m:
            new = m.expand(rule["to"][rng.randrange(len(rule["to"]))])
            break
    else:
        q = question[:-1].rstrip()
        q = q if q[:2].isupper() else q[:1].lower() + q[1:]
        new = cfg["fallback"][rng.randrange(len(cfg["fallback"]))].format(q=q)
    new = re.sub(r"\s{2,}", " ", new)
    return f"{context} {new}".strip()


def conversation_sex(turns: list[dict]) -> str:
    text = " ".join(t["content"] for t in turns if t["role"] == "user")
    male, female = bool(_MALE.search(text)), bool(_FEMALE.search(text))
    if re.search(r"\bchild\b", text, re.I) or male == female:
        return "neutral"
    return "male" if male else "female"


def vignette(text: str, turns: list[dict], cfg: dict, rng: random.Random) -> str:
    pool = cfg[conversation_sex(turns)]
    return f"{pool[rng.randrange(len(pool))]} {text}"


def instruction(text: str, templates: list[str], rng: random.Random) -> str:
    return templates[rng.randrange(len(templates))].format(q=text)


# ------------------------------------------------------------------------------------------ generation
def _final_user_index(turns: list[dict]) -> int:
    return max(i for i, t in enumerate(turns) if t["role"] == "user")


def _variant(case: dict, kind: str, new_text: str, idx: int, *, vid: str | None = None,
             expect: dict | None = None, category: str | None = None) -> dict:
    turns = copy.deepcopy(case["turns"])
    turns[idx]["content"] = new_text
    return {
        "id": vid or f"{case['id']}~{kind}",
        "category": category or case["category"],
        "turns": turns,
        "expect": copy.deepcopy(expect if expect is not None else case["expect"]),
        "perturbation": kind,
        "source_id": case["id"],
    }


def perturb(case: dict, lex: dict) -> list[dict]:
    """The perturbed variants of one seed case (outcome kept), skipping any that would not change the text."""
    seed = lex["seed"]
    idx = _final_user_index(case["turns"])
    text = case["turns"][idx]["content"]
    abstain = case["expect"].get("abstain", False)
    makers = {
        "shorthand": lambda r: substitute(text, lex["shorthand"], r),
        "typo": lambda r: typo(text, lex["typo"], r),
        "vignette": lambda r: vignette(text, case["turns"], lex["vignette"], r),
        "statement": lambda r: text if abstain else statement_form(text, lex["statement"], r),
        "spelling": lambda r: swap_spelling(text, lex["spelling"], r),
        "lay": lambda r: substitute(text, lex["lay"], r),
        "instruction": lambda r: instruction(text, lex["instruction"], r),
    }
    out = []
    for kind in KINDS:
        new = makers[kind](_rng(seed, case["id"], kind))
        if new != text:
            out.append(_variant(case, kind, new, idx))
    return out


def absent_variants(case: dict, lex: dict) -> list[dict]:
    """In-topic questions the article does not answer, asked in the seed's clinical context: must abstain."""
    cfg = lex["absent"]
    if case["expect"].get("abstain") or case["category"] not in cfg["categories"]:
        return []
    idx = _final_user_index(case["turns"])
    context, _ = split_question(case["turns"][idx]["content"])
    if not context:
        rng = _rng(lex["seed"], case["id"], ABSENT)
        context = cfg["contexts"][rng.randrange(len(cfg["contexts"]))]
    expect = {"abstain": True, "all_groups": [], "none_of": [],
              "escalate": bool(case["expect"].get("escalate", False)), "min_citations": 0}
    return [_variant(case, ABSENT, f"{context} {q}", idx, vid=f"{case['id']}~absent-{k}", expect=expect,
                     category="in_topic_absent")
            for k, q in enumerate(cfg["questions"], 1)]


def generate(lexicon: dict | None = None, seeds: list[dict] | None = None) -> list[dict]:
    """Every variant of every seed case, in a fixed order (same input -> same list)."""
    lex = lexicon or load_lexicon()
    seeds = seeds if seeds is not None else load_seed_cases()
    out = []
    for case in seeds:
        out += perturb(case, lex)
    for case in seeds:
        out += absent_variants(case, lex)
    ids = [c["id"] for c in out]
    assert len(ids) == len(set(ids)), "duplicate variant ids"
    return out


def originals(seeds: list[dict] | None = None) -> list[dict]:
    """The unperturbed seeds, tagged as kind "original": the baseline the variants are read against."""
    seeds = seeds if seeds is not None else load_seed_cases()
    return [{**copy.deepcopy(c), "perturbation": ORIGINAL, "source_id": c["id"]} for c in seeds]


def sample(cases: list[dict], cap: int, seed: int = 0) -> list[dict]:
    """At most `cap` cases, drawn per kind in proportion to its size (seeded); order preserved."""
    if len(cases) <= cap:
        return list(cases)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        by_kind[c["perturbation"]].append(i)
    keep: set[int] = set()
    for kind, idxs in sorted(by_kind.items()):
        k = max(1, math.floor(cap * len(idxs) / len(cases)))
        keep.update(_rng(seed, "sample", kind).sample(idxs, min(k, len(idxs))))
    return [c for i, c in enumerate(cases) if i in keep]


def count_by_kind(cases: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for c in cases:
        counts[c["perturbation"]] += 1
    return dict(counts)


# ---------------------------------------------------------------------------------------------- scoring
def final_question(case: dict) -> str:
    return case["turns"][_final_user_index(case["turns"])]["content"]


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def score(pipeline, cases: list[dict]) -> dict:
    """Answer every case with the pipeline and check it with eval.checks.chat_problems.

    Per kind: n, pass rate; answered rate on answerable variants (expect.abstain false); abstention precision
    (share of abstentions that were expected) and recall (share of expected abstentions that happened). The
    "ALL" row pools every kind; `absent_pooled_precision` reads the in-topic-absent abstentions against the
    false abstentions on all answerable variants (within one kind that expects only abstentions, precision
    is 1.0 whenever anything abstains). Failures list id, question and reasons.
    """
    from eval.checks import chat_problems

    rows, latencies = [], []
    t_start = time.perf_counter()
    for case in cases:
        t0 = time.perf_counter()
        try:
            result = pipeline.answer(case["turns"]).model_dump(mode="json")
            reasons = chat_problems(case, result)
        except Exception as exc:  # a crash is a failure of that case, not of the suite
            result, reasons = {"abstained": False, "answer": ""}, [f"error: {type(exc).__name__}: {exc}"]
        latencies.append((time.perf_counter() - t0) * 1000)
        rows.append({"case": case, "abstained": bool(result.get("abstained")), "reasons": reasons,
                     "answer": result.get("answer", "")})
    wall = time.perf_counter() - t_start

    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["case"]["perturbation"]].append(r)
    order = [k for k in [ORIGINAL, *KINDS, ABSENT] if k in groups] + sorted(set(groups) - {ORIGINAL, *KINDS, ABSENT})

    def stats(rs: list[dict]) -> dict:
        answerable = [r for r in rs if not r["case"]["expect"].get("abstain")]
        unanswerable = [r for r in rs if r["case"]["expect"].get("abstain")]
        abstained = [r for r in rs if r["abstained"]]
        tp = sum(1 for r in abstained if r["case"]["expect"].get("abstain"))
        return {
            "n": len(rs),
            "passed": sum(1 for r in rs if not r["reasons"]),
            "pass_rate": _ratio(sum(1 for r in rs if not r["reasons"]), len(rs)),
            "n_answerable": len(answerable),
            "answerable_pass_rate": _ratio(sum(1 for r in answerable if not r["reasons"]), len(answerable)),
            "answered_rate": _ratio(sum(1 for r in answerable if not r["abstained"]), len(answerable)),
            "n_unanswerable": len(unanswerable),
            "abstention_precision": _ratio(tp, len(abstained)),
            "abstention_recall": _ratio(tp, len(unanswerable)),
        }

    per_kind = {k: stats(groups[k]) for k in order}
    variants = [r for r in rows if r["case"]["perturbation"] != ORIGINAL]
    per_kind["ALL"] = stats(variants)
    absent = [r for r in variants if r["case"]["perturbation"] == ABSENT]
    false_abst = sum(1 for r in variants if r["abstained"] and not r["case"]["expect"].get("abstain"))
    tp_absent = sum(1 for r in absent if r["abstained"])
    original_pass = {r["case"]["id"]: not r["reasons"] for r in groups.get(ORIGINAL, [])}
    failures = [{"id": r["case"]["id"], "kind": r["case"]["perturbation"], "source_id": r["case"]["source_id"],
                 "source_passes": original_pass.get(r["case"]["source_id"]),
                 "question": final_question(r["case"]), "reasons": r["reasons"], "answer": r["answer"][:300]}
                for r in rows if r["reasons"]]
    lat = sorted(latencies)
    return {
        "per_kind": per_kind,
        "absent_pooled_precision": _ratio(tp_absent, tp_absent + false_abst),
        "failures": failures,
        "timing": {
            "answers": len(rows),
            "wall_s": round(wall, 2),
            "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
            "p50_ms": round(lat[len(lat) // 2], 1) if lat else None,
            "p95_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.95))], 1) if lat else None,
        },
    }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def table(report: dict) -> str:
    head = ("| kind | n | pass rate | answerable n | answerable pass | answered rate | unanswerable n "
            "| abstain precision | abstain recall |")
    lines = [head, "|" + "---|" * 9]
    for kind, s in report["per_kind"].items():
        lines.append(f"| {kind} | {s['n']} | {_fmt(s['pass_rate'])} | {s['n_answerable']} | "
                     f"{_fmt(s['answerable_pass_rate'])} | {_fmt(s['answered_rate'])} | {s['n_unanswerable']} | "
                     f"{_fmt(s['abstention_precision'])} | {_fmt(s['abstention_recall'])} |")
    t = report["timing"]
    lines.append("")
    lines.append(f"in-topic-absent abstention precision, pooled with every answerable variant: "
                 f"{_fmt(report['absent_pooled_precision'])}")
    lines.append(f"{t['answers']} answers in {t['wall_s']} s (per answer: mean {t['mean_ms']} ms, "
                 f"p50 {t['p50_ms']} ms, p95 {t['p95_ms']} ms)")
    return "\n".join(lines)


def failure_lines(report: dict, limit: int | None = 15) -> str:
    fails = report["failures"] if limit is None else report["failures"][:limit]
    out = []
    for f in fails:
        base = "" if f["source_passes"] is None else (" (seed passes)" if f["source_passes"] else " (seed fails too)")
        out.append(f"- {f['id']}{base}: {f['question']!r}\n    -> {'; '.join(f['reasons'])}")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ CLI
def _build_pipeline(data_dir: str):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from rag.config import Settings
    from rag.pipeline import Pipeline

    p = Pipeline(Settings(data_dir=Path(data_dir)))
    p.warm_up()
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.eval.robustness.generate", description=__doc__.split("\n")[0])
    ap.add_argument("--report", action="store_true", help="build a pipeline, answer every variant, print the table")
    ap.add_argument("--dump", action="store_true", help="print the generated cases as JSONL")
    ap.add_argument("--no-originals", action="store_true", help="leave the unperturbed baseline rows out")
    ap.add_argument("--failures", type=int, default=30, help="how many failures to list (-1: all)")
    ap.add_argument("--json", type=Path, help="also write the full report as JSON to this file")
    args = ap.parse_args(argv)

    cases = generate()
    if args.dump:
        for c in cases:
            print(json.dumps(c, ensure_ascii=False))
        return 0
    counts = count_by_kind(cases)
    print("variants per kind: " + ", ".join(f"{k} {counts.get(k, 0)}" for k in [*KINDS, ABSENT])
          + f" (total {len(cases)}, from {len(load_seed_cases())} seed cases)")
    if not args.report:
        return 0

    import tempfile

    with tempfile.TemporaryDirectory(prefix="robustness-") as tmp:
        t0 = time.perf_counter()
        pipeline = _build_pipeline(tmp)
        built = time.perf_counter() - t0
        todo = cases if args.no_originals else originals() + cases
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
        report = score(pipeline, todo)
    report["started"], report["build_s"] = started, round(built, 1)
    print(f"run started {started}; pipeline built in {built:.1f} s")
    print(table(report))
    n = len(report["failures"])
    limit = None if args.failures < 0 else args.failures
    print(f"\n{n} failures" + ("" if not n else f" (first {min(n, limit if limit is not None else n)}):"))
    if n:
        print(failure_lines(report, limit))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
