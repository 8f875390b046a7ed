"""Clinical packs as data: typed models, a strict loader (medspaCy ConTextRule style) and a version.

A pack is one folder under guardrails/packs/: pack.yaml holds its scope, its emergency features, its
rules as predicates over recommendation frames, and each rule's mandated statement with the passage it
is grounded in. Adding a pack is adding a folder; no code changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from guardrails import strict_yaml
from guardrails.concepts import Vocabulary, VocabularyError, default_vocabulary

PACKS_DIR = Path(__file__).resolve().parent / "packs"
SET_FIELDS = ("object", "timing", "gate", "protocol", "assessment", "basis")
SCALAR_FIELDS = ("polarity", "sequence")
POLARITIES = frozenset({"recommend", "prohibit", "report", "ask", "pitfall"})
SEQUENCES = frozenset({"after_care", "before_imaging", ""})
# gate conditions the frame reader derives from what a condition span holds (beyond vocabulary concepts)
DERIVED_CONDITIONS = frozenset({"condition.after_imaging", "condition.radiograph_result", "condition.trial",
                                "condition.time", "condition.unspecified", "condition.emergency",
                                "condition.definitive_result"})
PSEUDO_OBJECTS = frozenset({"statement"})


class RuleConfigError(ValueError):
    """A pack file is invalid; the message names the pack, the field and what is allowed."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Predicate(Strict):
    """One frame pattern. Lists name concepts or groups of the vocabulary."""

    object: list[str] = Field(default_factory=list)
    polarity: list[str] = Field(default_factory=list)
    timing: list[str] = Field(default_factory=list)
    gate: list[str] = Field(default_factory=list)
    protocol: list[str] = Field(default_factory=list)
    assessment: list[str] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list)
    sequence: list[str] = Field(default_factory=list)
    no_timing: list[str] = Field(default_factory=list)
    no_gate: list[str] = Field(default_factory=list)
    no_protocol: list[str] = Field(default_factory=list)
    no_assessment: list[str] = Field(default_factory=list)
    precondition_met: bool | None = None
    gated_by_decision: bool | None = None
    negation_alone: bool | None = None
    clause_has: list[str] = Field(default_factory=list)
    clause_lacks: list[str] = Field(default_factory=list)
    sentence_has: list[str] = Field(default_factory=list)
    sentence_lacks: list[str] = Field(default_factory=list)
    # every one asserted in the sentence, none only in a gate ("<test> normal, so <cause> is excluded", not "<care>
    # waits until <cause> has been excluded")
    sentence_says_all: list[str] = Field(default_factory=list)
    clause_has_all: list[str] = Field(default_factory=list)
    context_has: list[str] = Field(default_factory=list)
    context_lacks: list[str] = Field(default_factory=list)
    # the draft's sentence just before, un-negated: what a conclusion with no test of its own rests on
    # ("<test> normal. <cause> excluded.")
    previous_has_all: list[str] = Field(default_factory=list)
    previous_lacks: list[str] = Field(default_factory=list)
    # silent where the sentence just before has every one of these ("Order the <study> today. We'll see him in
    # clinic next week with the result.": the follow-up slot comes after the study, it does not put it off)
    previous_lacks_all: list[str] = Field(default_factory=list)
    # ... and where the sentence just after has every one ("Let's postpone the <other test> a few weeks. The <study> is
    # the priority and I'm requesting it today.": what is put off is not the study ordered beside it)
    next_lacks_all: list[str] = Field(default_factory=list)
    context_lacks_any: list[str] = Field(default_factory=list)
    # silent where one sentence of the user's turns names every one of these ("<the study> booked for <day>": a draft
    # keeping that booking puts nothing off), unless the turns tell an emergency
    unless_asked_together: list[str] = Field(default_factory=list)
    # the sentence turns one of these down in a frame of its own ("<other test> today and finish, no <study>"): what
    # it recommends is in that one's place
    sentence_refuses: list[str] = Field(default_factory=list)
    # silent where the user's turns deny every one of these and nothing affirms one ("no <finding> palpable")
    unless_denied: list[str] = Field(default_factory=list)

    @field_validator("polarity", "sequence")
    @classmethod
    def _known_values(cls, v: list[str], info: ValidationInfo) -> list[str]:
        allowed = POLARITIES if info.field_name == "polarity" else SEQUENCES - {""}
        if bad := set(v) - allowed:
            raise ValueError(f"unknown {info.field_name} {sorted(bad)}; allowed: {sorted(allowed)}")
        return v

    def concept_lists(self) -> dict[str, list[str]]:
        skip = {"polarity", "sequence", "precondition_met", "gated_by_decision", "negation_alone"}
        return {k: v for k, v in self.model_dump().items() if k not in skip and v}


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
    when: list[Predicate] = Field(default_factory=list, description="sentence rules: any frame matching one fires")
    required: list[Predicate] = Field(default_factory=list, description="answer rules: frames the answer must have")
    requires_each: list[list[int]] = Field(
        default_factory=list, description="answer rules: each inner list names required entries of which one "
        "must match (default: every entry)")
    examples: list[Example] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        import re

        if not re.fullmatch(r"RF-[A-Z0-9-]+", v):
            raise ValueError("rule id must look like RF-NAME (capitals, digits, dashes)")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> Rule:
        if self.kind == "sentence" and not self.when:
            raise ValueError("a sentence rule needs at least one 'when' predicate")
        if self.kind == "answer" and not self.required:
            raise ValueError("an answer rule needs 'required' predicates")
        for group in self.requires_each:
            if any(i < 0 or i >= len(self.required) for i in group):
                raise ValueError(f"requires_each {group} names an entry that 'required' does not have")
        return self


class PlacedElsewhere(Strict):
    regions: list[str] = Field(min_length=1)
    # the findings a place can take away (what is felt or lost); a finding that names its own place ("both legs are
    # weak") is never taken
    findings: list[str] = Field(min_length=1)


class Emergency(Strict):
    features: list[list[str]] = Field(default_factory=list)
    # emergencies only for a patient already in the pack's scope (a <feature> beside the pack's <finding>, not the
    # same <feature> from another cause): they do not bring the pack into scope
    in_scope_features: list[list[str]] = Field(default_factory=list)
    topic: list[list[str]] = Field(default_factory=list)
    # an emergency concept read only in words that are not the asker's own finding (someone else's worry, a note's
    # query, the asker's question) is no finding where the asker's own words find one of these normal or absent
    ruled_out_by: dict[str, list[str]] = Field(default_factory=dict)
    # regions that place a finding outside these emergencies: a finding whose own clauses name only these regions
    # ("numbness in both hands") is no feature of them
    placed_elsewhere: PlacedElsewhere | None = None
    banner: str = ""


class Scope(Strict):
    any: list[list[str]] = Field(min_length=1)
    # what the pack's rules are about: a question that denies every one of these, answered from another document, is
    # that document's to answer, unless it has one of the pack's emergency features
    subject: list[str] = Field(default_factory=list)


class SubjectAnswer(Strict):
    """What a patient with the pack's subject needs, in the corpus's words, verbatim: an answer to what to do for such
    a patient holds it, unless the patient has an emergency (the rules' own statements lead then) or the user's turns
    name one of `unless` (the definitive test already done and reported, a reason it cannot be done)."""
    text: str = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)
    # ... or deny one of these ("no <study> within 300 km till next month")
    unless_denied: list[str] = Field(default_factory=list)


class InsteadIf(Strict):
    """What to do in place of a broken rule's plan for a patient one of whose user sentences says every concept of one
    `when` entry (not denied): "no <study>, too risky" is answered with the pack's second-line study, not with that
    one."""
    when: list[list[str]] = Field(min_length=1)
    text: str = Field(min_length=1)
    # ... unless they name one of these too ("the <study> was broken that week; must he still have it when it is
    # fixed?")
    unless: list[str] = Field(default_factory=list)


class Pack(Strict):
    name: str
    version: str
    title: str
    documents: list[str] = Field(default_factory=list)
    instead: str = Field("", description="The corpus sentence that says what to do in place of a plan that breaks "
                         "one of the pack's rules, verbatim: an answer to such a plan holds it.")
    instead_if: list[InsteadIf] = Field(default_factory=list)
    subject_answer: SubjectAnswer | None = None
    scope: Scope
    emergency: Emergency = Emergency()
    rules: list[Rule]
    digest: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}+{self.digest}"

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def _describe(err: ValidationError, source: str) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        if e["type"] == "extra_forbidden":
            model = Predicate if (".when." in loc or ".required." in loc) else Rule if ".rules." in loc or \
                loc.startswith("rules") else Pack
            parts.append(f"{loc}: unknown key; allowed keys: {', '.join(model.model_fields)}")
        else:
            parts.append(f"{loc}: {e['msg']}")
    return f"{source}: " + "; ".join(parts)


def _check_concepts(pack: Pack, vocabulary: Vocabulary, source: str) -> None:
    """Every concept a pack names exists in the vocabulary: a typo must fail at load, not silently never match."""
    names: list[tuple[str, str]] = [(f"scope.any[{i}]", c) for i, entry in enumerate(pack.scope.any) for c in entry]
    names += [("scope.subject", c) for c in pack.scope.subject]
    names += [("subject_answer.unless", c) for c in (pack.subject_answer.unless if pack.subject_answer else [])]
    names += [("subject_answer.unless_denied", c)
              for c in (pack.subject_answer.unless_denied if pack.subject_answer else [])]
    names += [("emergency.features", c) for entry in pack.emergency.features for c in entry]
    names += [("emergency.in_scope_features", c) for entry in pack.emergency.in_scope_features for c in entry]
    names += [("emergency.topic", c) for entry in pack.emergency.topic for c in entry]
    names += [("emergency.ruled_out_by", c) for k, v in pack.emergency.ruled_out_by.items() for c in (k, *v)]
    for rule in pack.rules:
        for i, p in enumerate([*rule.when, *rule.required]):
            names += [(f"{rule.id}[{i}].{k}", c) for k, v in p.concept_lists().items() for c in v]
    for where, c in names:
        if c in DERIVED_CONDITIONS or c in PSEUDO_OBJECTS:
            continue
        try:
            vocabulary.expand([c])
        except VocabularyError:
            raise RuleConfigError(f"{source}: {where}: unknown concept or group {c!r}") from None


def parse_pack(data: dict, source: str = "<pack>", vocabulary: Vocabulary | None = None) -> Pack:
    if not isinstance(data, dict):
        raise RuleConfigError(f"{source}: top level must be a mapping")
    try:
        pack = Pack(**data)
    except ValidationError as exc:
        raise RuleConfigError(_describe(exc, source)) from None
    except TypeError as exc:
        raise RuleConfigError(f"{source}: {exc}") from None
    ids = [r.id for r in pack.rules]
    if len(set(ids)) != len(ids):
        raise RuleConfigError(f"{source}: duplicate rule ids {sorted({i for i in ids if ids.count(i) > 1})}")
    _check_concepts(pack, vocabulary or default_vocabulary(), source)
    digest = hashlib.sha256(yaml.safe_dump(data, sort_keys=True).encode()).hexdigest()[:8]
    return pack.model_copy(update={"digest": digest})


def load_pack(folder: Path, vocabulary: Vocabulary | None = None) -> Pack:
    f = folder / "pack.yaml"
    try:
        data = strict_yaml.safe_load(f.read_text()) or {}
    except yaml.YAMLError as exc:
        raise RuleConfigError(f"{folder.name}/pack.yaml: not valid YAML ({exc})") from None
    except FileNotFoundError:
        raise RuleConfigError(f"{folder}: no pack.yaml") from None
    return parse_pack(data, f"{folder.name}/pack.yaml", vocabulary)


def load_packs(root: Path = PACKS_DIR, vocabulary: Vocabulary | None = None) -> list[Pack]:
    """Every pack folder under root, in name order; pack names must be unique."""
    packs = [load_pack(d, vocabulary) for d in sorted(root.iterdir()) if d.is_dir() and (d / "pack.yaml").exists()]
    names = [p.name for p in packs]
    if len(set(names)) != len(names):
        raise RuleConfigError(f"{root}: duplicate pack names {names}")
    return packs
