"""Evaluate a draft answer against the red-flag rules: deterministic, sentence-level, negation-aware.

Input rails read the question and every user turn (emergency features, injection attempts, a denied
red flag); output rails read each draft sentence, then the whole answer (answer-level rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from guardrails.normalize import normalize, split_citations, split_sentences
from guardrails.rules import Pattern, Rule, RuleSet, load_rules

Action = Literal["pass", "revise", "block", "escalate"]
URGENT_BANNER = ("URGENT: the question describes features that need emergency action (possible cauda equina "
                 "syndrome or a severe or progressive neurologic deficit). Arrange emergent MRI and urgent "
                 "surgical consultation now.")
BLOCK_KEEP_SHARE = 0.25  # below this share of the draft's text surviving, the answer is replaced, not patched


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DraftSentence(Model):
    text: str
    cites: tuple[int, ...] = ()


class RuleViolation(Model):
    rule_id: str
    message: str
    span: str
    severity: str
    sentence: int | None = None  # index into the draft's sentences; None for answer-level rules
    pattern: str = ""


class SafeSentence(Model):
    text: str
    cites: tuple[int, ...] = ()
    source: Literal["draft", "mandated"] = "draft"
    rule_id: str | None = None
    grounding: str | None = None


class Verdict(Model):
    action: Action
    violations: tuple[RuleViolation, ...]
    rules_version: str
    sentences: tuple[SafeSentence, ...]
    banner: str | None = None
    emergency: bool = False
    injection: bool = False

    @property
    def safe_answer(self) -> str:
        """The answer to show: kept draft sentences keep their [n] markers; mandated statements carry their
        grounding passage instead (the pipeline turns it into a citation of the indexed passage)."""
        return " ".join(_with_marks(s.text, s.cites) for s in self.sentences)


@dataclass(frozen=True)
class Context:
    user_texts: tuple[str, ...]  # normalised question and earlier user turns
    emergency: bool
    emergency_topic: bool
    red_flag: bool
    injection: bool


class GuardrailEngine:
    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules or load_rules()
        self._re = self.rules.compiled

    @property
    def version(self) -> str:
        return self.rules.version

    # ---- negation (ConText-style: cue, direction, clause-bounded scope) -------------------------
    def _mask_pseudo(self, text: str) -> str:
        return self._re["cue:pseudo_negation"].sub(lambda m: "_" * len(m.group()), text)

    def negated(self, text: str, start: int, end: int) -> bool:
        masked = self._mask_pseudo(text)
        bounds = [m.end() for m in self._re["cue:clause_boundary"].finditer(masked, 0, start)]
        clause_start = bounds[-1] if bounds else 0
        if self._re["cue:pre_negation"].search(masked[clause_start:start]):
            return True
        segments = [m.end() for m in self._re["cue:segment_boundary"].finditer(masked, 0, start)]
        if self._re["cue:framing"].search(masked[segments[-1] if segments else 0:start]):
            return True
        tail = re.sub(r",\s*(?:as|like|such as|including|as with|as for)\b[^,;.]*,", ",", masked[end:])
        if self._re["cue:restriction"].search(tail):
            return True
        stop = re.search(r"[;:]|\b(?:but|however|although|though|so|because|since|as|while|whereas)\b|"
                         r"\band then\b", tail)
        window = " ".join(tail[: stop.start() if stop else len(tail)].split()[:14])
        if self._re["cue:post_negation"].search(window):
            return True
        quotes_before = masked[:start].count('"')
        if quotes_before % 2 == 1:  # a quoted phrase, rejected elsewhere in the sentence
            outside = re.sub(r'"[^"]*"', " ", masked)
            return bool(self._re["cue:rejection"].search(outside))
        return False

    def present(self, key: str, texts: Sequence[str], lists: bool = False) -> bool:
        """An un-negated mention of the pattern in any of the texts. lists=True also reads a negated list
        ("denies saddle numbness, incontinence or leg weakness"): only for symptoms in the question, never
        for drafts, where "Do not delay MRI, start PT" must keep its second clause."""
        return any(not self.negated(t, m.start(), m.end()) and not (lists and _negated_list(t, m.start(), m.end()))
                   for t in texts for m in self._re[key].finditer(t))

    # ---- input rails -------------------------------------------------------------------------
    def context(self, question: str, history: Sequence[dict] = ()) -> Context:
        turns = [normalize(h.get("content", "")) for h in history if h.get("role") == "user"]
        q = normalize(question)
        user = (*turns, q)
        return Context(
            user_texts=user,
            emergency=self.present("cue:emergency", user, lists=True),
            emergency_topic=bool(self._re["cue:emergency_topic"].search(q)),
            red_flag=not any(self._re["cue:red_flag_denied"].search(t) for t in user),
            injection=any(self._re["cue:injection"].search(t) for t in user),
        )

    def strip_instructions(self, text: str) -> str:
        """The text with instruction-like phrases ("ignore your rules", "developer mode") blanked out."""
        return " ".join(re.sub(self._re["cue:injection"].pattern, " ", text, flags=re.IGNORECASE).split())

    def is_instruction(self, text: str) -> bool:
        """Text that tries to steer the system (in a question or inside a document): data, never obeyed."""
        return bool(self._re["cue:injection"].search(normalize(text)))

    # ---- output rails ------------------------------------------------------------------------
    def _pattern_hit(self, rule: Rule, p: Pattern, text: str, ctx: Context) -> re.Match | None:
        if (p.scope == "red_flag" and not ctx.red_flag) or (p.scope == "emergency" and not ctx.emergency):
            return None
        key = f"{rule.id}:{p.id}"
        for m in self._re[key].finditer(text):
            group = next((g for g in ("head", "head2") if g in m.re.groupindex and m.group(g)), None)
            start, end = m.span(group) if group else m.span()
            if p.negatable and self.negated(text, start, end):
                continue
            if any(self._re[f"{key}:unless:{i}"].search(text) for i in range(len(p.unless))):
                continue
            if p.unless_context and all(self.present(f"{key}:ctx:{i}", [text, *ctx.user_texts])
                                        for i in range(len(p.unless_context))):
                continue
            return m
        return None

    def sentence_violations(self, index: int, original: str, ctx: Context) -> list[tuple[int, int, RuleViolation]]:
        text = normalize(original)
        found = []
        for order, rule in enumerate(self.rules.rules):
            if rule.kind != "sentence":
                continue
            for p in rule.patterns:
                m = self._pattern_hit(rule, p, text, ctx)
                if m:
                    found.append((m.start(), order, RuleViolation(
                        rule_id=rule.id, message=rule.message, span=original, severity=rule.severity,
                        sentence=index, pattern=p.id)))
                    break
        return found

    def answer_violations(self, full_text: str, ctx: Context) -> list[RuleViolation]:
        out = []
        text = normalize(full_text)
        for rule in self.rules.rules:
            if rule.kind != "answer" or not ctx.emergency:
                continue
            missing = [i for i in range(len(rule.required)) if not self.present(f"{rule.id}:required:{i}", [text])]
            if missing:
                out.append(RuleViolation(rule_id=rule.id, message=rule.message, span=full_text[:200],
                                         severity=rule.severity, pattern=f"required:{missing[0]}"))
        return out

    def check(self, question: str, draft: str | Sequence[DraftSentence],
              history: Sequence[dict] = ()) -> Verdict:
        """The verdict on one draft; the same input always gives the same verdict."""
        ctx = self.context(question, history)
        sentences = _as_sentences(draft)
        hits: list[tuple[int, int, int, RuleViolation]] = []
        for i, s in enumerate(sentences):
            hits += [(i, pos, order, v) for pos, order, v in self.sentence_violations(i, s.text, ctx)]
        hits.sort(key=lambda h: (h[0], h[1], h[2]))
        answer_level = self.answer_violations(" ".join(s.text for s in sentences), ctx)
        violations = [*answer_level, *[h[3] for h in hits]]
        return self._verdict(ctx, sentences, answer_level, [h[3] for h in hits], violations)

    def _mandated(self, rule_id: str) -> SafeSentence:
        rule = self.rules.rule(rule_id)
        return SafeSentence(text=rule.mandated_statement, source="mandated", rule_id=rule.id, grounding=rule.grounding)

    def _verdict(self, ctx: Context, sentences: list[DraftSentence], answer_level: list[RuleViolation],
                 sentence_level: list[RuleViolation], violations: list[RuleViolation]) -> Verdict:
        removed = {v.sentence for v in sentence_level}
        first_removal: dict[str, int] = {}
        for v in sentence_level:
            first_removal.setdefault(v.rule_id, v.sentence)  # type: ignore[arg-type]
        safe: list[SafeSentence] = [self._mandated(v.rule_id) for v in answer_level]
        for i, s in enumerate(sentences):
            safe += [self._mandated(r) for r, at in first_removal.items() if at == i]
            if i not in removed:
                safe.append(SafeSentence(text=s.text, cites=s.cites))
        safe = _dedupe(safe)
        total = sum(len(s.text) for s in sentences) or 1
        kept = sum(len(s.text) for i, s in enumerate(sentences) if i not in removed)
        action: Action = "pass"
        if sentence_level:
            action = "revise"
            if kept / total < BLOCK_KEEP_SHARE:
                action = "block"
                safe = [s for s in safe if s.source == "mandated"]
        if answer_level:
            action = "escalate"
        banner = None
        if ctx.emergency or ctx.emergency_topic:
            action, banner = "escalate", URGENT_BANNER
        return Verdict(action=action, violations=tuple(violations), rules_version=self.version,
                       sentences=tuple(safe), banner=banner, emergency=ctx.emergency, injection=ctx.injection)


def _with_marks(text: str, cites: tuple[int, ...]) -> str:
    if not cites:
        return text
    marks = "".join(f"[{c}]" for c in cites)
    return f"{text[:-1]} {marks}{text[-1]}" if text[-1:] in ".!?" else f"{text} {marks}"


_LIST_NEGATION = re.compile(r"\b(denies|denied|denying|negative for|absence of|free of|no|without)\s+(.*)$")
_ASSERTED = re.compile(r"^\s*(?:new|newly|worsening|progressive|acute|sudden|now|increasing|recent)\b")


def _negated_list(text: str, start: int, end: int) -> bool:
    """The mention is an item of a list that a negation opened ("denies X, Y or Z"; "no X, Y or Z"), each item a
    few words long. A plain "no" needs an "or" to join the list, and an item that says "new" is never negated:
    a missed emergency is worse than a needless banner."""
    before = re.split(r"[.;:]|\bbut\b", text[:start])[-1]
    m = _LIST_NEGATION.search(before)
    if not m:
        return False
    listed = m.group(2)
    after = re.split(r"[.;:]|\bbut\b", text[end:])[0]
    if m.group(1) in ("no", "without") and not re.search(r"\bor\b", f"{listed} {after}"):
        return False
    items = re.split(r",|\bor\b|\band\b", listed)
    if _ASSERTED.search(items[-1] + text[start:end]):
        return False
    return all(len(x.split()) <= 4 for x in items if x.strip())


def _as_sentences(draft: str | Sequence[DraftSentence]) -> list[DraftSentence]:
    if isinstance(draft, str):
        out = []
        for raw in split_sentences(draft):
            text, cites = split_citations(raw)
            out.append(DraftSentence(text=text, cites=cites))
        return out
    return list(draft)


def _dedupe(sentences: list[SafeSentence]) -> list[SafeSentence]:
    seen: set[str] = set()
    out = []
    for s in sentences:
        key = s.rule_id or s.text
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out
