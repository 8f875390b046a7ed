"""The typed records that flow one way: Document -> Chunk -> ScoredChunk -> DraftAnswer -> Answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Reference(Frozen):
    """A numbered entry of a document's reference list (bibliographic record)."""

    n: int
    title: str
    kind: str = ""
    source: str = ""
    document_id: str | None = None  # set when an editor has indexed the reference's full text


class Document(Frozen):
    """A cleaned source document: text with section headings as markdown, metadata kept aside."""

    id: str
    title: str
    text: str
    source: str = ""
    version: int = 1
    disclaimer: str = ""
    date_reviewed: str = ""
    references: tuple[Reference, ...] = ()
    metadata: dict[str, Any] = Field(default_factory=dict)


class Sentence(Frozen):
    text: str
    start: int  # offsets into Document.text (marker-free sentence text spans this region)
    end: int
    refs: tuple[int, ...] = ()
    bullet: bool = False  # a list item: a lead-in sentence ending in ':' frames the items after it
    # the label of the list item a later sentence continues ("<Label>: used when ... . Take <x>."): what it is about
    label: str = ""


class Chunk(Frozen):
    """A retrievable passage: sentences of one section, reference markers removed from the text."""

    id: str
    document_id: str
    version: int
    title: str
    section: tuple[str, ...]
    text: str
    start: int
    end: int
    refs: tuple[int, ...]
    sentences: tuple[Sentence, ...]
    ordinal: int  # position within its document, for neighbours

    @property
    def section_label(self) -> str:
        return " > ".join(self.section)


class ScoredChunk(Frozen):
    chunk: Chunk
    score: float  # fused score
    dense: float | None = None  # cosine similarity, when the dense retriever saw it
    sparse: float | None = None


class CitedSentence(Frozen):
    text: str
    cites: tuple[int, ...]  # 1-based positions into DraftAnswer.passages
    record: bool = False  # a bibliographic record quoted from a reference list, not a clinical statement


class DraftAnswer(Frozen):
    sentences: tuple[CitedSentence, ...]
    passages: tuple[ScoredChunk, ...]
    abstained: bool = False
    partial: str | None = None  # what the sources do not give, when they cover the rest of the question
    synthesizer: str = "extractive"
    fallback_reason: str | None = None
    llm_outcome: str | None = None  # with an LLM configured: "accepted" or why the answer fell back
    llm_dropped: tuple[str, ...] = ()  # why each of the model's dropped sentences was dropped

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


class CitationRef(Frozen):
    n: int
    title: str
    document_id: str | None = None  # the reference's own full text, when an editor has indexed it


class Citation(Frozen):
    n: int
    document_id: str
    title: str
    section: str
    chunk_id: str
    text: str
    score: float
    references: tuple[CitationRef, ...] = ()


class Violation(Frozen):
    rule_id: str
    message: str
    span: str


class GuardrailResult(Frozen):
    action: Literal["pass", "revise", "block", "escalate"]
    violations: tuple[Violation, ...] = ()
    rules_version: str


class Retrieved(Frozen):
    chunk_id: str
    document_id: str
    section: str
    score: float


class SourceDisclaimer(Frozen):
    """A cited source's own disclaimer, attributed to it (it speaks for its publisher, not for clinrag)."""

    document_id: str
    title: str
    text: str


class Answer(Frozen):
    conversation_id: str
    answer: str
    citations: tuple[Citation, ...]
    guardrail: GuardrailResult
    abstained: bool
    disclaimer: str  # the service's own (settings.disclaimer), with every answer
    source_disclaimers: tuple[SourceDisclaimer, ...] = ()  # only of the documents this answer cites
    index_version: str = ""  # build id of the snapshot this answer was composed from (audit)
    banner: str | None = None
    synthesizer: str = "extractive"
    fallback_reason: str | None = None
    scope: Literal["answer", "partial", "abstain"] = "answer"  # the scope decision's outcome
    llm_outcome: str | None = None  # with an LLM configured: "accepted" or why the answer fell back
    llm_dropped: tuple[str, ...] = ()  # why each of the model's dropped sentences was dropped
    timings_ms: dict[str, float] = Field(default_factory=dict)
    retrieved: tuple[Retrieved, ...] = ()  # this turn's ranked passages, for evaluation and audit
