"""The notebook face: the %%manifest magic and the exercise editor widget."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import k8s_course
from k8s_course.bundle import Bundle
from k8s_course.notebook import editor, widget
from k8s_course.notebook.magic import manifest, parse_magic_line

from .conftest import FIXTURES

EXERCISE = FIXTURES / "course" / "exercises" / "99-fixture" / "hello-config"
WRONG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\ndate:\n  message: hello\n"
RIGHT = WRONG.replace("date:", "data:")


@pytest.fixture(scope="module")
def shell() -> InteractiveShell:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "k8s_course")
    return ip


@pytest.fixture(autouse=True)
def no_cluster(monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
    monkeypatch.delenv("K8S_COURSE_ANSWERS", raising=False)


def _run(shell: InteractiveShell, cell: str) -> list[str]:
    with capture_output() as captured:
        result = shell.run_cell(cell)
    assert result.success, result.error_in_exec
    return [output.data.get("text/plain", "") for output in captured.outputs]


def _html(editor_widget) -> str:
    return "".join(o["data"].get("text/html", "") for o in editor_widget.output.outputs)


def _plain(editor_widget) -> str:
    return "".join(o["data"].get("text/plain", "") for o in editor_widget.output.outputs)


# -- %%manifest -----------------------------------------------------------------

def test_magic_shows_the_report_with_lines_and_keeps_the_bundle(shell):
    shown = _run(shell, "%%manifest web\n" + WRONG)
    assert len(shown) == 1
    assert "<cell>:5:1: error[schema-unknown-field]" in shown[0]
    assert isinstance(shell.user_ns["web"], Bundle)
    assert shell.user_ns["web"].find("ConfigMap", "greeting") is not None


def test_magic_without_name_only_shows(shell):
    def bundles() -> set[str]:
        return {name for name, value in shell.user_ns.items() if isinstance(value, Bundle)}

    before = bundles()
    shown = _run(shell, "%%manifest\n" + RIGHT)
    assert "no problems" in shown[0]
    assert bundles() == before


def test_magic_can_draw_the_diagram(shell):
    shown = _run(shell, "%%manifest --diagram\n" + RIGHT)
    assert shown[1].startswith("<Diagram: 1 object, 0 broken links>")


def test_a_mistyped_magic_line_explains_itself_instead_of_raising(shell):
    shown = _run(shell, "%%manifest 3web\n" + RIGHT)
    assert "'3web' cannot be a Python variable name" in shown[0]
    assert "usage: %%manifest" in shown[0]


@pytest.mark.parametrize(("line", "expected"), [
    ("", (None, False, None)),
    ("web", ("web", False, None)),
    ("--diagram web", ("web", True, None)),
    ("a b", (None, False, "%%manifest takes at most one variable name")),
    ("--fast", (None, False, "%%manifest has no option --fast")),
])
def test_magic_line_parsing(line, expected):
    assert parse_magic_line(line) == expected


def test_magic_output_is_rich_in_a_notebook():
    report, = manifest("", WRONG)
    assert 'data-line="5"' in report._repr_html_()


def test_public_check_stays_a_function_after_the_extension_loads(shell):
    assert callable(k8s_course.check)
    assert k8s_course.check(RIGHT).ok


# -- the editor widget ------------------------------------------------------------

def test_editor_starts_from_the_starter(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    assert box.value == (EXERCISE / "starter.yaml").read_text()
    assert not box.restored
    assert box.dry_run_button is None  # no cluster configured: no cluster button
    assert [b.description for b in (box.check_button, box.hint_button, box.grade_button)] == \
        ["Check", "Hint", "Grade"]


def test_check_shows_findings_at_their_line_and_saves_the_text(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG
    box.check_button.click()
    page = _html(box)
    assert 'data-line="5"' in page and "k8sc-error" in page
    saved = tmp_path / "99-fixture" / "hello-config.answer.yaml"
    assert saved.read_text() == WRONG
    assert str(saved) in box.status.value  # outside the course folder: the full path


def test_grade_gives_full_marks_for_the_fixed_answer(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = RIGHT
    box.grade_button.click()
    assert "Full marks: 4/4 points" in _html(box)
    plain = box.output.outputs[0]["data"]["text/plain"]
    assert "Full marks: 4/4 points" in plain


def test_grade_of_a_wrong_answer_shows_the_score_and_the_findings(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG
    box.grade_button.click()
    page = _html(box)
    assert "Not yet: 1/4 points" in page
    assert 'data-line="5"' in page


def test_a_new_editor_restores_the_saved_text(tmp_path: Path):
    first = editor(EXERCISE, answers=tmp_path)
    first.text.value = WRONG + "# my notes\n"
    first.check_button.click()
    again = editor(EXERCISE, answers=tmp_path)
    assert again.value == WRONG + "# my notes\n"
    assert again.restored and "restored" in again.status.value


def test_answers_live_under_the_course_folder_by_default(tmp_path: Path, monkeypatch):
    course = tmp_path / "course"
    shutil.copytree(EXERCISE.parents[2] / "exercises", course / "exercises")
    monkeypatch.setenv("K8S_COURSE_ROOT", str(course))
    box = editor("99-fixture/hello-config")
    box.check_button.click()
    assert (course / "answers" / "99-fixture" / "hello-config.answer.yaml").is_file()
    assert "saved to answers/99-fixture/hello-config.answer.yaml" in box.status.value


def test_answers_folder_comes_from_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("K8S_COURSE_ANSWERS", str(tmp_path / "kept"))
    box = editor(EXERCISE)
    box.save()
    assert (tmp_path / "kept" / "99-fixture" / "hello-config.answer.yaml").is_file()


def test_typing_saves_after_a_pause(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(widget, "SAVE_DELAY", 0.05)
    box = editor(EXERCISE, answers=tmp_path)
    saved = tmp_path / "99-fixture" / "hello-config.answer.yaml"

    async def type_then_wait() -> tuple[bool, str]:
        box.text.value = "apiVersion: v1\n"
        box.text.value = "apiVersion: v1\nkind: ConfigMap\n"
        early = saved.exists()
        await asyncio.sleep(0.3)
        return early, saved.read_text()

    early, text = asyncio.run(type_then_wait())
    assert not early  # nothing written while typing goes on
    assert text == "apiVersion: v1\nkind: ConfigMap\n"  # only the last text, once


def test_check_saves_text_that_typing_has_not_saved_yet(tmp_path: Path, monkeypatch):
    """The learner types and presses Check at once: the typing save is still waiting."""
    monkeypatch.setattr(widget, "SAVE_DELAY", 3600)
    box = editor(EXERCISE, answers=tmp_path)
    saved = tmp_path / "99-fixture" / "hello-config.answer.yaml"

    async def type_then_check() -> tuple[bool, str]:
        box.text.value = WRONG
        waiting = saved.exists()
        box.check_button.click()
        return waiting, saved.read_text()

    waiting, text = asyncio.run(type_then_check())
    assert not waiting  # only Check can have written it
    assert text == WRONG


def test_hints_come_one_at_a_time_then_say_there_are_no_more(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG
    box.hint_button.click()
    assert box.shown_hints == ["A ConfigMap keeps its settings under `data`."]  # a nudge
    assert "<code>data</code>" in box.hints.value and "`" not in box.hints.value
    for _ in range(5):
        box.hint_button.click()
    assert box.shown_hints[0] not in box.shown_hints[1:]
    assert "Under data, write `message: hello`." in box.shown_hints[1:]  # the fixes come after
    assert len(box.shown_hints) == len(set(box.shown_hints)) >= 2
    assert "No further hint" in box.hints.value


def test_an_unwritable_answers_folder_is_reported_and_check_still_works(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    box = editor(EXERCISE, answers=blocker)
    box.text.value = WRONG
    box.check_button.click()
    assert "could not save" in box.status.value
    assert 'data-line="5"' in _html(box)
    assert box.value == WRONG


def test_a_crash_in_the_checker_keeps_the_text_and_says_so(tmp_path: Path, monkeypatch):
    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(widget, "check_answer", broken)
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG
    box.check_button.click()
    message = box.output.outputs[0]["data"]["text/plain"]
    assert "(RuntimeError)" in message and "Your text is safe" in message
    assert "boom" not in message  # an error's own text may quote the learner's input
    assert (tmp_path / "99-fixture" / "hello-config.answer.yaml").read_text() == WRONG


def test_dry_run_button_appears_with_a_cluster_and_asks_only_that_one(tmp_path, monkeypatch):
    import k8s_course.cluster as cluster

    asked = []

    def fake_dry_run(answer, *, context=None):
        asked.append((answer, context))
        return k8s_course.check(answer)

    monkeypatch.setattr(cluster, "dry_run", fake_dry_run)
    monkeypatch.setenv("K8S_COURSE_CONTEXT", "kind-k8s-course")
    box = editor(EXERCISE, answers=tmp_path)
    assert box.dry_run_button is not None
    assert box.dry_run_button.description == "Dry-run on the cluster"
    box.text.value = RIGHT
    box.dry_run_button.click()
    assert asked == [(RIGHT, "kind-k8s-course")]
    assert "no problems" in _html(box)


def test_editor_is_public(tmp_path: Path):
    assert isinstance(k8s_course.editor(EXERCISE, answers=tmp_path), widget.Editor)


def test_an_unknown_exercise_is_a_sentence_not_a_traceback():
    shown = editor("99-nowhere/nothing")
    assert "no exercise '99-nowhere/nothing'" in repr(shown)
    assert "no exercise" in shown._repr_html_()


# -- the code editor: findings marked in place, light to load ----------------------

def test_typing_marks_the_finding_on_its_line_and_token(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG  # what the front end sends a moment after typing stops
    [found] = [m for m in box.text.findings if m["rule"] == "schema-unknown-field"]
    assert (found["line"], found["column"], found["length"]) == (5, 1, len("date"))
    assert found["severity"] == "error" and "date" in found["message"]
    box.text.value = RIGHT
    assert box.text.findings == []  # fixed: the mark goes


def test_check_and_grade_mark_the_text_too(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.findings = []
    box.text.value = WRONG
    box.text.findings = []
    box.check_button.click()
    assert [m["line"] for m in box.text.findings] == [5]
    box.text.findings = []
    box.grade_button.click()
    assert [m["line"] for m in box.text.findings] == [5]


def test_marks_never_show_markdown_marks_and_keep_the_hint():
    from k8s_course.notebook.marks import marks

    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  p: hello\n"
    report = k8s_course.check(text)
    shown = marks(report, text)
    assert shown and all("`" not in m["message"] for m in shown)
    assert any("\nHint: " in m["message"] and "stringData:" in m["message"] for m in shown)


def test_the_editor_is_labelled_for_screen_readers_and_ships_its_front_end(tmp_path: Path):
    from k8s_course.notebook.codeeditor import FRONT_END

    box = editor(EXERCISE, answers=tmp_path)
    assert box.text.label.startswith("YAML answer: ")
    assert "Tab indents" in box.text.label
    bundle = FRONT_END.read_text(encoding="utf-8")
    assert "export" in bundle and "aria-label" in bundle  # the built CodeMirror module


def test_a_crash_while_typing_keeps_the_text_and_clears_the_marks(tmp_path, monkeypatch):
    box = editor(EXERCISE, answers=tmp_path)
    box.text.value = WRONG
    monkeypatch.setattr(widget, "check_answer", lambda text: 1 / 0)
    box.text.value = RIGHT
    assert box.value == RIGHT and box.text.findings == []


def test_widget_libraries_load_only_when_an_editor_is_made():
    import subprocess
    import sys

    code = ("import sys, k8s_course, k8s_course.notebook; from IPython.core.interactiveshell "
            "import InteractiveShell; InteractiveShell.instance().run_line_magic('load_ext', "
            "'k8s_course'); print([m for m in ('ipywidgets', 'anywidget') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip().splitlines()[-1]
    assert out == "[]"


def test_text_sent_by_the_front_end_is_taken_like_typing(tmp_path: Path):
    box = editor(EXERCISE, answers=tmp_path)
    box.text._handle_custom_msg({"type": "text", "value": WRONG}, [])  # as ipywidgets does
    assert box.value == WRONG and [m["line"] for m in box.text.findings] == [5]
    box.text._handle_custom_msg({"type": "other"}, [])
    assert box.value == WRONG


def test_the_kernel_says_which_text_its_value_answers_in_the_same_update(tmp_path: Path):
    # the front end numbers each text it sends; an update that answers older
    # text (still on its way while the learner typed on) must be recognisable,
    # so value and echo travel together, and the echo never goes back
    box = editor(EXERCISE, answers=tmp_path)
    updates: list[set] = []
    box.text.send_state = lambda key=None: updates.append(set(key or ()))
    box.text._handle_custom_msg({"type": "text", "value": WRONG, "number": 2}, [])
    assert box.text.echo == 2 and box.value == WRONG
    assert len(updates) == 1 and {"value", "echo", "findings"} <= updates[0]
    # older text handled late (ipykernel 7 may reorder comm messages) never replaces newer
    box.text._handle_custom_msg({"type": "text", "value": WRONG + "#", "number": 1}, [])
    assert box.text.echo == 2 and box.value == WRONG
    box.text._handle_custom_msg({"type": "text", "value": RIGHT, "number": "3"}, [])
    assert box.text.echo == 2 and box.value == RIGHT  # not a number: taken, the echo left alone


def _front_end(box) -> list[dict]:
    """Messages the kernel sends to the editor's front end, after a view said hello."""
    sent: list[dict] = []
    box.text.send = lambda content, buffers=None: sent.append(content)
    box.text._handle_custom_msg({"type": "view"}, [])
    return sent


def test_a_button_acts_on_the_text_the_front_end_shows_not_an_older_one(tmp_path: Path):
    """The learner types and presses Check; the kernel handles the click before the text
    message sent just before it (ipykernel 7 can): Check must still see the new text."""
    box = editor(EXERCISE, answers=tmp_path)
    saved = tmp_path / "99-fixture" / "hello-config.answer.yaml"
    box.text._handle_custom_msg({"type": "text", "value": WRONG, "number": 1}, [])
    sent = _front_end(box)

    async def press_then_answer() -> tuple[str, str]:
        box.check_button.click()  # the click, handled first
        before = _html(box)
        # the typed text, handled late, then the front end's answer to the kernel's request
        box.text._handle_custom_msg({"type": "text", "value": RIGHT, "number": 2}, [])
        box.text._handle_custom_msg(
            {"type": "text", "value": RIGHT, "number": 2, "request": sent[0]["request"]}, [])
        return before, _plain(box)

    before, after = asyncio.run(press_then_answer())
    assert sent == [{"type": "flush", "request": 1}]
    assert before == ""  # nothing checked on the older text
    assert after.lower().startswith("no problems in 1 object")  # RIGHT was checked
    assert saved.read_text() == RIGHT


def test_a_button_answered_by_two_views_acts_once(tmp_path: Path, monkeypatch):
    graded: list[str] = []
    real = widget.grade_answer
    monkeypatch.setattr(widget, "grade_answer",
                        lambda exercise, text: graded.append(text) or real(exercise, text))
    box = editor(EXERCISE, answers=tmp_path)
    sent = _front_end(box)

    async def press() -> None:
        box.grade_button.click()
        answer = {"type": "text", "value": RIGHT, "number": 1, "request": sent[0]["request"]}
        box.text._handle_custom_msg(answer, [])  # the notebook open in two tabs: both answer
        box.text._handle_custom_msg(answer, [])

    asyncio.run(press())
    assert graded == [RIGHT]
    assert "Full marks" in _plain(box)


def test_a_button_acts_on_the_kernels_text_when_the_front_end_never_answers(
        tmp_path: Path, monkeypatch):
    from k8s_course.notebook import codeeditor
    monkeypatch.setattr(codeeditor, "FRONT_END_WAIT", 0.05)
    box = editor(EXERCISE, answers=tmp_path)
    box.text._handle_custom_msg({"type": "text", "value": WRONG, "number": 1}, [])
    sent = _front_end(box)

    async def press_and_wait() -> tuple[str, str]:
        box.check_button.click()
        before = _html(box)
        await asyncio.sleep(0.3)
        return before, _plain(box)

    before, after = asyncio.run(press_and_wait())
    assert len(sent) == 1 and before == ""
    assert "<answer>:5:1: error[schema-unknown-field]" in after  # the kernel's text, after the wait
