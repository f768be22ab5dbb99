"""The course's local cluster: a kind cluster named `k8s-course`, up, down and status.

kind runs a whole Kubernetes node inside a Docker container. The config maps
a few ports of that container to the learner's computer (on 127.0.0.1 only,
so nothing is exposed to the network): NodePort 30080 for the Service lesson,
and 80/443 for an ingress controller later on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from .guard import CLUSTER_NAME, COURSE_CONTEXT

# Kubernetes 1.36 built for kind v0.33.0 (its release notes list this digest);
# `--image` or K8S_COURSE_KIND_IMAGE picks another one.
NODE_IMAGE = ("kindest/node:v1.36.4@sha256:"
              "099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed")
IMAGE_ENV = "K8S_COURSE_KIND_IMAGE"
NODE_PORT = 30080
CREATE_TIMEOUT = 600

KIND_CONFIG = f"""\
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: {CLUSTER_NAME}
nodes:
  - role: control-plane
    extraPortMappings:
      - containerPort: {NODE_PORT}
        hostPort: {NODE_PORT}
        listenAddress: "127.0.0.1"
        protocol: TCP
      - containerPort: 80
        hostPort: 80
        listenAddress: "127.0.0.1"
        protocol: TCP
      - containerPort: 443
        hostPort: 443
        listenAddress: "127.0.0.1"
        protocol: TCP
"""

# One line per missing piece, each with its fix (what `cluster up` and a failed dry run say).
DOCKER_MISSING = ("Docker is not installed: install Docker Desktop (macOS, Windows) or Docker "
                  "Engine (Linux) from https://docs.docker.com/get-docker/ and start it.")
ENGINE_STOPPED = ("Docker is installed but its engine is not running: start Docker Desktop, "
                  "or run `sudo systemctl start docker` on Linux.")
KIND_MISSING = ("kind is not installed: install it from "
                "https://kind.sigs.k8s.io/docs/user/quick-start/#installation "
                "(e.g. `brew install kind`, `choco install kind`, or its release binary).")
THEN = ("Then run `k8s-course cluster up`. Everything else in the course works without a "
        "cluster: `k8s-course check FILE` reads your YAML offline.")


class KindError(Exception):
    """Docker or kind is missing or stopped, or kind failed; the message says what to do."""


@dataclass(frozen=True)
class ClusterStatus:
    """What `k8s-course cluster status` reports."""

    exists: bool
    context: str
    detail: str

    def __str__(self) -> str:
        state = "running" if self.exists else "not created"
        return f"kind cluster {CLUSTER_NAME}: {state} (context {self.context})\n{self.detail}"


def missing_tools(env: Mapping[str, str] | None = None) -> list[str]:
    """Which of docker and kind cannot be found on PATH."""
    path = (os.environ if env is None else env).get("PATH", "")
    return [tool for tool in ("docker", "kind") if shutil.which(tool, path=path) is None]


def what_is_missing(env: Mapping[str, str] | None = None, *,
                    ask_engine: bool = True) -> list[str]:
    """One line with its fix for each of: Docker absent, its engine stopped, kind absent.

    `ask_engine=False` only looks at PATH (no `docker info`, which can take seconds).
    """
    missing = missing_tools(env)
    lines = []
    if "docker" in missing:
        lines.append(DOCKER_MISSING)
    elif ask_engine:
        engine = _run(["docker", "info", "--format", "{{.ServerVersion}}"], env, timeout=15)
        if engine.returncode != 0:
            lines.append(ENGINE_STOPPED)
    if "kind" in missing:
        lines.append(KIND_MISSING)
    return lines


def require_tools(env: Mapping[str, str] | None = None) -> None:
    """KindError, a line per missing piece and how to go on, when the cluster cannot be made."""
    lines = what_is_missing(env)
    if lines:
        raise KindError("\n".join([*lines, THEN]))


def exists(env: Mapping[str, str] | None = None) -> bool:
    """Whether kind knows a cluster named k8s-course."""
    listed = _run(["kind", "get", "clusters"], env, timeout=60)
    return CLUSTER_NAME in listed.stdout.split()


def up(*, image: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Create the course's cluster (nothing to do when it exists); what happened, in words."""
    require_tools(env)
    if exists(env):
        return f"The course's cluster is already running (context {COURSE_CONTEXT})."
    image = image or (os.environ if env is None else env).get(IMAGE_ENV) or NODE_IMAGE
    created = _run(["kind", "create", "cluster", "--name", CLUSTER_NAME, "--image", image,
                    "--config", "-", "--wait", "120s"], env, stdin=KIND_CONFIG,
                   timeout=CREATE_TIMEOUT)
    if created.returncode != 0:
        raise KindError(f"kind could not create the cluster:\n{created.stderr.strip()}")
    return (f"Created the course's cluster: context {COURSE_CONTEXT}, NodePort {NODE_PORT} "
            f"reachable at http://127.0.0.1:{NODE_PORT}. kind also made it your current "
            "kubectl context; the course names it explicitly either way.")


def down(*, env: Mapping[str, str] | None = None) -> str:
    """Delete the course's cluster and everything in it."""
    require_tools(env)
    if not exists(env):
        return "There is no course cluster to delete."
    deleted = _run(["kind", "delete", "cluster", "--name", CLUSTER_NAME], env, timeout=300)
    if deleted.returncode != 0:
        raise KindError(f"kind could not delete the cluster:\n{deleted.stderr.strip()}")
    return "Deleted the course's cluster."


def status(*, env: Mapping[str, str] | None = None) -> ClusterStatus:
    """Is the cluster there, does its API server answer, are its nodes ready?"""
    require_tools(env)
    if not exists(env):
        return ClusterStatus(False, COURSE_CONTEXT, "Create it with `k8s-course cluster up`.")
    from .client import NODES, Client, ClusterUnreachable  # cluster-only
    from .guard import ContextError

    try:
        client = Client.connect(COURSE_CONTEXT)
        version = client.server_version()
        nodes = client.list(NODES, None)
    except (ContextError, ClusterUnreachable) as error:
        return ClusterStatus(True, COURSE_CONTEXT, str(error))
    lines = [f"API server {client.host}, Kubernetes {version or '?'}"]
    for node in nodes:
        conditions = (node.get("status") or {}).get("conditions") or []
        ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
        name = (node.get("metadata") or {}).get("name", "?")
        lines.append(f"node {name}: {'Ready' if ready else 'NotReady'}")
    return ClusterStatus(True, COURSE_CONTEXT, "\n".join(lines))


def _run(command: list[str], env: Mapping[str, str] | None, *, timeout: float,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a tool; a missing tool or a timeout becomes a failed result, never a crash."""
    try:
        return subprocess.run(command, input=stdin, capture_output=True, text=True,
                              timeout=timeout, env=None if env is None else dict(env),
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(command, 127, "", str(error))
