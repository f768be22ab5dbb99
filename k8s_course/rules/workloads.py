"""Rules about workloads and the pods they run: selectors, containers, probes, volumes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle
from ..findings import Finding, Severity
from ..graph import (
    WORKLOAD_KINDS,
    PodTemplate,
    is_whole_number,
    label_selector_matches,
    mappings_in,
)
from . import rule
from ._values import digits_as_text, image_tag, parse_quantity

# Kinds whose spec.selector is a LabelSelector that must match the template.
LABEL_SELECTOR_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _selector_problem(template: PodTemplate, selector: Any) -> tuple[tuple, str] | None:
    """(path, message) when the selector cannot select the template's pods.

    The path is where the API server points: at the template's labels
    ("selector does not match template labels"); the message names the
    selector's side.
    """
    labels = template.labels
    labels_path = (*template.path, "metadata", "labels")
    if template.owner.kind == "ReplicationController":
        match_labels, base = selector, "spec.selector"
    else:
        match_labels, base = selector.get("matchLabels"), "spec.selector.matchLabels"
        if not match_labels and not selector.get("matchExpressions"):
            return ("spec", "selector"), "the selector is empty, which the API server refuses"
    if isinstance(match_labels, dict):
        for key, value in match_labels.items():
            if labels.get(key) != value:
                line = template.owner.document.locate(
                    ("spec", "selector", *(("matchLabels",) if "matchLabels" in base else ()),
                     key))[0]
                if key in labels:
                    return (*labels_path, key), (
                        f"the template's pods carry {key}: {labels[key]}, but {base} "
                        f"(line {line}) wants {key}: {value}")
                return labels_path, (f"the template's pods have no label {key!r}, but {base} "
                                     f"(line {line}) wants {key}: {value}")
    if template.owner.kind != "ReplicationController" and \
            not label_selector_matches(selector, labels):
        return ("spec", "selector", "matchExpressions"), \
            "the selector's matchExpressions exclude the template's own pods"
    return None


@rule("selector-matches-template", "error", "03-deployments#selector")
def selector_matches_template(bundle: Bundle) -> Iterator[Finding]:
    """A workload whose selector does not match the labels of its own pod template.

    Why: a Deployment (ReplicaSet, StatefulSet, DaemonSet) finds the pods it
    owns by its selector. The API server refuses one whose selector cannot
    match the pods its template creates ("selector does not match template
    labels"). Every key: value of matchLabels must appear in
    spec.template.metadata.labels.

    Bad:

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
                app: frontend
            spec:
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
    for template in bundle.graph.templates:
        owner = template.owner
        selector = owner.get(("spec", "selector"))
        checked = owner.kind in LABEL_SELECTOR_KINDS or (
            owner.kind in ("ReplicationController", "Job") and selector is not None)
        if not checked or not isinstance(selector, dict):
            continue  # a missing selector is the schema's finding (or defaulted)
        problem = _selector_problem(template, selector)
        if problem:
            path, message = problem
            yield owner.finding(
                path, message,
                "make spec.selector.matchLabels a copy of (part of) "
                "spec.template.metadata.labels", at_value=path[-1] not in (
                    "labels", "selector", "matchExpressions"))


@rule("negative-replicas", "error", "03-deployments#replicas")
def negative_replicas(bundle: Bundle) -> Iterator[Finding]:
    """A workload asking for fewer than zero replicas.

    Why: replicas says how many pods to keep running; 0 scales the workload
    down, and a negative number is refused by the API server.

    Bad:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: -1
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

    Good:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
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
    for resource in bundle:
        replicas = resource.get(("spec", "replicas"))
        if resource.kind in WORKLOAD_KINDS and isinstance(replicas, int) and replicas < 0:
            yield resource.finding(("spec", "replicas"), f"replicas is {replicas}; it cannot be "
                                   "negative", "write 0 to stop every pod, or 1 or more",
                                   at_value=True)


def _is_zero(value: Any) -> bool:
    """maxSurge / maxUnavailable of 0 or "0%"."""
    if isinstance(value, str):
        return value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) == 0
    return is_whole_number(value) and value == 0


@rule("rollout-strategy-invalid", "error", "03-deployments#rollout")
def rollout_strategy_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A rollout strategy the API server refuses: Recreate with a rollingUpdate
    block, or maxSurge and maxUnavailable both 0.

    Why: a Recreate rollout stops every old pod before starting new ones,
    so rollingUpdate settings mean nothing there and are refused. A rolling
    update needs room to move: with maxSurge 0 (no extra pod) and
    maxUnavailable 0 (no pod missing) it could never replace a single pod.

    Bad:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 0
              maxUnavailable: 0
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

    Good:

        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 1
              maxUnavailable: 0
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
    for resource in bundle:
        field = {"Deployment": "strategy", "DaemonSet": "updateStrategy"}.get(resource.kind)
        strategy = resource.get(("spec", field)) if field else None
        if not isinstance(strategy, dict):
            continue
        rolling = strategy.get("rollingUpdate")
        if strategy.get("type") == "Recreate" and rolling is not None:
            yield resource.finding(
                ("spec", field, "rollingUpdate"), "a Recreate strategy cannot have a "
                "rollingUpdate block: Recreate stops every old pod before starting new ones",
                "delete the rollingUpdate block, or set `type: RollingUpdate`")
        elif isinstance(rolling, dict) and _is_zero(rolling.get("maxSurge")) and \
                _is_zero(rolling.get("maxUnavailable")):
            yield resource.finding(
                ("spec", field, "rollingUpdate", "maxUnavailable"), "maxSurge and "
                "maxUnavailable are both 0, so the rollout could never replace a pod",
                "allow one extra pod (`maxSurge: 1`) or one missing pod (`maxUnavailable: 1`)",
                at_value=True)


@rule("missing-image", "error", "03-deployments#containers")
def missing_image(bundle: Bundle) -> Iterator[Finding]:
    """A container without an image.

    Why: the image is the program the container runs. The schema lets it out
    because higher-level tools may fill it in, but the API server refuses a
    pod whose container has no image.

    Bad:

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
    for template in bundle.graph.templates:
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

    Bad:

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
    for template in bundle.graph.templates:
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

    Bad:

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
    for template in bundle.graph.templates:
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

    Bad:

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
    for template in bundle.graph.templates:
        seen: set[str] = set()
        for path, container in template.containers(init=True):
            name = container.get("name")
            if isinstance(name, str) and name in seen:
                yield template.owner.finding(
                    (*path, "name"), f"another container of this pod is already named {name!r}",
                    "give every container its own name", at_value=True)
            seen.add(name if isinstance(name, str) else "")


@rule("duplicate-container-port", "warning", "03-deployments#ports")
def duplicate_container_port(bundle: Bundle) -> Iterator[Finding]:
    """The same port number (or port name) declared twice in one pod.

    Why: a port name must be unique in the pod, since Services and probes
    refer to it; the API server refuses a repeated name. A repeated number
    and protocol is accepted with a warning but usually means a copy-paste
    slip: only one process can listen on it.

    Bad:

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
    for template in bundle.graph.templates:
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


@rule("requests-above-limits", "error", "08-scaling#resources")
def requests_above_limits(bundle: Bundle) -> Iterator[Finding]:
    """A container requesting more CPU or memory than its own limit.

    Why: the request is what the scheduler reserves, the limit the most the
    container may use. A request above the limit can never be honoured, so
    the API server refuses it.

    Bad:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  memory: 512Mi
                limits:
                  memory: 256Mi

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              resources:
                requests:
                  memory: 256Mi
                limits:
                  memory: 512Mi
    """
    for template in bundle.graph.templates:
        for path, container in template.containers(init=True):
            resources = container.get("resources")
            if not isinstance(resources, dict):
                continue
            requests, limits = resources.get("requests"), resources.get("limits")
            if not isinstance(requests, dict) or not isinstance(limits, dict):
                continue
            for name, wanted in requests.items():
                asked, cap = parse_quantity(wanted), parse_quantity(limits.get(name))
                if asked is not None and cap is not None and asked > cap:
                    yield template.owner.finding(
                        (*path, "resources", "requests", name),
                        f"the {name} request {wanted} is above the limit {limits[name]}",
                        f"lower the request to at most {limits[name]}, or raise the limit",
                        at_value=True)


@rule("no-resources", "info", "08-scaling#resources")
def no_resources(bundle: Bundle) -> Iterator[Finding]:
    """A workload's container with no CPU or memory requests or limits.

    Why: without requests the scheduler cannot place the pods sensibly, an
    autoscaler cannot compute utilisation, and without limits one container
    can starve its neighbours. Fine for a first try; worth adding later. It
    is only a reminder for workloads (Deployments, StatefulSets, Jobs...),
    whose pods a controller keeps running: a bare Pod is a one-off
    experiment (as in the first lessons), not what you deploy.

    Bad:

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
                  resources:
                    requests:
                      cpu: 100m
                      memory: 128Mi
                    limits:
                      memory: 256Mi
    """
    for template in bundle.graph.templates:
        if template.owner.kind not in WORKLOAD_KINDS:
            continue
        for path, container in template.containers():
            resources = container.get("resources")
            if not (isinstance(resources, dict) and (resources.get("requests")
                                                     or resources.get("limits"))):
                name = container.get("name") or "this container"
                yield template.owner.finding(
                    path, f"container {name!r} sets no resource requests or limits",
                    "add resources.requests (cpu, memory) and resources.limits (memory)")


def probe_ports(container: dict) -> Iterator[tuple[tuple, Any]]:
    """(path suffix, port) of every probe handler that names a port."""
    for probe in PROBES:
        handlers = container.get(probe)
        for action in ("httpGet", "tcpSocket", "grpc") if isinstance(handlers, dict) else ():
            handler = handlers.get(action)
            if isinstance(handler, dict) and handler.get("port") is not None:
                yield (probe, action, "port"), handler["port"]


@rule("probe-port-unknown", "warning", "09-workloads#probes")
def probe_port_unknown(bundle: Bundle) -> Iterator[Finding]:
    """A probe aimed at a port the container does not declare.

    Why: a probe by port name looks the name up in the container's ports;
    an unknown name makes every probe fail, so the pod never becomes ready
    (or is restarted forever). A probe by number on a port the container
    does not declare usually means the probe and the app disagree.

    Bad:

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
    for template in bundle.graph.templates:
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
                        severity=Severity.ERROR, at_value=True)
                elif isinstance(port, int) and ports and port not in numbers:
                    yield template.owner.finding(
                        (*path, *suffix), f"the {suffix[0]} checks port {port}, but the "
                        f"container declares {declared}",
                        "make the probe and the containerPort the same number", at_value=True)


@rule("volume-mount-undefined", "error", "06-storage#volumes")
def volume_mount_undefined(bundle: Bundle) -> Iterator[Finding]:
    """A volumeMount naming a volume the pod does not define.

    Why: a container mounts volumes that the pod lists under
    spec.volumes (or, in a StatefulSet, under volumeClaimTemplates) by name.
    The API server refuses a mount whose name matches none of them.

    Bad:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: cache
                  mountPath: /cache
          volumes:
            - name: scratch
              emptyDir: {}

    Good:

        apiVersion: v1
        kind: Pod
        metadata:
          name: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
              volumeMounts:
                - name: cache
                  mountPath: /cache
          volumes:
            - name: cache
              emptyDir: {}
    """
    for template in bundle.graph.templates:
        owner = template.owner
        volumes = template.spec.get("volumes")
        claims = owner.get(("spec", "volumeClaimTemplates")) if owner.kind == "StatefulSet" \
            else None
        defined = {_name_of(v) for group in (volumes, claims) if isinstance(group, list)
                   for v in group}
        for path, container in template.containers(init=True):
            for field in ("volumeMounts", "volumeDevices"):
                mounts = container.get(field)
                for index, mount in enumerate(mounts if isinstance(mounts, list) else []):
                    name = mount.get("name") if isinstance(mount, dict) else None
                    if isinstance(name, str) and name not in defined:
                        known = ", ".join(sorted(n for n in defined if n)) or "none"
                        yield owner.finding(
                            (*path, field, index, "name"),
                            f"no volume named {name!r} is defined (volumes: {known})",
                            f"add `- name: {name}` with a source (emptyDir, configMap, "
                            "persistentVolumeClaim...) under the pod's volumes", at_value=True)


def _name_of(entry: Any) -> str:
    """The name of a volume (`name`) or of a claim template (`metadata.name`)."""
    if not isinstance(entry, dict):
        return ""
    holder = entry.get("metadata") if "metadata" in entry else entry
    name = holder.get("name") if isinstance(holder, dict) else None
    return name if isinstance(name, str) else ""


@rule("statefulset-service-missing", "info", "09-workloads#statefulsets")
def statefulset_service_missing(bundle: Bundle) -> Iterator[Finding]:
    """A StatefulSet whose serviceName names no headless Service of the answer.

    Why: a StatefulSet gives each pod a stable DNS name
    (web-0.<serviceName>) through a headless Service (clusterIP: None) that
    you create yourself. Without it the pods run but cannot be reached by
    those names.

    Bad:

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
    graph = bundle.graph
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


@rule("job-restart-policy", "error", "09-workloads#jobs")
def job_restart_policy(bundle: Bundle) -> Iterator[Finding]:
    """A Job or CronJob whose pods would restart forever (restartPolicy Always).

    Why: a Job runs pods to completion, so its template must say
    `restartPolicy: OnFailure` or `Never`. The pod default, Always, is
    refused for Jobs, and leaving the field out means Always.

    Bad:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          template:
            spec:
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]

    Good:

        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: migrate
                  image: busybox:1.37
                  command: ["echo", "done"]
    """
    for template in bundle.graph.templates:
        if template.owner.kind not in ("Job", "CronJob"):
            continue
        policy = template.spec.get("restartPolicy")
        if policy in (None, "Always"):
            path = (*template.spec_path, "restartPolicy") if policy else template.spec_path
            said = "is Always" if policy else "is not set, so it defaults to Always"
            yield template.owner.finding(
                path, f"the pod template's restartPolicy {said}, which a "
                f"{template.owner.kind} does not allow",
                "add `restartPolicy: OnFailure` (retry in place) or `Never` "
                "under the template's spec", at_value=bool(policy))
