"""Service names follow the Kubernetes version checked against; port names follow the
API server's IANA service-name rule (container ports, targetPorts, probes, backends)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from k8s_course import check
from k8s_course.cluster.errors import hint_for
from k8s_course.findings import Severity

from .conftest import yaml_text
from .test_rules_cross import NAMESPACE, deployment, service

SERVICE = yaml_text("""
    apiVersion: v1
    kind: Service
    metadata:
      name: 1st-service
    spec:
      ports:
        - port: 80
""")


def findings(report, rule: str) -> list[tuple]:
    return [(f.severity, f.line, f.dotted_path, f.message, f.hint)
            for f in report.findings if f.rule == rule]


@pytest.mark.parametrize("version", ["1.36", "1.37", None])
def test_a_service_name_may_start_with_a_digit_from_1_36(version):
    report = check(SERVICE, kube_version=version)
    assert findings(report, "invalid-name") == []
    assert report.kube_version == (version or "1.36")


@pytest.mark.parametrize("version", ["1.35", "1.25"])
def test_before_1_36_a_service_name_must_start_with_a_letter(version):
    report = check(SERVICE, kube_version=version)
    assert findings(report, "invalid-name") == [(
        Severity.ERROR, 4, "metadata.name",
        f"Service name '1st-service': the name starts with a digit; it must start with a "
        f"letter (on Kubernetes {version}; 1.36 allows it)",
        "for example `name: svc-1st-service`")]


def test_a_service_name_is_still_a_dns_label_on_1_36():
    report = check(SERVICE.replace("1st-service", "1st.service"))
    assert findings(report, "invalid-name") == [(
        Severity.ERROR, 4, "metadata.name",
        "Service name '1st.service': the name contains '.'; use only lowercase letters, "
        "digits and '-'", "for example `name: 1st-service`")]


def test_the_server_hint_for_an_old_rfc_1035_refusal_names_the_version():
    hint, lesson = hint_for('Service "1st" is invalid: metadata.name: Invalid value: "1st": '
                            "a DNS-1035 label must consist of lower case alphanumeric "
                            "characters or '-', start with an alphabetic character (RFC 1035)")
    assert "from Kubernetes 1.36 on" in hint and lesson == "01-manifest-anatomy#names"


def app(port_name: str = "http", target: str = "http") -> str:
    return (NAMESPACE + "---\n"
            + deployment(port=f"- name: {port_name}\n  containerPort: 8000") + "---\n"
            + service(target=target))


def test_an_upper_case_port_name_on_both_sides_is_refused_on_both_sides():
    report = check(app("HTTP", "HTTP"))
    text = app("HTTP", "HTTP")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "HTTP" in line]
    assert [(f.rule, f.severity, f.line, f.dotted_path) for f in report.findings
            if f.severity is not Severity.INFO] == [
        ("invalid-port-name", Severity.ERROR, lines[0],
         "spec.template.spec.containers[0].ports[0].name"),
        ("invalid-port-name", Severity.ERROR, lines[1], "spec.ports[0].targetPort")]
    assert findings(report, "invalid-port-name")[1][3:] == (
        "the targetPort 'HTTP' is refused by the API server: it contains 'H' (uppercase is "
        "not allowed); use only lowercase letters, digits and '-'",
        "for example `targetPort: http`")


def test_an_upper_case_target_is_a_refusal_not_a_missing_endpoint():
    report = check(app("http", "HTTP"))
    assert "target-port-unknown" not in report.rules()
    assert [(f.rule, f.severity) for f in report.findings
            if f.severity is not Severity.INFO] == [("invalid-port-name", Severity.ERROR)]


@pytest.mark.parametrize(("name", "problem"), [
    ("metrics-endpoint", "it is 16 characters long; the limit is 15"),
    ("-http", "it must not start or end with '-'"),
    ("http-", "it must not start or end with '-'"),
    ("web--api", "it must not contain '--'"),
    ("web_api", "it contains '_'; use only lowercase letters, digits and '-'"),
    ("8-0", "it has no letter; it needs at least one"),
])
def test_port_names_follow_the_iana_service_name_rule(name, problem):
    report = check(app(name, "8000"))
    ((severity, line, path, message, _),) = findings(report, "invalid-port-name")
    assert (severity, path) == (Severity.ERROR, "spec.template.spec.containers[0].ports[0].name")
    assert message == f"the port name {name!r} is refused by the API server: {problem}"
    assert app(name, "8000").splitlines()[line - 1].strip() == f"- name: {name}"


@pytest.mark.parametrize("name", ["http", "h", "web-api-2", "a23456789012345", "80-http"])
def test_good_port_names_pass(name):
    assert findings(check(app(name, name)), "invalid-port-name") == []


def test_digits_only_stay_with_port_number_quoted():
    report = check(app("http", '"8000"'))
    assert "invalid-port-name" not in report.rules()
    assert "port-number-quoted" in report.rules()


def test_the_server_hint_for_a_refused_port_name():
    hint, lesson = hint_for("spec.ports[0].targetPort: Invalid value: \"HTTP\": must contain "
                            "only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    assert "`http`, not `HTTP`" in hint and lesson == "04-services#named-ports"


def test_the_command_line_follows_kube_version(tmp_path):
    path = tmp_path / "service.yaml"
    path.write_text(SERVICE)
    run = [sys.executable, "-m", "k8s_course", "check", str(path)]
    old = subprocess.run([*run, "--kube-version", "1.35"], capture_output=True, text=True,
                         timeout=60)
    assert old.returncode == 1
    assert f"{path}:4:9: error[invalid-name]" in old.stdout
    assert "(checked against Kubernetes 1.35)" in old.stdout
    new = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert new.returncode == 0, new.stdout
