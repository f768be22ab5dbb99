"""The exercise editor: a code editor with Check, Hint and Grade, that never loses text.

    editor("03-deployments/three-replicas")

The code editor (`codeeditor.py`, CodeMirror 6) marks every finding in place
as the learner types: the kernel checks each text the front end sends (a
moment after typing stops) and sends the marks back. The text is saved to
the answer file (see `answers.py`) on every button press and, a second after
typing stops, on every change; a new editor for the same exercise starts from
that file, so a kernel restart or a reopened notebook brings the text back.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..grading import Exercise, ExerciseError, Grade, load_exercise, next_hint
from ..grading import grade as grade_answer
from ..grading.grade import CONTEXT_VARIABLE
from ..markup import html as markup_html
from ..pipeline import check as check_answer
from ..report import Report
from .answers import answer_file, read_answer, save_answer
from .codeeditor import CodeEditor
from .marks import marks

SAVE_DELAY = 1.0  # seconds of quiet typing before the text is saved
_CSS = """<style>
.k8sc-editor-title{font-weight:600;font-size:var(--jp-content-font-size2,15px);margin:4px 0}
.k8sc-editor-status{color:var(--jp-ui-font-color2,#666);font-size:12px}
.k8sc-editor-hints li{margin:2px 0}
</style>"""


class _Feedback:
    """What one button press shows: one or more results, each rich and plain."""

    def __init__(self, *parts: Any):
        self.parts = [part for part in parts if part is not None]

    def _repr_html_(self) -> str:
        return "".join(part._repr_html_() if hasattr(part, "_repr_html_")
                       else f"<pre>{escape(str(part))}</pre>" for part in self.parts)

    def __repr__(self) -> str:
        return "\n\n".join(str(part) for part in self.parts)


class _Message:
    """A sentence for the learner, shown in the output area."""

    def __init__(self, text: str, kind: str = "info"):
        self.text, self.kind = text, kind

    def _repr_html_(self) -> str:
        color = {"error": "var(--jp-error-color1,#d32f2f)"}.get(
            self.kind, "var(--jp-ui-font-color1,#333)")
        return f'<div style="color:{color};margin:4px 0">{escape(self.text)}</div>'

    def __repr__(self) -> str:
        return self.text


class Editor(widgets.VBox):
    """An exercise's editor widget; `value` is the learner's text."""

    def __init__(self, exercise: Exercise | str | os.PathLike, *,
                 answers: Path | None = None):
        self.exercise = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
        self.file = answer_file(self.exercise.id, self.exercise.root, answers)
        saved = read_answer(self.file)
        self.restored = saved is not None
        text = saved if saved is not None else self.exercise.starter
        self.shown_hints: list[str] = []
        self._pending: asyncio.TimerHandle | None = None

        self.text = CodeEditor(
            value=text, rows=min(max(text.count("\n") + 2, 8), 40),
            label=f"YAML answer: {self.exercise.title}. Tab indents; "
                  "Escape then Tab leaves the editor.",
            layout=widgets.Layout(width="auto"))
        self.text.add_class("k8sc-editor")
        self._mark_findings()
        self.check_button = self._button("Check", "primary", self.check,
                                         "List every finding in the text above")
        self.hint_button = self._button("Hint", "", self.hint, "Show the next hint")
        self.grade_button = self._button("Grade", "success", self.grade,
                                         "Score the answer, stage by stage")
        buttons = [self.check_button, self.hint_button, self.grade_button]
        self.dry_run_button = None
        if os.environ.get(CONTEXT_VARIABLE):
            self.dry_run_button = self._button(
                "Dry-run on the cluster", "warning", self.dry_run,
                f"Ask the API server of {os.environ[CONTEXT_VARIABLE]} (a dry run: nothing is "
                "stored, except a new namespace of your answer on the course's own cluster)")
            self.dry_run_button.layout = widgets.Layout(width="auto")
            buttons.append(self.dry_run_button)
        self.status = widgets.HTML(self._status_line(
            f"restored your text from {self.file.name}" if self.restored else ""))
        self.hints = widgets.HTML()
        self.output = widgets.Output()
        title = widgets.HTML(f'{_CSS}<div class="k8sc-editor-title">'
                             f"{escape(self.exercise.title)}</div>")
        self.text.observe(self._changed, names="value")
        super().__init__([title, self.text, widgets.HBox(buttons), self.status,
                          self.hints, self.output])
        self.add_class("k8sc-exercise")

    @property
    def value(self) -> str:
        return self.text.value

    def _button(self, label: str, style: str, action: Callable[[], None],
                tooltip: str) -> widgets.Button:
        button = widgets.Button(description=label, button_style=style, tooltip=tooltip)
        button.on_click(lambda _: self._run(action))
        return button

    def _status_line(self, message: str) -> str:
        return f'<div class="k8sc-editor-status">{escape(message)}</div>' if message else ""

    def _show(self, *shown: Any) -> None:
        """Replace what the output area shows (set from the kernel, no front end needed)."""
        self.output.outputs = ()
        for item in shown:
            self.output.append_display_data(item)

    def _run(self, action: Callable[[], None]) -> None:
        """Act on the text the learner sees: take it from the front end first."""
        self.text.when_current(lambda: self._save_then(action))

    def _save_then(self, action: Callable[[], None]) -> None:
        """Save, then act; a failure says so in words and keeps the text."""
        self.save()
        try:
            action()
        except Exception as error:  # a checker bug must never cost the learner their text
            # only the error's type: its text may quote what the learner typed (a Secret)
            self._show(_Message(
                f"Something went wrong in the course tools ({type(error).__name__}). "
                f"Your text is safe in {self.shown_file}.", "error"))

    # -- saving ------------------------------------------------------------

    def save(self) -> bool:
        """Write the text to the answer file now; say so below the buttons."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        problem = save_answer(self.file, self.text.value)
        self.status.value = self._status_line(problem or f"saved to {self.shown_file}")
        return problem is None

    @property
    def shown_file(self) -> str:
        """The answer file as the learner finds it: from the course folder when inside it."""
        if self.file.is_relative_to(self.exercise.root):
            return self.file.relative_to(self.exercise.root).as_posix()
        return str(self.file)

    def _changed(self, _change: dict) -> None:
        """Mark the new text's findings; save a moment after typing stops
        (at once when no event loop runs)."""
        self._mark_findings()
        if self._pending is not None:
            self._pending.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.save()
            return
        self._pending = loop.call_later(SAVE_DELAY, self.save)

    def _mark_findings(self, report: Report | None = None) -> None:
        """Draw the findings on the text in the code editor (checked now unless given)."""
        text = self.text.value
        try:
            self.text.findings = marks(report if report is not None else check_answer(text), text)
        except Exception:  # marks are a help while typing; Check reports a failure in words
            self.text.findings = []

    # -- the buttons -------------------------------------------------------

    def check(self) -> None:
        """Show every finding of the checker, grouped by object, and mark them in the text."""
        report = check_answer(self.text.value)
        self._mark_findings(report)
        self._show(report)

    def hint(self) -> None:
        """Reveal the next hint; earlier ones stay listed."""
        hint = next_hint(self.exercise, self.text.value, len(self.shown_hints))
        if hint is None:
            more = ("No further hint: either this answer already earns full marks "
                    "(press Grade), or you have seen every hint.")
            self.hints.value = self._hint_list(extra=more)
            return
        self.shown_hints.append(hint)
        self.hints.value = self._hint_list()

    def _hint_list(self, extra: str = "") -> str:
        items = "".join(f"<li>{markup_html(hint)}</li>" for hint in self.shown_hints)
        tail = f"<div>{escape(extra)}</div>" if extra else ""
        return f'<ol class="k8sc-editor-hints">{items}</ol>{tail}'

    def grade(self) -> Grade:
        """Score the answer stage by stage, with the findings below."""
        result = grade_answer(self.exercise, self.text.value)
        self._mark_findings(result.report)
        self._show(_Feedback(result, result.report if result.report.findings else None))
        return result

    def dry_run(self) -> None:
        """Ask the configured cluster whether it would accept the answer."""
        from .. import cluster  # loads the Kubernetes client only now

        context = os.environ.get(CONTEXT_VARIABLE, "")
        if not context:
            self._show(_Message("No cluster configured: set K8S_COURSE_CONTEXT first."))
            return
        self._show(cluster.dry_run(self.text.value, context=context))


def editor(exercise: Exercise | str | os.PathLike, *,
           answers: Path | None = None) -> Editor | _Message:
    """The editor widget of an exercise, by id ("03-deployments/three-replicas") or folder.

    `answers` is the folder to keep the text in (default: answers/ under the
    course root, or $K8S_COURSE_ANSWERS).
    """
    try:
        return Editor(exercise, answers=answers)
    except ExerciseError as error:  # a mistyped id: a sentence, not a traceback
        return _Message(str(error), "error")
