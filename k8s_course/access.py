"""Who may do what: the RBAC authorizer's answer, computed offline from an answer.

    >>> can(bundle, Request("system:serviceaccount:mlops:app", "get", "configmaps", "mlops"))
    Decision(allowed=True, reason='RoleBinding mlops/app-reads-config grants it via Role ...')

It follows the API server's RBAC authorizer (`pkg/registry/rbac/validation`):
a request is allowed when some binding names the requester and the role it
refers to has a rule matching the verb, API group, resource (and
subresource) and, when the rule lists them, the object's name. RBAC only
adds permissions; nothing denies. A RoleBinding grants only inside its own
namespace, a ClusterRoleBinding everywhere. A ServiceAccount subject without
a namespace means the binding's namespace; in a ClusterRoleBinding it then
matches nobody.

The answer's own Roles and ClusterRoles are used first; the user-facing
ClusterRoles every cluster bootstraps (`cluster-admin`, `admin`, `edit`,
`view`) are known by their main rules. A binding to any other role that the
answer does not define cannot be judged: the Decision says so (`unsure`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .bundle import Bundle, Resource

SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
RBAC_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class Request:
    """One API request, as the authorizer sees it."""

    user: str  # "jane", or "system:serviceaccount:mlops:app" for a ServiceAccount
    verb: str  # get, list, watch, create, update, patch, delete, deletecollection, ...
    resource: str  # plural and lower-case: "configmaps", "deployments", "pods/log"
    namespace: str = ""  # "" for a cluster-wide request (nodes, or listing every namespace)
    api_group: str = ""  # "" for the core group; "apps", "batch", ...
    name: str = ""  # the object's name, when the request names one
    groups: tuple[str, ...] = ()  # the user's groups, beside those the authenticator adds

    def all_groups(self) -> set[str]:
        """The groups the API server's authenticator gives this user."""
        groups = {*self.groups, "system:authenticated"}
        if self.user.startswith(SERVICE_ACCOUNT_PREFIX):
            namespace = self.user[len(SERVICE_ACCOUNT_PREFIX):].partition(":")[0]
            groups |= {"system:serviceaccounts", f"system:serviceaccounts:{namespace}"}
        return groups


@dataclass(frozen=True)
class Decision:
    """The authorizer's answer and the binding that decided it."""

    allowed: bool
    reason: str
    unsure: bool = False  # a matching binding refers to a role the answer does not define


@dataclass(frozen=True)
class PolicyRule:
    verbs: frozenset[str]
    api_groups: frozenset[str]
    resources: frozenset[str]
    names: frozenset[str] = frozenset()

    def allows(self, request: Request) -> bool:
        subresource = request.resource.partition("/")[2]
        return (_has(self.verbs, request.verb) and _has(self.api_groups, request.api_group)
                and ("*" in self.resources or request.resource in self.resources
                     or (bool(subresource) and f"*/{subresource}" in self.resources))
                and (not self.names or request.name in self.names))


def _has(allowed: frozenset[str], wanted: str) -> bool:
    return "*" in allowed or wanted in allowed


def _strings(value: object) -> frozenset[str]:
    return frozenset(v for v in value if isinstance(v, str)) if isinstance(value, list) \
        else frozenset()


def rules_of(role: Resource) -> list[PolicyRule]:
    """The rules a Role or ClusterRole grants (entries that are not mappings are skipped)."""
    rules = role.get(("rules",))
    return [PolicyRule(_strings(rule.get("verbs")), _strings(rule.get("apiGroups")),
                       _strings(rule.get("resources")), _strings(rule.get("resourceNames")))
            for rule in (rules if isinstance(rules, list) else []) if isinstance(rule, dict)]


# --- the user-facing ClusterRoles every cluster bootstraps --------------------------

_READ = ("get", "list", "watch")
_WRITE = ("create", "delete", "deletecollection", "patch", "update")
_VIEWABLE = {
    "": ("configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
         "pods", "pods/log", "pods/status", "replicationcontrollers",
         "replicationcontrollers/scale", "replicationcontrollers/status", "serviceaccounts",
         "services", "services/status", "bindings", "events", "limitranges", "resourcequotas",
         "resourcequotas/status", "namespaces", "namespaces/status"),
    "apps": ("controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
             "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
             "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"),
    "autoscaling": ("horizontalpodautoscalers", "horizontalpodautoscalers/status"),
    "batch": ("cronjobs", "cronjobs/status", "jobs", "jobs/status"),
    "policy": ("poddisruptionbudgets", "poddisruptionbudgets/status"),
    "networking.k8s.io": ("ingresses", "ingresses/status", "networkpolicies"),
    "discovery.k8s.io": ("endpointslices",),
}
_EDITABLE = {
    "": ("pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "configmaps",
         "events", "persistentvolumeclaims", "replicationcontrollers",
         "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
         "services/proxy"),
    "apps": ("daemonsets", "deployments", "deployments/rollback", "deployments/scale",
             "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"),
    "autoscaling": ("horizontalpodautoscalers",),
    "batch": ("cronjobs", "jobs"),
    "policy": ("poddisruptionbudgets",),
    "networking.k8s.io": ("ingresses", "networkpolicies"),
    "discovery.k8s.io": ("endpointslices",),
}


def _grants(verbs: Iterable[str], by_group: dict[str, tuple[str, ...]]) -> list[PolicyRule]:
    return [PolicyRule(frozenset(verbs), frozenset({group}), frozenset(resources))
            for group, resources in by_group.items()]


_VIEW = _grants(_READ, _VIEWABLE)
_EDIT = [*_VIEW, *_grants(_WRITE, _EDITABLE),
         PolicyRule(frozenset(_READ), frozenset({""}), frozenset({"secrets"})),
         PolicyRule(frozenset({"impersonate"}), frozenset({""}), frozenset({"serviceaccounts"})),
         PolicyRule(frozenset({"create"}), frozenset({""}), frozenset({"serviceaccounts/token"}))]
BUILT_IN_CLUSTER_ROLES: dict[str, list[PolicyRule]] = {
    "cluster-admin": [PolicyRule(frozenset({"*"}), frozenset({"*"}), frozenset({"*"}))],
    "admin": [*_EDIT, PolicyRule(frozenset((*_READ, *_WRITE)), frozenset({RBAC_GROUP}),
                                 frozenset({"roles", "rolebindings"}))],
    "edit": _EDIT,
    "view": _VIEW,
}


# --- bindings ----------------------------------------------------------------------

def _names_requester(subject: object, binding_namespace: str, request: Request) -> bool:
    """Whether a binding's subject is this requester (`appliesToUser` in the authorizer)."""
    if not isinstance(subject, dict):
        return False
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == request.user
    if kind == "Group":
        return name in request.all_groups()
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return bool(namespace) and request.user == f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"
    return False


def _bindings(bundle: Bundle, request: Request) -> Iterator[Resource]:
    """The bindings that can grant this request: cluster-wide ones, and RoleBindings of
    the request's namespace (a RoleBinding never grants cluster-wide requests)."""
    yield from bundle.of_kind("ClusterRoleBinding")
    if request.namespace:
        yield from (b for b in bundle.of_kind("RoleBinding") if b.namespace == request.namespace)


def _role(bundle: Bundle, binding: Resource) -> tuple[str, list[PolicyRule] | None]:
    """(how to name the role, its rules), or rules None when the answer does not define it."""
    kind, name = binding.get(("roleRef", "kind")), binding.get(("roleRef", "name"))
    name = name if isinstance(name, str) else ""  # no object has an empty name
    if kind == "Role" and binding.kind == "RoleBinding":
        role = bundle.find("Role", name, binding.namespace)
        return f"Role {binding.namespace}/{name}", rules_of(role) if role else None
    if kind == "ClusterRole":
        role = bundle.find("ClusterRole", name)  # the last definition wins
        if role is not None:
            return f"ClusterRole {name}", rules_of(role)
        return f"ClusterRole {name}", BUILT_IN_CLUSTER_ROLES.get(name)
    return f"{kind} {name}", []  # a ClusterRoleBinding cannot refer to a Role



def can(bundle: Bundle, request: Request) -> Decision:
    """Whether the answer's RBAC objects let `request.user` make this request."""
    unsure: list[str] = []
    for binding in _bindings(bundle, request):
        subjects = binding.get(("subjects",))
        if not isinstance(subjects, list) or not any(
                _names_requester(s, binding.namespace if binding.kind == "RoleBinding" else "",
                                 request) for s in subjects):
            continue
        where = f"{binding.kind} " + (f"{binding.namespace}/" if binding.kind == "RoleBinding"
                                      else "") + str(binding.name)
        role, rules = _role(bundle, binding)
        if rules is None:
            unsure.append(f"{where} refers to {role}, which the answer does not define")
        elif any(rule.allows(request) for rule in rules):
            return Decision(True, f"{where} grants it through {role}")
    what = f"{request.verb} {request.resource}" + (
        f" in namespace {request.namespace}" if request.namespace else " cluster-wide")
    if unsure:
        return Decision(False, "; ".join(unsure) + f", so whether it allows {what} is unknown",
                        unsure=True)
    return Decision(False, f"no binding in the answer lets {request.user} {what}")


# --- the built-in resources, for rules that read a Role as a learner wrote it -------

# API group -> the plural resource names a Role lists (the common built-in ones).
BUILT_IN_RESOURCES: dict[str, tuple[str, ...]] = {
    "": ("pods", "services", "configmaps", "secrets", "serviceaccounts", "endpoints", "events",
         "persistentvolumeclaims", "persistentvolumes", "namespaces", "nodes", "limitranges",
         "resourcequotas", "replicationcontrollers", "podtemplates"),
    "apps": ("deployments", "replicasets", "statefulsets", "daemonsets", "controllerrevisions"),
    "batch": ("jobs", "cronjobs"),
    "autoscaling": ("horizontalpodautoscalers",),
    "policy": ("poddisruptionbudgets",),
    "networking.k8s.io": ("ingresses", "ingressclasses", "networkpolicies"),
    RBAC_GROUP: ("roles", "rolebindings", "clusterroles", "clusterrolebindings"),
    "storage.k8s.io": ("storageclasses",),
    "discovery.k8s.io": ("endpointslices",),
    "coordination.k8s.io": ("leases",),
    "events.k8s.io": ("events",),
}


def groups_of(resource: str) -> frozenset[str]:
    """The API groups serving a built-in plural resource ("deployments" -> {"apps"})."""
    return _GROUPS.get(resource, frozenset())


def _singular(plural: str) -> str:
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural[:-2] if plural.endswith("sses") else plural[:-1]


_GROUPS: dict[str, frozenset[str]] = {}
for _group, _plurals in BUILT_IN_RESOURCES.items():
    for _plural in _plurals:
        _GROUPS[_plural] = _GROUPS.get(_plural, frozenset()) | {_group}
# "Deployment", "deployment", "Deployments" -> "deployments"
RESOURCE_SPELLINGS = {form: plural for plural in _GROUPS
                      for form in (plural, _singular(plural))}
