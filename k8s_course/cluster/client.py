"""A thin client for the Kubernetes API: raw calls, so we hear the server itself.

The official `kubernetes` package reads the kubeconfig and handles
certificates and tokens; it is imported here, inside `connect()`, so nothing
loads it until a cluster action runs. We do not use its typed APIs: they
validate bodies locally before sending, and the point of a dry run is the
server's own verdict. Requests go through `ApiClient.call_api` with the body
as the learner wrote it (`application/apply-patch+yaml`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

from .guard import ContextError, choose_context, learner_namespace

FIELD_MANAGER = "k8s-course"
APPLY_CONTENT_TYPE = "application/apply-patch+yaml"
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class ApiResource:
    """One REST resource as discovery describes it: where objects of a kind live."""

    group_version: str
    plural: str
    kind: str
    namespaced: bool

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """`/apis/apps/v1/namespaces/mlops/deployments/fastapi-app` and its shorter forms."""
        base = "/api/v1" if self.group_version == "v1" else f"/apis/{self.group_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        return f"{base}/{quote(name, safe='')}" if name else base


NAMESPACES = ApiResource("v1", "namespaces", "Namespace", False)
NODES = ApiResource("v1", "nodes", "Node", False)
SERVICES = ApiResource("v1", "services", "Service", True)
PODS = ApiResource("v1", "pods", "Pod", True)
EVENTS = ApiResource("v1", "events", "Event", True)
SERVICE_ACCOUNTS = ApiResource("v1", "serviceaccounts", "ServiceAccount", True)
ENDPOINT_SLICES = ApiResource("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", True)


class Response(NamedTuple):
    """An HTTP answer: the status code and the decoded body (a dict, or text)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ClusterUnreachable(Exception):
    """No answer from the API server; the message says what to check."""


def kubeconfig_path() -> str:
    """The kubeconfig file(s) kubectl would read, looked up now (not at import time)."""
    return os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")


class Client:
    """Raw calls to one API server, named by its kubeconfig context."""

    def __init__(self, context: str, api_client: Any, namespace: str = "") -> None:
        self.context = context
        self.namespace = namespace  # the learner's one namespace on a shared cluster, or ""
        self._api = api_client
        self._discovery: dict[str, dict[str, ApiResource] | None] = {}

    @classmethod
    def connect(cls, context: str | None = None, namespace: str | None = None) -> Client:
        """A client for the context the guard allows; ContextError when there is none.

        `namespace` confines namespaced actions to one namespace (see guard.py;
        by default $K8S_COURSE_NAMESPACE or the learner's kubeconfig says).
        """
        from kubernetes import client as kube_client  # heavy: loaded only for cluster actions
        from kubernetes import config as kube_config

        path = kubeconfig_path()
        if not any(os.path.isfile(part) for part in path.split(os.pathsep) if part):
            raise ContextError(
                f"There is no kubeconfig ({path}), so no cluster to ask: start the course's "
                "cluster with `k8s-course cluster up`, or set KUBECONFIG to your cluster's "
                "config file.")
        unusable = (kube_config.ConfigException, OSError, ValueError, KeyError, TypeError)
        try:
            contexts, active = kube_config.list_kube_config_contexts(config_file=path)
        except unusable as error:
            raise ContextError(
                f"No usable kubeconfig at {path} ({error}). Start the course's cluster with "
                "`k8s-course cluster up`, or set KUBECONFIG to your cluster's config file."
            ) from error
        chosen = choose_context(context, [c.get("name", "") for c in contexts],
                                (active or {}).get("name"))
        configuration = kube_client.Configuration()
        try:
            kube_config.load_kube_config(config_file=path, context=chosen,
                                         client_configuration=configuration)
        except unusable as error:
            raise ContextError(f"The context {chosen!r} in {path} cannot be used: {error}. "
                               f"`kubectl --context {chosen} get nodes` shows whether kubectl "
                               "can use it.") from error
        configuration.retries = 1  # an unreachable cluster should say so quickly
        entry = next((c.get("context") for c in contexts if c.get("name") == chosen), None)
        confined = learner_namespace(namespace, entry if isinstance(entry, dict) else None)
        return cls(chosen, kube_client.ApiClient(configuration), confined)

    @property
    def host(self) -> str:
        return str(self._api.configuration.host)

    def certificate_authority(self) -> tuple[bytes, bool]:
        """The cluster's CA certificate (b"" when none is configured) and whether TLS is verified.

        A kubeconfig written for someone else needs both, to reach the same server.
        """
        configuration = self._api.configuration
        ca = b""
        if configuration.ssl_ca_cert:
            try:
                with open(configuration.ssl_ca_cert, "rb") as file:
                    ca = file.read()
            except OSError:
                ca = b""
        return ca, bool(configuration.verify_ssl)

    def request(self, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
                body: str | dict | None = None, content_type: str | None = None,
                timeout: float = REQUEST_TIMEOUT, text: bool = False) -> Response:
        """One HTTP call; ClusterUnreachable when the server does not answer.

        A dict body is sent as JSON, a text body as it is. The answer's body
        comes back decoded from JSON, or as text when `text` is set (logs) or
        the server sent something else.
        """
        import urllib3  # comes with kubernetes
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            method, url, headers, body, _ = self._api.param_serialize(
                method, path, query_params=query or [], header_params=headers, body=body,
                auth_settings=["BearerToken"])
            answer = self._api.call_api(method, url, headers, body, _request_timeout=timeout)
            data = answer.read()
        except (urllib3.exceptions.HTTPError, ApiException, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise ClusterUnreachable(
                f"No answer from the API server of context {self.context!r} at {self.host} "
                f"({reason}). Is the cluster running? `k8s-course cluster status` tells."
            ) from error
        return Response(answer.status, _decode(data, text))

    def server_version(self) -> str:
        """"1.36", from GET /version ("" when the server does not say)."""
        body = self.request("GET", "/version").body
        if not isinstance(body, dict):
            return ""
        major, minor = str(body.get("major", "")), str(body.get("minor", "")).rstrip("+")
        return f"{major}.{minor}" if major and minor else ""

    def group_version(self, api_version: str) -> dict[str, ApiResource] | None:
        """The kinds an apiVersion serves, by kind (None: the server has no such apiVersion)."""
        if api_version not in self._discovery:
            path = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            answer = self.request("GET", path)
            kinds = None
            if answer.ok and isinstance(answer.body, dict):
                kinds = {}
                for item in answer.body.get("resources") or []:
                    if isinstance(item, dict) and "/" not in item.get("name", "/"):
                        kinds[item["kind"]] = ApiResource(
                            api_version, item["name"], item["kind"], bool(item.get("namespaced")))
            self._discovery[api_version] = kinds
        return self._discovery[api_version]

    def apply(self, resource: ApiResource, namespace: str | None, name: str, text: str,
              *, dry_run: bool) -> Response:
        """Server-side apply of one object, as `kubectl apply --server-side --force-conflicts`."""
        query = [("fieldManager", FIELD_MANAGER), ("force", "true")]
        if dry_run:
            query.append(("dryRun", "All"))
        query.append(("fieldValidation", "Strict"))
        return self.request("PATCH", resource.path(namespace, name), query=query, body=text,
                            content_type=APPLY_CONTENT_TYPE)

    def get(self, resource: ApiResource, namespace: str | None, name: str) -> Response:
        return self.request("GET", resource.path(namespace, name))

    def list(self, resource: ApiResource, namespace: str | None,
             label_selector: str = "") -> list[dict]:
        """The items of a list call ([] when the server refuses)."""
        query = [("labelSelector", label_selector)] if label_selector else None
        answer = self.request("GET", resource.path(namespace), query=query)
        items = answer.body.get("items") if answer.ok and isinstance(answer.body, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def create_token(self, namespace: str, service_account: str, seconds: int) -> Response:
        """A TokenRequest for a ServiceAccount: a token that expires after `seconds`.

        The answer's `status.token` and `status.expirationTimestamp` hold it.
        """
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": {"expirationSeconds": seconds}}
        return self.request("POST", f"{SERVICE_ACCOUNTS.path(namespace, service_account)}/token",
                            body=body, content_type="application/json")

    def delete(self, resource: ApiResource, namespace: str | None, name: str) -> Response:
        return self.request("DELETE", resource.path(namespace, name),
                            query=[("propagationPolicy", "Background")])

    def logs(self, namespace: str, pod: str, container: str, *, previous: bool,
             lines: int = 10) -> str:
        """The last lines a container wrote ("" when there are none)."""
        query = [("container", container), ("tailLines", str(lines))]
        if previous:
            query.append(("previous", "true"))
        answer = self.request("GET", f"{PODS.path(namespace, pod)}/log", query=query, text=True)
        return answer.body if answer.ok and isinstance(answer.body, str) else ""


def _decode(data: bytes | None, text: bool) -> Any:
    decoded = (data or b"").decode("utf-8", "replace")
    if text:
        return decoded
    try:
        return json.loads(decoded)
    except ValueError:
        return decoded
