"""The class at a glance: the HTML gradebook, and a class graded on a shared cluster."""

from __future__ import annotations

import json
import re

import pytest

from k8s_course.cli import main
from k8s_course.grading.batch import grade_folder, gradebook
from k8s_course.grading.report import common_failures, render_report
from tests.grading_support import DEPLOYMENT, SCALE_SPEC, SOLVED, write_exercise

from .fake_apiserver import running


@pytest.fixture
def course(tmp_path, monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    monkeypatch.delenv("K8S_COURSE_NAMESPACE", raising=False)
    monkeypatch.setenv("K8S_COURSE_ROOT", str(tmp_path))
    write_exercise(tmp_path, SCALE_SPEC, exercise_id="03-deployments/scale")
    write_exercise(tmp_path, SCALE_SPEC.replace("Scale", "Again"), exercise_id="04-services/again")
    files = {"ada/scale.yaml": SOLVED, "ada/again.yaml": DEPLOYMENT,
             "bob/scale.yaml": DEPLOYMENT, "<i>eve/scale.yaml": "kind: [\n"}
    for name, text in files.items():
        path = tmp_path / "subs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _cells(html: str, learner: str) -> list[str]:
    name = re.escape(learner)
    row = re.search(rf"<tr><td class='name'><a href='#l\d+'>{name}</a></td>(.*?)</tr>", html)
    assert row, learner
    return re.findall(r"<td[^>]*>.*?</td>", row.group(1))


def test_the_grid_colours_each_score_and_links_to_the_feedback(course):
    book = gradebook(grade_folder(course / "subs"))
    html = render_report(book)
    ada = _cells(html, "ada")
    assert "hsl(120," in ada[0] and "href='#l1-0'" in ada[0]  # full marks: green
    assert "hsl(60," in ada[1]  # 2 of 4 points
    bob = _cells(html, "bob")
    assert "hsl(60," in bob[0] and bob[1] == "<td class='missing'>–</td>"
    assert bob[2] == "<td>2/8</td>"
    # the link leads to Bob's feedback, shown open because it is not full marks
    anchor = re.search(r"<details id='l2-0' open><summary>03-deployments/scale: 2/4 "
                       r"\(bob/scale.yaml\)</summary><pre>(.*?)</pre>", html, re.S)
    assert anchor and "[ ] three" in anchor.group(1) and "hint: Set three replicas." in \
        anchor.group(1)
    # a learner's folder name is text, never markup
    assert "<i>eve" not in html and "&lt;i&gt;eve" in html


def test_each_exercise_lists_its_most_common_failing_checks(course):
    book = gradebook(grade_folder(course / "subs"))
    assert common_failures(book) == {"03-deployments/scale": [("three", 2), ("exists", 1),
                                                              ("no-errors", 1)],
                                     "04-services/again": [("three", 1)]}
    assert "<li><b>04-services/again</b>: <code>three</code> (1)</li>" in render_report(book)


def test_batch_writes_the_html_report_beside_csv_and_json(course, capsys):
    assert main(["grade", "--batch", str(course / "subs"), "--out", str(course / "out")]) == 1
    html = (course / "out/gradebook.html").read_text()
    assert html.startswith("<!doctype html>") and "3 learners, 2 exercises, 8 points" in html
    data = json.loads((course / "out/gradebook.json").read_text())
    assert "Full marks: 4/4 points" in data["learners"]["ada"]["submissions"][1]["feedback"]


def test_batch_with_a_context_dry_runs_each_learner_in_their_namespace(course, tmp_path,
                                                                        monkeypatch, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,namespace\nada,learner-ada\nbob,class-bob\n")
    with running(tmp_path, monkeypatch, others=("classroom",)) as fake:
        for namespace in ("learner-ada", "class-bob"):
            fake.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        assert main(["grade", "--batch", str(course / "subs"), "--out", str(tmp_path / "out"),
                     "--context", "classroom", "--roster", str(roster)]) == 1
        sent = sorted((r["path"], r["query"].get("dryRun")) for r in fake.calls("PATCH"))
    assert sent == [("/apis/apps/v1/namespaces/class-bob/deployments/web", "All"),
                    ("/apis/apps/v1/namespaces/learner-ada/deployments/web", "All"),
                    ("/apis/apps/v1/namespaces/learner-ada/deployments/web", "All")]
    book = json.loads((tmp_path / "out/gradebook.json").read_text())
    ada = book["learners"]["ada"]["submissions"]
    assert all("accepted by the server" in s["feedback"] for s in ada)
    assert book["exercises"]["03-deployments/scale"] == 5  # the server stage's point counts


@pytest.mark.parametrize("argv", [
    ["grade", "--batch", "subs", "--out", "o", "--roster", "r.csv"],
    ["grade", "03-deployments/scale", "x.yaml", "--context", "classroom"],
    ["grade", "03-deployments/scale", "x.yaml", "--roster", "r.csv"],
    ["grade", "--batch", "subs", "--out", "o", "--context", "no-such-context"],
])
def test_context_and_roster_only_go_with_batch(course, argv, monkeypatch, capsys):
    monkeypatch.chdir(course)
    assert main(argv) == 2


@pytest.mark.notebooks
def test_the_instructor_notebook_runs_on_its_demo_class():
    """Not among the lesson notebooks of test_nbval.py: it has no stored outputs to compare
    (a class's grades are not the course's), so it runs under --nbval-lax, without error."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    notebook = root / "notebooks" / "instructor" / "gradebook.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         str(notebook)], cwd=root, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:]


def _sub(exercise, score, maximum, file, failed=(), status="graded", feedback="f"):
    return {"exercise": exercise, "status": status, "score": score, "maximum": maximum,
            "file": file, "failed": list(failed), "feedback": feedback, "problem": ""}


BOOK = {"exercises": {"a/x": 4, "b/y": 2}, "lessons": {}, "learners": {
    "Ada": {"scores": {"a/x": 4}, "total": 4, "maximum": 6,
            "problems": ["b/y.yaml: a symbolic link"],
            "submissions": [_sub("a/x", 4, 4, "a2.yaml", feedback="full <marks>"),
                            _sub("a/x", 2, 4, "a1.yaml", ["three"], feedback="not yet"),
                            _sub("b/y", 0, 2, "b/y.yaml", status="skipped")]},
    "<Bob>": {"scores": {"a/x": 0, "b/y": 1}, "total": 1, "maximum": 6, "problems": [],
              "submissions": [_sub("a/x", 0, 4, "x.yaml", ["exists", "three", "four", "five"]),
                              _sub("b/y", 1, 2, "y.yaml", ["three"])]}}}


def test_the_report_is_a_grid_then_the_common_failures_then_each_learners_feedback():
    from k8s_course.grading.report import render_book

    html = render_book(BOOK)
    assert html[html.index("<div class='k8sc-book'>"):] == "\n".join([
        "<div class='k8sc-book'>",
        "<p>2 learners, 2 exercises, 6 points.</p>",
        "<table><tr><th>learner</th>",
        "<th class='ex' title='a/x'>a/x</th>", "<th class='ex' title='b/y'>b/y</th>",
        "<th>total</th></tr>",
        "<tr><td class='name'><a href='#l0'>Ada</a></td>"
        "<td style='background:hsl(120,70%,80%)'><a href='#l0-0'>4</a></td>"
        "<td class='missing'>–</td><td>4/6</td></tr>",
        "<tr><td class='name'><a href='#l1'>&lt;Bob&gt;</a></td>"
        "<td style='background:hsl(0,70%,80%)'><a href='#l1-0'>0</a></td>"
        "<td style='background:hsl(60,70%,80%)'><a href='#l1-1'>1</a></td><td>1/6</td></tr>",
        "</table><h2>Most common failing checks</h2><ul>",
        # Ada's best a/x counts (no failure), not her later, worse try
        "<li><b>a/x</b>: <code>exists</code> (1), <code>three</code> (1), <code>four</code> (1)"
        "</li>",
        "<li><b>b/y</b>: <code>three</code> (1)</li>",
        "</ul><h2>Feedback</h2>",
        "<h3 id='l0'>Ada: 4/6</h3>",
        "<p class='problem'>b/y.yaml: a symbolic link</p>",
        "<details id='l0-0'><summary>a/x: 4/4 (a2.yaml)</summary><pre>full &lt;marks&gt;</pre>"
        "</details>",
        "<details open><summary>a/x: 2/4 (a1.yaml)</summary><pre>not yet</pre></details>",
        "<h3 id='l1'>&lt;Bob&gt;: 1/6</h3>",
        "<details id='l1-0' open><summary>a/x: 0/4 (x.yaml)</summary><pre>f</pre></details>",
        "<details id='l1-1' open><summary>b/y: 1/2 (y.yaml)</summary><pre>f</pre></details>",
    ]) + "</div>\n"


def test_an_exercise_nobody_failed_says_none_and_an_empty_class_has_no_colour():
    from k8s_course.grading.report import _colour, render_book

    book = {"exercises": {"a/x": 4}, "lessons": {}, "learners": {
        "Ada": {"scores": {"a/x": 4}, "total": 4, "maximum": 4, "problems": [],
                "submissions": [_sub("a/x", 4, 4, "a.yaml")]}}}
    assert "<li><b>a/x</b>: none</li>" in render_book(book)
    assert _colour(0, 0) == "hsl(0,70%,80%)"


def test_the_report_file_is_written_in_a_new_folder(tmp_path):
    from k8s_course.grading.report import write_report

    path = write_report(BOOK, tmp_path / "deep" / "out")
    assert path == tmp_path / "deep" / "out" / "gradebook.html"
    assert path.read_text(encoding="utf-8").startswith(
        "<!doctype html><meta charset='utf-8'><title>Gradebook</title>\n<h1>Gradebook</h1>\n")


def test_the_hand_in_that_counted_is_the_first_with_the_best_score_everywhere():
    """The learner's cell links to it and the common failures count its failed checks; a
    skipped hand-in before it hides nothing after it."""
    from k8s_course.grading.report import render_book

    book = {"exercises": {"a/x": 4}, "lessons": {}, "learners": {
        "Ada": {"scores": {"a/x": 3}, "total": 3, "maximum": 4, "problems": [],
                "submissions": [_sub("a/x", 0, 0, "a0.yaml", status="skipped"),
                                _sub("a/x", 1, 4, "a1.yaml", ["exists", "three", "four"]),
                                _sub("a/x", 3, 4, "a2.yaml", ["three"]),
                                _sub("a/x", 3, 4, "a3.yml", ["exists"])]}}}
    assert common_failures(book) == {"a/x": [("three", 1)]}
    html = render_book(book)
    assert re.findall(r"<details[^>]*><summary>[^<]*</summary>", html) == [
        "<details open><summary>a/x: 1/4 (a1.yaml)</summary>",
        "<details id='l0-0' open><summary>a/x: 3/4 (a2.yaml)</summary>",
        "<details open><summary>a/x: 3/4 (a3.yml)</summary>"]


def test_the_report_file_is_utf8_whatever_the_locale_and_keeps_undecodable_names(tmp_path):
    """The page says charset utf-8; a learner folder whose name is not UTF-8 (Python reads
    it with surrogate escapes) is written as an escape, not a crash."""
    import locale

    from k8s_course.grading.report import write_report

    book = {"exercises": {"a/x": 4}, "lessons": {}, "learners": {
        name: {"scores": {}, "total": 0, "maximum": 4, "problems": [], "submissions": []}
        for name in ("Zoë", "b\udcffob")}}
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # a machine whose locale is ASCII
    try:
        path = write_report(book, tmp_path)
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
    written = path.read_bytes()
    assert "<a href='#l0'>Zoë</a>".encode() in written
    assert b"<a href='#l1'>b\\udcffob</a>" in written
