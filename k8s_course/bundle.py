"""Bundle: every Kubernetes object of one answer, across documents and files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .findings import Finding, Path, Severity
from .source import Document, Source

# Kinds that live outside any namespace (a namespace written on them is ignored).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding",
    "StorageClass", "CustomResourceDefinition", "PriorityClass", "IngressClass",
    "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "APIService", "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
})
BUILT_IN_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
_MISSING = object()


@dataclass(slots=True, eq=False)
class Resource:
    """One Kubernetes object as the learner wrote it, with its source map."""

    document: Document
    # The document's mapping, kept as an attribute: rules read it tens of times per object.
    body: dict = field(init=False, repr=False)
    kind: str = field(init=False, repr=False)
    metadata: dict = field(init=False, repr=False)
    # a kind the API server keeps outside namespaces; a custom kind is marked
    # so by its CRD when the answer holds it (custom.mark_cluster_scoped)
    cluster_scoped: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        body = self.body = self.document.value
        kind = body.get("kind")
        self.kind = kind if isinstance(kind, str) else ""
        metadata = body.get("metadata")
        self.metadata = metadata if isinstance(metadata, dict) else {}
        self.cluster_scoped = self.kind in CLUSTER_SCOPED

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def api_version(self) -> str:
        version = self.body.get("apiVersion")
        return version if isinstance(version, str) else ""

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str:
        """The namespace the object lands in ("default" when none is written)."""
        if self.cluster_scoped:
            return ""
        namespace = self.metadata.get("namespace")
        return namespace if isinstance(namespace, str) and namespace else "default"

    @property
    def labels(self) -> dict:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def ref(self) -> str:
        """"Deployment/fastapi-app", as kubectl names objects."""
        return f"{self.kind or '?'}/{self.name or '?'}"

    def get(self, path: Path, default: Any = None) -> Any:
        """The value at `path`, or `default` when any step is missing or mistyped."""
        node: Any = self.body
        for part in path:
            if type(node) is dict:
                node = node.get(part, _MISSING)  # an int part finds nothing in a mapping
                if node is _MISSING:
                    return default
            elif type(node) is list and type(part) is int and -len(node) <= part < len(node):
                node = node[part]
            else:
                return default
        return node

    def finding(self, path: Path, message: str, hint: str = "", *,
                severity: Severity | None = None, rule: str = "", lesson: str = "",
                at_value: bool = False) -> Finding:
        """A finding about `path` in this object, positioned by the source map.

        Rules leave `rule`, `severity` and `lesson` empty; the rule runner fills
        in the rule's own (a finding made without a rule has no severity yet).
        """
        line, column = self.document.locate(path, key=not at_value)
        return Finding(
            rule, severity or (Severity.ERROR if rule else None), message, hint, self.file,
            line, column, path, self.ref, "" if self.cluster_scoped else self.namespace,
            lesson, self.document.index,
        )


def _is_list(body: dict) -> bool:
    """`kind: List` (what `kubectl get -o yaml` prints) or a typed list such as PodList."""
    kind = body.get("kind")
    items = body.get("items")
    return isinstance(kind, str) and kind.endswith("List") and (
        isinstance(items, list) or (kind == "List" and items is None))  # an empty list


def resources_of(document: Document) -> list[Resource]:
    """The objects of one document: itself, or each item of a list, with its own positions."""
    body = document.value
    if not _is_list(body):
        return [Resource(document)]
    items = body.get("items") or []
    spans: dict[int, dict] = {}
    for path, span in document.spans.items():
        if len(path) >= 2 and path[0] == "items":
            spans.setdefault(path[1], {})[path[2:]] = span
    traps: dict[int, dict] = {}
    for path, spelling in document.traps.items():
        if len(path) >= 3 and path[0] == "items":
            traps.setdefault(path[1], {})[path[2:]] = spelling
    found = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue  # not an object: nothing to check
        own = spans.get(index, {})
        line, column = own.get((), document.spans.get(("items",), (document.line, document.column))
                               )[:2]
        found.append(Resource(Document(document.file, document.index, item, line, column, own,
                                       traps.get(index, {}))))
    return found


@dataclass
class Bundle:
    """All objects of one answer: what rules and graders look at together."""

    resources: list[Resource] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    # The Kubernetes version ("1.36") the answer is checked against; the pipeline
    # sets it, and rules whose verdict changed between versions read it.
    kube_version: str = ""
    # Views that later stages build from the resources once and share (the
    # graph's indexes); kept here so they live exactly as long as the bundle.
    derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False,
                                    compare=False)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_kind(self, *kinds: str) -> Iterable[Resource]:
        wanted = set(kinds)
        return (r for r in self.resources if r.kind in wanted)

    def find(self, kind: str, name: str, namespace: str | None = None) -> Resource | None:
        """The object of that kind and name (and namespace, when given); the last one
        when it is defined twice, as `kubectl apply` leaves it."""
        for resource in reversed(self.resources):
            if resource.kind == kind and resource.name == name and (
                    namespace is None or resource.namespace == namespace):
                return resource
        return None

    def flagged(self, resource: Resource, path: Path) -> bool:
        """Did the schema stage already report this field (or one that holds it)?

        A cross-resource rule asks before it blames another object: pods whose
        labels were misspelt (`lables:`) are the cause, not the Service that
        finds none. The pipeline records the schema's fields under "flagged".
        """
        flagged = self.derived.get("flagged")
        if not flagged:
            return False
        key = (resource.file, resource.document.index, resource.ref)
        return any((*key, path[:depth]) in flagged for depth in range(1, len(path) + 1))

    @cached_property
    def namespaces(self) -> frozenset[str]:
        """Namespaces this bundle creates."""
        return frozenset(r.name for r in self.of_kind("Namespace") if r.name)
