"""A learner's hand-in: one zip of their saved answers, with a manifest that vouches for them.

    handin.zip
      manifest.json                                  learner, course version, when,
                                                     and per file: exercise, size, sha256
      answers/03-deployments/three-replicas.answer.yaml
      ...

`pack` builds one from answers already read (pure: bytes in, bytes out);
`collect` reads the answers folder and takes only plain files inside it (no
symbolic links, nothing reached through `..`). `unpack` is the grader's side:
it trusts nothing in the file, reads it in memory (nothing is ever extracted
to disk), and says in one sentence what is wrong with a truncated, tampered,
foreign or oversized one instead of raising.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FORMAT = "k8s-course-handin/1"
MANIFEST = "manifest.json"
ANSWERS_PREFIX = "answers/"
SUFFIX = ".answer.yaml"
HANDIN_SUFFIX = ".zip"
# A hand-in is a few kilobytes of YAML; these bound what a hostile file can make us read.
MAX_FILES = 500
MAX_ANSWER_BYTES = 1024 * 1024
MAX_HANDIN_BYTES = 20 * 1024 * 1024
MAX_NAME = 200  # characters of a learner's name
_EXERCISE_ID = re.compile(r"[0-9A-Za-z][-0-9A-Za-z_.]*/[0-9A-Za-z][-0-9A-Za-z_.]*")
# zip entries get a fixed date: the same answers always make the same bytes
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Answer:
    """One saved answer going into (or coming out of) a hand-in."""

    exercise: str  # "03-deployments/three-replicas"
    text: bytes
    modified: str = ""  # ISO 8601, UTC; when the learner last saved it


@dataclass(frozen=True)
class HandIn:
    """A hand-in that was read: who, when, their answers, and what is wrong ("" if nothing)."""

    learner: str
    created: str
    course_version: str
    answers: tuple[Answer, ...]
    problem: str = ""


class HandInError(Exception):
    """Why a hand-in cannot be written; the message is for the learner."""


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(folder: Path) -> tuple[list[Answer], list[str]]:
    """The saved answers under `folder`, and a sentence for each file left out.

    Only regular files named `<lesson>/<exercise>.answer.yaml` directly in
    the folder's lesson folders are taken; symbolic links (to files or
    folders) are never followed, so nothing outside the folder gets in.
    """
    answers: list[Answer] = []
    left_out: list[str] = []
    try:
        lessons = sorted(folder.iterdir())
    except FileNotFoundError:  # nothing saved yet: pack() says so in the learner's words
        return [], []
    except OSError as error:
        raise HandInError(f"cannot read the answers folder {folder}: {error.strerror}"
                          ) from error
    for lesson in lessons:
        if lesson.name.startswith("."):
            continue
        files = _lesson_files(lesson)
        if files is None:
            left_out.append(f"{lesson.name}: not a lesson folder (or it cannot be read)")
            continue
        for file in files:
            if file.name.startswith("."):
                continue  # the editor's half-written temporary files
            where = f"{lesson.name}/{file.name}"
            exercise = f"{lesson.name}/{file.name.removesuffix(SUFFIX)}"
            if not file.name.endswith(SUFFIX) or not _EXERCISE_ID.fullmatch(exercise):
                left_out.append(f"{where}: not a saved answer (*{SUFFIX})")
                continue
            found = _read_plain(file)
            if isinstance(found, str):
                left_out.append(f"{where}: {found}")
            else:
                answers.append(Answer(exercise, *found))
    return answers, left_out


def _lesson_files(folder: Path) -> list[Path] | None:
    """The entries of a real folder, or None: a link to one is never followed (lstat)."""
    try:
        return sorted(folder.iterdir()) if stat.S_ISDIR(folder.lstat().st_mode) else None
    except OSError:
        return None


def _read_plain(file: Path) -> tuple[bytes, str] | str:
    """(bytes, modified) of a plain file, or why it is left out.

    O_NOFOLLOW: a file swapped for a link after it was listed is still refused.
    """
    try:
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(
            os, "O_NONBLOCK", 0))
    except OSError:
        return "a link or special file, not a plain file (or it cannot be read)"
    with os.fdopen(handle, "rb") as opened:
        info = os.fstat(opened.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "a link or special file, not a plain file"
        if info.st_size > MAX_ANSWER_BYTES:
            return f"larger than {MAX_ANSWER_BYTES // 1024} KB"
        return opened.read(MAX_ANSWER_BYTES + 1), iso(info.st_mtime)


def pack(learner: str, answers: list[Answer], course_version: str, created: str) -> bytes:
    """The zip of a hand-in: manifest.json first, then every answer."""
    learner = learner.strip()
    if not learner:
        raise HandInError("give your name, so the instructor knows whose work this is")
    if len(learner) > MAX_NAME or not learner.isprintable():
        raise HandInError(f"give your name on one line, at most {MAX_NAME} characters")
    if not answers:
        raise HandInError("there are no saved answers yet: open an exercise's editor, "
                          "press Check, then hand in")
    files = [{"exercise": a.exercise, "path": f"{ANSWERS_PREFIX}{a.exercise}{SUFFIX}",
              "modified": a.modified, "size": len(a.text),
              "sha256": hashlib.sha256(a.text).hexdigest()} for a in answers]
    manifest = {"format": FORMAT, "learner": learner, "course_version": course_version,
                "created": created, "files": files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
        for entry, answer in zip(files, answers, strict=True):
            _write(archive, entry["path"], answer.text)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def file_name(learner: str, created: str) -> str:
    """"Ada Lovelace" -> handin-ada-lovelace-20261201T120000Z.zip."""
    slug = re.sub(r"[^a-z0-9]+", "-", learner.lower()).strip("-")[:40] or "learner"
    return f"handin-{slug}-{created.replace('-', '').replace(':', '')}{HANDIN_SUFFIX}"


def write(path: Path, data: bytes) -> None:
    """Write the hand-in file and nothing else; an existing file is never overwritten."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(path, flags, 0o644)
    except FileExistsError as error:
        raise HandInError(f"{path} already exists; it was not overwritten") from error
    except OSError as error:
        raise HandInError(f"cannot write {path}: {error.strerror}") from error
    with os.fdopen(handle, "wb") as file:
        file.write(data)


def _refused(problem: str) -> HandIn:
    """A file that is no readable hand-in vouches for nobody: no learner, date or version."""
    return HandIn("", "", "", (), problem)


def unpack(data: bytes) -> HandIn:
    """Read a hand-in; `problem` says what is wrong with it ("" when it is sound).

    Answers whose hash matches are returned even when others do not, so a
    learner loses only what was damaged; the problem names the damage.
    """
    if len(data) > MAX_HANDIN_BYTES:
        return _refused(f"larger than {MAX_HANDIN_BYTES // (1024 * 1024)} MB: not a hand-in")
    if not data.startswith(b"PK\x03\x04"):
        return _refused("not a k8s-course hand-in (not a zip file)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = [info.filename for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return _refused("the zip is damaged or cut short (truncated?): hand in again")
    with archive:
        manifest = _manifest(archive, names)
        if isinstance(manifest, str):
            return _refused(manifest)
        learner, created = manifest["learner"], manifest["created"]
        version = str(manifest.get("course_version", ""))
        answers, problems = _answers(archive, names, manifest["files"])
    return HandIn(learner, created, version, tuple(answers), "; ".join(problems))


def _manifest(archive: zipfile.ZipFile, names: list[str]) -> dict | str:
    """The manifest, or why the file is not a hand-in this grader can read."""
    if MANIFEST not in names:
        return f"not a k8s-course hand-in (no {MANIFEST} inside)"
    if names.count(MANIFEST) > 1:
        return f"tampered: {MANIFEST} appears twice"
    try:
        manifest = json.loads(_read(archive, MANIFEST, MAX_ANSWER_BYTES))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return f"the zip is damaged (its {MANIFEST} cannot be read): hand in again"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"not a k8s-course hand-in ({MANIFEST} is not format {FORMAT})"
    files = manifest.get("files")
    learner = manifest.get("learner")
    if not (isinstance(learner, str) and learner.strip() and isinstance(files, list)
            and isinstance(manifest.get("created"), str)
            and all(isinstance(f, dict) for f in files)):
        return f"tampered: {MANIFEST} lacks the learner, the date or the file list"
    if len(learner) > MAX_NAME or not learner.isprintable():
        return f"tampered: the learner's name in {MANIFEST} is not a name"
    if len(files) > MAX_FILES:
        return f"more than {MAX_FILES} answers: not a hand-in"
    return manifest


def _answers(archive: zipfile.ZipFile, names: list[str], files: list[dict]
             ) -> tuple[list[Answer], list[str]]:
    answers: list[Answer] = []
    problems: list[str] = []
    listed = set()
    for entry in files:
        path, exercise = entry.get("path"), entry.get("exercise")
        # an exercise id has no "..", no leading "/" and no "\\", so its path stays in answers/
        if not (isinstance(path, str) and isinstance(exercise, str)
                and path == f"{ANSWERS_PREFIX}{exercise}{SUFFIX}"
                and _EXERCISE_ID.fullmatch(exercise)):
            problems.append(f"tampered: the manifest lists a file outside answers/ ({path!r})")
            continue
        listed.add(path)
        if names.count(path) != 1:
            problems.append(f"tampered: {exercise} is " + (
                "missing from the zip" if path not in names else "in the zip twice"))
            continue
        try:
            text = _read(archive, path, MAX_ANSWER_BYTES)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            problems.append(f"damaged: {exercise} cannot be read from the zip (truncated?)")
            continue
        if hashlib.sha256(text).hexdigest() != entry.get("sha256"):
            problems.append(f"tampered: {exercise} was changed after it was handed in "
                            "(its sha256 does not match the manifest)")
            continue
        answers.append(Answer(exercise, text, str(entry.get("modified", ""))))
    extra = sorted(set(names) - listed - {MANIFEST})
    if extra:
        problems.append(f"tampered: files the manifest does not list ({', '.join(extra[:3])}"
                        f"{', ...' if len(extra) > 3 else ''}) were ignored")
    return answers, problems


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refusing one that inflates past `limit` (a zip bomb)."""
    with archive.open(name) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} is larger than {limit} bytes")
    return data
