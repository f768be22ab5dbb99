"""A report's findings as marks in the code editor: line, column, length, message.

Plain data (what the front end's lint layer draws as a gutter marker, a wavy
underline over the token and the message on hover), made from the learner's
own text, so the underline covers exactly the key or value a finding names.
"""

from __future__ import annotations

from ..findings import Finding
from ..markup import plain
from ..render import spot
from ..report import Report


def mark(finding: Finding, lines: list[str]) -> dict:
    """One finding -> {line, column, length, severity, message, rule}."""
    line = lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""
    start, end = spot(line, finding.column)
    message = plain(finding.message)
    if finding.hint:
        message += f"\nHint: {plain(finding.hint)}"
    return {"line": finding.line, "column": start + 1, "length": max(end - start, 1),
            "severity": str(finding.severity), "message": message, "rule": finding.rule}


def marks(report: Report, text: str) -> list[dict]:
    """The marks of every finding of the report on the answer `text` it checked."""
    lines = text.split("\n")
    return [mark(finding, lines) for finding in report.findings]
