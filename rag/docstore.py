"""Every version of every source document, with who and when (SQLite)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rag.docids import normalize_document_id
from rag.errors import DocumentNotFound
from rag.sqlite import connect
from rag.types import Document, Reference

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
  document_id TEXT NOT NULL, version INTEGER NOT NULL, action TEXT NOT NULL,
  title TEXT NOT NULL, source TEXT NOT NULL, text TEXT NOT NULL, disclaimer TEXT NOT NULL,
  date_reviewed TEXT NOT NULL, references_json TEXT NOT NULL, metadata_json TEXT NOT NULL,
  content_sha TEXT NOT NULL, actor TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (document_id, version)
);
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, current_version INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0
);
"""


def content_sha(doc: Document) -> str:
    payload = json.dumps([doc.title, doc.text, [r.model_dump() for r in doc.references]], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class DocStore:
    def __init__(self, path: Path) -> None:
        self._conn = connect(path, SCHEMA)
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self):
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def next_version(self, doc_id: str) -> int:
        doc_id = normalize_document_id(doc_id)
        row = self._conn.execute("SELECT MAX(version) FROM versions WHERE document_id=?", (doc_id,)).fetchone()
        return (row[0] or 0) + 1

    def exists(self, doc_id: str) -> bool:
        doc_id = normalize_document_id(doc_id)
        row = self._conn.execute("SELECT deleted FROM documents WHERE id=?", (doc_id,)).fetchone()
        return bool(row) and not row[0]

    def record(self, conn: sqlite3.Connection, doc: Document, action: str, actor: str) -> None:
        """Append a version inside the caller's transaction (action: add, replace or delete)."""
        if normalize_document_id(doc.id) != doc.id:
            raise ValueError(f"document id {doc.id!r} is not in canonical form")  # the library normalises first
        conn.execute(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc.id, doc.version, action, doc.title, doc.source, doc.text, doc.disclaimer, doc.date_reviewed,
             json.dumps([r.model_dump() for r in doc.references]), json.dumps(doc.metadata),
             content_sha(doc), actor, datetime.now(UTC).isoformat(timespec="seconds")),
        )
        conn.execute(
            "INSERT INTO documents (id, current_version, deleted) VALUES (?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET current_version=excluded.current_version, deleted=excluded.deleted",
            (doc.id, doc.version, 1 if action == "delete" else 0),
        )

    def _row_to_document(self, row: sqlite3.Row | tuple) -> Document:
        (doc_id, version, _action, title, source, text, disclaimer, date_reviewed, refs, meta, *_rest) = row
        return Document(
            id=doc_id, version=version, title=title, source=source, text=text, disclaimer=disclaimer,
            date_reviewed=date_reviewed, references=tuple(Reference(**r) for r in json.loads(refs)),
            metadata=json.loads(meta),
        )

    def get(self, doc_id: str, version: int | None = None) -> Document:
        doc_id = normalize_document_id(doc_id)
        if version is None:
            row = self._conn.execute(
                "SELECT v.* FROM versions v JOIN documents d ON d.id=v.document_id AND d.current_version=v.version "
                "WHERE d.id=? AND d.deleted=0", (doc_id,)).fetchone()
        else:
            row = self._conn.execute(
                "SELECT * FROM versions WHERE document_id=? AND version=? AND action!='delete'",
                (doc_id, version)).fetchone()
        if row is None:
            raise DocumentNotFound(f"document {doc_id!r}" + (f" version {version}" if version else "") + " not found")
        return self._row_to_document(row)

    def active(self) -> list[Document]:
        rows = self._conn.execute(
            "SELECT v.* FROM versions v JOIN documents d ON d.id=v.document_id AND d.current_version=v.version "
            "WHERE d.deleted=0 ORDER BY d.id").fetchall()
        return [self._row_to_document(r) for r in rows]

    def history(self, doc_id: str) -> list[dict]:
        doc_id = normalize_document_id(doc_id)
        rows = self._conn.execute(
            "SELECT version, action, title, content_sha, actor, created_at FROM versions "
            "WHERE document_id=? ORDER BY version", (doc_id,)).fetchall()
        if not rows:
            raise DocumentNotFound(f"document {doc_id!r} not found")
        keys = ("version", "action", "title", "content_sha", "actor", "created_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def listing(self) -> list[dict]:
        rows = self._conn.execute(
            "SELECT d.id, d.current_version, v.title, v.source, v.actor, v.created_at FROM documents d "
            "JOIN versions v ON v.document_id=d.id AND v.version=d.current_version WHERE d.deleted=0 ORDER BY d.id"
        ).fetchall()
        keys = ("id", "version", "title", "source", "updated_by", "updated_at")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def corpus_state(self) -> dict[str, tuple[int, str]]:
        rows = self._conn.execute(
            "SELECT v.document_id, v.version, v.content_sha FROM versions v JOIN documents d "
            "ON d.id=v.document_id AND d.current_version=v.version WHERE d.deleted=0").fetchall()
        return {r[0]: (r[1], r[2]) for r in rows}

    def is_empty(self) -> bool:
        return self._conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 0

    def close(self) -> None:
        self._conn.close()
