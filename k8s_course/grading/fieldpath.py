"""Field paths as instructors write them: `spec.template.spec.containers[*].image`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..rules.fields import values_at as walk

ANY = "*"  # the `[*]` step: every item of a list

# `name`, `.name`, `[3]`, `[*]`, `["app.kubernetes.io/name"]`
_STEP = re.compile(r"""(?P<dot>\.)?(?P<name>[A-Za-z0-9_$-]+)
                       | \[ (?: (?P<index>\d+) | (?P<any>\*)
                               | "(?P<dq>[^"]*)" | '(?P<sq>[^']*)' ) \]""", re.VERBOSE)

Step = str | int
FieldPath = tuple[Step, ...]


def parse(text: str) -> FieldPath:
    """"spec.containers[0].image" -> ("spec", "containers", 0, "image").

    Raises ValueError saying where the path stops making sense.
    """
    steps: list[Step] = []
    position = 0
    while position < len(text):
        match = _STEP.match(text, position)
        if match is None or (match["name"] and bool(match["dot"]) != bool(steps)):
            raise ValueError(f"cannot read the path {text!r} at character {position + 1}; "
                             'write it like spec.containers[0].image or labels["app"]')
        if match["name"] is not None:
            steps.append(match["name"])
        elif match["index"] is not None:
            steps.append(int(match["index"]))
        elif match["any"] is not None:
            steps.append(ANY)
        else:
            steps.append(match["dq"] if match["dq"] is not None else match["sq"])
        position = match.end()
    if not steps:
        raise ValueError("the path is empty; write it like spec.replicas")
    return tuple(steps)


def values_at(node: Any, path: FieldPath) -> Iterator[Any]:
    """Every value the path reaches (several with `[*]`, none when it is missing)."""
    return (value for _, value in walk(node, path))
