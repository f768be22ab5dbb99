"""Report -> text for a terminal, HTML for a notebook."""

from __future__ import annotations

from html import escape
from itertools import groupby

from .findings import Finding, Severity, lesson_link
from .report import Report

_ANSI = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m",
         Severity.INFO: "\033[1;36m"}
_RESET = "\033[0m"
_TAB = 4  # how wide a tab is drawn, so the caret stays under the right character


def _caret_line(line: str, column: int) -> tuple[str, str]:
    """The source line with tabs expanded, and a caret under `column`."""
    shown = line.expandtabs(_TAB)
    offset = len(line[: column - 1].expandtabs(_TAB))
    return shown, " " * offset + "^"


def text(report: Report, *, color: bool = False) -> str:
    """Compiler-style text: `file:line:col: severity[rule] message`, the line, a caret, the hint."""
    out: list[str] = []
    for finding in report.findings:
        severity = str(finding.severity)
        if color:
            severity = f"{_ANSI[finding.severity]}{severity}{_RESET}"
        subject = f"{finding.where}: " if finding.resource else ""
        out.append(f"{finding.file}:{finding.line}:{finding.column}: "
                   f"{severity}[{finding.rule}] {subject}{finding.message}")
        line = report.source_line(finding)
        if line.strip():
            shown, caret = _caret_line(line[:200], min(finding.column, 200))
            number = str(finding.line)
            out.append(f" {number} | {shown}")
            out.append(f" {' ' * len(number)} | {caret}")
        if finding.hint:
            out.append(f"  hint: {finding.hint}")
        if finding.lesson:
            out.append(f"  lesson: {lesson_link(finding.lesson)}")
    out.append(report.summary())
    return "\n".join(out)


_STYLE = """<style>
.k8sc-report{font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;
  color:var(--jp-ui-font-color1,#222);}
.k8sc-report .k8sc-head{font-weight:600;margin:4px 0 8px}
.k8sc-report .k8sc-res{margin:8px 0 4px;font-weight:600}
.k8sc-report .k8sc-f{border-left:4px solid;padding:4px 8px;margin:4px 0 8px;
  background:var(--jp-layout-color1,transparent)}
.k8sc-report .k8sc-error{border-color:#d32f2f}
.k8sc-report .k8sc-warning{border-color:#f9a825}
.k8sc-report .k8sc-info{border-color:#0288d1}
.k8sc-report .k8sc-sev{font-weight:700;text-transform:uppercase;font-size:11px}
.k8sc-report .k8sc-error .k8sc-sev{color:#d32f2f}
.k8sc-report .k8sc-warning .k8sc-sev{color:#b7791f}
.k8sc-report .k8sc-info .k8sc-sev{color:#0288d1}
.k8sc-report pre{margin:4px 0;padding:4px;font-family:var(--jp-code-font-family,monospace);
  background:var(--jp-cell-editor-background,rgba(127,127,127,.1));
  color:var(--jp-content-font-color1,inherit);white-space:pre;overflow-x:auto}
.k8sc-report .k8sc-hint{color:var(--jp-ui-font-color2,#555)}
.k8sc-report code{font-family:var(--jp-code-font-family,monospace)}
.k8sc-report a{color:var(--jp-content-link-color,#1a73e8)}
</style>"""


def _finding_html(report: Report, finding: Finding) -> str:
    parts = [f'<div class="k8sc-f k8sc-{finding.severity}">',
             f'<span class="k8sc-sev">{finding.severity}</span> '
             f"<code>{escape(finding.rule)}</code> · line {finding.line}, "
             f"column {finding.column}"
             + (f" · <code>{escape(finding.dotted_path)}</code>" if finding.path else "")
             + f"<div>{escape(finding.message)}</div>"]
    line = report.source_line(finding)
    if line.strip():
        shown, caret = _caret_line(line[:200], min(finding.column, 200))
        parts.append(f"<pre>{finding.line:>4} | {escape(shown)}\n     | {caret}</pre>")
    if finding.hint:
        parts.append(f'<div class="k8sc-hint">Hint: {escape(finding.hint)}</div>')
    if finding.lesson:
        link = lesson_link(finding.lesson)
        parts.append(f'<div class="k8sc-hint">Lesson: <a href="{escape(link)}" '
                     f'target="_blank">{escape(finding.lesson)}</a></div>')
    parts.append("</div>")
    return "".join(parts)


def html(report: Report) -> str:
    """The report for a notebook: findings grouped by the object they are about."""
    icon = "✅" if report.ok else "❌"
    out = [_STYLE, '<div class="k8sc-report">',
           f'<div class="k8sc-head">{icon} {escape(report.summary())}</div>']
    for where, group in groupby(report.findings, key=lambda f: (f.file, f.where)):
        title = where[1] or where[0]
        out.append(f'<div class="k8sc-res">{escape(title)}</div>')
        out.extend(_finding_html(report, finding) for finding in group)
    out.append("</div>")
    return "".join(out)
