"""The notebook face of the course: what a learner touches in JupyterLab.

- `magic`: the `%%manifest` cell magic, registered by `%load_ext k8s_course`;
- `widget`: an exercise's editor (Check, Hint, Grade), made by `editor()`;
- `answers`: where the editor keeps each exercise's text between sessions;
- `handin`: the Hand in button of lesson 00, made by `hand_in_button()`;
- `learner_progress`: every exercise's status and score, made by `progress()`.

Nothing here loads ipywidgets until an editor is made, so `%load_ext` stays instant.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Register `%%manifest` in this IPython (called by `%load_ext k8s_course`)."""
    from .magic import load_ipython_extension as load

    load(ipython)


def editor(exercise: Any, *, answers: Path | os.PathLike | None = None):
    """The editor widget of an exercise, e.g. `editor("03-deployments/three-replicas")`."""
    from .widget import editor as make  # ipywidgets loads only when an editor is made

    return make(exercise, answers=Path(answers) if answers is not None else None)


def hand_in_button(*, answers: Path | os.PathLike | None = None):
    """A name box and a Hand in button that packs the saved answers into one zip."""
    from .handin import hand_in_button as make  # ipywidgets loads only when drawn

    return make(answers=Path(answers) if answers is not None else None)


def progress(*, answers: Path | os.PathLike | None = None):
    """Every exercise of every lesson: not started, started or full marks, with the
    saved answer's score (`k8s_course.progress()`; reads the answers, never writes)."""
    from .learner_progress import progress as make  # grading loads only when asked

    return make(Path(answers) if answers is not None else None)
