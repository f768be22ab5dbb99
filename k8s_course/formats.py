"""Reports in the formats CI speaks: SARIF 2.1.0, JUnit XML, GitHub workflow commands.

Like `render`, these read a report through the `Rendered` protocol. None of
them quotes a source line, so a Secret's value cannot reach a CI log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from . import __version__
from .findings import Finding, Severity, lesson_link
from .render import Rendered
from .rules import Rule, all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_GITHUB_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning",
                   Severity.INFO: "notice"}


def _uri(file: str) -> str:
    """A file name as a relative URI reference (SARIF wants forward slashes, no spaces)."""
    return file.replace("\\", "/").replace("%", "%25").replace(" ", "%20")


def _sarif_rule(entry: Rule) -> dict:
    lesson = lesson_link(entry.lesson)
    return {
        "id": entry.id,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.why.replace("Why: ", "", 1) or entry.summary},
        "help": {"text": f"{entry.summary}\n\nLesson: {lesson}",
                 "markdown": f"{entry.summary}\n\nLesson: [{entry.lesson}]({lesson})"},
        "defaultConfiguration": {"level": _SARIF_LEVEL[entry.severity]},
        "properties": {"lesson": lesson, "tags": [entry.topic]},
    }


def _stage_rule(rule_id: str) -> dict:
    """Metadata for the findings of parsing and the schema, which are not catalogue rules."""
    stage = "the YAML" if rule_id.startswith("yaml-") else "the Kubernetes schema"
    if not rule_id.startswith(("yaml-", "schema-")):
        stage = "the checker"
    text = f"{rule_id}: a finding of {stage}"
    return {"id": rule_id, "shortDescription": {"text": text}, "help": {"text": text}}


def _region(finding: Finding) -> dict:
    return {"startLine": max(finding.line, 1), "startColumn": max(finding.column, 1)}


def _sarif_result(finding: Finding, rule_index: int) -> dict:
    text = finding.message
    if finding.where:
        text = f"{finding.where}: {text}"
    if finding.hint:
        text += f" (hint: {finding.hint})"
    result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.file)},
            "region": _region(finding)}}],
    }
    properties = {key: value for key, value in (
        ("path", finding.dotted_path), ("hint", finding.hint),
        ("lesson", lesson_link(finding.lesson))) if value}
    if properties:
        result["properties"] = properties
    return result


def sarif(report: Rendered) -> str:
    """SARIF 2.1.0: one run, the whole rule catalogue as rule metadata, one result per finding."""
    rules = [_sarif_rule(entry) for entry in all_rules()]
    index = {entry["id"]: number for number, entry in enumerate(rules)}
    for finding in report.findings:
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append(_stage_rule(finding.rule))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "k8s-course", "version": __version__,
                                "semanticVersion": __version__, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": [_sarif_result(f, index[f.rule]) for f in report.findings],
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _files(report: Rendered, files: Iterable[str]) -> list[str]:
    """Every checked file, then any other file a finding names, each once, in order."""
    return list(dict.fromkeys([*files, *(f.file for f in report.findings)]))


def junit(report: Rendered, files: Iterable[str], *,
          fail_on: Severity = Severity.ERROR) -> str:
    """JUnit XML: a testcase per file; a failure per finding as bad as `fail_on` or worse.

    Lesser findings are listed in the testcase's system-out, so a CI page
    still shows them without failing the test.
    """
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_file.setdefault(finding.file, []).append(finding)
    cases = []
    failures = 0
    names = _files(report, files)
    for name in names:
        failing = [f for f in by_file.get(name, []) if f.severity.rank <= fail_on.rank]
        other = [f for f in by_file.get(name, []) if f.severity.rank > fail_on.rank]
        failures += len(failing)
        body = [f'<failure message={quoteattr(_one_line(f))} type={quoteattr(str(f.severity))}>'
                f'{escape(_detail(f))}</failure>' for f in failing]
        if other:
            body.append("<system-out>" + escape("\n".join(_one_line(f) for f in other))
                        + "</system-out>")
        case = f'    <testcase classname="k8s-course" name={quoteattr(name)}'
        cases.append(f'{case}>{"".join(body)}</testcase>' if body else f"{case}/>")
    head = (f'<testsuite name="k8s-course" tests="{len(names)}" failures="{failures}" '
            f'errors="0" skipped="0">')
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>", "  " + head,
                      *cases, "  </testsuite>", "</testsuites>"])


def _one_line(finding: Finding) -> str:
    subject = f"{finding.where}: " if finding.where else ""
    return (f"{finding.file}:{finding.line}:{finding.column}: {finding.severity}"
            f"[{finding.rule}] {subject}{finding.message}")


def _detail(finding: Finding) -> str:
    lines = [_one_line(finding)]
    if finding.dotted_path:
        lines.append(f"field: {finding.dotted_path}")
    if finding.hint:
        lines.append(f"hint: {finding.hint}")
    if finding.lesson:
        lines.append(f"lesson: {lesson_link(finding.lesson)}")
    return "\n".join(lines)


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: Rendered) -> str:
    """GitHub Actions workflow commands: one annotation per finding, then the summary."""
    out = []
    for finding in report.findings:
        message = finding.message
        if finding.where:
            message = f"{finding.where}: {message}"
        if finding.hint:
            message += f"\nhint: {finding.hint}"
        if finding.lesson:
            message += f"\nlesson: {lesson_link(finding.lesson)}"
        properties = (f"file={_github_property(finding.file)},line={finding.line},"
                      f"col={finding.column},title={_github_property(finding.rule)}")
        out.append(f"::{_GITHUB_COMMAND[finding.severity]} {properties}::"
                   f"{_github_data(message)}")
    out.append(report.summary())
    return "\n".join(out)
