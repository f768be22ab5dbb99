"""Rules about RBAC: Roles, bindings and the subjects they name."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Path, Severity
from ..graph import graph_of, mappings_in
from ._known import POLICY_RULE, has_stray_field
from ._values import name_problem
from .catalogue import rule
from .roles import role_elsewhere

# ClusterRoles every cluster ships with (the user-facing ones and the system: family).
BUILT_IN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


@rule("role-ref-missing", "info", "07-rbac#bindings")
def role_ref_missing(bundle: Bundle) -> Iterator[Finding]:
    """A binding whose roleRef names a Role (or ClusterRole) the answer does not define.

    Why: a RoleBinding grants the permissions of the role it names. The API
    server accepts a binding to a role that does not exist yet, and it then
    grants nothing, silently. A Role must be in the binding's namespace.
    When the answer has a role whose name is one or two letters off, it is
    most likely a typo, and this becomes a warning that names it.

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
        if not isinstance(name, str) or kind not in ("Role", "ClusterRole") or \
                (binding.kind == "ClusterRoleBinding" and kind == "Role"):
            continue  # a kind the binding cannot name is role-ref-invalid's finding
        if kind == "ClusterRole" and (name in BUILT_IN_CLUSTER_ROLES or
                                      name.startswith("system:")):
            continue
        namespace = binding.namespace if kind == "Role" else ""
        if graph.lookup(kind, namespace, name) is None and not role_elsewhere(bundle, binding):
            where = f" in namespace {namespace}" if namespace else ""
            close = graph.close_name(kind, namespace, name)
            yield binding.finding(
                ("roleRef", "name"), f"no {kind} {name!r}{where} in this answer; until it "
                "exists this binding grants nothing",
                f"did you mean `name: {close}`?" if close else
                f"add the {kind} {name}, or check the spelling of roleRef.name",
                # a name one letter off one of the answer's roles: most likely a typo
                severity=Severity.WARNING if close else None, at_value=True)


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


RBAC_GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _subject_problem(subject: dict) -> tuple[str, str, str] | None:
    """(field, message, hint) for the first thing the API server refuses in a subject."""
    kind, group = subject.get("kind"), subject.get("apiGroup", "")
    if not isinstance(kind, str):
        return None  # missing or mistyped: the schema's finding
    if kind not in SUBJECT_KINDS:
        meant = next((k for k in SUBJECT_KINDS if k.lower() == kind.lower()), "")
        return ("kind", f"{kind!r} is not a subject kind; a binding grants to a "
                "ServiceAccount, a User or a Group",
                f"did you mean `kind: {meant}`?" if meant else "write `kind: ServiceAccount` "
                "for a pod's identity")
    if subject.get("name") == "":  # a missing name is the schema's finding
        return ("name", f"the {kind} subject's name is empty", "write the name it grants to")
    if kind == "ServiceAccount":
        name = subject.get("name")
        problem = name_problem(name, "dns-1123-subdomain") if isinstance(name, str) else ""
        if problem:
            return ("name", f"ServiceAccount name {name!r}: {problem}",
                    "use the ServiceAccount's metadata.name")
        if isinstance(group, str) and group:
            return ("apiGroup", f"a ServiceAccount subject takes no apiGroup (it is in the "
                    f"core group), not {group!r}", "delete the apiGroup line of this subject")
    elif isinstance(group, str) and group and group != RBAC_GROUP:  # "" means the default
        return ("apiGroup", f"a {kind} subject's apiGroup is {RBAC_GROUP}, not {group!r}",
                f"write `apiGroup: {RBAC_GROUP}` in this subject")
    return None


@rule("subject-invalid", "error", "07-rbac#subjects")
def subject_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A binding subject the API server refuses: wrong kind, missing name, wrong apiGroup.

    Why: a subject is a ServiceAccount (no apiGroup, with its namespace),
    a User or a Group (both in `apiGroup: rbac.authorization.k8s.io`, the
    default for them).
    Other kinds, such as Pod or Deployment, cannot be granted anything: a
    pod acts as its ServiceAccount.

    Bad (error):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read-pods
        subjects:
          - kind: ServiceAccount
            apiGroup: rbac.authorization.k8s.io
            name: reporter
            namespace: default
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: view

    Good:

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
          kind: ClusterRole
          name: view
    """
    graph = graph_of(bundle)
    for binding in (r for kind in BINDING_KINDS for r in graph.of_kind(kind)):
        for index, subject in mappings_in(binding.get(("subjects",))):
            problem = _subject_problem(subject)
            if problem:
                field, message, hint = problem
                path = ("subjects", index, field) if field in subject else ("subjects", index)
                yield binding.finding(path, message, hint, at_value=field in subject)


@rule("role-ref-invalid", "error", "07-rbac#bindings")
def role_ref_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A binding's roleRef with a wrong apiGroup or kind (ClusterRoleBindings need ClusterRoles).

    Why: roleRef points at a Role or a ClusterRole, always with
    `apiGroup: rbac.authorization.k8s.io`. A ClusterRoleBinding grants
    cluster-wide, so it can only name a ClusterRole. roleRef cannot be
    changed after the binding is created: to point elsewhere, delete and
    recreate the binding.

    Bad (error):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read-pods
        subjects:
          - kind: ServiceAccount
            name: reporter
            namespace: default
        roleRef:
          apiGroup: rbac.authorization.k8s.io/v1
          kind: ClusterRole
          name: view

    Good:

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
          kind: ClusterRole
          name: view
    """
    graph = graph_of(bundle)
    for binding in (r for kind in BINDING_KINDS for r in graph.of_kind(kind)):
        ref = binding.get(("roleRef",))
        if not isinstance(ref, dict):
            continue
        group, kind = ref.get("apiGroup"), ref.get("kind")
        if isinstance(group, str) and group and group != RBAC_GROUP:
            yield binding.finding(("roleRef", "apiGroup"), f"roleRef.apiGroup is {group!r}; "
                                  f"it must be {RBAC_GROUP} (no version)",
                                  f"write `apiGroup: {RBAC_GROUP}`", at_value=True)
        allowed = ("ClusterRole",) if binding.kind == "ClusterRoleBinding" else \
            ("Role", "ClusterRole")
        if isinstance(kind, str) and kind not in allowed:
            yield binding.finding(
                ("roleRef", "kind"), f"a {binding.kind} cannot refer to a {kind}; roleRef.kind "
                f"must be {' or '.join(allowed)}",
                "bind a Role with a RoleBinding in its namespace, or make it a ClusterRole"
                if kind == "Role" else f"write `kind: {allowed[-1]}`", at_value=True)


@rule("rbac-rule-incomplete", "error", "07-rbac#rules")
def rbac_rule_incomplete(bundle: Bundle) -> Iterator[Finding]:
    """A Role or ClusterRole rule without verbs, apiGroups or resources.

    Why: each rule grants `verbs` on `resources` of some `apiGroups`; all
    three are needed. The core group (pods, services, configmaps) is
    written `apiGroups: [""]`, Deployments are in `apps`. A rule about
    `nonResourceURLs` (such as /healthz) belongs only in a ClusterRole and
    names no resources.

    Bad (error):

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: pod-reader
        rules:
          - resources: [pods]
            verbs: [get, list]

    Good:

        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: pod-reader
        rules:
          - apiGroups: [""]
            resources: [pods]
            verbs: [get, list]
    """
    graph = graph_of(bundle)
    for role in (r for kind in ("Role", "ClusterRole") for r in graph.of_kind(kind)):
        for index, entry in mappings_in(role.get(("rules",))):
            yield from _policy_rule_findings(role, ("rules", index), entry)


def _policy_rule_findings(role: Resource, path: Path, entry: dict) -> Iterator[Finding]:
    stray = has_stray_field(entry, POLICY_RULE)

    def empty(field: str) -> bool:  # a string where a list belongs is the schema's finding
        return entry.get(field) in (None, [])

    def missing(field: str) -> bool:  # left out, it may be misspelt (`verb:`): the schema says
        return empty(field) and not (stray and field not in entry)

    if missing("verbs"):
        yield role.finding((*path, "verbs") if "verbs" in entry else path,
                           "this rule has no verbs", "add e.g. `verbs: [get, list, watch]`")
    if not empty("nonResourceURLs"):
        if role.kind == "Role":
            yield role.finding((*path, "nonResourceURLs"), "a Role lives in a namespace, so "
                               "it cannot grant nonResourceURLs", "move this rule into a "
                               "ClusterRole")
        elif not (empty("apiGroups") and empty("resources") and empty("resourceNames")):
            yield role.finding((*path, "nonResourceURLs"), "a rule is either about "
                               "resources or about nonResourceURLs, not both",
                               "split it into two rules")
        return
    if missing("apiGroups"):
        yield role.finding((*path, "apiGroups") if "apiGroups" in entry else path,
                           "this rule has no apiGroups", 'add `apiGroups: [""]` for pods, '
                           'services and configmaps, `["apps"]` for Deployments')
    if missing("resources"):
        yield role.finding((*path, "resources") if "resources" in entry else path,
                           "this rule has no resources", "add e.g. `resources: [pods]`")
