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
    ("REPLICAS: 3", "replicas", 6),  # the case alone differs: no close match, the same word
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
    assert told(text) == [(
        "status-section", "info", 4, 1, "status is written by the cluster to report what it "
        "sees; a manifest leaves it out", "delete the whole status section",
        "01-manifest-anatomy#status")]


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


def told(text: str, kube_version: str | None = None) -> list[tuple]:
    """Each finding as a learner reads it: rule, severity, place, message, hint, lesson."""
    return [(f.rule, str(f.severity), f.line, f.column, f.message, f.hint, f.lesson)
            for f in check(text, kube_version=kube_version).findings]


KINDS = "01-manifest-anatomy#kinds"
ANATOMY = "01-manifest-anatomy#anatomy"
YAML = "01-manifest-anatomy#yaml"


@pytest.mark.parametrize(("api_version", "kind", "version", "message", "hint"), [
    ("v1", "pod", None, "there is no kind pod; kinds are written in CamelCase",
     "write `kind: Pod`"),
    ("apps/v1", "Deploymnet", None, "Kubernetes 1.36 has no kind Deploymnet",
     "did you mean `kind: Deployment`?"),
    ("v1", "Deploymnet", None, "Kubernetes 1.36 has no kind Deploymnet",
     "did you mean `kind: Deployment`?"),
    ("nosuchgroup/v1", "Deploymnet", None, "Kubernetes 1.36 has no kind Deploymnet in "
     "nosuchgroup/v1", "check the spelling against the list of kinds in lesson 01"),
    ("apps/v1", "Frobnicator", None, "Kubernetes 1.36 has no kind Frobnicator in apps/v1",
     "check the spelling against the list of kinds in lesson 01"),
    ("resource.k8s.io/v1", "DeviceClass", "1.30", "DeviceClass (resource.k8s.io/v1) was added "
     "in Kubernetes 1.34; the course checks against 1.30",
     "use a cluster of Kubernetes 1.34 or later, or another kind"),
])
def test_each_way_a_kind_can_be_unknown_is_told_on_the_kind(api_version, kind, version,
                                                            message, hint):
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n"
    assert told(text, version) == [("unknown-kind", "error", 2, 7, message, hint, KINDS)]


def test_a_kind_of_a_group_kubernetes_lacks_is_a_custom_resource_and_only_an_info():
    text = "apiVersion: example.com/v1\nkind: Deploymnet\nmetadata: {name: x}\n"
    assert told(text) == [(
        "custom-resource", "info", 2, 1, "not checked: no schema for this kind (Deploymnet, "
        "example.com/v1); it is a custom resource whose definition is not in this answer",
        "that is fine if your cluster has its CustomResourceDefinition installed", KINDS)]


@pytest.mark.parametrize(("selector", "hint"), [
    ("matchLabels: {app: web, tier: 3, x: [1]}", "delete the `matchLabels:` line and write "
     "the labels right under selector (`selector: {app: web, tier: 3}`)"),
    ("matchExpressions: [{key: app}]", "delete the `matchExpressions:` line and write the "
     "labels right under selector"),
])
def test_a_deployment_style_selector_on_a_service_is_one_finding(selector, hint):
    text = ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector:\n"
            f"    {selector}\n  ports: [{{port: 80}}]\n")
    field = selector.split(":")[0]
    assert told(text) == [(
        "schema-type", "error", 6, 5, f"a Service's selector is plain `key: value` labels; "
        f"`{field}` belongs to Deployments, so this Service selects no pods", hint,
        "04-services#selectors")]


def test_a_wrong_type_says_what_was_written_and_how_to_write_it():
    text = yaml_text("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data:
          a: 5
          b: true
          c: 0.5
          d: {x: 1}
          e: [1]
        """)
    must = "must be text; you wrote"
    nested = "this field holds one text value, not nested lines; check the indentation"
    assert told(text) == [
        ("schema-type", "error", 5, 6, f"data.a {must} 5", 'put it in quotes: "5"', ANATOMY),
        ("schema-type", "error", 6, 6, f"data.b {must} true", 'put it in quotes: "true"',
         ANATOMY),
        ("schema-type", "error", 7, 6, f"data.c {must} 0.5", 'put it in quotes: "0.5"',
         ANATOMY),
        ("schema-type", "error", 8, 3, f"data.d {must} a mapping", nested, ANATOMY),
        ("schema-type", "error", 9, 3, f"data.e {must} a list", nested, ANATOMY),
    ]


def test_a_wrong_type_where_a_number_or_a_section_goes_gets_its_own_hint():
    text = yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          replicas: "3"
          revisionHistoryLimit: "three"
          minReadySeconds: [1]
          selector: [a]
          template: x
        """)
    number = "must be a whole number such as 3; you wrote"
    mapping = "must be a mapping of `key: value` lines; you wrote"
    assert told(text) == [
        ("schema-type", "error", 5, 13, f'spec.replicas {number} "3"',
         "write the number without quotes: 3", ANATOMY),
        ("schema-type", "error", 6, 25, f'spec.revisionHistoryLimit {number} "three"',
         "write a number with digits, without quotes, e.g. 3", ANATOMY),
        ("schema-type", "error", 7, 3, f"spec.minReadySeconds {number} a list",
         "compare this field with the lesson's example", ANATOMY),
        ("schema-type", "error", 8, 3, f"spec.selector {mapping} a list",
         "remove the `- `: this field holds `key: value` lines, not a list", ANATOMY),
        ("schema-type", "error", 9, 13, f'spec.template {mapping} "x"',
         "put the fields of this section on indented lines below it", ANATOMY),
    ]


def test_a_long_value_is_cut_and_a_mapping_where_a_list_goes_is_told_to_use_dashes():
    long = "x" * 80
    text = yaml_text(f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: d}}
        spec:
          replicas: "{long}"
          selector: {{matchLabels: {{app: a}}}}
          template:
            metadata: {{labels: {{app: a}}}}
            spec:
              containers: {{name: a, image: "b:1"}}
        """)
    assert told(text) == [
        ("schema-type", "error", 5, 13, "spec.replicas must be a whole number such as 3; "
         f'you wrote "{"x" * 56}...', "write a number with digits, without quotes, e.g. 3",
         ANATOMY),
        ("schema-type", "error", 10, 7, "spec.template.spec.containers must be a list (lines "
         "starting with `- `); you wrote a mapping", "start each item on its own line with `- `",
         ANATOMY),
    ]


def test_a_yaml_1_1_value_where_text_goes_says_how_yaml_reads_it():
    text = yaml_text("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels: {light: yes, mode: 0755, neg: -017, port: 8080}
        """)
    assert told(text) == [
        ("yaml-unquoted-value", "error", 5, 19, "metadata.labels.light needs text, but YAML "
         "reads the unquoted yes as the boolean true", 'put it in quotes: "yes"', YAML),
        ("yaml-unquoted-value", "error", 5, 30, "metadata.labels.mode needs text, but YAML "
         "reads the unquoted 0755 as the number 493 (a leading 0 makes it octal)",
         'put it in quotes: "0755"', YAML),
        ("yaml-unquoted-value", "error", 5, 41, "metadata.labels.neg needs text, but YAML "
         "reads the unquoted -017 as the number -15 (a leading 0 makes it octal)",
         'put it in quotes: "-017"', YAML),
        ("schema-type", "error", 5, 53, "metadata.labels.port must be text; you wrote 8080",
         'put it in quotes: "8080"', ANATOMY),
    ]


@pytest.mark.parametrize(("spelling", "read"), [
    ("0x1F", "the number 31 (0x makes it hexadecimal)"),
    ("-0x1F", "the number -31 (0x makes it hexadecimal)"),
    ("0b101", "the number 5 (0b makes it binary)"),
    ("00", "the number 0 (a leading 0 makes it octal)"),
    ("1_000", "the number 1000"),
    ("1_0.5", "the number 10.5"),
    ("On", "the boolean true"),
])
def test_each_yaml_1_1_number_says_how_it_is_read(spelling, read):
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {{v: {spelling}}}\n"
    assert told(text) == [(
        "yaml-unquoted-value", "error", 5, 15, f"metadata.labels.v needs text, but YAML reads "
        f"the unquoted {spelling} as {read}", f'put it in quotes: "{spelling}"', YAML)]


def test_base_60_text_is_a_warning_with_the_number_yaml_1_1_tools_read():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {t: 12:30:05}\n"
    assert told(text) == [(
        "yaml-unquoted-value", "warning", 4, 11, "data.t: kubectl reads the unquoted 12:30:05 "
        "as text, but YAML 1.1 tools (PyYAML, Ansible) read it as the number 45005, counting "
        "in base 60", 'put it in quotes: "12:30:05", so every tool reads the same value', YAML)]


def test_one_object_can_be_checked_on_its_own():
    """check_resource: the schema stage for one object (the benchmarks time it alone)."""
    from k8s_course.pipeline import load
    from k8s_course.schema import check_resource

    bundle, _ = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 5}\n")
    [resource] = bundle.resources
    assert [(f.rule, f.line, f.message) for f in check_resource(resource, "1.36")] == [
        ("schema-type", 4, "data.a must be text; you wrote 5")]


@pytest.mark.parametrize(("kind", "version", "best"), [
    ("MutatingAdmissionPolicy", "1.36", "admissionregistration.k8s.io/v1"),  # also v1beta1
    ("VolumeAttributesClass", "1.32", "storage.k8s.io/v1beta1"),  # alpha and beta only
])
def test_a_wrong_api_version_points_at_the_stable_one_else_the_newest_beta(kind, version, best):
    text = f"apiVersion: v1\nkind: {kind}\nmetadata: {{name: x}}\n"
    if kind == "VolumeAttributesClass":
        text += "driverName: d\n"
    assert told(text, version) == [(
        "unknown-api-version", "error", 1, 13, f"{kind} lives in {best}, not in v1 (the rest of "
        f"this {kind} was checked as {best})", f"write `apiVersion: {best}`", KINDS)]


def test_a_field_that_takes_either_of_two_types_names_both():
    text = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: b:1
              ports: [{containerPort: 80}]
              resources: {limits: {cpu: [1]}}
              livenessProbe: {httpGet: {port: [80]}}
        """)
    nested = "this field holds one text value, not nested lines; check the indentation"
    assert told(text) == [
        ("schema-type", "error", 9, 28, "spec.containers[0].resources.limits.cpu must be text or "
         "a number such as 0.5; you wrote a list", nested, ANATOMY),
        ("schema-type", "error", 10, 33, "spec.containers[0].livenessProbe.httpGet.port must be "
         "text or a whole number such as 3; you wrote a list", nested, ANATOMY),
    ]


def test_a_field_at_the_wrong_level_is_sent_where_it_lives_and_never_into_status():
    text = yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          selector: {matchLabels: {app: a}}
          template:
            metadata: {labels: {app: a}}
            spec:
              containers: [{name: a, image: "b:1", mountPath: /x, claimName: c}]
          containers: []
          image: x
          conditions: []
        """)
    allowed = ("fields allowed here: minReadySeconds, paused, progressDeadlineSeconds, replicas, "
               "revisionHistoryLimit, selector, strategy, template")
    assert [(f.line, f.column, f.message, f.hint) for f in check(text).findings] == [
        (9, 44, "spec.template.spec.containers[0] has no field `mountPath`",
         "`mountPath` belongs under spec.template.spec.containers[0].volumeMounts[0], check the "
         "indentation"),
        (9, 59, "spec.template.spec.containers[0] has no field `claimName`",
         "`claimName` belongs under spec.template.spec.volumes[0].persistentVolumeClaim, check "
         "the indentation"),
        (10, 3, "spec has no field `containers`",
         "`containers` belongs under spec.template.spec, check the indentation"),
        (11, 3, "spec has no field `image`",
         "`image` belongs under spec.template.spec.containers[0], check the indentation"),
        (12, 3, "spec has no field `conditions`", allowed),  # status is the cluster's to write
    ]


def test_the_fields_allowed_are_listed_up_to_twelve():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
            "  containers: [{name: a, image: 'b:1', replicas: 3}]\n")
    [found] = check(text).findings
    assert found.hint == ("fields allowed here: args, command, env, envFrom, image, "
                          "imagePullPolicy, lifecycle, livenessProbe, name, ports, "
                          "readinessProbe, resizePolicy, ...")


def test_the_schemas_come_from_kubernetes_validate_and_its_absence_says_what_to_do(monkeypatch):
    import importlib.util

    from k8s_course.schema import _schema_root

    root = _schema_root()
    assert root.name == "kubernetes-json-schema"
    assert (root / "v1.36.0-local-strict" / "_definitions.json").is_file()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RuntimeError) as error:
        _schema_root()
    assert str(error.value) == "kubernetes-validate is not installed; run `make setup`"


def test_unknown_fields_are_each_told_and_one_told_for_a_reason_does_not_hide_the_next():
    old = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: x}
        frob: 1
        spec:
          containers:
          - name: a
            image: b:1
            resizePolicy: []
            imagge: c
        """)
    unknown = "schema-unknown-field"
    assert told(old, "1.25") == [
        (unknown, "error", 4, 1, "Pod has no field `frob`",
         "fields allowed here: apiVersion, kind, metadata, spec, status", ANATOMY),
        (unknown, "error", 9, 5, "`resizePolicy` under spec.containers[0] was added in "
         "Kubernetes 1.27; the course's Kubernetes 1.25 does not have it yet",
         "remove it, or run a Kubernetes 1.27 cluster and check with --kube-version 1.27",
         ANATOMY),
        (unknown, "error", 10, 5, "spec.containers[0] has no field `imagge`",
         'did you mean "image"?', ANATOMY),
    ]
    daemon_set = yaml_text("""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: x}
        spec:
          replicas: 2
          minReadySecond: 3
          selector: {matchLabels: {a: b}}
          template:
            metadata: {labels: {a: b}}
            spec: {containers: [{name: a, image: "b:1"}]}
        """)
    assert [t for t in told(daemon_set) if t[0] == unknown] == [
        (unknown, "error", 5, 3, "spec has no field `replicas`", "a DaemonSet has no replicas: it "
         "runs one pod on each node; remove it (a nodeSelector chooses the nodes)",
         "09-workloads#daemonsets"),
        (unknown, "error", 6, 3, "spec has no field `minReadySecond`",
         'did you mean "minReadySeconds"?', ANATOMY),
    ]


def test_base_60_keeps_its_sign_and_a_number_field_does_not_stop_the_warnings_after_it():
    text = yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          replicas: 1:30
          selector: {matchLabels: {app: a}}
          template:
            metadata:
              labels: {app: a}
              annotations: {t: 12:30, u: -1:30, v: +2:00}
            spec: {containers: [{name: a, image: "b:1"}]}
        """)
    base_60 = [(f.line, f.column, f.message) for f in check(text).findings
               if f.rule == "yaml-unquoted-value"]
    said = ("spec.template.metadata.annotations.{}: kubectl reads the unquoted {} as text, but "
            "YAML 1.1 tools (PyYAML, Ansible) read it as the number {}, counting in base 60")
    assert base_60 == [(10, 24, said.format("t", "12:30", 750)),
                       (10, 34, said.format("u", "-1:30", -90)),
                       (10, 44, said.format("v", "+2:00", 120))]
    assert "you wrote \"1:30\"" in check(text).findings[0].message  # the number field itself


@pytest.mark.parametrize(("written", "shown"), [
    ('"zwölf"', '"zwölf"'),  # as written, not as \\u escapes
    ('"' + "x" * 58 + '"', '"' + "x" * 58 + '"'),  # 60 characters with the quotes: in full
    ('"' + "x" * 59 + '"', '"' + "x" * 56 + "..."),  # 61: cut
])
def test_the_value_written_is_shown_as_written_and_cut_past_sixty_characters(written, shown):
    text = f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n" \
           f"  replicas: {written}\n"
    [message] = [f.message for f in check(text).findings if f.rule == "schema-type"]
    assert message == f"spec.replicas must be a whole number such as 3; you wrote {shown}"


def test_a_required_field_written_in_the_wrong_case_is_one_did_you_mean():
    text = ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n"
            "  selector: {app: a}\n  ports: [{PORT: 80}]\n")
    assert [t for t in told(text) if t[0].startswith("schema")] == [
        ("schema-unknown-field", "error", 6, 12, "spec.ports[0] has no field `PORT`",
         'did you mean "port"?', ANATOMY)]


WIDGETS = yaml_text("""
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names: {kind: Widget, plural: widgets}
      versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              required: [spec]
              properties:
                spec:
                  type: object
                  required: [size]
                  properties:
                    size: {type: integer, minimum: 1}
                    colour: {type: string, enum: [Red, Green]}
                    mode: {enum: [1, 2]}
                    code: {type: string, pattern: '^[a-z]+$'}
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w}
    spec:
      size: 0
      colour: red
      mode: 3
      code: ABC
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: v}
    """)


def test_a_custom_resource_gets_enum_range_pattern_and_required_findings_in_full():
    listed = "use one of the values listed"
    compare = "compare this field with the lesson's example"
    assert told(WIDGETS) == [
        ("schema-invalid", "error", 31, 9, "spec.size: 0 is less than the minimum of 1", compare,
         ANATOMY),
        ("schema-enum", "error", 32, 11, 'spec.colour must be one of Red, Green; you wrote "red"',
         "write Red (exactly this spelling)", ANATOMY),
        ("schema-enum", "error", 33, 9, "spec.mode must be one of 1, 2; you wrote 3", listed,
         ANATOMY),
        ("schema-invalid", "error", 34, 9, 'spec.code: "ABC" does not match "^[a-z]+$"', compare,
         ANATOMY),
        ("schema-required", "error", 36, 1, "the object is missing the required field `spec`",
         "add `spec:` under the object", ANATOMY),
    ]


@pytest.mark.parametrize(("kind", "spec", "path", "hint"), [
    ("Deployment", "  labels: {app: a}\n", "spec.labels",
     "`labels` belongs under metadata (the Deployment's own) or under spec.template.metadata "
     "(its pods'), check the indentation"),
    ("Deployment", "  annotations: {a: b}\n", "spec.annotations",
     "`annotations` belongs under metadata (the Deployment's own) or under "
     "spec.template.metadata (its pods'), check the indentation"),
    # a template's namespace is not the pods': the Deployment places them
    ("Deployment", "  namespace: shop\n", "spec.namespace",
     "`namespace` belongs under metadata, check the indentation"),
    ("Deployment", "  template:\n    spec:\n      labels: {app: a}\n",
     "spec.template.spec.labels",
     "`labels` belongs under spec.template.metadata, check the indentation"),
    ("Pod", "  labels: {app: a}\n", "spec.labels",
     "`labels` belongs under metadata, check the indentation"),
    ("Pod", "  containers: [{name: a, image: 'b:1', labels: {app: a}}]\n",
     "spec.containers[0].labels", "`labels` belongs under metadata, check the indentation"),
    ("CronJob", "  jobTemplate:\n    labels: {app: a}\n", "spec.jobTemplate.labels",
     "`labels` belongs under spec.jobTemplate.metadata, check the indentation"),
])
def test_a_metadata_field_written_under_spec_is_sent_to_the_metadata_it_belongs_in(
        kind, spec, path, hint):
    api = {"Deployment": "apps/v1", "Pod": "v1", "CronJob": "batch/v1"}[kind]
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n{spec}"
    [found] = [f for f in check(text).findings if f.dotted_path == path]
    assert (found.rule, found.message, found.hint) == (
        "schema-unknown-field", f"{path.rsplit('.', 1)[0]} has no field "
        f"`{path.rsplit('.', 1)[1]}`", hint)


def test_a_custom_resources_any_of_names_its_types_or_else_says_what_the_schema_says():
    """An int-or-string field of a CRD is an anyOf of two types; an anyOf of other
    constraints (one of two fields required) has no type to name."""
    text = yaml_text("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Gadget, plural: gadgets}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      anyOf: [{required: [size]}, {required: [count]}]
                      properties:
                        size: {x-kubernetes-int-or-string: true,
                               anyOf: [{type: integer}, {type: string}]}
                        count: {type: integer}
        ---
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {name: w}
        spec:
          size: [1]
        ---
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {name: v}
        spec: {}
        """)
    assert told(text) == [
        ("schema-type", "error", 28, 3, "spec.size must be a whole number such as 3 or text; you "
         "wrote a list", "this field holds one text value, not nested lines; check the "
         "indentation", ANATOMY),
        ("schema-invalid", "error", 33, 7, "spec: {} is not valid under any of the schemas listed "
         "in the 'anyOf' keyword", "compare this field with the lesson's example", ANATOMY),
    ]


def test_a_secret_value_of_the_wrong_type_is_never_repeated_back():
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {pin: 1234}\n"
    assert told(text) == [(
        "schema-type", "error", 4, 19, "stringData.pin must be text; you wrote a value (hidden: "
        "Secret values are never shown)", "a Secret's values are text: put the value in quotes",
        ANATOMY)]


@pytest.mark.parametrize(("written", "shown", "hint"), [
    ("""'"3"'""", '"\\"3\\""', "write the number without quotes: 3"),  # quoted twice
    ('" 3 "', '" 3 "', "write the number without quotes: 3"),
    ('"3X"', '"3X"', "write a number with digits, without quotes, e.g. 3"),
])
def test_a_number_in_quotes_is_told_to_drop_them_and_anything_else_to_use_digits(
        written, shown, hint):
    [found] = findings(DEPLOYMENT.replace("{spec}", f"replicas: {written}"), "schema-type")
    assert found.message == f"spec.replicas must be a whole number such as 3; you wrote {shown}"
    assert found.hint == hint


def test_base_60_with_a_fraction_is_a_number_without_its_value_and_a_stale_spelling_none():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {t: 1:30.5}\n"
    assert told(text) == [(
        "yaml-unquoted-value", "warning", 4, 11, "data.t: kubectl reads the unquoted 1:30.5 as "
        "text, but YAML 1.1 tools (PyYAML, Ansible) read it as a number, counting in base 60",
        'put it in quotes: "1:30.5", so every tool reads the same value', YAML)]
    # the key written again: the value kept is 5, so 12:30 is read by no tool at all
    twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {t: 12:30, t: 5}\n"
    assert [f for f in check(twice).findings if f.severity is Severity.WARNING] == []


@pytest.mark.parametrize(("kind", "spec", "hint"), [
    # lives only eight levels down (a node affinity term): too far to be what was meant
    ("Deployment", "  matchFields: []\n", "fields allowed here: minReadySeconds, paused, "
     "progressDeadlineSeconds, replicas, revisionHistoryLimit, selector, strategy, template"),
    # a recursive schema (JSONSchemaProps holds JSONSchemaProps): the search still ends
    ("CustomResourceDefinition", "  frob: 1\n", "fields allowed here: conversion, group, "
     "names, preserveUnknownFields, scope, versions"),
])
def test_a_field_found_nowhere_near_lists_the_fields_allowed_here(kind, spec, hint):
    api = {"Deployment": "apps/v1", "CustomResourceDefinition": "apiextensions.k8s.io/v1"}[kind]
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n{spec}"
    [found] = [f for f in check(text).findings if f.rule == "schema-unknown-field"]
    assert found.hint == hint


def test_a_custom_resources_odd_schema_is_still_told_in_a_learners_words():
    """Schemas the API server would refuse in a CRD (a type inside allOf, a list of item
    schemas) are still checked; a custom kind called Secret keeps its values hidden."""
    text = yaml_text("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: secrets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Secret, plural: secrets}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    data:
                      type: object
                      additionalProperties: {type: string, pattern: '^[a-z]+$'}
                    spec:
                      type: object
                      properties:
                        count: {allOf: [{type: integer}]}
                        maybe: {allOf: [{type: [integer, "null"]}]}
                        list: {type: array, items: [{type: integer}]}
                        box: {type: object, properties: {}}
        ---
        apiVersion: example.com/v1
        kind: Secret
        metadata: {name: s}
        data: {pin: ABC}
        spec: {count: x, maybe: x2, list: [a], box: {a: 1}}
        """)
    number = "must be a whole number such as 3; you wrote"
    digits = "write a number with digits, without quotes, e.g. 3"
    assert [t for t in told(text) if t[2] > 23] == [
        ("schema-invalid", "error", 30, 13, "data.pin: this value is not accepted",
         "compare this field with the lesson's example", ANATOMY),
        ("schema-type", "error", 31, 15, f'spec.count {number} "x"', digits, ANATOMY),
        ("schema-type", "error", 31, 25, f'spec.maybe {number} "x2"', digits, ANATOMY),
        ("schema-type", "error", 31, 36, f'spec.list[0] {number} "a"', digits, ANATOMY),
        ("schema-unknown-field", "error", 31, 46, "spec.box has no field `a`", "remove it",
         ANATOMY),
    ]


@pytest.mark.parametrize(("text", "told_as"), [
    # matchLabels under a Deployment's selector is right; only its shape is wrong
    ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n"
     "  selector: {matchLabels: [a]}\n",
     ("schema-type", "error", 5, 14, "spec.selector.matchLabels must be a mapping of `key: value` "
      "lines; you wrote a list", "remove the `- `: this field holds `key: value` lines, not a "
      "list", ANATOMY)),
    # a Service's other fields are told as any other kind's
    ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: {port: 80}\n",
     ("schema-type", "error", 5, 3, "spec.ports must be a list (lines starting with `- `); you "
      "wrote a mapping", "start each item on its own line with `- `", ANATOMY)),
])
def test_only_a_services_selector_gets_the_deployment_habit_message(text, told_as):
    assert told_as in told(text)
    assert not [t for t in told(text) if "belongs to Deployments" in t[4]]


@pytest.mark.parametrize(("where", "listed"), [
    # a container's securityContext has exactly twelve fields: all of them
    ("containers: [{name: a, image: 'b:1', securityContext: {frob: 1}}]",
     "allowPrivilegeEscalation, appArmorProfile, capabilities, privileged, procMount, "
     "readOnlyRootFilesystem, runAsGroup, runAsNonRoot, runAsUser, seLinuxOptions, "
     "seccompProfile, windowsOptions"),
    # the pod's has thirteen: the first twelve, and a sign that there are more
    ("securityContext: {frob: 1}", "appArmorProfile, fsGroup, fsGroupChangePolicy, runAsGroup, "
     "runAsNonRoot, runAsUser, seLinuxChangePolicy, seLinuxOptions, seccompProfile, "
     "supplementalGroups, supplementalGroupsPolicy, sysctls, ..."),
])
def test_up_to_twelve_allowed_fields_are_listed_in_full(where, listed):
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  {where}\n"
    [found] = [f for f in check(text).findings if f.rule == "schema-unknown-field"]
    assert found.hint == f"fields allowed here: {listed}"


NO_KIND = ("missing-kind", "error", "the object has no kind, so Kubernetes cannot tell what "
           "to create", "add `kind:` with the type of object, e.g. `kind: Deployment`", ANATOMY)
NO_API = "the object has no apiVersion, so Kubernetes cannot tell which API it belongs to"


@pytest.mark.parametrize(("text", "line", "hint"), [
    ("metadata: {name: x}\n", 1, None),  # no kind line: the finding is on the object
    ("apiVersion: v1\nkind: ''\nmetadata: {name: x}\n", 2, None),  # on the empty kind
    ("kind: Deployment\nmetadata: {name: x}\n", 1, "add `apiVersion: apps/v1` above "
     "`kind: Deployment`"),
    ("metadata: {name: x}\napiVersion: 5\nkind: deployment\n", 2, "add `apiVersion: apps/v1` "
     "above `kind: deployment`"),  # on the apiVersion line; the kind found whatever its case
    ("apiVersion: ''\nkind: Frobnicator\nmetadata: {name: x}\n", 1, "add `apiVersion: v1` "
     "above `kind: Frobnicator`"),  # a kind nobody knows: the core group's
])
def test_a_missing_kind_or_api_version_is_told_where_it_is_missing(text, line, hint):
    if hint is None:
        expected = (NO_KIND[0], NO_KIND[1], line, 1, *NO_KIND[2:])
    else:
        expected = ("missing-api-version", "error", line, 1, NO_API, hint, ANATOMY)
    assert told(text) == [expected]
    # the field path names the line written, or none: the object as a whole
    [finding] = check(text).findings
    field = "kind" if hint is None else "apiVersion"
    assert finding.dotted_path == (field if f"{field}:" in text else "")


def test_a_removed_api_version_names_the_one_the_rest_was_checked_against():
    text = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: x}\n"
    assert told(text) == [(
        "unknown-api-version", "error", 1, 13, "extensions/v1beta1 for Ingress was removed in "
        "Kubernetes 1.22; old tutorials still show it (the rest of this Ingress was checked as "
        "networking.k8s.io/v1)", "write `apiVersion: networking.k8s.io/v1`", KINDS)]


def test_an_unknown_kube_version_lists_the_ones_there_are():
    with pytest.raises(ValueError) as error:
        normalize_version("1.99")
    assert str(error.value) == ("no schemas for Kubernetes 1.99; choose one of "
                                + ", ".join(supported_versions()))


@pytest.mark.parametrize("api_version", ["example.com/v2", "example.com/v1/v2"])
def test_a_custom_resource_of_a_version_its_definition_does_not_serve(api_version):
    crd = WIDGETS.split("---\n")[0]
    text = f"{crd}---\napiVersion: {api_version}\nkind: Widget\nmetadata: {{name: w}}\n" \
           "spec: {size: 1}\n"
    assert told(text) == [(
        "unknown-api-version", "error", 27, 13, "the Widget definition in this answer serves "
        f"example.com/v1, not {api_version}", "write `apiVersion: example.com/v1`", KINDS)]


def test_a_custom_kind_is_told_the_versions_its_definition_serves_and_no_other_kinds():
    crd = WIDGETS.split("---\n")[0]
    free = ("      schema: {openAPIV3Schema: {type: object, "
            "x-kubernetes-preserve-unknown-fields: true}}\n")
    two = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: widgets.example.com}\nspec:\n  group: example.com\n"
           "  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n"
           "    - name: v1\n      served: true\n      storage: false\n" + free +
           "    - name: v2\n      served: true\n      storage: true\n" + free)
    widget = "---\napiVersion: example.com/v3\nkind: Widget\nmetadata: {name: w}\n"
    [found] = [f for f in check(two + widget).findings if f.rule == "unknown-api-version"]
    assert (found.message, found.hint) == (
        "the Widget definition in this answer serves example.com/v1, example.com/v2, not "
        "example.com/v3", "write `apiVersion: example.com/v2`")
    # a kind no definition of the answer makes: not checked, and no other kind's versions
    gadget = "---\napiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
    assert [(f.rule, f.severity) for f in check(crd + gadget).findings] == [
        ("custom-resource", Severity.INFO)]


def test_a_kind_that_is_not_text_is_no_kind_even_beside_a_custom_definition():
    crd = WIDGETS.split("---\n")[0]
    text = f"{crd}---\napiVersion: example.com/v1\nkind: [Widget]\nmetadata: {{name: w}}\n"
    assert told(text) == [(NO_KIND[0], NO_KIND[1], 28, 1, *NO_KIND[2:])]


def test_a_field_the_schema_flagged_is_not_judged_again_by_a_rule_in_any_object():
    # `metadata: web` is the mistake; missing-name would be the same one told twice,
    # in the first object as much as in the last
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: web\n"
    assert [(t[0], t[2]) for t in told(config + "---\n" + config)] == [
        ("schema-type", 3), ("schema-type", 7)]
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata: {{name: {name}}}\nspec:\n"
           "  restartPolicy: Never\n  template:\n"
           "    spec: {{containers: [{{name: a, image: 'busybox:1.36'}}]}}\n")
    # job-restart-policy stays quiet for the first Job as much as for the last; findings
    # about other fields are kept
    assert [(t[0], t[2]) for t in told(job.format(name="a") + "---\n" + job.format(name="b"))
            ] == [("schema-unknown-field", 5), ("no-resources", 7),
                  ("schema-unknown-field", 13), ("no-resources", 15)]


def test_the_schema_stage_takes_any_iterable_of_objects():
    from k8s_course.pipeline import load
    from k8s_course.schema import check_all

    bundle, _ = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 5}\n"
                     "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns, x: 1}\n")
    as_list = check_all(bundle.resources, "1.36")
    assert check_all(iter(bundle.resources), "1.36") == as_list
    assert [f.dotted_path for f in as_list[0]] == ["data.a", "metadata.x"]


def test_a_field_that_belongs_one_level_down_is_sent_to_the_neighbour_that_has_it():
    """The neighbour first: the shortest path with a `name` anywhere in a Pod is spec.os."""
    text = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: b:1
              env:
                - name: LOG
                  valueFrom: {name: settings, key: level}
        """)
    where = "spec.containers[0].env[0].valueFrom"
    assert [(t[4], t[5]) for t in told(text)] == [
        (f"{where} has no field `name`", f"`name` belongs under {where}.configMapKeyRef, "
         "check the indentation"),
        (f"{where} has no field `key`", f"`key` belongs under {where}.configMapKeyRef, "
         "check the indentation")]


def test_a_mistake_of_the_whole_object_does_not_hide_a_rules_finding_inside_it():
    """A custom kind whose schema wants `spec` or `data`: the object as a whole is refused;
    that it has no name is another mistake, told too."""
    text = yaml_text("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Gadget, plural: gadgets}
          versions:
            - name: v1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  anyOf: [{required: [spec]}, {required: [data]}]
                  x-kubernetes-preserve-unknown-fields: true
        ---
        apiVersion: example.com/v1
        kind: Gadget
        metadata: {labels: {a: b}}
        """)
    assert [(t[0], t[2]) for t in told(text)] == [("schema-invalid", 18), ("missing-name", 20)]
