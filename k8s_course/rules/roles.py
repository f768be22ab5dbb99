"""Rules about Roles and bindings as RBAC reads them: verbs, resources, groups, roleRefs.

The API server stores any verb and resource name in a Role: a typo is accepted
and then simply matches no request. These rules read each rule the way the
authorizer will, and point at grants wider than a workload needs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..access import RESOURCE_SPELLINGS, groups_of
from ..bundle import Bundle, Resource
from ..findings import Finding
from ..graph import graph_of, mappings_in
from .catalogue import rule

# The verbs the API server's request handlers use (the ones a Role can grant).
VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete",
                   "deletecollection", "use", "bind", "escalate", "impersonate", "approve",
                   "sign", "attest", "*"})
# Verbs of nonResourceURLs rules (ClusterRoles only): HTTP methods in lower case.
URL_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "*"})


def _policy_rules(bundle: Bundle) -> Iterator[tuple[Resource, int, dict]]:
    graph = graph_of(bundle)
    for role in (r for kind in ("Role", "ClusterRole") for r in graph.of_kind(kind)):
        for index, entry in mappings_in(role.get(("rules",))):
            yield role, index, entry


def _texts(entry: dict, field: str) -> list[tuple[int, str]]:
    values = entry.get(field)
    return [(i, v) for i, v in enumerate(values) if isinstance(v, str)] \
        if isinstance(values, list) else []


@rule("rbac-unknown-verb", "warning", "07-rbac#rules")
def rbac_unknown_verb(bundle: Bundle) -> Iterator[Finding]:
    """A Role rule with a verb that Kubernetes never asks for (`gets`, `read`, `Get`).

    Why: the authorizer compares each request's verb with the rule's verbs
    letter for letter. The API server stores any word, so a misspelt verb is
    accepted and grants nothing. The verbs are lower case: get, list, watch,
    create, update, patch, delete and deletecollection (plus a few special
    ones such as use, bind, escalate and impersonate).

    Bad (warning):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [gets, read]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get]
    """
    for role, index, entry in _policy_rules(bundle):
        known = URL_VERBS if entry.get("nonResourceURLs") else VERBS
        for number, verb in _texts(entry, "verbs"):
            if verb in known:
                continue
            close = difflib.get_close_matches(verb.lower(), sorted(known - {"*"}), n=1,
                                              cutoff=0.6)
            guess = close[0] if close else ("get" if verb.lower() == "read" else "")
            yield role.finding(
                ("rules", index, "verbs", number),
                f"{verb!r} is not a verb Kubernetes uses, so this grants nothing for it",
                (f"write `{guess}`; " if guess else "") +
                "verbs are lower case: get, list, watch, create, update, patch, delete",
                at_value=True)


@rule("rbac-resource-as-kind", "warning", "07-rbac#rules")
def rbac_resource_as_kind(bundle: Bundle) -> Iterator[Finding]:
    """A Role rule naming a resource the way a kind is written (`Deployment`, `pod`).

    Why: rules name resources as the API's URLs do: lower case and plural
    (`deployments`, `pods`, `configmaps`), not as the `kind:` of an object.
    The API server accepts any name, and a rule for `Deployment` matches no
    request.

    Bad (warning):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
        rules:
          - apiGroups: [apps]
            resources: [Deployments]
            verbs: [get, list]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
        rules:
          - apiGroups: [apps]
            resources: [deployments]
            verbs: [get, list]
    """
    for role, index, entry in _policy_rules(bundle):
        for number, resource in _texts(entry, "resources"):
            name, slash, sub = resource.partition("/")
            plural = RESOURCE_SPELLINGS.get(name.lower())
            if plural is None or name == plural:
                continue
            written = f"{plural}{slash}{sub}"
            yield role.finding(
                ("rules", index, "resources", number),
                f"{resource!r} matches no request: resources are named lower case and plural",
                f"write `{written}`", at_value=True)


@rule("rbac-wrong-api-group", "warning", "07-rbac#rules")
def rbac_wrong_api_group(bundle: Bundle) -> Iterator[Finding]:
    """A Role rule naming a resource in an API group that does not serve it.

    Why: a rule grants each resource only in the groups listed beside it.
    Deployments live in the `apps` group, Jobs in `batch`, Pods and
    ConfigMaps in the core group, written `""`. `deployments` with
    `apiGroups: [""]` matches no request, and the API server cannot tell.

    Bad (warning):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
        rules:
          - apiGroups: [""]
            resources: [deployments]
            verbs: [get, list]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: deployer
        rules:
          - apiGroups: [apps]
            resources: [deployments]
            verbs: [get, list]
    """
    for role, index, entry in _policy_rules(bundle):
        groups = {group for _, group in _texts(entry, "apiGroups")}
        if not groups or "*" in groups:
            continue
        for number, resource in _texts(entry, "resources"):
            serving = groups_of(resource.partition("/")[0])
            if serving and not serving & groups:
                right = sorted(serving)[0]
                named = f'"{right}" (the core group)' if right == "" else right
                yield role.finding(
                    ("rules", index, "resources", number),
                    f"{resource} are served by the API group {named}, which this rule "
                    "does not list", f"add {named} to apiGroups (or move {resource} to a "
                    "rule of its own for that group)", at_value=True)


@rule("role-wildcard", "warning", "07-rbac#least-privilege")
def role_wildcard(bundle: Bundle) -> Iterator[Finding]:
    """A Role rule granting every verb (`*`) or every resource (`*`) of a group.

    Why: `*` also grants what the workload never needs (delete, and verbs
    added in future releases; every resource, Secrets included). Least
    privilege means listing the few verbs and resources it uses.

    Bad (warning):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: ["*"]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get, list, watch]
    """
    for role, index, entry in _policy_rules(bundle):
        verbs = {verb for _, verb in _texts(entry, "verbs")}
        resources = {resource for _, resource in _texts(entry, "resources")}
        if "*" in verbs and "*" in resources:
            continue  # role-grants-everything says it
        for field, values, words in (("verbs", verbs, "every verb"),
                                     ("resources", resources, "every resource")):
            if "*" in values:
                yield role.finding(
                    ("rules", index, field), f"this rule grants {words} (`*`)",
                    f"list only the {field} the workload needs")


# --- a binding to a Role it cannot use ---------------------------------------------

@rule("rolebinding-role-elsewhere", "error", "07-rbac#bindings")
def rolebindingrole_elsewhere(bundle: Bundle) -> Iterator[Finding]:
    """A RoleBinding naming a Role that the answer defines in another namespace.

    Why: a RoleBinding's roleRef of kind Role always means the Role of that
    name in the binding's own namespace. A Role in another namespace is never
    used; to share rules between namespaces, write a ClusterRole and bind it
    with a RoleBinding in each namespace.

    Given:

        apiVersion: v1
        kind: Namespace
        metadata:
          name: mlops

    Bad (error):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
          namespace: default
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: app-reads-settings
          namespace: mlops
        subjects:
          - kind: ServiceAccount
            name: app
            namespace: mlops
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: read-settings

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: read-settings
          namespace: mlops
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: app-reads-settings
          namespace: mlops
        subjects:
          - kind: ServiceAccount
            name: app
            namespace: mlops
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: read-settings
    """
    for binding in graph_of(bundle).of_kind("RoleBinding"):
        elsewhere = role_elsewhere(bundle, binding)
        if elsewhere:
            yield binding.finding(
                ("roleRef", "name"), f"the Role {binding.get(('roleRef', 'name'))!r} is in "
                f"namespace {', '.join(elsewhere)}, but this RoleBinding is in "
                f"{binding.namespace}: it only uses a Role of its own namespace",
                f"move the Role to namespace {binding.namespace} (or make it a ClusterRole "
                "and write `kind: ClusterRole` in roleRef)", at_value=True)


def role_elsewhere(bundle: Bundle, binding: Resource) -> list[str]:
    """Namespaces holding the Role a RoleBinding names, when its own does not."""
    name = binding.get(("roleRef", "name"))
    if binding.get(("roleRef", "kind")) != "Role" or not isinstance(name, str):
        return []
    graph = graph_of(bundle)
    if graph.lookup("Role", binding.namespace, name) is not None:
        return []
    return sorted({r.namespace for r in graph.of_kind("Role") if r.name == name})
