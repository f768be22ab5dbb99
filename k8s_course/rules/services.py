"""Rules of lesson 04 about Services: which pods they select, from where, and how
they are exposed (NodePort, LoadBalancer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..bundle import Bundle, Resource
from ..findings import Finding, Severity
from ..graph import Graph, graph_of, is_whole_number, mappings_in
from ._known import SERVICE_SPEC, has_stray_field
from ._values import name_problem
from .catalogue import rule

NODE_PORT_RANGE = range(30000, 32768)


def service_selector(service: Resource) -> dict | None:
    """The Service's selector when it selects pods at all (not ExternalName, not manual)."""
    selector = service.get(("spec", "selector"))
    if service.get(("spec", "type")) == "ExternalName" or not isinstance(selector, dict) \
            or not selector:
        return None
    return selector


def service_ports(service: Resource) -> Iterator[tuple[int, dict]]:
    """(index, port) of each port entry that is a mapping."""
    return mappings_in(service.get(("spec", "ports")))


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
    request fails. (When the answer holds no workload in the Service's
    namespace this is only a reminder, since the pods may come from elsewhere:
    a Helm chart, an operator, a file not given.)

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

    Bad (error):

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
    graph = graph_of(bundle)
    for service in graph.of_kind("Service"):
        selector = service_selector(service)
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
        if any(bundle.flagged(t.owner, (*t.path, "metadata", "labels"))
               for t in graph.templates_in(service.namespace)):
            continue  # pod labels the schema stage flagged (`lables:`) are the real cause
        if not graph.templates_in(service.namespace):
            # the pods may come from elsewhere: a chart, an operator, a file not given
            yield service.finding(
                ("spec", "selector"), f"no pod in namespace {service.namespace} in this answer "
                "carries these labels, so this Service has nothing to send traffic to yet",
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
    graph = graph_of(bundle)
    for service in graph.of_kind("Service"):
        selector = service_selector(service)
        if selector is None or graph.service_targets(service):
            continue
        elsewhere = [ns for ns in graph.namespaces_selected(selector) if ns != service.namespace]
        if any(bundle.flagged(t.owner, ("metadata", "namespace"))
               for ns in elsewhere for t in graph.selected_by_labels(ns, selector)):
            continue  # a misspelt `namespce:` put the pods elsewhere: the schema's finding
        if elsewhere:
            path = ("metadata", "namespace") if "namespace" in service.metadata else ("metadata",)
            yield service.finding(
                path, f"this Service is in namespace {service.namespace}, but the pods it "
                f"selects are in {', '.join(elsewhere)}",
                f"put the Service in the pods' namespace: `namespace: {elsewhere[0]}` "
                "under metadata (or move the workload)", at_value=len(path) == 2)


@rule("node-port-invalid", "error", "04-services#nodeport")
def node_port_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A nodePort outside 30000-32767, or on a Service type that has no node ports.

    Why: a cluster opens node ports from a reserved range, 30000-32767 by
    default (kind included), and only for NodePort and LoadBalancer
    Services. Leave nodePort out to get a free one picked for you.

    Bad (error):

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
    for service in graph_of(bundle).of_kind("Service"):
        kind = service.get(("spec", "type")) or "ClusterIP"
        if kind not in ("ClusterIP", "ExternalName", "NodePort", "LoadBalancer"):
            continue  # a misspelt type is the schema's finding
        for index, port in service_ports(service):
            number = port.get("nodePort")
            if not is_whole_number(number) or number == 0:
                continue  # the API server reads 0 as "not set" (kubectl get -o yaml prints it)
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

    Bad (info):

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
    for service in graph_of(bundle).of_kind("Service"):
        if service.get(("spec", "type")) == "LoadBalancer":
            yield service.finding(
                ("spec", "type"), "on a local kind cluster EXTERNAL-IP of a LoadBalancer "
                "stays <pending>: there is no cloud to hand out an address",
                f"reach it with `kubectl port-forward -n {service.namespace} "
                f"service/{service.name or '<name>'} 8080:<port>`, use type NodePort, "
                "or install cloud-provider-kind or MetalLB",
                at_value=True)


@rule("service-spec-invalid", "error", "04-services#types")
def service_spec_invalid(bundle: Bundle) -> Iterator[Finding]:
    """A Service refused as a whole: no ports, ExternalName without a name, headless NodePort.

    Why: a Service forwards ports, so it needs at least one (only a headless
    Service, `clusterIP: None`, and an ExternalName may have none). An
    ExternalName Service is a DNS alias and needs `externalName`, a host
    name such as `db.example.com`. A NodePort or LoadBalancer Service needs
    a cluster IP, so it cannot be headless.

    Bad (error):

        apiVersion: v1
        kind: Service
        metadata:
          name: billing-db
        spec:
          type: ExternalName

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: billing-db
        spec:
          type: ExternalName
          externalName: billing.db.example.com
    """
    for service in graph_of(bundle).of_kind("Service"):
        spec = service.get(("spec",))
        if not isinstance(spec, dict):
            continue
        kind = spec.get("type", "ClusterIP")
        headless = spec.get("clusterIP") == "None"
        external = spec.get("externalName")
        if has_stray_field(spec, SERVICE_SPEC) or not isinstance(kind, str):
            continue  # a misspelt field (`port:`) or a wrong shape is the schema's finding
        if kind == "ExternalName":
            problem = name_problem(external.rstrip("."), "dns-1123-subdomain") \
                if isinstance(external, str) and external else ""
            if external is None or external == "":
                yield service.finding(("spec", "type"), "an ExternalName Service needs "
                                      "`externalName`, the host name it stands for",
                                      "add e.g. `externalName: db.example.com` under spec",
                                      at_value=True)
            elif problem:
                yield service.finding(("spec", "externalName"), f"externalName {external!r}: "
                                      f"{problem.replace('the name', 'the host name')}",
                                      "write a host name such as `db.example.com`",
                                      at_value=True)
        elif kind in ("NodePort", "LoadBalancer") and headless:
            yield service.finding(("spec", "clusterIP"), f"a {kind} Service cannot be "
                                  "headless (clusterIP: None)", "delete `clusterIP: None`, "
                                  "or make the Service `type: ClusterIP`", at_value=True)
        elif not headless and spec.get("ports") in (None, []):
            yield service.finding(("spec", "ports") if "ports" in spec else ("spec",),
                                  "this Service has no ports", "add the port clients use and "
                                  "the container's port, e.g. `ports: [{port: 80, targetPort: "
                                  "8080}]`")


@rule("service-port-duplicate", "error", "04-services#ports")
def service_port_duplicate(bundle: Bundle) -> Iterator[Finding]:
    """A Service listing the same port number (and protocol) twice.

    Why: each entry of a Service's ports is one port clients connect to,
    so the same number with the same protocol can appear only once. To
    reach two container ports, give the Service two different port
    numbers.

    Bad (error):

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - name: http
              port: 80
              targetPort: 8080
            - name: admin
              port: 80
              targetPort: 9090

    Good:

        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
            - name: http
              port: 80
              targetPort: 8080
            - name: admin
              port: 9090
              targetPort: 9090
    """
    for service in graph_of(bundle).of_kind("Service"):
        seen: set[tuple[int, str]] = set()
        for index, port in service_ports(service):
            number, protocol = port.get("port"), port.get("protocol", "TCP")
            if not is_whole_number(number) or not isinstance(protocol, str):
                continue
            if (number, protocol) in seen:
                yield service.finding(
                    ("spec", "ports", index), f"port {number}/{protocol} is already "
                    "listed above in this Service", "give this entry another port number, or "
                    "delete it")
            seen.add((number, protocol))
