"""What a model actually sends back, turned into sentences with the passage numbers each rests on.

Real servers and models answer in many shapes: the JSON the schema asked for (sometimes fenced, sometimes cut
off by the token limit), or prose with `[1-2]`, `[Passage 1]`, `(1)`, `[^1]` markers, numbered lists,
markdown, `<think>` blocks and echoed role labels. All of it is read here into one form; nothing here judges
whether a sentence is true (rag.verify does).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from guardrails.sentences import split_citations, split_sentences

NOT_COVERED = "NOT COVERED"

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "covered": {"type": "boolean", "description": "false when the passages do not answer the question"},
        "sentences": {
            "type": "array", "maxItems": 6,
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "one sentence in the passages' own words"},
                    "passages": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3,
                                 "description": "numbers of the passages this sentence rests on"},
                },
                "required": ["text", "passages"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["covered", "sentences"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class ParsedSentence:
    text: str  # marker-free
    cites: tuple[int, ...]


@dataclass(frozen=True)
class ParsedReply:
    sentences: tuple[ParsedSentence, ...]
    not_covered: bool = False  # the model said the passages do not answer
    truncated: bool = False  # the token limit cut the reply: its unfinished tail was dropped
    structured: bool = False  # read from JSON rather than from markers


_THINK = re.compile(r"<(think|thinking|reasoning|reflection)>.*?(?:</\1>|\Z)", re.DOTALL | re.IGNORECASE)
_STRAY_THINK_END = re.compile(r"^.*?</(?:think|thinking|reasoning)>", re.DOTALL | re.IGNORECASE)
_SPECIAL_TOKEN = re.compile(r"<\|[^|>]{1,40}\|>|</?s>|\[/?INST\]")
_ROLE = re.compile(r"^\s*(?:#{1,6}\s*)?\**(?:assistant|system|user|ai|bot|model|answer|response|final answer)\**"
                   r"\s*:\s*", re.IGNORECASE | re.MULTILINE)
_FENCE = re.compile(r"```[a-zA-Z]*\s*|```")
_HEADING = re.compile(r"^\s*#{1,6}\s+.*$", re.MULTILINE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\(?\d{1,2}[.)])\s+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_FOOTNOTE_DEF = re.compile(r"^\s*\[\^\d+\]:.*$", re.MULTILINE)
# citation forms, each rewritten to [n][m]: [1-2], [1, 2], [Passage 1], (Passage 2), [Source 1], [^1], (1), (1, 2)
_BRACKETED = re.compile(r"\[\s*(?:\^|(?:passages?|sources?|refs?|references?)\s*)?"
                        r"(\d{1,2}(?:\s*(?:-|–|,|and|&)\s*(?:\^)?\d{1,2})*)\s*\]", re.IGNORECASE)
_PAREN = re.compile(r"\(\s*(?:(?:passages?|sources?)\s*)?(\d{1,2}(?:\s*(?:-|–|,|and)\s*\d{1,2})*)\s*\)",
                    re.IGNORECASE)


def clean(text: str) -> str:
    """Reasoning blocks, special tokens, role labels, headings and emphasis removed; list items on own lines."""
    text = _THINK.sub(" ", text)
    if re.search(r"</(?:think|thinking|reasoning)>", text, re.IGNORECASE):
        text = _STRAY_THINK_END.sub(" ", text)  # the opening tag was in the prompt's template, not the reply
    text = _SPECIAL_TOKEN.sub(" ", text)
    text = _FOOTNOTE_DEF.sub("", text)
    text = _HEADING.sub("", text)
    text = _ROLE.sub("", text)
    text = _FENCE.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)
    return text.strip()


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*(?:,|and|&)\s*", group.replace("^", "")):
        ends = [int(x) for x in re.findall(r"\d+", part)]
        if len(ends) == 2 and 0 < ends[1] - ends[0] < 10:
            out += range(ends[0], ends[1] + 1)
        else:
            out += ends
    return out


def normalise_markers(text: str) -> str:
    """Every citation form the models use, as the [n] markers the sentence splitter reads."""
    text = _BRACKETED.sub(lambda m: "".join(f"[{n}]" for n in _numbers(m.group(1))), text)
    return _PAREN.sub(lambda m: "".join(f"[{n}]" for n in _numbers(m.group(1))), text)


def parse(content: str, finish_reason: str | None, n_passages: int) -> ParsedReply:
    """The model's reply read into sentences; JSON first (the schema asked for it), then prose markers."""
    text = clean(content)
    truncated = finish_reason == "length"
    structured = _from_json(text, truncated)
    if structured is not None:
        return structured
    return _from_prose(text, truncated)


def _from_json(text: str, truncated: bool) -> ParsedReply | None:
    start = text.find("{")
    if start < 0:
        return None
    try:
        data, _end = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return _salvage(text[start:]) if '"sentences"' in text else None
    if not isinstance(data, dict) or not isinstance(data.get("sentences"), list):
        return None
    sentences = []
    for item in data["sentences"]:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            continue
        cites = item.get("passages") or item.get("citations") or []
        if isinstance(cites, int | str):
            cites = [cites]
        body, inline = split_citations(normalise_markers(item["text"].strip()))
        numbers = tuple(dict.fromkeys([*(int(c) for c in cites if str(c).strip().isdigit()), *inline]))
        if body and NOT_COVERED not in body.upper():
            sentences.append(ParsedSentence(body, numbers))
    not_covered = data.get("covered") is False and not sentences
    return ParsedReply(tuple(sentences), not_covered=not_covered, truncated=truncated, structured=True)


_OBJECT = re.compile(r'\{\s*"text"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"passages"\s*:\s*\[([\d\s,]*)\]\s*\}')


def _salvage(text: str) -> ParsedReply:
    """A JSON answer cut off by the token limit: its complete sentence objects, the unfinished one dropped."""
    sentences = []
    for m in _OBJECT.finditer(text):
        body = json.loads(f'"{m.group(1)}"').strip()
        cites = tuple(int(x) for x in re.findall(r"\d+", m.group(2)))
        if body:
            sentences.append(ParsedSentence(split_citations(body)[0], cites))
    return ParsedReply(tuple(sentences), truncated=True, structured=True)


def _from_prose(text: str, truncated: bool) -> ParsedReply:
    # list items and lines are sentences of their own, whatever their punctuation
    lines = [_LIST_ITEM.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    sentences: list[ParsedSentence] = []
    said_not_covered = False
    for i, line in enumerate(lines):
        pieces = split_sentences(normalise_markers(line))
        for j, piece in enumerate(pieces):
            last = i == len(lines) - 1 and j == len(pieces) - 1
            if NOT_COVERED in piece.upper():
                said_not_covered = True
                continue
            body, cites = split_citations(piece)
            if truncated and last and not re.search(r"[.!?]\s*(?:\[\d+\])*\s*$", piece):
                continue  # cut off mid-sentence by the token limit
            if body.endswith(":") and not cites:
                continue  # a lead-in ("Recommendations:") says nothing on its own
            if body:
                sentences.append(ParsedSentence(body, cites))
    return ParsedReply(tuple(sentences), not_covered=said_not_covered and not sentences, truncated=truncated)
