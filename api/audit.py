"""Append-only audit log of every answer and check (SQLite). Question text only when settings allow."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from rag.sqlite import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, request_id TEXT, key_id TEXT, route TEXT NOT NULL,
  question_sha256 TEXT NOT NULL, question TEXT, answer TEXT NOT NULL, citations_json TEXT NOT NULL,
  action TEXT NOT NULL, rule_ids TEXT NOT NULL, rules_version TEXT, latency_ms REAL, index_version TEXT,
  conversation_id TEXT, synthesizer TEXT, fallback_reason TEXT
);
"""
_ADDED = {"synthesizer": "TEXT", "fallback_reason": "TEXT"}  # columns newer than some existing logs


class AuditLog:
    def __init__(self, path: Path, store_question_text: bool) -> None:
        self._conn = connect(path, SCHEMA)
        have = {r[1] for r in self._conn.execute("PRAGMA table_info(audit)")}
        for column, kind in _ADDED.items():
            if column not in have:
                self._conn.execute(f"ALTER TABLE audit ADD COLUMN {column} {kind}")
        self._lock = threading.Lock()
        self.store_question_text = store_question_text

    def record(self, *, route: str, request_id: str | None, key_id: str | None, question: str, answer: str,
               citations: list[dict], action: str, rule_ids: list[str], rules_version: str | None,
               latency_ms: float | None, index_version: str | None, conversation_id: str | None = None,
               synthesizer: str | None = None, fallback_reason: str | None = None) -> None:
        row = (datetime.now(UTC).isoformat(timespec="milliseconds"), request_id, key_id, route,
               hashlib.sha256(question.encode()).hexdigest(), question if self.store_question_text else None,
               answer, json.dumps([{"n": c.get("n"), "chunk_id": c.get("chunk_id")} for c in citations]), action,
               ",".join(rule_ids), rules_version, latency_ms, index_version, conversation_id,
               synthesizer, fallback_reason)
        with self._lock:
            self._conn.execute(
                "INSERT INTO audit (ts, request_id, key_id, route, question_sha256, question, answer, citations_json,"
                " action, rule_ids, rules_version, latency_ms, index_version, conversation_id, synthesizer,"
                " fallback_reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)

    def recent(self, limit: int = 50) -> list[dict]:
        cur = self._conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
