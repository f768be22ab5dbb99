"""Rules about the shape every object shares: apiVersion, kind, metadata."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of
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
        # the path of the missing field: a misspelt `nmae:` the schema flagged covers it
        yield resource.finding(
            ("metadata", "name") if has_metadata else (),
            f"this {resource.kind} has no metadata.name; kubectl needs a name to apply it",
            "add `name: <something>` under metadata, e.g. `name: web` (lowercase letters, "
            "digits and '-')",
        )


@rule("duplicate-object", "error", "01-manifest-anatomy#metadata")
def duplicate_object(bundle: Bundle) -> Iterator[Finding]:
    """The same object (kind, namespace and name) defined twice in one answer.

    Why: kind, namespace and name say which object a manifest is. Two
    definitions are not two objects: `kubectl apply` applies both in turn,
    and the last one silently replaces the first. The checker, like the
    cluster, uses the last one when other objects refer to it.

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          color: blue
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          color: green

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          color: blue
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings-green
        data:
          color: green
    """
    for earlier, resource in graph_of(bundle).redefined:
        line = earlier.document.locate(("metadata", "name"))[0]
        place = f"line {line}" if earlier.file == resource.file else \
            f"{earlier.file}, line {line}"
        where = f" in namespace {resource.namespace}" if resource.namespace else ""
        yield resource.finding(
            ("metadata", "name"), f"{resource.ref}{where} is defined twice: first on {place}, "
            "again here; kubectl apply keeps only this last one",
            "rename one of them, or delete the copy you do not want", at_value=True)
