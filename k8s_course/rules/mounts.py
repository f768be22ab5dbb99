"""Rules about volumes and claims that go unused or cannot be shared (lesson 06).

A volume no container mounts, a claim no pod uses, a ReadWriteOnce claim under
several replicas: all accepted by the API server, all wrong for their purpose.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import graph_of, mappings_in, mount_paths, uses_of
from .catalogue import rule


def _modes(resource: Resource) -> set[str]:
    modes = resource.get(("spec", "accessModes"))
    return {m for m in modes if isinstance(m, str)} if isinstance(modes, list) else set()

@rule("volume-not-mounted", "info", "06-storage#volumes")
def volume_not_mounted(bundle: Bundle) -> Iterator[Finding]:
    """A pod volume that no container mounts.

    Why: `volumes` only says what the pod may mount; a container sees the
    files only through a `volumeMounts` entry with the volume's name and a
    `mountPath`. A volume nobody mounts is usually a forgotten mount (and,
    for a claim, still ties the pod to that storage). A note, not a warning:
    the API server accepts it, and nothing fails because of it.

    Bad (info):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
          volumes:
            - name: cache
              emptyDir: {}

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: cache
                  mountPath: /cache
          volumes:
            - name: cache
              emptyDir: {}
    """
    for template in graph_of(bundle).templates:
        mounted = set(mount_paths(template))
        for _, container in template.containers(init=True):
            mounted |= {d["name"] for _, d in mappings_in(container.get("volumeDevices"))
                        if isinstance(d.get("name"), str)}
        volumes = list(mappings_in(template.spec.get("volumes")))
        if mounted - {v["name"] for _, v in volumes if isinstance(v.get("name"), str)}:
            continue  # a mount of an undefined name: volume-mount-undefined says it
        for index, volume in volumes:
            name = volume.get("name")
            if isinstance(name, str) and name not in mounted:
                yield template.owner.finding(
                    (*template.spec_path, "volumes", index, "name"),
                    f"no container mounts the volume {name!r}",
                    f"add `volumeMounts: [{{name: {name}, mountPath: /some/path}}]` to the "
                    "container that needs the files", at_value=True)


@rule("claim-not-used", "info", "06-storage#claims")
def claim_not_used(bundle: Bundle) -> Iterator[Finding]:
    """A PersistentVolumeClaim that no pod of its namespace uses, beside pods that could.

    Why: a claim is only a request for storage; a pod sees it once a volume
    of the pod names it (`persistentVolumeClaim.claimName`) and a container
    mounts that volume. On kind's default StorageClass (local-path, which
    waits for a first consumer) a claim no pod uses also stays Pending.
    This rule speaks only when the answer has pods in the claim's namespace,
    and only as a note: the pod that uses it may live in another file.

    Given:

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: model-store
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi

    Bad (info):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: models
                  mountPath: /models
          volumes:
            - name: models
              emptyDir: {}

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: models
                  mountPath: /models
          volumes:
            - name: models
              persistentVolumeClaim:
                claimName: model-store
    """
    graph = graph_of(bundle)
    claims = graph.of_kind("PersistentVolumeClaim")
    used = {(template.namespace, use.name) for template in graph.templates if claims
            for use in uses_of(template) if use.kind == "PersistentVolumeClaim"}
    for claim in claims:
        templates = graph.templates_in(claim.namespace)
        if not templates or (claim.namespace, claim.name) in used:
            continue
        names = ", ".join(sorted(t.owner.ref for t in templates)[:3])
        yield claim.finding(
            ("metadata", "name"), f"no pod in namespace {claim.namespace} uses this claim "
            f"({names} do not)", "add a volume with `persistentVolumeClaim: {claimName: "
            f"{claim.name}}}` to the pod template, and mount it in the container",
            at_value=True)


@rule("claim-shared-by-replicas", "info", "06-storage#access-modes")
def claim_shared_by_replicas(bundle: Bundle) -> Iterator[Finding]:
    """A Deployment with several replicas mounting one ReadWriteOnce claim.

    Why: every replica of a Deployment mounts the same claim. ReadWriteOnce
    lets the volume be attached to one node at a time, so replicas scheduled
    on other nodes wait in ContainerCreating (a one-node kind cluster hides
    this); ReadWriteOncePod lets only one pod use it at all. Share files
    across nodes with a ReadWriteMany volume, or give each replica its own
    claim with a StatefulSet.

    Given:

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: model-store
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi

    Bad (info):

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  volumeMounts:
                    - name: models
                      mountPath: /models
              volumes:
                - name: models
                  persistentVolumeClaim:
                    claimName: model-store

    Good:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  volumeMounts:
                    - name: models
                      mountPath: /models
              volumes:
                - name: models
                  persistentVolumeClaim:
                    claimName: model-store
    """
    graph = graph_of(bundle)
    if not graph.of_kind("PersistentVolumeClaim"):
        return  # the modes of a claim outside the answer are unknown
    for deployment in graph.of_kind("Deployment"):
        replicas = deployment.get(("spec", "replicas"), 1)
        template = graph.template_of(deployment)
        if template is None or not isinstance(replicas, int) or replicas < 2:
            continue
        for use in uses_of(template):
            claim = graph.lookup("PersistentVolumeClaim", template.namespace, use.name) \
                if use.kind == "PersistentVolumeClaim" else None
            modes = _modes(claim) if claim is not None else set()
            if modes and not modes & {"ReadWriteMany", "ReadOnlyMany"}:
                yield deployment.finding(
                    ("spec", "replicas"), f"{replicas} replicas share the claim {use.name!r}, "
                    f"which is {', '.join(sorted(modes))}: replicas on other nodes cannot "
                    "mount it", "use one replica, a ReadWriteMany volume, or a StatefulSet "
                    "with volumeClaimTemplates", at_value=True,
                    severity=Severity.WARNING if modes == {"ReadWriteOncePod"} else None)
