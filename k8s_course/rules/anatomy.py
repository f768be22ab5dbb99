"""Rules about the shape every object shares: apiVersion, kind, metadata."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from .catalogue import rule


@rule("missing-name", "error", "01-manifest-anatomy#metadata")
def missing_name(bundle: Bundle) -> Iterator[Finding]:
    """An object without metadata.name.

    Why: `kubectl apply` finds the object to create or update by its kind,
    namespace and name; without a name it refuses the whole file. (The
    schema allows it because `generateName` can stand in for `kubectl create`.)

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          labels:
            app: web
        data:
          color: blue

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          labels:
            app: web
        data:
          color: blue
    """
    for resource in bundle:
        if resource.name or resource.metadata.get("generateName") or not resource.kind:
            continue
        if "name" in resource.metadata:
            continue  # a name of the wrong type is the schema's finding
        has_metadata = "metadata" in resource.body
        yield resource.finding(
            ("metadata",) if has_metadata else (),
            f"this {resource.kind} has no metadata.name; kubectl needs a name to apply it",
            "add `name: <something>` under metadata, e.g. `name: web` (lowercase letters, "
            "digits and '-')",
        )
