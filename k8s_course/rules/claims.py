"""Rules of lesson 06 about what a PersistentVolume and a claim must say."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import as_list, as_mapping, graph_of
from ._known import CLAIM_RESOURCES, CLAIM_SPEC, PV_SPEC, has_stray_field
from ._values import name_problem, parse_quantity
from .catalogue import rule

# The storage backends a PersistentVolume can name (exactly one of them).
PV_SOURCES = frozenset({
    "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc",
    "flexVolume", "flocker", "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local",
    "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos",
    "vsphereVolume"})


def _claim_specs(bundle: Bundle) -> Iterator[tuple[Resource, Path]]:
    """(object, path of a claim spec): PersistentVolumeClaims and StatefulSet templates."""
    graph = graph_of(bundle)
    for claim in graph.of_kind("PersistentVolumeClaim"):
        yield claim, ("spec",)
    for statefulset in graph.of_kind("StatefulSet"):
        for index, _ in enumerate(as_list(statefulset.get(("spec", "volumeClaimTemplates")))):
            yield statefulset, ("spec", "volumeClaimTemplates", index, "spec")


def _access_mode_findings(resource: Resource, spec: Path) -> Iterator[Finding]:
    modes = resource.get((*spec, "accessModes"))
    if modes is None or modes == []:
        yield resource.finding(
            (*spec, "accessModes") if modes == [] else spec,
            "no accessModes: the API server needs at least one",
            "add `accessModes: [ReadWriteOnce]` (one node reads and writes)")
    elif isinstance(modes, list) and "ReadWriteOncePod" in modes and len(modes) > 1:
        yield resource.finding(
            (*spec, "accessModes"), "ReadWriteOncePod cannot be combined with other access "
            "modes", "keep `accessModes: [ReadWriteOncePod]` alone, or drop it")


def _class_findings(resource: Resource, spec: Path) -> Iterator[Finding]:
    name = resource.get((*spec, "storageClassName"))
    problem = name_problem(name, "dns-1123-subdomain") if isinstance(name, str) and name else ""
    if problem:
        yield resource.finding((*spec, "storageClassName"),
                               f"storageClassName {name!r}: {problem}",
                               "use the StorageClass's name as `kubectl get storageclass` "
                               "shows it, e.g. `standard`", at_value=True)


@rule("claim-spec-invalid", "error", "06-storage#claims")
def claim_spec_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A PersistentVolumeClaim (or StatefulSet claim template) the API server refuses.

    Why: a claim must say how it will be mounted (`accessModes`, at least
    one; ReadWriteOncePod only alone) and how much storage it needs
    (`resources.requests.storage`, more than zero). A storageClassName, when
    given, is an object name: lowercase, no spaces or '_'.

    Bad (error):

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            limits:
              storage: 1Gi

    Good:

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
    """
    for resource, spec in _claim_specs(bundle):
        if not isinstance(resource.get(spec), dict):
            continue
        block = resource.get(spec)
        if not has_stray_field(block, CLAIM_SPEC):
            yield from _access_mode_findings(resource, spec)
        resources = block.get("resources")
        requests = resources.get("requests") if isinstance(resources, dict) else None
        # a mapping written as something else, or a misspelt field, is the schema's finding
        shaped = isinstance(resources, dict | None) and isinstance(requests, dict | None) and \
            not has_stray_field(block, CLAIM_SPEC) and \
            not has_stray_field(resources, CLAIM_RESOURCES)
        if shaped and (requests is None or "storage" not in requests):
            where = (*spec, "resources", "requests") if requests is not None else \
                (*spec, "resources") if resources is not None else spec
            yield resource.finding(
                where, "the claim does not request any storage",
                "add `resources: {requests: {storage: 1Gi}}` to the claim's spec")
        elif shaped and parse_quantity(requests["storage"]) == 0:  # < 0: negative-quantity
            yield resource.finding(
                (*spec, "resources", "requests", "storage"), "the storage request must "
                "be more than zero", "for example `storage: 1Gi`", at_value=True)
        yield from _class_findings(resource, spec)


@rule("pv-spec-invalid", "error", "06-storage#persistent-volumes")
def pv_spec_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A PersistentVolume without capacity, access modes or exactly one storage backend.

    Why: a PersistentVolume describes real storage: its size
    (`capacity.storage`, the only key capacity takes), how it may be
    mounted (`accessModes`) and where the data lives, in exactly one
    backend such as `hostPath`, `nfs`, `local` or `csi`.

    Bad (error):

        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: data
        spec:
          capacity:
            storage: 1Gi
          accessModes: [ReadWriteOnce]

    Good:

        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: data
        spec:
          capacity:
            storage: 1Gi
          accessModes: [ReadWriteOnce]
          hostPath:
            path: /data/pv
    """
    for volume in graph_of(bundle).of_kind("PersistentVolume"):
        spec = volume.get(("spec",))
        if not isinstance(spec, dict):
            continue
        stray = has_stray_field(spec, PV_SPEC | PV_SOURCES)  # a misspelt backend or field
        capacity = as_mapping(spec.get("capacity"))
        if "storage" not in capacity and isinstance(spec.get("capacity"), dict | None) and \
                not stray:
            yield volume.finding(
                ("spec", "capacity") if "capacity" in spec else ("spec",),
                "the PersistentVolume has no `capacity.storage`", "add `capacity: "
                "{storage: 1Gi}` (the size of the storage)")
        for key in capacity:
            if key != "storage":
                yield volume.finding(("spec", "capacity", key), f"capacity takes only "
                                     f"`storage`, not {key!r}", "delete this line")
        if not stray:
            yield from _access_mode_findings(volume, ("spec",))
        sources = [key for key in spec if key in PV_SOURCES]
        if not sources and not stray:
            yield volume.finding(("spec",), "the PersistentVolume names no storage backend",
                                 "add one, e.g. `hostPath: {path: /data/pv}` on kind")
        for extra in sources[1:]:
            yield volume.finding(("spec", extra), f"a PersistentVolume has one backend; "
                                 f"{sources[0]} is already set", f"delete {extra}")
        yield from _class_findings(volume, ("spec",))
