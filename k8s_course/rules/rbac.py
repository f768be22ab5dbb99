"""Rules about RBAC: Roles, bindings and the subjects they name."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding, Severity
from ..graph import graph_of, mappings_in
from .catalogue import rule

# ClusterRoles every cluster ships with (the user-facing ones and the system: family).
BUILT_IN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


@rule("role-ref-missing", "info", "07-rbac#bindings")
def role_ref_missing(bundle: Bundle) -> Iterator[Finding]:
    """A binding whose roleRef names a Role (or ClusterRole) the answer does not define.

    Why: a RoleBinding grants the permissions of the role it names. The API
    server accepts a binding to a role that does not exist yet, and it then
    grants nothing, silently. A Role must be in the binding's namespace.

    Bad (info):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read-pods
        subjects:
          - kind: ServiceAccount
            name: reporter
            namespace: default
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: pod-reader

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: pod-reader
        rules:
          - apiGroups: [""]
            resources: [pods]
            verbs: [get, list, watch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read-pods
        subjects:
          - kind: ServiceAccount
            name: reporter
            namespace: default
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: pod-reader
    """
    graph = graph_of(bundle)
    for binding in (r for kind in BINDING_KINDS for r in graph.of_kind(kind)):
        kind, name = binding.get(("roleRef", "kind")), binding.get(("roleRef", "name"))
        if not isinstance(name, str) or kind not in ("Role", "ClusterRole"):
            continue
        if kind == "ClusterRole" and (name in BUILT_IN_CLUSTER_ROLES or
                                      name.startswith("system:")):
            continue
        namespace = binding.namespace if kind == "Role" else ""
        if graph.lookup(kind, namespace, name) is None:
            where = f" in namespace {namespace}" if namespace else ""
            yield binding.finding(
                ("roleRef", "name"), f"no {kind} {name!r}{where} in this answer; until it "
                "exists this binding grants nothing",
                f"add the {kind} {name}, or check the spelling of roleRef.name", at_value=True)


@rule("subject-namespace-missing", "error", "07-rbac#subjects")
def subject_namespace_missing(bundle: Bundle) -> Iterator[Finding]:
    """A ServiceAccount subject without a namespace.

    Why: a ServiceAccount is identified by namespace and name. A
    ClusterRoleBinding is refused without it; a RoleBinding quietly assumes
    its own namespace, which is worth writing down.

    Bad (error):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: reporter-view
        subjects:
          - kind: ServiceAccount
            name: reporter
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: view

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: reporter-view
        subjects:
          - kind: ServiceAccount
            name: reporter
            namespace: default
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: view
    """
    graph = graph_of(bundle)
    for binding in (r for kind in BINDING_KINDS for r in graph.of_kind(kind)):
        for index, subject in mappings_in(binding.get(("subjects",))):
            if subject.get("kind") != "ServiceAccount" or subject.get("namespace"):
                continue
            cluster = binding.kind == "ClusterRoleBinding"
            yield binding.finding(
                ("subjects", index),
                f"the ServiceAccount subject {subject.get('name')!r} has no namespace" +
                ("" if cluster else f"; it means {binding.namespace}"),
                f"add `namespace: {binding.namespace or '<its namespace>'}` to the subject",
                severity=None if cluster else Severity.INFO)


@rule("role-grants-everything", "warning", "07-rbac#least-privilege")
def role_grants_everything(bundle: Bundle) -> Iterator[Finding]:
    """A Role or ClusterRole granting every verb on every resource (`*` on `*`).

    Why: it makes its subjects administrators of the namespace (or of the
    cluster). Grant the few verbs and resources the workload really needs;
    `kubectl auth can-i --list` shows what a subject may do.

    Bad (warning):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: app
        rules:
          - apiGroups: ["*"]
            resources: ["*"]
            verbs: ["*"]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: app
        rules:
          - apiGroups: [""]
            resources: [configmaps]
            verbs: [get, list, watch]
    """
    graph = graph_of(bundle)
    for role in (r for kind in ("Role", "ClusterRole") for r in graph.of_kind(kind)):
        for index, entry in mappings_in(role.get(("rules",))):
            verbs, resources = entry.get("verbs"), entry.get("resources")
            if isinstance(verbs, list) and isinstance(resources, list) and \
                    "*" in verbs and "*" in resources:
                yield role.finding(
                    ("rules", index, "verbs"), "this rule grants every verb on every resource",
                    "list only the resources and verbs needed, e.g. resources: [pods], "
                    "verbs: [get, list]")
