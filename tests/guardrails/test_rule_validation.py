"""Pack and vocabulary files are validated when loaded: each error names what is wrong and what is allowed."""

import copy

import pytest
import yaml

from guardrails.concepts import VOCABULARY_FILE, Vocabulary, VocabularyError
from guardrails.rules import PACKS_DIR, RuleConfigError, load_packs, parse_pack

PACK_FILE = PACKS_DIR / "lumbar-mass" / "pack.yaml"


def base() -> dict:
    return copy.deepcopy(yaml.safe_load(PACK_FILE.read_text()))


def with_rule(**changes) -> dict:
    data = base()
    data["rules"][2].update(changes)
    return data


def test_shipped_pack_loads_with_a_version_and_its_rules_in_order():
    (pack,) = load_packs()
    assert pack.name == "lumbar-mass" and pack.label.startswith("lumbar-mass@2.1.0+")
    assert [r.id for r in pack.rules][0] == "RF-CAUDA-EQUINA" and len(pack.rules) == 7


def test_unknown_rule_key_names_the_allowed_keys():
    with pytest.raises(RuleConfigError, match=r"unknown key; allowed keys: id, severity"):
        parse_pack(with_rule(sevrity="high"))


def test_unknown_predicate_key_names_the_allowed_keys():
    data = base()
    data["rules"][2]["when"][0]["objekt"] = ["modality.mri"]
    with pytest.raises(RuleConfigError, match=r"when.*unknown key; allowed keys: object, polarity"):
        parse_pack(data)


def test_unknown_concept_in_a_predicate_is_refused():
    data = base()
    data["rules"][2]["when"][0]["object"] = ["modality.mir"]
    with pytest.raises(RuleConfigError, match=r"RF-MRI-DELAY\[0\]\.object: unknown concept or group 'modality.mir'"):
        parse_pack(data)


def test_unknown_concept_in_the_scope_is_refused():
    data = base()
    data["scope"]["any"][0] = ["finding.masss"]
    with pytest.raises(RuleConfigError, match=r"scope.any\[0\]: unknown concept"):
        parse_pack(data)


def test_unknown_polarity_is_refused_with_the_allowed_ones():
    data = base()
    data["rules"][2]["when"][0]["polarity"] = ["suggest"]
    with pytest.raises(RuleConfigError, match=r"unknown polarity \['suggest'\]; allowed"):
        parse_pack(data)


def test_bad_severity_is_refused():
    with pytest.raises(RuleConfigError, match="severity"):
        parse_pack(with_rule(severity="urgent"))


def test_bad_action_is_refused():
    with pytest.raises(RuleConfigError, match="action"):
        parse_pack(with_rule(action="ignore"))


def test_bad_rule_id_is_refused():
    with pytest.raises(RuleConfigError, match="RF-NAME"):
        parse_pack(with_rule(id="mri delay"))


def test_missing_mandated_statement_is_refused():
    data = base()
    del data["rules"][2]["mandated_statement"]
    with pytest.raises(RuleConfigError, match="mandated_statement"):
        parse_pack(data)


def test_duplicate_rule_ids_are_refused():
    data = base()
    data["rules"].append(copy.deepcopy(data["rules"][2]))
    with pytest.raises(RuleConfigError, match="duplicate rule ids"):
        parse_pack(data)


def test_a_pack_without_scope_is_refused():
    data = base()
    del data["scope"]
    with pytest.raises(RuleConfigError, match="scope"):
        parse_pack(data)


def test_unknown_top_level_key_is_refused():
    data = base()
    data["rulez"] = []
    with pytest.raises(RuleConfigError, match="rulez: unknown key"):
        parse_pack(data)


def test_sentence_rule_without_predicates_is_refused():
    with pytest.raises(RuleConfigError, match="at least one 'when' predicate"):
        parse_pack(with_rule(when=[]))


def test_answer_rule_requires_each_must_name_existing_entries():
    data = base()
    data["rules"][0]["requires_each"] = [[0], [7]]
    with pytest.raises(RuleConfigError, match=r"requires_each \[7\]"):
        parse_pack(data)


def test_a_changed_pack_has_a_different_version():
    changed = base()
    changed["rules"][2]["message"] += " (edited)"
    assert parse_pack(changed).label != load_packs()[0].label


def test_a_new_pack_is_data_only(tmp_path):
    folder = tmp_path / "ankle"
    folder.mkdir()
    data = base()
    data["name"] = "ankle-sprain"
    (folder / "pack.yaml").write_text(yaml.safe_dump(data))
    assert [p.name for p in load_packs(tmp_path)] == ["ankle-sprain"]


def test_vocabulary_refuses_unknown_keys_kinds_and_unquoted_booleans():
    with pytest.raises(VocabularyError, match="allowed keys are kind, phrases, attaches, label, broader"):
        Vocabulary({"x.y": {"kind": "object", "phrases": ["a"], "colour": 1}})
    with pytest.raises(VocabularyError, match="kind must be one of"):
        Vocabulary({"x.y": {"kind": "thing", "phrases": ["a"]}})
    with pytest.raises(VocabularyError, match="is not text; quote it"):
        Vocabulary({"x.y": {"kind": "cue", "phrases": [False]}})
    with pytest.raises(VocabularyError, match="must be one word"):
        Vocabulary({"x.y": {"kind": "cue", "phrases": ["what cutoff|cut-off"]}})
    with pytest.raises(VocabularyError, match="group g names unknown concepts"):
        Vocabulary({"x.y": {"kind": "cue", "phrases": ["a"]}}, {"g": ["x.z"]})


@pytest.mark.parametrize("phrase, pair", [
    # two-word alternatives cut by the bars: each phrase read as something no text says (seven such phrases had never
    # matched; a sphincter that "cannot hold the urine" did not escalate)
    ("can't|cannot|can not|unable to hold the urine", "can not"),
    ("foot|feet has|have been|is|are slapping", "have been"),
    ("for some|a few|several weeks after", "a few"),
])
def test_vocabulary_refuses_a_two_word_alternative(phrase, pair):
    with pytest.raises(VocabularyError, match=f"the alternative '{pair}' is two words"):
        Vocabulary({"x.y": {"kind": "cue", "phrases": [phrase]}})
    # ... while one-word alternatives beside those words load ("is|are not to be followed", "has|have been seen")
    Vocabulary({"x.y": {"kind": "cue", "phrases": ["is|are not to be followed", "has|have been seen"]}})


def test_a_phrases_clause_mark_is_a_word_of_its_own_as_in_the_text():
    # "title, journal" written in a phrase once never matched: the comma stayed on "title,"
    v = Vocabulary({"x.ask": {"kind": "cue", "phrases": ["title, journal|year"]}})
    assert v.concepts("Which paper? Title, journal, year please") == {"x.ask"}
    assert v.concepts("title journal") == set()


def test_a_kind_names_its_broader_concept_and_two_kinds_share_only_their_own():
    v = Vocabulary({"c.cause": {"kind": "finding", "phrases": ["serious cause"]},
                    "c.kind_a": {"kind": "finding", "phrases": ["alpha"], "broader": "c.cause"},
                    "c.kind_b": {"kind": "finding", "phrases": ["beta"], "broader": "c.cause"}})
    assert v.concepts("an alpha lesion") == {"c.kind_a", "c.cause"}  # one word, both concepts
    alpha, beta, plain = v.concepts("alpha"), v.concepts("beta"), v.concepts("a serious cause")
    assert v.shared(alpha, beta) == set()  # two kinds of one cause: not the same thing
    assert v.shared(alpha, plain) == {"c.cause"}  # the cause named plainly is shared by every kind
    assert v.shared(alpha, v.concepts("alpha or beta")) == {"c.kind_a", "c.cause"}
    assert v.distinct(alpha) == {"c.kind_a"}  # counted once
    with pytest.raises(VocabularyError, match="broader names unknown concept 'c.none'"):
        Vocabulary({"c.a": {"kind": "finding", "phrases": ["a"], "broader": "c.none"}})
    with pytest.raises(VocabularyError, match="has a broader one"):
        Vocabulary({"c.a": {"kind": "finding", "phrases": ["a"], "broader": "c.b"},
                    "c.b": {"kind": "finding", "phrases": ["b"], "broader": "c.c"},
                    "c.c": {"kind": "finding", "phrases": ["c"]}})


def test_shipped_vocabulary_loads():
    v = Vocabulary.load(VOCABULARY_FILE)
    assert "modality.mri" in v.kinds and v.expand(["advanced_imaging"]) >= {"modality.mri", "modality.ct"}


def test_vocabulary_roles_must_name_known_concepts_and_allowed_keys():
    v = Vocabulary({"x.y": {"kind": "object", "phrases": ["a"]}})
    with pytest.raises(VocabularyError, match="role trial: unknown concept or group 'x.z'"):
        v.set_roles({"trial": {"concepts": ["x.z"]}})
    with pytest.raises(VocabularyError, match="role trial: allowed keys are concepts, as_condition"):
        v.set_roles({"trial": {"concepts": ["x.y"], "colour": "red"}})
    v.set_roles({"trial": {"concepts": ["x.y"], "as_condition": "condition.trial"}})
    assert v.role("trial") == {"x.y"} and v.as_condition("x.y") == (True, "condition.trial")
    with pytest.raises(VocabularyError, match="no role 'other'"):
        v.role("other")


def test_a_word_written_twice_in_the_vocabulary_is_refused_not_silently_replaced(tmp_path):
    # PyYAML keeps the second of two equal keys: a later language's "mahina: month" would undo "mahina: weak"
    bad = tmp_path / "vocabulary.yaml"
    bad.write_text("spellings:\n  mahina: weak\n  mahina: month\nconcepts:\n  x.y: {kind: cue, phrases: [a]}\n")
    with pytest.raises(VocabularyError, match="'mahina' is written twice"):
        Vocabulary.load(bad)
    bad.write_text("concepts:\n  x.y: {kind: cue, phrases: [a]}\n  x.y: {kind: cue, phrases: [b]}\n")
    with pytest.raises(VocabularyError, match="'x.y' is written twice"):
        Vocabulary.load(bad)
