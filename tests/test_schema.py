"""Schema validation: every error at once, in a learner's words, with 'did you mean'."""

from __future__ import annotations

import subprocess
import sys

import pytest

from k8s_course import check
from k8s_course.findings import Severity
from k8s_course.schema import DEFAULT_KUBE_VERSION, normalize_version, supported_versions

from .conftest import yaml_text

DEPLOYMENT = yaml_text("""
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      {spec}
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
              image: nginx:1.27-alpine
    """)


def findings(text: str, rule: str):
    return [f for f in check(text).findings if f.rule == rule]


@pytest.mark.parametrize(("written", "suggested", "line"), [
    ("replica: 3", "replicas", 6),
    ("Replicas: 3", "replicas", 6),
    ("minReadySecond: 3", "minReadySeconds", 6),
    ("minReady: 3", "minReadySeconds", 6),  # similarity 0.70: above the 0.6 cut-off
])
def test_unknown_field_suggests_the_schema_name(written, suggested, line):
    [found] = findings(DEPLOYMENT.replace("{spec}", written), "schema-unknown-field")
    assert found.severity is Severity.ERROR
    assert found.line == line and found.column == 3
    assert f'did you mean "{suggested}"' in found.hint
    assert found.dotted_path == f"spec.{written.split(':')[0]}"


def test_misspelt_top_level_and_nested_fields():
    text = DEPLOYMENT.replace("{spec}", "replicas: 1").replace("spec:\n      containers",
                                                               "spec:\n      contianers")
    text = text.replace("\nspec:\n", "\nSpec:\n", 1)
    hints = {f.dotted_path: f.hint for f in check(text).findings
             if f.rule == "schema-unknown-field"}
    assert hints == {"Spec": 'did you mean "spec"?'}
    text = DEPLOYMENT.replace("{spec}", "replicas: 1").replace("      containers:",
                                                               "      contianers:")
    [found] = findings(text, "schema-unknown-field")
    assert found.hint == 'did you mean "containers"?'
    assert found.line == 15


def test_a_field_at_the_wrong_level_says_where_it_belongs():
    text = DEPLOYMENT.replace("{spec}", "containers: []")
    [found] = findings(text, "schema-unknown-field")
    assert "spec.template.spec" in found.hint


def test_wrong_type_is_rewritten_for_a_learner():
    [found] = findings(DEPLOYMENT.replace("{spec}", "replicas: two"), "schema-type")
    assert found.message == 'spec.replicas must be a whole number such as 3; you wrote "two"'
    assert (found.line, found.column) == (6, 13)
    [found] = findings(DEPLOYMENT.replace("{spec}", 'replicas: "3"'), "schema-type")
    assert found.hint == "write the number without quotes: 3"


def test_every_schema_error_is_reported_at_once():
    text = DEPLOYMENT.replace("{spec}", "replicas: two\n  replica: 1\n  paused: maybe")
    report = check(text)
    rules = sorted((f.line, f.rule) for f in report.findings if f.rule.startswith("schema"))
    assert rules == [(6, "schema-type"), (7, "schema-unknown-field"), (8, "schema-type")]


def test_yaml_1_1_trap_where_text_is_expected_says_to_quote_it():
    text = yaml_text("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: flags
        data:
          debug: no
          mode: 0755
          start: 12:30
        """)
    found = {f.dotted_path: f for f in findings(text, "yaml-unquoted-value")}
    assert set(found) == {"data.debug", "data.mode", "data.start"}
    assert found["data.debug"].hint == 'put it in quotes: "no"'
    assert "false" in found["data.debug"].message
    assert "octal" in found["data.mode"].message
    assert found["data.debug"].severity is found["data.mode"].severity is Severity.ERROR
    # kubectl keeps 12:30 as text, so only other YAML 1.1 tools go wrong: a warning
    start = found["data.start"]
    assert start.severity is Severity.WARNING
    assert "750" in start.message and start.hint == 'put it in quotes: "12:30"' + (
        ", so every tool reads the same value")
    assert (start.line, start.column) == (8, 10)


def test_base_60_where_a_number_goes_is_a_type_error_about_the_text():
    text = DEPLOYMENT.replace("{spec}", "replicas: 1:30")
    assert findings(text, "yaml-unquoted-value") == []
    [found] = findings(text, "schema-type")
    assert found.message == 'spec.replicas must be a whole number such as 3; you wrote "1:30"'


def test_a_number_where_a_label_needs_text_says_to_quote_it():
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels:\n    v: 1.0\n"
    [found] = findings(text, "schema-type")
    assert found.hint == 'put it in quotes: "1.0"'


@pytest.mark.parametrize(("api_version", "kind", "rule", "hint"), [
    ("v1", "pod", "unknown-kind", "write `kind: Pod`"),
    ("apps/v1", "Deploymnet", "unknown-kind", "did you mean `kind: Deployment`?"),
    ("v1", "Deployment", "unknown-api-version", "write `apiVersion: apps/v1`"),
    ("apps/v1beta2", "Deployment", "unknown-api-version", "write `apiVersion: apps/v1`"),
    ("batch/v1beta1", "CronJob", "unknown-api-version", "write `apiVersion: batch/v1`"),
])
def test_unknown_kind_or_api_version_gets_a_suggestion(api_version, kind, rule, hint):
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n"
    [found] = findings(text, rule)
    assert found.hint == hint
    assert found.severity is Severity.ERROR


def test_removed_api_version_says_when_it_was_removed():
    [found] = findings("apiVersion: apps/v1beta2\nkind: Deployment\nmetadata: {name: x}\n",
                       "unknown-api-version")
    assert "removed in Kubernetes 1.16" in found.message


def test_missing_kind_and_api_version():
    assert findings("metadata:\n  name: x\n", "missing-kind")
    [found] = findings("kind: Deployment\nmetadata:\n  name: x\n", "missing-api-version")
    assert found.hint == "add `apiVersion: apps/v1` above `kind: Deployment`"


def test_custom_resources_are_not_schema_checked_but_said_so():
    text = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\n"
    [found] = findings(text, "custom-resource")
    assert found.severity is Severity.INFO


def test_status_section_is_an_info():
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nstatus:\n  phase: Active\n"
    [found] = findings(text, "status-section")
    assert found.severity is Severity.INFO and found.line == 4


def test_a_status_copied_from_the_cluster_gives_one_info_not_schema_errors():
    # `kubectl get -o yaml` output pasted in: the server drops status, so a
    # condition without its `status` field is no error of the learner's
    text = ("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nstatus:\n"
            "  phase: Active\n  conditions:\n    - type: NamespaceDeletionContentFailure\n")
    report = check(text)
    assert [f.rule for f in report.findings] == ["status-section"]


def test_status_on_a_kind_without_one_is_one_unknown_field():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nstatus:\n  phase: Active\n"
    [found] = check(text).findings
    assert (found.rule, found.severity, found.path) == ("schema-unknown-field", Severity.ERROR,
                                                        ("status",))


def test_kube_version_is_selectable_and_shown():
    assert DEFAULT_KUBE_VERSION in supported_versions()
    assert normalize_version("v1.33.2") == "1.33"
    report = check("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", kube_version="1.30")
    assert report.kube_version == "1.30"
    assert "Kubernetes 1.30" in report.summary()
    with pytest.raises(ValueError, match=r"1\.99"):
        check("kind: Namespace\n", kube_version="1.99")


def test_importing_the_package_stays_light():
    code = ("import sys, k8s_course; heavy = [m for m in ('yaml', 'jsonschema', "
            "'jsonschema_rs', 'kubernetes', 'ipywidgets') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.parametrize(("metadata", "suggested"), [
    ("nmae: app", "name"),  # similarity 0.75
    ("name: app\n  lable: {app: web}", "labels"),  # 0.73
])
def test_typos_well_below_a_perfect_match_still_get_their_suggestion(metadata, suggested):
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  {metadata}\n"
    [found] = findings(text, "schema-unknown-field")
    assert found.dotted_path.endswith(metadata.splitlines()[-1].split(":")[0].strip())
    assert f'did you mean "{suggested}"' in found.hint


# --- a field carried over from another workload kind ------------------------------------

@pytest.mark.parametrize(("kind", "api", "spec", "hint", "lesson"), [
    ("DaemonSet", "apps/v1", "  replicas: 2\n  selector: {matchLabels: {app: a}}\n"
     "  template:\n    metadata: {labels: {app: a}}\n"
     "    spec: {containers: [{name: a, image: busybox:1.36}]}\n",
     "a DaemonSet has no replicas", "09-workloads#daemonsets"),
    ("Job", "batch/v1", "  replicas: 3\n  template:\n"
     "    spec: {restartPolicy: Never, containers: [{name: a, image: busybox:1.36}]}\n",
     "`completions` is how many pods must succeed", "10-jobs#completions"),
    ("Job", "batch/v1", "  restartPolicy: Never\n  template:\n"
     "    spec: {containers: [{name: a, image: busybox:1.36}]}\n",
     "move it under spec.template.spec", "10-jobs#restart-policy"),
])
def test_a_field_of_another_workload_kind_says_where_it_went(kind, api, spec, hint, lesson):
    report = check(f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: a}}\nspec:\n{spec}")
    loud = [f for f in report.findings if f.severity in ("error", "warning")]
    # one mistake, one finding: job-restart-policy stays quiet when the policy is on the Job
    assert [(f.rule, f.lesson) for f in loud] == [("schema-unknown-field", lesson)]
    assert hint in loud[0].hint
