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
from dataclasses import dataclass
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from .bundle import Resource
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
    parts = version.strip().lstrip("v").split(".")
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


def check_resource(resource: Resource, version: str) -> list[Finding]:
    """Every schema mistake in one object, translated for a learner."""
    body = resource.body
    found: list[Finding] = []
    kind, api_version = body.get("kind"), body.get("apiVersion")
    if "status" in body:
        found.append(resource.finding(
            ("status",), "status is written by the cluster to report what it sees; "
            "a manifest leaves it out", "delete the whole status section",
            severity=Severity.INFO, rule="status-section", lesson=LESSON_STATUS))
    problem = _identity_problem(resource, kind, api_version, version)
    if problem is not None:
        found.append(problem)
        return found
    cat = catalog(version)
    if resource.document.traps:
        found.extend(_base_60_warnings(resource, _root(cat, api_version, kind), cat.defs))
    check = validator(version, api_version, kind)
    if check.is_valid(body):  # the hot path: most objects stop here
        return found
    root = _root(cat, api_version, kind)
    for error in check.iter_errors(body):
        found.extend(_translate(resource, error, root, cat))
    return found


def _root(cat: Catalog, api_version: str, kind: str) -> dict:
    """The schema of one kind, as a reference into the definitions, for walking."""
    return {"$ref": f"#/$defs/{cat.by_gvk[(api_version, kind)]}"}


def _identity_problem(resource: Resource, kind: Any, api_version: Any,
                      version: str) -> Finding | None:
    """Missing, misspelled or removed kind/apiVersion; None when we have the schema."""
    cat = catalog(version)
    if not isinstance(kind, str) or not kind:
        return resource.finding(
            ("kind",) if "kind" in resource.body else (),
            "the object has no kind, so Kubernetes cannot tell what to create",
            "add `kind:` with the type of object, e.g. `kind: Deployment`",
            rule="missing-kind", lesson=LESSON_ANATOMY)
    if not isinstance(api_version, str) or not api_version:
        where = cat.versions_of.get(kind) or cat.versions_of.get(
            cat.kinds_by_lower.get(kind.lower(), ""), [])
        example = where[-1] if where else "v1"
        return resource.finding(
            ("apiVersion",) if "apiVersion" in resource.body else (),
            "the object has no apiVersion, so Kubernetes cannot tell which API it belongs to",
            f"add `apiVersion: {example}` above `kind: {kind}`",
            rule="missing-api-version", lesson=LESSON_ANATOMY)
    if (api_version, kind) in cat.by_gvk:
        return None
    if kind not in cat.versions_of:
        proper = cat.kinds_by_lower.get(kind.lower())
        if proper:
            return resource.finding(
                ("kind",), f"there is no kind {kind}; kinds are written in CamelCase",
                f"write `kind: {proper}`", rule="unknown-kind", lesson=LESSON_KINDS,
                at_value=True)
        group = api_version.rpartition("/")[0]
        if group and group not in cat.groups and "." in group:
            return resource.finding(
                ("kind",), f"{kind} ({api_version}) is a custom resource; the checker has "
                "no schema for it, so its fields are not checked",
                "that is fine if your cluster has this custom resource definition installed",
                severity=Severity.INFO, rule="custom-resource", lesson=LESSON_KINDS)
        close = difflib.get_close_matches(kind.lower(), cat.kinds_by_lower, n=1, cutoff=0.75)
        hint = (f"did you mean `kind: {cat.kinds_by_lower[close[0]]}`?" if close
                else "check the spelling against the list of kinds in lesson 01")
        return resource.finding(("kind",), f"Kubernetes {version} has no kind {kind}", hint,
                                rule="unknown-kind", lesson=LESSON_KINDS, at_value=True)
    homes = cat.versions_of[kind]
    best = _preferred(homes)
    removed = REMOVED_APIS.get((api_version, kind))
    if removed:
        message = (f"{api_version} for {kind} was removed in Kubernetes {removed[0]}; "
                   "old tutorials still show it")
        hint = f"write `apiVersion: {removed[1]}`"
    else:
        message = f"{kind} lives in {best}, not in {api_version}"
        hint = f"write `apiVersion: {best}`"
    return resource.finding(("apiVersion",), message, hint, rule="unknown-api-version",
                            lesson=LESSON_KINDS, at_value=True)


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


def wanted_types(node: dict, defs: dict) -> list[str]:
    """JSON types a schema node accepts, without "null", in a stable order."""
    found: list[str] = []
    branches = node.get("oneOf") or node.get("anyOf") or [node]
    for branch in branches:
        branch = _deref(branch, defs)
        kinds = branch.get("type", [])
        for kind in [kinds] if isinstance(kinds, str) else kinds:
            if kind != "null" and kind not in found:
                found.append(kind)
    return found


def _where_field_lives(root: dict, name: str, defs: dict, limit: int = 7) -> Path | None:
    """The shortest path under which a field of this name exists (breadth first)."""
    queue: list[tuple[dict, Path]] = [(_deref(root, defs), ())]
    seen: set[int] = set()
    for _ in range(2000):
        if not queue:
            return None
        node, path = queue.pop(0)
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


def _translate(resource: Resource, error: Any, root: dict, cat: Catalog) -> list[Finding]:
    kind = error.kind
    path: Path = tuple(error.instance_path)
    dotted = format_path(path) or "the object"
    kind_name = type(kind).__name__
    defs = cat.defs
    if kind_name == "AdditionalProperties":
        return _unknown_fields(resource, path, list(kind.unexpected), root, defs)
    if kind_name == "Required":
        field_name = kind.property
        owner = format_path(path) or "the object"
        return [resource.finding(
            (*path, field_name), f"{owner} is missing the required field `{field_name}`",
            f"add `{field_name}:` under {owner}", rule="schema-required",
            lesson=LESSON_ANATOMY)]
    value = resource.get(path)
    if is_secret_value(resource.kind, path):
        value = _HIDDEN  # a Secret's value is never repeated back
    node = schema_at(root, path, defs) or {}
    if kind_name in ("Type", "OneOfNotValid", "AnyOf"):
        types = wanted_types(node, defs) or [t for t in getattr(kind, "types", []) if t != "null"]
        trap = resource.document.traps.get(path)
        if trap is not None and "string" in types:
            return [_trap(resource, path, trap, value)]
        wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types) or "something else"
        hint = _type_hint(types, value)
        if resource.kind == "Service" and path[:2] == ("spec", "selector") and len(path) == 3:
            hint = ("a Service's selector is plain labels: drop the `matchLabels:` line and "
                    "move its labels up one level")
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


def _trap(resource: Resource, path: Path, spelling: str, value: Any) -> Finding:
    if isinstance(value, bool):
        read = f"the boolean {str(value).lower()}"
    elif spelling.lstrip("+-").startswith("0") and isinstance(value, int):
        read = f"the number {value} (a leading 0 makes it octal)"
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
        if node is not None and "string" not in wanted_types(node, defs):
            continue  # a number goes here: the schema stage reports the text instead
        parts = spelling.lstrip("+-").split(":")
        number = sum(int(p) * 60 ** i for i, p in enumerate(reversed(parts))) \
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
                    defs: dict) -> list[Finding]:
    node = schema_at(root, path, defs) or {}
    known = sorted((node.get("properties") or {}).keys())
    owner = format_path(path) or resource.kind or "the object"
    lowered = {k.lower(): k for k in known}
    findings = []
    for name in names:
        carried = _OTHER_KINDS_FIELD.get((resource.kind, (*path, name)))
        if carried is not None:
            findings.append(resource.finding(
                (*path, name), f"{owner} has no field `{name}`", carried[0],
                rule="schema-unknown-field", lesson=carried[1]))
            continue
        guess = lowered.get(str(name).lower()) or next(
            iter(difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)), None)
        if guess:
            hint = f'did you mean "{guess}"?'
        else:
            home = _where_field_lives(root, str(name), defs)
            if home and home[:-1] != path:
                hint = (f"`{name}` belongs under {format_path(home[:-1])}, "
                        "check the indentation")
            else:
                shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                hint = f"fields allowed here: {shown}" if known else "remove it"
        findings.append(resource.finding(
            (*path, name), f"{owner} has no field `{name}`", hint,
            rule="schema-unknown-field", lesson=LESSON_ANATOMY))
    return findings
