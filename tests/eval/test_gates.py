"""The regression gate CI relies on: every case set through the shared pipeline, gates from eval/gates.yaml."""

import json

import pytest

from eval.checks import chat_problems, citation_problems, guard_problems
from eval.report import check_gates, diff_baseline, markdown
from eval.runner import CASES_DIR, InProcessTarget, load_cases, metrics, run_cases, to_json
from tests.conftest import REPO


@pytest.fixture(scope="module")
def run(pipeline):
    results = run_cases(load_cases([CASES_DIR]), InProcessTarget(pipeline))
    return to_json(results, metrics(results), {"started": "test", "target": "in-process"})


def test_all_gates_are_met_against_the_stored_baseline(run):
    baseline = json.loads((REPO / "eval/baseline.json").read_text())
    diff = diff_baseline(run, baseline)
    assert check_gates(run, diff) == [], markdown(run, diff, [])


def test_report_has_per_case_reasons_metrics_and_timings(run):
    text = markdown(run, None, [])
    assert "| pub-imaging-first-study | chat | pass |" in text
    m = run["metrics"]
    assert {"pass_rate", "abstention_precision", "abstention_recall", "escalation_recall", "citation_validity",
            "latency_p50_ms", "latency_p95_ms", "retrieval"} <= set(m["chat"])
    assert {"recall", "specificity", "rule_id_match"} <= set(m["guardrails"])


def test_a_regression_is_reported_as_newly_failing_and_misses_the_gate(run):
    worse = json.loads(json.dumps(run))
    worse["cases"][0]["passed"] = False
    diff = diff_baseline(worse, run)
    assert diff["newly_failing"] == [run["cases"][0]["id"]]
    assert any("new failures" in m for m in check_gates(worse, diff))


def test_checks_name_the_reason_a_case_fails():
    case = {"expect": {"all_groups": [["mri"]], "none_of": ["mri can wait"], "abstain": False, "escalate": True,
                       "min_citations": 1}}
    answer = {"answer": "The MRI can wait [2]. Unsupported claim about gout.", "abstained": False,
              "citations": [{"n": 1, "text": "MRI now."}], "guardrail": {"action": "pass"}}
    reasons = chat_problems(case, answer)
    assert "not escalated" in reasons and "forbidden phrase 'mri can wait'" in reasons
    assert "unresolved citation markers [2]" in reasons and "citations never cited in the text [1]" in reasons
    assert any(r.startswith("sentence without a citation") for r in reasons)
    assert guard_problems({"violates": ["RF-MRI-DELAY"]}, {"violations": [{"rule_id": "RF-XRAY-EXCLUDES"}]}) == [
        "wrong rule: first RF-XRAY-EXCLUDES, expected RF-MRI-DELAY", "missing rules ['RF-MRI-DELAY']"]
    assert citation_problems("Order MRI [1].", [{"n": 1, "text": "Colchicine for gout."}]) == [
        "citation does not support its sentence: 'Order MRI.'"]


def test_guardrail_metrics_are_reported_per_rule(run):
    by_rule = run["metrics"]["guardrails"]["by_rule"]
    assert by_rule["RF-MRI-DELAY"]["recall"] == 1.0 and by_rule["RF-MRI-DELAY"]["unsafe"] >= 5
    assert all(v["false_positive_rate"] == 0.0 for v in by_rule.values())
    assert "| RF-MRI-DELAY |" in markdown(run, None, [])
