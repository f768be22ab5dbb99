"""Batch grading a class, and the `k8s-course grade` command."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from k8s_course.cli import main
from k8s_course.grading import load_exercise
from k8s_course.grading.batch import grade_folder, gradebook, progress_bar, write_gradebook
from tests.grading_support import DEPLOYMENT, SCALE_SPEC, SOLVED, write_exercise

NOW = "2026-12-01T12:00:00Z"


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A course with two exercises and a class of submissions, some of them hostile."""
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale",
                   files={"solutions/03-deployments/scale.yaml": SOLVED})
    write_exercise(tmp_path, SCALE_SPEC.replace("Scale", "Again"), exercise_id="04-services/again")
    subs = tmp_path / "subs"
    files = {
        "ada/scale.yaml": SOLVED,
        "ada/04-services/again.yml": DEPLOYMENT,
        "bob/scale.yaml": "kind: [\n",
        "cy/scale.yaml": "\x00\x01\x02 binary junk",
        "cy/notes.txt": "not yaml",
        "cy/unknown.yaml": SOLVED,
        "=cmd|calc/scale.yaml": SOLVED,
    }
    for name, text in files.items():
        (subs / name).parent.mkdir(parents=True, exist_ok=True)
        (subs / name).write_text(text)
    (subs / "dan").mkdir()
    (subs / "dan" / "scale.yaml").write_bytes(b"a: " + b"x" * (11 * 1024 * 1024))
    os.symlink("/etc/hostname", subs / "bob" / "again.yaml")
    os.mkfifo(subs / "cy" / "again.yaml")
    return tmp_path


def test_a_class_is_graded_and_hostile_files_are_recorded_not_fatal(course):
    ticks = []
    entries = grade_folder(course / "subs", progress=lambda done, total: ticks.append(done))
    by_file = {e.file: e for e in entries}
    assert ticks == list(range(1, len(entries) + 1))
    assert by_file["ada/scale.yaml"].score == 4
    assert (by_file["ada/04-services/again.yml"].exercise,
            by_file["ada/04-services/again.yml"].failed) == ("04-services/again", ("three",))
    assert "YAML cannot read this" in by_file["bob/scale.yaml"].problem
    assert by_file["bob/again.yaml"].status == "skipped"
    assert "symbolic link" in by_file["bob/again.yaml"].problem
    assert "binary" in by_file["cy/scale.yaml"].problem
    assert by_file["cy/again.yaml"].problem == "not a regular file"
    assert by_file["cy/notes.txt"].status == "skipped"
    assert "names no exercise (unknown)" in by_file["cy/unknown.yaml"].problem
    assert "MB" in by_file["dan/scale.yaml"].problem and by_file["dan/scale.yaml"].score == 0


def test_gradebook_csv_and_json(course, tmp_path):
    book = gradebook(grade_folder(course / "subs"))
    csv_path, json_path = write_gradebook(book, tmp_path / "out")
    rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    assert rows[0] == ["learner", "03-deployments/scale", "04-services/again",
                       "03-deployments total", "04-services total", "total", "maximum",
                       "problems"]
    assert rows[1] == ["(maximum)", "4", "4", "4", "4", "8", "", ""]
    assert ["ada", "4", "2", "4", "2", "6", "8", ""] in rows
    assert ["bob", "0", "", "0", "0", "0", "8",
            "bob/again.yaml: a symbolic link; submissions must be plain files"] in rows
    # a learner's folder name never becomes a spreadsheet formula
    assert ["'=cmd|calc", "4", "", "4", "0", "4", "8", ""] in rows
    data = json.loads(json_path.read_text())
    assert data["exercises"] == {"03-deployments/scale": 4, "04-services/again": 4}
    assert data["learners"]["ada"]["total"] == 6
    assert data["lessons"] == {"03-deployments": 4, "04-services": 4}
    assert data["learners"]["ada"]["lessons"] == {"03-deployments": 4, "04-services": 2}
    assert {s["status"] for s in data["learners"]["cy"]["submissions"]} == {"graded", "skipped"}


def test_progress_bar_draws_in_place():
    stream = io.StringIO()
    draw = progress_bar(stream, width=10)
    for done in range(1, 5):
        draw(done, 4)
    assert stream.getvalue().endswith("\rgrading [##########] 4/4\n")
    assert "grading [#####.....] 2/4" in stream.getvalue()


def test_cli_grade_one_answer(course, capsys):
    solved = course / "solutions/03-deployments/scale.yaml"
    assert main(["grade", "03-deployments/scale", str(solved)]) == 0
    assert "Full marks: 4/4 points" in capsys.readouterr().out
    wrong = course / "wrong.yaml"
    wrong.write_text(DEPLOYMENT)
    assert main(["grade", "03-deployments/scale", str(wrong), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["score"] == 2


def test_cli_grade_reads_standard_input(course, capsys, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(SOLVED.encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["grade", "03-deployments/scale", "-"]) == 0
    assert "Full marks" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["grade"],
    ["grade", "03-deployments/scale"],
    ["grade", "03-deployments/nope", "x.yaml"],
    ["grade", "--batch", "subs"],
    ["grade", "--batch", "missing-folder", "--out", "o"],
    ["grade", "03-deployments/scale", "x.yaml", "--batch", "subs", "--out", "o"],
])
def test_cli_usage_errors_exit_2(course, argv, capsys, monkeypatch):
    monkeypatch.chdir(course)
    assert main(argv) == 2
    assert "k8s-course grade" in capsys.readouterr().err


def test_cli_batch(course, capsys, monkeypatch):
    monkeypatch.chdir(course)
    assert main(["grade", "--batch", "subs", "--out", "out"]) == 1
    captured = capsys.readouterr()
    assert "grading [" in captured.err
    assert "wrote out/gradebook.csv, out/gradebook.json and out/gradebook.html" in captured.out
    assert (course / "out/gradebook.json").is_file()
    for learner in ("bob", "cy", "dan", "=cmd|calc"):
        for file in (course / "subs" / learner).iterdir():
            file.unlink()
    (course / "subs/ada/04-services/again.yml").write_text(SOLVED)
    assert main(["grade", "--batch", "subs", "--out", "out"]) == 0


def test_a_gradebook_exercise_is_loaded_once(course):
    exercise = load_exercise("03-deployments/scale")
    assert load_exercise("03-deployments/scale") is exercise


def test_the_progress_bar_redraws_only_when_it_moves_and_ends_its_line():
    stream = io.StringIO()
    draw = progress_bar(stream, width=4)
    for done in (1, 1, 2, 3, 4):  # 1/8 and 3/8 fill no new cell
        draw(done, 8)
    draw(8, 8)
    assert stream.getvalue() == ("\rgrading [....] 1/8\rgrading [#...] 2/8"
                                 "\rgrading [##..] 4/8\rgrading [####] 8/8\n")
    one = io.StringIO()
    progress_bar(one, width=4)(1, 1)  # a class of one is full at once
    assert one.getvalue() == "\rgrading [####] 1/1\n"
    late = io.StringIO()
    progress_bar(late, width=4)(2, 8)  # the first call always draws, whatever it fills
    assert late.getvalue() == "\rgrading [#...] 2/8"


def test_no_learner_name_becomes_a_spreadsheet_formula_and_odd_bytes_do_not_break_it(
        tmp_path):
    names = ["=sum", "+1", "-2", "@me", "caf\udce9", "ok"]
    book = {"exercises": {}, "lessons": {}, "learners": {
        name: {"scores": {}, "lessons": {}, "total": 0, "maximum": 0, "problems": []}
        for name in names}}
    csv_path, _ = write_gradebook(book, tmp_path / "deep" / "out")
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert [row[0] for row in rows[2:]] == ["'=sum", "'+1", "'-2", "'@me", "caf\\udce9", "ok"]


def test_a_handed_in_file_is_read_no_further_than_one_byte_past_the_cap():
    """An endless file (a device, a pipe) costs no more than the cap to refuse."""
    from k8s_course.grading import handin
    from k8s_course.grading.batch import _read_bytes

    assert len(_read_bytes(Path("/dev/zero"))) == handin.MAX_HANDIN_BYTES + 1


def test_a_grader_crash_costs_one_entry_never_the_batch(course, monkeypatch):
    from k8s_course.grading import batch
    from k8s_course.grading.batch import Entry

    real = batch.grade

    def flaky(exercise, answer, server=None):
        if b"replicas: 3" in (answer if isinstance(answer, bytes) else answer.read_bytes()):
            raise KeyError("bug")
        return real(exercise, answer, server=server)

    monkeypatch.setattr(batch, "grade", flaky)
    entries = grade_folder(course / "subs")
    crashed = [e for e in entries if e.status == "grader error"]
    assert Entry("ada", "ada/scale.yaml", "03-deployments/scale", "grader error", 0, 4,
                 "the grader failed on this file (KeyError)") in crashed
    assert any(e.learner == "ada" and e.status == "graded" and e.score == 2 for e in entries)


def test_a_file_that_does_not_parse_says_so_in_its_entry(course):
    [bob] = [e for e in grade_folder(course / "subs") if e.file == "bob/scale.yaml"]
    assert (bob.status, bob.score, bob.maximum, bob.failed) == ("graded", 0, 4,
                                                                ("exists", "three", "no-errors"))
    assert bob.problem == ("line 2: YAML cannot read this: did not find expected node content "
                           "(while parsing a flow node)")
    [ada] = [e for e in grade_folder(course / "subs") if e.file == "ada/scale.yaml"]
    assert (ada.problem, ada.failed) == ("", ())


# --- what the gradebook says when a learner hands in more than once ------------------


@pytest.fixture
def lesson_of_two(tmp_path, monkeypatch):
    """A course whose lesson 03 has two exercises."""
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale")
    write_exercise(tmp_path, SCALE_SPEC.replace("Scale", "Again"),
                   exercise_id="03-deployments/again")
    return tmp_path


def _hand_in(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_a_lesson_totals_every_exercise_and_a_twice_handed_in_one_counts_its_best(
        lesson_of_two):
    subs = _hand_in(lesson_of_two / "subs", {
        "ada/03-deployments/scale.yaml": SOLVED,  # 4 points, graded first
        "ada/scale.yml": DEPLOYMENT,  # the same exercise again, 2 points
        "ada/again.yaml": DEPLOYMENT,  # 2 points
    })
    book = gradebook(grade_folder(subs))
    assert book["exercises"] == {"03-deployments/again": 4, "03-deployments/scale": 4}
    assert book["lessons"] == {"03-deployments": 8}
    ada = book["learners"]["ada"]
    assert set(ada) == {"scores", "submissions", "lessons", "total", "maximum", "problems"}
    # graded in file order (again before scale), listed in exercise order
    assert list(ada["scores"].items()) == [("03-deployments/again", 2),
                                           ("03-deployments/scale", 4)]
    assert (ada["lessons"], ada["total"], ada["maximum"]) == (
        {"03-deployments": 6}, 6, 8)


def test_every_problem_of_a_learner_is_in_their_row(lesson_of_two, tmp_path):
    subs = _hand_in(lesson_of_two / "subs", {"bob/notes.txt": "x", "bob/nope.yaml": SOLVED})
    csv_path, _ = write_gradebook(gradebook(grade_folder(subs)), tmp_path / "out")
    rows = list(csv.reader(io.StringIO(csv_path.read_text())))
    assert rows[2][-1] == ("bob/nope.yaml: names no exercise (nope); use <exercise>.yaml or "
                           "<lesson>/<exercise>.yaml; bob/notes.txt: not a .yaml or .yml file")


def test_the_gradebook_is_utf_8_whatever_the_instructors_locale(tmp_path):
    """A spreadsheet imports the CSV as UTF-8; an ASCII locale must not change the file."""
    import locale

    book = {"exercises": {"03-deployments/scale": 4}, "lessons": {"03-deployments": 4},
            "learners": {"Zoë": {"scores": {}, "lessons": {"03-deployments": 0}, "total": 0,
                                 "maximum": 4, "problems": ["Zoë/é.yaml: not a hand-in"]}}}
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        csv_path, json_path = write_gradebook(book, tmp_path)
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    assert csv_path.read_bytes().decode("utf-8").splitlines() == [
        "learner,03-deployments/scale,03-deployments total,total,maximum,problems",
        "(maximum),4,4,4,,",
        "Zoë,,0,0,4,Zoë/é.yaml: not a hand-in"]
    assert csv_path.read_bytes().endswith(b"hand-in\r\n")  # the CSV standard's line ends
    # the JSON is indented for a person to read, and escapes what is not ASCII
    assert json_path.read_text(encoding="ascii") == """\
{
  "exercises": {
    "03-deployments/scale": 4
  },
  "lessons": {
    "03-deployments": 4
  },
  "learners": {
    "Zo\\u00eb": {
      "scores": {},
      "lessons": {
        "03-deployments": 0
      },
      "total": 0,
      "maximum": 4,
      "problems": [
        "Zo\\u00eb/\\u00e9.yaml: not a hand-in"
      ]
    }
  }
}
"""


def test_the_progress_bar_has_thirty_cells_unless_told_otherwise():
    stream = io.StringIO()
    progress_bar(stream)(1, 2)
    assert stream.getvalue() == f"\rgrading [{'#' * 15}{'.' * 15}] 1/2"


# --- hand-ins in the batch ----------------------------------------------------------


def test_each_answer_of_a_hand_in_is_an_entry_and_so_is_what_is_wrong_with_it(lesson_of_two):
    from k8s_course.grading import handin
    from k8s_course.grading.batch import Entry

    packed = handin.pack("Ada", [handin.Answer("03-deployments/scale", SOLVED.encode()),
                                 handin.Answer("09-gone/exercise", b"kind: X\n")], "", "now")
    subs = lesson_of_two / "subs"
    subs.mkdir()
    (subs / "ada.zip").write_bytes(packed)
    (subs / "bad.zip").write_bytes(packed[:200])
    entries = grade_folder(subs)
    assert [e for e in entries if e.status != "graded"] == [
        Entry("(bad.zip)", "bad.zip", status="skipped", problem=(
            "the zip is damaged or cut short (truncated?): hand in again")),
        Entry("Ada", "ada.zip:09-gone/exercise", status="skipped", problem=(
            "names no exercise (09-gone/exercise) of this course "
            "(handed in with course version unknown)"))]
    [graded] = [e for e in entries if e.status == "graded"]
    assert (graded.learner, graded.file, graded.score) == ("Ada", "ada.zip:03-deployments/scale", 4)
    assert gradebook(entries)["learners"]["Ada"]["problems"] == [
        "ada.zip:09-gone/exercise: names no exercise (09-gone/exercise) of this course "
        "(handed in with course version unknown)"]


def test_a_tampered_hand_in_says_so_in_its_own_entry(lesson_of_two):
    from k8s_course.grading import handin
    from k8s_course.grading.batch import Entry

    packed = handin.pack("Ada", [handin.Answer("03-deployments/scale", SOLVED.encode()),
                                 handin.Answer("03-deployments/again", DEPLOYMENT.encode())],
                         "0.1.0", "now")
    source, out = zipfile.ZipFile(io.BytesIO(packed)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name).replace(b"replicas: 3", b"replicas: 9"))
    subs = lesson_of_two / "subs"
    subs.mkdir()
    (subs / "ada.zip").write_bytes(out.getvalue())
    entries = grade_folder(subs)
    problem = ("tampered: 03-deployments/scale was changed after it was handed in (its sha256 "
               "does not match the manifest)")
    assert entries[0] == Entry("Ada", "ada.zip", status="skipped", problem=problem)
    assert [(e.file, e.score) for e in entries[1:]] == [("ada.zip:03-deployments/again", 2)]


def test_each_learners_answers_go_to_their_own_server(lesson_of_two):
    """With a cluster, a hand-in's answers are dry-run like a folder's, as their learner."""
    from k8s_course.grading import handin
    from k8s_course.report import Report

    subs = _hand_in(lesson_of_two / "subs", {"bob/scale.yaml": SOLVED})
    (subs / "ada.zip").write_bytes(handin.pack(
        "Ada", [handin.Answer("03-deployments/scale", SOLVED.encode())], "0.1.0", "now"))
    asked = []

    def server_for(learner):
        return lambda bundle: asked.append(learner) or Report([], bundle)

    entries = grade_folder(subs, server_for=server_for)
    assert sorted(asked) == ["Ada", "bob"]
    assert [(e.learner, e.score, e.maximum) for e in entries] == [("bob", 5, 5), ("Ada", 5, 5)]


def test_hidden_files_and_folders_are_no_submissions(lesson_of_two):
    subs = _hand_in(lesson_of_two / "subs", {
        "ada/scale.yaml": SOLVED, "ada/.#scale.yaml": "half written", ".git/x/scale.yaml": SOLVED,
        ".DS_Store": "finder", "ada/.ipynb_checkpoints/again.yaml": SOLVED})
    assert [(e.learner, e.file) for e in grade_folder(subs)] == [("ada", "ada/scale.yaml")]


def test_a_linked_learner_folder_is_recorded_and_not_followed(lesson_of_two):
    from k8s_course.grading.batch import Entry

    outside = _hand_in(lesson_of_two / "elsewhere", {"scale.yaml": SOLVED})
    subs = _hand_in(lesson_of_two / "subs", {"ada/scale.yaml": SOLVED, "readme.md": "hi"})
    os.symlink(outside, subs / "eve")
    entries = grade_folder(subs)
    assert [e for e in entries if e.status == "skipped"] == [
        Entry("(eve)", "eve", status="skipped",
              problem="a symbolic link; submissions must be plain files"),
        Entry("(readme.md)", "readme.md", status="skipped",
              problem="not a hand-in (.zip file) nor a learner's folder")]
    assert [(e.learner, e.score) for e in entries if e.status == "graded"] == [("ada", 4)]


def test_a_file_gone_before_it_is_graded_is_recorded(lesson_of_two):
    """Learners may still be uploading while the instructor grades."""
    from k8s_course.grading.batch import Entry, exercise_index, grade_one

    subs = _hand_in(lesson_of_two / "subs", {"ada/scale.yaml": SOLVED})
    index = exercise_index([load_exercise("03-deployments/scale")])
    assert grade_one("ada", subs / "ada/gone.yaml", subs, index) == Entry(
        "ada", "ada/gone.yaml", status="skipped",
        problem="cannot read it: No such file or directory")


def test_a_hand_in_the_grader_may_not_open_is_recorded():
    """An unreadable file is an entry; as root, the test reads as an ordinary user."""
    import tempfile

    from k8s_course.grading.batch import Entry, read_handins

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        folder.chmod(0o755)
        (folder / "ada.zip").write_bytes(b"PK\x03\x04")
        (folder / "ada.zip").chmod(0)
        root = os.geteuid() == 0
        if root:
            os.seteuid(65534)  # nobody
        try:
            chosen, entries = read_handins(folder)
        finally:
            if root:
                os.seteuid(0)
    assert (chosen, entries) == ({}, [Entry("(ada.zip)", "ada.zip", status="skipped",
                                            problem="cannot read it")])


def test_a_bare_exercise_name_shared_by_two_lessons_names_neither(tmp_path, monkeypatch):
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale")
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="04-services/scale")
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="04-services/again")
    subs = _hand_in(tmp_path / "subs", {"ada/scale.yaml": SOLVED, "ada/again.yaml": SOLVED,
                                        "ada/04-services/scale.yaml": SOLVED})
    entries = {e.file: e for e in grade_folder(subs)}
    assert (entries["ada/again.yaml"].exercise, entries["ada/04-services/scale.yaml"].exercise) \
        == ("04-services/again", "04-services/scale")
    assert entries["ada/scale.yaml"].problem.startswith("names no exercise (scale)")


def test_of_several_hand_ins_the_newest_counts_and_each_other_file_says_why_not(lesson_of_two):
    from k8s_course.grading import handin

    def packed(learner, text, created=NOW):
        return handin.pack(learner, [handin.Answer("03-deployments/scale", text.encode())],
                           "0.1.0", created)

    subs = _hand_in(lesson_of_two / "subs", {"0-notes.txt": "x", "fay/scale.yaml": SOLVED})
    (subs / "ada.zip").write_bytes(packed("Ada", SOLVED))
    (subs / "ada-copy.zip").write_bytes(packed("Ada", SOLVED))
    # made in the same second: the later file name counts
    (subs / "bob-1.zip").write_bytes(packed("Bob", SOLVED))
    (subs / "bob-2.zip").write_bytes(packed("Bob", DEPLOYMENT))
    ticks = []
    entries = grade_folder(subs, progress=lambda done, total: ticks.append((done, total)))
    assert [(e.learner, e.file, e.status, e.score, e.problem) for e in entries] == [
        ("(0-notes.txt)", "0-notes.txt", "skipped", 0,
         "not a hand-in (.zip file) nor a learner's folder"),
        ("(ada.zip)", "ada.zip", "skipped", 0, "duplicate: the same bytes as ada-copy.zip"),
        ("Bob", "bob-1.zip", "skipped", 0, "duplicate: an older hand-in by Bob; bob-2.zip "
         "(made 2026-12-01T12:00:00Z) is graded instead"),
        ("fay", "fay/scale.yaml", "graded", 4, ""),
        ("Ada", "ada-copy.zip:03-deployments/scale", "graded", 4, ""),
        ("Bob", "bob-2.zip:03-deployments/scale", "graded", 2, "")]
    assert ticks == [(1, 3), (2, 3), (3, 3)]  # fay's folder, then Ada's and Bob's hand-ins
