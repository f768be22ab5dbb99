"""Rules about ConfigMaps and Secrets, and the pods that read them.

Secret values never appear in a message or hint: only their keys do.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding
from ..graph import graph_of, references
from ._values import is_base64
from .catalogue import rule


@rule("secret-not-base64", "error", "05-config#secrets")
def secret_not_base64(bundle: Bundle) -> Iterator[Finding]:
    """A Secret `data` value that is not valid base64.

    Why: under `data` every value must be base64-encoded (base64 is an
    encoding, not encryption). To write the plain text instead, put the key
    under `stringData` and Kubernetes encodes it for you.

    Bad (error):

        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
        data:
          password: s3cr3t!

    Good:

        apiVersion: v1
        kind: Secret
        metadata:
          name: db-credentials
        stringData:
          password: s3cr3t!
    """
    for secret in graph_of(bundle).of_kind("Secret"):
        data = secret.get(("data",))
        for key, value in data.items() if isinstance(data, dict) else ():
            if isinstance(value, str) and not is_base64(value):
                yield secret.finding(
                    ("data", key), f"the value of {key!r} under data is not valid base64 "
                    "(the value itself is not shown)",
                    f"move {key} under `stringData:` to write it as plain text, or encode it: "
                    "`printf %s 'value' | base64`", at_value=True)


def _keys_of(resource: Resource) -> set[str]:
    fields = ("data", "binaryData") if resource.kind == "ConfigMap" else ("data", "stringData")
    return {key for name in fields if isinstance(resource.get((name,)), dict)
            for key in resource.get((name,))}


@rule("config-key-missing", "error", "05-config#keys")
def config_key_missing(bundle: Bundle) -> Iterator[Finding]:
    """A pod reading a key that the answer's ConfigMap or Secret does not have.

    Why: an environment variable or a mounted file taken from a missing key
    keeps the pod from starting (CreateContainerConfigError) unless the
    reference says `optional: true`. Key names are case-sensitive.

    Given:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          LOG_LEVEL: info

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
                - name: LOG_LEVEL
                  valueFrom:
                    configMapKeyRef:
                      name: web-settings
                      key: log_level

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
                  valueFrom:
                    configMapKeyRef:
                      name: web-settings
                      key: LOG_LEVEL
    """
    graph = graph_of(bundle)
    for template in graph.templates:
        for ref in references(template):
            source = graph.lookup(ref.kind, template.namespace, ref.name)
            if source is None or ref.optional or not ref.keys:
                continue  # not in this answer: it may exist on the cluster
            keys = _keys_of(source)
            for key, path in ref.keys:
                if key not in keys:
                    yield template.owner.finding(
                        path, f"the {ref.kind} {ref.name!r} has no key {key!r} "
                        f"(its keys: {', '.join(sorted(keys)) or 'none'})",
                        f"use one of its keys, or add {key} to the {ref.kind}", at_value=True)


_WAITS = {"ConfigMap": "the pod waits in ContainerCreating (or CreateContainerConfigError)",
          "Secret": "the pod waits in ContainerCreating (or CreateContainerConfigError)",
          "PersistentVolumeClaim": "the pod stays Pending",
          "ServiceAccount": "the API server refuses to create the pods"}


@rule("referenced-object-missing", "info", "05-config#references")
def referenced_object_missing(bundle: Bundle) -> Iterator[Finding]:
    """A pod using a ConfigMap, Secret, claim or ServiceAccount that the answer does not define.

    Why: a pod only starts once everything it mounts or reads exists in its
    namespace. When the answer does not bring the object, it has to exist
    on the cluster already, or the pod waits (a missing ServiceAccount even
    stops the pods from being created). `optional: true` on a reference
    lets the pod start without it.

    Bad (info):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              envFrom:
                - configMapRef:
                    name: web-settings

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          LOG_LEVEL: info
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              envFrom:
                - configMapRef:
                    name: web-settings
    """
    graph = graph_of(bundle)
    for template in graph.templates:
        reported: set[tuple[str, str]] = set()
        for ref in references(template):
            if ref.optional or (ref.kind, ref.name) in reported or \
                    (ref.kind, ref.name) == ("ServiceAccount", "default") or \
                    graph.lookup(ref.kind, template.namespace, ref.name) is not None:
                continue
            reported.add((ref.kind, ref.name))
            yield template.owner.finding(
                ref.name_path, f"no {ref.kind} {ref.name!r} in namespace {template.namespace} "
                f"in this answer; until it exists {_WAITS[ref.kind]}",
                f"add the {ref.kind} to the answer (before this object), or check the name",
                at_value=True)
