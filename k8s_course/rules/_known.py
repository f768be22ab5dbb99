"""The fields of the blocks whose missing parts rules report, as Kubernetes 1.36 names them.

A rule that says "this probe has no handler" or "this claim requests no
storage" stays quiet when the block also holds a field Kubernetes does not
know: that is most often the missing field, misspelt (`httpget`, `resource`),
and the schema stage already reports it with a "did you mean". One mistake,
one finding.
"""

from __future__ import annotations

from typing import Any

PROBE = frozenset({
    "exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "timeoutSeconds",
    "periodSeconds", "successThreshold", "failureThreshold", "terminationGracePeriodSeconds"})
ENV_VALUE_FROM = frozenset({
    "configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef", "fileKeyRef"})
CLAIM_SPEC = frozenset({
    "accessModes", "selector", "resources", "volumeName", "storageClassName", "volumeMode",
    "dataSource", "dataSourceRef", "volumeAttributesClassName"})
CLAIM_RESOURCES = frozenset({"limits", "requests"})
PV_SPEC = frozenset({
    "capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName",
    "mountOptions", "volumeMode", "nodeAffinity", "volumeAttributesClassName"})
POLICY_RULE = frozenset({"apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"})
METRIC = frozenset({"type", "resource", "containerResource", "pods", "object", "external"})
METRIC_TARGET = frozenset({"type", "value", "averageValue", "averageUtilization"})
SERVICE_SPEC = frozenset({
    "ports", "selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
    "loadBalancerIP", "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
    "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig", "ipFamilies",
    "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
    "internalTrafficPolicy", "trafficDistribution"})
JOB_SPEC = frozenset({
    "parallelism", "completions", "activeDeadlineSeconds", "podFailurePolicy", "successPolicy",
    "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "selector", "manualSelector",
    "template", "ttlSecondsAfterFinished", "completionMode", "suspend", "podReplacementPolicy",
    "managedBy"})


def has_stray_field(block: Any, known: frozenset[str]) -> bool:
    """Does this mapping hold a field Kubernetes does not know here (a likely misspelling)?"""
    return isinstance(block, dict) and any(key not in known for key in block)
