"""Bearer API keys mapped to roles, kept and compared as SHA-256 hashes; a local mode for one user on loopback."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

ROLES = ("clinician", "editor", "evaluator", "admin")


@dataclass(frozen=True)
class Principal:
    key_id: str  # first 8 hex of the key's hash: safe to log and audit
    role: str


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class KeyRing:
    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self._by_hash = {digest: role for role, digest in entries}

    @classmethod
    def from_settings(cls, keys: str, keys_file: Path | None) -> KeyRing:
        """'role:key' pairs (comma-separated) and a file of 'role:key' or 'role:sha256:HEX' lines."""
        lines = [k.strip() for k in keys.split(",") if k.strip()]
        if keys_file:
            lines += [ln.strip() for ln in keys_file.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
        entries = []
        for line in lines:
            role, _, secret = line.partition(":")
            if role not in ROLES or not secret:
                raise ValueError(f"API key entry must be 'role:key' with role one of {', '.join(ROLES)}")
            digest = secret[7:] if secret.startswith("sha256:") else sha256(secret)
            entries.append((role, digest.lower()))
        return cls(entries)

    def __bool__(self) -> bool:
        return bool(self._by_hash)

    def lookup(self, token: str) -> Principal | None:
        digest = sha256(token)
        for known, role in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return Principal(key_id=digest[:8], role=role)
        return None
