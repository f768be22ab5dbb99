"""Rules of lesson 06 about quantities (cpu, memory, storage) wherever they appear."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding, Path
from ..graph import PodTemplate, graph_of
from ._values import parse_quantity, quantity_hint
from .catalogue import rule

_RESOURCE_MAPS = ("requests", "limits")
_LIMIT_RANGE_MAPS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")
_WHOLE_MAPS = {"PersistentVolume": ("spec", "capacity"), "ResourceQuota": ("spec", "hard")}


def _indexes(value: Any) -> range:
    return range(len(value) if isinstance(value, list) else 0)


def _quantity_maps(resource: Resource, template: PodTemplate | None) -> Iterator[Path]:
    """Paths of the `name: quantity` maps an object holds."""
    if template is not None:
        for path, _ in template.containers(init=True):
            for name in _RESOURCE_MAPS:
                yield (*path, "resources", name)
        yield (*template.spec_path, "overhead")
    kind = resource.kind
    claims = [("spec",)] if kind == "PersistentVolumeClaim" else []
    if kind == "StatefulSet":
        claims += [("spec", "volumeClaimTemplates", i, "spec")
                   for i in _indexes(resource.get(("spec", "volumeClaimTemplates")))]
    for claim in claims:
        for name in _RESOURCE_MAPS:
            yield (*claim, "resources", name)
    if kind in _WHOLE_MAPS:
        yield _WHOLE_MAPS[kind]
    if kind == "LimitRange":
        for index in _indexes(resource.get(("spec", "limits"))):
            for name in _LIMIT_RANGE_MAPS:
                yield ("spec", "limits", index, name)


def _quantities(bundle: Bundle, resource: Resource) -> Iterator[tuple[Path, Any]]:
    """(path, value) of every quantity an object holds."""
    template = graph_of(bundle).template_of(resource)
    for path in _quantity_maps(resource, template):
        values = resource.get(path)
        for name, value in values.items() if isinstance(values, dict) else ():
            yield (*path, name), value
    if template is not None:
        for index in _indexes(template.spec.get("volumes")):
            path = (*template.spec_path, "volumes", index, "emptyDir", "sizeLimit")
            if resource.get(path) is not None:
                yield path, resource.get(path)
    if resource.kind == "HorizontalPodAutoscaler":
        yield from _metric_targets(resource)


# Where each autoscaler metric type keeps its target (autoscaling/v2).
_METRIC_BLOCKS = ("resource", "containerResource", "pods", "object", "external")


def _metric_targets(hpa: Resource) -> Iterator[tuple[Path, Any]]:
    """(path, value) of the amounts an autoscaler's metrics aim at."""
    for index in _indexes(hpa.get(("spec", "metrics"))):
        for block in _METRIC_BLOCKS:
            for field in ("value", "averageValue"):
                path = ("spec", "metrics", index, block, "target", field)
                if hpa.get(path) is not None:
                    yield path, hpa.get(path)


def _all_quantities(bundle: Bundle) -> list[tuple[Resource, Path, Any]]:
    """(object, path, value) of every quantity in the bundle, found once for all rules."""
    found = bundle.derived.get("quantities")
    if found is None:
        found = bundle.derived["quantities"] = [
            (resource, path, value) for resource in bundle
            for path, value in _quantities(bundle, resource)]
    return found


@rule("invalid-quantity", "error", "06-storage#quantities")
def invalid_quantity(bundle: Bundle) -> Iterator[Finding]:
    """A CPU, memory or storage amount that Kubernetes cannot parse.

    Why: quantities are a number and an optional suffix: `m` (thousandths,
    for CPU), `k M G T` (powers of 1000) or `Ki Mi Gi Ti` (powers of 1024).
    `512MB`, `1gb` or `2 cores` are refused. For memory you almost always
    mean the binary ones: `512Mi`, `1Gi`.

    Bad (error):

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 512MB

    Good:

        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 512Mi
    """
    for resource, path, value in _all_quantities(bundle):
        if isinstance(value, str) and parse_quantity(value) is None:
            yield resource.finding(
                path, f"{value!r} is not a quantity Kubernetes understands",
                quantity_hint(value), at_value=True)


@rule("memory-in-millibytes", "warning", "06-storage#quantities")
def memory_in_millibytes(bundle: Bundle) -> Iterator[Finding]:
    """A memory or storage amount with the suffix `m`, which means thousandths of a byte.

    Why: `m` is milli: `500m` CPU is half a core, but `512m` memory is half
    a byte. The API server accepts it, and the pod then cannot start or is
    killed at once. Megabytes are `M`, mebibytes `Mi`.

    Bad (warning):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                limits:
                  memory: 512m

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                limits:
                  memory: 512Mi
    """
    for resource, path, value in _all_quantities(bundle):
        name = str(path[-1])
        if (name.endswith(("memory", "storage")) or name == "sizeLimit") and \
                isinstance(value, str) and value.endswith("m") and \
                parse_quantity(value) is not None:
            yield resource.finding(
                path, f"{value} means {value[:-1]} thousandths of a byte",
                f"write `{value[:-1]}Mi` (mebibytes) or `{value[:-1]}M` (megabytes)",
                at_value=True)


@rule("negative-quantity", "error", "06-storage#quantities")
def negative_quantity(bundle: Bundle) -> Iterator[Finding]:
    """A CPU, memory or storage amount below zero.

    Why: requests, limits, capacities, quotas and limit ranges are amounts
    of something, so the API server refuses a negative one. (A claim's
    storage request must even be above zero.)

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  cpu: -250m

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  cpu: 250m
    """
    for resource, path, value in _all_quantities(bundle):
        amount = parse_quantity(value)
        if amount is not None and amount < 0:
            yield resource.finding(path, f"{path[-1]} is {value}; an amount cannot be "
                                   "negative", "remove the minus sign", at_value=True)
