"""Who selects, owns or mounts whom: the relations rules, graders and diagrams share.

Everything is indexed by namespace and label, so relating N objects costs
about N lookups, never N x N comparisons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
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


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


@dataclass(frozen=True, eq=False)
class PodTemplate:
    """The pods a workload (or a bare Pod) will run, as written in the bundle."""

    owner: Resource
    path: Path  # where the pod (metadata + spec) sits inside the owner

    @property
    def namespace(self) -> str:
        return self.owner.namespace

    @property
    def labels(self) -> dict:
        return _mapping(_mapping(self.owner.get((*self.path, "metadata"))).get("labels"))

    @property
    def spec_path(self) -> Path:
        return (*self.path, "spec")

    @property
    def spec(self) -> dict:
        return _mapping(self.owner.get(self.spec_path))

    def containers(self, *, init: bool = False) -> Iterator[tuple[Path, dict]]:
        """(path, container) for each container (and init container when asked)."""
        groups = ("containers", "initContainers") if init else ("containers",)
        for group in groups:
            for index, container in enumerate(_list(self.spec.get(group))):
                if isinstance(container, dict):
                    yield (*self.spec_path, group, index), container

    def ports(self) -> Iterator[tuple[Path, dict]]:
        """(path, port) for every containerPort the pod declares."""
        for path, container in self.containers():
            for index, port in enumerate(_list(container.get("ports"))):
                if isinstance(port, dict):
                    yield (*path, "ports", index), port

    def has_port(self, target: Any) -> bool:
        """Does some container declare this port number or port name?"""
        for _, port in self.ports():
            if isinstance(target, str) and port.get("name") == target:
                return True
            if isinstance(target, int) and not isinstance(target, bool) and \
                    port.get("containerPort") == target:
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
    if not labels_match(_mapping(selector.get("matchLabels")), labels):
        return False
    for expression in _list(selector.get("matchExpressions")):
        expression = _mapping(expression)
        key, operator = expression.get("key"), expression.get("operator")
        if not isinstance(key, str):
            continue  # a malformed expression is the schema's finding
        values = _list(expression.get("values"))
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


class Graph:
    """Indexes over one bundle: pod templates by namespace and label."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_ref: dict[tuple[str, str, str], Resource] = {}
        for resource in bundle:
            self._by_kind[resource.kind].append(resource)
            self._by_ref.setdefault((resource.kind, resource.namespace, resource.name), resource)
        self.templates: list[PodTemplate] = []
        self._by_label: dict[tuple[str, str, Any], list[PodTemplate]] = defaultdict(list)
        self._by_namespace: dict[str, list[PodTemplate]] = defaultdict(list)
        for resource in bundle:
            template = pod_template_of(resource)
            if template is None:
                continue
            self.templates.append(template)
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
        selector = _mapping(service.get(("spec", "selector")))
        return self.selected_by_labels(service.namespace, selector)

    def selected_by_selector(self, namespace: str, selector: dict) -> list[PodTemplate]:
        """Pod templates in `namespace` matched by a LabelSelector (PDBs and the like)."""
        match_labels = _mapping(selector.get("matchLabels"))
        pool = (self.selected_by_labels(namespace, match_labels) if match_labels
                else self.templates_in(namespace))
        return [t for t in pool if label_selector_matches(selector, t.labels)]

    def of_kind(self, kind: str) -> list[Resource]:
        """Every object of `kind`, in bundle order."""
        return self._by_kind.get(kind, [])

    def lookup(self, kind: str, namespace: str, name: str) -> Resource | None:
        """The object of that kind, namespace ("" for cluster-scoped) and name."""
        return self._by_ref.get((kind, namespace, name))

    def has_label(self, namespace: str, key: str, value: Any) -> bool:
        """Does some pod template in `namespace` carry `key: value`?"""
        if not isinstance(value, str | int | float | bool):
            return False
        return bool(self._by_label.get((namespace, key, value)))

    def namespaces_selected(self, selector: dict) -> list[str]:
        """Namespaces whose pod templates a plain `key: value` selector matches."""
        return [namespace for namespace in self._by_namespace
                if self.selected_by_labels(namespace, selector)]


# Where a pod names another object it needs: (key in the volume or env source, kind,
# field holding the name).
_VOLUME_SOURCES = (("configMap", "ConfigMap", "name"), ("secret", "Secret", "secretName"),
                   ("persistentVolumeClaim", "PersistentVolumeClaim", "claimName"))
_ENV_SOURCES = (("valueFrom", "configMapKeyRef", "ConfigMap"),
                ("valueFrom", "secretKeyRef", "Secret"))
_ENV_FROM_SOURCES = (("configMapRef", "ConfigMap"), ("secretRef", "Secret"))


def pod_references(template: PodTemplate) -> Iterator[tuple[str, str, Path]]:
    """(kind, name, path of the name) for each ConfigMap, Secret, PVC and
    ServiceAccount a pod template uses, through volumes, env and envFrom."""
    spec_path = template.spec_path
    spec = template.spec
    for index, volume in enumerate(_list(spec.get("volumes"))):
        volume = _mapping(volume)
        for key, kind, field in _VOLUME_SOURCES:
            name = _mapping(volume.get(key)).get(field)
            if isinstance(name, str) and name:
                yield kind, name, (*spec_path, "volumes", index, key, field)
        sources = _list(_mapping(volume.get("projected")).get("sources"))
        for number, source in enumerate(sources):
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                name = _mapping(_mapping(source).get(key)).get("name")
                if isinstance(name, str) and name:
                    yield kind, name, (*spec_path, "volumes", index, "projected", "sources",
                                       number, key, "name")
    for path, container in template.containers(init=True):
        for index, variable in enumerate(_list(container.get("env"))):
            for outer, inner, kind in _ENV_SOURCES:
                name = _mapping(_mapping(_mapping(variable).get(outer)).get(inner)).get("name")
                if isinstance(name, str) and name:
                    yield kind, name, (*path, "env", index, outer, inner, "name")
        for index, source in enumerate(_list(container.get("envFrom"))):
            for key, kind in _ENV_FROM_SOURCES:
                name = _mapping(_mapping(source).get(key)).get("name")
                if isinstance(name, str) and name:
                    yield kind, name, (*path, "envFrom", index, key, "name")
    account = spec.get("serviceAccountName")
    if isinstance(account, str) and account:
        yield "ServiceAccount", account, (*spec_path, "serviceAccountName")
