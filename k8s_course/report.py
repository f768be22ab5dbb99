"""Report: the findings of one check, in source order, with their renderings."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from .bundle import Bundle
from .findings import Finding, Severity
from .redact import shown_lines


@dataclass
class Report:
    """What the checker found in one answer.

    `findings` are sorted by file, line and column; `ok` is True when none is
    an error. Renders as compiler-style text (`str(report)`), JSON, and HTML
    in a notebook.
    """

    findings: list[Finding]
    bundle: Bundle = field(default_factory=Bundle)
    kube_version: str = ""

    _lines: dict[str, list[str]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        order = {source.name: i for i, source in enumerate(self.bundle.sources)}
        self.findings = sorted(
            self.findings, key=lambda f: (order.get(f.file, -1), *f.sort_key()))

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return self.of(Severity.ERROR)

    @property
    def warnings(self) -> list[Finding]:
        return self.of(Severity.WARNING)

    def of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity is severity]

    def rules(self) -> set[str]:
        """Ids of the rules that fired."""
        return {f.rule for f in self.findings}

    def counts(self) -> Counter:
        return Counter(str(f.severity) for f in self.findings)

    def summary(self) -> str:
        """"2 errors, 1 warning in 3 objects (Kubernetes 1.36)"."""
        counts = self.counts()
        parts = [_plural(counts[s], s) for s in ("error", "warning", "info") if counts[s]]
        found = ", ".join(parts) if parts else "no problems"
        objects = _plural(len(self.bundle), "object")
        return f"{found} in {objects} (checked against Kubernetes {self.kube_version})"

    def source_line(self, finding: Finding) -> str:
        """The text of the line a finding points at ("" when unknown), Secret values hidden."""
        if self._lines is None:
            self._lines = shown_lines(self.bundle)
        lines = self._lines.get(finding.file, [])
        return lines[finding.line - 1] if 0 < finding.line <= len(lines) else ""

    def to_text(self, *, color: bool = False) -> str:
        from .render import text  # renderers load when used

        return text(self, color=color)

    def to_json(self) -> str:
        return json.dumps([f.to_json() for f in self.findings], indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<Report: {self.summary()}>"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain text (nbval compares it): the full report, not the one-line repr."""
        printer.text(self.to_text())

    def _repr_html_(self) -> str:
        from .render import html

        return html(self)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")

