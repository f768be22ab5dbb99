"""Reach a Service from a notebook, and see which pods stand behind it.

`port_forward()` runs `kubectl port-forward` (kubectl ships with every
cluster install, and knows every authentication plugin) on 127.0.0.1, always
with the context the guard chose. `endpoints()` reads the Service's
EndpointSlices: the pod addresses that traffic actually goes to.
"""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any

from .client import ENDPOINT_SLICES, SERVICES, Client
from .rollout import table

_FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+)")
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Endpoint:
    """One address behind a Service."""

    address: str
    ready: bool
    pod: str
    ports: str


@dataclass
class ServiceEndpoints:
    """The endpoints of one Service; prints as a small table or says why there are none."""

    service: str
    namespace: str
    endpoints: list[Endpoint] = field(default_factory=list)

    def __str__(self) -> str:
        name = f"Service {self.namespace}/{self.service}"
        if not self.endpoints:
            return (f"{name} has no endpoints: its selector matches no running, ready pod, so "
                    "every request to it fails. Compare spec.selector with the pod template's "
                    "labels (lesson 04-services#selectors).")
        rows = [(e.address, "yes" if e.ready else "no", e.pod or "-", e.ports)
                for e in self.endpoints]
        return f"{name} sends traffic to:\n" + table(rows, ("ADDRESS", "READY", "POD", "PORTS"))

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def endpoints_from_slices(slices: list[dict]) -> list[Endpoint]:
    """Every endpoint listed in a Service's EndpointSlices (null lists are empty)."""
    found = []
    for piece in slices:
        ports = ",".join(f"{p.get('port')}/{p.get('protocol', 'TCP')}"
                         for p in piece.get("ports") or [] if isinstance(p, dict))
        for endpoint in piece.get("endpoints") or []:
            if not isinstance(endpoint, dict):
                continue
            ready = (endpoint.get("conditions") or {}).get("ready") is not False
            pod = (endpoint.get("targetRef") or {}).get("name", "")
            for address in endpoint.get("addresses") or []:
                found.append(Endpoint(str(address), ready, pod, ports))
    return found


def endpoints(service: str, namespace: str = "default", *,
              context: str | None = None) -> ServiceEndpoints:
    """The pods a Service sends traffic to, from its EndpointSlices.

    On a shared cluster the learner's own namespace replaces `namespace`.
    """
    client = Client.connect(context)
    namespace = client.namespace or namespace
    slices = client.list(ENDPOINT_SLICES, namespace, f"kubernetes.io/service-name={service}")
    return ServiceEndpoints(service, namespace, endpoints_from_slices(slices))


class PortForward:
    """A running `kubectl port-forward`; use as a context manager or call stop()."""

    def __init__(self, process: subprocess.Popen, local_port: int, target: str) -> None:
        self.process = process
        self.local_port = local_port
        self.target = target

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}"

    def get(self, path: str = "/", timeout: float = 10.0) -> str:
        """The body of GET url+path, as text: what the Service answers."""
        import urllib.request  # ~80 ms: only when a notebook actually calls the Service

        with urllib.request.urlopen(self.url + path, timeout=timeout) as answer:
            return answer.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> PortForward:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.process.poll() is None else "stopped"
        return f"<PortForward {self.target} at {self.url} ({state})>"


def port_forward(service: str, namespace: str = "default", *, port: int | None = None,
                 local_port: int = 0, context: str | None = None,
                 kubectl: str = "kubectl") -> PortForward:
    """Forward 127.0.0.1:local_port (0: any free port) to a Service port (default: its first).

    On a shared cluster the learner's own namespace replaces `namespace`.
    """
    client = Client.connect(context)
    namespace = client.namespace or namespace
    if port is None:
        answer = client.get(SERVICES, namespace, service)
        ports = answer.body.get("spec", {}).get("ports") if answer.ok else None
        if not ports:
            raise RuntimeError(f"Service {namespace}/{service} was not found on "
                               f"{client.context}, or has no ports")
        port = int(ports[0]["port"])
    if shutil.which(kubectl) is None:
        raise RuntimeError("port-forward needs kubectl: install it from "
                           "https://kubernetes.io/docs/tasks/tools/")
    target = f"service/{service}"
    process = subprocess.Popen(
        [kubectl, "--context", client.context, "--namespace", namespace, "port-forward",
         "--address", "127.0.0.1", target, f"{local_port}:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    said = []
    while True:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            line = ""
        match = _FORWARDING.search(line)
        if match:
            return PortForward(process, int(match.group(1)), f"{namespace}/{target}:{port}")
        said.append(line)
        if not line or process.poll() is not None:
            process.kill()
            raise RuntimeError("kubectl port-forward did not start: " + " ".join(
                s.strip() for s in said if s.strip()))


def _pump(process: subprocess.Popen, lines: queue.Queue[str]) -> None:
    """Copy kubectl's output lines into a queue (an empty string at the end)."""
    for line in process.stdout or []:
        lines.put(line)
    lines.put("")
