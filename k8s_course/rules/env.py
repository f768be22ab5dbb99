"""Rules of lesson 05 about environment variables: where each value comes from."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import graph_of, mappings_in
from ._known import ENV_VALUE_FROM, has_stray_field
from .catalogue import rule


@rule("env-defined-twice", "warning", "05-config#env")
def env_defined_twice(bundle: Bundle) -> Iterator[Finding]:
    """An environment variable defined twice in one container.

    Why: the API server accepts it with a warning: the later definition
    hides the earlier one, and `kubectl apply` may drop one of them when it
    merges the list, so the value the container sees can change between
    applies. (Redefining a name from itself, `value: "$(PATH):/extra"`,
    is the one accepted use.)

    Bad (warning):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              env:
                - name: LOG_LEVEL
                  value: info
                - name: LOG_LEVEL
                  value: debug

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              env:
                - name: LOG_LEVEL
                  value: debug
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            seen: set[str] = set()
            for index, variable in mappings_in(container.get("env")):
                name = variable.get("name")
                if not isinstance(name, str):
                    continue
                value = variable.get("value")
                value = value if isinstance(value, str) else ""
                reference = f"$({name})"
                # The server stays quiet only for X: "...$(X)...", which builds on the old value.
                builds_on_old = "valueFrom" not in variable and reference in value and \
                    value != reference
                if name in seen and not builds_on_old:
                    yield template.owner.finding(
                        (*path, "env", index), f"the variable {name} is already defined "
                        "above in this container; this definition hides it",
                        f"keep one definition of {name} and delete the other")
                seen.add(name)


_VALUE_SOURCES = ("configMapKeyRef", "secretKeyRef", "fieldRef", "resourceFieldRef",
                  "fileKeyRef")
_ENV_FROM_SOURCES = ("configMapRef", "secretRef")


@rule("env-source-invalid", "error", "05-config#env")
def env_source_invalid(bundle: Bundle) -> Iterator[Finding]:
    """An env variable with both `value` and `valueFrom`, or a source naming two objects.

    Why: a variable gets its value in one way: written out (`value`) or
    read from somewhere (`valueFrom` with exactly one of configMapKeyRef,
    secretKeyRef, fieldRef or resourceFieldRef). Likewise each `envFrom`
    entry names one ConfigMap or one Secret; list two entries for both.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              env:
                - name: POD_NAME
                  value: web
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              env:
                - name: POD_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name
    """
    for template in graph_of(bundle).templates:
        owner = template.owner
        for path, container in template.containers(init=True):
            for index, variable in mappings_in(container.get("env")):
                where, source = (*path, "env", index), variable.get("valueFrom")
                if not isinstance(source, dict):
                    continue
                if variable.get("value"):
                    yield owner.finding((*where, "valueFrom"), f"{variable.get('name')} has "
                                        "both value and valueFrom", "keep one: delete the "
                                        "`value:` line to read it from valueFrom")
                kinds = [k for k in _VALUE_SOURCES if k in source]
                if not kinds and not has_stray_field(source, ENV_VALUE_FROM):
                    yield owner.finding((*where, "valueFrom"), "valueFrom names no source",
                                        "add configMapKeyRef, secretKeyRef or fieldRef under "
                                        "valueFrom")
                for extra in kinds[1:]:
                    yield owner.finding((*where, "valueFrom", extra), f"valueFrom already "
                                        f"reads from {kinds[0]}; one source per variable",
                                        "make a second variable for the other source")
            for index, entry in mappings_in(container.get("envFrom")):
                kinds = [k for k in _ENV_FROM_SOURCES if k in entry]
                if len(kinds) > 1:
                    yield owner.finding((*path, "envFrom", index, kinds[1]), "one envFrom entry "
                                        "reads one ConfigMap or one Secret, not both",
                                        f"start a new entry with `- {kinds[1]}:`")
