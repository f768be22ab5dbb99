"""Each object against the pinned Kubernetes OpenAPI schema, in a learner's words.

Schemas come from the files `kubernetes-validate` ships (strict variants, so an
unknown field is an error). We read them ourselves: its own `validate()` reloads
the schema on every call and stops at the first error. Validators are compiled
once per (version, apiVersion, kind) with `jsonschema_rs`; a valid object costs
about a microsecond, and only an invalid one pays for error translation.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from .bundle import Resource
from .custom import CustomKind, custom_kinds
from .findings import Finding, Path, Severity, format_path
from .redact import is_secret_value

DEFAULT_KUBE_VERSION = "1.36"  # the Kubernetes of kind's current node image (kindest/node v1.36)
DEFS_ID = "https://kubernetes.io/api/_definitions.json"
LESSON_ANATOMY = "01-manifest-anatomy#anatomy"
LESSON_KINDS = "01-manifest-anatomy#kinds"
LESSON_STATUS = "01-manifest-anatomy#status"

# apiVersions that learners meet in old tutorials: (apiVersion, kind) -> (removed in, use)
REMOVED_APIS = {
    ("extensions/v1beta1", "Deployment"): ("1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet"): ("1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet"): ("1.16", "apps/v1"),
    ("extensions/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "NetworkPolicy"): ("1.16", "networking.k8s.io/v1"),
    ("apps/v1beta1", "Deployment"): ("1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet"): ("1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment"): ("1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet"): ("1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet"): ("1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet"): ("1.16", "apps/v1"),
    ("networking.k8s.io/v1beta1", "Ingress"): ("1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "Role"): ("1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"):
        ("1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"):
        ("1.22", "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"):
        ("1.22", "rbac.authorization.k8s.io/v1"),
    ("batch/v1beta1", "CronJob"): ("1.25", "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget"): ("1.25", "policy/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ("1.26", "autoscaling/v2"),
}

_TYPE_WORDS = {
    "integer": "a whole number such as 3",
    "number": "a number such as 0.5",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping of `key: value` lines",
    "array": "a list (lines starting with `- `)",
}


def _schema_root() -> FsPath:
    # find_spec locates the package without importing it (it imports jsonschema: slow).
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed; run `make setup`")
    return FsPath(next(iter(spec.submodule_search_locations))) / "kubernetes-json-schema"


@cache
def supported_versions() -> tuple[str, ...]:
    """Kubernetes versions we have schemas for, oldest first ("1.25", ...)."""
    names = (p.name for p in _schema_root().iterdir() if p.name.endswith("-local-strict"))
    versions = {".".join(n[1:].split("-")[0].split(".")[:2]) for n in names}
    return tuple(sorted(versions, key=lambda v: tuple(int(x) for x in v.split("."))))


def normalize_version(version: str | None) -> str:
    """"v1.36.2" -> "1.36"; None -> the default. Raises ValueError when unknown."""
    if not version:
        return DEFAULT_KUBE_VERSION
    parts = version.strip().removeprefix("v").split(".")
    short = ".".join(parts[:2])
    if short not in supported_versions():
        known = ", ".join(supported_versions())
        raise ValueError(f"no schemas for Kubernetes {version}; choose one of {known}")
    return short


@dataclass(frozen=True)
class Catalog:
    """The schemas of one Kubernetes version: definitions and which kinds exist."""

    version: str
    defs: dict
    registry: Any
    by_gvk: dict  # (apiVersion, kind) -> definition name
    versions_of: dict  # kind -> [apiVersion, ...]
    kinds_by_lower: dict  # "deployment" -> "Deployment"

    @property
    def groups(self) -> frozenset[str]:
        return frozenset(api.rpartition("/")[0] for api, _ in self.by_gvk)


@cache
def catalog(version: str) -> Catalog:
    path = _schema_root() / f"v{version}.0-local-strict" / "_definitions.json"
    with open(path, "rb") as handle:
        document = json.load(handle)
    defs = document["$defs"]
    by_gvk: dict[tuple[str, str], str] = {}
    versions_of: dict[str, list[str]] = {}
    for name, definition in defs.items():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            if gvk["kind"].endswith("List") or gvk["kind"] in ("DeleteOptions", "WatchEvent",
                                                                "Status", "APIGroup"):
                continue
            by_gvk.setdefault((api, gvk["kind"]), name)
            versions_of.setdefault(gvk["kind"], []).append(api)
    import jsonschema_rs  # only when the first object is checked

    registry = jsonschema_rs.Registry([(DEFS_ID, document)])
    lower = {kind.lower(): kind for kind in versions_of}
    return Catalog(version, defs, registry, by_gvk, versions_of, lower)


@cache
def validator(version: str, api_version: str, kind: str):
    """A compiled validator for one kind, or None when the schema has no such kind."""
    cat = catalog(version)
    name = cat.by_gvk.get((api_version, kind))
    if name is None:
        return None
    import jsonschema_rs

    return jsonschema_rs.validator_for({"$ref": f"{DEFS_ID}#/$defs/{name}"},
                                       registry=cat.registry)


Covered = set[tuple[str, int, str, Path]]  # (file, document, "Kind/name", field path)


def check_all(resources: Iterable[Resource], version: str) -> tuple[list[Finding], Covered]:
    """Every object's schema mistakes, and the fields they are about.

    A rule that judges a field the schema stage already flagged (or one a
    misspelt key was meant to be) would report the same mistake again, so the
    pipeline drops rule findings inside the covered fields (see `knock_on`).
    """
    resources = list(resources)  # walked twice: for the answer's CRDs, then each object
    custom = custom_kinds(resources)
    found: list[Finding] = []
    covered: Covered = set()
    for resource in resources:
        findings, paths = _check(resource, version, custom)
        if findings:
            found += findings
        if paths:
            covered |= {(resource.file, resource.document.index, resource.ref, path)
                        for path in paths}
    return found, covered


def knock_on(finding: Finding, covered: Covered) -> bool:
    """Is this rule finding about a field whose mistake the schema stage reported?"""
    if not covered:
        return False
    path = finding.path
    return any((finding.file, finding.document, finding.resource, path[:depth]) in covered
               for depth in range(1, len(path) + 1))


def check_resource(resource: Resource, version: str) -> list[Finding]:
    """Every schema mistake in one object, translated for a learner."""
    return _check(resource, version, {})[0]


def _check(resource: Resource, version: str,
           custom: dict[tuple[str, str], CustomKind]) -> tuple[list[Finding], set[Path]]:
    body = resource.body
    kind, api_version = body.get("kind"), body.get("apiVersion")
    found: list[Finding] = _status_section(resource) if "status" in body else []
    if custom and isinstance(kind, str) and isinstance(api_version, str):
        if (api_version, kind) in custom:
            return _check_custom(resource, custom[(api_version, kind)], found)
        group = api_version.partition("/")[0]  # `example.com/v1/v2` is still example.com's
        served = sorted(api for api, k in custom if k == kind and api.partition("/")[0] == group)
        if served:
            found.append(resource.finding(
                ("apiVersion",), f"the {kind} definition in this answer serves "
                f"{', '.join(served)}, not {api_version}", f"write `apiVersion: {served[-1]}`",
                rule="unknown-api-version", lesson=LESSON_KINDS, at_value=True))
            return found, set()
    problem, checked_as = _identity_problem(resource, kind, api_version, version)
    if problem is not None:
        found.append(problem)
        if checked_as is None:
            return found, set()
        api_version = checked_as
        body = {**body, "apiVersion": checked_as}  # told once above, not again by the schema
    cat = catalog(version)
    if "status" in body:
        body, found = _without_status(
            body, found, cat.defs[cat.by_gvk[(api_version, kind)]].get("properties", {}))
    if resource.document.traps:
        found.extend(_base_60_warnings(resource, _root(cat, api_version, kind), cat.defs))
    check = validator(version, api_version, kind)
    if check.is_valid(body):  # the hot path: most objects stop here
        return found, set()
    root = _root(cat, api_version, kind)
    translated, covered = _translate_all(resource, list(check.iter_errors(body)), root,
                                         cat.defs, _Later(version, api_version, kind))
    return found + translated, covered


def _without_status(body: dict, found: list[Finding], fields: Any) -> tuple[dict, list[Finding]]:
    """The body to validate, and the findings, for an object that has a `status`."""
    if isinstance(fields, dict) and "status" in fields:
        # the API server drops what a manifest writes there, so its shape is no mistake
        return {key: value for key, value in body.items() if key != "status"}, found
    # a kind without status: the schema's unknown field says it, once
    return body, [f for f in found if f.rule != "status-section"]


def _status_section(resource: Resource) -> list[Finding]:
    return [resource.finding(
        ("status",), "status is written by the cluster to report what it sees; "
        "a manifest leaves it out", "delete the whole status section",
        severity=Severity.INFO, rule="status-section", lesson=LESSON_STATUS)]


def _check_custom(resource: Resource, custom: CustomKind,
                  found: list[Finding]) -> tuple[list[Finding], set[Path]]:
    """A custom resource against the schema of the answer's own CRD."""
    if custom.validator is None:
        found.append(resource.finding(
            ("kind",), f"not checked: the schema of the {custom.kind} definition "
            f"({custom.definition.ref}) could not be read", "check its openAPIV3Schema",
            severity=Severity.INFO, rule="custom-resource", lesson=LESSON_KINDS))
        return found, set()
    body = resource.body
    if "status" in body:
        body, found = _without_status(body, found, custom.schema.get("properties"))
    # no is_valid() first: custom resources are few, and a valid one has no errors to translate
    translated, covered = _translate_all(resource, list(custom.validator.iter_errors(
        body)), custom.schema, {}, None)
    return found + translated, covered


def _root(cat: Catalog, api_version: str, kind: str) -> dict:
    """The schema of one kind, as a reference into the definitions, for walking."""
    return {"$ref": f"#/$defs/{cat.by_gvk[(api_version, kind)]}"}


def _identity_problem(resource: Resource, kind: Any, api_version: Any,
                      version: str) -> tuple[Finding | None, str | None]:
    """Missing, misspelled or removed kind/apiVersion, and the apiVersion to check the
    object against anyway (None: it cannot be checked)."""
    cat = catalog(version)
    if not isinstance(kind, str) or not kind:
        return resource.finding(
            ("kind",) if "kind" in resource.body else (),
            "the object has no kind, so Kubernetes cannot tell what to create",
            "add `kind:` with the type of object, e.g. `kind: Deployment`",
            rule="missing-kind", lesson=LESSON_ANATOMY), None
    if not isinstance(api_version, str) or not api_version:
        where = cat.versions_of.get(cat.kinds_by_lower.get(kind.lower()))  # any case
        example = where[-1] if where else "v1"
        return resource.finding(
            ("apiVersion",) if "apiVersion" in resource.body else (),
            "the object has no apiVersion, so Kubernetes cannot tell which API it belongs to",
            f"add `apiVersion: {example}` above `kind: {kind}`",
            rule="missing-api-version", lesson=LESSON_ANATOMY), None
    if (api_version, kind) in cat.by_gvk:
        return None, None
    if kind not in cat.versions_of:
        return _unknown_kind(resource, kind, api_version, version), None
    best = _preferred(cat.versions_of[kind])
    removed = REMOVED_APIS.get((api_version, kind))
    if removed:
        message = (f"{api_version} for {kind} was removed in Kubernetes {removed[0]}; "
                   "old tutorials still show it")
        hint = f"write `apiVersion: {removed[1]}`"  # the stable one: `best` already
    else:
        message = f"{kind} lives in {best}, not in {api_version}"
        hint = f"write `apiVersion: {best}`"
    message += f" (the rest of this {kind} was checked as {best})"
    return resource.finding(("apiVersion",), message, hint, rule="unknown-api-version",
                            lesson=LESSON_KINDS, at_value=True), best


def _unknown_kind(resource: Resource, kind: str, api_version: str, version: str) -> Finding:
    """A kind the pinned schemas do not have: a misspelling, a newer kind, or a custom one."""
    cat = catalog(version)
    proper = cat.kinds_by_lower.get(kind.lower())
    if proper:
        return resource.finding(
            ("kind",), f"there is no kind {kind}; kinds are written in CamelCase",
            f"write `kind: {proper}`", rule="unknown-kind", lesson=LESSON_KINDS,
            at_value=True)
    group = api_version.rpartition("/")[0]
    close = difflib.get_close_matches(kind.lower(), cat.kinds_by_lower, n=1, cutoff=0.75)
    if close and (not group or group in cat.groups):
        return resource.finding(
            ("kind",), f"Kubernetes {version} has no kind {kind}",
            f"did you mean `kind: {cat.kinds_by_lower[close[0]]}`?", rule="unknown-kind",
            lesson=LESSON_KINDS, at_value=True)
    newer = next((v for v in _later_versions(version)
                  if (api_version, kind) in catalog(v).by_gvk), None)
    if newer is not None:
        return resource.finding(
            ("kind",), f"{kind} ({api_version}) was added in Kubernetes {newer}; the course "
            f"checks against {version}", f"use a cluster of Kubernetes {newer} or later, or "
            "another kind", rule="unknown-kind", lesson=LESSON_KINDS, at_value=True)
    if group and group not in cat.groups and "." in group:
        return resource.finding(
            ("kind",), f"not checked: no schema for this kind ({kind}, {api_version}); it "
            "is a custom resource whose definition is not in this answer",
            "that is fine if your cluster has its CustomResourceDefinition installed",
            severity=Severity.INFO, rule="custom-resource", lesson=LESSON_KINDS)
    hint = "check the spelling against the list of kinds in lesson 01"
    return resource.finding(("kind",), f"Kubernetes {version} has no kind {kind} in "
                            f"{api_version}", hint, rule="unknown-kind", lesson=LESSON_KINDS,
                            at_value=True)


def _later_versions(version: str) -> list[str]:
    """The shipped Kubernetes versions after `version`, oldest first."""
    versions = supported_versions()
    return list(versions[versions.index(version) + 1:])  # `version` went through normalize_version


@dataclass(frozen=True)
class _Later:
    """Where to look for a field the pinned version lacks: the same kind, later versions."""

    version: str
    api_version: str
    kind: str

    def added_in(self, path: Path) -> str | None:
        """The first later Kubernetes version whose schema has a field at `path`."""
        for later in _later_versions(self.version):
            cat = catalog(later)
            if (self.api_version, self.kind) in cat.by_gvk and schema_at(
                    _root(cat, self.api_version, self.kind), path, cat.defs) is not None:
                return later
        return None


def _preferred(api_versions: list[str]) -> str:
    """The stable apiVersion if there is one ("apps/v1" over "apps/v1beta1")."""
    stable = [v for v in api_versions if "alpha" not in v and "beta" not in v]
    return (stable or api_versions)[-1]


# --- schema walking (for "did you mean" and for what a field expects) -------

def _deref(node: Any, defs: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
    return node if isinstance(node, dict) else {}


def schema_at(root: dict, path: Path, defs: dict) -> dict | None:
    """The schema that describes the value at `path`, or None when it has none."""
    node = _deref(root, defs)
    for part in path:
        if isinstance(part, int):
            child = node.get("items")
        else:
            child = (node.get("properties") or {}).get(part)
            if child is None and isinstance(node.get("additionalProperties"), dict):
                child = node["additionalProperties"]
        if child is None:
            return None
        node = _deref(child, defs)
    return node


def wanted_types(node: dict) -> list[str]:
    """JSON types a schema node accepts, without "null", in a stable order.

    No branch of a `oneOf` or `anyOf` is a `$ref`: the pinned schemas have none, and
    the API server refuses a CRD that uses one (custom.py does not compile it either).
    """
    found: list[str] = []
    branches = node.get("oneOf") or node.get("anyOf") or [node]
    for branch in branches:
        kinds = branch.get("type", [])
        for kind in [kinds] if isinstance(kinds, str) else kinds:
            if kind != "null" and kind not in found:
                found.append(kind)
    return found


def _where_field_lives(root: dict, name: str, defs: dict, limit: int = 7) -> Path | None:
    """The shortest path, at most `limit` levels down, under which a field of this name
    exists (breadth first). Deeper finds are far-fetched: `namespace` under a
    Deployment's spec would be sent into a volume claim template's dataSourceRef.

    Each schema node is walked once (definitions are met many times): a whole kind is
    a few hundred nodes.
    """
    queue: deque[tuple[dict, Path]] = deque([(_deref(root, defs), ())])
    seen: set[int] = set()
    while queue:
        node, path = queue.popleft()
        if id(node) in seen or len(path) > limit:
            continue
        seen.add(id(node))
        properties = node.get("properties") or {}
        if name in properties:
            return (*path, name)
        for key in sorted(properties):
            if key not in ("metadata", "status"):
                queue.append((_deref(properties[key], defs), (*path, key)))
        if "items" in node:
            queue.append((_deref(node["items"], defs), (*path, 0)))
    return None


# --- error translation -------------------------------------------------------

class _Hidden:
    """Stands for a value that must not be shown."""


_HIDDEN = _Hidden()


def _shown(value: Any) -> str:
    if value is _HIDDEN:
        return "a value (hidden: Secret values are never shown)"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, dict | list) else (
        "a mapping" if isinstance(value, dict) else "a list")
    return text if len(text) <= 60 else text[:57] + "..."


def _translate_all(resource: Resource, errors: list, root: dict, defs: dict,
                   later: _Later | None) -> tuple[list[Finding], set[Path]]:
    """Findings for all of one object's errors, one per mistake, and the fields they cover.

    A misspelt key (`contianers`) is also a missing required field
    (`containers`); the two are one mistake, told once as "did you mean".
    """
    missing: dict[Path, set[str]] = {}
    unknown: dict[Path, list[str]] = {}
    for error in errors:
        name = type(error.kind).__name__
        if name == "Required":
            missing.setdefault(tuple(error.instance_path), set()).add(error.kind.property)
        elif name == "AdditionalProperties":
            unknown.setdefault(tuple(error.instance_path), []).extend(
                str(n) for n in error.kind.unexpected)
    meant: dict[Path, str] = {}  # path of a misspelt key -> the required field it stands for
    for path, names in unknown.items():
        wanted = sorted(missing.get(path, ()))
        for name in names:
            close = difflib.get_close_matches(name, wanted, n=1, cutoff=0.6) or \
                [w for w in wanted if w.lower() == name.lower()]
            if close:
                meant[(*path, name)] = close[0]
    misspelt = {(*p[:-1], m) for p, m in meant.items()}
    found: list[Finding] = []
    for error in errors:
        if type(error.kind).__name__ == "Required" and \
                (*error.instance_path, error.kind.property) in misspelt:
            continue  # told as the misspelt key's "did you mean"
        found += _translate(resource, error, root, defs, meant, later)
    # what a rule would judge: the flagged fields, and the fields misspelt keys stand for
    covered = {f.path for f in found} | misspelt
    for path, names in unknown.items():
        for name in names:
            guess = _guess(name, path, root, defs, meant)
            covered.update([(*path, guess)] if guess else _homes(name, path, root, defs))
    return found, covered


def _homes(name: str, path: Path, root: dict, defs: dict) -> tuple[Path, ...]:
    """Where a field written at the wrong level belongs: under a neighbour first
    (`labels` beside `metadata` belongs in it), else the shortest path that has it,
    else, for a field of metadata, the object's metadata and its pod template's."""
    node = schema_at(root, path, defs) or {}
    for neighbour in sorted(node.get("properties") or {}):
        child = schema_at(root, (*path, neighbour), defs) or {}
        if name in (child.get("properties") or {}):
            return ((*path, neighbour, name),)
    home = _where_field_lives(root, name, defs)
    if home:  # never `path` itself: the field is unknown there
        return (home,)
    # The search above leaves metadata out (a container's `name` is meant far more
    # often than the object's). `labels:` under a Deployment's spec meant the
    # Deployment's metadata or its pods': the nearest metadata above, and the template's.
    above = next(((*path[:depth], "metadata") for depth in range(len(path), -1, -1)
                  if _has_field(root, (*path[:depth], "metadata"), name, defs)), None)
    pods = (*path, "template", "metadata") if name in _POD_TEMPLATE_METADATA else None
    return tuple((*place, name) for place in (above, pods)
                 if place is not None and _has_field(root, place, name, defs))


# What a pod template's metadata is for; the controller names and places the pods itself.
_POD_TEMPLATE_METADATA = ("labels", "annotations")


def _has_field(root: dict, path: Path, name: str, defs: dict) -> bool:
    return name in ((schema_at(root, path, defs) or {}).get("properties") or {})


def _guess(name: str, path: Path, root: dict, defs: dict, meant: dict[Path, str]
           ) -> str | None:
    """The field a misspelt key under `path` most likely stands for."""
    if (*path, name) in meant:
        return meant[(*path, name)]
    node = schema_at(root, path, defs) or {}
    known = sorted((node.get("properties") or {}).keys())
    lowered = {k.lower(): k for k in known}
    return lowered.get(name.lower()) or next(
        iter(difflib.get_close_matches(name, known, n=1, cutoff=0.6)), None)


def _translate(resource: Resource, error: Any, root: dict, defs: dict,
               meant: dict[Path, str], later: _Later | None) -> list[Finding]:
    kind = error.kind
    path: Path = tuple(error.instance_path)
    dotted = format_path(path) or "the object"
    kind_name = type(kind).__name__
    if kind_name == "AdditionalProperties":
        return _unknown_fields(resource, path, list(kind.unexpected), root, defs, meant, later)
    if kind_name == "Required":
        field_name = kind.property
        return [resource.finding(
            (*path, field_name), f"{dotted} is missing the required field `{field_name}`",
            f"add `{field_name}:` under {dotted}", rule="schema-required",
            lesson=LESSON_ANATOMY)]
    value = resource.get(path)
    if is_secret_value(resource.kind, path):
        value = _HIDDEN  # a Secret's value is never repeated back
    node = schema_at(root, path, defs) or {}
    types = (wanted_types(node) or [t for t in getattr(kind, "types", []) if t != "null"]) \
        if kind_name in ("Type", "OneOfNotValid", "AnyOf") else []
    if types:  # else a CRD's oneOf or anyOf of other constraints: told in the validator's words
        trap = resource.document.traps.get(path)
        if trap is not None and "string" in types:
            return [_trap(resource, path, trap, value)]
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types)
        if resource.kind == "Service" and path[:2] == ("spec", "selector") and len(path) == 3 \
                and path[2] in ("matchLabels", "matchExpressions"):
            return [_label_selector_on_service(resource, path, value)]
        hint = _type_hint(types, value)
        # a nested mapping or list starts on the next line: point at its key instead
        return [resource.finding(
            path, f"{dotted} must be {wanted}; you wrote {_shown(value)}", hint,
            rule="schema-type", lesson=LESSON_ANATOMY,
            at_value=not isinstance(value, dict | list))]
    if kind_name == "Enum":
        options = [o for o in kind.options if o is not None]
        close = [o for o in options if str(o).lower() == str(value).lower()]
        hint = f"write {close[0]} (exactly this spelling)" if close else \
            "use one of the values listed"
        return [resource.finding(
            path, f"{dotted} must be one of {', '.join(map(str, options))}; "
            f"you wrote {_shown(value)}", hint, rule="schema-enum", lesson=LESSON_ANATOMY,
            at_value=True)]
    # the validator's own words quote the value, so a Secret's value gets none of them
    said = "this value is not accepted" if value is _HIDDEN else error.message
    return [resource.finding(
        path, f"{dotted}: {said}", "compare this field with the lesson's example",
        rule="schema-invalid", lesson=LESSON_ANATOMY, at_value=True)]


def _label_selector_on_service(resource: Resource, path: Path, value: Any) -> Finding:
    """`matchLabels:` under a Service's selector: a Deployment habit, told as one finding."""
    field = path[2]
    pairs = ", ".join(f"{k}: {v}" for k, v in value.items()
                      if isinstance(v, str | int | float | bool)) if isinstance(value, dict) \
        else ""
    example = f" (`selector: {{{pairs}}}`)" if pairs else ""
    return resource.finding(
        path, f"a Service's selector is plain `key: value` labels; `{field}` belongs to "
        "Deployments, so this Service selects no pods",
        f"delete the `{field}:` line and write the labels right under selector{example}",
        rule="schema-type", lesson="04-services#selectors")


def _type_hint(types: list[str], value: Any) -> str:
    if value is _HIDDEN:
        return "a Secret's values are text: put the value in quotes"
    if "string" in types and isinstance(value, bool | int | float):
        spelled = json.dumps(value)
        return f'put it in quotes: "{spelled}"'
    if "integer" in types and isinstance(value, str):
        digits = value.strip().strip('"')
        if digits.isdigit():
            return f"write the number without quotes: {digits}"
        return "write a number with digits, without quotes, e.g. 3"
    if "array" in types and isinstance(value, dict):
        return "start each item on its own line with `- `"
    if "object" in types and isinstance(value, list):
        return "remove the `- `: this field holds `key: value` lines, not a list"
    if "string" in types and isinstance(value, dict | list):
        return "this field holds one text value, not nested lines; check the indentation"
    if "object" in types and not isinstance(value, dict):
        return "put the fields of this section on indented lines below it"
    return "compare this field with the lesson's example"


# Why YAML 1.1 reads a number that starts with 0 as it does (`0755` is 493).
_BASES = {"0x": "0x makes it hexadecimal", "0b": "0b makes it binary"}


def _trap(resource: Resource, path: Path, spelling: str, value: Any) -> Finding:
    digits = spelling.lstrip("+-")
    if isinstance(value, bool):
        read = f"the boolean {str(value).lower()}"
    elif digits.startswith("0") and isinstance(value, int):
        read = f"the number {value} ({_BASES.get(digits[:2], 'a leading 0 makes it octal')})"
    else:
        read = f"the number {value}"
    return resource.finding(
        path, f"{format_path(path)} needs text, but YAML reads the unquoted "
        f"{spelling} as {read}", f'put it in quotes: "{spelling}"',
        rule="yaml-unquoted-value", lesson="01-manifest-anatomy#yaml", at_value=True)


def _base_60_warnings(resource: Resource, root: dict, defs: dict) -> list[Finding]:
    """`12:30` where text goes: kubectl keeps it as text, YAML 1.1 tools make it 750."""
    found = []
    for path, spelling in resource.document.traps.items():
        if ":" not in spelling or not isinstance(resource.get(path), str):
            continue
        node = schema_at(root, path, defs)
        if node is not None and "string" not in wanted_types(node):
            continue  # a number goes here: the schema stage reports the text instead
        parts = spelling.lstrip("+-").split(":")
        sign = -1 if spelling.startswith("-") else 1  # YAML 1.1 reads -1:30 as -90
        number = sign * sum(int(p) * 60 ** i for i, p in enumerate(reversed(parts))) \
            if all(p.isdigit() for p in parts) else None
        read = f"the number {number}" if number is not None else "a number"
        found.append(resource.finding(
            path, f"{format_path(path)}: kubectl reads the unquoted {spelling} as text, but "
            f"YAML 1.1 tools (PyYAML, Ansible) read it as {read}, counting in base 60",
            f'put it in quotes: "{spelling}", so every tool reads the same value',
            severity=Severity.WARNING, rule="yaml-unquoted-value",
            lesson="01-manifest-anatomy#yaml", at_value=True))
    return found


# Fields a learner carries over from another workload kind, where they do not exist:
# (kind, where the field was written) -> (what to do instead, the lesson that says why).
_OTHER_KINDS_FIELD = {
    ("DaemonSet", ("spec", "replicas")): (
        "a DaemonSet has no replicas: it runs one pod on each node; remove it "
        "(a nodeSelector chooses the nodes)", "09-workloads#daemonsets"),
    ("Job", ("spec", "replicas")): (
        "a Job has no replicas: `completions` is how many pods must succeed, "
        "`parallelism` how many run at once", "10-jobs#completions"),
    ("Job", ("spec", "restartPolicy")): (
        "restartPolicy belongs to the pod: move it under spec.template.spec",
        "10-jobs#restart-policy"),
    ("CronJob", ("spec", "restartPolicy")): (
        "restartPolicy belongs to the pod: move it under spec.jobTemplate.spec.template.spec",
        "10-jobs#restart-policy"),
    ("CronJob", ("spec", "template")): (
        "a CronJob's pod template goes under spec.jobTemplate.spec.template (the CronJob "
        "makes Jobs, and each Job makes pods)", "10-jobs#cronjobs"),
}


def _unknown_fields(resource: Resource, path: Path, names: list[str], root: dict,
                    defs: dict, meant: dict[Path, str], later: _Later | None
                    ) -> list[Finding]:
    node = schema_at(root, path, defs) or {}
    known = sorted((node.get("properties") or {}).keys())
    owner = format_path(path) or resource.kind  # an object without a kind is not checked
    findings = []
    for name in names:
        added = later.added_in((*path, name)) if later is not None else None
        if added is not None:
            findings.append(resource.finding(
                (*path, name), f"`{name}` under {owner} was added in Kubernetes {added}; the "
                f"course's Kubernetes {later.version} does not have it yet",
                f"remove it, or run a Kubernetes {added} cluster and check with "
                f"--kube-version {added}", rule="schema-unknown-field", lesson=LESSON_ANATOMY))
            continue
        carried = _OTHER_KINDS_FIELD.get((resource.kind, (*path, name)))
        if carried is not None:
            findings.append(resource.finding(
                (*path, name), f"{owner} has no field `{name}`", carried[0],
                rule="schema-unknown-field", lesson=carried[1]))
            continue
        guess = _guess(str(name), path, root, defs, meant)
        if guess:
            hint = f'did you mean "{guess}"?'
        else:
            homes = [format_path(home[:-1]) for home in _homes(str(name), path, root, defs)]
            if len(homes) == 2:  # the object's own metadata, and its pod template's
                hint = (f"`{name}` belongs under {homes[0]} (the {resource.kind}'s own) or "
                        f"under {homes[1]} (its pods'), check the indentation")
            elif homes:
                hint = f"`{name}` belongs under {homes[0]}, check the indentation"
            else:
                shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                hint = f"fields allowed here: {shown}" if known else "remove it"
        findings.append(resource.finding(
            (*path, name), f"{owner} has no field `{name}`", hint,
            rule="schema-unknown-field", lesson=LESSON_ANATOMY))
    return findings
