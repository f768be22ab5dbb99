"""Reaching a Service from a notebook: its endpoints, and a port-forward on the right context."""

from __future__ import annotations

import copy
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from k8s_course.cluster import actions
from k8s_course.cluster.portforward import endpoints, endpoints_from_slices, port_forward

from .conftest import FIXTURES
from .fake_apiserver import recorded_body, running


def recorded_slice(**changes) -> dict:
    piece = copy.deepcopy(recorded_body("35")["items"][0])
    piece.update(kind="EndpointSlice", apiVersion="discovery.k8s.io/v1", **changes)
    return piece


def test_the_recorded_slice_without_pods_has_no_endpoints():
    assert endpoints_from_slices([recorded_slice()]) == []


def test_endpoints_list_each_address_with_its_pod_and_readiness():
    piece = recorded_slice(ports=[{"name": "http", "port": 8080, "protocol": "TCP"}], endpoints=[
        {"addresses": ["10.244.0.5"], "conditions": {"ready": True},
         "targetRef": {"kind": "Pod", "name": "fastapi-app-1"}},
        {"addresses": ["10.244.0.6"], "conditions": {"ready": False},
         "targetRef": {"kind": "Pod", "name": "fastapi-app-2"}}])
    found = endpoints_from_slices([piece])
    assert [(e.address, e.ready, e.pod, e.ports) for e in found] == [
        ("10.244.0.5", True, "fastapi-app-1", "8080/TCP"),
        ("10.244.0.6", False, "fastapi-app-2", "8080/TCP")]


@pytest.fixture
def server(tmp_path, monkeypatch):
    with running(tmp_path, monkeypatch, others=("classroom",)) as fake:
        yield fake


def test_endpoints_read_the_services_slices_and_explain_an_empty_one(server):
    server.put(recorded_slice())
    shown = endpoints("fast-api-service", "rec-mlops")
    assert shown.endpoints == []
    assert "has no endpoints" in str(shown) and "04-services#selectors" in str(shown)
    (call,) = [c for c in server.calls("GET") if "endpointslices" in c["path"]]
    assert call["query"]["labelSelector"] == "kubernetes.io/service-name=fast-api-service"


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"hello from the pods")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in kubectl is a script")
def test_port_forward_runs_kubectl_on_the_guarded_context(server, tmp_path):
    assert actions.apply(FIXTURES / "seed" / "mlops.yaml", wait=False).ok
    fake = tmp_path / "kubectl"
    # the stand-in kubectl "forwards" to a tiny web server standing in for the pods
    web = HTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    port = web.server_address[1]
    fake.write_text(
        f"#!{sys.executable}\nimport json, sys, time\n"
        f"open({str(tmp_path / 'args')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
        f"print('Forwarding from 127.0.0.1:{port} -> 8080', flush=True)\ntime.sleep(60)\n")
    fake.chmod(0o755)
    with port_forward("fast-api-service", "mlops", context="classroom",
                      kubectl=str(fake)) as forward:
        assert forward.url == f"http://127.0.0.1:{port}"
        assert forward.process.poll() is None
        assert forward.get("/") == "hello from the pods"
    web.shutdown()
    assert forward.process.poll() is not None  # stopped on leaving the block
    args = json.loads((tmp_path / "args").read_text())
    assert args == ["--context", "classroom", "--namespace", "mlops", "port-forward",
                    "--address", "127.0.0.1", "service/fast-api-service", "0:80"]


def test_port_forward_to_a_missing_service_says_so(server):
    with pytest.raises(RuntimeError, match="was not found"):
        port_forward("nope", "default")
