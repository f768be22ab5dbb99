"""Rules of lesson 06 about volumes, PersistentVolumes and claims."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding
from ..graph import graph_of, mappings_in
from ._values import name_problem, parse_quantity, suggest_name
from .catalogue import rule
from .claims import PV_SOURCES


def _modes(resource: Resource) -> set[str]:
    modes = resource.get(("spec", "accessModes"))
    return {m for m in modes if isinstance(m, str)} if isinstance(modes, list) else set()


@rule("pvc-unsatisfiable", "info", "06-storage#claims")
def pvc_unsatisfiable(bundle: Bundle) -> Iterator[Finding]:
    """A claim that no PersistentVolume of the answer can satisfy.

    Why: a PersistentVolumeClaim binds to a volume of its storage class that
    offers at least the requested size and every requested access mode.
    When the answer brings its own PersistentVolumes of that class and none
    fits, the claim stays Pending (and so do the pods that use it).

    Given:

        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: data
        spec:
          storageClassName: manual
          capacity:
            storage: 5Gi
          accessModes: [ReadWriteOnce]
          hostPath:
            path: /data

    Bad (info):

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          storageClassName: manual
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 10Gi

    Good:

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          storageClassName: manual
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 5Gi
    """
    volumes: dict[str, list[Resource]] = {}
    for volume in graph_of(bundle).of_kind("PersistentVolume"):
        storage_class = volume.get(("spec", "storageClassName")) or ""
        if isinstance(storage_class, str):
            volumes.setdefault(storage_class, []).append(volume)
    for claim in graph_of(bundle).of_kind("PersistentVolumeClaim"):
        named = claim.get(("spec", "volumeName"))
        storage_class = claim.get(("spec", "storageClassName"))
        if isinstance(named, str) and named:
            chosen = graph_of(bundle).lookup("PersistentVolume", "", named)
            candidates = [chosen] if chosen is not None else []
        elif isinstance(storage_class, str):
            candidates = volumes.get(storage_class, [])
        else:
            continue  # the default StorageClass provisions a volume on demand
        if not candidates:
            continue
        yield from _unsatisfied(claim, candidates)


def _unsatisfied(claim: Resource, volumes: list[Resource]) -> Iterator[Finding]:
    size_path = ("spec", "resources", "requests", "storage")
    wanted = parse_quantity(claim.get(size_path))
    sizes = [parse_quantity(v.get(("spec", "capacity", "storage"))) for v in volumes]
    if wanted is not None and all(s is not None and s < wanted for s in sizes):
        largest = max(s for s in sizes if s is not None)
        yield claim.finding(
            size_path, f"asks for {claim.get(size_path)}, but the largest matching "
            f"PersistentVolume offers {_bytes(largest)}",
            "request at most what a volume offers, or make a volume larger", at_value=True)
    modes = _modes(claim)
    if modes and not any(modes <= _modes(v) for v in volumes):
        offered = sorted({m for v in volumes for m in _modes(v)})
        yield claim.finding(
            ("spec", "accessModes"), f"no matching PersistentVolume offers "
            f"{', '.join(sorted(modes))} (they offer {', '.join(offered) or 'nothing'})",
            "ask for an access mode a volume offers, usually ReadWriteOnce", at_value=True)


def _bytes(amount: Decimal) -> str:
    for suffix, size in (("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if amount >= size and amount % size == 0:
            return f"{amount // size}{suffix}"
    return str(amount)


@rule("volume-mount-undefined", "error", "06-storage#volumes")
def volume_mount_undefined(bundle: Bundle) -> Iterator[Finding]:
    """A volumeMount naming a volume the pod does not define.

    Why: a container mounts volumes that the pod lists under
    spec.volumes (or, in a StatefulSet, under volumeClaimTemplates) by name.
    The API server refuses a mount whose name matches none of them.

    Bad (error):

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
            - name: scratch
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
        owner = template.owner
        volumes = template.spec.get("volumes")
        claims = owner.get(("spec", "volumeClaimTemplates")) if owner.kind == "StatefulSet" \
            else None
        defined = {_name_of(v) for group in (volumes, claims) if isinstance(group, list)
                   for v in group}
        for path, container in template.containers(init=True):
            for field in ("volumeMounts", "volumeDevices"):
                mounts = container.get(field)
                for index, mount in enumerate(mounts if isinstance(mounts, list) else []):
                    name = mount.get("name") if isinstance(mount, dict) else None
                    if isinstance(name, str) and name not in defined:
                        known = ", ".join(sorted(n for n in defined if n)) or "none"
                        yield owner.finding(
                            (*path, field, index, "name"),
                            f"no volume named {name!r} is defined (volumes: {known})",
                            f"add `- name: {name}` with a source (emptyDir, configMap, "
                            "persistentVolumeClaim...) under the pod's volumes", at_value=True)


def _name_of(entry: Any) -> str:
    """The name of a volume (`name`) or of a claim template (`metadata.name`)."""
    if not isinstance(entry, dict):
        return ""
    holder = entry.get("metadata") if "metadata" in entry else entry
    name = holder.get("name") if isinstance(holder, dict) else None
    return name if isinstance(name, str) else ""




# Volume sources of a pod volume; a volume names at most one (none means emptyDir).
_POD_VOLUME_SOURCES = PV_SOURCES | {
    "configMap", "secret", "emptyDir", "persistentVolumeClaim", "projected", "downwardAPI",
    "ephemeral", "gitRepo", "image"}


@rule("volume-invalid", "error", "06-storage#volumes")
def volume_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A pod volume or volumeMount the API server refuses (bad name, two sources, same path).

    Why: a volume's name is a DNS label (lowercase letters, digits, '-')
    unique in the pod, and each volume has one source (emptyDir,
    configMap, secret, persistentVolumeClaim...). In a container each
    mountPath is used once, and a subPath stays inside its volume: relative,
    without '..'.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: cache_dir
                  mountPath: /cache
          volumes:
            - name: cache_dir
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
        owner, seen = template.owner, set()
        for index, volume in mappings_in(template.spec.get("volumes")):
            path = (*template.spec_path, "volumes", index)
            name = volume.get("name")
            problem = name_problem(name, "dns-1123-label") if isinstance(name, str) else ""
            if problem:
                yield owner.finding((*path, "name"), f"volume name {name!r}: {problem}",
                                    f"for example `name: {suggest_name(name)}`, here and "
                                    "in its volumeMounts", at_value=True)
            elif isinstance(name, str) and name in seen:
                yield owner.finding((*path, "name"), f"another volume is already named "
                                    f"{name!r}", "give each volume its own name", at_value=True)
            seen.add(name if isinstance(name, str) else "")
            sources = [key for key in volume if key in _POD_VOLUME_SOURCES]
            for extra in sources[1:]:
                yield owner.finding((*path, extra), f"a volume has one source; {sources[0]} "
                                    "is already set", "split it into two volumes")
        for path, container in template.containers(init=True):
            yield from _mount_findings(owner, path, container)


def _mount_findings(owner: Resource, path: tuple, container: dict) -> Iterator[Finding]:
    mount_paths: set[str] = set()
    for index, mount in mappings_in(container.get("volumeMounts")):
        where, target = (*path, "volumeMounts", index), mount.get("mountPath")
        if isinstance(target, str) and target in mount_paths:
            yield owner.finding((*where, "mountPath"), f"mountPath {target} is already used "
                                "by another mount of this container",
                                "mount each volume at its own path", at_value=True)
        mount_paths.add(target if isinstance(target, str) else "")
        sub = mount.get("subPath")
        if isinstance(sub, str) and (sub.startswith("/") or ".." in sub.split("/")):
            yield owner.finding((*where, "subPath"), f"subPath {sub!r} must be a relative "
                                "path inside the volume, without '..'",
                                "write the path inside the volume, e.g. `subPath: app.conf`",
                                at_value=True)
