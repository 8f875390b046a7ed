"""Request and response bodies of the HTTP interface (stable: outside clients rely on them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.types import Citation, GuardrailResult, SourceDisclaimer

# Request bodies are strict: the document says `"temperature": number`, so `false` or `"0.5"` is refused with
# 422 rather than coerced, and a generated client's types are exactly what the service accepts.
STRICT = {"strict": True}


class ProblemDetails(BaseModel):
    """RFC 9457 problem details: every error on the native routes (media type application/problem+json)."""

    type: str = Field("about:blank", description="A URI naming the problem type; about:blank for plain HTTP errors.")
    title: str = Field(description="The status code's phrase.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong with this request, in words a caller can act on.")
    instance: str = Field(description="The request path.")
    request_id: str | None = Field(None, description="Also in the X-Request-ID header and the server log.")
    errors: list[dict[str, Any]] | None = Field(None, description="Validation errors (422): loc, msg, type.")


class OpenAIErrorBody(BaseModel):
    message: str
    type: str = Field(description="invalid_request_error, authentication_error, permission_error, not_found_error, "
                      "rate_limit_exceeded or server_error.")
    param: str | None = None
    code: int | str | None = None


class OpenAIError(BaseModel):
    """The OpenAI error envelope, on /v1/chat/completions and /v1/models (what OpenAI clients parse)."""

    error: OpenAIErrorBody


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", **STRICT, json_schema_extra={
        "examples": [{"message": "What imaging should I order for a palpable mid-lumbar mass?",
                      "conversation_id": None}]})
    message: str = Field(min_length=1, max_length=4000, description="The clinician's question or follow-up.")
    conversation_id: str | None = Field(None, max_length=64, description="Continue this conversation.")


class ChatResponse(BaseModel):
    conversation_id: str
    answer: str
    citations: list[Citation]
    guardrail: GuardrailResult
    abstained: bool
    scope: Literal["answer", "partial", "abstain"] = Field(
        "answer", description="The scope decision: answered, partial (says what the sources do not give), "
        "or abstained.")
    disclaimer: str = Field(description="The service's own disclaimer, with every answer.")
    source_disclaimers: list[SourceDisclaimer] = Field(
        default_factory=list, description="Each cited source's own disclaimer, attributed to that source.")
    banner: str | None = None
    synthesizer: str = Field(description="What wrote the answer: 'extractive' or 'llm'.")
    fallback_reason: str | None = Field(None, description="Why the LLM's answer was not used, or why the answer "
                                        "is partial or abstains.")
    llm_outcome: str | None = Field(None, description="With an LLM configured: 'accepted', or the fallback's label.")
    timings_ms: dict[str, float]


class GuardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", **STRICT, json_schema_extra={
        "examples": [{"question": "Palpable lumbar mass: next step?", "answer": "The MRI can wait a few weeks."}]})
    question: str = Field(max_length=4000, description="The clinician's question (context for the rules).")
    answer: str = Field(min_length=1, max_length=20000, description="A draft answer from any source.")
    pack: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
                             description="Judge with this clinical pack only; by default each pack decides its scope.")


class GuardViolation(BaseModel):
    rule_id: str
    message: str
    span: str
    pack: str = ""


class GuardResponse(BaseModel):
    action: Literal["pass", "revise", "block", "escalate"]
    violations: list[GuardViolation]
    rules_version: str
    packs: list[str] = Field(default_factory=list, description="The packs whose scope applied (name@version+digest).")
    safe_answer: str
    banner: str | None = None


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", **STRICT, json_schema_extra={
        "examples": [{"title": "Acute gout", "text": "## Treatment\n\nColchicine or an NSAID is first-line.",
                      "source": "local guideline", "metadata": {}}]})
    id: str | None = Field(None, min_length=1, max_length=200, description=(
        "Defaults to the title's slug. Case, surrounding space, inner spaces and underscores are normalised "
        "(`Acute Gout` is `acute-gout`); the result must be 1-80 lower-case letters, digits and single hyphens."))
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(min_length=1, max_length=2_000_000, description="Markdown or plain text.")
    source: str = Field("", max_length=500)
    metadata: dict[str, Any] = Field(default_factory=dict)


class DocumentWrite(BaseModel):
    id: str
    version: int
    action: str
    chunks: int
    seconds: float


class DocumentSummary(BaseModel):
    id: str
    version: int
    title: str
    source: str
    updated_by: str
    updated_at: str


class DocumentDetail(BaseModel):
    id: str
    version: int
    title: str
    source: str
    text: str
    disclaimer: str
    date_reviewed: str
    references: list[dict]
    metadata: dict[str, Any]
    history: list[dict]


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow", **STRICT)
    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list[dict[str, Any]] | None = None


class OpenAIChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow", **STRICT, json_schema_extra={
        "examples": [{"model": "clinrag", "messages": [{"role": "user", "content": "Imaging for a lumbar mass?"}]}]})
    model: str = Field("clinrag", max_length=200)
    messages: list[OpenAIMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    temperature: float | None = Field(None, ge=0, le=2)


class OpenAIModel(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class OpenAIModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[OpenAIModel]


class CompletionMessage(BaseModel):
    role: Literal["assistant"]
    content: str


class CompletionChoice(BaseModel):
    index: int
    message: CompletionMessage
    finish_reason: Literal["stop", "content_filter"]
    logprobs: None = None


class ChatCompletion(BaseModel):
    """An OpenAI chat.completion, plus clinrag's citations, verdict and scope at the top level."""

    model_config = ConfigDict(extra="allow")
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: dict[str, int]
    citations: list[Citation]
    guardrail: GuardrailResult
    abstained: bool
    scope: Literal["answer", "partial", "abstain"]
    banner: str | None = None
    disclaimer: str
    source_disclaimers: list[SourceDisclaimer] = Field(default_factory=list)


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready"]
    index: str = Field(description="The serving index build id.")
    chunks: int
    model: str
    rules_version: str
    llm: dict[str, Any] | None = Field(None, description="With an LLM configured: its model, circuit state "
                                       "(closed, open, half_open), whether structured output is in use, and the "
                                       "last error, as last seen (readiness never calls the model).")
