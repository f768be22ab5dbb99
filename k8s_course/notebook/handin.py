"""Hand in from a notebook: a name box and a button that packs the saved answers.

The packing itself is `grading.handin`; this module reads the answers folder
and writes the one zip (the only I/O), and draws the button for lesson 00.
"""

from __future__ import annotations

import time
from html import escape
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..grading import course_root
from ..grading.handin import HandIn, HandInError, collect, file_name, iso, pack, unpack, write
from .answers import answers_folder


def course_version() -> str:
    try:
        return version("k8s-course")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def hand_in(name: str, folder: Path, out: Path, created: str) -> tuple[HandIn, list[str]]:
    """Write the hand-in of the answers in `folder` to `out`: what went in, and what did not.

    HandInError (with a sentence for the learner) when there is nothing to
    hand in or the file cannot be written.
    """
    answers, left_out = collect(folder)
    data = pack(name, answers, course_version(), created)
    write(out, data)
    return unpack(data), left_out


def hand_in_button(*, answers: Path | None = None, out_dir: Path | None = None) -> Any:
    """A name box and a Hand in button; the zip goes next to the notebook (or `out_dir`)."""
    import ipywidgets as widgets  # loads only when the button is drawn

    name = widgets.Text(placeholder="Your name", description="Name")
    button = widgets.Button(description="Hand in", icon="upload", button_style="primary")
    said = widgets.HTML()

    def press(_: Any) -> None:
        created = iso(time.time())
        out = (out_dir or Path.cwd()) / file_name(name.value, created)
        try:
            folder = answers or answers_folder(course_root())
            written, left_out = hand_in(name.value, folder, out, created)
        except HandInError as error:
            said.value = (f"<span style='color:var(--jp-error-color1,#d32f2f)'>"
                          f"{escape(str(error))}</span>")
            return
        extra = f" ({len(left_out)} other files left out)" if left_out else ""
        said.value = (f"Wrote <code>{escape(out.name)}</code> with {len(written.answers)} answers"
                      f"{extra}. Hand this file to your instructor.")

    button.on_click(press)
    return widgets.VBox([widgets.HBox([name, button]), said])
