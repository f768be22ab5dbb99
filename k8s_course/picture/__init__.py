"""The picture face: an answer drawn as boxes and arrows (inline SVG).

- `model`: the plain data, boxes (`Node`), arrows (`Edge`) and their columns;
- `layout`: a Bundle -> a `Diagram` (who selects, runs, uses and scales whom);
- `svg`: a Diagram laid out in columns per namespace and drawn as SVG.

The package is called `picture`, not `diagram`, because `k8s_course.diagram`
is the public function: a subpackage of that name would replace it.
"""

from .layout import Diagram, diagram

__all__ = ["Diagram", "diagram"]
