"""Rule files are validated when loaded: each error names what is wrong and what is allowed."""

import copy

import pytest
import yaml

from guardrails.rules import RULES_DIR, RuleConfigError, load_rules, parse_rules


def base() -> dict:
    merged = {"lexicon": {}, "cues": {}, "rules": []}
    for f in sorted(RULES_DIR.glob("*.yaml")):
        data = yaml.safe_load(f.read_text())
        merged["lexicon"].update(data.get("lexicon") or {})
        merged["cues"].update(data.get("cues") or {})
        merged["rules"] += data.get("rules") or []
    return copy.deepcopy(merged)


def with_rule(**changes) -> dict:
    data = base()
    data["rules"][1].update(changes)
    return data


def test_shipped_rules_load_with_a_version():
    rules = load_rules()
    assert len(rules.version) == 12 and [r.id for r in rules.rules][0] == "RF-CAUDA-EQUINA"


def test_unknown_rule_key_names_the_allowed_keys():
    with pytest.raises(RuleConfigError, match=r"unknown key; allowed keys: id, severity"):
        parse_rules(with_rule(sevrity="high"))


def test_unknown_pattern_key_names_the_allowed_keys():
    data = base()
    data["rules"][1]["patterns"][0]["mtach"] = "x"
    with pytest.raises(RuleConfigError, match=r"patterns.*unknown key; allowed keys: id, match"):
        parse_rules(data)


def test_bad_severity_is_refused():
    with pytest.raises(RuleConfigError, match="severity"):
        parse_rules(with_rule(severity="urgent"))


def test_bad_action_is_refused():
    with pytest.raises(RuleConfigError, match="action"):
        parse_rules(with_rule(action="ignore"))


def test_bad_rule_id_is_refused():
    with pytest.raises(RuleConfigError, match="RF-NAME"):
        parse_rules(with_rule(id="mri delay"))


def test_missing_mandated_statement_is_refused():
    data = base()
    del data["rules"][1]["mandated_statement"]
    with pytest.raises(RuleConfigError, match="mandated_statement"):
        parse_rules(data)


def test_invalid_regex_is_refused():
    data = base()
    data["rules"][1]["patterns"][0]["match"] = "(unclosed"
    with pytest.raises(RuleConfigError, match="invalid regex"):
        parse_rules(data)


def test_unknown_macro_is_refused_with_the_defined_ones():
    data = base()
    data["rules"][1]["patterns"][0]["match"] = "{NOPE} wait"
    with pytest.raises(RuleConfigError, match="unknown lexicon macro {NOPE}; defined: ADEQUATE"):
        parse_rules(data)


def test_duplicate_rule_ids_are_refused():
    data = base()
    data["rules"].append(copy.deepcopy(data["rules"][1]))
    with pytest.raises(RuleConfigError, match="duplicate rule ids"):
        parse_rules(data)


def test_missing_cues_are_refused():
    data = base()
    del data["cues"]["pre_negation"]
    with pytest.raises(RuleConfigError, match="cues missing"):
        parse_rules(data)


def test_unknown_top_level_key_is_refused():
    data = base()
    data["rulez"] = []
    with pytest.raises(RuleConfigError, match="unknown top-level keys"):
        parse_rules(data)


def test_sentence_rule_without_patterns_is_refused():
    with pytest.raises(RuleConfigError, match="at least one pattern"):
        parse_rules(with_rule(patterns=[]))


def test_a_different_rule_set_has_a_different_version():
    changed = base()
    changed["rules"][1]["message"] += " (edited)"
    assert parse_rules(changed).version != load_rules().version
