"""Learner notebooks are built from solution notebooks, and the committed ones are current."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.build_notebooks import BuildError, build, build_all, main, render, strip_source

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
PAIRS = [(course / "solutions" / source.name, course / "notebooks" / source.name)
         for course in (ROOT, FIXTURE_COURSE)
         for source in sorted((course / "solutions").glob("*.ipynb"))]


@pytest.mark.parametrize(("solution", "learner"), PAIRS, ids=[p[0].name for p in PAIRS])
def test_committed_learner_notebook_is_the_build_output(solution, learner):
    assert learner.is_file(), f"{learner} is missing: run `make notebooks`"
    assert learner.read_text(encoding="utf-8") == render(solution), \
        f"{learner} differs from its solution notebook: run `make notebooks`"


def test_the_fixture_proves_the_harness():
    assert any(solution.parent.parent == FIXTURE_COURSE for solution, _ in PAIRS)


def test_a_solution_region_becomes_a_placeholder_that_still_runs():
    source = "x = 1\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\nprint(x)"
    assert strip_source(source) == ("x = 1\n# your answer here\nprint(x)", True)
    assert strip_source("plain = True") == ("plain = True", False)


def test_a_student_block_replaces_the_solution_uncommented_with_its_indentation():
    source = ('answer = """\n  ### BEGIN SOLUTION\n  replicas: 3\n  ### END SOLUTION\n'
              '  ### BEGIN STUDENT\n  # replicas: 1\n  #\n  #   nested: x\n  ### END STUDENT\n"""')
    learner, changed = strip_source(source)
    assert changed
    assert learner == 'answer = """\n  replicas: 1\n  \n    nested: x\n"""'
    assert "replicas: 3" not in learner


def test_markdown_gets_a_markdown_placeholder():
    source = "Try it.\n### BEGIN SOLUTION\nThe answer is 3.\n### END SOLUTION"
    assert strip_source(source, "markdown")[0] == "Try it.\n*Your answer here.*"


@pytest.mark.parametrize(("source", "message"), [
    ("### BEGIN SOLUTION\nx = 1", "with no '### END SOLUTION'"),
    ("### END SOLUTION", "closes a block that was never opened"),
    ("### BEGIN STUDENT\nx = 1\n### END STUDENT", "must be a comment"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "with no"),
])
def test_markers_that_do_not_pair_up_are_build_errors(source, message):
    with pytest.raises(BuildError, match=message):
        strip_source(source, where="lesson cell 3")


def _solution_notebook() -> nbformat.NotebookNode:
    answer = new_code_cell("### BEGIN SOLUTION\nanswer = 'ok'\n### END SOLUTION",
                           execution_count=1)
    answer.outputs = [new_output("stream", name="stdout", text="secret\n")]
    graded = new_code_cell("grade(answer)", execution_count=2, metadata={"tags": ["graded"]})
    graded.outputs = [new_output("execute_result", {"text/plain": "Full marks"},
                                 execution_count=2)]
    other = new_code_cell("print(1)", execution_count=3)
    other.outputs = [new_output("stream", name="stdout", text="1\n")]
    return new_notebook(cells=[new_markdown_cell("# Lesson"), answer, graded, other])


def test_outputs_of_graded_and_solution_cells_are_cleared_others_kept():
    solution = _solution_notebook()
    learner = build(solution)
    _, answer, graded, other = learner.cells
    assert (answer.outputs, answer.execution_count) == ([], None)
    assert (graded.outputs, graded.execution_count) == ([], None)
    assert other.outputs == solution.cells[3].outputs and other.execution_count == 3
    assert solution.cells[2].outputs, "the solution notebook itself is not changed"


def test_make_notebooks_writes_and_check_reports_stale(tmp_path, capsys):
    solutions, out = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    nbformat.write(_solution_notebook(), solutions / "05-x.ipynb")
    argv = ["--solutions", str(solutions), "--out", str(out)]
    assert main([*argv, "--check"]) == 1
    assert main(argv) == 0
    assert (out / "05-x.ipynb").is_file()
    assert main([*argv, "--check"]) == 0
    assert build_all(solutions, out) == []
    (out / "05-x.ipynb").write_text("{}")
    assert main([*argv, "--check"]) == 1
    assert "stale" in capsys.readouterr().out
