"""Custom resources, checked against the CustomResourceDefinitions of the same answer.

A CRD carries its own schema (`openAPIV3Schema`) for each version it serves.
When the answer holds the CRD, its custom resources are checked with that
schema, strictly as `kubectl apply` does (an unknown field is refused unless
the schema says `x-kubernetes-preserve-unknown-fields`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .bundle import Resource

# Every object has these at its top, whatever its CRD's schema lists.
_OBJECT_FIELDS = {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                  "metadata": {"type": "object"}}


@dataclass(frozen=True)
class CustomKind:
    """One version of a kind that a CRD of the answer defines."""

    api_version: str
    kind: str
    schema: dict  # the strict schema, walked for "did you mean" and expected types
    definition: Resource  # the CRD
    validator: Any  # a compiled jsonschema_rs validator, or None when the schema is unusable


def _strict(node: Any) -> Any:
    """The schema with unknown fields refused wherever the CRD does not keep them.

    Only schema keywords are followed: a field that happens to be called
    `properties` is a name, not a keyword.
    """
    if not isinstance(node, dict):
        return node
    strict = dict(node)
    fields = node.get("properties")
    if isinstance(fields, dict):
        strict["properties"] = {name: _strict(field) for name, field in fields.items()}
        if "additionalProperties" not in node and \
                not node.get("x-kubernetes-preserve-unknown-fields"):
            strict["additionalProperties"] = False
    for keyword in ("items", "additionalProperties", "not"):
        if isinstance(node.get(keyword), dict):
            strict[keyword] = _strict(node[keyword])
    for keyword in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(keyword), list):
            strict[keyword] = [_strict(branch) for branch in node[keyword]]
    return strict


def _has_ref(node: Any) -> bool:
    """Does the schema use `$ref`? The API server forbids it in a CRD, and following it
    could mean fetching another document: such a schema is not used."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "$ref" in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _compiled(schema: dict) -> Any:
    if _has_ref(schema):
        return None
    import jsonschema_rs  # only when the answer holds a CRD

    try:
        return jsonschema_rs.Draft4Validator(schema)
    except (ValueError, jsonschema_rs.ValidationError, TypeError):
        return None


def mark_cluster_scoped(resources: list[Resource]) -> None:
    """Mark the custom resources whose CRD in the answer says `scope: Cluster`."""
    cluster_wide = set()
    for crd in resources:  # usually none: then one pass over the kinds is all it costs
        if crd.kind == "CustomResourceDefinition" and crd.get(("spec", "scope")) == "Cluster":
            group, kind = crd.get(("spec", "group")), crd.get(("spec", "names", "kind"))
            if isinstance(group, str) and isinstance(kind, str):
                cluster_wide.add((group, kind))
    for resource in resources:
        if (resource.api_version.rpartition("/")[0], resource.kind) in cluster_wide:
            resource.cluster_scoped = True


def custom_kinds(resources: Iterable[Resource]) -> dict[tuple[str, str], CustomKind]:
    """(apiVersion, kind) -> its CustomKind, for every version a CRD of the answer serves.

    A later CRD of the same group and kind wins, as it would on the cluster.
    """
    found: dict[tuple[str, str], CustomKind] = {}
    for crd in resources:
        if crd.kind != "CustomResourceDefinition":
            continue
        spec = crd.get(("spec",))
        spec = spec if isinstance(spec, dict) else {}
        group, kind = spec.get("group"), crd.get(("spec", "names", "kind"))
        versions = spec.get("versions")
        if not isinstance(group, str) or not isinstance(kind, str) or \
                not isinstance(versions, list):
            continue  # a broken CRD is the schema stage's finding
        for version in versions:
            name = version.get("name") if isinstance(version, dict) else None
            schema = version.get("schema") if isinstance(version, dict) else None
            body = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
            if not isinstance(name, str) or not isinstance(body, dict):
                continue
            strict = _strict(body)
            fields = strict.get("properties") or {}
            if isinstance(fields, dict):  # anything else: a broken schema, not compiled below
                strict["properties"] = {**_OBJECT_FIELDS, **fields}
            api_version = f"{group}/{name}"
            found[(api_version, kind)] = CustomKind(api_version, kind, strict, crd,
                                                    _compiled(strict))
    return found
