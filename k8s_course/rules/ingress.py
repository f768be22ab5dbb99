"""Rules about Ingress objects: backends that name a Service and its port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import graph_of, ingress_backends, is_whole_number
from ._values import digits_as_text
from .catalogue import rule
from .services import service_ports


@rule("ingress-backend-unknown", "error", "04-services#ingress")
def ingress_backend_unknown(bundle: Bundle) -> Iterator[Finding]:
    """An Ingress routing to a Service, or a Service port, that the answer does not have.

    Why: an Ingress forwards each path to a Service by name, in the
    Ingress's own namespace, and to one of that Service's ports (its `port`
    number or its port `name`, not the container's port). A wrong name or
    port answers every request with 503.

    Given:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - name: http
              port: 80
              targetPort: 8080

    Bad (error):

        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: web
                        port:
                          number: 8080

    Good:

        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: web
                        port:
                          number: 80
    """
    graph = graph_of(bundle)
    for ingress in graph.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            name, port = backend.get("name"), backend.get("port")
            if not isinstance(name, str):
                continue
            service = graph.lookup("Service", ingress.namespace, name)
            if service is None:
                close = graph.close_name("Service", ingress.namespace, name)
                yield ingress.finding(
                    (*path, "name"), f"no Service {name!r} in namespace {ingress.namespace} "
                    "in this answer", f"did you mean `name: {close}`?" if close else
                    "name a Service of the Ingress's namespace",
                    # another file may hold it: a warning, or an info when the answer has
                    # no Service in the Ingress's namespace at all
                    severity=Severity.WARNING if graph.names_of("Service", ingress.namespace)
                    else Severity.INFO,
                    at_value=True)
                continue
            yield from _ingress_port(ingress, service, (*path, "port"), port)


def _ingress_port(ingress: Resource, service: Resource, path: tuple,
                  port: Any) -> Iterator[Finding]:
    if not isinstance(port, dict) or service.get(("spec", "type")) == "ExternalName":
        return
    ports = [p for _, p in service_ports(service)]
    offered = ", ".join(f"{p.get('port')}" + (f" ({p['name']})" if p.get("name") else "")
                        for p in ports) or "none"
    number, name = port.get("number"), port.get("name")
    if is_whole_number(number) and all(p.get("port") != number for p in ports):
        wrong, shown = (*path, "number"), str(number)
    elif isinstance(name, str) and not digits_as_text(name) and \
            all(p.get("name") != name for p in ports):  # digits: port-number-quoted
        wrong, shown = (*path, "name"), repr(name)
    else:
        return
    yield ingress.finding(
        wrong, f"the Service {service.name!r} has no port {shown} (its ports: {offered})",
        "use the Service's `port` (or its port name), not the container's port", at_value=True)
