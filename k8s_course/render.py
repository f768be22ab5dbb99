"""Report -> text for a terminal (and nbval), HTML for a notebook.

Report loads these renderers when it is printed or displayed, so this module
reads a report through the `Rendered` protocol instead of importing it back.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from html import escape
from pathlib import Path as FsPath
from typing import Protocol

from .findings import LESSON_DIR, Finding, Severity, lesson_link
from .markup import html as markup_html
from .markup import plain


class Rendered(Protocol):
    """What the renderers read of a Report."""

    findings: list[Finding]

    @property
    def ok(self) -> bool: ...

    def summary(self) -> str: ...

    def source_line(self, finding: Finding) -> str: ...


_ANSI = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m",
         Severity.INFO: "\033[1;36m"}
_RESET = "\033[0m"
_TAB = 4  # how wide a tab is drawn, so the caret stays under the right character
_WIDEST = 200  # longer source lines are cut: a finding should not scroll forever
# The spot a finding points at: from its column to the end of the key or value
# (before `: `, a trailing comment or the end of the line).
_SPOT = re.compile(r".+?(?=:\s|:$|\s+#|\s*$)")


# Control characters would garble a terminal; each is drawn as one visible mark.
_VISIBLE = {code: "\ufffd" for code in [*range(32), 127] if code != 9}


def _caret_line(line: str, column: int) -> tuple[str, str]:
    """The source line with tabs expanded, and a caret under `column`."""
    line = line.translate(_VISIBLE)
    shown = line.expandtabs(_TAB)
    offset = len(line[: column - 1].expandtabs(_TAB))
    return shown, " " * offset + "^"


def text(report: Rendered, *, color: bool = False) -> str:
    """Compiler-style text: `file:line:col: severity[rule] message`, the line, a caret, the hint.

    Deterministic (no addresses, no times), so nbval can compare it.
    """
    out: list[str] = []
    for finding in report.findings:
        severity = str(finding.severity)
        if color:
            severity = f"{_ANSI[finding.severity]}{severity}{_RESET}"
        subject = f"{finding.where}: " if finding.resource else ""
        # line 0: about the answer as a whole (no cluster, say), so no place in it is shown
        place = f"{finding.line}:{finding.column}:" if finding.line > 0 else ""
        out.append(f"{finding.file}:{place} "
                   f"{severity}[{finding.rule}] {subject}{plain(finding.message)}")
        line = report.source_line(finding) if finding.line > 0 else ""
        if line.strip():
            shown, caret = _caret_line(line[:_WIDEST], min(finding.column, _WIDEST))
            number = str(finding.line)
            out.append(f" {number} | {shown}")
            out.append(f" {' ' * len(number)} | {caret}")
        if finding.hint:
            out.append(f"  hint: {plain(finding.hint)}")
        if finding.lesson:
            out.append(f"  lesson: {lesson_link(finding.lesson)}")
    out.append(report.summary())
    return "\n".join(out)


def lesson_href(lesson: str, here: FsPath | None = None) -> str:
    """A link to a lesson that works from the notebook being viewed.

    JupyterLab resolves a relative link against the notebook's folder (the
    kernel's working directory), so we look for the lesson notebook from
    there and its parents; when it is nowhere near, the course-root form.
    """
    page, _, anchor = lesson.partition("#")
    start = here or FsPath(os.getcwd())
    nearby = (start, *start.parents[:3])
    written = (candidate for folder in nearby
               for candidate in (folder / f"{page}.ipynb", folder / LESSON_DIR / f"{page}.ipynb")
               if candidate.is_file())
    # A lesson not written yet gets the address it will have in the nearest notebooks/
    # folder, relative to where we are, so that the folder is never doubled.
    planned = ((folder if _holds_lessons(folder) else folder / LESSON_DIR) / f"{page}.ipynb"
               for folder in nearby
               if _holds_lessons(folder) or (folder / LESSON_DIR).is_dir())
    target = next(written, None) or next(planned, None)
    if target is None:
        return lesson_link(lesson)
    link = os.path.relpath(target, start).replace(os.sep, "/")
    if not anchor:
        return link
    cell = _anchor_cells(str(target), _modified(target)).get(anchor)
    return f"{link}#cell-id={cell}" if cell else f"{link}#{anchor}"


def _holds_lessons(folder: FsPath) -> bool:
    """notebooks/, or a learner's copy of it (my-course/): a folder of NN-*.ipynb lessons."""
    return folder.name == LESSON_DIR or any(folder.glob("[0-9][0-9]-*.ipynb"))


def _modified(path: FsPath) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


_ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')


@lru_cache(maxsize=64)
def _anchor_cells(path: str, modified: int) -> dict[str, str]:
    """Anchor -> id of the lesson cell holding it (keyed on the file's modification time).

    JupyterLab scrolls a notebook it has just opened to `#cell-id=<id>`; a plain
    `#anchor` is found only once the notebook has rendered, so a first click would
    leave the learner at the top of the lesson.
    """
    if not modified:
        return {}
    try:
        cells = json.loads(FsPath(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    found: dict[str, str] = {}
    for cell in cells if isinstance(cells, list) else []:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        text = "".join(source) if isinstance(source, list) else str(source)
        if isinstance(cell.get("id"), str) and cell.get("cell_type") == "markdown":
            for anchor in _ANCHOR.findall(text):
                found.setdefault(anchor, cell["id"])
    return found


# Severity colours are fixed (not theme variables) because each is drawn as a
# chip with its own background, readable on light and dark themes alike; the
# rest follows the JupyterLab theme through --jp-* variables.
_STYLE = """<style>
.k8sc-report{--k8sc-error:#d32f2f;--k8sc-warning:#ed8c00;--k8sc-info:#0288d1;--k8sc-ok:#2e7d32;
  font-family:var(--jp-ui-font-family,sans-serif);font-size:var(--jp-ui-font-size1,13px);
  color:var(--jp-ui-font-color1,#222);line-height:1.45;max-width:60em}
.k8sc-report .k8sc-head{font-weight:600;margin:2px 0 6px;padding:4px 8px;border-radius:4px;
  border-left:4px solid var(--k8sc-state)}
.k8sc-report .k8sc-head.k8sc-pass{--k8sc-state:var(--k8sc-ok)}
.k8sc-report .k8sc-head.k8sc-fail{--k8sc-state:var(--k8sc-error)}
.k8sc-report .k8sc-res{margin:10px 0 4px;font-weight:600;
  border-bottom:1px solid var(--jp-border-color2,#ddd);padding-bottom:2px}
.k8sc-report .k8sc-ns{font-weight:400;color:var(--jp-ui-font-color2,#666)}
.k8sc-report .k8sc-f{border-left:4px solid var(--k8sc-sev);padding:4px 10px;margin:4px 0 8px;
  border-radius:0 4px 4px 0;background:color-mix(in srgb,var(--k8sc-sev) 9%,transparent)}
.k8sc-report .k8sc-error{--k8sc-sev:var(--k8sc-error);--k8sc-chip-text:#fff}
.k8sc-report .k8sc-warning{--k8sc-sev:var(--k8sc-warning);--k8sc-chip-text:#1a1a1a}
.k8sc-report .k8sc-info{--k8sc-sev:var(--k8sc-info);--k8sc-chip-text:#fff}
.k8sc-report .k8sc-sev{display:inline-block;font-weight:700;text-transform:uppercase;
  font-size:10px;letter-spacing:.04em;padding:0 6px;border-radius:3px;margin-right:6px;
  background:var(--k8sc-sev);color:var(--k8sc-chip-text);vertical-align:1px}
.k8sc-report .k8sc-msg{font-weight:600}
.k8sc-report .k8sc-meta{color:var(--jp-ui-font-color2,#666);font-size:12px}
.k8sc-report pre.k8sc-src{margin:4px 0;padding:4px 8px 6px;
  font-family:var(--jp-code-font-family,monospace);
  font-size:var(--jp-code-font-size,13px);line-height:1.6;border-radius:3px;
  background:var(--jp-cell-editor-background,rgba(127,127,127,.1));
  color:var(--jp-content-font-color1,inherit);white-space:pre;tab-size:4;overflow-x:auto}
.k8sc-report .k8sc-ln{color:var(--jp-ui-font-color3,#999);user-select:none}
.k8sc-report .k8sc-spot{text-decoration:underline wavy var(--k8sc-sev) 1.5px;
  text-decoration-skip-ink:none;text-underline-offset:2px;
  background:color-mix(in srgb,var(--k8sc-sev) 22%,transparent)}
.k8sc-report .k8sc-hint b,.k8sc-report .k8sc-lesson b{font-weight:600}
.k8sc-report .k8sc-lesson{color:var(--jp-ui-font-color2,#666)}
.k8sc-report code{font-family:var(--jp-code-font-family,monospace)}
.k8sc-report a{color:var(--jp-content-link-color,#1a73e8)}
</style>"""


def spot(line: str, column: int) -> tuple[int, int]:
    """Where a finding at 1-based `column` points in `line`: its 0-based [start, end)."""
    start = min(max(column - 1, 0), len(line))
    match = _SPOT.match(line, start)
    end = match.end() if match and match.end() > start else min(start + 1, len(line))
    return start, end


def _source_html(line: str, finding: Finding) -> str:
    """The finding's line with the spot it points at underlined."""
    line = line[:_WIDEST]
    column, end = spot(line, finding.column)
    spot_text = line[column:end] or " "  # past the end of the line: mark the place itself
    return (f'<pre class="k8sc-src"><span class="k8sc-ln">{finding.line:>4} │ </span>'
            f'{escape(line[:column])}<span class="k8sc-spot">{escape(spot_text)}'
            f'</span>{escape(line[end:])}</pre>')


def _finding_html(report: Rendered, finding: Finding) -> str:
    where = (f"line {finding.line}, column {finding.column}" if finding.line > 0
             else "not about a line of your YAML")
    if finding.path:
        where += f" · <code>{escape(finding.dotted_path)}</code>"
    parts = [f'<div class="k8sc-f k8sc-{finding.severity}" data-line="{finding.line}">',
             f'<div><span class="k8sc-sev">{finding.severity}</span>'
             f'<span class="k8sc-msg">{markup_html(finding.message)}</span></div>',
             f'<div class="k8sc-meta">{where} · rule <code>{escape(finding.rule)}</code></div>']
    line = report.source_line(finding) if finding.line > 0 else ""
    if line.strip():
        parts.append(_source_html(line, finding))
    if finding.hint:
        parts.append(f'<div class="k8sc-hint"><b>Hint:</b> {markup_html(finding.hint)}</div>')
    if finding.lesson:
        parts.append(f'<div class="k8sc-lesson"><b>Lesson:</b> '
                     f'<a href="{escape(lesson_href(finding.lesson))}">'
                     f'{escape(finding.lesson)}</a></div>')
    parts.append("</div>")
    return "".join(parts)


def _group_title(finding: Finding) -> str:
    if not finding.resource:
        return f"{escape(finding.file)} <span class='k8sc-ns'>(the YAML itself)</span>"
    namespace = (f" <span class='k8sc-ns'>namespace {escape(finding.namespace)}</span>"
                 if finding.namespace else "")
    return escape(finding.resource) + namespace


def html(report: Rendered) -> str:
    """The report for a notebook: findings grouped by the object they are about.

    Groups keep the order of their first finding, so the page reads top to
    bottom like the YAML.
    """
    passed = "k8sc-pass" if report.ok else "k8sc-fail"
    icon = "✔" if report.ok else "✘"
    out = [_STYLE, '<div class="k8sc-report">',
           f'<div class="k8sc-head {passed}">{icon} {escape(report.summary())}</div>']
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault((finding.file, finding.resource, finding.namespace), []).append(finding)
    for findings in groups.values():
        out.append(f'<div class="k8sc-res">{_group_title(findings[0])}</div>')
        out.extend(_finding_html(report, finding) for finding in findings)
    out.append("</div>")
    return "".join(out)
