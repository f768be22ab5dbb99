"""Solution notebooks from lesson sources: tools/lessons/<NN-name>.md -> solutions/<NN-name>.ipynb.

A lesson source is Markdown split into cells by marker lines:

    +++ md                          a Markdown cell
    +++ code [tag ...]              a code cell, with optional cell tags
    +++ cluster                     a cell that needs a cluster: it runs only when
                                    K8S_COURSE_CONTEXT is set, else prints one line
    +++ exercise <lesson>/<name>    the standard cells of one graded exercise:
                                    its task (from task.md), the editor widget, an
                                    answer cell (solution from solutions/, starter
                                    for learners) and a `graded` cell that grades it

Each notebook is executed once (no cluster: K8S_COURSE_CONTEXT is removed) and
saved with the outputs nbval compares; cells tagged `nbval-ignore-output`
(widgets, cluster cells) are saved without output. The learner notebooks in
notebooks/ are made from these by `make notebooks`.

    .venv/bin/python -m tools.lessons.build            # every lesson
    .venv/bin/python -m tools.lessons.build 03-deployments
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
MARKER = re.compile(r"^\+\+\+ (md|code|cluster|exercise)\b[ \t]*(.*)$")
ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')
IGNORE_OUTPUT = "nbval-ignore-output"
# Defined once per notebook that has cluster cells, just before the first of them.
CLUSTER_HELPER = '''\
import os

from k8s_course import cluster


def on_cluster() -> bool:
    """True when K8S_COURSE_CONTEXT names a cluster; otherwise say the cell is skipped."""
    if os.environ.get("K8S_COURSE_CONTEXT"):
        return True
    print("skipped: this cell needs a cluster, and K8S_COURSE_CONTEXT is not set")
    return False'''


def parse(text: str) -> list[nbformat.NotebookNode]:
    """The cells of one lesson source, in order."""
    cells: list[nbformat.NotebookNode] = []
    kind, arg, body = None, "", []
    for line in [*text.splitlines(), "+++ md END"]:
        marker = MARKER.match(line)
        if not marker:
            body.append(line)
            continue
        if kind is not None:
            cells += _cells(kind, arg, "\n".join(body).strip("\n"))
        kind, arg, body = marker.group(1), marker.group(2).strip(), []
    return _with_cluster_helper(cells)


def _with_cluster_helper(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Insert the `on_cluster()` helper just before the first cell that needs it."""
    first = next((i for i, cell in enumerate(cells)
                  if "cluster" in cell.metadata.get("tags", ())), None)
    if first is None:
        return cells
    return [*cells[:first], _code(CLUSTER_HELPER), *cells[first:]]


def _cells(kind: str, arg: str, body: str) -> list[nbformat.NotebookNode]:
    if kind == "md":
        return [nbformat.v4.new_markdown_cell(body)] if body else []
    if kind == "exercise":
        return exercise_cells(arg)
    if kind == "cluster":
        body = "\n".join(f"    {line}" if line else "" for line in body.splitlines())
        return [_code("# needs a cluster (see 00-start-here)\nif on_cluster():\n" + body,
                      IGNORE_OUTPUT, "cluster")]
    return [_code(body, *arg.split())]


def _code(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _student_block(starter: str) -> str:
    """The starter as `# `-commented lines, which the learner build uncomments."""
    return "\n".join(f"# {line}" if line else "#" for line in starter.rstrip("\n").splitlines())


def exercise_cells(exercise_id: str) -> list[nbformat.NotebookNode]:
    """Task, editor, answer and graded cells of one exercise, from its folder."""
    folder = EXERCISES / exercise_id
    spec = yaml.safe_load((folder / "exercise.yaml").read_text())
    task = (folder / "task.md").read_text().strip()
    task = re.sub(r"^# .*\n+", "", task, count=1)  # the title comes from exercise.yaml
    starter = (folder / spec.get("starter", "starter.yaml")).read_text()
    solution = (SOLUTIONS / f"{exercise_id}.yaml").read_text()
    name = exercise_id.split("/")[1]
    intro = (f'<a id="exercise-{name}"></a>\n### Exercise: {spec["title"]}\n\n{task}\n\n'
             "Work in the editor below: **Check** lists every finding, **Hint** reveals one "
             "hint at a time, **Grade** scores the answer.")
    answer = (f'answer = """\n### BEGIN SOLUTION\n{solution.rstrip()}\n### END SOLUTION\n'
              f'### BEGIN STUDENT\n{_student_block(starter)}\n### END STUDENT\n"""')
    return [
        nbformat.v4.new_markdown_cell(intro),
        _code(f'editor("{exercise_id}")', IGNORE_OUTPUT),
        nbformat.v4.new_markdown_cell(
            "Prefer plain text? Write your answer between the triple quotes, then run the "
            "cell after it to grade it."),
        _code(answer),
        _code(f'grade("{exercise_id}", answer)', "graded"),
    ]


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> None:
    """Run every cell as a learner without a cluster would."""
    env_backup = os.environ.pop("K8S_COURSE_CONTEXT", None)
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        if env_backup is not None:
            os.environ["K8S_COURSE_CONTEXT"] = env_backup


def clean(notebook: nbformat.NotebookNode) -> None:
    """Keep only what nbval compares: no timings, no random ids, no ignored outputs.

    Execution counts stay on cells with outputs: nbval treats a cell with
    outputs but no count as never run.
    """
    notebook.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}}
    for cell in notebook.cells:
        cell.pop("id", None)
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
        if cell.cell_type != "code":
            continue
        if IGNORE_OUTPUT in cell.metadata.get("tags", ()):
            cell.outputs = []
        if not cell.outputs:
            cell.execution_count = None
        for output in cell.outputs:
            output.get("metadata", {}).clear()


def name_cells(notebook: nbformat.NotebookNode) -> None:
    """Give every cell an id made from the lesson's anchors: "keys" for the cell that
    holds `<a id="keys">`, "keys-2" for the second cell after it.

    Stable ids keep diffs small, and they are what a lesson link opens: JupyterLab
    scrolls a notebook it has just opened to `#cell-id=keys`, while a plain `#keys`
    only works once the notebook is rendered.
    """
    notebook.nbformat_minor = 5
    anchor, since, seen = "top", 0, set()
    for cell in notebook.cells:
        anchors = ANCHOR.findall(cell.source) if cell.cell_type == "markdown" else []
        if anchors:
            anchor, since = anchors[0], 0
        since += 1
        cell.id = anchor if since == 1 and anchors else f"{anchor}-{since}"
        if cell.id in seen:
            raise ValueError(f"two cells would be named {cell.id!r}: rename an anchor")
        seen.add(cell.id)


def build(name: str, *, run: bool = True) -> Path:
    """Write solutions/<name>.ipynb from tools/lessons/<name>.md."""
    notebook = nbformat.v4.new_notebook(cells=parse((SOURCES / f"{name}.md").read_text()))
    if run:
        execute(notebook, SOLUTIONS)
    clean(notebook)
    name_cells(notebook)
    target = SOLUTIONS / f"{name}.ipynb"
    target.write_text(nbformat.writes(notebook) + "\n")
    return target


def lesson_names() -> list[str]:
    return sorted(p.stem for p in SOURCES.glob("[0-9][0-9]-*.md"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson names (default: all)")
    parser.add_argument("--no-run", action="store_true", help="write without executing")
    args = parser.parse_args(argv)
    for name in args.lessons or lesson_names():
        print(build(name, run=not args.no_run).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
