"""The whole pipeline and the Report's renderings."""

from __future__ import annotations

import json

from k8s_course import check
from k8s_course.findings import Severity

from .conftest import yaml_text


def test_the_running_example_checks_clean(seed_bundle_path):
    report = check(seed_bundle_path)
    assert [f for f in report.findings if f.severity is not Severity.INFO] == []
    assert report.ok
    assert [r.ref for r in report.bundle] == [
        "Namespace/mlops", "Deployment/fastapi-app", "Service/fast-api-service"]


def test_text_paths_and_lists_of_paths(tmp_path, seed_bundle_path):
    text = seed_bundle_path.read_text()
    assert check(text).ok
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    second.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: b, labelz: {}}\n")
    report = check([first, str(second)])
    assert len(report.bundle) == 2
    [found] = report.errors
    assert found.file == str(second) and found.line == 3


def test_each_text_of_a_list_shows_its_own_lines():
    wrong = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n"
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
              "stringData:\n  password: hunter2\n")
    report = check([secret, wrong])
    [found] = report.errors
    assert found.file == "<answer> (2)"
    assert report.source_line(found) == "  name: Bad_Name"
    assert "hunter2" not in report.to_text()


def test_an_answer_that_is_not_text_is_a_finding():
    for answer in (3, {"kind": "Pod"}):
        report = check(answer)
        assert [f.rule for f in report.findings] == ["answer-not-text"]
        assert not report.ok


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    report = check(str(tmp_path / "nope.yaml"))
    assert report.findings[0].rule == "file-unreadable"
    assert not report.ok


def test_findings_are_in_source_order_and_json_has_the_documented_keys():
    text = yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: two
          replica: 1
        """)
    report = check(text)
    lines = [f.line for f in report.findings]
    assert lines == sorted(lines)
    entries = json.loads(report.to_json())
    assert entries
    for entry in entries:
        assert set(entry) == {"rule", "severity", "file", "line", "column", "path",
                              "resource", "message", "hint", "lesson"}
    typed = next(e for e in entries if e["rule"] == "schema-type")
    assert typed["path"] == "spec.replicas"
    assert typed["resource"] == "Deployment/web (namespace shop)"
    assert typed["lesson"].startswith("notebooks/01-manifest-anatomy.ipynb#")
    assert (typed["line"], typed["column"]) == (7, 13)


def test_text_rendering_looks_like_a_compiler():
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labelz: {}\n"
    out = check(text, name="ns.yaml").to_text()
    lines = out.splitlines()
    assert lines[0].startswith("ns.yaml:5:3: error[schema-unknown-field] Namespace/a: ")
    assert lines[1] == " 5 |   labelz: {}"
    assert lines[2] == "   |   ^"
    assert lines[3] == '  hint: did you mean "labels"?'
    assert lines[-1] == "1 error in 1 object (checked against Kubernetes 1.36)"


def test_html_rendering_is_there_for_notebooks():
    report = check("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labelz: {}}\n")
    html = report._repr_html_()
    assert "schema-unknown-field" in html and "labelz" in html
