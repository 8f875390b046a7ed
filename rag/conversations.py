"""Conversations persisted in SQLite: each turn with its answer, citations and verdict (audit, replay)."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

from rag.errors import ConversationNotFound
from rag.sqlite import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, owner TEXT);
CREATE TABLE IF NOT EXISTS turns (
  conversation_id TEXT NOT NULL, idx INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL,
  answer_json TEXT, created_at TEXT NOT NULL, PRIMARY KEY (conversation_id, idx)
);
"""


class ConversationStore:
    def __init__(self, path: Path) -> None:
        self._conn = connect(path, SCHEMA)
        self._lock = threading.Lock()

    def create(self, owner: str | None = None) -> str:
        cid = uuid.uuid4().hex
        with self._lock:
            self._conn.execute("INSERT INTO conversations VALUES (?,?,?)",
                               (cid, datetime.now(UTC).isoformat(timespec="seconds"), owner))
        return cid

    def exists(self, cid: str) -> bool:
        return self._conn.execute("SELECT 1 FROM conversations WHERE id=?", (cid,)).fetchone() is not None

    def history(self, cid: str, owner: str | None = None) -> list[dict]:
        """The turns so far. With `owner`, a conversation another key created is reported as not found,
        exactly like an unknown one, so its existence is not disclosed either."""
        row = self._conn.execute("SELECT owner FROM conversations WHERE id=?", (cid,)).fetchone()
        if row is None or (owner is not None and row[0] != owner):
            raise ConversationNotFound(f"conversation {cid!r} not found")
        rows = self._conn.execute("SELECT role, content FROM turns WHERE conversation_id=? ORDER BY idx",
                                  (cid,)).fetchall()
        return [{"role": r, "content": c} for r, c in rows]

    def append(self, cid: str, question: str, answer_text: str, answer_json: dict) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                n = self._conn.execute("SELECT COUNT(*) FROM turns WHERE conversation_id=?", (cid,)).fetchone()[0]
                self._conn.execute("INSERT INTO turns VALUES (?,?,?,?,?,?)", (cid, n, "user", question, None, now))
                self._conn.execute("INSERT INTO turns VALUES (?,?,?,?,?,?)",
                                   (cid, n + 1, "assistant", answer_text, json.dumps(answer_json), now))
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def turns(self, cid: str) -> list[dict]:
        rows = self._conn.execute("SELECT idx, role, content, answer_json, created_at FROM turns "
                                  "WHERE conversation_id=? ORDER BY idx", (cid,)).fetchall()
        return [{"idx": i, "role": r, "content": c, "answer": json.loads(a) if a else None, "created_at": t}
                for i, r, c, a, t in rows]
