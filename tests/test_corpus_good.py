"""No false alarms: realistic, correct manifests raise no error and no warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_course import check
from k8s_course.findings import Severity

CORPUS = sorted((Path(__file__).parent / "corpus" / "good").glob("*.yaml"))


def test_the_corpus_is_large_and_varied():
    assert len(CORPUS) >= 30
    kinds = {r.kind for path in CORPUS for r in check(path).bundle}
    assert {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Ingress",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "Role", "RoleBinding",
            "ClusterRole", "ClusterRoleBinding", "ServiceAccount", "ConfigMap", "Secret",
            "PersistentVolume", "PersistentVolumeClaim", "NetworkPolicy", "ResourceQuota",
            "LimitRange", "Namespace"} <= kinds


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_correct_manifest_has_no_error_or_warning(path):
    report = check(path)
    loud = [f"{f.line}:{f.column} {f.rule}: {f.message}" for f in report.findings
            if f.severity is not Severity.INFO]
    assert loud == []
    assert len(report.bundle) >= 1


def test_the_whole_corpus_as_one_bundle_is_clean():
    # Files written separately must not collide when applied together.
    report = check(CORPUS)
    loud = [f"{f.file}:{f.line} {f.rule}: {f.message}" for f in report.findings
            if f.severity is not Severity.INFO]
    assert loud == []
