"""Rules of lesson 10 about Jobs and CronJobs."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
from ._known import JOB_SPEC, has_stray_field
from .catalogue import rule


@rule("job-restart-policy", "error", "10-jobs#restart-policy")
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


@rule("job-selector-set", "error", "10-jobs#selector")
def job_selector_set(bundle: Bundle) -> Iterator[Finding]:
    """A Job (or CronJob job template) with a selector written by hand.

    Why: unlike a Deployment, a Job picks its own selector, from a unique
    label it adds to its pods; a selector copied from a Deployment is
    refused (a Job only accepts one with `manualSelector: true`, which is
    for experts). Keep the labels on the template and drop the selector.

    Bad (error):

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          selector:
            matchLabels:
              app: migrate
          template:
            metadata:
              labels:
                app: migrate
            spec:
              restartPolicy: Never
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
            metadata:
              labels:
                app: migrate
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]
    """
    graph = graph_of(bundle)
    for kind, spec in (("Job", ("spec",)), ("CronJob", ("spec", "jobTemplate", "spec"))):
        for job in graph.of_kind(kind):
            if job.get((*spec, "selector")) is None:
                continue
            if kind == "Job" and job.get((*spec, "manualSelector")) is True:
                continue
            yield job.finding((*spec, "selector"), f"a {kind} chooses its pods' selector "
                              "itself; this one is refused", "delete the selector block "
                              "and keep the labels on the pod template")


@rule("job-indexed-needs-completions", "error", "10-jobs#completions")
def job_indexed_needs_completions(bundle: Bundle) -> Iterator[Finding]:
    """An Indexed Job without `completions`.

    Why: with `completionMode: Indexed` each pod gets an index from 0 to
    completions - 1, so the Job must say how many completions it wants.

    Bad (error):

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: shards
        spec:
          completionMode: Indexed
          parallelism: 3
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: shard
                  image: busybox:1.37
                  command: ["sh", "-c", "echo $JOB_COMPLETION_INDEX"]

    Good:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: shards
        spec:
          completionMode: Indexed
          completions: 3
          parallelism: 3
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: shard
                  image: busybox:1.37
                  command: ["sh", "-c", "echo $JOB_COMPLETION_INDEX"]
    """
    graph = graph_of(bundle)
    for kind, spec in (("Job", ("spec",)), ("CronJob", ("spec", "jobTemplate", "spec"))):
        for job in graph.of_kind(kind):
            if job.get((*spec, "completionMode")) == "Indexed" and \
                    job.get((*spec, "completions")) is None and \
                    not has_stray_field(job.get(spec), JOB_SPEC):
                yield job.finding((*spec, "completionMode"), "an Indexed Job needs "
                                  "`completions`: the number of indexes to run",
                                  "add `completions: 3` (or however many pieces of work)")
