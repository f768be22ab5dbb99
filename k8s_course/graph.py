"""Who selects, owns or mounts whom: the relations rules, graders and diagrams share.

Everything is indexed by namespace and label, so relating N objects costs
about N lookups, never N x N comparisons.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .bundle import Bundle, Resource
from .findings import Path

# Where each workload kind keeps its pod template.
TEMPLATE_PATHS: dict[str, Path] = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
WORKLOAD_KINDS = frozenset(TEMPLATE_PATHS) - {"Pod"}


# Shape guards shared by rules, graders and the diagram: a learner's value may be
# any type, and a wrong shape simply reaches nothing.

def as_mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def mappings_in(value: Any) -> Iterator[tuple[int, dict]]:
    """(index, entry) for each mapping in a list value (nothing when it is not a list)."""
    for index, entry in enumerate(as_list(value)):
        if isinstance(entry, dict):
            yield index, entry


def is_whole_number(value: Any) -> bool:
    """An int that YAML read from digits (True and False are ints to Python, not here)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """The pods a workload (or a bare Pod) will run, as written in the bundle.

    Its views of the owner are computed once: a Bundle is not changed once
    it is checked (the Graph that holds these templates assumes as much).
    """

    owner: Resource
    path: Path  # where the pod (metadata + spec) sits inside the owner

    @cached_property
    def namespace(self) -> str:
        return self.owner.namespace

    @cached_property
    def labels(self) -> dict:
        return as_mapping(as_mapping(self.owner.get((*self.path, "metadata"))).get("labels"))

    @property
    def spec_path(self) -> Path:
        return (*self.path, "spec")

    @cached_property
    def spec(self) -> dict:
        return as_mapping(self.owner.get(self.spec_path))

    @cached_property
    def _containers(self) -> tuple[tuple[Path, dict, bool], ...]:
        """(path, container, is an init container) for every container of the pod."""
        return tuple(
            ((*self.spec_path, group, index), container, group == "initContainers")
            for group in ("containers", "initContainers")
            for index, container in mappings_in(self.spec.get(group)))

    def containers(self, *, init: bool = False) -> Iterator[tuple[Path, dict]]:
        """(path, container) for each container (and init container when asked)."""
        return ((path, container) for path, container, is_init in self._containers
                if init or not is_init)

    def ports(self) -> Iterator[tuple[Path, dict]]:
        """(path, port) for every containerPort a Service can send to: those of the
        containers and of the sidecars (init containers with `restartPolicy: Always`,
        which keep running beside them; Kubernetes resolves a named targetPort there too)."""
        for path, container, is_init in self._containers:
            if is_init and container.get("restartPolicy") != "Always":
                continue  # a plain init container has exited before traffic arrives
            for index, port in mappings_in(container.get("ports")):
                yield (*path, "ports", index), port

    def has_port(self, target: Any) -> bool:
        """Does some container declare this port number or port name?"""
        for _, port in self.ports():
            if isinstance(target, str) and port.get("name") == target:
                return True
            if is_whole_number(target) and port.get("containerPort") == target:
                return True
        return False


def pod_template_of(resource: Resource) -> PodTemplate | None:
    path = TEMPLATE_PATHS.get(resource.kind)
    if path is None or not isinstance(resource.get(path), dict):
        return None
    return PodTemplate(resource, path)


def labels_match(selector: dict, labels: dict) -> bool:
    """A plain `key: value` selector (a Service's) against a set of labels."""
    return all(labels.get(key) == value for key, value in selector.items())


def label_selector_matches(selector: dict, labels: dict) -> bool:
    """A LabelSelector (`matchLabels` and `matchExpressions`) against labels.

    An empty selector matches everything, as in Kubernetes.
    """
    if not labels_match(as_mapping(selector.get("matchLabels")), labels):
        return False
    for expression in as_list(selector.get("matchExpressions")):
        expression = as_mapping(expression)
        key, operator = expression.get("key"), expression.get("operator")
        values = as_list(expression.get("values"))
        if not isinstance(key, str):
            continue  # a malformed expression is the schema's (or a rule's) finding
        present = key in labels
        # `In` or `NotIn` without values is malformed too: it neither selects nor refuses
        if operator == "In" and values and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def graph_of(bundle: Bundle) -> Graph:
    """The bundle's relations, indexed on first use and then shared by every rule."""
    graph = bundle.derived.get("graph")
    if graph is None:
        graph = bundle.derived["graph"] = Graph(bundle)
    return graph


class Graph:
    """Indexes over one bundle: pod templates by namespace and label."""

    def __init__(self, bundle: Bundle):
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_ref: dict[tuple[str, str, str], Resource] = {}
        # (earlier, later) definitions of one object; the last one wins, as with `kubectl apply`
        self.redefined: list[tuple[Resource, Resource]] = []
        for resource in bundle:
            self._by_kind[resource.kind].append(resource)
            key = (resource.kind, resource.namespace, resource.name)
            earlier = self._by_ref.get(key)
            if earlier is not None and key[0] and key[2]:
                self.redefined.append((earlier, resource))
            self._by_ref[key] = resource
        self.templates: list[PodTemplate] = []
        self._template_of: dict[Resource, PodTemplate] = {}
        self._by_label: dict[tuple[str, str, Any], list[PodTemplate]] = defaultdict(list)
        self._by_namespace: dict[str, list[PodTemplate]] = defaultdict(list)
        replaced = {id(earlier) for earlier, _ in self.redefined}
        for resource in bundle:
            template = pod_template_of(resource)
            if template is None:
                continue
            self._template_of[resource] = template
            self.templates.append(template)
            if replaced and id(resource) in replaced:
                continue  # its pods are the later definition's: only those can be selected
            self._by_namespace[template.namespace].append(template)
            for key, value in template.labels.items():
                if isinstance(value, str | int | float | bool):
                    self._by_label[(template.namespace, key, value)].append(template)

    def templates_in(self, namespace: str) -> list[PodTemplate]:
        return self._by_namespace.get(namespace, [])

    def selected_by_labels(self, namespace: str, selector: dict) -> list[PodTemplate]:
        """Pod templates in `namespace` carrying every `key: value` of `selector`."""
        pairs = [(k, v) for k, v in selector.items() if isinstance(v, str | int | float | bool)]
        if len(pairs) != len(selector):
            return []
        if not pairs:
            return []  # a Service without selector selects nothing by itself
        candidates = min((self._by_label.get((namespace, k, v), []) for k, v in pairs), key=len)
        return [t for t in candidates if labels_match(selector, t.labels)]

    def service_targets(self, service: Resource) -> list[PodTemplate]:
        """The pod templates a Service's selector matches in its namespace."""
        selector = as_mapping(service.get(("spec", "selector")))
        return self.selected_by_labels(service.namespace, selector)

    def selected_by_selector(self, namespace: str, selector: dict) -> list[PodTemplate]:
        """Pod templates in `namespace` matched by a LabelSelector (PDBs and the like)."""
        match_labels = as_mapping(selector.get("matchLabels"))
        pool = (self.selected_by_labels(namespace, match_labels) if match_labels
                else self.templates_in(namespace))
        return [t for t in pool if label_selector_matches(selector, t.labels)]

    def of_kind(self, kind: str) -> list[Resource]:
        """Every object of `kind`, in bundle order."""
        return self._by_kind.get(kind, [])

    def lookup(self, kind: str, namespace: str, name: str) -> Resource | None:
        """The object of that kind, namespace ("" for cluster-scoped) and name."""
        return self._by_ref.get((kind, namespace, name))

    def names_of(self, kind: str, namespace: str) -> list[str]:
        """The names of the objects of `kind` in `namespace` ("" for cluster-scoped)."""
        return sorted({r.name for r in self.of_kind(kind) if r.namespace == namespace and r.name})

    def close_name(self, kind: str, namespace: str, name: str, cutoff: float = 0.8
                   ) -> str | None:
        """The name of an object of this kind and namespace one or two letters off `name`:
        what a reference with a typo most likely meant."""
        close = difflib.get_close_matches(name, self.names_of(kind, namespace), n=1,
                                          cutoff=cutoff)
        return close[0] if close else None

    def has_label(self, namespace: str, key: str, value: Any) -> bool:
        """Does some pod template in `namespace` carry `key: value`?"""
        if not isinstance(value, str | int | float | bool):
            return False
        return bool(self._by_label.get((namespace, key, value)))

    def template_of(self, resource: Resource) -> PodTemplate | None:
        """The pod template of a resource of this bundle (None when it runs no pods)."""
        return self._template_of.get(resource)

    def namespaces_selected(self, selector: dict) -> list[str]:
        """Namespaces whose pod templates a plain `key: value` selector matches."""
        return [namespace for namespace in self._by_namespace
                if self.selected_by_labels(namespace, selector)]


@dataclass(frozen=True)
class Reference:
    """A pod's use of another object by name (and, for some, of its keys)."""

    kind: str
    name: str
    name_path: Path
    keys: tuple[tuple[str, Path], ...] = ()  # (key, where it is written)
    optional: bool = False


def ingress_backends(ingress: Resource) -> Iterator[tuple[Path, dict]]:
    """(path of `service`, service backend) for the default and every rule's backends."""
    default = ingress.get(("spec", "defaultBackend", "service"))
    if isinstance(default, dict):
        yield ("spec", "defaultBackend", "service"), default
    for i, rule in mappings_in(ingress.get(("spec", "rules"))):
        for j, path in mappings_in(as_mapping(rule.get("http")).get("paths")):
            service = as_mapping(path.get("backend")).get("service")
            if isinstance(service, dict):
                yield ("spec", "rules", i, "http", "paths", j, "backend", "service"), service


# field -> (kind it points at, field holding the object's name)
_ENV_REFS = {"configMapKeyRef": ("ConfigMap", "name"), "secretKeyRef": ("Secret", "name")}
_ENV_FROM = {"configMapRef": ("ConfigMap", "name"), "secretRef": ("Secret", "name")}
_VOLUMES = {"configMap": ("ConfigMap", "name"), "secret": ("Secret", "secretName"),
            "persistentVolumeClaim": ("PersistentVolumeClaim", "claimName")}
_PROJECTED = {"configMap": ("ConfigMap", "name"), "secret": ("Secret", "name")}


def _reference(kinds: dict, holder: dict, path: Path) -> Iterator[Reference]:
    """The references a mapping like `{configMap: {name: ..., items: [...]}}` makes."""
    for field, (kind, name_field) in kinds.items():
        source = holder.get(field)
        name = source.get(name_field) if isinstance(source, dict) else None
        if not isinstance(name, str) or not name:
            continue
        keys = [(item["key"], (*path, field, "items", i, "key"))
                for i, item in mappings_in(source.get("items")) if isinstance(item.get("key"), str)]
        if isinstance(source.get("key"), str):
            keys.append((source["key"], (*path, field, "key")))
        yield Reference(kind, name, (*path, field, name_field), tuple(keys),
                        bool(source.get("optional")))


def references(template: PodTemplate) -> Iterator[Reference]:
    """Every ConfigMap, Secret, claim and ServiceAccount a pod template uses by name."""
    for path, container in template.containers(init=True):
        for index, variable in mappings_in(container.get("env")):
            source = variable.get("valueFrom")
            if isinstance(source, dict):
                yield from _reference(_ENV_REFS, source, (*path, "env", index, "valueFrom"))
        for index, source in mappings_in(container.get("envFrom")):
            yield from _reference(_ENV_FROM, source, (*path, "envFrom", index))
    volumes_path = (*template.spec_path, "volumes")
    for index, volume in mappings_in(template.spec.get("volumes")):
        yield from _reference(_VOLUMES, volume, (*volumes_path, index))
        projected = volume.get("projected")
        sources = projected.get("sources") if isinstance(projected, dict) else None
        for number, source in mappings_in(sources):
            yield from _reference(_PROJECTED, source,
                                  (*volumes_path, index, "projected", "sources", number))
    account = template.spec.get("serviceAccountName")
    if isinstance(account, str) and account:
        yield Reference("ServiceAccount", account, (*template.spec_path, "serviceAccountName"))


def pod_references(template: PodTemplate) -> Iterator[tuple[str, str, Path]]:
    """(kind, name, path of the name) for each object a pod template uses."""
    return ((ref.kind, ref.name, ref.name_path) for ref in references(template))


# --- how a pod uses what it references (graders and the diagram) ---------------------

@dataclass(frozen=True)
class Use:
    """How a pod template uses a ConfigMap, Secret or claim it references."""

    kind: str
    name: str
    how: str  # "env" (one key), "envFrom" (every key), or "volume"
    mount_paths: tuple[str, ...] = ()  # a volume's mountPaths in the containers; none: unused


def mount_paths(template: PodTemplate) -> dict[str, list[str]]:
    """Volume name -> the mountPaths where the pod's containers (init ones too) mount it."""
    mounted: dict[str, list[str]] = defaultdict(list)
    for _, container in template.containers(init=True):
        for _, mount in mappings_in(container.get("volumeMounts")):
            name, where = mount.get("name"), mount.get("mountPath")
            if isinstance(name, str):
                mounted[name].append(where if isinstance(where, str) else "")
    return mounted


def uses_of(template: PodTemplate) -> Iterator[Use]:
    """Each ConfigMap, Secret and claim the template uses, and how (ServiceAccounts aside)."""
    mounted = mount_paths(template)
    volumes = as_list(template.spec.get("volumes"))
    depth = len(template.spec_path)
    for ref in references(template):
        if ref.kind == "ServiceAccount":
            continue
        if ref.name_path[depth] == "volumes":  # else a container's env or envFrom
            volume = as_mapping(volumes[ref.name_path[depth + 1]])
            name = volume.get("name")
            paths = tuple(mounted.get(name, ())) if isinstance(name, str) else ()
            yield Use(ref.kind, ref.name, "volume", paths)
        else:
            how = "envFrom" if "envFrom" in ref.name_path else "env"
            yield Use(ref.kind, ref.name, how)
