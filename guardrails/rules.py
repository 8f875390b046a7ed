"""Red-flag rules as data: typed models, a strict loader and the rule-set version (content hash)."""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

RULES_DIR = Path(__file__).resolve().parent / "rules"
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")


class RuleConfigError(ValueError):
    """A rule file is invalid; the message names the file, the field and what is allowed."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pattern(Strict):
    id: str
    match: str = Field(description="Regex over the normalised sentence; group 'head' is the trigger.")
    negatable: bool = True
    unless: list[str] = Field(default_factory=list, description="Sentence regexes that excuse a match.")
    unless_context: list[str] = Field(
        default_factory=list, description="Regexes, all of which found un-negated in the sentence, question or "
        "conversation excuse the match (e.g. MRI contraindicated AND a deficit present).")
    scope: Literal["always", "red_flag", "emergency"] = "always"


class Example(Strict):
    question: str = ""
    draft: str
    violates: bool


class Rule(Strict):
    id: str
    severity: Literal["critical", "high", "medium"]
    action: Literal["revise", "block", "escalate"]
    kind: Literal["sentence", "answer"] = "sentence"
    message: str
    mandated_statement: str
    grounding: str = Field(description="The corpus passage the mandated statement rests on, verbatim.")
    patterns: list[Pattern] = Field(default_factory=list)
    required: list[str] = Field(default_factory=list, description="answer rules: each must be present")
    examples: list[Example] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not re.fullmatch(r"RF-[A-Z0-9-]+", v):
            raise ValueError("rule id must look like RF-NAME (capitals, digits, dashes)")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> Rule:
        if self.kind == "sentence" and not self.patterns:
            raise ValueError("a sentence rule needs at least one pattern")
        if self.kind == "answer" and not self.required:
            raise ValueError("an answer rule needs 'required' phrases")
        return self


class RuleSet(Strict):
    lexicon: dict[str, str]
    cues: dict[str, str]
    rules: list[Rule]
    version: str = ""

    @cached_property
    def compiled(self) -> dict[str, re.Pattern]:
        """Every regex of the set, macros expanded and compiled once."""
        out: dict[str, re.Pattern] = {}
        for name, expr in self.cues.items():
            out[f"cue:{name}"] = re.compile(self.expand(expr))
        for rule in self.rules:
            for p in rule.patterns:
                out[f"{rule.id}:{p.id}"] = re.compile(self.expand(p.match))
                for i, u in enumerate(p.unless):
                    out[f"{rule.id}:{p.id}:unless:{i}"] = re.compile(self.expand(u))
                for i, u in enumerate(p.unless_context):
                    out[f"{rule.id}:{p.id}:ctx:{i}"] = re.compile(self.expand(u))
            for i, r in enumerate(rule.required):
                out[f"{rule.id}:required:{i}"] = re.compile(self.expand(r))
        return out

    def expand(self, expr: str, depth: int = 0) -> str:
        if depth > 5:
            raise RuleConfigError(f"lexicon macros nest too deeply in {expr[:60]!r}")

        def sub(m: re.Match) -> str:
            name = m.group(1)
            if name not in self.lexicon:
                raise RuleConfigError(f"unknown lexicon macro {{{name}}}; defined: {', '.join(sorted(self.lexicon))}")
            return "(?:" + self.expand(self.lexicon[name], depth + 1) + ")"

        return _MACRO.sub(sub, expr)

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


REQUIRED_CUES = ("pre_negation", "post_negation", "pseudo_negation", "clause_boundary", "rejection",
                 "red_flag_denied", "emergency", "emergency_topic", "injection", "framing",
                 "segment_boundary", "restriction")


def _describe(err: ValidationError, source: str) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        if e["type"] == "extra_forbidden":
            model = Rule if "patterns" not in loc else Pattern
            allowed = ", ".join(Pattern.model_fields if ".patterns." in loc else model.model_fields)
            parts.append(f"{loc}: unknown key; allowed keys: {allowed}")
        else:
            parts.append(f"{loc}: {e['msg']}")
    return f"{source}: " + "; ".join(parts)


def parse_rules(data: dict, source: str = "<rules>") -> RuleSet:
    if not isinstance(data, dict):
        raise RuleConfigError(f"{source}: top level must be a mapping with lexicon, cues and rules")
    unknown = set(data) - {"lexicon", "cues", "rules"}
    if unknown:
        raise RuleConfigError(f"{source}: unknown top-level keys {sorted(unknown)}; allowed: lexicon, cues, rules")
    try:
        rs = RuleSet(lexicon=data.get("lexicon") or {}, cues=data.get("cues") or {}, rules=data.get("rules") or [])
    except ValidationError as exc:
        raise RuleConfigError(_describe(exc, source)) from None
    missing = [c for c in REQUIRED_CUES if c not in rs.cues]
    if missing:
        raise RuleConfigError(f"{source}: cues missing {missing}")
    ids = [r.id for r in rs.rules]
    if len(set(ids)) != len(ids):
        raise RuleConfigError(f"{source}: duplicate rule ids {sorted({i for i in ids if ids.count(i) > 1})}")
    try:
        rs.compiled  # noqa: B018 - validate every regex now, not at the first question
    except re.error as exc:
        raise RuleConfigError(f"{source}: invalid regex: {exc}") from None
    version = hashlib.sha256(yaml.safe_dump(data, sort_keys=True).encode()).hexdigest()[:12]
    return rs.model_copy(update={"version": version})


def load_rules(path: Path | None = None) -> RuleSet:
    """Load every *.yaml under the rules folder (merged in name order) or one file."""
    files = [path] if path and path.is_file() else sorted((path or RULES_DIR).glob("*.yaml"))
    merged: dict = {"lexicon": {}, "cues": {}, "rules": []}
    for f in files:
        try:
            data = yaml.safe_load(f.read_text()) or {}
        except yaml.YAMLError as exc:
            raise RuleConfigError(f"{f.name}: not valid YAML ({exc})") from None
        unknown = set(data) - {"lexicon", "cues", "rules"}
        if unknown:
            raise RuleConfigError(f"{f.name}: unknown top-level keys {sorted(unknown)}; allowed: lexicon, cues, rules")
        merged["lexicon"].update(data.get("lexicon") or {})
        merged["cues"].update(data.get("cues") or {})
        merged["rules"].extend(data.get("rules") or [])
    return parse_rules(merged, ", ".join(f.name for f in files))
