"""What happened next: workloads rolling out, their pods, and why a pod is stuck.

`follow()` polls Deployments, StatefulSets and DaemonSets until they are
rolled out or time runs out, then reads their pods and the namespace's
events. The pure functions below turn that JSON into learner terms:
ImagePullBackOff means the image or tag does not exist, CrashLoopBackOff
means the program exits (with its last log lines), Pending means no node
will take the pod (with the scheduler's reason).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ..findings import Finding, Path, Severity
from .client import EVENTS, PODS, Client

POLL_SECONDS = 2.0
LOG_LINES = 10
CONTAINERS: Path = ("spec", "template", "spec", "containers")
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
HOPELESS = frozenset({"pod-image", "pod-crashing", "pod-config"})  # waiting longer will not help
_IMAGE_REASONS = {"ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull"}
_CONFIG_REASONS = {"CreateContainerConfigError", "CreateContainerError"}


class Problem(NamedTuple):
    """Why one pod is not running, in learner terms; `container` "" for the whole pod."""

    rule: str
    pod: str
    container: str
    message: str
    hint: str
    lesson: str
    wants_logs: bool = False


def rollout_status(obj: dict) -> tuple[bool, str]:
    """(rolled out?, "2/3 ready") for a Deployment, StatefulSet or DaemonSet, as kubectl judges."""
    spec, status = _dict(obj.get("spec")), _dict(obj.get("status"))
    kind = obj.get("kind")
    seen = status.get("observedGeneration", 0) >= _dict(obj.get("metadata")).get("generation", 0)
    if kind == "DaemonSet":
        want = status.get("desiredNumberScheduled", 0)
        ready = min(status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0))
    else:
        want = spec.get("replicas", 1) if isinstance(spec.get("replicas", 1), int) else 1
        ready_key = "availableReplicas" if kind == "Deployment" else "readyReplicas"
        ready = min(status.get("updatedReplicas", 0), status.get(ready_key, 0))
    done = seen and ready >= want and status.get("replicas", 0) <= want
    return done, f"{ready}/{want} ready"


def pod_problems(pod: dict, events: Iterable[dict]) -> list[Problem]:
    """Why this pod is not running (empty when it is fine or still starting normally)."""
    name = _dict(pod.get("metadata")).get("name", "?")
    status = _dict(pod.get("status"))
    mine = [e for e in events if _dict(e.get("involvedObject")).get("name") == name
            and _dict(e.get("involvedObject")).get("kind") == "Pod"]
    problems = []
    for container in status.get("containerStatuses") or []:
        problem = _container_problem(name, _dict(container), mine)
        if problem:
            problems.append(problem)
    if not problems and status.get("phase") == "Pending" and not _dict(pod.get("spec")).get(
            "nodeName"):
        problems.append(_unscheduled(name, mine))
    return problems


def _container_problem(pod: str, container: dict, events: list[dict]) -> Problem | None:
    state = _dict(container.get("state"))
    waiting = _dict(state.get("waiting"))
    reason = waiting.get("reason", "")
    cname, image = container.get("name", "?"), container.get("image", "?")
    if reason in _IMAGE_REASONS:
        said = [e.get("message", "") for e in events if e.get("reason") in ("Failed", "BackOff")
                and image in e.get("message", "")]
        detail = f" (the node said: {said[0]})" if said else ""
        return Problem(
            "pod-image", pod, cname,
            f"pod {pod} cannot pull image {image!r} ({reason}): the "
            f"image or its tag does not exist, or the registry wants a login{detail}",
            "check the image name and tag letter by letter (e.g. on hub.docker.com); "
            "the tag must exist exactly, like nginx:1.27", "03-deployments#image")
    if reason == "CrashLoopBackOff":
        last = _dict(_dict(container.get("lastState")).get("terminated"))
        code = last.get("exitCode", "?")
        return Problem(
            "pod-crashing", pod, cname,
            f"container {cname} in pod {pod} keeps exiting (exit code "
            f"{code}, restarted {container.get('restartCount', 0)} times); Kubernetes "
            "waits longer before each restart",
            "its last log lines (below) usually say why; a container must run a "
            "program that keeps running, such as a web server",
            "03-deployments#crashloop", wants_logs=True)
    if reason in _CONFIG_REASONS:
        return Problem(
            "pod-config", pod, cname,
            f"container {cname} in pod {pod} cannot be created: "
            f"{waiting.get('message', reason)}",
            "create the ConfigMap or Secret it refers to, or fix the name it uses",
            "05-config#configmaps")
    return None


def _unscheduled(pod: str, events: list[dict]) -> Problem:
    said = [e.get("message", "") for e in events if e.get("reason") == "FailedScheduling"]
    if not said:
        return Problem(
            "pod-pending", pod, "",
            f"pod {pod} is Pending: no node has been chosen for it yet, and "
            "no scheduler has explained why", "the cluster may have no scheduler or "
            "no ready node: `k8s-course cluster status` checks them",
            "03-deployments#pending")
    reason = said[-1]
    if "Insufficient" in reason:
        hint = ("the pods ask for more CPU or memory than a node has free: lower "
                "resources.requests, or run fewer replicas")
    elif "taint" in reason:
        hint = "every node is reserved (tainted) for other pods; add a toleration or free a node"
    elif "persistentvolumeclaim" in reason.lower():
        hint = "the pod waits for its PersistentVolumeClaim to be bound to a volume"
    else:
        hint = "the scheduler's words above say which rule no node satisfies"
    return Problem(
            "pod-pending", pod, "",
            f"pod {pod} is Pending: no node will take it ({reason})", hint,
                   "03-deployments#pending")


def label_selector(selector: Any) -> str:
    """A workload's spec.selector as a labelSelector query ("app=web,tier in (a,b)")."""
    selector = _dict(selector)
    parts = [f"{k}={v}" for k, v in _dict(selector.get("matchLabels")).items()]
    for expression in selector.get("matchExpressions") or []:
        expression = _dict(expression)
        key, operator = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(str(v) for v in expression.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(operator, key))
    return ",".join(parts)


def pod_row(pod: dict, now: datetime) -> tuple[str, str, str, str, str]:
    """NAME, READY, STATUS, RESTARTS, AGE of one pod, as `kubectl get pods` prints them."""
    metadata, status = _dict(pod.get("metadata")), _dict(pod.get("status"))
    containers = [_dict(c) for c in status.get("containerStatuses") or []]
    total = len(_dict(pod.get("spec")).get("containers") or containers)
    ready = sum(1 for c in containers if c.get("ready"))
    shown = status.get("phase", "Unknown")
    for container in containers:
        state = _dict(container.get("state"))
        reason = _dict(state.get("waiting")).get("reason") or _dict(
            state.get("terminated")).get("reason")
        if reason:
            shown = reason
    restarts = sum(int(c.get("restartCount", 0)) for c in containers)
    return (metadata.get("name", "?"), f"{ready}/{total}", shown, str(restarts),
            age(metadata.get("creationTimestamp"), now))


def age(timestamp: Any, now: datetime) -> str:
    """"42s", "5m", "3h", "2d" since an RFC 3339 timestamp."""
    try:
        then = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    except ValueError:
        return "?"
    seconds = max(int((now - then).total_seconds()), 0)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def object_row(target: Any, live: dict) -> tuple[str, str, str]:
    """KIND/NAME, NAMESPACE, STATUS of one applied object."""
    kind = target.api.kind
    status = "present"
    if kind in WORKLOADS:
        status = rollout_status(live)[1]
    elif kind == "Service":
        spec = _dict(live.get("spec"))
        ports = ",".join(
            f"{p.get('port')}" + (f":{p['nodePort']}" if p.get("nodePort") else "")
            + f"/{p.get('protocol', 'TCP')}" for p in (spec.get("ports") or [])
            if isinstance(p, dict))
        parts = (spec.get("type", "ClusterIP"), spec.get("clusterIP", ""), ports)
        status = " ".join(str(part) for part in parts if part)
    elif kind == "Namespace":
        status = _dict(live.get("status")).get("phase", "present")
    return target.resource.ref, target.namespace or "-", status


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """Columns padded like kubectl's output."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join("   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                     .rstrip() for row in [header, *rows])


def follow(client: Client, targets: list, *, wait: bool = True, timeout: float = 120.0,
           progress: Callable[[str], None] | None = None,
           clock: Callable[[], float] = time.monotonic,
           sleep: Callable[[float], None] = time.sleep) -> tuple[list[Finding], str]:
    """Wait for the workloads among `targets`, then findings and a table of what runs."""
    workloads = [t for t in targets if t.api.kind in WORKLOADS]
    say = progress or (lambda line: print(line, flush=True))
    live = _wait(client, workloads, timeout if wait else 0.0, say, clock, sleep)
    findings: list[Finding] = []
    pods: list[dict] = []
    events: dict[str, list[dict]] = {}
    for target in workloads:
        namespace = target.namespace or "default"
        selector = label_selector(target.resource.get(("spec", "selector")))
        mine = client.list(PODS, namespace, selector) if selector else []
        pods += mine
        done, text = rollout_status(live.get(id(target), {}))
        if done:
            continue
        if namespace not in events:
            events[namespace] = client.list(EVENTS, namespace)
        problems = [p for pod in mine for p in pod_problems(pod, events[namespace])]
        findings += [_finding(client, target, problem, namespace) for problem in problems]
        if not problems:
            findings.append(target.resource.finding(
                (), f"not rolled out yet ({text})",
                "give it a little longer, then look again with `kubectl get pods`",
                severity=Severity.WARNING, rule="rollout-incomplete",
                lesson="03-deployments#rollout"))
    return findings, _tables(client, targets, live, pods)


def _wait(client: Client, workloads: list, timeout: float, say: Callable[[str], None],
          clock: Callable[[], float], sleep: Callable[[float], None]) -> dict[int, dict]:
    """Poll until every workload is rolled out or `timeout` passes; the last seen objects."""
    deadline = clock() + timeout
    live: dict[int, dict] = {}
    said: dict[int, str] = {}
    while True:
        for target in workloads:
            answer = client.get(target.api, target.namespace, target.resource.name)
            live[id(target)] = answer.body if answer.ok and isinstance(answer.body, dict) else {}
            done, text = rollout_status(live[id(target)])
            line = f"{target.resource.ref}: {text}" + (" - rolled out" if done else "")
            if said.get(id(target)) != line:
                say(line)
                said[id(target)] = line
        waiting = [t for t in workloads if not rollout_status(live[id(t)])[0]]
        if not waiting or clock() >= deadline or all(_hopeless(client, t) for t in waiting):
            return live
        sleep(min(POLL_SECONDS, max(deadline - clock(), 0.0)))


def _hopeless(client: Client, target: Any) -> bool:
    """Whether a pod of this workload is stuck in a way that waiting cannot fix."""
    selector = label_selector(target.resource.get(("spec", "selector")))
    pods = client.list(PODS, target.namespace or "default", selector) if selector else []
    return any(p.rule in HOPELESS for pod in pods for p in pod_problems(pod, []))


def _finding(client: Client, target: Any, problem: Problem, namespace: str) -> Finding:
    containers = target.resource.get(CONTAINERS)
    path: Path = ("spec", "template", "spec")
    for index, container in enumerate(containers if isinstance(containers, list) else []):
        if isinstance(container, dict) and container.get("name") == problem.container:
            path = (*CONTAINERS, index, "image") if problem.rule == "pod-image" else (
                *CONTAINERS, index)
    message = problem.message
    if problem.wants_logs:
        # the run that crashed is the previous one; right after a first crash
        # the server may only have the current run's log
        logs = (client.logs(namespace, problem.pod, problem.container, previous=True,
                            lines=LOG_LINES)
                or client.logs(namespace, problem.pod, problem.container, previous=False,
                               lines=LOG_LINES)).strip()
        message += (":\n    | " + "\n    | ".join(logs.splitlines()) if logs
                    else "; it wrote nothing to its log before exiting")
    return target.resource.finding(path, message, problem.hint, severity=Severity.ERROR,
                                   rule=problem.rule, lesson=problem.lesson)


def _tables(client: Client, targets: list, live: dict[int, dict], pods: list[dict]) -> str:
    rows = []
    for target in targets:
        obj = live.get(id(target))
        if obj is None:
            answer = client.get(target.api, target.namespace, target.resource.name)
            obj = answer.body if answer.ok and isinstance(answer.body, dict) else {}
        rows.append(object_row(target, obj))
    text = table(rows, ("OBJECT", "NAMESPACE", "STATUS"))
    if pods:
        now = datetime.now(UTC)
        text += "\n\n" + table([pod_row(p, now) for p in pods],
                               ("POD", "READY", "STATUS", "RESTARTS", "AGE"))
    return text


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
