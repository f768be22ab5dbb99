"""One line per learner for `classroom status`, from what the API server lists (pure).

A pod that is not ready says why, in the words `kubectl get pods` uses
(ImagePullBackOff, CrashLoopBackOff, Pending), and a pod the quota (or Pod
Security) kept from being created at all shows up as its owner's
FailedCreate event.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .plan import NAME_ANNOTATION

_SHOWN_QUOTA = ("pods", "requests.cpu", "requests.memory")


def pod_trouble(pod: dict) -> str:
    """Why a pod is not ready ("" when it is ready or finished)."""
    status = _dict(pod.get("status"))
    phase = status.get("phase", "")
    if phase == "Succeeded":
        return ""
    conditions = {c.get("type"): c for c in status.get("conditions") or [] if isinstance(c, dict)}
    if _dict(conditions.get("Ready")).get("status") == "True":
        return ""
    for container in status.get("containerStatuses") or []:
        state = _dict(_dict(container).get("state"))
        reason = _dict(state.get("waiting")).get("reason") or _dict(
            state.get("terminated")).get("reason")
        if reason:
            return str(reason)
    scheduled = _dict(conditions.get("PodScheduled"))
    if scheduled.get("status") == "False":
        return f"Pending ({scheduled.get('reason') or 'not scheduled'})"
    return phase or "not ready"


# words of a FailedCreate event's message -> why the pod was refused, as the line says it
_REFUSALS = (("exceeded quota", "by the quota"), ("violates PodSecurity", "by Pod Security"),
             ("must specify limits", "by the quota (no limits given)"))


def refused_pods(events: list[dict]) -> Counter:
    """Why pods could not even be created, from their owners' FailedCreate events."""
    refused: Counter = Counter()
    for event in events:
        message = str(event.get("message", ""))
        if event.get("reason") != "FailedCreate":
            continue
        why = next((said for words, said in _REFUSALS if words in message), "by the API server")
        count = event.get("count")
        refused[why] += count if isinstance(count, int) and count > 0 else 1
    return refused


def quota_use(quota: dict | None) -> str:
    """"pods 3/20, requests.cpu 300m/2" from a ResourceQuota's status."""
    status = _dict(_dict(quota).get("status"))
    hard, used = _dict(status.get("hard")), _dict(status.get("used"))
    shown = [f"{key} {used.get(key, '?')}/{hard[key]}" for key in _SHOWN_QUOTA if key in hard]
    return ", ".join(shown) if shown else "quota not reported yet"


def learner_line(namespace: dict, present: int, expected: int, pods: list[dict],
                 events: list[dict], quota: dict | None) -> str:
    """One learner's line: namespace, name, classroom objects, pods and their trouble, quota."""
    metadata = _dict(namespace.get("metadata"))
    name = _dict(metadata.get("annotations")).get(NAME_ANNOTATION, "?")
    phase = _dict(namespace.get("status")).get("phase", "")
    troubles = Counter(t for t in map(pod_trouble, pods) if t)
    not_ready = sum(troubles.values())
    said = _count(len(pods), "pod")
    if not_ready:
        said += f", {not_ready} not ready: " + ", ".join(
            f"{count} {reason}" for reason, count in sorted(troubles.items()))
    for why, count in sorted(refused_pods(events).items()):
        said += f"; {_count(count, 'pod creation')} refused {why}"
    state = "" if phase in ("", "Active") else f" [{phase}]"
    return (f"{metadata.get('name', '?')}{state}  {name}  objects {present}/{expected}  "
            f"{said}  ({quota_use(quota)})")


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
