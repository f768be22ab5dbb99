"""Rules about ConfigMaps and Secrets, and the pods that read them.

Secret values never appear in a message or hint: only their keys do.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import graph_of, is_whole_number, mappings_in, references
from ._values import config_key_problem, is_base64, suggest_key
from .catalogue import rule
from .settings import wrong_kind_refs


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
    lets the pod start without it. When the answer holds an object of that
    kind with a name one or two letters off, it is most likely a typo, and
    this becomes a warning that names it.

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
        wrong_kind = list(wrong_kind_refs(graph, template))  # config-ref-wrong-kind says it
        reported: set[tuple[str, str]] = set()
        for ref in references(template):
            if ref.optional or (ref.kind, ref.name) in reported or ref in wrong_kind or \
                    (ref.kind, ref.name) == ("ServiceAccount", "default") or \
                    graph.lookup(ref.kind, template.namespace, ref.name) is not None:
                continue
            reported.add((ref.kind, ref.name))
            close = graph.close_name(ref.kind, template.namespace, ref.name)
            if close:  # the answer plainly holds the object meant: a typo
                yield template.owner.finding(
                    ref.name_path, f"no {ref.kind} {ref.name!r} in namespace "
                    f"{template.namespace}, but this answer has {close!r}; until "
                    f"{ref.name!r} exists {_WAITS[ref.kind]}",
                    f"did you mean `{close}`?", severity=Severity.WARNING, at_value=True)
                continue
            yield template.owner.finding(
                ref.name_path, f"no {ref.kind} {ref.name!r} in namespace {template.namespace} "
                f"in this answer; until it exists {_WAITS[ref.kind]}",
                f"add the {ref.kind} to the answer (before this object), or check the name",
                at_value=True)


_DATA_FIELDS = {"ConfigMap": ("data", "binaryData"), "Secret": ("data", "stringData")}


@rule("config-key-invalid", "error", "05-config#keys")
def config_key_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A ConfigMap or Secret key the API server refuses, or a ConfigMap key written twice.

    Why: each key becomes a file name when the object is mounted as a
    volume, so it may hold only letters, digits, '-', '_' and '.', at most
    253 of them, and cannot be `.` or `..` or start with `..`. Spaces,
    '/' and ':' are the usual slips. A ConfigMap key can sit in `data` or
    in `binaryData`, not in both.

    Bad (error):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          log level: debug

    Good:

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
        data:
          LOG_LEVEL: debug
    """
    for resource in bundle.of_kind("ConfigMap", "Secret"):
        first, second = _DATA_FIELDS[resource.kind]
        for field in (first, second):
            values = resource.get((field,))
            for key in values if isinstance(values, dict) else ():
                problem = config_key_problem(key) if isinstance(key, str) else ""
                if problem:
                    yield resource.finding(
                        (field, key), f"the key {key!r} under {field}: {problem}",
                        _key_hint(key))
        if resource.kind == "ConfigMap" and isinstance(resource.get((second,)), dict) and \
                isinstance(resource.get((first,)), dict):
            for key in resource.get((second,)):
                if key in resource.get((first,)):
                    yield resource.finding(
                        (second, key), f"the key {key!r} is in both data and binaryData",
                        "keep it in only one of them: data for text, binaryData for base64 "
                        "bytes")


def _key_hint(key: str) -> str:
    if len(key) > 253:
        return "shorten the key to at most 253 characters; it becomes a file name when mounted"
    if key.startswith(".."):
        return ("rename it: names starting with '..' are kept for the files Kubernetes adds "
                "when it mounts the volume")
    return f"for example `{suggest_key(key)}:`; keys become file names when mounted"


SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token"
SERVICE_ACCOUNT_ANNOTATION = "kubernetes.io/service-account.name"
# Secret types whose keys the API server insists on: type -> (keys, how many are needed).
_TYPED_KEYS = {
    "kubernetes.io/tls": (("tls.crt", "tls.key"), 2),
    "kubernetes.io/dockerconfigjson": ((".dockerconfigjson",), 1),
    "kubernetes.io/dockercfg": ((".dockercfg",), 1),
    "kubernetes.io/ssh-auth": (("ssh-privatekey",), 1),
    "kubernetes.io/basic-auth": (("username", "password"), 1),
}


@rule("secret-type-keys", "error", "05-config#secrets")
def secret_type_keys(bundle: Bundle) -> Iterator[Finding]:
    """A typed Secret (tls, dockerconfigjson, ssh-auth, basic-auth) missing the keys its type needs.

    Why: a Secret's `type` promises a layout: `kubernetes.io/tls` holds
    `tls.crt` and `tls.key`, `kubernetes.io/dockerconfigjson` holds
    `.dockerconfigjson`, `kubernetes.io/ssh-auth` holds `ssh-privatekey`,
    `kubernetes.io/basic-auth` holds `username` or `password`, and a
    `kubernetes.io/service-account-token` names its ServiceAccount in the
    annotation `kubernetes.io/service-account.name`. The API server refuses
    the Secret without them. For free-form keys use `type: Opaque` (the
    default).

    Bad (error):

        apiVersion: v1
        kind: Secret
        metadata:
          name: web-tls
        type: kubernetes.io/tls
        stringData:
          cert.pem: "-----BEGIN CERTIFICATE-----"
          key.pem: "-----BEGIN PRIVATE KEY-----"

    Good:

        apiVersion: v1
        kind: Secret
        metadata:
          name: web-tls
        type: kubernetes.io/tls
        stringData:
          tls.crt: "-----BEGIN CERTIFICATE-----"
          tls.key: "-----BEGIN PRIVATE KEY-----"
    """
    for secret in graph_of(bundle).of_kind("Secret"):
        kind = secret.get(("type",))
        annotations = secret.metadata.get("annotations")
        if kind == SERVICE_ACCOUNT_TOKEN and isinstance(annotations, dict | None) and \
                not (annotations or {}).get(SERVICE_ACCOUNT_ANNOTATION):
            yield secret.finding(
                ("type",), f"a Secret of type {kind} needs the annotation "
                f"{SERVICE_ACCOUNT_ANNOTATION}: the ServiceAccount whose token it holds",
                f"add `{SERVICE_ACCOUNT_ANNOTATION}: <its name>` under metadata.annotations",
                at_value=True)
            continue
        if not isinstance(kind, str) or kind not in _TYPED_KEYS or not all(
                isinstance(secret.get((field,)), dict | None) for field in ("data", "stringData")):
            continue  # data written as something else is the schema's finding
        needed, enough = _TYPED_KEYS[kind]
        keys = _keys_of(secret)
        missing = [key for key in needed if key not in keys]
        if len(needed) - len(missing) < enough:
            both = enough == len(needed)
            words = " and ".join(f"`{k}`" for k in missing) if both else \
                " or ".join(f"`{k}`" for k in missing)
            plural = "s" if both and len(missing) > 1 else ""
            yield secret.finding(
                ("type",), f"a Secret of type {kind} needs the key{plural} {words}; it has "
                f"{', '.join(sorted(keys)) or 'no keys'}",
                f"name the key{plural} {words}" if both else
                f"add `{needed[0]}:` under stringData", at_value=True)


_FILE_SOURCES = ("configMap", "secret", "downwardAPI")


def _file_settings(volume: dict, path: tuple) -> Iterator[tuple[tuple, dict]]:
    """(path, block) of every block of a volume that may hold defaultMode, mode or items."""
    for source in (*_FILE_SOURCES, "projected"):
        block = volume.get(source)
        if not isinstance(block, dict):
            continue
        yield (*path, source), block
        if source == "projected":
            for index, projection in mappings_in(block.get("sources")):
                for inner in _FILE_SOURCES:
                    if isinstance(projection.get(inner), dict):
                        yield (*path, source, "sources", index, inner), projection[inner]


def _mode_problem(mode: object) -> str:
    if not is_whole_number(mode) or 0 <= mode <= 0o777:
        return ""
    digits = str(mode)
    if set(digits) <= set("01234567") and len(digits) <= 3:
        return (f"{mode} is read as a decimal number, above 511 (0777); file modes are "
                "octal")
    return f"{mode} is not a file mode (0 to 0777 in octal, 511 in decimal)"


@rule("volume-file-invalid", "error", "05-config#volumes")
def volume_file_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A ConfigMap or Secret volume whose file mode or item path the API server refuses.

    Why: `defaultMode` and an item's `mode` are Unix permissions, from 0 to
    0777 in octal. Written without its leading 0, `644` is the decimal number
    644, which is too big: write `0644` (YAML reads it as octal) or `420`.
    An item's `path` is a file name inside the volume: relative, without
    `..`.

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
                - name: settings
                  mountPath: /etc/web
          volumes:
            - name: settings
              configMap:
                name: web-settings
                defaultMode: 644
                optional: true

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
                - name: settings
                  mountPath: /etc/web
          volumes:
            - name: settings
              configMap:
                name: web-settings
                defaultMode: 0644
                optional: true
    """
    for template in graph_of(bundle).templates:
        for index, volume in mappings_in(template.spec.get("volumes")):
            start = (*template.spec_path, "volumes", index)
            for path, block in _file_settings(volume, start):
                yield from _file_findings(template.owner, path, block)


def _file_findings(owner: Resource, path: tuple, block: dict) -> Iterator[Finding]:
    problem = _mode_problem(block.get("defaultMode"))
    if problem:
        yield owner.finding((*path, "defaultMode"), f"defaultMode {problem}",
                            "write `0644` (with the 0) or `420`", at_value=True)
    for number, item in mappings_in(block.get("items")):
        problem = _mode_problem(item.get("mode"))
        if problem:
            yield owner.finding((*path, "items", number, "mode"), f"mode {problem}",
                                "write `0644` (with the 0) or `420`", at_value=True)
        target = item.get("path")
        if isinstance(target, str) and (target.startswith(("/", "..")) or
                                        ".." in target.split("/")):
            yield owner.finding((*path, "items", number, "path"), f"path {target!r} must "
                                "be a file name inside the volume, without '..'",
                                "write a relative name, e.g. `path: app.conf`", at_value=True)
