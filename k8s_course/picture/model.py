"""The plain data of a diagram: boxes, arrows and the columns they stand in.

Both the layout (which builds them from a Bundle) and the SVG drawing read
these; neither imports the other's module for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The three columns of a namespace's area: entry points, workloads, what pods use.
ENTRY_COLUMN, WORKLOAD_COLUMN, USED_COLUMN = 0, 1, 2
CLUSTER_WIDE = ""  # the "namespace" of cluster-scoped objects


@dataclass(frozen=True)
class Node:
    """One box: an object of the answer, or a ghost for one it names but lacks."""

    key: str
    kind: str
    name: str
    namespace: str  # "" for cluster-wide objects
    column: int
    lines: tuple[str, ...] = ()
    template: str | None = None  # the pod template's labels, for workloads
    missing: bool = False
    note: str = ""
    built_in: bool = False  # a ClusterRole every cluster has (view, edit...): not the answer's


@dataclass(frozen=True)
class Edge:
    """One arrow; `broken` when it leads nowhere the answer defines."""

    source: str
    target: str
    labels: tuple[str, ...] = ()
    broken: bool = False
    from_template: bool = False  # starts at the source's pod template box
    to_template: bool = False  # ends at the target's pod template box


class Scene(Protocol):
    """What the drawing reads of a Diagram."""

    nodes: list[Node]
    edges: list[Edge]
    namespaces_created: list[str]

    def areas(self) -> list[str]: ...
