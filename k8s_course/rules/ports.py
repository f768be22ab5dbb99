"""Rules of lesson 04 about the ports a Service sends to: numbers, names and
targetPorts that lead to a container port."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle, Resource
from ..findings import Finding
from ..graph import graph_of, ingress_backends, is_whole_number
from ._values import digits_as_text, name_problem, port_name_problem
from .catalogue import rule
from .containers import probe_ports
from .services import service_ports, service_selector


def _shown_port(port: dict) -> str:
    """A container port as a learner would recognise it: "8080 (http)"."""
    name = port.get("name")
    return f"{port.get('containerPort')} ({name})" if name else str(port.get("containerPort"))


def _quoted_ports(bundle: Bundle) -> Iterator[tuple[Resource, tuple, str, str]]:
    """(object, path, what, fix) for every port written as digits in quotes."""
    for service in graph_of(bundle).of_kind("Service"):
        for index, port in service_ports(service):
            if digits_as_text(port.get("targetPort")):
                yield (service, ("spec", "ports", index, "targetPort"), "targetPort",
                       f"remove the quotes: `targetPort: {port['targetPort'].strip()}`")
    for template in graph_of(bundle).templates:
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
    for ingress in graph_of(bundle).of_kind("Ingress"):
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

    Bad (error):

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


def _port_names(bundle: Bundle) -> Iterator[tuple[Resource, tuple, str, str]]:
    """(object, path, what, problem) for every port name the API server refuses.

    Names made only of digits are left to port-number-quoted, which says why.
    """
    graph = graph_of(bundle)
    for template in graph.templates:
        for path, port in template.ports():
            yield from _refused(template.owner, (*path, "name"), port.get("name"), "port name")
        for path, container in template.containers(init=True):
            for suffix, port in probe_ports(container):
                yield from _refused(template.owner, (*path, *suffix), port,
                                    f"{suffix[0]} port")
    for service in graph.of_kind("Service"):
        for index, port in service_ports(service):
            yield from _refused(service, ("spec", "ports", index, "targetPort"),
                                port.get("targetPort"), "targetPort")
            name = port.get("name")
            problem = name_problem(name, "dns-1123-label") if isinstance(name, str) else ""
            if problem:
                yield (service, ("spec", "ports", index, "name"), "Service port name",
                       problem.replace("the name", "it"))
    for ingress in graph.of_kind("Ingress"):
        for path, backend in ingress_backends(ingress):
            port = backend.get("port")
            name = port.get("name") if isinstance(port, dict) else None
            yield from _refused(ingress, (*path, "port", "name"), name, "backend port name")


def _refused(resource: Resource, path: tuple, name: object, what: str
             ) -> Iterator[tuple[Resource, tuple, str, str]]:
    if isinstance(name, str) and not digits_as_text(name):
        problem = port_name_problem(name)
        if problem:
            yield resource, path, what, problem.replace("the port name", "it")


@rule("invalid-port-name", "error", "04-services#named-ports")
def invalid_port_name(bundle: Bundle) -> Iterator[Finding]:
    """A port name (or a targetPort naming one) that the API server refuses.

    Why: a container port's `name`, and a `targetPort` or probe port given as
    text, must be an IANA service name: at most 15 characters, only lowercase
    letters, digits and '-', at least one letter, and no '-' at either end or
    twice in a row. `HTTP` or `web_api` is refused, in the Deployment and in
    the Service alike. (A Service's own port `name` is a DNS label: lowercase,
    at most 63 characters.)

    Bad (error):

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
                    - name: HTTP
                      containerPort: 8080

    Good:

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
                    - name: http
                      containerPort: 8080
    """
    for resource, path, what, problem in _port_names(bundle):
        value = resource.get(path)
        yield resource.finding(
            path, f"the {what} {value!r} is refused by the API server: {problem}",
            f"for example `{path[-1]}: {_fixed_port_name(value)}`", at_value=True)


def _fixed_port_name(name: str) -> str:
    cleaned = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    fixed = "-".join(part for part in cleaned.split("-") if part)[:15].strip("-")
    return fixed if any(c.isalpha() for c in fixed) else "http"


@rule("target-port-unknown", "error", "04-services#ports")
def target_port_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A Service port whose targetPort no selected container declares.

    Why: targetPort (by default the same as port) is where the Service
    delivers traffic inside the pod. A port name that no container declares
    gives the Service no endpoints at all; a number the containers do not
    declare means traffic goes to a port nothing listens on. (When the
    selected pods declare no port at all, there is nothing to compare with.)

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

    Bad (error):

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
    graph = graph_of(bundle)
    for service in graph.of_kind("Service"):
        targets = graph.service_targets(service) if service_selector(service) else []
        declared = [port for t in targets for _, port in t.ports()
                    if is_whole_number(port.get("containerPort"))]
        if not declared:
            continue  # nothing to compare with
        for index, port in service_ports(service):
            explicit = port.get("targetPort") not in (None, 0, "")  # 0 means "same as port"
            if not explicit and any(key != "targetPort" and str(key).lower() == "targetport"
                                    for key in port):
                continue  # a misspelt targetPort: the schema stage's finding
            target = port["targetPort"] if explicit else port.get("port")
            if not (isinstance(target, str) or is_whole_number(target)) or digits_as_text(target) \
                    or (is_whole_number(target) and not 1 <= target <= 65535) \
                    or any(t.has_port(target) for t in targets):
                continue  # quoted digits and out-of-range numbers are other rules' findings
            if isinstance(target, str) and port_name_problem(target):
                continue  # invalid-port-name says the server refuses it
            offered = ", ".join(sorted({_shown_port(p) for p in declared}))
            path = ("spec", "ports", index, "targetPort" if explicit else "port")
            if isinstance(target, str):
                yield service.finding(
                    path, f"no selected container has a port named {target!r}, so this "
                    f"Service gets no endpoints (the pods declare: {offered})",
                    "use one of the containers' port names, or the containerPort number",
                    at_value=True)
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

    Bad (error):

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
    for service in graph_of(bundle).of_kind("Service"):
        ports = list(service_ports(service))
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
    if not is_whole_number(number):  # a list or a mapping here is the schema's finding
        return "http"
    return {80: "http", 443: "https"}.get(number, f"port-{number}")


@rule("service-port-range", "error", "04-services#ports")
def service_port_range(bundle: Bundle) -> Iterator[Finding]:
    """A Service port or targetPort number outside 1-65535.

    Why: `port` (what clients connect to) and a numeric `targetPort` (where
    the container listens) are TCP or UDP port numbers, from 1 to 65535;
    the API server refuses anything else. A targetPort of 0 means "the same
    as port".

    Bad (error):

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
              targetPort: 123456

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - port: 80
              targetPort: 8080
    """
    for service in graph_of(bundle).of_kind("Service"):
        for index, port in service_ports(service):
            for field in ("port", "targetPort"):
                number = port.get(field)
                lowest = 0 if field == "targetPort" else 1  # targetPort 0 means "= port"
                if is_whole_number(number) and not lowest <= number <= 65535:
                    yield service.finding(
                        ("spec", "ports", index, field), f"{field} {number} is not a port "
                        "number", "use a number from 1 to 65535, e.g. 8080", at_value=True)
