"""What each learner gets on the shared cluster, as plain data (the objects of lessons 02, 07, 08).

For every learner, all in their own namespace except the Namespace itself:

- Namespace `<namespace>`, with the Pod Security `baseline` level enforced;
- ServiceAccount `learner`, whose token goes into the learner's kubeconfig;
- Role `learner-edit`: what the built-in `edit` role allows for the kinds
  the course teaches, plus Roles and RoleBindings (lesson 07; the API server
  stops anyone granting more than they hold), and only reading the quota;
- RoleBinding `learner-edit`: that Role to that ServiceAccount, in this
  namespace only, so nothing reaches another learner's namespace or the
  cluster's nodes;
- ResourceQuota `learner-quota` and LimitRange `learner-defaults`, sized by
  `Sizing`: one learner's runaway Deployment cannot starve the class.

Every object carries `MANAGED_BY`, which is how `classroom down` finds what
`classroom apply` made and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from .roster import Learner

MANAGED_BY = ("app.kubernetes.io/managed-by", "k8s-course-classroom")
LEARNER_LABEL = "k8s-course.dev/learner"  # the learner's namespace, on every object
NAME_ANNOTATION = "k8s-course.dev/learner-name"  # the name as the roster wrote it
SERVICE_ACCOUNT = "learner"
ROLE = "learner-edit"
QUOTA = "learner-quota"
LIMITS = "learner-defaults"
RBAC = "rbac.authorization.k8s.io"
_WRITE = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
_READ = ["get", "list", "watch"]
# (apiGroups, resources, verbs): the `edit` role's reach over what the course teaches
RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], list[str]], ...] = (
    (("",), ("pods", "services", "configmaps", "secrets", "persistentvolumeclaims",
             "serviceaccounts"), _WRITE),
    (("",), ("pods/log", "pods/status", "events", "endpoints", "resourcequotas", "limitranges"),
     _READ),
    (("",), ("pods/exec", "pods/portforward"), ["get", "create"]),
    (("apps",), ("deployments", "statefulsets", "daemonsets", "replicasets",
                 "deployments/scale", "statefulsets/scale"), _WRITE),
    (("batch",), ("jobs", "cronjobs"), _WRITE),
    (("autoscaling",), ("horizontalpodautoscalers",), _WRITE),
    (("networking.k8s.io",), ("ingresses", "networkpolicies"), _WRITE),
    (("policy",), ("poddisruptionbudgets",), _WRITE),
    (("discovery.k8s.io",), ("endpointslices",), _READ),
    ((RBAC,), ("roles", "rolebindings"), _WRITE),
)


@dataclass(frozen=True)
class Sizing:
    """How much of the cluster each learner may use (Kubernetes quantities)."""

    cpu: str = "2"  # requests and limits, summed over the namespace
    memory: str = "2Gi"
    pods: int = 20
    storage: str = "5Gi"
    default_cpu_request: str = "100m"  # what a container that says nothing gets
    default_memory_request: str = "128Mi"
    default_cpu_limit: str = "500m"
    default_memory_limit: str = "256Mi"


def _metadata(learner: Learner, name: str, namespaced: bool = True) -> dict:
    metadata: dict = {"name": name}
    if namespaced:
        metadata["namespace"] = learner.namespace
    metadata["labels"] = {MANAGED_BY[0]: MANAGED_BY[1], LEARNER_LABEL: learner.namespace}
    metadata["annotations"] = {NAME_ANNOTATION: learner.name}
    return metadata


def learner_objects(learner: Learner, sizing: Sizing) -> list[dict]:
    """The six objects of one learner, Namespace first."""
    namespace = _metadata(learner, learner.namespace, namespaced=False)
    namespace["labels"]["pod-security.kubernetes.io/enforce"] = "baseline"
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": namespace},
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": _metadata(learner, SERVICE_ACCOUNT)},
        {"apiVersion": f"{RBAC}/v1", "kind": "Role", "metadata": _metadata(learner, ROLE),
         "rules": [{"apiGroups": list(groups), "resources": list(resources), "verbs": verbs}
                   for groups, resources, verbs in RULES]},
        {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": _metadata(learner, ROLE),
         "subjects": [{"kind": "ServiceAccount", "name": SERVICE_ACCOUNT,
                       "namespace": learner.namespace}],
         "roleRef": {"apiGroup": RBAC, "kind": "Role", "name": ROLE}},
        {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": _metadata(learner, QUOTA),
         "spec": {"hard": {
             "requests.cpu": sizing.cpu, "limits.cpu": sizing.cpu,
             "requests.memory": sizing.memory, "limits.memory": sizing.memory,
             "pods": str(sizing.pods), "requests.storage": sizing.storage,
             # a shared cluster's addresses and ports are not one learner's to take
             "services.loadbalancers": "0", "services.nodeports": "0"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": _metadata(learner, LIMITS),
         "spec": {"limits": [{
             "type": "Container",
             "defaultRequest": {"cpu": sizing.default_cpu_request,
                                "memory": sizing.default_memory_request},
             "default": {"cpu": sizing.default_cpu_limit,
                         "memory": sizing.default_memory_limit}}]}},
    ]


def plan(learners: list[Learner], sizing: Sizing) -> list[dict]:
    """Every learner's objects, learner after learner."""
    return [obj for learner in learners for obj in learner_objects(learner, sizing)]


def plan_yaml(objects: list[dict]) -> str:
    """The plan as one multi-document YAML file, as `kubectl apply -f` takes it."""
    header = ("# Written by `k8s-course classroom plan`: one namespace per learner.\n"
              "# Apply with `k8s-course classroom apply THIS-FILE --context NAME`.\n")
    return header + yaml.safe_dump_all(objects, sort_keys=False, explicit_start=True,
                                       allow_unicode=True)


def selector() -> str:
    """The label selector that finds what the classroom made, and only that."""
    return f"{MANAGED_BY[0]}={MANAGED_BY[1]}"
