"""A picture of an answer: who selects, runs, uses and scales whom, as inline SVG.

`diagram(answer)` turns a Bundle (or a Report, or YAML text) into nodes and
edges (plain data), then lays them out in columns inside one area per
namespace: entry points (Ingress, Service, HPA, PDB) on the left, workloads
with their pod template in the middle, what pods use (ConfigMap, Secret,
PVC, ServiceAccount) on the right, with how they use them (env, envFrom,
files at a path); RoleBindings point at the ServiceAccounts they name and
the Role they grant. A link that leads nowhere (a selector
matching no pod, a port no container listens on, a name the answer does not
define) is drawn dashed in a warning colour, to a ghost box.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from ..access import BUILT_IN_CLUSTER_ROLES
from ..bundle import Bundle, Resource
from ..graph import (
    TEMPLATE_PATHS,
    PodTemplate,
    as_mapping,
    graph_of,
    ingress_backends,
    mappings_in,
    pod_references,
    pod_template_of,
    uses_of,
)
from ..report import Report
from .model import CLUSTER_WIDE, ENTRY_COLUMN, USED_COLUMN, WORKLOAD_COLUMN, Edge, Node
from .svg import draw

# Which column a kind is drawn in; kinds not listed go with the things pods use.
_COLUMNS = {"Ingress": ENTRY_COLUMN, "Service": ENTRY_COLUMN,
            "HorizontalPodAutoscaler": ENTRY_COLUMN, "PodDisruptionBudget": ENTRY_COLUMN,
            "Pod": WORKLOAD_COLUMN,
            # a binding points right, at the accounts and roles it ties together
            "RoleBinding": WORKLOAD_COLUMN, "ClusterRoleBinding": WORKLOAD_COLUMN}


def _pairs(labels: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in labels.items()) or "no labels"


def _key(resource: Resource) -> str:
    # the line too: the items of one `kind: List` document share its index
    return f"{resource.file}#{resource.document.index}:{resource.document.line}"


def _column(kind: str) -> int:
    if kind in _COLUMNS:
        return _COLUMNS[kind]
    return WORKLOAD_COLUMN if kind in TEMPLATE_PATHS else USED_COLUMN


def _details(resource: Resource, template: PodTemplate | None) -> tuple[str, ...]:
    """A line or two that says what matters about the object (never a secret's value)."""
    kind, get = resource.kind, resource.get
    lines: list[str] = []
    if template is not None:
        replicas = get(("spec", "replicas"))
        if isinstance(replicas, int) and resource.kind != "Pod":
            lines.append(f"replicas {replicas}")
        ports = [str(p.get("containerPort")) + (f" ({p['name']})" if p.get("name") else "")
                 for _, p in template.ports()]
        if ports:
            lines.append("ports " + ", ".join(ports))
    elif kind == "Service":
        lines.append(str(get(("spec", "type")) or "ClusterIP"))
        selector = get(("spec", "selector"))
        if isinstance(selector, dict) and selector:
            lines.append("selects " + _pairs(selector))
    elif kind in ("ConfigMap", "Secret"):
        keys = len(as_mapping(get(("data",)))) + len(as_mapping(get(("stringData",))))
        lines.append(f"{keys} key" + ("" if keys == 1 else "s"))
    elif kind == "PersistentVolumeClaim":
        size = get(("spec", "resources", "requests", "storage"))
        if size is not None:
            lines.append(f"asks for {size}")
    elif kind == "HorizontalPodAutoscaler":
        low, high = get(("spec", "minReplicas"), 1), get(("spec", "maxReplicas"), "?")
        lines.append(f"{low} to {high} replicas")
    elif kind == "PodDisruptionBudget":
        for field_name in ("minAvailable", "maxUnavailable"):
            if get(("spec", field_name)) is not None:
                lines.append(f"{field_name} {get(('spec', field_name))}")
    return tuple(lines)


def _port_chain(service: Resource, template: PodTemplate) -> tuple[tuple[str, ...], bool]:
    """"80 → 8000 → 8000" per Service port, and whether one reaches no container port."""
    labels: list[str] = []
    broken = False
    for _, port in mappings_in(service.get(("spec", "ports"))):
        number = port.get("port", "?")
        target = port.get("targetPort", number)
        listening = [p.get("containerPort") for _, p in template.ports()
                     if p.get("name") == target or p.get("containerPort") == target]
        if template.has_port(target) and listening:
            labels.append(f"{number} → {target} → {listening[0]}")
        else:
            labels.append(f"{number} → {target} → nothing")
            broken = True
    return tuple(labels), broken


@dataclass
class Diagram:
    """The nodes and edges of an answer, drawn as SVG (`.svg`) in a notebook."""

    nodes: list[Node]
    edges: list[Edge]
    namespaces_created: list[str] = field(default_factory=list)

    @property
    def broken(self) -> list[Edge]:
        return [edge for edge in self.edges if edge.broken]

    def areas(self) -> list[str]:
        """Namespaces in drawing order: those the answer creates, then the rest."""
        order = [*self.namespaces_created]
        for node in self.nodes:
            if node.namespace not in order:
                order.append(node.namespace)
        return order

    @cached_property
    def svg(self) -> str:
        return draw(self)

    def text(self) -> str:
        """The picture in words, one arrow a line (for plain front ends and nbval)."""
        nodes = {node.key: node for node in self.nodes}
        lines = []
        for edge in self.edges:
            source, target = nodes[edge.source], nodes[edge.target]
            mark = "BROKEN " if edge.broken else ""
            lines.append(f"{mark}{source.kind}/{source.name} -> {target.kind}/{target.name}"
                         f"  ({'; '.join(edge.labels)})")
        linked = {key for edge in self.edges for key in (edge.source, edge.target)}
        lines += [f"{node.kind}/{node.name} (no links)" for node in self.nodes
                  if node.key not in linked]
        return "\n".join([repr(self), *lines])

    def __repr__(self) -> str:
        objects = sum(not node.missing and not node.built_in for node in self.nodes)
        broken = len(self.broken)
        return (f"<Diagram: {objects} object{'' if objects == 1 else 's'}, "
                f"{broken} broken link{'' if broken == 1 else 's'}>")

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return f'<div style="overflow-x:auto">{self.svg}</div>'


class _Builder:
    """Collects the nodes and edges of one bundle."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self.graph = graph_of(bundle)
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []

    def build(self) -> Diagram:
        for resource in self.bundle:
            if resource.kind and resource.kind != "Namespace":
                template = pod_template_of(resource)
                self.nodes[_key(resource)] = Node(
                    _key(resource), resource.kind, resource.name or "?",
                    CLUSTER_WIDE if resource.cluster_scoped else resource.namespace,
                    _column(resource.kind), _details(resource, template),
                    _pairs(template.labels) if template else None)
        for resource in self.bundle:
            self.edges += self._edges_of(resource)
        namespaces = [r.name for r in self.bundle.of_kind("Namespace") if r.name]
        return Diagram(list(self.nodes.values()), self.edges, namespaces)

    def _ghost(self, kind: str, name: str, namespace: str, note: str) -> str:
        key = f"missing:{namespace}/{kind}/{name}"
        self.nodes.setdefault(key, Node(key, kind, name, namespace, _column(kind),
                                        (note,), missing=True, note=note))
        return key

    def _target(self, kind: str, name: str, namespace: str) -> tuple[str, bool]:
        """The node of the object named, or a ghost for it; and whether it is a ghost."""
        found = self.bundle.find(kind, name, namespace)
        if found is not None:
            return _key(found), False
        return self._ghost(kind, name, namespace, "not in this answer"), True

    def _edges_of(self, resource: Resource) -> Iterator[Edge]:
        key, namespace = _key(resource), resource.namespace
        if resource.kind == "Service":
            yield from self._service_edges(resource)
        elif resource.kind == "PodDisruptionBudget":
            selector = as_mapping(resource.get(("spec", "selector")))
            yield from self._selection(resource, self.graph.selected_by_selector(
                namespace, selector), _pairs(as_mapping(selector.get("matchLabels"))))
        elif resource.kind == "HorizontalPodAutoscaler":
            ref = as_mapping(resource.get(("spec", "scaleTargetRef")))
            kind, name = ref.get("kind"), ref.get("name")
            if isinstance(kind, str) and isinstance(name, str):
                target, missing = self._target(kind, name, namespace)
                yield Edge(key, target, ("scales",), missing)
        elif resource.kind == "Ingress":
            yield from self._ingress_edges(resource)
        elif resource.kind in _BINDINGS:
            yield from self._binding_edges(resource)
        template = pod_template_of(resource)
        if template is not None:
            how = _how_used(template)
            seen = set()
            for kind, name, _ in pod_references(template):
                if (kind, name) not in seen:
                    seen.add((kind, name))
                    target, missing = self._target(kind, name, namespace)
                    labels = how.get((kind, name), ("uses",))
                    # a volume no container mounts leads nowhere, like a missing object
                    yield Edge(key, target, labels, missing or labels == (_UNMOUNTED,),
                               from_template=True)

    def _service_edges(self, service: Resource) -> Iterator[Edge]:
        selector = service.get(("spec", "selector"))
        if not isinstance(selector, dict) or not selector:
            return  # no selector: endpoints are managed by hand, nothing to draw
        yield from self._selection(service, self.graph.service_targets(service),
                                   _pairs(selector))

    def _selection(self, resource: Resource, templates: list[PodTemplate],
                   wanted: str) -> Iterator[Edge]:
        """Edges from a selecting object to the pod templates it matches, or to a ghost."""
        key = _key(resource)
        if not templates:
            ghost = self._ghost("Pod", wanted, resource.namespace,
                                "no pod template has these labels")
            yield Edge(key, ghost, ("selects nothing",), True, to_template=False)
            return
        for template in templates:
            labels, broken = (_port_chain(resource, template) if resource.kind == "Service"
                              else (("selects",), False))
            yield Edge(key, _key(template.owner), labels, broken, to_template=True)

    def _ingress_edges(self, ingress: Resource) -> Iterator[Edge]:
        seen = set()
        for _, backend in ingress_backends(ingress):
            name = backend.get("name")
            if isinstance(name, str) and name not in seen:
                seen.add(name)
                port = as_mapping(backend.get("port"))
                target, missing = self._target("Service", name, ingress.namespace)
                label = f"port {port.get('number') or port.get('name') or '?'}"
                yield Edge(_key(ingress), target, (label,), missing)

    # --- who is bound to which role (lesson 07) -----------------------------------

    def _binding_edges(self, binding: Resource) -> Iterator[Edge]:
        """A binding's arrows: to the role it grants, and to each ServiceAccount it names."""
        key = _key(binding)
        ref = as_mapping(binding.get(("roleRef",)))
        kind, name = ref.get("kind"), ref.get("name")
        if kind in ("Role", "ClusterRole") and isinstance(name, str) and name:
            namespace = binding.namespace if kind == "Role" else CLUSTER_WIDE
            found = self.bundle.find(kind, name, namespace or None)
            if found is not None:
                yield Edge(key, _key(found), ("grants",))
            elif kind == "ClusterRole" and (name in BUILT_IN_CLUSTER_ROLES or
                                            name.startswith("system:")):
                node = f"built-in:{name}"
                self.nodes.setdefault(node, Node(node, kind, name, CLUSTER_WIDE, USED_COLUMN,
                                                 ("built into every cluster",), built_in=True))
                yield Edge(key, node, ("grants",))
            else:
                yield Edge(key, self._ghost(kind, name, namespace, "not in this answer"),
                           ("grants",), True)
        for _, subject in mappings_in(binding.get(("subjects",))):
            name = subject.get("name")
            if subject.get("kind") != "ServiceAccount" or not isinstance(name, str) or not name:
                continue
            namespace = subject.get("namespace") or binding.namespace
            if not isinstance(namespace, str) or not namespace:
                continue  # no namespace in a ClusterRoleBinding: names nobody
            target, missing = self._target("ServiceAccount", name, namespace)
            yield Edge(key, target, ("subject",), missing)


_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_UNMOUNTED = "volume, not mounted"


def _how_used(template: PodTemplate) -> dict[tuple[str, str], tuple[str, ...]]:
    """(kind, name) -> labels saying how the pods use it: env, envFrom, files at /path."""
    how: dict[tuple[str, str], list[str]] = {}
    for use in uses_of(template):
        if use.how != "volume":
            words = [use.how]
        elif use.mount_paths:
            words = [f"files at {path}" for path in use.mount_paths]
        else:
            words = [_UNMOUNTED]
        labels = how.setdefault((use.kind, use.name), [])
        labels += [word for word in words if word not in labels]
    for kind, name, _ in pod_references(template):
        if kind == "ServiceAccount":
            how[(kind, name)] = ["runs as"]
    return {ref: tuple(labels) for ref, labels in how.items()}


def diagram(answer: Bundle | Report | str) -> Diagram:
    """The picture of an answer: a Bundle, a Report, or YAML text (or a path)."""
    if isinstance(answer, Report):
        answer = answer.bundle
    if not isinstance(answer, Bundle):
        from ..pipeline import load  # only when given text: the pipeline imports the rules

        answer, _ = load(answer)
    return _Builder(answer).build()
