"""Rules about settings in the right object, read the right way (lesson 05).

A password kept in a ConfigMap, or a Secret read through a ConfigMap reference,
is accepted by the API server and still wrong for its purpose. Secret values
never appear in a message or hint: only their keys do.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding
from ..graph import Graph, PodTemplate, Reference, graph_of, references
from .catalogue import rule

_SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "api_key", "api-key",
                 "private_key", "private-key", "credential")


@rule("secret-in-configmap", "warning", "05-config#secrets")
def secret_in_configmap(bundle: Bundle) -> Iterator[Finding]:
    """A ConfigMap key that names a password, token or other secret.

    Why: a ConfigMap is for settings anyone who may read the namespace can
    see: `kubectl get configmap -o yaml` prints it, and it is never
    encrypted. Passwords, tokens and keys go in a Secret, which RBAC can
    guard separately and the cluster can encrypt at rest.

    Bad (warning):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-settings
        data:
          LOG_LEVEL: info
          DB_PASSWORD: hunter2

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: app-settings
        data:
          LOG_LEVEL: info
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: app-credentials
        stringData:
          DB_PASSWORD: hunter2
    """
    for config in graph_of(bundle).of_kind("ConfigMap"):
        data = config.get(("data",))
        for key in data if isinstance(data, dict) else ():
            lowered = str(key).lower()
            if any(word in lowered for word in _SECRET_WORDS) and not lowered.endswith(
                    ("_file", "_path", "-file", "-path")):
                yield config.finding(
                    ("data", key), f"the key {key!r} looks like a secret, and a ConfigMap is "
                    "readable by anyone who may read the namespace", "move it into a Secret "
                    "and read it with secretKeyRef (or secretRef)")


_OTHER = {"ConfigMap": "Secret", "Secret": "ConfigMap"}
_FIELDS = {"ConfigMap": "configMapKeyRef / configMapRef / configMap",
           "Secret": "secretKeyRef / secretRef / secret"}


@rule("config-ref-wrong-kind", "error", "05-config#references")
def config_ref_wrong_kind(bundle: Bundle) -> Iterator[Finding]:
    """A pod reading a Secret as a ConfigMap (or the other way round).

    Why: `configMapKeyRef`, `configMapRef` and `configMap` volumes only look
    for ConfigMaps; `secretKeyRef`, `secretRef` and `secret` volumes only for
    Secrets. Naming a Secret in a ConfigMap reference finds nothing, and the
    pod waits for a ConfigMap that never comes.

    Given:

        apiVersion: v1
        kind: Secret
        metadata:
          name: api-token
        stringData:
          token: abc123

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
                - name: API_TOKEN
                  valueFrom:
                    configMapKeyRef:
                      name: api-token
                      key: token

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
                - name: API_TOKEN
                  valueFrom:
                    secretKeyRef:
                      name: api-token
                      key: token
    """
    graph = graph_of(bundle)
    for template in graph.templates:
        for ref in wrong_kind_refs(graph, template):
            other = _OTHER[ref.kind]
            yield template.owner.finding(
                ref.name_path, f"{ref.name!r} is a {other} in this answer, but this reference "
                f"looks for a {ref.kind}", f"use the {other} form of the reference "
                f"({_FIELDS[other]})", at_value=True)


def wrong_kind_refs(graph: Graph, template: PodTemplate) -> Iterator[Reference]:
    """References to a ConfigMap or Secret the answer lacks, where the other kind has it."""
    if not graph.of_kind("ConfigMap") and not graph.of_kind("Secret"):
        return
    for ref in references(template):
        if ref.kind in _OTHER and \
                graph.lookup(ref.kind, template.namespace, ref.name) is None and \
                graph.lookup(_OTHER[ref.kind], template.namespace, ref.name) is not None:
            yield ref
