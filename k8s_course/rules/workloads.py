"""Rules of lesson 09 about pods and the workloads beyond Deployments: probes,
StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and bare Pods."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import Bundle
from ..findings import Finding, Severity
from ..graph import (
    graph_of,
    mappings_in,
)
from ._known import PROBE, has_stray_field
from ._values import digits_as_text
from .catalogue import rule
from .containers import PROBES, probe_ports


@rule("probe-port-unknown", "error", "09-workloads#probes")
def probe_port_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A probe aimed at a port the container does not declare.

    Why: a probe by port name looks the name up in the container's ports;
    an unknown name makes every probe fail, so the pod never becomes ready
    (or is restarted forever). A probe by number on a port the container
    does not declare usually means the probe and the app disagree.

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
                - containerPort: 80
                  name: http
              readinessProbe:
                httpGet:
                  path: /
                  port: web

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
              readinessProbe:
                httpGet:
                  path: /
                  port: http
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers():
            ports = [port for _, port in mappings_in(container.get("ports"))]
            names = {p.get("name") for p in ports if isinstance(p.get("name"), str)}
            numbers = {p.get("containerPort") for p in ports
                       if isinstance(p.get("containerPort"), int)}
            declared = ", ".join(str(p.get("name") or p.get("containerPort"))
                                 for p in ports) or "none"
            for suffix, port in probe_ports(container):
                if digits_as_text(port):
                    continue  # port-number-quoted explains it
                if isinstance(port, str) and port not in names:
                    yield template.owner.finding(
                        (*path, *suffix), f"the {suffix[0]} uses the port name {port!r}, which "
                        f"this container does not declare (its ports: {declared})",
                        "use a port name from the container's ports, or its number",
                        at_value=True)
                elif isinstance(port, int) and ports and port not in numbers:
                    yield template.owner.finding(
                        (*path, *suffix), f"the {suffix[0]} checks port {port}, but the "
                        f"container declares {declared}",
                        "make the probe and the containerPort the same number",
                        severity=Severity.WARNING, at_value=True)  # the app may listen there


@rule("statefulset-service-missing", "info", "09-workloads#statefulsets")
def statefulset_service_missing(bundle: Bundle) -> Iterator[Finding]:
    """A StatefulSet whose serviceName names no headless Service of the answer.

    Why: a StatefulSet gives each pod a stable DNS name
    (web-0.<serviceName>) through a headless Service (clusterIP: None) that
    you create yourself. Without it the pods run but cannot be reached by
    those names.

    Bad (info):

        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          serviceName: db
          selector:
            matchLabels:
              app: db
          template:
            metadata:
              labels:
                app: db
            spec:
              containers:
                - name: db
                  image: postgres:17

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: db
        spec:
          clusterIP: None
          selector:
            app: db
          ports:
            - port: 5432
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          serviceName: db
          selector:
            matchLabels:
              app: db
          template:
            metadata:
              labels:
                app: db
            spec:
              containers:
                - name: db
                  image: postgres:17
                  ports:
                    - containerPort: 5432
    """
    graph = graph_of(bundle)
    for resource in graph.of_kind("StatefulSet"):
        name = resource.get(("spec", "serviceName"))
        if not isinstance(name, str) or not name:
            continue
        service = graph.lookup("Service", resource.namespace, name)
        if service is None:
            yield resource.finding(
                ("spec", "serviceName"),
                f"no Service {name!r} in namespace {resource.namespace} in this answer; "
                "the pods get no stable DNS names without it",
                f"add a Service named {name} with `clusterIP: None` selecting these pods",
                at_value=True)
        elif service.get(("spec", "clusterIP")) != "None":
            yield resource.finding(
                ("spec", "serviceName"), f"the Service {name!r} is not headless",
                "set `clusterIP: None` in that Service's spec", severity=Severity.WARNING,
                at_value=True)


@rule("restart-policy-not-always", "error", "09-workloads#restart-policy")
def restart_policy_not_always(bundle: Bundle) -> Iterator[Finding]:
    """A Deployment, StatefulSet, DaemonSet or ReplicaSet template with restartPolicy Never.

    Why: these controllers keep their pods running forever, so the only
    restartPolicy they accept is Always (the default: leave the field
    out). A pod meant to run once and finish belongs in a Job, which takes
    OnFailure or Never.

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
              restartPolicy: Never
              containers:
                - name: web
                  image: nginx:1.27

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
    """
    for template in graph_of(bundle).templates:
        kind = template.owner.kind
        policy = template.spec.get("restartPolicy")
        if kind in ("Pod", "Job", "CronJob") or policy not in ("OnFailure", "Never"):
            continue
        yield template.owner.finding(
            (*template.spec_path, "restartPolicy"),
            f"a {kind} keeps its pods running, so it accepts only restartPolicy Always, "
            f"not {policy}",
            "delete the restartPolicy line (Always is the default); for a task that runs "
            "once and stops, write a Job instead", at_value=True)


PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


@rule("probe-handler-invalid", "error", "09-workloads#probes")
def probe_handler_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A probe with no way to check the container, or with two.

    Why: a probe checks the container in exactly one way: `httpGet` (a
    path and a port), `tcpSocket` (a port), `exec` (a command) or `grpc`
    (a port). Without one the API server does not know what to run; with
    two it refuses to guess. Timing fields alone are not a probe.

    Bad (error):

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              readinessProbe:
                periodSeconds: 5

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
              readinessProbe:
                httpGet:
                  path: /
                  port: 80
                periodSeconds: 5
    """
    for template in graph_of(bundle).templates:
        for path, container in template.containers(init=True):
            for probe in PROBES:
                settings = container.get(probe)
                if not isinstance(settings, dict):
                    continue
                handlers = [h for h in PROBE_HANDLERS if h in settings]
                if not handlers and not has_stray_field(settings, PROBE):
                    yield template.owner.finding(
                        (*path, probe), f"this {probe} says when to check but not how",
                        "add one of httpGet (path and port), tcpSocket (port), exec "
                        "(command) or grpc (port)")
                for extra in handlers[1:]:
                    yield template.owner.finding(
                        (*path, probe, extra), f"this {probe} already checks with "
                        f"{handlers[0]}; a probe has one way to check",
                        f"delete {extra}, or move it to another probe")
