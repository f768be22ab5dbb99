"""Rules about Services: which pods they reach, on which ports, from where."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import Graph, ingress_backends, is_whole_number, mappings_in
from . import rule
from ._values import digits_as_text
from .workloads import probe_ports

NODE_PORT_RANGE = range(30000, 32768)


def _selector(service: Resource) -> dict | None:
    """The Service's selector when it selects pods at all (not ExternalName, not manual)."""
    selector = service.get(("spec", "selector"))
    if service.get(("spec", "type")) == "ExternalName" or not isinstance(selector, dict) \
            or not selector:
        return None
    return selector


# The fields of a Deployment's LabelSelector, which learners carry over to Services.
LABEL_SELECTOR_FIELDS = ("matchLabels", "matchExpressions")


def _flattened(field: str, nested: Any) -> str:
    """The hint for a Service selector written like a Deployment's."""
    labels = nested if isinstance(nested, dict) else {}
    pairs = ", ".join(f"{k}: {v}" for k, v in labels.items()
                      if isinstance(v, str | int | float | bool))
    example = f" (`selector: {{{pairs}}}`)" if pairs else ""
    return (f"delete the `{field}:` line and write the labels right under selector{example}")


def _labels_in(graph: Graph, namespace: str) -> str:
    pairs = sorted({f"{k}: {v}" for t in graph.templates_in(namespace)
                    for k, v in t.labels.items()})
    return ", ".join(pairs[:6]) or "none"


@rule("service-selects-nothing", "error", "04-services#selectors")
def service_selects_nothing(bundle: Bundle) -> Iterator[Finding]:
    """A Service whose selector matches no pod template in its namespace.

    Why: a Service sends traffic to the pods whose labels carry every
    key: value of its selector. With no match it has no endpoints and every
    request fails. (When the answer holds no workload at all this is only a
    reminder, since the pods may come from elsewhere.)

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  ports:
                    - containerPort: 80

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: frontend
          ports:
            - port: 80

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
    """
    graph = bundle.graph
    for service in graph.of_kind("Service"):
        selector = _selector(service)
        if selector is None or graph.service_targets(service):
            continue
        nested = next((key for key in LABEL_SELECTOR_FIELDS if key in selector), None)
        if nested is not None:
            yield service.finding(
                ("spec", "selector", nested), f"a Service's selector is plain `key: value` "
                f"labels; `{nested}` belongs to Deployments, so this Service selects no pods",
                _flattened(nested, selector.get(nested)))
            continue
        if any(ns != service.namespace for ns in graph.namespaces_selected(selector)):
            continue  # service-other-namespace explains it better
        if not graph.templates:
            yield service.finding(
                ("spec", "selector"), "no pod in this answer carries these labels, so this "
                "Service has nothing to send traffic to yet",
                "make sure the pods you deploy carry every label of the selector",
                severity=Severity.INFO)
            continue
        missing = next(((k, v) for k, v in selector.items()
                        if not graph.has_label(service.namespace, k, v)), None)
        path = ("spec", "selector", missing[0]) if missing else ("spec", "selector")
        what = f"no pod in namespace {service.namespace} carries {missing[0]}: {missing[1]}" \
            if missing else f"no pod in namespace {service.namespace} carries all these labels"
        yield service.finding(
            path, f"this Service selects no pods: {what}",
            f"copy the labels of spec.template.metadata.labels of the workload; pods here "
            f"carry: {_labels_in(graph, service.namespace)}", at_value=bool(missing))


@rule("service-other-namespace", "error", "04-services#namespaces")
def service_other_namespace(bundle: Bundle) -> Iterator[Finding]:
    """A Service whose pods are in another namespace.

    Why: a Service only selects pods of its own namespace. If the matching
    pods live elsewhere (often because one of the two forgot its
    metadata.namespace and landed in default), it has no endpoints.

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: kube-public
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: kube-public
        spec:
          selector:
            app: web
          ports:
            - port: 80
    """
    graph = bundle.graph
    for service in graph.of_kind("Service"):
        selector = _selector(service)
        if selector is None or graph.service_targets(service):
            continue
        elsewhere = [ns for ns in graph.namespaces_selected(selector) if ns != service.namespace]
        if elsewhere:
            path = ("metadata", "namespace") if "namespace" in service.metadata else ("metadata",)
            yield service.finding(
                path, f"this Service is in namespace {service.namespace}, but the pods it "
                f"selects are in {', '.join(elsewhere)}",
                f"put the Service in the pods' namespace: `namespace: {elsewhere[0]}` "
                "under metadata (or move the workload)", at_value=len(path) == 2)


def _service_ports(service: Resource) -> Iterator[tuple[int, dict]]:
    return mappings_in(service.get(("spec", "ports")))


def _shown_port(port: dict) -> str:
    """A container port as a learner would recognise it: "8080 (http)"."""
    name = port.get("name")
    return f"{port.get('containerPort')} ({name})" if name else str(port.get("containerPort"))


def _quoted_ports(bundle: Bundle) -> Iterator[tuple[Resource, tuple, str, str]]:
    """(object, path, what, fix) for every port written as digits in quotes."""
    for service in bundle.graph.of_kind("Service"):
        for index, port in _service_ports(service):
            if digits_as_text(port.get("targetPort")):
                yield (service, ("spec", "ports", index, "targetPort"), "targetPort",
                       f"remove the quotes: `targetPort: {port['targetPort'].strip()}`")
    for template in bundle.graph.templates:
        for path, port in template.ports():
            if digits_as_text(port.get("name")):
                yield (template.owner, (*path, "name"), "port name",
                       "a port name needs a letter, e.g. `name: http`; the number goes in "
                       "containerPort")
        for path, container in template.containers(init=True):
            for suffix, port in probe_ports(container):
                if digits_as_text(port):
                    yield (template.owner, (*path, *suffix), f"{suffix[0]} port",
                           f"remove the quotes: `port: {port.strip()}`")
    for ingress in bundle.graph.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            port = backend.get("port")
            name = port.get("name") if isinstance(port, dict) else None
            if digits_as_text(name):
                yield (ingress, (*path, "port", "name"), "backend port name",
                       f"write the number as `number: {name.strip()}` instead of `name:`")


@rule("port-number-quoted", "error", "04-services#ports")
def port_number_quoted(bundle: Bundle) -> Iterator[Finding]:
    """A port number written in quotes ("8080"), which Kubernetes reads as a port name.

    Why: targetPort and probe ports take either a number or the *name* of a
    container port. Quoted digits are text, so they count as a name, and a
    port name must contain at least one letter: the API server refuses the
    object. The same goes for a container port's `name` made only of digits.

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  ports:
                    - containerPort: 8080

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
              targetPort: "8080"

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
              targetPort: 8080
    """
    for resource, path, what, fix in _quoted_ports(bundle):
        value = resource.get(path)
        said = "is made of digits only" if path[-1] == "name" else \
            "is text in quotes, so Kubernetes reads it as a port name"
        yield resource.finding(
            path, f"the {what} {value!r} {said}; a port name must contain a letter, so the "
            "API server refuses it", fix, at_value=True)


@rule("target-port-unknown", "warning", "04-services#ports")
def target_port_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A Service port whose targetPort no selected container declares.

    Why: targetPort (by default the same as port) is where the Service
    delivers traffic inside the pod. A port name that no container declares
    gives the Service no endpoints at all; a number the containers do not
    declare usually means traffic goes to a port nothing listens on.

    Given:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
                - name: web
                  image: nginx:1.27
                  ports:
                    - containerPort: 8000

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
              targetPort: 8080

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
            - port: 80
              targetPort: 8000
    """
    graph = bundle.graph
    for service in graph.of_kind("Service"):
        targets = graph.service_targets(service) if _selector(service) else []
        declared = [port for t in targets for _, port in t.ports()]
        if not declared:
            continue  # nothing to compare with
        for index, port in _service_ports(service):
            explicit = "targetPort" in port
            target = port.get("targetPort", port.get("port"))
            if not (isinstance(target, str) or is_whole_number(target)) or digits_as_text(target) \
                    or any(t.has_port(target) for t in targets):
                continue
            offered = ", ".join(sorted({_shown_port(p) for p in declared}))
            path = ("spec", "ports", index, "targetPort" if explicit else "port")
            if isinstance(target, str):
                yield service.finding(
                    path, f"no selected container has a port named {target!r}, so this "
                    f"Service gets no endpoints (the pods declare: {offered})",
                    "use one of the containers' port names, or the containerPort number",
                    severity=Severity.ERROR, at_value=True)
            else:
                said = "targetPort" if explicit else "port (and so targetPort, left out)"
                yield service.finding(
                    path, f"the {said} is {target}, but the selected pods declare "
                    f"containerPort {offered}",
                    "set targetPort to the containerPort the application listens on",
                    at_value=True)


@rule("service-ports-unnamed", "error", "04-services#ports")
def service_ports_unnamed(bundle: Bundle) -> Iterator[Finding]:
    """A Service with several ports where some port has no name (or a repeated one).

    Why: with more than one port, each needs a unique name so endpoints and
    DNS SRV records can tell them apart; the API server refuses the Service
    otherwise.

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
            - port: 443

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - name: http
              port: 80
            - name: https
              port: 443
    """
    for service in bundle.graph.of_kind("Service"):
        ports = list(_service_ports(service))
        if len(ports) < 2:
            continue
        seen: set[str] = set()
        for index, port in ports:
            name = port.get("name")
            if not name:
                yield service.finding(
                    ("spec", "ports", index), "this Service has several ports, and this one "
                    "has no name", f"add `name: {_port_name(port)}`")
            elif isinstance(name, str) and name in seen:
                yield service.finding(("spec", "ports", index, "name"),
                                      f"the port name {name!r} is used twice",
                                      "give every port its own name", at_value=True)
            seen.add(name if isinstance(name, str) else "")


def _port_name(port: dict) -> str:
    number = port.get("port")
    return {80: "http", 443: "https"}.get(number, f"port-{number}")


@rule("node-port-invalid", "error", "04-services#nodeport")
def node_port_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A nodePort outside 30000-32767, or on a Service type that has no node ports.

    Why: a cluster opens node ports from a reserved range, 30000-32767 by
    default (kind included), and only for NodePort and LoadBalancer
    Services. Leave nodePort out to get a free one picked for you.

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
              nodePort: 8080

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
              nodePort: 30080
    """
    for service in bundle.graph.of_kind("Service"):
        kind = service.get(("spec", "type")) or "ClusterIP"
        if kind not in ("ClusterIP", "ExternalName", "NodePort", "LoadBalancer"):
            continue  # a misspelt type is the schema's finding
        for index, port in _service_ports(service):
            number = port.get("nodePort")
            if not is_whole_number(number):
                continue
            path = ("spec", "ports", index, "nodePort")
            if kind not in ("NodePort", "LoadBalancer"):
                yield service.finding(path, f"a {kind} Service has no node ports",
                                      "set `type: NodePort`, or delete nodePort")
            elif number not in NODE_PORT_RANGE:
                yield service.finding(path, f"nodePort {number} is outside 30000-32767",
                                      "pick a number from 30000 to 32767, or leave nodePort "
                                      "out to get a free one", at_value=True)


@rule("load-balancer-on-kind", "info", "04-services#loadbalancer")
def load_balancer_on_kind(bundle: Bundle) -> Iterator[Finding]:
    """A LoadBalancer Service, which a local kind cluster cannot give an address.

    Why: type LoadBalancer asks a cloud provider for an external address. A
    local kind cluster has none, so EXTERNAL-IP stays `<pending>` forever
    (the Service still works inside the cluster and on its node port). On
    kind, reach it with `kubectl port-forward -n <namespace> service/<name> 8080:<port>`,
    use type NodePort, or install cloud-provider-kind or MetalLB.

    Bad:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: LoadBalancer
          ports:
            - port: 80

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          ports:
            - port: 80
    """
    for service in bundle.graph.of_kind("Service"):
        if service.get(("spec", "type")) == "LoadBalancer":
            yield service.finding(
                ("spec", "type"), "on a local kind cluster EXTERNAL-IP of a LoadBalancer "
                "stays <pending>: there is no cloud to hand out an address",
                f"reach it with `kubectl port-forward -n {service.namespace} "
                f"service/{service.name or '<name>'} 8080:<port>`, use type NodePort, "
                "or install cloud-provider-kind or MetalLB",
                at_value=True)


@rule("ingress-backend-unknown", "warning", "04-services#ingress")
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

    Bad:

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
    graph = bundle.graph
    for ingress in graph.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            name, port = backend.get("name"), backend.get("port")
            if not isinstance(name, str):
                continue
            service = graph.lookup("Service", ingress.namespace, name)
            if service is None:
                yield ingress.finding(
                    (*path, "name"), f"no Service {name!r} in namespace {ingress.namespace} "
                    "in this answer", "name a Service of the Ingress's namespace",
                    severity=None if graph.of_kind("Service") else Severity.INFO, at_value=True)
                continue
            yield from _ingress_port(ingress, service, (*path, "port"), port)


def _ingress_port(ingress: Resource, service: Resource, path: tuple,
                  port: Any) -> Iterator[Finding]:
    if not isinstance(port, dict) or service.get(("spec", "type")) == "ExternalName":
        return
    ports = [p for _, p in _service_ports(service)]
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
        "use the Service's `port` (or its port name), not the container's port",
        severity=Severity.ERROR, at_value=True)
