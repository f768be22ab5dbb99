"""A fake kube-apiserver on 127.0.0.1, answering like the recordings of a real one.

tests/fixtures/apiserver-recordings/ holds real exchanges with a
kube-apiserver v1.36.2. This server speaks the same wire protocol, closely
enough for the course's client to be tested without Docker:

- discovery: /version, /api, /apis (legacy and aggregated), /api/v1 and
  /apis/apps/v1 are the recorded bodies; other group-versions are derived
  from the recorded aggregated discovery; an unknown one is the recorded 404;
- server-side apply: PATCH with `application/apply-patch+yaml`, fieldManager
  (required), force, dryRun=All (nothing stored, no resourceVersion) and
  fieldValidation=Strict; 201 when created, 200 when it existed;
- the recorded refusals, with Status bodies built exactly as recorded:
  400 duplicate key (Strict) with the line counted from the body's first
  line; 400 name differs from the URL; 500 "failed to create typed patch
  object" for a wrong type or an unknown field (the first one found, checked
  against the Kubernetes 1.36 OpenAPI schema shipped in kubernetes-validate);
  500 for Secret data that is not base64; 404 for a missing namespace; 404
  for an unknown resource; 422 Invalid for: a name that is not a DNS
  subdomain, workload selectors that do not match the template's labels, a
  container without an image, several Service ports without names, and a
  nodePort outside 30000-32767 (on real applies only, as recorded); 409 when
  another field manager applies, without force, a different value to a field
  this one owns;
- GET, LIST (labelSelector: =, ==, !=, in, notin, exists, !key), DELETE
  (Status Success; a Namespace answers with itself, Terminating), pod logs;
- TokenRequest (POST .../serviceaccounts/NAME/token): 201 with the
  TokenRequest echoed (its metadata as sent), the default audience and
  `status.token` / `status.expirationTimestamp`; 404 for a missing
  ServiceAccount; 422 for expirationSeconds under 600 (the API server's
  minimum);
- ResourceQuota status: `status.hard` copies spec.hard and `status.used`
  counts the namespace's pods (and services); other used amounts are "0";
- a bearer token is required (401 otherwise), so the client's auth is tested.
  The fixed admin token may do anything. A token this server issued
  authenticates as its ServiceAccount, and every request it makes is
  authorized by RBAC over the stored Roles, ClusterRoles and their bindings
  (the built-in view/edit/admin/cluster-admin known), decided by
  `k8s_course.access.can`; a refusal is the 403 Forbidden Status of the real
  authorizer ("secrets is forbidden: User ... cannot list resource ...").
  Being the course's own authorizer, it is no independent witness of what
  RBAC allows: tests/test_access.py checks it, and test_classroom_real.py
  asks a real API server.

What it does NOT model: defaulting (answers echo what was applied, plus
metadata), any controller (no ReplicaSets or pods appear by themselves: a
test puts them in with `put()`), field ownership beyond one owner per leaf
field, merging of list items by key (an apply replaces the object's fields
with the applied ones), admission plugins other than the namespace check,
watch, the order in which a real server reports several different
kinds of error at once, the 30-second namespace finalisation (a deleted
namespace and its objects vanish at once), the exact wording of type errors
other than "expected numeric" and unknown fields, and the validation rules
not listed above. Nor: quota enforcement (status is reported, nothing is
refused for exceeding it; a test puts in the FailedCreate event), LimitRange
defaulting, Pod Security admission, RBAC's escalation check (creating a Role
or binding that grants more than the creator holds), roleRef immutability,
token signatures, audiences and expiry (issued tokens are opaque strings that
never expire), and discovery filtered by permission (every token sees it all).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import kubernetes_validate
import yaml

from k8s_course.access import Request, can
from k8s_course.pipeline import load

RECORDINGS = Path(__file__).parent / "fixtures" / "apiserver-recordings"
SCHEMAS = (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
           / "v1.36.0-local-strict" / "_definitions.json")
TOKEN = "fake-token-for-tests"
ADMIN = "kubernetes-admin"
RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
TOKEN_AUDIENCE = "https://kubernetes.default.svc.cluster.local"
BUILT_IN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
    "[a-z0-9])?)*')")
_WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
_SCHEMA_TYPES = {("apps/v1", k): f"io.k8s.api.apps.v1.{k}" for k in _WORKLOADS} | {
    ("v1", k): f"io.k8s.api.core.v1.{k}" for k in (
        "Service", "Namespace", "Pod", "ConfigMap", "Secret", "ServiceAccount")}


def recording(prefix: str) -> dict:
    """The recorded exchange whose file name starts with `prefix` ("08", "17-deployment")."""
    (path,) = sorted(RECORDINGS.glob(f"{prefix}*.json"))[:1]
    return json.loads(path.read_text())


def recorded_body(prefix: str) -> Any:
    return recording(prefix)["response"]["body"]


def status_body(code: int, message: str, reason: str | None = None,
                details: dict | None = None) -> dict:
    """A Status object with keys in the order a real server writes them."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message}
    if reason:
        body["reason"] = reason
    if details is not None:
        body["details"] = details
    body["code"] = code
    return body


class ApiError(Exception):
    def __init__(self, body: dict) -> None:
        super().__init__(body.get("message"))
        self.body = body


@cache
def _discovery() -> dict[str, dict]:
    """groupVersion -> APIResourceList: recorded, or derived from aggregated discovery."""
    lists: dict[str, dict] = {}
    for group in recorded_body("06")["items"]:
        for version in group["versions"]:
            gv = f"{group['metadata']['name']}/{version['version']}"
            resources = []
            for item in version["resources"]:
                resources.append({
                    "name": item["resource"], "singularName": item.get("singularResource", ""),
                    "namespaced": item.get("scope") == "Namespaced",
                    "kind": item["responseKind"]["kind"], "verbs": item.get("verbs", [])})
                resources += [{"name": f"{item['resource']}/{sub['subresource']}",
                               "singularName": "", "namespaced": item.get("scope") == "Namespaced",
                               "kind": sub["responseKind"]["kind"], "verbs": sub.get("verbs", [])}
                              for sub in item.get("subresources") or []]
            lists[gv] = {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                         "resources": resources}
    lists["v1"] = recorded_body("04")
    lists["apps/v1"] = recorded_body("05")
    return lists


@cache
def _schemas() -> dict:
    return json.loads(SCHEMAS.read_text())["$defs"]


class FakeApiServer:
    """Start with `with FakeApiServer() as server:`; `server.url`, `server.kubeconfig(...)`."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str, str, str], dict] = {}
        self.owners: dict[tuple[str, str, str, str], dict[str, str]] = {}
        self.logs: dict[tuple[str, str, str], str] = {}
        self.requests: list[dict] = []
        self.tokens: dict[str, str] = {}  # issued token -> the ServiceAccount user it is
        self._versions = itertools.count(400)
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def __enter__(self) -> FakeApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()

    def kubeconfig(self, path: Path, contexts: dict[str, str] | None = None,
                   current: str | None = None) -> Path:
        """Write a kubeconfig whose contexts (name -> server url) point at fake servers."""
        contexts = contexts or {"kind-k8s-course": self.url}
        config = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": url}}
                         for name, url in contexts.items()],
            "users": [{"name": "learner", "user": {"token": TOKEN}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": "learner"}}
                         for name in contexts],
            "current-context": current or next(iter(contexts)),
        }
        path.write_text(yaml.safe_dump(config))
        return path

    def put(self, obj: dict) -> dict:
        """Store an object as if a controller had made it (pods, events, statuses)."""
        gv, kind = obj["apiVersion"], obj["kind"]
        resource = next(r for r in _discovery()[gv]["resources"] if r["kind"] == kind
                        and "/" not in r["name"])
        metadata = obj["metadata"]
        key = (gv, resource["name"], metadata.get("namespace", "") if resource["namespaced"]
               else "", metadata["name"])
        with self._lock:
            self.objects[key] = copy.deepcopy(obj)
        return self.objects[key]

    def get(self, gv: str, plural: str, namespace: str, name: str) -> dict | None:
        return self.objects.get((gv, plural, namespace, name))

    def calls(self, method: str | None = None) -> list[dict]:
        return [r for r in self.requests if method in (None, r["method"])]

    # --- request handling ---------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict, body: bytes
               ) -> tuple[int, Any, str]:
        split = urlsplit(raw_path)
        path, query = split.path, {k: v[-1] for k, v in parse_qs(split.query).items()}
        self.requests.append({"method": method, "path": path, "query": query,
                              "headers": headers, "body": body.decode("utf-8", "replace")})
        given = headers.get("authorization", "").removeprefix("Bearer ")
        user = ADMIN if given == TOKEN else self.tokens.get(given)
        if user is None:
            return 401, status_body(401, "Unauthorized", "Unauthorized"), "application/json"
        try:
            with self._lock:
                return self._route(method, path, query, headers, body, user)
        except ApiError as error:
            return error.body["code"], error.body, "application/json"

    def _route(self, method: str, path: str, query: dict, headers: dict, body: bytes,
               user: str = ADMIN) -> tuple[int, Any, str]:
        if method == "GET":
            found = self._discovery_answer(path, headers.get("accept", ""))
            if found is not None:
                return found
        gv, namespace, plural, name, sub = self._parse(path)
        resource = next((r for r in _discovery()[gv]["resources"] if r["name"] == plural), None)
        if resource is None:
            raise ApiError(copy.deepcopy(recorded_body("28")))
        namespace = namespace if resource["namespaced"] else ""
        key = (gv, plural, namespace, name)
        if user != ADMIN:
            self._authorize(user, method, resource, key, sub, query)
        if method == "POST" and name and sub == "token" and plural == "serviceaccounts":
            return self._token(key, body)
        if method == "PATCH" and name:
            return self._apply(resource, key, query, headers, body)
        if method == "GET" and name and sub == "log":
            return self._log(key, query)
        if method == "GET" and name:
            return 200, self._existing(resource, key), "application/json"
        if method == "GET":
            return 200, self._list(resource, gv, namespace, query), "application/json"
        if method == "DELETE" and name:
            return 200, self._delete(resource, key), "application/json"
        raise ApiError(status_body(405, "the server does not allow this method on the "
                                        "requested resource", "MethodNotAllowed", {}))

    def _discovery_answer(self, path: str, accept: str) -> tuple[int, Any, str] | None:
        fixed = {"/version": "01", "/api": "02"}
        if path in fixed:
            return 200, recorded_body(fixed[path]), "application/json"
        if path == "/apis":
            if "as=APIGroupDiscoveryList" in accept:
                answer = recording("06")["response"]
                return 200, answer["body"], answer["headers"]["Content-Type"]
            return 200, recorded_body("03"), "application/json"
        parts = path.strip("/").split("/")
        if (parts[0] == "api" and len(parts) == 2) or (parts[0] == "apis" and len(parts) == 3):
            gv = "/".join(parts[1:])
            if gv in _discovery():
                return 200, _discovery()[gv], "application/json"
            raise ApiError(copy.deepcopy(recorded_body("29")))
        return None

    def _parse(self, path: str) -> tuple[str, str, str, str, str]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[0] == "api" and len(parts) > 2:
            gv, rest = parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) > 3:
            gv, rest = f"{parts[1]}/{parts[2]}", parts[3:]
        else:
            raise ApiError(status_body(404, "the server could not find the requested resource",
                                       "NotFound", {}))
        if gv not in _discovery():
            raise ApiError(copy.deepcopy(recorded_body("29")))
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        rest += [""] * (3 - len(rest))
        return gv, namespace, rest[0], rest[1], rest[2]

    # --- authentication and authorization -------------------------------------

    def _authorize(self, user: str, method: str, resource: dict, key: tuple, sub: str,
                   query: dict) -> None:
        """Raise the authorizer's 403 unless RBAC lets `user` make this request."""
        gv, plural, namespace, name = key
        group = gv.rpartition("/")[0]
        verbs = {"GET": "get" if name else ("watch" if query.get("watch") else "list"),
                 "POST": "create", "PATCH": "patch", "PUT": "update", "DELETE": "delete"}
        wanted = [verbs.get(method, method.lower())]
        if method == "PATCH" and key not in self.objects:
            wanted.append("create")  # an apply that creates needs both
        full = f"{plural}/{sub}" if sub else plural
        rbac = [obj for obj in self.objects.values() if obj.get("kind") in RBAC_KINDS]
        bundle, _ = load(yaml.safe_dump_all(rbac) if rbac else "")
        for verb in wanted:
            if can(bundle, Request(user, verb, full, namespace, group, name)).allowed:
                continue
            scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
            qualified = f"{plural}.{group}" if group else plural
            named = f'{qualified} "{name}"' if name else qualified
            raise ApiError(status_body(
                403, f'{named} is forbidden: User "{user}" cannot {verb} resource "{full}" in '
                     f'API group "{group}" {scope}', "Forbidden",
                ({"name": name} if name else {}) | ({"group": group} if group else {})
                | {"kind": plural}))

    def _token(self, key: tuple, body: bytes) -> tuple[int, Any, str]:
        """A TokenRequest for a stored ServiceAccount: 201 and a token this server accepts."""
        _, _, namespace, name = key
        if key not in self.objects:
            raise self._not_found({}, key)
        try:
            asked = json.loads(body or b"{}")
        except ValueError as error:
            raise ApiError(status_body(400, "the body of the request could not be decoded",
                                       "BadRequest")) from error
        asked = asked if isinstance(asked, dict) else {}
        spec = asked.get("spec") if isinstance(asked.get("spec"), dict) else {}
        # the answer echoes the request's own metadata (kubectl sends none: name "")
        metadata = asked.get("metadata") if isinstance(asked.get("metadata"), dict) else {}
        seconds = spec.get("expirationSeconds", 3600)
        if isinstance(seconds, int) and seconds < 600:
            raise ApiError(_invalid("authentication.k8s.io/v1", "TokenRequest",
                                    metadata.get("name", ""), [(
                "FieldValueInvalid", f"Invalid value: {seconds}: may not specify a duration "
                "less than 10 minutes", "spec.expirationSeconds")]))
        token = f"issued-{uuid.uuid4().hex}"
        self.tokens[token] = f"system:serviceaccount:{namespace}:{name}"
        expires = datetime.fromtimestamp(datetime.now(UTC).timestamp() + seconds, UTC)
        return 201, {
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": {**metadata, "creationTimestamp": None},
            "spec": {"audiences": spec.get("audiences") or [TOKEN_AUDIENCE],
                     "expirationSeconds": seconds, "boundObjectRef": None},
            "status": {"token": token,
                       "expirationTimestamp": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
        }, "application/json"

    def _quota_status(self, quota: dict) -> dict:
        """A ResourceQuota as its controller keeps it: hard from spec, used counted."""
        namespace = quota["metadata"].get("namespace", "")
        hard = dict((quota.get("spec") or {}).get("hard") or {})
        counted = {"pods": "pods", "services": "services"}
        used = {}
        for resource in hard:
            plural = counted.get(resource)
            used[resource] = str(sum(1 for k in self.objects if k[1] == plural
                                     and k[2] == namespace)) if plural else "0"
        quota["status"] = {"hard": hard, "used": used}
        return quota

    def _not_found(self, resource: dict, key: tuple) -> ApiError:
        gv, plural, _, name = key
        group = gv.rpartition("/")[0]
        details = {"name": name} | ({"group": group} if group else {}) | {"kind": plural}
        qualified = f"{plural}.{group}" if group else plural
        return ApiError(status_body(404, f"{qualified} \"{name}\" not found", "NotFound",
                                    details))

    def _existing(self, resource: dict, key: tuple) -> dict:
        obj = self.objects.get(key)
        if obj is None:
            raise self._not_found(resource, key)
        return self._quota_status(obj) if resource["kind"] == "ResourceQuota" else obj

    def _list(self, resource: dict, gv: str, namespace: str, query: dict) -> dict:
        items = []
        for (item_gv, plural, item_ns, _), obj in self.objects.items():
            if item_gv == gv and plural == resource["name"] and (
                    not namespace or item_ns == namespace) and _selects(
                    query.get("labelSelector", ""), obj["metadata"].get("labels") or {}):
                if resource["kind"] == "ResourceQuota":
                    self._quota_status(obj)
                items.append({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        return {"kind": f"{resource['kind']}List", "apiVersion": gv,
                "metadata": {"resourceVersion": str(next(self._versions))}, "items": items}

    def _delete(self, resource: dict, key: tuple) -> dict:
        obj = self._existing(resource, key)
        gv, plural, _namespace, name = key
        del self.objects[key]
        if resource["kind"] == "Namespace":
            for other in [k for k in self.objects if k[2] == name]:
                del self.objects[other]
            gone = copy.deepcopy(obj)
            gone["metadata"]["deletionTimestamp"] = _now()
            gone["status"] = {"phase": "Terminating"}
            return gone
        group = gv.rpartition("/")[0]
        details = {"name": name} | ({"group": group} if group else {}) | {
            "kind": plural, "uid": obj["metadata"].get("uid", "")}
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": details}

    def _log(self, key: tuple, query: dict) -> tuple[int, Any, str]:
        _, _, namespace, name = key
        text = self.logs.get((namespace, name, query.get("container", "")), "")
        lines = text.splitlines(keepends=True)
        if "tailLines" in query:
            lines = lines[-int(query["tailLines"]):]
        return 200, "".join(lines), "text/plain"

    # --- server-side apply --------------------------------------------------

    def _apply(self, resource: dict, key: tuple, query: dict, headers: dict, body: bytes
               ) -> tuple[int, Any, str]:
        gv, _plural, namespace, name = key
        if headers.get("content-type", "").split(";")[0] != "application/apply-patch+yaml":
            raise ApiError(status_body(415, "the body of the request was in an unknown format "
                                            "- accepted media types include: "
                                            "application/json-patch+json, application/merge-patch"
                                            "+json, application/apply-patch+yaml",
                                       "UnsupportedMediaType"))
        manager = query.get("fieldManager", "")
        if not manager:
            raise ApiError(status_body(
                422, "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: "
                     "is required for apply patch", "Invalid"))
        dry_run = query.get("dryRun") == "All"
        obj = _read_yaml(body.decode("utf-8", "replace"), query.get("fieldValidation", "Strict"))
        written = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if written.get("name") != name:
            raise ApiError(status_body(400, f"the name of the object ({written.get('name')}) "
                                            f"does not match the name on the URL ({name})",
                                       "BadRequest"))
        if namespace and written.get("namespace") not in (None, namespace):
            raise ApiError(status_body(400, "the namespace of the provided object does not match "
                                            "the namespace sent on the request", "BadRequest"))
        kind = resource["kind"]
        where = f"{namespace}/{name}" if namespace else name
        typed = _type_error(gv, kind, obj)
        if typed:
            raise ApiError(status_body(500, f"failed to create typed patch object ({where}; "
                                            f"{gv}, Kind={kind}): {typed}"))
        if kind == "Secret":
            _check_base64(where, obj)
        if namespace and namespace not in BUILT_IN_NAMESPACES and (
                "v1", "namespaces", "", namespace) not in self.objects:
            raise ApiError(status_body(404, f"namespaces \"{namespace}\" not found", "NotFound",
                                       {"name": namespace, "kind": "namespaces"}))
        causes = _validate(kind, obj, dry_run)
        if causes:
            raise ApiError(_invalid(gv, kind, name, causes))
        existing = self.objects.get(key)
        fields = dict(_leaves(obj))
        if existing is not None and query.get("force") != "true":
            self._check_conflicts(key, manager, fields, existing)
        stored = self._store(resource, key, obj, existing, manager, dry_run)
        if not dry_run:
            owners = self.owners.setdefault(key, {})
            owners.update(dict.fromkeys(fields, manager))
        return (200 if existing is not None else 201), stored, "application/json"

    def _check_conflicts(self, key: tuple, manager: str, fields: dict, existing: dict) -> None:
        live = dict(_leaves(existing))
        owners = self.owners.get(key, {})
        clashes = [(field, owners[field]) for field, value in fields.items()
                   if owners.get(field, manager) != manager and live.get(field) != value]
        if not clashes:
            return
        other = clashes[0][1]
        if len(clashes) == 1:
            message = f"Apply failed with 1 conflict: conflict with \"{other}\": {clashes[0][0]}"
        else:
            listed = "".join(f"\n- {field}" for field, _ in clashes)
            message = f"Apply failed with {len(clashes)} conflicts: conflicts with \"{other}\":" \
                      f"{listed}"
        raise ApiError(status_body(409, message, "Conflict", {"causes": [
            {"reason": "FieldManagerConflict", "message": f"conflict with \"{owner}\"",
             "field": field} for field, owner in clashes]}))

    def _store(self, resource: dict, key: tuple, obj: dict, existing: dict | None, manager: str,
               dry_run: bool) -> dict:
        gv, _, namespace, name = key
        stored = copy.deepcopy(obj)
        stored["kind"], stored["apiVersion"] = resource["kind"], gv
        metadata = stored.setdefault("metadata", {})
        previous = (existing or {}).get("metadata", {})
        metadata["name"] = name
        if namespace:
            metadata["namespace"] = namespace
        metadata["uid"] = previous.get("uid") or str(uuid.uuid4())
        if not dry_run:
            metadata["resourceVersion"] = str(next(self._versions))
        if resource["kind"] in _WORKLOADS:
            changed = existing is not None and existing.get("spec") != stored.get("spec")
            metadata["generation"] = previous.get("generation", 1) + (1 if changed else 0)
            stored["status"] = copy.deepcopy((existing or {}).get("status") or {})
        metadata["creationTimestamp"] = previous.get("creationTimestamp") or _now()
        metadata["managedFields"] = [{"manager": manager, "operation": "Apply",
                                      "apiVersion": gv, "time": _now(), "fieldsType": "FieldsV1"}]
        if resource["kind"] == "Namespace":
            metadata.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
            stored["spec"] = {"finalizers": ["kubernetes"]}
            stored["status"] = {"phase": "Active"}
        if not dry_run:
            self.objects[key] = stored
        return copy.deepcopy(stored)


def _handler_for(server: FakeApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            code, answer, content_type = server.handle(self.command, self.path, headers, body)
            data = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PATCH = do_DELETE = do_POST = do_PUT = _serve

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_yaml(text: str, validation: str) -> dict:
    """The applied object; a duplicate key is a 400 under Strict, as recorded."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ApiError(status_body(400, f"error converting YAML to JSON: {error}",
                                   "BadRequest")) from error
    if validation == "Strict":
        duplicates = list(_duplicate_keys(node))
        if duplicates:
            line, key = duplicates[0]
            raise ApiError(status_body(
                400, "error strict decoding YAML: error converting YAML to JSON: yaml: "
                     f"unmarshal errors:\n  line {line}: key \"{key}\" already set in map",
                "BadRequest"))
    obj = yaml.safe_load(text)
    if not isinstance(obj, dict):
        raise ApiError(status_body(400, "couldn't get version/kind; json parse error",
                                   "BadRequest"))
    return obj


def _duplicate_keys(node: Any):
    """(1-based line, key) of every key written twice in one mapping."""
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for key, value in node.value:
            if key.value in seen:
                yield key.start_mark.line + 1, key.value
            seen.add(key.value)
            yield from _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(item)


def _type_error(gv: str, kind: str, obj: dict) -> str:
    """The first wrong type or undeclared field, in structured-merge-diff's words ("" if none)."""
    name = _SCHEMA_TYPES.get((gv, kind))
    if name is None:
        return ""
    return _walk({"$ref": f"#/$defs/{name}"}, obj, "")


def _walk(schema: dict, value: Any, path: str) -> str:
    schema = _resolve(schema)
    if "oneOf" in schema:  # int-or-string and friends: any of the branches will do
        return ""
    types = schema.get("type") or []
    types = [types] if isinstance(types, str) else types
    if value is None:
        return ""
    if "integer" in types or "number" in types:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{path}: expected numeric (int or float), got {_go_type(value)}"
        return ""
    if "object" in types and "properties" in schema:
        if not isinstance(value, dict):
            return f"{path}: expected map, got {_go_type(value)}"
        for field, item in value.items():
            declared = schema["properties"].get(field)
            if declared is None:
                return f"{path}.{field}: field not declared in schema"
            found = _walk(declared, item, f"{path}.{field}")
            if found:
                return found
        return ""
    if "array" in types:
        if not isinstance(value, list):
            return f"{path}: expected list, got {_go_type(value)}"
        keys = schema.get("x-kubernetes-list-map-keys") or []
        for index, item in enumerate(value):
            found = _walk(schema.get("items", {}), item, path + _list_step(keys, item, index))
            if found:
                return found
    return ""


def _list_step(keys: list[str], item: Any, index: int) -> str:
    if keys and isinstance(item, dict) and all(k in item for k in keys[:1]):
        return "[" + ",".join(f"{k}={json.dumps(item[k])}" for k in keys if k in item) + "]"
    return f"[{index}]"


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = _schemas()[schema["$ref"].rpartition("/")[2]]
    return schema


def _go_type(value: Any) -> str:
    return {str: "string", bool: "bool", list: "list", dict: "map"}.get(type(value), "numeric")


def _check_base64(where: str, obj: dict) -> None:
    for value in (obj.get("data") or {}).values():
        text = str(value)
        bad = next((i for i, c in enumerate(text) if not (c.isalnum() or c in "+/=")), None)
        if bad is None:
            try:
                base64.b64decode(text, validate=True)
            except ValueError:
                bad = len(text)
        if bad is not None:
            raise ApiError(status_body(
                500, f"failed to convert new object ({where}; /v1, Kind=Secret) to proper "
                     "version: unable to convert unstructured object to /v1, Kind=Secret: error "
                     f"decoding from json: illegal base64 data at input byte {bad}"))


def _validate(kind: str, obj: dict, dry_run: bool) -> list[tuple[str, str, str]]:
    """(reason, message, field) for the validation rules this fake knows."""
    causes = []
    name = obj["metadata"]["name"]
    if kind != "Service" and not _SUBDOMAIN.fullmatch(str(name)):
        causes.append(("FieldValueInvalid", f"Invalid value: {json.dumps(name)}: "
                       f"{_SUBDOMAIN_MESSAGE}", "metadata.name"))
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if kind in _WORKLOADS:
        template = spec.get("template") or {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        wanted = (spec.get("selector") or {}).get("matchLabels") or {}
        if any(labels.get(k) != v for k, v in wanted.items()):
            causes.append(("FieldValueInvalid", f"Invalid value: {_compact(labels)}: "
                           "`selector` does not match template `labels`",
                           "spec.template.metadata.labels"))
        for index, container in enumerate((template.get("spec") or {}).get("containers") or []):
            if not container.get("image"):
                causes.append(("FieldValueRequired", "Required value",
                               f"spec.template.spec.containers[{index}].image"))
    if kind == "Service":
        ports = spec.get("ports") or []
        if len(ports) > 1:
            causes += [("FieldValueRequired", "Required value", f"spec.ports[{i}].name")
                       for i, port in enumerate(ports) if not port.get("name")]
        for index, port in enumerate(ports):
            node_port = port.get("nodePort")
            if node_port is not None and not dry_run and not 30000 <= node_port <= 32767:
                causes.append(("FieldValueInvalid", f"Invalid value: {node_port}: provided port "
                               "is not in the valid range. The range of valid ports is "
                               "30000-32767", f"spec.ports[{index}].nodePort"))
    return causes


def _invalid(gv: str, kind: str, name: str, causes: list[tuple[str, str, str]]) -> dict:
    group = gv.rpartition("/")[0]
    said = [f"{field}: {message}" for _, message, field in causes]
    listed = said[0] if len(said) == 1 else "[" + ", ".join(said) + "]"
    qualified = f"{kind}.{group}" if group else kind
    details = ({"name": name} if name else {}) | ({"group": group} if group else {}) | {
        "kind": kind, "causes": [{"reason": r, "message": m, "field": f} for r, m, f in causes]}
    return status_body(422, f"{qualified} \"{name}\" is invalid: {listed}", "Invalid", details)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _leaves(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """(".spec.replicas", 2) for every leaf under spec (the fields a conflict can be about)."""
    if path == "":
        return _leaves(value.get("spec"), ".spec") if isinstance(value, dict) else []
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    return [(path, value)]


def _selects(selector: str, labels: dict) -> bool:
    """Whether a labelSelector query matches these labels."""
    for term in re.findall(r"[^,(]+(?:\([^)]*\))?", selector):
        term = term.strip()
        if not term:
            continue
        found = re.fullmatch(r"([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)", term)
        if found:
            values = {v.strip() for v in found.group(3).split(",")}
            inside = labels.get(found.group(1)) in values
            if inside != (found.group(2) == "in"):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = re.split(r"==?", term, maxsplit=1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term not in labels:
            return False
    return True


@contextmanager
def running(directory: Path, monkeypatch: Any, others: tuple[str, ...] = (),
            current: str | None = None) -> Iterator[FakeApiServer]:
    """A fake server as the course's cluster (context kind-k8s-course), KUBECONFIG set.

    `others` are more context names for the same server: a classroom's
    shared cluster, say, that the learner must name to use.
    """
    with FakeApiServer() as server:
        contexts = dict.fromkeys(("kind-k8s-course", *others), server.url)
        path = server.kubeconfig(directory / "kubeconfig", contexts, current)
        monkeypatch.setenv("KUBECONFIG", str(path))
        monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)
        yield server
