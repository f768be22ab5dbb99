"""Every rule proves itself on its own docstring: the Bad example fires it, the Good does not."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from k8s_course import check, load, rules
from k8s_course.bundle import Bundle, Resource
from k8s_course.findings import Severity
from k8s_course.rules import TOPICS, all_rules

RULES = all_rules()


def _loud(report) -> list:
    """Findings a learner must act on (errors and warnings)."""
    return [f for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]


def _describe(findings) -> list[str]:
    return [f"{f.rule} ({f.severity}) line {f.line}: {f.message}" for f in findings]


@pytest.mark.parametrize("entry", RULES, ids=[r.id for r in RULES])
def test_bad_example_raises_exactly_this_rule(entry):
    examples = entry.examples("Bad")
    assert examples, f"rule {entry.id} has no Bad: example in its docstring"
    for example in examples:
        report = check(example)
        assert entry.id in report.rules(), f"{entry.id} stayed quiet on its Bad example"
        others = [f for f in _loud(report) if f.rule != entry.id]
        assert not others, _describe(others)


@pytest.mark.parametrize("entry", RULES, ids=[r.id for r in RULES])
def test_bad_example_has_the_severity_its_docstring_names(entry):
    """The docstring (`Bad (error):`), the catalogue and the findings agree on how bad it is."""
    assert entry.documented_severities == {entry.severity}, (
        f"{entry.id} is declared {entry.severity}; its Bad: headers say "
        f"{sorted(map(str, entry.documented_severities)) or 'nothing'}")
    for example in entry.examples("Bad"):
        severities = {f.severity for f in check(example).findings if f.rule == entry.id}
        assert entry.severity in severities, (entry.id, entry.severity, severities)


@pytest.mark.parametrize("entry", RULES, ids=[r.id for r in RULES])
def test_good_example_is_clean(entry):
    examples = entry.examples("Good")
    assert examples, f"rule {entry.id} has no Good: example in its docstring"
    for example in examples:
        report = check(example)
        assert entry.id not in report.rules(), _describe(report.findings)
        assert not _loud(report), _describe(_loud(report))


@pytest.mark.parametrize("entry", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented(entry):
    assert entry.id.islower() and " " not in entry.id
    assert entry.summary and entry.why, f"{entry.id} needs a summary line and a why paragraph"
    page, _, anchor = entry.lesson.partition("#")
    assert page[:2].isdigit() and anchor, f"{entry.id}: lesson should be 'NN-topic#anchor'"
    assert entry.topic in TOPICS


def test_every_topic_has_rules():
    assert {r.topic for r in RULES} == set(TOPICS)


def test_findings_point_at_the_most_precise_place():
    report = check(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
        "  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 8080\n")
    [finding] = [f for f in report.findings if f.rule == "node-port-invalid"]
    assert (finding.line, finding.column) == (9, 17)
    assert finding.dotted_path == "spec.ports[0].nodePort"


def test_secret_values_never_appear_in_output():
    report = check("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n"
                   "data:\n  password: hunter2-NOT-b64!\n")
    assert "secret-not-base64" in report.rules()
    # The rendered source excerpt is the learner's own line; what the checker says must not
    # repeat the value.
    said = [f"{f.message} {f.hint}" for f in report.findings]
    assert all("hunter2" not in text for text in said)
    assert "hunter2" not in report.to_json()
    assert any("password" in text for text in said)


def test_a_broken_rule_costs_only_itself(monkeypatch):
    def explode(bundle):
        raise RuntimeError("boom")
        yield

    broken = rules.Rule("exploding", Severity.ERROR, "00-start-here#x", explode, "anatomy")
    monkeypatch.setattr(rules, "all_rules", lambda: (broken, *RULES))
    report = check("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n")
    assert "checker-bug" in report.rules() and "invalid-name" in report.rules()


@pytest.mark.parametrize(("text", "rule", "needle"), [
    # The message shows the offending character or spelling, and the hint the fix.
    # 1.36 lets a Service name start with a digit (tests/test_rules_names_ports.py: 1.35)
    ("kind: Service\nmetadata: {name: 9lives}\n", "", ""),
    ("kind: Service\nmetadata: {name: live_9}\n", "invalid-name", "'_'"),
    ("kind: ConfigMap\nmetadata: {name: my_app}\n", "invalid-name", "'_'"),
    ("kind: ConfigMap\nmetadata: {name: a, labels: {team/app: x}}\n", "", ""),
    ("kind: ConfigMap\nmetadata: {name: a, labels: {app: 'x/y'}}\n", "invalid-label", "'/'"),
    ("kind: LimitRange\nmetadata: {name: a}\nspec: {limits: [{type: Container, "
     "max: {memory: 1GB}}]}\n", "invalid-quantity", "`1Gi`"),
    ("kind: ResourceQuota\nmetadata: {name: a}\nspec: {hard: {requests.memory: 2 Gi}}\n",
     "invalid-quantity", "`2Gi`"),
    ("kind: ClusterRole\nmetadata: {name: 'system:my-reader'}\nrules: []\n", "", ""),
    ("kind: Namespace\nmetadata: {name: " + "a" * 64 + "}\n", "invalid-name", "limit is 63"),
])
def test_value_grammars(text, rule, needle):
    api = "rbac.authorization.k8s.io/v1" if "ClusterRole" in text else "v1"
    report = check(f"apiVersion: {api}\n{text}")
    loud = _loud(report)
    if not rule:
        assert loud == [], _describe(loud)
        return
    [finding] = loud
    assert finding.rule == rule and needle in finding.message + finding.hint


def test_pdb_counts_the_autoscalers_minimum_not_the_default_replicas():
    deployment = next(r for r in RULES if r.id == "hpa-target-missing").examples("Good")[0]
    pdb = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
           "spec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n")
    # minReplicas 1 with minAvailable 1 blocks drains; raising the minimum frees them.
    assert "pdb-blocks-disruption" in check(deployment + "---\n" + pdb).rules()
    safer = deployment.replace("minReplicas: 1", "minReplicas: 2")
    assert "pdb-blocks-disruption" not in check(safer + "---\n" + pdb).rules()


def _paths(node, prefix=()):
    if prefix:
        yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    for key, value in items:
        yield from _paths(value, (*prefix, key))


def _replaced(root, path, value):
    root = copy.deepcopy(root)
    node = root
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return root


CORPUS = sorted((Path(__file__).parent / "corpus" / "good").glob("*.yaml"))
WRONG_VALUES = ([], "x", None, {"a": [1]}, -1, float("nan"), [None])


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_no_rule_crashes_on_a_wrong_type_anywhere(path):
    # Every field of a realistic answer, in turn, gets a value of the wrong shape; the
    # schema reports those, and no rule may fail on them (a failure shows as checker-bug).
    bundle, _ = load(path)
    for index, resource in enumerate(bundle.resources):
        for field in _paths(resource.body):
            for value in WRONG_VALUES:
                document = replace(resource.document, value=_replaced(resource.body, field, value),
                                   spans={})
                resources = list(bundle.resources)
                resources[index] = Resource(document)
                bugs = [f.message for f in rules.run(Bundle(resources)) if f.rule == "checker-bug"]
                assert not bugs, (field, value, bugs)
