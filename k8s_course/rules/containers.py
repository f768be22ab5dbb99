"""Rules of lesson 03 about the containers of any pod template: images, names, ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle
from ..findings import Finding, Severity
from ..graph import (
    graph_of,
    is_whole_number,
)
from ._values import image_tag, name_problem, suggest_name
from .catalogue import rule


@rule("missing-image", "error", "03-deployments#containers")
def missing_image(bundle: Bundle) -> Iterator[Finding]:
    """A container without an image.

    Why: the image is the program the container runs. The schema lets it out
    because higher-level tools may fill it in, but the API server refuses a
    pod whose container has no image.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            image = container.get("image")
            if image is None or (isinstance(image, str) and not image.strip()):
                name = container.get("name") or "this container"
                yield template.owner.finding(
                    path, f"container {name!r} has no image",
                    "add `image: <name>:<tag>`, e.g. `image: nginx:1.27`")


@rule("image-latest", "warning", "03-deployments#images")
def image_latest(bundle: Bundle) -> Iterator[Finding]:
    """An image without a tag, or with the tag `latest`.

    Why: `nginx` means `nginx:latest`, which changes under you: two nodes
    can run different versions and a rollback has nothing to return to.
    With `:latest` Kubernetes also defaults imagePullPolicy to Always, so
    every start pulls the image again (and a local image loaded into kind
    is ignored). Pin a version tag.

    Bad (warning):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            image = container.get("image")
            if not isinstance(image, str) or not image.strip():
                continue
            tag = image_tag(image.strip())
            if tag in ("", "latest"):
                what = "has no tag, so it means :latest" if tag == "" else "uses the tag latest"
                policy = container.get("imagePullPolicy")
                pull = ("; imagePullPolicy then defaults to Always, so every start pulls it"
                        if policy is None else "")
                base = image.strip().rsplit(":", 1)[0] if tag else image.strip()
                yield template.owner.finding(
                    (*path, "image"), f"the image {image!r} {what}{pull}",
                    f"pin a version, e.g. `image: {base}:<version>`, and set imagePullPolicy: "
                    "IfNotPresent for images loaded into kind", at_value=True)


@rule("container-port-range", "error", "03-deployments#ports")
def container_port_range(bundle: Bundle) -> Iterator[Finding]:
    """A containerPort (or hostPort) outside 1-65535.

    Why: a TCP or UDP port is a number from 1 to 65535; the API server
    refuses anything else.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80800

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 8080
    """
    for template in graph_of(bundle).templates:
        for path, port in template.ports():
            for field in ("containerPort", "hostPort"):
                number = port.get(field)
                lowest = 0 if field == "hostPort" else 1  # hostPort 0 means "none"
                if is_whole_number(number) and not lowest <= number <= 65535:
                    yield template.owner.finding(
                        (*path, field), f"{field} {number} is not a port number",
                        "use a number from 1 to 65535, e.g. 8080", at_value=True)


@rule("duplicate-container-name", "error", "03-deployments#containers")
def duplicate_container_name(bundle: Bundle) -> Iterator[Finding]:
    """Two containers (or init containers) of one pod with the same name.

    Why: kubectl logs, exec and the pod's status find a container by its
    name, so names must be unique within a pod, init containers included.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
            - name: web
              image: busybox:1.37

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
            - name: sidecar
              image: busybox:1.37
    """
    for template in graph_of(bundle).templates:
        seen: set[str] = set()
        for path, container in template.containers(init=True):
            name = container.get("name")
            if isinstance(name, str) and name in seen:
                yield template.owner.finding(
                    (*path, "name"), f"another container of this pod is already named {name!r}",
                    "give every container its own name", at_value=True)
            seen.add(name if isinstance(name, str) else "")


@rule("invalid-container-name", "error", "03-deployments#containers")
def invalid_container_name(bundle: Bundle) -> Iterator[Finding]:
    """A container name the API server rejects (it must be a DNS label).

    Why: a container's name is a DNS-1123 label: at most 63 lowercase
    letters, digits and '-', starting and ending with a letter or digit.
    `Web_Server` or `webServer` are refused; write `web-server`.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: Web_Server
              image: nginx:1.27

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web-server
              image: nginx:1.27
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            name = container.get("name")
            problem = name_problem(name, "dns-1123-label") if isinstance(name, str) else ""
            if problem:
                yield template.owner.finding(
                    (*path, "name"), f"container name {name!r}: {problem}",
                    f"for example `name: {suggest_name(name)}`", at_value=True)


@rule("duplicate-container-port", "warning", "03-deployments#ports")
def duplicate_container_port(bundle: Bundle) -> Iterator[Finding]:
    """The same port number (or port name) declared twice in one pod.

    Why: a port name must be unique in the pod, since Services and probes
    refer to it; the API server refuses a repeated name. A repeated number
    and protocol is accepted with a warning but usually means a copy-paste
    slip: only one process can listen on it.

    Bad (warning):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
                - containerPort: 80

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
                  name: http
                - containerPort: 9090
                  name: metrics
    """
    for template in graph_of(bundle).templates:
        numbers: set[tuple] = set()
        names: set[str] = set()
        for path, port in template.ports():
            name, number = port.get("name"), port.get("containerPort")
            protocol = port.get("protocol") if isinstance(port.get("protocol"), str) else "TCP"
            if isinstance(name, str) and name in names:
                yield template.owner.finding(
                    (*path, "name"), f"the port name {name!r} is used twice in this pod",
                    "give each port its own name", severity=Severity.ERROR, at_value=True)
            key = (number, protocol)
            if isinstance(number, int) and key in numbers:
                yield template.owner.finding(
                    (*path, "containerPort"),
                    f"containerPort {number}/{key[1]} is declared twice in this pod",
                    "remove the repeated port, or change its number", at_value=True)
            names.add(name if isinstance(name, str) else "")
            numbers.add(key if isinstance(number, int) else None)


PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def probe_ports(container: dict) -> Iterator[tuple[tuple, Any]]:
    """(path suffix, port) of every probe handler that names a port."""
    for probe in PROBES:
        handlers = container.get(probe)
        for action in ("httpGet", "tcpSocket", "grpc") if isinstance(handlers, dict) else ():
            handler = handlers.get(action)
            if isinstance(handler, dict) and handler.get("port") is not None:
                yield (probe, action, "port"), handler["port"]
