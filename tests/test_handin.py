"""Handing in: `k8s-course submit` packs the saved answers; `grade --batch` reads the hand-ins.

Every way a hand-in can go wrong (truncated, tampered, duplicated, foreign,
hostile paths) becomes a gradebook row that says so, never a crash or a
learner who vanishes from the gradebook.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
import zipfile

import pytest

from k8s_course.cli import main
from k8s_course.grading import handin
from k8s_course.grading.batch import grade_folder, gradebook
from tests.grading_support import DEPLOYMENT, SCALE_SPEC, SOLVED, write_exercise

NOW = "2026-12-01T12:00:00Z"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with two exercises and Ada's answers folder."""
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale")
    write_exercise(tmp_path, SCALE_SPEC.replace("Scale", "Again"), exercise_id="04-services/again")
    answers = tmp_path / "answers"
    (answers / "03-deployments").mkdir(parents=True)
    (answers / "04-services").mkdir()
    (answers / "03-deployments/scale.answer.yaml").write_text(SOLVED)
    (answers / "04-services/again.answer.yaml").write_text(DEPLOYMENT)
    monkeypatch.setenv("K8S_COURSE_ANSWERS", str(answers))
    return tmp_path


def _pack(learner: str, answers: dict[str, str], created: str = NOW) -> bytes:
    return handin.pack(learner, [handin.Answer(e, t.encode(), NOW) for e, t in answers.items()],
                       "0.1.0", created)


def _rezip(data: bytes, change) -> bytes:
    """The same hand-in with its members passed through change(name, bytes) -> [(name, bytes)]."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as target:
        warnings.simplefilter("ignore")  # a duplicated member is what some tests want
        for info in source.infolist():
            for name, content in change(info.filename, source.read(info.filename)):
                target.writestr(name, content)
    return out.getvalue()


def test_submit_packs_exactly_the_saved_answers_and_writes_nothing_else(course, capsys):
    before = set(course.rglob("*"))
    assert main(["submit", "--name", "Ada Lovelace"]) == 0
    written = set(course.rglob("*")) - before
    assert len(written) == 1
    (zip_path,) = written
    assert zip_path.parent == course and zip_path.name.startswith("handin-ada-lovelace-")
    assert "2 answers" in capsys.readouterr().out
    with zipfile.ZipFile(zip_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == [
            "answers/03-deployments/scale.answer.yaml", "answers/04-services/again.answer.yaml",
            "manifest.json"]
        for entry in manifest["files"]:
            assert entry["sha256"] == hashlib.sha256(archive.read(entry["path"])).hexdigest()
    assert manifest["learner"] == "Ada Lovelace" and manifest["format"] == handin.FORMAT
    assert manifest["course_version"] and manifest["created"].endswith("Z")
    assert [f["exercise"] for f in manifest["files"]] == ["03-deployments/scale",
                                                          "04-services/again"]
    assert all(f["modified"] for f in manifest["files"])


def test_submit_never_takes_files_from_outside_the_answers_folder(course, capsys):
    answers = course / "answers"
    secret = course / "secret.answer.yaml"
    secret.write_text("password: hunter2\n")
    os.symlink(secret, answers / "03-deployments/linked.answer.yaml")
    outside = course / "elsewhere"
    outside.mkdir()
    (outside / "stolen.answer.yaml").write_text("password: hunter2\n")
    os.symlink(outside, answers / "99-linked-lesson")
    (answers / "03-deployments/notes.txt").write_text("mine")
    os.mkfifo(answers / "04-services/pipe.answer.yaml")  # reading it would hang forever
    assert main(["submit", "--name", "Ada", "--out", "ada.zip"]) == 0
    err = capsys.readouterr().err
    assert "04-services/pipe.answer.yaml: a link or special file" in err
    assert "03-deployments/linked.answer.yaml: a link" in err
    assert "99-linked-lesson: not a lesson folder" in err
    assert "notes.txt: not a saved answer" in err
    with zipfile.ZipFile(course / "ada.zip") as archive:
        assert all(b"hunter2" not in archive.read(name) for name in archive.namelist())
        assert len(archive.namelist()) == 3


def test_submit_refuses_without_answers_or_over_an_existing_file(course, capsys):
    assert main(["submit", "--name", "Ada", "--out", "ada.zip"]) == 0
    assert main(["submit", "--name", "Ada", "--out", "ada.zip"]) == 2
    assert "already exists" in capsys.readouterr().err
    for file in (course / "answers").rglob("*.yaml"):
        file.unlink()
    assert main(["submit", "--name", "Ada", "--out", "other.zip"]) == 2
    assert "no saved answers" in capsys.readouterr().err
    assert main(["submit", "--name", "Ada", "--answers", "nowhere", "--out", "other.zip"]) == 2
    assert "no saved answers" in capsys.readouterr().err
    assert not (course / "other.zip").exists()
    assert main(["submit", "--name", "  ", "--out", "x.zip"]) == 2
    assert main(["submit", "--name", "Ada\nLovelace", "--out", "x.zip"]) == 2


def test_the_same_answers_always_make_the_same_bytes():
    assert _pack("Ada", {"03-deployments/scale": SOLVED}) == _pack(
        "Ada", {"03-deployments/scale": SOLVED})


def test_a_sound_handin_reads_back():
    found = handin.unpack(_pack("Ada", {"03-deployments/scale": SOLVED}))
    assert (found.learner, found.problem) == ("Ada", "")
    assert [(a.exercise, a.text) for a in found.answers] == [
        ("03-deployments/scale", SOLVED.encode())]


GOOD = _pack("Ada", {"03-deployments/scale": SOLVED, "04-services/again": DEPLOYMENT})


def _tampered_text(name, data):
    return [(name, data.replace(b"replicas: 3", b"replicas: 9"))]


def _manifest_path(to):
    def change(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"][0]["path"] = to
            return [(name, json.dumps(manifest).encode())]
        return [(name, data)]
    return change


TRUNCATED = "the zip is damaged or cut short (truncated?): hand in again"


@pytest.mark.parametrize("data, problem, kept", [
    (GOOD[: len(GOOD) // 2], TRUNCATED, 0),
    (GOOD[:-30], TRUNCATED, 0),
    (b"just some text\n", "not a k8s-course hand-in (not a zip file)", 0),
    (_rezip(GOOD, lambda n, d: [] if n == "manifest.json" else [(n, d)]),
     "not a k8s-course hand-in (no manifest.json inside)", 0),
    (_rezip(GOOD, lambda n, d: [(n, b'{"format": "other/9"}' if n == "manifest.json" else d)]),
     "not a k8s-course hand-in (manifest.json is not format k8s-course-handin/1)", 0),
    (_rezip(GOOD, _tampered_text), "tampered: 03-deployments/scale was changed after it was "
     "handed in (its sha256 does not match the manifest)", 1),
    (_rezip(GOOD, lambda n, d: [(n, d), ("answers/../../etc/evil.answer.yaml", b"x")]
            if n == "manifest.json" else [(n, d)]),
     "tampered: files the manifest does not list (answers/../../etc/evil.answer.yaml) were "
     "ignored", 2),
    (_rezip(GOOD, _manifest_path("answers/../../etc/passwd")),
     "tampered: the manifest lists a file outside answers/ ('answers/../../etc/passwd'); "
     "tampered: files the manifest does not list (answers/03-deployments/scale.answer.yaml) "
     "were ignored", 1),
    (_rezip(GOOD, lambda n, d: [] if n.endswith("again.answer.yaml") else [(n, d)]),
     "tampered: 04-services/again is missing from the zip", 1),
    (_rezip(GOOD, lambda n, d: [(n, d), (n, d)] if n.endswith("scale.answer.yaml")
            else [(n, d)]), "tampered: 03-deployments/scale is in the zip twice", 1),
])
def test_a_damaged_or_foreign_handin_says_what_is_wrong(data, problem, kept):
    found = handin.unpack(data)
    assert found.problem == problem
    assert len(found.answers) == kept
    # what could still be read keeps its course version and save times
    assert found.course_version == ("0.1.0" if problem.startswith("tampered") else "")
    assert {a.modified for a in found.answers} <= {NOW}


def test_a_sound_handin_keeps_who_when_and_which_course_version():
    found = handin.unpack(GOOD)
    assert (found.learner, found.created, found.course_version, found.problem) == (
        "Ada", NOW, "0.1.0", "")
    assert [a.modified for a in found.answers] == [NOW, NOW]


def test_a_file_past_the_hand_in_cap_is_refused_unread():
    found = handin.unpack(b"x" * (handin.MAX_HANDIN_BYTES + 1))
    assert (found.problem, found.answers) == ("larger than 20 MB: not a hand-in", ())


def _renamed(learner: str):
    def change(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["learner"] = learner
            return [(name, json.dumps(manifest).encode())]
        return [(name, data)]
    return change


@pytest.mark.parametrize("learner", ["x" * 201, "Ada\r\n=cmd", ""])
def test_a_manifest_whose_learner_is_not_a_name_is_refused(learner):
    found = handin.unpack(_rezip(GOOD, _renamed(learner)))
    assert found.problem.startswith("tampered:") and not found.answers


def test_a_zip_bomb_is_refused_not_inflated():
    bomb = handin.pack("Eve", [handin.Answer("03-deployments/scale", b"a" * (
        handin.MAX_ANSWER_BYTES + 1))], "0.1.0", NOW)
    found = handin.unpack(bomb)
    assert "cannot be read" in found.problem and not found.answers


def test_batch_grades_handins_and_records_every_problem(course, capsys):
    subs = course / "subs"
    subs.mkdir()
    (subs / "ada.zip").write_bytes(GOOD)
    (subs / "ada-copy.zip").write_bytes(GOOD)  # the very same file twice
    (subs / "bob-old.zip").write_bytes(_pack("Bob", {"03-deployments/scale": DEPLOYMENT},
                                             "2026-12-01T09:00:00Z"))
    (subs / "bob-new.zip").write_bytes(_pack("Bob", {"03-deployments/scale": SOLVED},
                                             "2026-12-01T10:00:00Z"))
    (subs / "cy.zip").write_bytes(_rezip(_pack("Cy", {"03-deployments/scale": SOLVED,
                                                      "04-services/again": DEPLOYMENT}),
                                         _tampered_text))
    (subs / "dan.zip").write_bytes(GOOD[:200])
    (subs / "eve.zip").write_bytes(_pack("Eve", {"09-unknown/exercise": SOLVED}))
    (subs / "notes.txt").write_text("hello")
    (subs / "fay").mkdir()
    (subs / "fay/scale.yaml").write_text(SOLVED)
    entries = grade_folder(subs)
    book = gradebook(entries)
    learners = book["learners"]
    assert learners["Ada"]["scores"] == {"03-deployments/scale": 4, "04-services/again": 2}
    assert learners["Bob"]["scores"] == {"03-deployments/scale": 4}  # the newer hand-in
    assert "bob-old.zip: duplicate: an older hand-in by Bob" in learners["Bob"]["problems"][0]
    assert learners["Cy"]["scores"] == {"04-services/again": 2}
    assert "was changed after it was handed in" in learners["Cy"]["problems"][0]
    assert "duplicate: the same bytes as ada-copy.zip" in learners["(ada.zip)"]["problems"][0]
    assert "truncated" in learners["(dan.zip)"]["problems"][0]
    assert "names no exercise (09-unknown/exercise)" in learners["Eve"]["problems"][0]
    assert "not a hand-in (.zip file)" in learners["(notes.txt)"]["problems"][0]
    assert learners["fay"]["total"] == 4
    assert book["lessons"] == {"03-deployments": 4, "04-services": 4}
    assert learners["Ada"]["lessons"] == {"03-deployments": 4, "04-services": 2}
    assert main(["grade", "--batch", str(subs), "--out", str(course / "out")]) == 1
    csv_text = (course / "out/gradebook.csv").read_text()
    assert "03-deployments total,04-services total,total,maximum,problems" in csv_text
    assert "Cy,,2,0,2,2,8," in csv_text


def test_a_handin_of_another_course_version_still_grades(course):
    subs = course / "subs"
    subs.mkdir()
    data = handin.pack("Ada", [handin.Answer("03-deployments/scale", SOLVED.encode())],
                       "0.0.1", NOW)
    (subs / "ada.zip").write_bytes(data)
    assert gradebook(grade_folder(subs))["learners"]["Ada"]["total"] == 4


def test_the_hand_in_button_of_lesson_00_writes_one_zip(course):
    from k8s_course.notebook import hand_in_button

    box = hand_in_button()
    (name, button), said = box.children[0].children, box.children[1]
    button.click()
    assert "give your name" in said.value and not list(course.glob("*.zip"))
    name.value = "Ada <Lovelace>"
    button.click()
    (written,) = course.glob("*.zip")
    assert written.name.startswith("handin-ada-lovelace-")
    assert "with 2 answers" in said.value and "<Lovelace>" not in said.value
    assert handin.unpack(written.read_bytes()).learner == "Ada <Lovelace>"


def test_collect_skips_hidden_entries_and_keeps_going(tmp_path, monkeypatch):
    """Hidden folders and the editor's temporary files sort first; the answers after count."""
    monkeypatch.setenv("TZ", "America/New_York")  # the time recorded is UTC wherever one is
    import time
    time.tzset()
    try:
        (tmp_path / ".ipynb_checkpoints").mkdir()
        (tmp_path / ".ipynb_checkpoints" / "x.answer.yaml").write_text("kind: A\n")
        lesson = tmp_path / "03-deployments"
        lesson.mkdir()
        (lesson / ".#scale.answer.yaml").write_text("half written")
        for name, size in (("at-cap", handin.MAX_ANSWER_BYTES),
                           ("over-cap", handin.MAX_ANSWER_BYTES + 1)):
            (lesson / f"{name}.answer.yaml").write_bytes(b"#" * size)
        (lesson / "scale.answer.yaml").write_text(SOLVED)
        os.utime(lesson / "scale.answer.yaml", (0, 86400))
        answers, left_out = handin.collect(tmp_path)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert [(a.exercise, len(a.text)) for a in answers] == [
        ("03-deployments/at-cap", handin.MAX_ANSWER_BYTES),
        ("03-deployments/scale", len(SOLVED.encode()))]
    assert answers[1].modified == "1970-01-02T00:00:00Z"
    assert left_out == ["03-deployments/over-cap.answer.yaml: larger than 1024 KB"]


def test_an_unreadable_answers_folder_says_why(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(handin.HandInError) as error:
        handin.collect(tmp_path / "file")
    assert str(error.value) == (f"cannot read the answers folder {tmp_path / 'file'}: "
                                "Not a directory")


@pytest.mark.parametrize(("learner", "problem"), [
    ("", "give your name, so the instructor knows whose work this is"),
    ("x" * 201, "give your name on one line, at most 200 characters"),
    ("Ada\nLovelace", "give your name on one line, at most 200 characters"),
])
def test_a_hand_in_needs_a_printable_name_of_reasonable_length(learner, problem):
    with pytest.raises(handin.HandInError) as error:
        _pack(learner, {"03-deployments/scale": SOLVED})
    assert str(error.value) == problem
    assert handin.unpack(_pack("x" * 200, {"03-deployments/scale": SOLVED})).learner == "x" * 200


def test_a_hand_in_without_answers_says_how_to_save_one():
    with pytest.raises(handin.HandInError) as error:
        handin.pack("Ada", [], "0.1.0", NOW)
    assert str(error.value) == ("there are no saved answers yet: open an exercise's editor, "
                                "press Check, then hand in")


def test_the_manifest_is_readable_json_listing_each_file_with_its_size_and_digest():
    data = _pack("Ada", {"03-deployments/scale": SOLVED})
    manifest = zipfile.ZipFile(io.BytesIO(data)).read("manifest.json").decode()
    assert manifest == json.dumps({
        "format": "k8s-course-handin/1", "learner": "Ada", "course_version": "0.1.0",
        "created": NOW, "files": [{
            "exercise": "03-deployments/scale",
            "path": "answers/03-deployments/scale.answer.yaml", "modified": NOW,
            "size": len(SOLVED.encode()),
            "sha256": hashlib.sha256(SOLVED.encode()).hexdigest()}]}, indent=2) + "\n"


@pytest.mark.parametrize(("learner", "name"), [
    ("Ada Lovelace", "handin-ada-lovelace-20261201T120000Z.zip"),
    ("  Zoë  O'Neil ", "handin-zo-o-neil-20261201T120000Z.zip"),
    ("李", "handin-learner-20261201T120000Z.zip"),
    ("x" * 60, f"handin-{'x' * 40}-20261201T120000Z.zip"),
])
def test_the_hand_in_file_is_named_after_the_learner_and_the_time(learner, name):
    assert handin.file_name(learner, NOW) == name


@pytest.mark.parametrize("path", ["/etc/passwd", "answers\\03-deployments\\scale.answer.yaml",
                                  "answers/03-deployments/../scale.answer.yaml"])
def test_a_manifest_path_that_could_leave_the_answers_folder_is_refused(path):
    found = handin.unpack(_rezip(GOOD, _manifest_path(path)))
    assert found.problem == (
        f"tampered: the manifest lists a file outside answers/ ({path!r}); tampered: files the "
        "manifest does not list (answers/03-deployments/scale.answer.yaml) were ignored")


def test_a_second_manifest_is_tampering():
    twice = _rezip(GOOD, lambda n, d: [(n, d), (n, d)] if n == "manifest.json" else [(n, d)])
    assert handin.unpack(twice).problem == "tampered: manifest.json appears twice"


def test_every_member_has_a_fixed_date_and_plain_file_permissions():
    packed = _pack("Ada", {"03-deployments/scale": SOLVED, "04-services/again": DEPLOYMENT})
    members = zipfile.ZipFile(io.BytesIO(packed)).infolist()
    assert [(m.date_time, m.external_attr >> 16, m.compress_type) for m in members] == [
        ((1980, 1, 1, 0, 0, 0), 0o644, zipfile.ZIP_DEFLATED)] * 3


def test_the_hand_in_file_is_written_readable_by_others_or_says_why_not(tmp_path):
    umask = os.umask(0o022)
    try:
        handin.write(tmp_path / "h.zip", GOOD)
    finally:
        os.umask(umask)
    assert ((tmp_path / "h.zip").stat().st_mode & 0o777, (tmp_path / "h.zip").read_bytes()) == (
        0o644, GOOD)
    with pytest.raises(handin.HandInError) as error:
        handin.write(tmp_path / "nope" / "h.zip", GOOD)
    assert str(error.value) == f"cannot write {tmp_path}/nope/h.zip: No such file or directory"


# --- what a refused, odd or hostile hand-in reads as --------------------------------


def _edit_manifest(edit):
    """A change for _rezip: the manifest passed through edit(dict) (which changes it in place)."""
    def change(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            edit(manifest)
            return [(name, json.dumps(manifest).encode())]
        return [(name, data)]
    return change


def _listing(count):
    def edit(manifest):
        manifest["files"] = [{"exercise": f"03-deployments/e{i}",
                              "path": f"answers/03-deployments/e{i}.answer.yaml"}
                             for i in range(count)]
    return edit


@pytest.mark.parametrize(("data", "problem"), [
    (b"x" * handin.MAX_HANDIN_BYTES, "not a k8s-course hand-in (not a zip file)"),
    (b"x" * (handin.MAX_HANDIN_BYTES + 1), "larger than 20 MB: not a hand-in"),
    (GOOD[:-30], TRUNCATED),
    (_rezip(GOOD, lambda n, d: [] if n == "manifest.json" else [(n, d)]),
     "not a k8s-course hand-in (no manifest.json inside)"),
    (_rezip(GOOD, lambda n, d: [(n, d), (n, d)] if n == "manifest.json" else [(n, d)]),
     "tampered: manifest.json appears twice"),
    (_rezip(GOOD, lambda n, d: [(n, b"{not json" if n == "manifest.json" else d)]),
     "the zip is damaged (its manifest.json cannot be read): hand in again"),
    (_rezip(GOOD, _edit_manifest(lambda m: m.pop("created"))),
     "tampered: manifest.json lacks the learner, the date or the file list"),
    (_rezip(GOOD, _renamed("Ada\tLovelace")),
     "tampered: the learner's name in manifest.json is not a name"),
    (_rezip(GOOD, _edit_manifest(_listing(handin.MAX_FILES + 1))),
     "more than 500 answers: not a hand-in"),
])
def test_a_refused_hand_in_vouches_for_nobody(data, problem):
    """Nothing of a file that is no hand-in is believed: no learner, no date, no version."""
    assert handin.unpack(data) == handin.HandIn("", "", "", (), problem)


def test_a_hand_in_of_as_many_answers_as_allowed_is_read():
    found = handin.unpack(_rezip(GOOD, _edit_manifest(_listing(handin.MAX_FILES))))
    assert (found.learner, found.created) == ("Ada", NOW)
    assert found.problem.startswith("tampered: 03-deployments/e0 is missing from the zip; "
                                    "tampered: 03-deployments/e1 is missing from the zip; ")


def test_a_manifest_without_the_optional_fields_reads_them_as_empty():
    def edit(manifest):
        del manifest["course_version"]
        for entry in manifest["files"]:
            del entry["modified"]

    found = handin.unpack(_rezip(GOOD, _edit_manifest(edit)))
    assert (found.learner, found.course_version, found.problem) == ("Ada", "", "")
    assert [(a.exercise, a.modified) for a in found.answers] == [
        ("03-deployments/scale", ""), ("04-services/again", "")]


def _entry(**fields):
    """Make the manifest's first entry (03-deployments/scale) say `fields` instead."""
    return _edit_manifest(lambda manifest: manifest["files"][0].update(fields))


OUTSIDE = "tampered: the manifest lists a file outside answers/ ({}); tampered: files the " \
          "manifest does not list (answers/03-deployments/scale.answer.yaml) were ignored"


@pytest.mark.parametrize(("change", "problem"), [
    (_entry(path=5), OUTSIDE.format("5")),
    (_entry(exercise=["03-deployments/scale"]), OUTSIDE.format(
        "'answers/03-deployments/scale.answer.yaml'")),
    # a path of another exercise than the one the entry names
    (_entry(path="answers/04-services/again.answer.yaml"), OUTSIDE.format(
        "'answers/04-services/again.answer.yaml'")),
    # the exercise itself climbs out, and the path agrees with it
    (_entry(exercise="../../etc/passwd", path="answers/../../etc/passwd.answer.yaml"),
     OUTSIDE.format("'answers/../../etc/passwd.answer.yaml'")),
    (_entry(exercise="/etc/passwd", path="answers//etc/passwd.answer.yaml"),
     OUTSIDE.format("'answers//etc/passwd.answer.yaml'")),
    (_entry(exercise="03-deployments\\scale", path="answers/03-deployments\\scale.answer.yaml"),
     OUTSIDE.format("'answers/03-deployments\\\\scale.answer.yaml'")),
])
def test_a_manifest_entry_that_names_a_file_it_should_not_loses_only_that_answer(change,
                                                                                   problem):
    found = handin.unpack(_rezip(GOOD, change))
    assert found.problem == problem
    assert [a.exercise for a in found.answers] == ["04-services/again"]


@pytest.mark.parametrize(("extra", "listed"), [
    (["answers/x/a", "answers/x/b", "answers/x/c"], "answers/x/a, answers/x/b, answers/x/c"),
    (["answers/x/d", "answers/x/c", "answers/x/b", "answers/x/a"],
     "answers/x/a, answers/x/b, answers/x/c, ..."),
])
def test_files_the_manifest_does_not_list_are_named_and_ignored(extra, listed):
    found = handin.unpack(_rezip(GOOD, lambda n, d: [(n, d)] + [(e, b"x") for e in extra]
                                 if n == "manifest.json" else [(n, d)]))
    assert found.problem == f"tampered: files the manifest does not list ({listed}) were ignored"
    assert len(found.answers) == 2


def test_an_answer_that_cannot_be_read_costs_only_itself():
    bomb = b"a" * (handin.MAX_ANSWER_BYTES + 1)
    found = handin.unpack(handin.pack("Eve", [
        handin.Answer("03-deployments/scale", bomb), handin.Answer("04-services/again", b"x")],
        "0.1.0", NOW))
    assert found.problem == "damaged: 03-deployments/scale cannot be read from the zip (truncated?)"
    assert [(a.exercise, a.text) for a in found.answers] == [("04-services/again", b"x")]


def test_an_answer_of_exactly_the_cap_is_read_whole():
    text = b"#" * handin.MAX_ANSWER_BYTES
    found = handin.unpack(handin.pack("Ada", [handin.Answer("03-deployments/scale", text)],
                                      "0.1.0", NOW))
    assert (found.problem, [a.text for a in found.answers]) == ("", [text])


def test_a_zip_bomb_is_refused_without_inflating_it_in_memory():
    """An answer that inflates to 64 MB is read no further than the cap to refuse it."""
    import tracemalloc

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", zipfile.ZipFile(io.BytesIO(GOOD)).read("manifest.json"))
        with archive.open("answers/03-deployments/scale.answer.yaml", "w") as member:
            for _ in range(64):
                member.write(bytes(1024 * 1024))
        archive.writestr("answers/04-services/again.answer.yaml", DEPLOYMENT)
    assert len(out.getvalue()) < 1024 * 1024
    tracemalloc.start()
    try:
        found = handin.unpack(out.getvalue())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found.problem == "damaged: 03-deployments/scale cannot be read from the zip (truncated?)"
    assert [a.exercise for a in found.answers] == ["04-services/again"]
    assert peak < 8 * handin.MAX_ANSWER_BYTES


def test_a_stray_file_beside_the_lesson_folders_is_left_out_and_the_answers_still_count(
        tmp_path):
    (tmp_path / "00-notes.txt").write_text("my notes")
    (tmp_path / "03-deployments").mkdir()
    (tmp_path / "03-deployments/scale.answer.yaml").write_text(SOLVED)
    answers, left_out = handin.collect(tmp_path)
    assert [a.exercise for a in answers] == ["03-deployments/scale"]
    assert left_out == ["00-notes.txt: not a lesson folder (or it cannot be read)"]
