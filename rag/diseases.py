"""Disease names from the Human Disease Ontology (CC0, vendored in rag/vocab), to tell when a question is about a
disease that no indexed document mentions ("<treatment> for <disease B>?" asked of a guideline on <disease A>
shares "<treatment>" and little else). A curated public vocabulary, not a list written for known questions."""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from rag.text import american

DISEASES_FILE = Path(__file__).resolve().parent / "vocab" / "disease_ontology.txt.gz"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case words with one spelling (British forms read as American ones); hyphens separate words."""
    return [american(w) for w in _WORD.findall(text.lower().replace("-", " "))]


class DiseaseNames:
    def __init__(self, names: set[str]) -> None:
        if not names:
            raise ValueError("no disease names")
        self.names = frozenset(names)
        self.longest = max(len(n.split()) for n in names)

    @classmethod
    def load(cls, path: Path = DISEASES_FILE) -> DiseaseNames:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            names = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        return cls(names)

    def find(self, text: str) -> list[str]:
        """The disease names in a text, longest first at each position, in order ("acute <disease>" -> "acute
        <disease>" when the ontology has it, else "<disease>"); a plural reads as its singular."""
        return [name for name, _, _ in self._spans(words(text))]

    def without(self, text: str, keep: set[str]) -> str:
        """The text's words less the disease names in it other than those kept."""
        tokens = words(text)
        drop = {i for name, start, end in self._spans(tokens) if name not in keep for i in range(start, end)}
        return " ".join(t for i, t in enumerate(tokens) if i not in drop)

    def _spans(self, tokens: list[str]) -> list[tuple[str, int, int]]:
        out, i = [], 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                phrase = " ".join(tokens[i:i + n])
                name = phrase if phrase in self.names else (
                    phrase[:-1] if phrase.endswith("s") and phrase[:-1] in self.names else None)
                if name:
                    out.append((name, i, i + n))
                    i += n
                    break
            else:
                i += 1
        return out


@lru_cache(maxsize=1)
def default_disease_names() -> DiseaseNames:
    return DiseaseNames.load()
