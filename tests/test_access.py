"""The offline RBAC authorizer answers as the API server's would."""

from __future__ import annotations

import pytest

from k8s_course.access import Request, can
from k8s_course.pipeline import load

APP = "system:serviceaccount:mlops:app"

READS_OWN_CONFIG = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: mlops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: config-reader, namespace: mlops}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [app-settings]
    verbs: [get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reads-config, namespace: mlops}
subjects:
  - kind: ServiceAccount
    name: app
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-reader}
"""


def _can(yaml: str, *args, **kwargs):
    bundle, problems = load(yaml)
    assert not problems
    return can(bundle, Request(*args, **kwargs))


@pytest.mark.parametrize("request_, allowed", [
    (Request(APP, "get", "configmaps", "mlops", name="app-settings"), True),
    (Request(APP, "watch", "configmaps", "mlops", name="app-settings"), True),
    (Request(APP, "get", "configmaps", "mlops", name="other"), False),  # resourceNames
    (Request(APP, "list", "configmaps", "mlops"), False),  # a list names no object
    (Request(APP, "update", "configmaps", "mlops", name="app-settings"), False),
    (Request(APP, "get", "secrets", "mlops", name="app-settings"), False),
    (Request(APP, "get", "configmaps", "default", name="app-settings"), False),  # other ns
    (Request(APP, "get", "configmaps", "", name="app-settings"), False),  # cluster-wide
    (Request("system:serviceaccount:other:app", "get", "configmaps", "mlops",
             name="app-settings"), False),
])
def test_a_rolebinding_grants_its_role_in_its_namespace_only(request_, allowed):
    bundle, _ = load(READS_OWN_CONFIG)
    decision = can(bundle, request_)
    assert decision.allowed is allowed, decision.reason
    if allowed:
        assert "RoleBinding mlops/app-reads-config" in decision.reason


def test_a_service_account_subject_needs_a_namespace_in_a_cluster_role_binding():
    yaml = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: app-views}
subjects:
  - {kind: ServiceAccount, name: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
"""
    assert not _can(yaml, APP, "list", "pods", "mlops").allowed
    fixed = yaml.replace("name: app}", "name: app, namespace: mlops}")
    assert _can(fixed, APP, "list", "pods", "mlops").allowed
    assert _can(fixed, APP, "list", "pods", "kube-system").allowed  # everywhere
    assert not _can(fixed, APP, "get", "secrets", "mlops").allowed  # view hides Secrets


def test_a_rolebinding_to_a_built_in_cluster_role_grants_it_in_one_namespace():
    yaml = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ada-edits, namespace: ada}
subjects:
  - {kind: User, name: ada, apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
"""
    assert _can(yaml, "ada", "create", "deployments", "ada", api_group="apps").allowed
    assert _can(yaml, "ada", "get", "secrets", "ada").allowed
    assert not _can(yaml, "ada", "get", "secrets", "bob").allowed
    assert not _can(yaml, "ada", "list", "nodes").allowed
    assert not _can(yaml, "ada", "create", "rolebindings", "ada",
                    api_group="rbac.authorization.k8s.io").allowed  # edit is not admin
    assert not _can(yaml, "bob", "get", "pods", "ada").allowed


def test_groups_wildcards_and_subresources():
    yaml = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: log-reader}
rules:
  - apiGroups: ["*"]
    resources: ["*/log"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: every-sa-reads-logs}
subjects:
  - {kind: Group, name: "system:serviceaccounts:mlops", apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: log-reader}
"""
    assert _can(yaml, APP, "get", "pods/log", "mlops").allowed
    assert not _can(yaml, APP, "get", "pods", "mlops").allowed
    assert not _can(yaml, "system:serviceaccount:web:app", "get", "pods/log", "web").allowed


def test_a_cluster_role_binding_cannot_use_a_role_and_an_unknown_role_is_unsure():
    yaml = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: mlops}
subjects:
  - {kind: ServiceAccount, name: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: from-a-helm-chart}
"""
    decision = _can(yaml, APP, "get", "pods", "mlops")
    assert not decision.allowed and decision.unsure
    assert "from-a-helm-chart" in decision.reason
    role_yaml = READS_OWN_CONFIG.replace("kind: RoleBinding", "kind: ClusterRoleBinding")
    decision = _can(role_yaml, APP, "get", "configmaps", "mlops", name="app-settings")
    assert not decision.allowed and not decision.unsure


def test_built_in_resources_know_their_groups_and_the_ways_learners_spell_them():
    from k8s_course.access import RESOURCE_SPELLINGS, groups_of

    assert groups_of("deployments") == {"apps"}
    assert groups_of("events") == {"", "events.k8s.io"}
    assert groups_of("Deployments") == frozenset()  # only the API's own spelling
    spelled = {form: RESOURCE_SPELLINGS[form] for form in
               ("deployment", "ingress", "networkpolicy", "storageclass", "endpoints", "pods")}
    assert spelled == {"deployment": "deployments", "ingress": "ingresses",
                       "networkpolicy": "networkpolicies", "storageclass": "storageclasses",
                       "endpoints": "endpoints", "pods": "pods"}
