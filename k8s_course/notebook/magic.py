"""The `%%manifest` cell magic (registered by `%load_ext k8s_course`).

    %%manifest web
    apiVersion: v1
    kind: Service
    ...

checks the cell's YAML and shows the report; with a name (`web` above), the
parsed Bundle is kept in that variable for later cells (e.g. `diagram(web)`).
`--diagram` also draws the picture of the cell's objects.
"""

from __future__ import annotations

from typing import Any

from ..pipeline import check

USAGE = "usage: %%manifest [name] [--diagram]   (name: a Python variable for the parsed objects)"
CELL_NAME = "<cell>"


class _Usage:
    """A one-line correction for a mistyped magic line (never a traceback)."""

    def __init__(self, problem: str):
        self.text = f"{problem}\n{USAGE}"

    def __repr__(self) -> str:
        return self.text


def parse_magic_line(line: str) -> tuple[str | None, bool, str | None]:
    """`%%manifest` arguments -> (variable name, draw a diagram?, problem)."""
    name, draw = None, False
    for word in line.split():
        if word == "--diagram":
            draw = True
        elif word.startswith("-"):
            return None, False, f"%%manifest has no option {word}"
        elif name is not None:
            return None, False, "%%manifest takes at most one variable name"
        elif not word.isidentifier():
            return None, False, f"{word!r} cannot be a Python variable name"
        else:
            name = word
    return name, draw, None


def manifest(line: str, cell: str, namespace: dict | None = None) -> list[Any]:
    """What `%%manifest` shows for a cell: the report (and the diagram when asked).

    With a variable name, the parsed Bundle is stored in `namespace`.
    """
    name, draw, problem = parse_magic_line(line)
    if problem:
        return [_Usage(problem)]
    report = check(cell, name=CELL_NAME)
    if name is not None and namespace is not None:
        namespace[name] = report.bundle
    if not draw:
        return [report]
    from ..picture import diagram  # drawing code loads only when asked for

    return [report, diagram(report)]


def load_ipython_extension(ipython: Any) -> None:
    """Register `%%manifest` in this IPython (called by `%load_ext k8s_course`)."""
    from IPython.display import display  # IPython is there whenever this runs

    def manifest_magic(line: str, cell: str) -> None:
        for shown in manifest(line, cell, ipython.user_ns):
            display(shown)

    manifest_magic.__doc__ = manifest.__doc__
    ipython.register_magic_function(manifest_magic, magic_kind="cell", magic_name="manifest")

