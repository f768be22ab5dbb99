"""The optional cluster layer: a local kind cluster, server dry-run, apply, and what ran.

    >>> from k8s_course import cluster
    >>> cluster.dry_run("deployment.yaml")        # the server's verdict, nothing stored
    >>> cluster.apply("deployment.yaml")          # create, then watch the rollout
    >>> cluster.endpoints("fast-api-service", "mlops")
    >>> with cluster.port_forward("fast-api-service", "mlops") as web:
    ...     web.get("/")

Every action targets the course's kind cluster (context `kind-k8s-course`)
unless a context is named: `context=`, or the K8S_COURSE_CONTEXT variable.
The `kubernetes` client is imported only when a cluster action runs, so
importing this package stays light.
"""

from __future__ import annotations

from .actions import apply, delete, dry_run
from .client import ClusterUnreachable
from .guard import COURSE_CONTEXT, ContextError
from .kind import KindError, down, status, up
from .portforward import endpoints, port_forward
from .report import ClusterReport

__all__ = [
    "COURSE_CONTEXT", "ClusterReport", "ClusterUnreachable", "ContextError", "KindError",
    "apply", "delete", "down", "dry_run", "endpoints", "port_forward", "status", "up",
]
