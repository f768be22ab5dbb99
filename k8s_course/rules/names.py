"""Rules about names and labels: what the API server accepts as an identifier."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import graph_of
from ..schema import DEFAULT_KUBE_VERSION
from ._values import label_key_problem, label_value_problem, name_problem, path_segment_problem
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
                    _name_hint(name, not resource.cluster_scoped, grammar), at_value=True)
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


def _name_hint(name: str, namespaced: bool, grammar: str) -> str:
    """How to fix a name; `mlops/web` is a namespace and a name written as one."""
    namespace, slash, rest = name.partition("/")
    if namespaced and slash and rest and not name_problem(namespace, "dns-1123-label"):
        return (f"names cannot hold a namespace: write `namespace: {namespace}` under metadata "
                f"and `name: {_suggest(rest, grammar)}`")
    return f"for example `name: {_suggest(name, grammar)}`"


def _suggest(name: str, grammar: str = "dns-1123-label") -> str:
    cleaned = "".join(c if c.isalnum() and c.isascii() else "-" for c in name.lower())
    suggestion = "-".join(part for part in cleaned.split("-") if part)[:63] or "my-app"
    if grammar == "dns-1035-label" and not suggestion[0].isalpha():
        suggestion = ("svc-" + suggestion)[:63].rstrip("-")  # it must start with a letter
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
