"""nbval runs every notebook: solution notebooks reproduce their stored outputs (every
graded cell shows full marks); learner notebooks run without an exception and every
graded cell says "Not started" (never "Not yet") for the untouched starter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_COURSE = Path(__file__).parent / "fixtures" / "course"
COURSES = (ROOT, FIXTURE_COURSE)
SOLUTIONS = [p for course in COURSES for p in sorted((course / "solutions").glob("*.ipynb"))]
LEARNERS = [p for course in COURSES for p in sorted((course / "notebooks").glob("*.ipynb"))]
GRADED = "graded"

pytestmark = pytest.mark.notebooks


def _env() -> dict[str, str]:
    """No cluster and no course override: notebooks find their course from their folder."""
    return {k: v for k, v in os.environ.items()
            if k not in ("K8S_COURSE_CONTEXT", "K8S_COURSE_ROOT")}


def nbval(notebook: Path, *, lax: bool) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--nbval-lax" if lax else "--nbval", str(notebook)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600, check=False)


def graded_cells(notebook: nbformat.NotebookNode) -> list:
    return [c for c in notebook.cells if GRADED in c.get("metadata", {}).get("tags", [])]


def plain_text(cell) -> str:
    return "\n".join(str(o.get("data", {}).get("text/plain", o.get("text", "")))
                     for o in cell.get("outputs", []))


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name}"


def test_the_harness_has_notebooks_to_run():
    assert SOLUTIONS and LEARNERS
    assert len(SOLUTIONS) == len(LEARNERS)


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=_id)
def test_solution_notebook_reproduces_its_outputs(notebook):
    stored = nbformat.read(notebook, as_version=4)
    for cell in graded_cells(stored):
        assert "Full marks" in plain_text(cell), f"a graded cell of {notebook.name} is not " \
            f"full marks:\n{cell.source}\n{plain_text(cell)}"
    result = nbval(notebook, lax=False)
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("notebook", LEARNERS, ids=_id)
def test_learner_notebook_runs_without_an_exception(notebook):
    result = nbval(notebook, lax=True)
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("notebook", LEARNERS, ids=_id)
def test_learner_graded_cells_say_not_started_for_the_untouched_example(notebook):
    from nbclient import NotebookClient

    executed = nbformat.read(notebook, as_version=4)
    NotebookClient(executed, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute(env=_env())
    for cell in graded_cells(executed):
        assert not any(o.get("output_type") == "error" for o in cell.outputs)
        shown = plain_text(cell)
        # the example answer is the untouched starter: no "Not yet" before the learner tries
        assert "Not started" in shown and "Not yet" not in shown, \
            f"{notebook.name}:\n{cell.source}\n{shown}"


def test_nbval_fails_when_a_graded_output_changes(tmp_path):
    """The comparison is real: a stored grade that the notebook no longer produces fails."""
    shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    notebook = tmp_path / "course/solutions/99-fixture.ipynb"
    data = json.loads(notebook.read_text())
    text = json.dumps(data).replace("Full marks: 4/4 points", "Full marks: 3/4 points")
    assert text != json.dumps(data)
    notebook.write_text(text)
    result = nbval(notebook, lax=False)
    assert result.returncode != 0
    assert "Full marks: 3/4 points" in result.stdout
