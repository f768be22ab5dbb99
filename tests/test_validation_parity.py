"""docs/validation-parity.md is true: every covered row fires, on its line, and nothing else does.

Each row of the page's table is one check of the Kubernetes 1.36 API server.
A covered row names a rule (or `schema`) and an example under
tests/fixtures/parity/: its first line is `# expect: <rule> <severity>`, and
the line marked `# <-` is where the finding must sit. A row that is not
covered must say why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from k8s_course import check
from k8s_course.findings import Severity
from k8s_course.rules import all_rules
from tools.coverage import COURSE_KINDS

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "validation-parity.md"
FIXTURES = Path(__file__).parent / "fixtures" / "parity"
MARK = "# <-"


@dataclass(frozen=True)
class Row:
    kind: str
    field: str
    refused: str
    covered_by: str  # a rule id, "schema", or "" when not covered
    reason: str  # why not covered ("" when covered)
    example: str  # a fixture name, "generated: <name>", or ""

    @property
    def id(self) -> str:
        return self.example or f"{self.kind}: {self.field}: {self.refused}"[:80]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _rows() -> list[Row]:
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith(("| Kind ", "|---")):
            continue
        kind, field, refused, covered, example = _cells(line)
        left_out = re.fullmatch(r"not covered(?: here| offline)?:\s*(.*)", covered)
        rows.append(Row(kind, field, refused, "" if left_out else covered.strip("`"),
                        left_out.group(1) if left_out else "",
                        example.strip("`").replace("—", "")))
    return rows


ROWS = _rows()
COVERED = [row for row in ROWS if row.covered_by]
NOT_COVERED = [row for row in ROWS if not row.covered_by]


def _generated(name: str) -> tuple[str, str, str, int]:
    """(text, rule, severity, line) of an example too big to keep as a file."""
    assert name == "annotations-over-256-kib", f"no generator for {name!r}"
    value = "x" * (256 * 1024)
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n"
            f"  annotations:\n    example.com/blob: {value}\ndata:\n  a: b\n")
    return text, "invalid-annotation", "error", 5


def _example(row: Row) -> tuple[str, str, str, int]:
    if row.example.startswith("generated:"):
        return _generated(row.example.partition(":")[2].strip())
    text = (FIXTURES / row.example).read_text(encoding="utf-8")
    header = re.fullmatch(r"# expect: (\S+) (error|warning|info)", text.splitlines()[0])
    assert header, f"{row.example}: the first line must be `# expect: <rule> <severity>`"
    marked = [n for n, line in enumerate(text.splitlines(), 1) if MARK in line]
    assert len(marked) == 1, f"{row.example}: mark exactly one line with `{MARK}`"
    return text, header.group(1), header.group(2), marked[0]


def test_the_table_has_rows_and_every_kind_of_the_course():
    assert len(ROWS) >= 100
    kinds = " ".join(row.kind for row in ROWS)
    for kind in COURSE_KINDS:
        assert re.search(rf"\b{kind}\b", kinds), f"no row for {kind}"


@pytest.mark.parametrize("row", COVERED, ids=[row.id for row in COVERED])
def test_covered_row_fires_on_its_line_and_alone(row):
    rules = {rule.id for rule in all_rules()}
    assert row.covered_by == "schema" or row.covered_by in rules, \
        f"{row.covered_by!r} is not a rule of the catalogue"
    assert row.example, "a covered row needs an example"
    text, rule, severity, line = _example(row)
    if row.covered_by == "schema":
        assert rule.startswith("schema-"), f"the example expects {rule}, not a schema finding"
    else:
        assert rule == row.covered_by, f"the example expects {rule}, the row says {row.covered_by}"
    report = check(text)
    found = [f for f in report.findings if f.rule == rule]
    said = [f"{f.rule} ({f.severity}) line {f.line}: {f.message}" for f in report.findings]
    assert any(f.line == line and f.severity == severity for f in found), said
    loud = [f for f in report.findings if f.severity in (Severity.ERROR, Severity.WARNING)]
    assert all(f.rule == rule for f in loud), said


@pytest.mark.parametrize("row", NOT_COVERED, ids=[row.id for row in NOT_COVERED])
def test_row_not_covered_says_why(row):
    assert len(row.reason.split()) >= 5, "say why this check is left out"
    assert not row.example, "a row that is not covered has no example"


def test_every_example_file_belongs_to_a_row():
    used = {row.example for row in COVERED}
    files = {path.name for path in FIXTURES.glob("*.yaml")}
    assert files - used == set(), "examples no row of docs/validation-parity.md uses"
    assert {name for name in used if not name.startswith("generated:")} <= files
