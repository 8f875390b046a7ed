"""Editors' documents: add (multipart file or JSON), list, read, replace (new version), delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from api.deps import EditorAuth, PipelineDep, ReaderAuth
from api.errors import ApiError
from api.openapi import AUTH, BAD_BODY, problems
from api.schemas import DocumentDetail, DocumentIn, DocumentSummary, DocumentWrite
from rag.ingest.pdf import PdfLimits
from rag.ingest.readers import detect_format, parse_document, slugify
from rag.types import Document

router = APIRouter(tags=["documents"])
WRITE_ERRORS = (*BAD_BODY, 415)
BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "txt, md, html or pdf"},
        "title": {"type": "string", "minLength": 1, "maxLength": 300},
        "source": {"type": "string", "maxLength": 500}, "id": {"type": "string", "minLength": 1, "maxLength": 200}}}},
    "application/json": {"schema": {"$ref": "#/components/schemas/DocumentIn"}}}}}


async def _read_document(request: Request, doc_id: str | None) -> Document:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "multipart body needs a 'file' part")
        data = await upload.read()
        name = upload.filename or "upload.txt"
        fmt = detect_format(name, upload.content_type)
        title = str(form.get("title") or "") or None
        given = doc_id or (str(form.get("id") or "") or None)
        return parse_document(data, name, doc_id=given or slugify(title or name.rsplit(".", 1)[0]), fmt=fmt,
                              title=title, source=str(form.get("source") or name),
                              pdf_limits=PdfLimits.from_settings(request.app.state.settings))
    if ctype == "application/json":
        try:
            body = DocumentIn.model_validate_json(await request.body())
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise ApiError(400, "request body is not valid JSON") from None
            raise ApiError(422, "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}"
                                          for e in exc.errors())[:1000]) from None
        text = body.text if body.text.lstrip().startswith("#") else f"# {body.title}\n\n{body.text}"
        return parse_document(text.encode(), f"{body.id or slugify(body.title)}.md", fmt="markdown",
                              doc_id=doc_id or body.id or slugify(body.title), title=body.title,
                              source=body.source or "api", metadata=body.metadata)
    raise ApiError(415, "send multipart/form-data with a 'file' part, or application/json")


def _write(result) -> DocumentWrite:
    return DocumentWrite(id=result.document_id, version=result.version, action=result.action, chunks=result.chunks,
                         seconds=round(result.seconds, 3))


@router.post("/v1/documents", status_code=201, response_model=DocumentWrite, openapi_extra=BODY,
             summary="Add a document", responses=problems(*AUTH, *WRITE_ERRORS, 409, 503))
async def add_document(request: Request, pipeline: PipelineDep, principal: EditorAuth) -> DocumentWrite:
    """Clean, chunk, embed and index a new document; live for the next question. 409 if the id exists."""
    doc = await _read_document(request, None)
    result = await run_in_threadpool(pipeline.library.write, doc, mode="add", actor=principal.key_id)
    request.app.state.metrics.chunks.set(len(pipeline.library.snapshot.chunks))
    return _write(result)


@router.get("/v1/documents", response_model=list[DocumentSummary], summary="List documents",
            responses=problems(*AUTH, 503))
def list_documents(pipeline: PipelineDep, principal: ReaderAuth) -> list[DocumentSummary]:
    """Current version of every live document."""
    return [DocumentSummary(**d) for d in pipeline.library.docstore.listing()]


@router.get("/v1/documents/{doc_id}", response_model=DocumentDetail, summary="Read a document",
            responses=problems(*AUTH, 404, 422, 503))
def get_document(doc_id: str, pipeline: PipelineDep, principal: ReaderAuth) -> DocumentDetail:
    """The current version's cleaned text and metadata, and every version with who and when."""
    doc = pipeline.library.docstore.get(doc_id)
    return DocumentDetail(id=doc.id, version=doc.version, title=doc.title, source=doc.source, text=doc.text,
                          disclaimer=doc.disclaimer, date_reviewed=doc.date_reviewed,
                          references=[r.model_dump() for r in doc.references], metadata=doc.metadata,
                          history=pipeline.library.docstore.history(doc_id))


@router.put("/v1/documents/{doc_id}", response_model=DocumentWrite, openapi_extra=BODY,
            summary="Replace a document (new version)", responses=problems(*AUTH, *WRITE_ERRORS, 404, 503))
async def replace_document(doc_id: str, request: Request, pipeline: PipelineDep,
                           principal: EditorAuth) -> DocumentWrite:
    """Index a new version; questions in flight finish on the old index, the next one sees the new."""
    if not pipeline.library.docstore.exists(doc_id):
        raise ApiError(404, f"document {doc_id!r} not found")
    doc = await _read_document(request, doc_id)
    return _write(await run_in_threadpool(pipeline.library.write, doc, mode="replace", actor=principal.key_id))


@router.delete("/v1/documents/{doc_id}", response_model=DocumentWrite, summary="Delete a document",
               responses=problems(*AUTH, 404, 422, 503))
async def delete_document(doc_id: str, pipeline: PipelineDep, principal: EditorAuth) -> DocumentWrite:
    """Remove from the index; its versions stay in the history."""
    return _write(await run_in_threadpool(pipeline.library.write, None, delete_id=doc_id, mode="delete",
                                          actor=principal.key_id))


