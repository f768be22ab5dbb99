"""dry_run, apply and delete: a learner's answer against a real API server.

One server-side apply call per object (field manager `k8s-course`, force,
strict field validation), as `kubectl apply --server-side --force-conflicts`.
`apply` sends the objects in the order they are written, as `kubectl apply -f`
does, so a Namespace written after the objects that live in it fails there
just as it does with kubectl (lesson 02 teaches the order). A dry run puts
Namespaces and other cluster-scoped objects first, and a delete goes the
other way round; there the order teaches nothing. Every refusal becomes a
Finding on the learner's YAML (see errors.py) and the report names the
context and namespaces used.

A bundle that creates its own namespace cannot be dry-run as is: a real
server answers 404 for objects in a namespace that does not exist yet. On the
course's own kind cluster we create that namespace for real (it is empty and
harmless) and say so; on any other cluster we leave it alone and say which
objects could not be checked.

On a shared classroom cluster the learner has one namespace (guard.py says
how it is named): namespaced objects are sent there whatever namespace they
were written for, with one note saying so, and Namespaces and other
cluster-wide objects are not sent at all, nor quotas and limits (the
instructor's, in a classroom). Lessons written for `mlops` work unchanged.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..pipeline import Answer, load
from ..report import Report
from .client import NAMESPACES, ApiResource, Client, ClusterUnreachable
from .errors import server_findings
from .guard import COURSE_CONTEXT, ContextError, requested_context
from .kind import what_is_missing
from .payload import Payload, payloads
from .report import ClusterReport

DRY_RUN, APPLY, DELETE = "server dry run", "apply", "delete"
# What a classroom sets for each learner's namespace, which the learner may read but not
# change (classroom/plan.py): sending theirs would only bring back the server's 403.
INSTRUCTORS_KINDS = frozenset({"ResourceQuota", "LimitRange"})
LESSON_CLUSTER = "00-start-here#cluster"


class Target(NamedTuple):
    """One object to send: the learner's Resource, where it lives, and its text."""

    resource: Resource
    api: ApiResource
    namespace: str | None
    payload: Payload


def dry_run(answer: Answer | Report, *, context: str | None = None,
            namespace: str | None = None) -> ClusterReport:
    """Would the server accept this answer? None of its objects is stored; only a
    namespace it creates and the course's own cluster lacks is created for real.

    `answer` is YAML text, a path, a Bundle or a Report from check();
    `context` a kubeconfig context (default: $K8S_COURSE_CONTEXT, else the
    course's kind cluster); `namespace` the one namespace to work in on a
    shared cluster (default: $K8S_COURSE_NAMESPACE or the learner's kubeconfig).
    """
    return _run(answer, context, DRY_RUN, namespace)[0]


def apply(answer: Answer | Report, *, context: str | None = None, wait: bool = True,
          timeout: float = 120.0, progress: Callable[[str], None] | None = None,
          namespace: str | None = None) -> ClusterReport:
    """Create or update the answer's objects, then watch workloads roll out.

    With `wait`, Deployments, StatefulSets and DaemonSets are followed for up
    to `timeout` seconds (`progress` receives one line per change), then the
    report gets a table of the objects and pods, and findings for pods that
    cannot start (bad image, crashing container, nowhere to run).
    """
    report, client, applied = _run(answer, context, APPLY, namespace)
    if client is not None and applied:
        from .rollout import follow  # the rollout view loads only after an apply

        try:
            findings, table = follow(client, applied, wait=wait, timeout=timeout,
                                     progress=progress)
        except ClusterUnreachable as error:  # the cluster went away while we watched
            findings, table = [_no_cluster(report.bundle, error, context)], ""
        report = _report(report.bundle, [*report.findings, *findings], report.kube_version,
                         APPLY, client.context, report.namespaces, table)
    return report


def delete(answer: Answer | Report, *, context: str | None = None,
           namespace: str | None = None) -> ClusterReport:
    """Remove the answer's objects from the cluster (namespaced ones first)."""
    return _run(answer, context, DELETE, namespace)[0]


def apply_order(targets: Iterable[Target]) -> list[Target]:
    """Namespaces, then other cluster-scoped objects, then the rest; otherwise as written
    (the order of a dry run; a delete walks it backwards)."""
    return sorted(targets, key=lambda t: (t.api.namespaced, t.api.kind != "Namespace"))


def _run(answer: Answer | Report, context: str | None, action: str, namespace: str | None
         ) -> tuple[ClusterReport, Client | None, list[Target]]:
    # a Report from check() carries its Bundle: `cluster.apply(check(text))` works too
    bundle, findings = load(answer.bundle if isinstance(answer, Report) else answer)
    client = None
    try:
        client = Client.connect(context, namespace)
        version = client.server_version()
        targets = _targets(client, bundle, findings)
        if action != APPLY:
            targets = apply_order(targets)
        if action == DELETE:
            done = _delete(client, targets, findings)
        else:
            done = _apply(client, targets, findings, dry_run=action == DRY_RUN)
    except (ContextError, ClusterUnreachable) as error:
        findings.append(_no_cluster(bundle, error, context))
        used = client.context if client else ""  # it may vanish after the first calls
        return _report(bundle, findings, "", action, used, (), ""), None, []
    namespaces = tuple(sorted({t.namespace for t in targets if t.namespace}))
    report = _report(bundle, findings, version, action, client.context, namespaces, "")
    return report, client, done


def _report(bundle: Bundle, findings: list[Finding], version: str, action: str, context: str,
            namespaces: tuple[str, ...], table: str) -> ClusterReport:
    return ClusterReport(findings, bundle, version, action=action, context=context,
                         namespaces=namespaces, table=table)


def _no_cluster(bundle: Bundle, error: Exception, context: str | None) -> Finding:
    """Why nothing was sent: about the computer, not the YAML, so on no line of it (line 0)."""
    file = bundle.sources[0].name if bundle.sources else "<answer>"
    rule = "cluster-context" if isinstance(error, ContextError) else "cluster-unreachable"
    hint = ("everything else in the course works without a cluster: "
            "`k8s-course check` reads your YAML offline")
    if isinstance(error, ContextError) and requested_context(context) == COURSE_CONTEXT:
        # the course's own cluster needs Docker and kind: say which is missing
        missing = what_is_missing()
        hint = " ".join([*missing, "E" + hint[1:]]) if missing else hint
    return Finding(rule, Severity.ERROR, str(error), hint, file, line=0, column=0,
                   lesson=LESSON_CLUSTER)


def _targets(client: Client, bundle: Bundle, findings: list[Finding]) -> list[Target]:
    """What the server will be asked about, with findings for what it cannot be."""
    texts = payloads(bundle)
    targets: list[Target] = []
    noted: set[str] = set()
    for resource in bundle:
        if not (resource.api_version and resource.kind and resource.name):
            findings.append(resource.finding(
                (), "not sent to the cluster: an object needs apiVersion, kind and "
                "metadata.name first", "fix the problems above, then try again",
                severity=Severity.ERROR, rule="cluster-skipped", lesson="01-manifest-anatomy"))
            continue
        kinds = client.group_version(resource.api_version)
        api = (kinds or {}).get(resource.kind)
        if api is None:
            findings.append(_unknown_kind(resource, kinds, client.context))
            continue
        namespace = (resource.metadata.get("namespace") or "default") if api.namespaced else None
        target = Target(resource, api, str(namespace) if namespace else None,
                        texts[id(resource)])
        if client.namespace:
            target = _confine(target, client, findings, noted)
        if target is not None:
            targets.append(target)
    return targets


def _confine(target: Target, client: Client, findings: list[Finding],
             noted: set[str]) -> Target | None:
    """The target moved into the learner's namespace, or None when it cannot be sent.

    `noted` holds the namespaces already explained, so a lesson's ten objects
    in `mlops` give one note, not ten.
    """
    mine, resource = client.namespace, target.resource
    if target.api.kind in INSTRUCTORS_KINDS:
        findings.append(resource.finding(
            ("kind",), f"not sent: in your namespace {mine} on {client.context} the "
            f"{target.api.kind} is your instructor's, so yours was checked offline only",
            "nothing to change: `k8s-course check` has read it", severity=Severity.WARNING,
            rule="cluster-namespace-confined", lesson="02-namespaces#create"))
        return None
    if not target.api.namespaced:
        is_namespace = target.api.kind == "Namespace"
        findings.append(resource.finding(
            ("metadata", "name") if is_namespace else ("kind",),
            f"not sent: on {client.context} you work in your own namespace {mine}"
            + (f", so the objects written for {resource.name} go there" if is_namespace else
               f", and a {target.api.kind} is cluster-wide"),
            "nothing to change: the course sends your other objects to your namespace",
            severity=Severity.INFO if is_namespace else Severity.WARNING,
            rule="cluster-namespace-confined", lesson="02-namespaces#create"))
        return None
    written = str(resource.metadata.get("namespace") or "")
    if not written or written == mine:
        return target._replace(namespace=mine)
    if written not in noted:
        noted.add(written)
        findings.append(resource.finding(
            ("metadata", "namespace"), f"sent to your namespace {mine} instead of {written}: "
            f"on {client.context} you work in {mine} only", "nothing to change: this note "
            "is for your information", severity=Severity.INFO,
            rule="cluster-namespace-confined", lesson="02-namespaces#create"))
    body = copy.deepcopy(resource.body)
    body["metadata"]["namespace"] = mine
    for subject in body.get("subjects") or []:  # a RoleBinding naming its own namespace
        if isinstance(subject, dict) and subject.get("namespace") == written:
            subject["namespace"] = mine
    return target._replace(namespace=mine, payload=Payload(json.dumps(body, default=str), 0))


def _unknown_kind(resource: Resource, kinds: dict | None, context: str) -> Finding:
    if kinds is None:
        return resource.finding(
            ("apiVersion",), f"the cluster ({context}) does not serve apiVersion "
            f"{resource.api_version}", "check its spelling; `kubectl api-resources` lists "
            "every kind with its apiVersion (a Deployment is apps/v1, a Service v1)",
            severity=Severity.ERROR, rule="server-unknown-kind",
            lesson="01-manifest-anatomy#apiversion")
    close = difflib.get_close_matches(resource.kind, list(kinds), n=1)
    hint = f"did you mean kind: {close[0]}?" if close else (
        "check the kind and apiVersion together: `kubectl api-resources` lists them")
    return resource.finding(
        ("kind",), f"apiVersion {resource.api_version} has no kind {resource.kind} on this "
        "cluster", hint, severity=Severity.ERROR, rule="server-unknown-kind",
        lesson="01-manifest-anatomy#kind")


def _apply(client: Client, targets: list[Target], findings: list[Finding], *,
           dry_run: bool) -> list[Target]:
    """Send every target; the ones the server took."""
    missing: set[str] = set()
    created: set[str] = set()
    if dry_run:
        missing, created = _prepare_namespaces(client, targets, findings)
    done = []
    for target in targets:
        resource = target.resource
        if target.namespace in missing:
            findings.append(resource.finding(
                ("metadata", "namespace"), f"not dry-run: namespace {target.namespace} does "
                f"not exist on {client.context} yet, and the course creates namespaces for real "
                "only on its own kind cluster", "apply the Namespace first, or dry-run on the "
                "course's cluster (`k8s-course cluster up`)", severity=Severity.WARNING,
                rule="cluster-not-dry-run", lesson="02-namespaces#create"))
            continue
        if target.api.kind == "Namespace" and resource.name in created:
            continue
        answer = client.apply(target.api, target.namespace, resource.name,
                              target.payload.text, dry_run=dry_run)
        if not answer.ok:
            findings += server_findings(resource, answer, target.payload)
            continue
        done.append(target)
        outcome = ("accepted by the server (dry run: nothing was changed)" if dry_run
                   else "created" if answer.status == 201 else "configured")
        findings.append(resource.finding((), outcome, severity=Severity.INFO,
                                         rule="cluster-accepted"))
    return done


def _prepare_namespaces(client: Client, targets: list[Target],
                        findings: list[Finding]) -> tuple[set[str], set[str]]:
    """Before a dry run: namespaces the bundle needs and creates but the cluster lacks.

    Returns (namespaces that stay missing, namespaces created for real).
    """
    used = {t.namespace for t in targets if t.namespace}
    missing, created = set(), set()
    for target in targets:
        name = target.resource.name
        if target.api.kind != "Namespace" or name not in used:
            continue
        if client.get(NAMESPACES, None, name).status != 404:
            continue
        if client.context != COURSE_CONTEXT:
            missing.add(name)
            continue
        answer = client.apply(target.api, None, name, target.payload.text, dry_run=False)
        if not answer.ok:
            findings += server_findings(target.resource, answer, target.payload)
            missing.add(name)
            continue
        created.add(name)
        findings.append(target.resource.finding(
            ("metadata", "name"), f"created namespace {name} for real on the course's cluster, "
            "so the objects inside it could be dry-run (a dry run cannot place objects in a "
            "namespace that does not exist yet)",
            f"it is empty; `k8s-course cluster delete FILE` or `kubectl delete namespace {name}` "
            "removes it", severity=Severity.INFO, rule="cluster-namespace-created",
            lesson="02-namespaces#create"))
    return missing, created


def _delete(client: Client, targets: list[Target], findings: list[Finding]) -> list[Target]:
    """Delete every target, namespaced objects before their namespaces."""
    done = []
    for target in reversed(targets):
        resource = target.resource
        answer = client.delete(target.api, target.namespace, resource.name)
        if answer.status == 404:
            message = "was not on the cluster (nothing to delete)"
        elif answer.ok:
            done.append(target)
            message = "deleted" + (
                " (with everything inside it; this takes a few seconds)"
                if target.api.kind == "Namespace" else "")
        else:
            findings += server_findings(resource, answer)
            continue
        findings.append(resource.finding((), message, severity=Severity.INFO,
                                         rule="cluster-deleted"))
    return done
