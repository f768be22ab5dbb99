"""Laying out and drawing a Diagram as SVG (see `layout.py` for what is drawn).

Columns of boxes inside one area per namespace; curved arrows between them,
their labels placed where they do not cover one another. Colours come from
JupyterLab's --jp-* theme variables (with light fallbacks when the SVG is
shown on its own), so the picture reads in light and dark themes.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from math import ceil

from .model import CLUSTER_WIDE, ENTRY_COLUMN, Edge, Node, Scene

NODE_WIDTH = 220  # the narrowest box; a box grows to fit its longest text
COLUMN_GAP = 170  # the narrowest room between columns; grows to fit the edge labels
PAD = 16
AREA_HEAD = 30
LINE = 15
TEMPLATE_BOX = 36
NAME_CHARS = 28  # longer names are cut (the full name is in the tooltip)
LOOP = 60  # how far an arrow between two boxes of one column bulges to the left
LEGEND = ("Arrows: who selects, scales or uses whom.",
          "Service edges read port → targetPort → containerPort.",
          "Dashed orange: leads nowhere.")

# Font size and weight of each kind of text (the CSS below says the same).
FONTS = {"k8sd-area-title": (13, True), "k8sd-kind": (11, False), "k8sd-name": (13, True),
         "k8sd-line": (11, False), "k8sd-label": (11, False), "k8sd-legend": (11, False)}

# Widths in em, on the generous side of common sans-serif fonts (DejaVu Sans is the
# widest usual one), so an estimated box always holds the drawn text.
_NARROW, _WIDE = set("iIjlft.,:;'|!()[]{} "), set("mwMW@%→…—")


def text_width(text: str, css_class: str) -> float:
    """The width in px the text takes at its class's font, estimated without a browser."""
    size, bold = FONTS[css_class]
    ems = sum(0.42 if ch in _NARROW else 1.05 if ch in _WIDE else 0.8 if ch.isupper()
              else 0.66 for ch in text)
    return ems * size * (1.1 if bold else 1.0)

_STYLE = """
.k8sd-bg{fill:var(--jp-layout-color0,#fff)}
.k8sd-area{fill:rgba(127,127,127,.07);stroke:var(--jp-border-color1,#bdbdbd);stroke-width:1}
.k8sd-area-title{fill:var(--jp-ui-font-color1,#333);font-weight:600;font-size:13px}
.k8sd-box{fill:var(--jp-layout-color1,#fff);stroke:var(--jp-border-color0,#9e9e9e);stroke-width:1}
.k8sd-template{fill:rgba(30,136,229,.12);stroke:#1e88e5;stroke-width:1}
.k8sd-kind{fill:var(--jp-ui-font-color2,#666);font-size:11px}
.k8sd-name{fill:var(--jp-ui-font-color0,#111);font-size:13px;font-weight:600}
.k8sd-line{fill:var(--jp-ui-font-color1,#333);font-size:11px}
.k8sd-edge{fill:none;stroke:var(--jp-ui-font-color2,#777);stroke-width:1.5}
.k8sd-label{fill:var(--jp-ui-font-color1,#333);font-size:11px;paint-order:stroke;
  stroke:var(--jp-layout-color0,#fff);stroke-width:4px;stroke-linejoin:round}
.k8sd-arrow{fill:var(--jp-ui-font-color2,#777)}
.k8sd{--k8sd-warn:#c2410c}
[data-jp-theme-light=false] .k8sd{--k8sd-warn:#ff8a4c}
.k8sd-broken .k8sd-edge,.k8sd-missing .k8sd-box{stroke:var(--k8sd-warn);stroke-dasharray:6 4}
.k8sd-broken .k8sd-edge{stroke-width:2}
.k8sd-broken .k8sd-label,.k8sd-missing .k8sd-kind,.k8sd-missing .k8sd-line,
.k8sd-legend.k8sd-legend-broken,.k8sd-arrow-broken{fill:var(--k8sd-warn)}
.k8sd-missing .k8sd-box{fill:rgba(232,89,12,.08)}
.k8sd-legend{fill:var(--jp-ui-font-color2,#666);font-size:11px}
.k8sd text{font-family:var(--jp-ui-font-family,system-ui,sans-serif)}
"""


@dataclass
class _Box:
    x: float
    y: float
    width: float
    height: float
    template_y: float | None  # middle of the pod template box


@dataclass
class _Plan:
    """Where everything goes, and the picture's size, all from the content."""

    boxes: dict[str, _Box]
    areas: list[tuple[str, float, float, float]]  # title, top, height, width
    width: float
    height: float
    legend_top: float


def _node_height(node: Node) -> float:
    return 40 + LINE * len(node.lines) + (TEMPLATE_BOX + 8 if node.template is not None else 0)


def _cut(text: str, width: int = NAME_CHARS) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _node_texts(node: Node) -> list[tuple[str, str, float]]:
    """(text, class, indent) of every text drawn in a node's box."""
    kind = node.kind + (" (missing)" if node.missing else "")
    texts = [(kind, "k8sd-kind", 10), (_cut(node.name), "k8sd-name", 10)]
    texts += [(_cut(line, 34), "k8sd-line", 10) for line in node.lines]
    if node.template is not None:
        texts += [("pod template", "k8sd-kind", 16), (_cut(node.template, 32), "k8sd-line", 16)]
    return texts


def _node_width(node: Node) -> int:
    return max(NODE_WIDTH, *(ceil(indent * 2 + text_width(text, css))
                             for text, css, indent in _node_texts(node)))


def _label_width(labels: tuple[str, ...]) -> int:
    return ceil(max((text_width(label, "k8sd-label") for label in labels), default=0)) + 8


def _drawing_order(diagram: Scene) -> list[Node]:
    """Nodes in the order they are stacked: entry points sorted by what they point
    at, so that arrows from the left column cross each other as little as possible."""
    position = {node.key: i for i, node in enumerate(diagram.nodes)}
    first_target: dict[str, int] = {}
    for edge in diagram.edges:
        first_target.setdefault(edge.source, position[edge.target])
    return sorted(diagram.nodes, key=lambda n: (
        first_target.get(n.key, len(position)) if n.column == ENTRY_COLUMN else 0, position[n.key]))


def _area_title(diagram: Scene, namespace: str) -> str:
    if namespace == CLUSTER_WIDE:
        return "cluster-wide objects"
    if namespace in diagram.namespaces_created:
        return f"namespace {namespace}"
    return f"namespace {namespace} (not created in this answer)"


def _layout(diagram: Scene) -> _Plan:
    """Boxes for nodes, areas for namespaces, the legend: sized to what they hold."""
    columns = sorted({node.column for node in diagram.nodes})
    column_width = {c: max(_node_width(n) for n in diagram.nodes if n.column == c)
                    for c in columns}
    column_of = {node.key: node.column for node in diagram.nodes}
    widest_label = max((_label_width(e.labels) for e in diagram.edges), default=0)
    gap = max(COLUMN_GAP, widest_label + 40)
    # an arrow inside one column loops out to the left: room for it and its label
    loops = [e for e in diagram.edges if column_of[e.source] == column_of[e.target]]
    left = PAD * 2 + (max(LOOP + ceil(_label_width(e.labels) / 2) for e in loops) if loops else 0)
    x_of, x = {}, left
    for column in columns:
        x_of[column] = x
        x += column_width[column] + gap
    content_right = x - gap + PAD  # the right edge of the areas, from their boxes
    titles = {ns: _area_title(diagram, ns) for ns in diagram.areas()}
    title_right = max(PAD + 24 + ceil(text_width(t, "k8sd-area-title")) for t in titles.values())
    area_right = max(content_right, title_right)
    ordered = _drawing_order(diagram)
    boxes: dict[str, _Box] = {}
    areas = []
    y = PAD
    for namespace in diagram.areas():
        members = [n for n in ordered if n.namespace == namespace]
        bottom = {column: y + AREA_HEAD for column in columns}
        for node in members:
            top = bottom[node.column]
            template_y = (top + 42 + LINE * len(node.lines) + TEMPLATE_BOX / 2
                          if node.template is not None else None)
            boxes[node.key] = _Box(x_of[node.column], top, column_width[node.column],
                                   _node_height(node), template_y)
            bottom[node.column] = top + _node_height(node) + 14
        area_height = max(bottom.values()) - y + (PAD if members else 10)
        areas.append((titles[namespace], y, area_height, area_right - PAD))
        y += area_height + PAD
    legend_right = PAD + max(ceil(text_width(line, "k8sd-legend")) for line in LEGEND)
    width = max(area_right, legend_right) + PAD
    return _Plan(boxes, areas, width, y + LINE * len(LEGEND) + 6, y)


def _draw_node(node: Node, box: _Box) -> str:
    classes = "k8sd-node k8sd-missing" if node.missing else "k8sd-node"
    title = f"{node.kind}/{node.name}" + (f": {node.note}" if node.note else "")
    parts = [f'<g class="{classes}" data-kind="{escape(node.kind)}" '
             f'data-name="{escape(node.name)}" data-namespace="{escape(node.namespace)}">',
             f"<title>{escape(title)}</title>",
             f'<rect class="k8sd-box" x="{box.x}" y="{box.y}" width="{box.width}" '
             f'height="{box.height}" rx="6"/>']
    texts = _node_texts(node)
    tops = [box.y + 16, box.y + 33, *(box.y + 50 + i * LINE for i in range(len(node.lines)))]
    if node.template is not None and box.template_y is not None:
        top = box.template_y - TEMPLATE_BOX / 2
        parts.append(f'<rect class="k8sd-template" x="{box.x + 8}" y="{top}" '
                     f'width="{box.width - 16}" height="{TEMPLATE_BOX}" rx="4"/>')
        tops += [top + 14, top + 29]
    for (text, css, indent), y in zip(texts, tops, strict=True):
        parts.append(f'<text class="{css}" x="{box.x + indent}" y="{y}">{escape(text)}</text>')
    parts.append("</g>")
    return "".join(parts)


class _Labels:
    """Places edge labels along their curves where they do not cover one another."""

    SPOTS = (0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6)  # how far along the curve to try

    def __init__(self) -> None:
        self.taken: list[tuple[float, float, float, float]] = []

    def place(self, curve: tuple[tuple[float, float], ...], labels: tuple[str, ...]
              ) -> tuple[float, float]:
        half_width = _label_width(labels) / 2
        half_height = len(labels) * LINE / 2 + 2
        choice = None
        for t in self.SPOTS:
            x, y = _bezier(curve, t)
            box = (x - half_width, y - half_height, x + half_width, y + half_height)
            if not any(_overlap(box, other) for other in self.taken):
                choice = (x, y, box)
                break
        if choice is None:  # crowded everywhere: the middle, like a plain drawing
            x, y = _bezier(curve, 0.5)
            choice = (x, y, (x - half_width, y - half_height, x + half_width, y + half_height))
        self.taken.append(choice[2])
        return choice[0], choice[1]


def _bezier(curve: tuple[tuple[float, float], ...], t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    u = 1 - t
    weights = (u ** 3, 3 * u * u * t, 3 * u * t * t, t ** 3)
    return (sum(w * x for w, x in zip(weights, (x0, x1, x2, x3), strict=True)),
            sum(w * y for w, y in zip(weights, (y0, y1, y2, y3), strict=True)))


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _draw_edge(edge: Edge, boxes: dict[str, _Box], nodes: dict[str, Node],
               labels: _Labels) -> str:
    source, target = boxes[edge.source], boxes[edge.target]
    y1 = source.template_y if edge.from_template and source.template_y else source.y + 24
    y2 = target.template_y if edge.to_template and target.template_y else target.y + 24
    if nodes[edge.source].column == nodes[edge.target].column:
        # same column (an Ingress and its Service): loop out to the left
        x1, x2 = source.x, target.x - 2
        curve = ((x1, y1), (x1 - LOOP, y1), (x2 - LOOP, y2), (x2, y2))
    else:
        x1, x2 = source.x + source.width, target.x - 2
        bend = (x2 - x1) / 2
        curve = ((x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2))
    path = "M{},{} C{},{} {},{} {},{}".format(*(round(v, 1) for point in curve for v in point))
    classes = "k8sd-link k8sd-broken" if edge.broken else "k8sd-link"
    marker = "k8sd-head-broken" if edge.broken else "k8sd-head"
    source_node, target_node = nodes[edge.source], nodes[edge.target]
    source_ref = f"{source_node.kind}/{source_node.name}"
    target_ref = f"{target_node.kind}/{target_node.name}"
    parts = [f'<g class="{classes}" data-from="{escape(source_ref)}" '
             f'data-to="{escape(target_ref)}">',
             f"<title>{escape(source_ref)} → {escape(target_ref)}</title>",
             f'<path class="k8sd-edge" d="{path}" marker-end="url(#{marker})"/>']
    if edge.labels:
        x, y = labels.place(curve, edge.labels)
        first = y - (len(edge.labels) - 1) * LINE / 2 + 4
        for i, label in enumerate(edge.labels):
            parts.append(f'<text class="k8sd-label" x="{round(x, 1)}" '
                         f'y="{round(first + i * LINE, 1)}" text-anchor="middle">'
                         f"{escape(label)}</text>")
    parts.append("</g>")
    return "".join(parts)


def draw(diagram: Scene) -> str:
    """The diagram as a standalone SVG document (also fine inline in HTML)."""
    if not diagram.nodes:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="420" height="40" '
                'class="k8sd" role="img"><style>' + _STYLE + '</style>'
                '<text class="k8sd-legend" x="10" y="24">Nothing to draw: '
                "this answer has no Kubernetes objects yet.</text></svg>")
    plan = _layout(diagram)
    width, height = round(plan.width), round(plan.height)
    nodes = {node.key: node for node in diagram.nodes}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="k8sd" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
           "<title>How the objects of this answer fit together</title>",
           f"<style>{_STYLE}</style>",
           "<defs>",
           *(f'<marker id="k8sd-head{suffix}" viewBox="0 0 10 10" refX="9" refY="5" '
             f'markerWidth="7" markerHeight="7" orient="auto"><path '
             f'class="k8sd-arrow{suffix}" d="M0,0 L10,5 L0,10 z"/></marker>'
             for suffix in ("", "-broken")),
           "</defs>",
           f'<rect class="k8sd-bg" x="0" y="0" width="{width}" height="{height}"/>']
    for title, top, area_height, area_width in plan.areas:
        out.append(f'<g class="k8sd-ns"><rect class="k8sd-area" x="{PAD}" y="{top}" '
                   f'width="{area_width}" height="{area_height}" rx="10"/>'
                   f'<text class="k8sd-area-title" x="{PAD + 12}" y="{top + 20}">'
                   f"{escape(title)}</text></g>")
    out += [_draw_node(node, plan.boxes[node.key]) for node in diagram.nodes]
    labels = _Labels()
    out += [_draw_edge(edge, plan.boxes, nodes, labels) for edge in diagram.edges]
    for i, line in enumerate(LEGEND):
        css = "k8sd-legend k8sd-legend-broken" if i == len(LEGEND) - 1 else "k8sd-legend"
        out.append(f'<text class="{css}" x="{PAD}" y="{plan.legend_top + 12 + i * LINE}">'
                   f"{escape(line)}</text>")
    out.append("</svg>")
    return "".join(out)
