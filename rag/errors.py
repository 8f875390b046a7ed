"""Domain errors, raised inside and translated only at the edges (HTTP, CLI)."""


class ClinragError(Exception):
    """Base of every error clinrag raises on purpose."""

    status = 500
    title = "Internal error"


class IngestError(ClinragError):
    status = 422
    title = "Document could not be ingested"


class UnsupportedFormat(IngestError):
    status = 415
    title = "Unsupported document format"


class DocumentNotFound(ClinragError):
    status = 404
    title = "Document not found"


class ConversationNotFound(ClinragError):
    status = 404
    title = "Conversation not found"


class IndexNotReady(ClinragError):
    status = 503
    title = "Index not ready"


class IndexMismatch(IndexNotReady):
    title = "Index does not match the corpus or model"


class RuleConfigError(ClinragError):
    title = "Guardrail rule file invalid"


class PackNotFound(ClinragError):
    status = 404
    title = "Clinical pack not found"


class DocumentExists(ClinragError):
    status = 409
    title = "Document already exists"


class InvalidDocumentId(ClinragError):
    status = 422
    title = "Invalid document id"


class PayloadTooLarge(ClinragError):
    status = 413
    title = "Payload too large"


class WriteInProgress(ClinragError):
    status = 503
    title = "Another write holds the index"


class DocumentTooLarge(IngestError):
    """Over a configured limit (pages, decoded stream bytes, extracted text, reading time)."""

    status = 413
    title = "Document over a size limit"


class UnreadablePdf(IngestError):
    """Damaged, truncated, encrypted or crafted past what the PDF parser accepts."""

    title = "PDF could not be read"


class LLMUnavailable(ClinragError):
    """The LLM gave no usable answer in time; the answer falls back to the extractive composer, never an error."""

    status = 503
    title = "LLM unavailable"

    def __init__(self, reason: str, detail: str = "", endpoint_fault: bool = True) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason  # a short label for metrics: timeout, unreachable, rate_limited, circuit_open, ...
        self.detail = detail
        self.endpoint_fault = endpoint_fault  # counts toward opening the circuit breaker
