"""The rule catalogue: learner-oriented checks that look at the whole bundle.

A rule is a function registered with `@rule(id, severity, lesson)`. Its
docstring is its documentation and its test: a first line saying what it
catches, a paragraph saying why, and `Bad (severity):` and `Good:` blocks of
YAML (plus an optional `Given:` block of objects both need, for cross-resource
rules); the severity a Bad block names is the one its finding must have.
The rule reference page (`k8s-course rules --markdown`, docs/rules.md) and
the parametrised rule test are both made from them.

A rule yields findings made by `resource.finding(path, message, hint)`;
the runner stamps them with the rule's id, severity and lesson (a rule may
pass `severity=` to downgrade one finding, e.g. to info when it cannot tell).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from functools import cache

from ..bundle import Bundle
from ..findings import Finding, Severity
from .catalogue import REGISTRY, Rule, rule

__all__ = ["TOPICS", "Rule", "all_rules", "get", "rule", "run"]

# One module per topic, in the order of the lessons that teach them (also the
# order of the reference page), with the title of its section there. A new
# rule goes into the module of the lesson that teaches its kind:
TOPICS = {
    "anatomy": "Manifest anatomy (lesson 01)",
    "names": "Names and labels (lesson 01)",
    "fields": "Fixed values (every lesson)",
    "quantities": "Quantities (every lesson)",
    "numbers": "Counts and durations (every lesson)",
    "namespaces": "Namespaces (lesson 02)",
    "deployments": "Deployments: selector, replicas, rollout (lesson 03)",
    "containers": "Containers: images, names, ports (lesson 03)",
    "services": "Services (lesson 04)",
    "ports": "Service ports (lesson 04)",
    "ingress": "Ingress",
    "config": "ConfigMaps and Secrets (lesson 05)",
    "env": "Environment variables (lesson 05)",
    "settings": "Settings in the right object, read the right way (lesson 05)",
    "storage": "Volumes and claims (lesson 06)",
    "claims": "What PersistentVolumes and claims must say (lesson 06)",
    "mounts": "Volumes mounted, claims used and shared (lesson 06)",
    "rbac": "ServiceAccounts and RBAC (lesson 07)",
    "roles": "Roles and bindings as the authorizer reads them (lesson 07)",
    "resources": "Requests and limits (lesson 08)",
    "quotas": "ResourceQuotas and LimitRanges (lesson 08)",
    "autoscaling": "HorizontalPodAutoscalers (lesson 08)",
    "disruption": "PodDisruptionBudgets (lesson 08)",
    "workloads": "Pods, ReplicaSets, StatefulSets and DaemonSets (lesson 09)",
    "jobs": "Jobs and CronJobs (lesson 10)",
    "cronjobs": "CronJob schedules and time zones (lesson 10)",
}


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in catalogue order (topic, then definition order)."""
    for topic in TOPICS:
        importlib.import_module(f"{__name__}.{topic}")
    order = {topic: i for i, topic in enumerate(TOPICS)}
    return tuple(sorted(REGISTRY.values(), key=lambda r: order.get(r.topic, len(order))))


def get(rule_id: str) -> Rule:
    """A rule by id; KeyError when no rule has it (the CLI suggests close ones)."""
    rules = {r.id: r for r in all_rules()}
    if rule_id not in rules:
        raise KeyError(f"no rule {rule_id!r}")
    return rules[rule_id]


def run(bundle: Bundle) -> list[Finding]:
    """Every rule's findings on the bundle, stamped with the rule's identity."""
    found: list[Finding] = []
    for entry in all_rules():
        try:
            for finding in entry.check(bundle):
                found.append(replace(
                    finding, rule=entry.id, severity=finding.severity or entry.severity,
                    lesson=finding.lesson or entry.lesson))
        except Exception as error:  # a bug in one rule must not cost the learner the rest
            found.append(Finding(
                "checker-bug", Severity.INFO,
                f"the rule {entry.id} could not check this answer ({type(error).__name__}); "
                "this is a bug in the checker, not in your YAML",
                "the other checks still ran; please report it to the course team"))
    return found
