"""Where a learner's editor text is kept, so a kernel restart loses nothing.

Answers live in `answers/<lesson>/<exercise>.answer.yaml` under the course
root (git-ignored), or under $K8S_COURSE_ANSWERS when it is set. Writes go
to a temporary file first and replace the old one in a single step, so a
crash mid-write leaves the previous text intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ANSWERS_VARIABLE = "K8S_COURSE_ANSWERS"
ANSWERS_DIR = "answers"
SUFFIX = ".answer.yaml"


def answers_folder(course_root: Path) -> Path:
    """The folder that holds every saved answer."""
    chosen = os.environ.get(ANSWERS_VARIABLE)
    return Path(chosen) if chosen else course_root / ANSWERS_DIR


def answer_file(exercise_id: str, course_root: Path, folder: Path | None = None) -> Path:
    """"03-deployments/three-replicas" -> answers/03-deployments/three-replicas.answer.yaml.

    `folder` replaces the answers folder (tests and instructors use it).
    """
    return (folder or answers_folder(course_root)) / f"{exercise_id}{SUFFIX}"


def read_answer(path: Path) -> str | None:
    """The saved text, or None when there is none (or it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def save_answer(path: Path, text: str) -> str | None:
    """Write the text; None when saved, else why not (in words for the learner)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".saving-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        return f"could not save to {path}: {error.strerror or type(error).__name__}"
    return None
