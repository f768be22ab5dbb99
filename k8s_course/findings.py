"""Finding and Severity: one mistake in a learner's answer, pinned to a place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

Path = tuple[str | int, ...]


class Severity(StrEnum):
    """How much a finding matters: errors block apply, the rest teach."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

LESSON_DIR = "notebooks"


def format_path(path: Path) -> str:
    """("spec", "containers", 0, "image") -> "spec.containers[0].image"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def lesson_link(lesson: str) -> str:
    """"03-deployments#replicas" -> "notebooks/03-deployments.ipynb#replicas"."""
    if not lesson:
        return ""
    page, _, anchor = lesson.partition("#")
    link = f"{LESSON_DIR}/{page}.ipynb"
    return f"{link}#{anchor}" if anchor else link


@dataclass(frozen=True, slots=True)
class Finding:
    """One mistake (or tip): what, where, why, and how to fix it.

    `line` and `column` are 1-based; `path` is the field path inside the
    document (empty for findings about the whole text); `resource` names the
    object as "Kind/name" and `namespace` the namespace it was written for.
    """

    rule: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = "<answer>"
    line: int = 1
    column: int = 1
    path: Path = ()
    resource: str = ""
    namespace: str = ""
    lesson: str = ""
    document: int = 0

    @property
    def dotted_path(self) -> str:
        return format_path(self.path)

    @property
    def where(self) -> str:
        """The resource in words: "Service/web (namespace mlops)"."""
        if self.resource and self.namespace:
            return f"{self.resource} (namespace {self.namespace})"
        return self.resource

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.severity.rank, self.rule)

    def to_json(self) -> dict:
        """The stable machine form (CLI --format json)."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.dotted_path,
            "resource": self.where,
            "message": self.message,
            "hint": self.hint,
            "lesson": lesson_link(self.lesson),
        }
