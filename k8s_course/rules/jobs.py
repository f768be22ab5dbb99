"""Rules of lesson 10 about Jobs and CronJobs."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
from .catalogue import rule


@rule("job-restart-policy", "error", "09-workloads#jobs")
def job_restart_policy(bundle: Bundle) -> Iterator[Finding]:
    """A Job or CronJob whose pods would restart forever (restartPolicy Always).

    Why: a Job runs pods to completion, so its template must say
    `restartPolicy: OnFailure` or `Never`. The pod default, Always, is
    refused for Jobs, and leaving the field out means Always.

    Bad (error):

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          template:
            spec:
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]

    Good:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]
    """
    for template in graph_of(bundle).templates:
        if template.owner.kind not in ("Job", "CronJob"):
            continue
        policy = template.spec.get("restartPolicy")
        if policy in (None, "Always"):
            path = (*template.spec_path, "restartPolicy") if policy else template.spec_path
            said = "is Always" if policy else "is not set, so it defaults to Always"
            yield template.owner.finding(
                path, f"the pod template's restartPolicy {said}, which a "
                f"{template.owner.kind} does not allow",
                "add `restartPolicy: OnFailure` (retry in place) or `Never` "
                "under the template's spec", at_value=bool(policy))
