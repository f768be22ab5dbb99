"""Rules about names and labels: what the API server accepts as an identifier."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import graph_of, mappings_in
from ..schema import DEFAULT_KUBE_VERSION
from ._values import (
    label_key_problem,
    label_value_problem,
    name_problem,
    path_segment_problem,
    suggest_name,
)
from .catalogue import rule

# Kinds whose names are stricter (or looser) than a DNS-1123 subdomain.
NAME_GRAMMAR = {"Service": "dns-1123-label", "Namespace": "dns-1123-label"}
# Before 1.36 a Service name had to start with a letter (a DNS-1035 label); the
# RelaxedServiceNameValidation feature gate (KEP-5311: beta and on by default in
# 1.36, GA in 1.37) lets it start with a digit like any DNS-1123 label.
RELAXED_SERVICE_NAMES = (1, 36)
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
# Selectors (outside pod templates) whose keys and values follow the label grammar.
_SELECTORS = {"Service": ("spec", "selector"), "ReplicationController": ("spec", "selector"),
              "PodDisruptionBudget": ("spec", "selector", "matchLabels"),
              "NetworkPolicy": ("spec", "podSelector", "matchLabels")}


# A CronJob's name plus an 11-character suffix names its Jobs, which must stay a label.
NAME_LIMITS = {"CronJob": 52}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def _name_grammar(kind: str, kube_version: str) -> str:
    """The grammar a `kind`'s metadata.name follows on that Kubernetes version."""
    if kind == "Service" and _version(kube_version or DEFAULT_KUBE_VERSION) \
            < RELAXED_SERVICE_NAMES:
        return "dns-1035-label"
    return NAME_GRAMMAR.get(kind, "dns-1123-subdomain")


def _name_problem(kind: str, name: str, grammar: str) -> str:
    if kind in RBAC_KINDS:
        return path_segment_problem(name)
    limit = NAME_LIMITS.get(kind)
    if limit and len(name) > limit:
        return f"the name is {len(name)} characters long; a {kind} name may have at most {limit}"
    return name_problem(name, grammar)


@rule("invalid-name", "error", "01-manifest-anatomy#names")
def invalid_name(bundle: Bundle) -> Iterator[Finding]:
    """A metadata.name (or metadata.namespace) the API server rejects.

    Why: names become parts of DNS names and URLs, so most objects take a
    DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253
    characters). Namespace and Service names are DNS-1123 labels (no dots, at
    most 63 characters), since they become parts of host names; before
    Kubernetes 1.36 a Service name also had to start with a letter, and with
    `--kube-version 1.35` or older the checker still asks for that. A CronJob
    name has at most 52 characters, since its Jobs add a suffix. Uppercase
    letters and '_' are the usual culprits.

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: Web_Settings
        data:
          color: blue

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          color: blue
    """
    for resource in bundle:
        name = resource.metadata.get("name")
        if isinstance(name, str) and resource.kind:
            grammar = _name_grammar(resource.kind, bundle.kube_version)
            problem = _name_problem(resource.kind, name, grammar)
            if problem:
                yield resource.finding(
                    ("metadata", "name"), f"{resource.kind} name {name!r}: {problem}"
                    + _older_rule(resource.kind, grammar, name, bundle.kube_version),
                    _name_hint(name, not resource.cluster_scoped, grammar,
                               NAME_LIMITS.get(resource.kind, 63)), at_value=True)
        namespace = resource.metadata.get("namespace")
        if isinstance(namespace, str) and namespace:
            problem = name_problem(namespace, "dns-1123-label")
            if problem:
                yield resource.finding(
                    ("metadata", "namespace"), f"namespace {namespace!r}: {problem}",
                    f"for example `namespace: {_suggest(namespace)}`", at_value=True)


def _older_rule(kind: str, grammar: str, name: str, kube_version: str) -> str:
    """Say which version's rule refused a name that 1.36 would accept."""
    if grammar == "dns-1035-label" and not name_problem(name, NAME_GRAMMAR[kind]):
        return f" (on Kubernetes {kube_version or DEFAULT_KUBE_VERSION}; 1.36 allows it)"
    return ""


def _name_hint(name: str, namespaced: bool, grammar: str, limit: int = 63) -> str:
    """How to fix a name; `mlops/web` is a namespace and a name written as one."""
    namespace, slash, rest = name.partition("/")
    if namespaced and slash and rest and not name_problem(namespace, "dns-1123-label"):
        return (f"names cannot hold a namespace: write `namespace: {namespace}` under metadata "
                f"and `name: {_suggest(rest, grammar, limit)}`")
    return f"for example `name: {_suggest(name, grammar, limit)}`"


def _suggest(name: str, grammar: str = "dns-1123-label", limit: int = 63) -> str:
    suggestion = suggest_name(name)[:limit].rstrip("-")
    if grammar == "dns-1035-label" and not suggestion[0].isalpha():
        suggestion = ("svc-" + suggestion)[:limit].rstrip("-")  # it must start with a letter
    return suggestion


def _label_maps(bundle: Bundle, resource: Resource) -> Iterator[Path]:
    """Paths of the label maps and plain selectors an object carries."""
    yield ("metadata", "labels")
    kind = resource.kind
    template = graph_of(bundle).template_of(resource)
    if template is not None and template.path:  # a Pod is its own template: seen above
        yield (*template.path, "metadata", "labels")
        if kind != "Pod":
            yield ("spec", "selector", "matchLabels")
    if template is not None:
        yield (*template.spec_path, "nodeSelector")  # node labels, same grammar
    if kind in _SELECTORS:
        yield _SELECTORS[kind]


@rule("invalid-label", "error", "03-deployments#labels")
def invalid_label(bundle: Bundle) -> Iterator[Finding]:
    """A label key or value (in labels or a selector) the API server rejects.

    Why: a label key is an optional DNS prefix and '/' plus a name of at most
    63 letters, digits, '-', '_' or '.'; a value follows the same rule for the
    name part, may be empty, and cannot contain spaces or '/'. Selectors use
    the same grammar, so a bad label breaks both sides.

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          labels:
            app: web server
        data:
          color: blue

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          labels:
            app: web-server
        data:
          color: blue
    """
    for resource in bundle:
        for path in _label_maps(bundle, resource):
            labels = resource.get(path)
            if not isinstance(labels, dict):
                continue
            for key, value in labels.items():
                problem = label_key_problem(key) if isinstance(key, str) else ""
                if problem:
                    yield resource.finding(
                        (*path, key), f"label key {key!r}: {problem}",
                        "keys look like `app` or `app.kubernetes.io/name`")
                    continue
                if isinstance(value, str):
                    problem = label_value_problem(value)
                    if problem:
                        yield resource.finding(
                            (*path, key), f"label value of {key!r}: {problem}",
                            f"for example `{key}: {_suggest(value)}`", at_value=True)


ANNOTATIONS_LIMIT = 256 * 1024  # bytes of keys and values together, per object


@rule("invalid-annotation", "error", "01-manifest-anatomy#metadata")
def invalid_annotation(bundle: Bundle) -> Iterator[Finding]:
    """An annotation key the API server rejects, or annotations over 256 KiB in total.

    Why: annotation keys follow the label key grammar (an optional DNS
    prefix and '/', then at most 63 letters, digits, '-', '_' or '.'),
    though their values are free text. All keys and values of one object
    together may hold at most 256 KiB: big data belongs in a ConfigMap.

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          annotations:
            owned by: web team
        data:
          color: blue

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          annotations:
            example.com/owner: web team
        data:
          color: blue
    """
    graph = graph_of(bundle)
    for resource in bundle:
        template = graph.template_of(resource)
        places = [("metadata", "annotations")]
        if template is not None and template.path:
            places.append((*template.path, "metadata", "annotations"))
        for path in places:
            annotations = resource.get(path)
            if not isinstance(annotations, dict):
                continue
            size = 0
            for key, value in annotations.items():
                # The server checks keys in lowercase: `Example.com/Owner` is accepted.
                problem = label_key_problem(key.lower()) if isinstance(key, str) else ""
                if problem:
                    yield resource.finding(
                        (*path, key), f"annotation key {key!r}: {problem}",
                        "keys look like `description` or `example.com/owner`")
                size += len(str(key).encode()) + len(str(value).encode())
            if size > ANNOTATIONS_LIMIT:
                yield resource.finding(
                    path, f"these annotations hold {size} bytes; the limit is {ANNOTATIONS_LIMIT}",
                    "move large data into a ConfigMap and mount it")


_LABEL_SELECTORS = {kind: ("spec", "selector") for kind in (
    "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "PodDisruptionBudget",
    "PersistentVolumeClaim")} | {"NetworkPolicy": ("spec", "podSelector")}
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


@rule("selector-expression-invalid", "error", "03-deployments#selector")
def selector_expression_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A selector's matchExpressions entry the API server refuses.

    Why: each expression has a label `key`, an `operator` (In, NotIn,
    Exists, DoesNotExist, spelt so) and, for In and NotIn only, a list of
    `values`. Exists and DoesNotExist look at the key alone and take no
    values. Keys and values follow the label grammar.

    Bad (error):

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 1
          selector:
            matchExpressions:
              - key: app
                operator: In

    Good:

        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 1
          selector:
            matchExpressions:
              - key: app
                operator: In
                values: [web, api]
    """
    for resource in bundle:
        path = _LABEL_SELECTORS.get(resource.kind)
        expressions = resource.get((*path, "matchExpressions")) if path else None
        for index, expression in mappings_in(expressions):
            yield from _expression_findings(resource, (*path, "matchExpressions", index),
                                            expression)


def _expression_findings(resource: Resource, path: Path, expression: dict) -> Iterator[Finding]:
    key, operator = expression.get("key"), expression.get("operator")
    values = expression.get("values")
    problem = label_key_problem(key) if isinstance(key, str) else ""
    if problem:
        yield resource.finding((*path, "key"), f"label key {key!r}: {problem}",
                               "keys look like `app` or `app.kubernetes.io/name`", at_value=True)
    if isinstance(operator, str) and operator not in _OPERATORS:
        meant = next((o for o in _OPERATORS if o.lower() == operator.lower()), "")
        yield resource.finding((*path, "operator"), f"{operator!r} is not a selector operator",
                               f"did you mean `{meant}`?" if meant else
                               f"write one of {', '.join(_OPERATORS)}", at_value=True)
    elif operator in ("In", "NotIn") and not values:
        yield resource.finding((*path, "values") if "values" in expression else path,
                               f"operator {operator} needs a list of values",
                               "add e.g. `values: [web]`")
    elif operator in ("Exists", "DoesNotExist") and values:
        yield resource.finding((*path, "values"), f"operator {operator} takes no values",
                               "delete the values, or use In / NotIn")
    for number, value in enumerate(values if isinstance(values, list) else []):
        problem = label_value_problem(value) if isinstance(value, str) else ""
        if problem:
            yield resource.finding((*path, "values", number), f"label value {value!r}: "
                                   f"{problem}", f"for example `{suggest_name(value)}`",
                                   at_value=True)
