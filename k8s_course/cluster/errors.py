"""The API server's refusals -> Findings on the learner's YAML.

A real kube-apiserver (1.36) says "no" in several shapes, all seen in the
recordings under tests/fixtures/apiserver-recordings/:

- 422 Invalid, with `details.causes[].field` ("spec.ports[0].name");
- 409 Conflict, with causes whose field starts with a dot (".spec.replicas");
- 404 NotFound for a namespace that does not exist (`details.kind: namespaces`);
- 500 "failed to create typed patch object (...): .spec.replicas: expected
  numeric (int or float), got string" (server-side apply reports a wrong type
  or an unknown field this way, one field at a time, in structured-merge-diff's
  path syntax: `.spec.containers[name="web"].image`);
- 400 BadRequest for YAML it cannot read ("line 8: key \"replicas\" already
  set in map", counted from the first line of what we sent), or a name that
  differs from the URL's.

The server's message is always kept; we add where, and a hint.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..bundle import Resource
from ..findings import Finding, Path, Severity
from ..source import split_lines
from .client import Response
from .payload import Payload

LESSON_ANATOMY = "01-manifest-anatomy#anatomy"

# (words in the server's message, hint, lesson): the first match wins.
_HINTS: tuple[tuple[str, str, str], ...] = (
    ("`selector` does not match template `labels`",
     "spec.selector.matchLabels must be a subset of spec.template.metadata.labels: "
     "give the pod template the same key: value pairs", "03-deployments#selector"),
    ("provided port is not in the valid range",
     "a nodePort must lie between 30000 and 32767 (the course's kind cluster maps 30080 to "
     "your computer); or leave nodePort out and let Kubernetes pick one", "04-services#nodeport"),
    ("RFC 1123", "names use lower-case letters, digits and '-', and start and end with a "
     "letter or digit: fastapi-app, not Fastapi_App", "01-manifest-anatomy#names"),
    ("RFC 1035", "on this server the name must start with a letter and use only lower-case "
     "letters, digits and '-', at most 63 characters (Service names may start with a digit "
     "only from Kubernetes 1.36 on, where the RelaxedServiceNameValidation feature gate is "
     "on by default)", "01-manifest-anatomy#names"),
    ("must contain at least one letter", "a port name needs a letter; a port number goes "
     "without quotes", "04-services#ports"),
    ("must contain only alpha-numeric characters (a-z, 0-9), and hyphens",
     "a port name (and a targetPort that names one) uses only lower-case letters, digits and "
     "'-', at most 15 characters: `http`, not `HTTP`", "04-services#named-ports"),
    ("expected numeric", "write a number without quotes, e.g. `replicas: 2`",
     "01-manifest-anatomy#yaml"),
    ("expected string", "quote the value so it stays text, e.g. \"8080\" or \"true\"",
     "01-manifest-anatomy#yaml"),
    ("expected map", "this field holds `key: value` pairs indented below it, not a single value "
     "or a list", "01-manifest-anatomy#yaml"),
    ("expected list", "this field holds a list: start each item on its own line with `- `",
     "01-manifest-anatomy#yaml"),
    ("field not declared in schema", "no such field here: check its spelling and its "
     "indentation (`k8s-course check` suggests the right name)", LESSON_ANATOMY),
    ("unknown field", "no such field here: check its spelling and its indentation",
     LESSON_ANATOMY),
    ("already set in map", "a key may appear only once in the same mapping: keep one of them",
     "01-manifest-anatomy#yaml"),
    ("illegal base64", "values under `data:` must be base64-encoded; put plain text under "
     "`stringData:` instead and the server encodes it", "05-config#secrets"),
    ("does not match the name on the URL", "metadata.name was read differently by the server: "
     "quote the name so it stays plain text", "01-manifest-anatomy#names"),
    ("could not find the requested resource", "the cluster does not serve this kind at this "
     "apiVersion: check both; `kubectl api-resources` lists them", "01-manifest-anatomy#kind"),
    # Fields that cannot change once the object exists: the checker cannot see these
    # offline (it has only the new text), so the server's refusal carries the way out.
    ("field is immutable when `immutable` is set", "this object says `immutable: true`, so "
     "its data cannot change: delete it and apply it again", "05-config#immutable"),
    ("cannot change roleRef", "roleRef cannot change once the binding exists: delete the "
     "binding and apply it again", "07-rbac#bindings"),
    ("updates to statefulset spec for fields other than", "only replicas, template, "
     "updateStrategy and a few more can change on a StatefulSet: delete it with `kubectl "
     "delete statefulset NAME --cascade=orphan` (its pods keep running) and apply it again",
     "09-workloads#statefulsets"),
    ("spec is immutable after creation", "a claim's spec cannot change once it exists, except "
     "to request more storage: put the old values back, or delete the claim (and its data)",
     "06-storage#claims"),
    ("pod updates may not change fields other than", "a running pod only lets its images "
     "(and a few other fields) change: delete the pod and create it again, or let a "
     "Deployment replace its pods for you", "03-deployments#template"),
    ("field is immutable", "`{field}` cannot change once the object exists: put the old "
     "value back, or delete the object (`kubectl delete -f FILE`) and apply it again",
     LESSON_ANATOMY),
    ("Required value", "the server requires `{field}` here: add it", LESSON_ANATOMY),
    ("Unsupported value", "use one of the values the message lists", LESSON_ANATOMY),
    ("Duplicate value", "each entry here needs a different value", LESSON_ANATOMY),
)
_TYPED_PATCH = re.compile(r"failed to create typed patch object \([^)]*\): (\.\S+): (.*)", re.S)
_YAML_LINE = re.compile(r"yaml: (?:unmarshal errors:\s*)?line (\d+): (.+)")
_DUPLICATE_KEY = re.compile(r"key \"(.*?)\" already set in map")
_UNKNOWN_FIELD = re.compile(r"unknown field \"([^\"]+)\"")
_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[([^\]]*)\]")
# how the server quotes a value back: `Invalid value: "..."`, `{Value:...}` in type errors
_INVALID_VALUE = re.compile(r"(Invalid value: |\{Value:)(\"(?:[^\"\\]|\\.)*\"|[^\s}]+)")


def hint_for(message: str, field: str = "") -> tuple[str, str]:
    """The hint and lesson for a server message about `field` ("", "" when we have none)."""
    for words, hint, lesson in _HINTS:
        if words in message:
            return hint.replace("{field}", field or "this field"), lesson
    return "", ""


def parse_field(field: str, value: Any) -> Path:
    """A server field path -> our path, resolving `[name="web"]` against `value`.

    "spec.ports[0].name" -> ("spec", "ports", 0, "name"); the part we cannot
    follow (a key selector that matches nothing) ends the path there, so the
    finding lands on the nearest field the learner wrote.
    """
    path: list[str | int] = []
    node = value
    for match in _SEGMENT.finditer(field):
        name, selector = match.groups()
        if name is not None:
            step: str | int = name
        elif selector.isdigit():
            step = int(selector)
        elif "=" in selector:
            found = _select(node, selector)
            if found is None:
                break
            step = found
        else:  # a map key written in brackets: metadata.labels[app.kubernetes.io/name]
            step = selector
        path.append(step)
        node = _child(node, step)
    return tuple(path)


def _child(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and 0 <= step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


def _select(node: Any, selector: str) -> int | None:
    """Index of the list item a structured-merge-diff key selects: `name="web"`, `="a"`."""
    if not isinstance(node, list):
        return None
    wanted: dict[str, Any] = {}
    for part in re.findall(r'([\w-]*)=("(?:[^"\\]|\\.)*"|[^,]*)', selector):
        try:
            wanted[part[0]] = json.loads(part[1])
        except ValueError:
            wanted[part[0]] = part[1]
    for index, item in enumerate(node):
        if "" in wanted and item == wanted[""]:
            return index
        # a key the learner left out was defaulted by the server (protocol: TCP)
        written = {k: v for k, v in wanted.items() if isinstance(item, dict) and k in item}
        if written and all(str(item[k]) == str(v) for k, v in written.items()):
            return index
    return None


def server_findings(resource: Resource, answer: Response,
                    payload: Payload | None = None) -> list[Finding]:
    """Findings for one refused call on `resource` (`payload`: the text we sent)."""
    body = answer.body if isinstance(answer.body, dict) else {}
    message = str(body.get("message") or answer.body or f"HTTP {answer.status}")
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    shown = hide_values if resource.kind == "Secret" else str
    message = shown(message)
    # every cause's message hidden once here, so no branch below can repeat a Secret's value
    causes = [{**c, "message": shown(str(c.get("message") or message))}
              for c in details.get("causes") or [] if isinstance(c, dict)]
    if answer.status == 422 and causes:
        return [_on_field(resource, "server-invalid", str(cause.get("field", "")),
                          cause["message"]) for cause in causes]
    if answer.status == 409:
        return [_conflict(resource, cause) for cause in causes] or [
            _whole(resource, "server-conflict", message, "")]
    if answer.status == 404 and details.get("kind") == "namespaces":
        return [_missing_namespace(resource, str(details.get("name") or resource.namespace),
                                   message)]
    typed = _TYPED_PATCH.search(message)
    if typed:
        return [_on_field(resource, "server-rejected", typed.group(1), typed.group(2))]
    yaml_error = _YAML_LINE.search(message)
    if yaml_error and payload and payload.first_line:
        return [_yaml_error(resource, yaml_error, payload)]
    unknown = _UNKNOWN_FIELD.search(message)
    if unknown:
        return [_on_field(resource, "server-rejected", unknown.group(1), message)]
    if "does not match the name on the URL" in message:
        return [_on_field(resource, "server-rejected", "metadata.name", message)]
    if "illegal base64" in message:
        return [_on_field(resource, "server-rejected", "data", message)]
    if answer.status in (401, 403):
        return [_whole(resource, "server-forbidden", message,
                       "your user may not do this on this cluster: ask its owner for access, "
                       "or use the course's own kind cluster (`k8s-course cluster up`)")]
    hint, lesson = hint_for(message)
    return [_whole(resource, "server-rejected", message, hint, lesson)]


def hide_values(message: str) -> str:
    """The server's message with the values it quotes back hidden (for Secrets)."""
    return _INVALID_VALUE.sub(r"\1(hidden)", message)


def _on_field(resource: Resource, rule: str, field: str, message: str) -> Finding:
    path = parse_field(field, resource.body)
    names = [step for step in path if isinstance(step, str)]
    hint, lesson = hint_for(message, names[-1] if names else "")
    shown = field.removeprefix(".") or "it"  # structured-merge-diff paths start with a dot
    return resource.finding(path, f"the server refused {shown}: {message}", hint,
                            severity=Severity.ERROR, rule=rule, lesson=lesson)


def _conflict(resource: Resource, cause: dict) -> Finding:
    field = str(cause.get("field", "")).removeprefix(".")
    path = parse_field(field, resource.body)
    return resource.finding(
        path, f"the server refused {field or 'it'}: {cause['message']}: another "
        "tool set this field last and the apply did not take it over",
        "someone (or another tool) changed this field on the cluster; apply again with the "
        "course's tools, which take over such fields, or ask who changed it",
        severity=Severity.ERROR, rule="server-conflict", lesson="03-deployments#apply")


def _missing_namespace(resource: Resource, namespace: str, message: str) -> Finding:
    written = resource.get(("metadata", "namespace")) is not None
    return resource.finding(
        ("metadata", "namespace") if written else ("metadata",),
        f"the server refused it: {message}",
        f"create the namespace first: add a Namespace named {namespace} to your YAML "
        f"(before this object), or run `kubectl create namespace {namespace}`",
        severity=Severity.ERROR, rule="server-namespace-missing",
        lesson="02-namespaces#create")


def _yaml_error(resource: Resource, match: re.Match, payload: Payload) -> Finding:
    """The server could not read our YAML: its line number counts from what we sent."""
    sent_line, problem = int(match.group(1)), match.group(2).strip()
    lines = split_lines(payload.text)
    text = lines[sent_line - 1] if 0 < sent_line <= len(lines) else ""
    duplicate = _DUPLICATE_KEY.search(problem)
    column = max(text.find(duplicate.group(1)), 0) + 1 if duplicate else (
        len(text) - len(text.lstrip()) + 1)
    hint, lesson = hint_for(problem)
    return Finding("server-duplicate-key" if duplicate else "server-yaml", Severity.ERROR,
                   f"the server refused it: {problem}", hint, resource.file,
                   payload.first_line + sent_line - 1, column, (), resource.ref,
                   "" if resource.cluster_scoped else resource.namespace,
                   lesson or "01-manifest-anatomy#yaml", resource.document.index)


def _whole(resource: Resource, rule: str, message: str, hint: str,
           lesson: str = "") -> Finding:
    return resource.finding((), f"the server refused it: {message}", hint,
                            severity=Severity.ERROR, rule=rule, lesson=lesson)
