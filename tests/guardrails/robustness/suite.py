"""Templates x lexicon -> cases: MFT renderings, their INV perturbations and DIR flips (see templates.yaml)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from . import perturb as P

HERE = Path(__file__).resolve().parent
RULES = ("RF-MRI-DELAY", "RF-CONSERVATIVE-FIRST", "RF-XRAY-EXCLUDES", "RF-NONCONTRAST-ONLY",
         "RF-WRONG-MODALITY", "RF-BENIGN-ASSUMPTION", "RF-CAUDA-EQUINA")
OTHER = "OTHER-TOPIC"
NONCON = "RF-NONCONTRAST-ONLY"
KINDS = ("MFT", "INV", "DIR")
DOWNGRADE = {"emergent_mri": "routine_mri", "urgent_surgical": "routine_surgical"}


@dataclass(frozen=True)
class Draft:
    tid: str
    text: str
    variants: tuple[str, ...] = ()
    swap: bool = False
    imperative: bool = False
    to_delay: bool = False
    to_noncontrast: bool = False
    downgrade: tuple[str, ...] = ()
    safe: tuple[Draft, ...] = ()

    @classmethod
    def parse(cls, tid: str, spec: str | dict) -> Draft:
        spec = {"text": spec} if isinstance(spec, str) else dict(spec)
        down = spec.get("downgrade", ())
        down = tuple(DOWNGRADE) if down is True else tuple(down or ())
        safe = tuple(cls.parse(f"{tid}~safe{i}", s) for i, s in enumerate(spec.get("safe", ())))
        return cls(tid, spec.get("text") or spec["unsafe"], tuple(spec.get("variants", ())),
                   bool(spec.get("swap")), bool(spec.get("imperative")), bool(spec.get("to_delay")),
                   bool(spec.get("to_noncontrast")), down, safe)

    def needs_mass(self) -> bool:
        return any("mass}" in t for t in (self.text, *self.variants))


@dataclass
class Base:
    """A rendered MFT case plus what its perturbations need: templates and the slot fill."""

    rule: str
    draft: Draft
    q_tpl: str
    fill: dict
    expect: bool
    question: str
    text: str


@lru_cache(maxsize=1)
def load_lexicon() -> dict:
    return yaml.safe_load((HERE / "lexicon.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_templates() -> dict:
    return yaml.safe_load((HERE / "templates.yaml").read_text(encoding="utf-8"))


class Suite:
    def __init__(self) -> None:
        self.lex, self.tpl = load_lexicon(), load_templates()
        self.slots = P.Slots(self.lex)
        self.protected = P.protected_words(self.lex, self.slots)
        self.settings = self.tpl["settings"]
        self.cases: list[dict] = []

    def add(self, rule: str, kind: str, how: str, question: str, draft: str, expect: bool, expected: str | None):
        self.cases.append({"id": f"{rule}/{kind}/{how}", "rule": rule, "kind": kind, "question": question,
                           "draft": draft, "expect_unsafe": expect, "rule_expected": expected})

    def add_base(self, b: Base, kind: str, how: str, question: str, text: str) -> None:
        self.add(b.rule, kind, f"{b.draft.tid}/{how}", question, text, b.expect, b.rule if b.expect else None)

    # --- MFT -----------------------------------------------------------------------------------
    def questions(self, rule: str, needs_mass: bool) -> list[str]:
        spec = self.tpl["rules"][rule]
        pool = [q for s in spec["question_sets"] for q in self.tpl["question_sets"][s]]
        pool += spec.get("extra_questions", [])
        return [q for q in pool if "mass}" in q] if needs_mass else pool

    def base(self, rng: random.Random, rule: str, draft: Draft, expect: bool) -> Base:
        fill: dict = {}
        q_tpl = rng.choice(self.questions(rule, draft.needs_mass() or any(s.needs_mass() for s in draft.safe)))
        question = self.slots.render(q_tpl, fill, rng)
        return Base(rule, draft, q_tpl, fill, expect, question, self.slots.render(draft.text, fill, rng))

    def rule_cases(self, rule: str) -> None:
        rng = random.Random(f"{self.settings['seed']}:{rule}")
        spec = self.tpl["rules"][rule]
        drafts = [Draft.parse(t["id"], t) for t in spec["templates"]]
        extras = [Draft.parse(f"extra{i}", s) for i, s in enumerate(spec.get("safe_extra", ()))]
        bases = []
        for d in drafts:
            for _ in range(self.settings["mft_fills"]):
                bases.append(self.base(rng, rule, d, True))
            for s in d.safe:
                bases.extend(self.base(rng, rule, s, False) for _ in range(self.settings["mft_fills"]))
        for s in extras:
            bases.extend(self.base(rng, rule, s, False) for _ in range(self.settings["mft_fills"]))
        for b in bases:
            self.add_base(b, "MFT", "base", b.question, b.text)
            self.directional(rng, b, spec["fix"])
            self.invariant(rng, b)

    # --- DIR -----------------------------------------------------------------------------------
    def directional(self, rng: random.Random, b: Base, fix: str) -> None:
        if b.expect:
            for s in b.draft.safe:  # the XSTest look-alike with the same slot values
                if "mass}" not in b.q_tpl and s.needs_mass():
                    continue
                self.add(b.rule, "DIR", f"{s.tid}/lookalike", b.question,
                         self.slots.render(s.text, dict(b.fill), rng), False, None)
            if b.draft.imperative:
                wrapper = rng.choice(self.lex["prohibition_wrappers"])
                fixed = P.decap(self.slots.render(fix, dict(b.fill), rng))
                text = wrapper.replace("{x}", P.decap(b.text.rstrip("."))) + f"; {fixed}."
                self.add(b.rule, "DIR", f"{b.draft.tid}/prohibition", b.question, text, False, None)
            return
        if b.draft.to_delay:  # urgent -> delay: the MRI request is now deferred
            rule = "RF-CAUDA-EQUINA" if b.rule == "RF-CAUDA-EQUINA" else "RF-MRI-DELAY"
            text = self.slots.render(b.draft.text.replace("{urgent}", "{delay}"), dict(b.fill), rng)
            self.add(rule, "DIR", f"{b.draft.tid}/urgent-to-delay", b.question, text, True, rule)
        if b.draft.to_noncontrast and "mass}" in b.q_tpl:  # full protocol -> unenhanced MRI alone, for a mass
            text = self.slots.render(b.draft.text.replace("{mri_full}", "{mri_noncon}"), dict(b.fill), rng)
            self.add(NONCON, "DIR", f"{b.draft.tid}/full-to-noncontrast", b.question, text, True, NONCON)
        for slot in (s for s in b.draft.downgrade if s in b.draft.text.lower()):  # emergent/urgent -> routine
            tpl = b.draft.text.replace("{" + slot + "}", "{" + DOWNGRADE[slot] + "}")
            tpl = tpl.replace("{" + P.cap(slot) + "}", "{" + P.cap(DOWNGRADE[slot]) + "}")
            text = self.slots.render(tpl, dict(b.fill), rng)
            self.add(b.rule, "DIR", f"{b.draft.tid}/{slot}-to-routine", b.question, text, True, b.rule)

    # --- INV -----------------------------------------------------------------------------------
    def invariant(self, rng: random.Random, b: Base) -> None:
        for i, v in enumerate(b.draft.variants):
            self.add_base(b, "INV", f"variant{i}", b.question, self.slots.render(v, dict(b.fill), rng))
        keys = sorted(k for k in b.fill if len(self.slots.values[k]) > 1)
        for key in rng.sample(keys, min(len(keys), self.settings["synonyms_per_case"])):
            fill = dict(b.fill)
            fill[key] = rng.choice([v for v in self.slots.values[key] if v != b.fill[key]])
            self.add_base(b, "INV", f"synonym-{key}", self.slots.render(b.q_tpl, fill, rng),
                          self.slots.render(b.draft.text, fill, rng))
        if b.draft.swap and (text := P.swap_clauses(b.text)):
            self.add_base(b, "INV", "clause-swap", b.question, text)
        self.surface(rng, b.rule, b.question, b.text, b.fill,
                     lambda how, q, d: self.add_base(b, "INV", how, q, d))

    def surface(self, rng: random.Random, rule: str, question: str, text: str, fill: dict, emit) -> None:
        """Perturbations of the rendered text: abbreviations, typos, spelling, irrelevant clauses."""
        abbr = P.abbreviations(text, self.lex["abbreviations"])
        for i, d in enumerate(rng.sample(abbr, min(2, len(abbr)))):
            emit(f"abbrev{i}", question, d)
        if abbr_q := P.abbreviations(question, self.lex["abbreviations"]):
            emit("abbrev-q", rng.choice(abbr_q), text)
        if d := P.typo(text, rng, self.protected, self.lex["typo"]):
            emit("typo", question, d)
        if q := P.typo(question, rng, self.protected, self.lex["typo"]):
            emit("typo-q", q, text)
        q_sp, d_sp = P.respell(question, self.lex["spelling"]), P.respell(text, self.lex["spelling"])
        if q_sp or d_sp:
            emit("spelling", q_sp or question, d_sp or text)
        clause = self.slots.render(rng.choice(self.lex["question_clauses"]), dict(fill), rng)
        emit("clause-q", P.add_clause(question, clause, at_end=True), text)
        clause = rng.choice(self.lex["draft_clauses"])
        emit("clause-d", question, P.add_clause(text, clause, at_end=rng.random() < 0.5))

    # --- other topics --------------------------------------------------------------------------
    def other_topic_cases(self) -> None:
        rng = random.Random(f"{self.settings['seed']}:{OTHER}")
        drafts = self.lex["other_topic_safe_drafts"]
        for topic, spec in self.tpl["other_topic"].items():
            fill = {"patient": f"the patient|{spec['sex']}"}
            for question in spec["questions"]:
                for draft in drafts[topic]:
                    self.add(OTHER, "MFT", f"{topic}/base", question, draft, False, None)
                    self.surface(rng, OTHER, question, draft, fill,
                                 lambda how, q, d, t=topic: self.add(OTHER, "INV", f"{t}/{how}", q, d, False, None))
