"""The classroom on a real cluster: apply the plan, issue kubeconfigs, show status, take it down.

Every call goes through the cluster layer's Client, for a context the
instructor names explicitly (the guard checks it is in their kubeconfig;
neither the current context nor K8S_COURSE_CONTEXT is ever assumed here).
`down` deletes only namespaces that carry the classroom's label, and says
which ones it refused.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path

import yaml

from ..cluster.client import EVENTS, NAMESPACES, PODS, ApiResource, Client
from ..cluster.guard import ContextError
from .kubeconfig import learner_kubeconfig
from .plan import LIMITS, MANAGED_BY, NAME_ANNOTATION, QUOTA, ROLE, SERVICE_ACCOUNT, selector
from .roster import Learner
from .status import learner_line

MIN_TOKEN_SECONDS = 600  # the API server refuses a TokenRequest for less than 10 minutes
QUOTAS = ApiResource("v1", "resourcequotas", "ResourceQuota", True)
# the objects apply makes inside each namespace: (apiVersion, kind, name)
INSIDE = (("v1", "ServiceAccount", SERVICE_ACCOUNT),
          ("rbac.authorization.k8s.io/v1", "Role", ROLE),
          ("rbac.authorization.k8s.io/v1", "RoleBinding", ROLE),
          ("v1", "ResourceQuota", QUOTA), ("v1", "LimitRange", LIMITS))


class ClassroomError(Exception):
    """The classroom cannot be set up or taken down; the message says why and what to do."""


def connect(context: str | None) -> Client:
    """A client for the context the instructor named; no name, no client."""
    if not context:
        raise ContextError("name the shared cluster's context with --context NAME: the "
                           "classroom commands never guess which cluster to change")
    return Client.connect(context)


def _resource(client: Client, obj: dict) -> ApiResource:
    kinds = client.group_version(obj["apiVersion"]) or {}
    if obj["kind"] not in kinds:
        raise ClassroomError(f"the cluster {client.context} does not serve {obj['kind']} "
                             f"({obj['apiVersion']})")
    return kinds[obj["kind"]]


def apply_plan(client: Client, objects: list[dict], say: Callable[[str], None]) -> int:
    """Server-side apply every object of the plan; the number the server refused."""
    refused = 0
    for obj in objects:
        metadata = obj["metadata"]
        resource = _resource(client, obj)
        answer = client.apply(resource, metadata.get("namespace"), metadata["name"],
                              yaml.safe_dump(obj, sort_keys=False), dry_run=False)
        where = f"{metadata.get('namespace', '')}/" if resource.namespaced else ""
        if answer.ok:
            say(f"{obj['kind']} {where}{metadata['name']} "
                f"{'created' if answer.status == 201 else 'configured'}")
        else:
            refused += 1
            message = answer.body.get("message") if isinstance(answer.body, dict) else answer.body
            say(f"{obj['kind']} {where}{metadata['name']} REFUSED ({answer.status}): {message}")
    return refused


def issue_kubeconfigs(client: Client, learners: list[Learner], folder: Path, seconds: int,
                      say: Callable[[str], None], server: str | None = None) -> int:
    """Write folder/<namespace>.yaml (mode 0600) for each learner; the number that failed.

    Each holds a TokenRequest token of the learner's ServiceAccount, valid
    for `seconds`. `server` is the API server's address as the learners
    reach it (default: the one the instructor's context uses).
    """
    if seconds < MIN_TOKEN_SECONDS:
        raise ClassroomError(f"a token must last at least {MIN_TOKEN_SECONDS} seconds "
                             "(the API server's minimum)")
    ca, verified = client.certificate_authority()
    if not folder.exists():  # a folder of its own: only the instructor may list it
        folder.mkdir(mode=0o700, parents=True)
    failed = 0
    for learner in learners:
        answer = client.create_token(learner.namespace, SERVICE_ACCOUNT, seconds)
        status = answer.body.get("status") if answer.ok and isinstance(answer.body, dict) else None
        token = status.get("token") if isinstance(status, dict) else None
        if not token:
            failed += 1
            message = answer.body.get("message") if isinstance(answer.body, dict) else answer.body
            say(f"{learner.namespace}: no token ({answer.status}: {message})")
            continue
        config = learner_kubeconfig(
            learner.namespace, server or client.host, token,
            ca_data=base64.b64encode(ca).decode() if ca else "", insecure=not verified)
        path = folder / f"{learner.namespace}.yaml"
        write_private(path, yaml.safe_dump(config, sort_keys=False))
        say(f"{learner.namespace}: wrote {path} (token valid until "
            f"{status.get('expirationTimestamp', '?')})")
    return failed


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (0600), even if one was there before."""
    path.unlink(missing_ok=True)  # a link or a wider-open file is replaced, not written through
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)


def classroom_namespaces(client: Client) -> list[dict]:
    """The namespaces `classroom apply` made (by their label), sorted by name."""
    found = client.list(NAMESPACES, None, selector())
    return sorted((ns for ns in found if _ours(ns)), key=lambda ns: ns["metadata"]["name"])


def _ours(obj: dict) -> bool:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return labels.get(MANAGED_BY[0]) == MANAGED_BY[1]


def status_lines(client: Client, learners: list[Learner] | None = None) -> list[str]:
    """One line per learner namespace: classroom objects, pods not ready and why, quota.

    With the plan's `learners`, one who has no namespace on the cluster gets
    a line saying so (apply failed for them, or has not run).
    """
    lines = []
    found = classroom_namespaces(client)
    made = {namespace["metadata"]["name"] for namespace in found}
    lines += [f"{learner.namespace}  {learner.name}  MISSING: no classroom namespace on "
              f"{client.context} (run `classroom apply`)" for learner in learners or []
              if learner.namespace not in made]
    for namespace in found:
        name = namespace["metadata"]["name"]
        present = sum(client.get(_resource(client, {"apiVersion": gv, "kind": kind}), name,
                                 obj_name).ok for gv, kind, obj_name in INSIDE)
        quota = client.get(QUOTAS, name, QUOTA)
        lines.append(learner_line(
            namespace, present + 1, len(INSIDE) + 1, client.list(PODS, name),
            client.list(EVENTS, name), quota.body if quota.ok else None))
    return lines


def take_down(client: Client, learners: list[Learner] | None,
              say: Callable[[str], None]) -> int:
    """Delete the classroom's namespaces (all, or the roster's); the number refused.

    A namespace is deleted only when it carries the classroom's label:
    one of the roster's names that exists without it was not made by
    `classroom apply`, and is left alone.
    """
    ours = {ns["metadata"]["name"]: ns for ns in classroom_namespaces(client)}
    wanted = sorted(ours) if learners is None else [learner.namespace for learner in learners]
    refused = 0
    for name in wanted:
        if name not in ours:
            existing = client.get(NAMESPACES, None, name)
            if existing.ok:
                refused += 1
                say(f"{name}: REFUSED, it exists but was not made by `classroom apply` "
                    f"(no label {MANAGED_BY[0]}={MANAGED_BY[1]})")
            else:
                say(f"{name}: not on the cluster (nothing to delete)")
            continue
        learner = (ours[name]["metadata"].get("annotations") or {}).get(NAME_ANNOTATION, "?")
        answer = client.delete(NAMESPACES, None, name)
        if answer.ok or answer.status == 404:
            say(f"{name}: deleted, with everything in it ({learner})")
        else:
            refused += 1
            message = answer.body.get("message") if isinstance(answer.body, dict) else answer.body
            say(f"{name}: could not be deleted ({answer.status}: {message})")
    return refused
