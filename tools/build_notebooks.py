"""Generate the learner notebooks in notebooks/ from the solution notebooks in solutions/.

    python -m tools.build_notebooks            # (re)write notebooks/*.ipynb
    python -m tools.build_notebooks --check    # exit 1 when a committed one is stale

In every cell of a solution notebook:
- a `### BEGIN SOLUTION` ... `### END SOLUTION` region is removed;
- a `### BEGIN STUDENT` ... `### END STUDENT` block (its lines written as
  comments, so the solution notebook ignores them) is uncommented and takes
  its place; a solution region with no such block right after it becomes
  `# your answer here` (in Markdown: `*Your answer here.*`), so the cell still runs;
- outputs and execution counts of code cells tagged `graded`, and of cells
  that held a solution, are cleared: they would show the solution's result.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_STUDENT, END_STUDENT = "### BEGIN STUDENT", "### END STUDENT"
GRADED_TAG = "graded"
PLACEHOLDER = {"code": "# your answer here", "markdown": "*Your answer here.*"}
_COMMENTED = re.compile(r"^(\s*)#(?: |$)(.*)$")
ROOT = Path(__file__).resolve().parents[1]


class BuildError(ValueError):
    """A solution notebook whose markers do not pair up."""


def _block(lines: list[str], start: int, end_marker: str, where: str) -> int:
    """Index of the line closing the block opened at `start`."""
    for index in range(start + 1, len(lines)):
        marker = lines[index].strip()
        if marker == end_marker:
            return index
        if marker in (BEGIN_SOLUTION, BEGIN_STUDENT):
            break
    raise BuildError(f"{where}: line {start + 1} opens {lines[start].strip()!r} "
                     f"with no {end_marker!r} after it")


def _uncomment(line: str, where: str) -> str:
    match = _COMMENTED.match(line)
    if match is None:
        raise BuildError(f"{where}: {line!r} in a STUDENT block must be a comment (`# ...`)")
    return match[1] + match[2]


def strip_source(source: str, cell_type: str = "code", where: str = "cell") -> tuple[str, bool]:
    """The learner's version of a cell's source, and whether it held a solution."""
    lines = source.split("\n")
    out: list[str] = []
    index, changed = 0, False
    while index < len(lines):
        marker = lines[index].strip()
        if marker in (END_SOLUTION, END_STUDENT):
            raise BuildError(f"{where}: line {index + 1} closes a block that was never opened")
        if marker == BEGIN_STUDENT:
            end = _block(lines, index, END_STUDENT, where)
            out += [_uncomment(line, where) for line in lines[index + 1:end]]
            index, changed = end + 1, True
        elif marker == BEGIN_SOLUTION:
            end = _block(lines, index, END_SOLUTION, where)
            follows = lines[end + 1].strip() if end + 1 < len(lines) else ""
            if follows != BEGIN_STUDENT:
                indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
                out.append(indent + PLACEHOLDER.get(cell_type, PLACEHOLDER["code"]))
            index, changed = end + 1, True
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out), changed


def build(notebook: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    """The learner notebook made from a solution notebook (the input is not changed)."""
    learner = nbformat.from_dict(notebook)
    for number, cell in enumerate(learner.cells, 1):
        source, changed = strip_source(cell.source, cell.cell_type, f"{name} cell {number}")
        cell.source = source
        graded = GRADED_TAG in cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and (changed or graded):
            cell.outputs = []
            cell.execution_count = None
    return learner


def render(path: Path) -> str:
    """The text of the learner notebook built from the solution notebook at `path`."""
    notebook = nbformat.read(path, as_version=4)
    return nbformat.writes(build(notebook, path.name)) + "\n"


def build_all(solutions: Path, notebooks: Path, *, check: bool = False) -> list[Path]:
    """Write (or with check=True, only compare) every learner notebook; the stale ones."""
    stale = []
    for source in sorted(solutions.glob("*.ipynb")):
        target = notebooks / source.name
        text = render(source)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(target)
            if not check:
                notebooks.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions")
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a learner notebook is out of date")
    args = parser.parse_args(argv)
    try:
        stale = build_all(args.solutions, args.out, check=args.check)
    except BuildError as error:
        print(f"build_notebooks: {error}", file=sys.stderr)
        return 2
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'} {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
