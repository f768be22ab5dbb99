"""ClusterReport: a Report that also says where it ran and what the cluster shows."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..report import Report


@dataclass
class ClusterReport(Report):
    """The findings of a dry run, apply or delete, plus the context and namespaces used.

    `table` is a `kubectl get`-like view of the objects and their pods, filled
    in after an apply; the summary line names the context and namespaces.
    """

    action: str = ""
    context: str = ""
    namespaces: tuple[str, ...] = ()
    table: str = ""

    def summary(self) -> str:
        found = super().summary().rsplit(" (", 1)[0]
        where = f"context {self.context}" if self.context else "no cluster"
        if self.namespaces:
            label = "namespace" if len(self.namespaces) == 1 else "namespaces"
            where += f", {label} {', '.join(self.namespaces)}"
        version = f"; Kubernetes {self.kube_version}" if self.kube_version else ""
        return f"{found} ({self.action}: {where}{version})"

    def to_text(self, *, color: bool = False) -> str:
        text = super().to_text(color=color)
        return f"{text}\n\n{self.table}" if self.table else text

    def _repr_html_(self) -> str:
        html = super()._repr_html_()
        return html + f"<pre>{escape(self.table)}</pre>" if self.table else html
