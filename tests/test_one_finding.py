"""One mistake, one finding; sure where the answer shows it, quiet where it cannot know.

Each test names the rule, the severity and the line a learner sees.
"""

from __future__ import annotations

import pytest

from k8s_course import check
from k8s_course.batch import check_files
from k8s_course.findings import Severity

from .conftest import yaml_text

DEPLOYMENT = yaml_text("""
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
              ports:
                - containerPort: 8080
    """)
SERVICE = yaml_text("""
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
    """)


def loud(report) -> list[tuple[str, Severity, int]]:
    return [(f.rule, f.severity, f.line) for f in report.findings
            if f.severity is not Severity.INFO]


def test_a_misspelt_required_field_is_one_did_you_mean():
    report = check(DEPLOYMENT.replace("      containers:", "      contianers:"))
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 15)]
    assert report.errors[0].hint == 'did you mean "containers"?'


def test_misspelt_template_labels_do_not_also_blame_the_selector():
    report = check(DEPLOYMENT.replace("      labels:\n        app: web\n    spec:",
                                      "      lables:\n        app: web\n    spec:"))
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 12)]


def test_a_misspelt_match_labels_is_not_also_an_empty_selector():
    report = check(DEPLOYMENT.replace("matchLabels:", "matchLabel:"))
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 8)]
    assert report.errors[0].hint == 'did you mean "matchLabels"?'


def test_a_misspelt_name_is_not_also_a_missing_name():
    report = check(SERVICE.replace("  name: web", "  nmae: web"))
    assert [(f.rule, f.line) for f in report.errors] == [("schema-unknown-field", 4)]


def test_a_missing_separator_is_told_once_and_both_objects_are_checked():
    report = check(DEPLOYMENT + SERVICE)  # no `---` between them
    assert loud(report) == [("yaml-missing-separator", Severity.ERROR, 20)]
    assert "---" in report.errors[0].hint and "line 20" in report.errors[0].hint
    assert [r.kind for r in report.bundle] == ["Deployment", "Service"]


def test_a_key_written_twice_is_still_a_duplicate_key_not_a_separator():
    text = "apiVersion: v1\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: a\n"
    assert loud(check(text)) == [("yaml-duplicate-key", Severity.ERROR, 3)]


def test_a_wrong_api_version_is_reported_and_the_rest_still_checked():
    report = check(DEPLOYMENT.replace("apps/v1", "v1").replace("replicas: 2", 'replicas: "3"'))
    assert loud(report) == [("unknown-api-version", Severity.ERROR, 1),
                            ("schema-type", Severity.ERROR, 6)]
    assert "checked as apps/v1" in report.errors[0].message


def test_a_service_in_a_namespace_with_workloads_that_selects_nothing_is_an_error():
    report = check(DEPLOYMENT + "---\n" + SERVICE.replace("app: web", "app: frontend"))
    assert loud(report) == [("service-selects-nothing", Severity.ERROR, 27)]


def test_a_service_whose_namespace_has_no_workload_in_the_answer_is_only_reminded():
    elsewhere = DEPLOYMENT.replace("  name: web\n", "  name: web\n  namespace: other\n", 1)
    report = check(elsewhere + "---\n" + SERVICE.replace("app: web", "app: api"))
    [finding] = [f for f in report.findings if f.rule == "service-selects-nothing"]
    assert (finding.severity, finding.line) == (Severity.INFO, 27)


HPA = yaml_text("""
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: web
    spec:
      scaleTargetRef:
        apiVersion: apps/v1
        kind: Deployment
        name: {name}
      minReplicas: 1
      maxReplicas: 3
    """)


def test_an_hpa_target_one_letter_off_a_workload_of_the_answer_is_an_error():
    report = check(HPA.format(name="wbe") + "---\n" + DEPLOYMENT)
    [finding] = [f for f in report.findings if f.rule == "hpa-target-missing"]
    assert (finding.severity, finding.line) == (Severity.ERROR, 9)
    assert finding.hint == "did you mean `name: web`?"


def test_an_hpa_target_with_no_workload_of_that_kind_around_is_an_info():
    report = check(HPA.format(name="api"))
    [finding] = [f for f in report.findings if f.rule == "hpa-target-missing"]
    assert (finding.severity, finding.line) == (Severity.INFO, 9)


def test_a_target_port_no_selected_pod_declares_is_an_error():
    report = check(DEPLOYMENT + "---\n" + SERVICE.replace("targetPort: 8080", "targetPort: 80"))
    assert loud(report) == [("target-port-unknown", Severity.ERROR, 30)]


def test_node_port_zero_means_unset():
    text = SERVICE.replace("spec:\n", "spec:\n  type: NodePort\n").replace(
        "targetPort: 8080", "targetPort: 8080\n      nodePort: 0")
    assert loud(check(DEPLOYMENT + "---\n" + text)) == []
    assert loud(check(DEPLOYMENT + "---\n" + text.replace("nodePort: 0", "nodePort: 80"))) == [
        ("node-port-invalid", Severity.ERROR, 32)]


def test_a_kind_list_is_checked_item_by_item_at_the_items_lines():
    items = "".join("  - " + text.replace("\n", "\n    ").rstrip() + "\n"
                    for text in (DEPLOYMENT, SERVICE.replace("port: 80", "prot: 80")))
    report = check("apiVersion: v1\nkind: List\nitems:\n" + items)
    assert [r.ref for r in report.bundle] == ["Deployment/web", "Service/web"]
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 31)]
    assert report.errors[0].column == 11


def test_a_typed_list_as_the_api_returns_it_is_expanded_too():
    items = "  - " + SERVICE.replace("\n", "\n    ").rstrip() + "\n"
    report = check("apiVersion: v1\nkind: ServiceList\nitems:\n" + items)
    assert [r.ref for r in report.bundle] == ["Service/web"]


def test_an_unknown_custom_kind_is_not_checked_and_says_so():
    report = check("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
                   "spec:\n  anything: 1\n")
    [finding] = report.findings
    assert (finding.rule, finding.severity, finding.line) == (
        "custom-resource", Severity.INFO, 2)
    assert finding.message.startswith("not checked: no schema for this kind")


CRD = yaml_text("""
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names:
        kind: Widget
        plural: widgets
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
                  required: [size]
                  properties:
                    size:
                      type: integer
                    extra:
                      type: object
                      x-kubernetes-preserve-unknown-fields: true
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    spec:
    """)


def test_a_crd_in_the_answer_checks_its_custom_resources():
    assert loud(check(CRD + "  size: 3\n  extra:\n    free: form\n")) == []
    report = check(CRD + '  size: "3"\n  colour: red\n')
    assert loud(report) == [("schema-type", Severity.ERROR, 34),
                            ("schema-unknown-field", Severity.ERROR, 35)]
    assert loud(check(CRD + "  sise: 3\n")) == [("schema-unknown-field", Severity.ERROR, 34)]


def test_a_custom_kind_whose_crd_says_cluster_lives_outside_namespaces(tmp_path):
    cluster_wide = CRD.replace("scope: Namespaced", "scope: Cluster").replace(
        "  name: w\n", "  name: w\n  namespace: shop\n")
    report = check(cluster_wide + "  size: 3\n")
    # the namespace is ignored, as on a PersistentVolume; no "namespace shop not created"
    assert loud(report) == [("namespace-on-cluster-scoped", Severity.WARNING, 33)]
    assert report.findings[-1].namespace == "" and report.bundle.resources[1].namespace == ""
    namespaced = check(CRD.replace("  name: w\n", "  name: w\n  namespace: shop\n") +
                       "  size: 3\n")
    assert [f.rule for f in namespaced.findings if f.severity is not Severity.INFO] == [
        "namespace-not-created"]
    # the CRD in one file, its resource in another: the same, whatever the jobs
    crd, widget = cluster_wide.split("---\n")
    (tmp_path / "a.yaml").write_text(crd)
    (tmp_path / "b.yaml").write_text(widget + "  size: 3\n")
    for jobs in (1, 2):
        files = check_files([tmp_path / "a.yaml", tmp_path / "b.yaml"], jobs=jobs)
        assert loud(files) == [("namespace-on-cluster-scoped", Severity.WARNING, 5)]


def test_status_on_a_custom_resource_follows_its_crd():
    with_status = CRD.replace(
        "            spec:\n              type: object\n              required: [size]",
        "            status:\n              type: object\n              required: [ready]\n"
        "            spec:\n              type: object\n              required: [size]")
    assert with_status != CRD
    report = check(with_status + "  size: 3\nstatus:\n  phase: x\n")
    assert [(f.rule, f.severity) for f in report.findings] == [("status-section", Severity.INFO)]
    report = check(CRD + "  size: 3\nstatus:\n  phase: x\n")  # the CRD has no status
    assert [(f.rule, f.path) for f in report.findings] == [("schema-unknown-field", ("status",))]


def test_a_cluster_scoped_custom_kind_is_known_from_loading_alone():
    from k8s_course.pipeline import load

    bundle, _ = load(CRD.replace("scope: Namespaced", "scope: Cluster") + "  size: 3\n")
    assert bundle.resources[1].cluster_scoped and bundle.resources[1].namespace == ""


def test_the_same_object_twice_is_an_error_naming_both_places_and_the_last_one_counts():
    first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  A: a\n"
    second = first.replace("A: a", "B: b")
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
            - name: c
              image: nginx:1.27
              env:
                - name: A
                  valueFrom:
                    configMapKeyRef:
                      name: s
                      key: A
        """)
    report = check(first + "---\n" + second + "---\n" + pod)
    assert loud(report) == [("duplicate-object", Severity.ERROR, 11),
                            ("config-key-missing", Severity.ERROR, 28)]
    assert "first on line 4" in report.errors[0].message
    assert "(its keys: B)" in report.errors[1].message


def test_the_same_object_in_two_files_names_the_other_file(tmp_path):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n"
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    [finding] = check(tmp_path).errors
    assert (finding.rule, finding.line) == ("duplicate-object", 4)
    assert finding.file.endswith("b.yaml") and "a.yaml, line 4" in finding.message


def test_a_field_of_a_later_kubernetes_says_when_it_was_added():
    text = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
            - name: c
              image: nginx:1.27
          volumes:
            - name: scratch
              emptyDir:
                mode: 448
        """)
    [finding] = check(text).errors
    assert (finding.rule, finding.line) == ("schema-unknown-field", 12)
    assert "added in Kubernetes 1.37" in finding.message
    assert check(text, kube_version="1.37").errors == []


def test_a_reference_one_letter_off_an_object_of_the_answer_suggests_it():
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
            - name: c
              image: nginx:1.27
              envFrom:
                - configMapRef:
                    name: app-setings
        """)
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\n---\n"
    [finding] = [f for f in check(config + pod).findings
                 if f.rule == "referenced-object-missing"]
    assert (finding.severity, finding.line) == (Severity.WARNING, 16)
    assert finding.hint == "did you mean `app-settings`?"
    [far] = [f for f in check(pod).findings if f.rule == "referenced-object-missing"]
    assert far.severity is Severity.INFO


def test_the_selector_hint_says_to_fix_the_template_as_lesson_03_does():
    report = check(DEPLOYMENT.replace("      labels:\n        app: web",
                                      "      labels:\n        app: frontend"))
    [finding] = report.errors
    assert (finding.rule, finding.line) == ("selector-matches-template", 13)
    assert "put app: web under spec.template.metadata.labels" in finding.hint
    assert "keep the selector" in finding.hint


def test_a_service_selects_the_pods_of_the_last_definition_only():
    relabelled = DEPLOYMENT.replace("app: web", "app: api")
    report = check(DEPLOYMENT + "---\n" + relabelled + "---\n" + SERVICE)
    # the second Deployment web replaces the first, so no pod carries app: web any more
    assert loud(report) == [("duplicate-object", Severity.ERROR, 24),
                            ("service-selects-nothing", Severity.ERROR, 47)]


def test_labels_one_level_too_shallow_belong_in_metadata_and_are_told_once():
    report = check(DEPLOYMENT.replace("      labels:\n        app: web\n    spec:",
                                      "    labels:\n      app: web\n    spec:"))
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 12)]
    assert report.errors[0].hint == ("`labels` belongs under spec.template.metadata, "
                                     "check the indentation")


def test_misspelt_pod_labels_do_not_also_blame_the_service_or_the_budget():
    misspelt = DEPLOYMENT.replace("      labels:\n        app: web\n    spec:",
                                  "      lables:\n        app: web\n    spec:")
    budget = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n"
              "spec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n")
    report = check(misspelt + "---\n" + SERVICE + "---\n" + budget)
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 12)]


def test_a_misspelt_namespace_does_not_send_the_service_after_the_pods():
    placed = DEPLOYMENT.replace("  name: web\n", "  name: web\n  namespce: shop\n", 1)
    service = SERVICE.replace("  name: web\n", "  name: web\n  namespace: shop\n", 1)
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n"
    report = check(namespace + placed + "---\n" + service)
    assert loud(report) == [("schema-unknown-field", Severity.ERROR, 10)]


def test_a_custom_resource_in_a_version_its_crd_does_not_serve_is_an_error():
    report = check(CRD.replace("apiVersion: example.com/v1", "apiVersion: example.com/v2")
                   + "  size: 3\n")
    assert loud(report) == [("unknown-api-version", Severity.ERROR, 29)]
    assert report.errors[0].hint == "write `apiVersion: example.com/v1`"


def test_a_role_ref_one_letter_off_a_role_of_the_answer_suggests_it():
    role = yaml_text("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: pod-reader
        rules:
          - apiGroups: [""]
            resources: [pods]
            verbs: [get]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read-pods
        subjects:
          - kind: User
            name: jane
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: Role
          name: pod-raeder
        """)
    [finding] = [f for f in check(role).findings if f.rule == "role-ref-missing"]
    assert (finding.severity, finding.line) == (Severity.WARNING, 20)
    assert finding.hint == "did you mean `name: pod-reader`?"


def test_an_ingress_backend_one_letter_off_a_service_suggests_it():
    ingress = yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
        spec:
          defaultBackend:
            service:
              name: webb
              port:
                number: 80
        """)
    [finding] = [f for f in check(DEPLOYMENT + "---\n" + SERVICE + "---\n" + ingress).findings
                 if f.rule == "ingress-backend-unknown"]
    assert (finding.severity, finding.line) == (Severity.WARNING, 39)
    assert finding.hint == "did you mean `name: web`?"


def test_a_crd_schema_with_a_ref_is_not_followed_and_its_resources_not_checked():
    text = CRD.replace("type: integer", "$ref: https://example.com/size.json")
    report = check(text + "  size: 3\n")
    [finding] = [f for f in report.findings if f.rule == "custom-resource"]
    assert (finding.severity, finding.line) == (Severity.INFO, 30)
    assert (finding.message, finding.hint, finding.lesson) == (
        "not checked: the schema of the Widget definition "
        "(CustomResourceDefinition/widgets.example.com) could not be read",
        "check its openAPIV3Schema", "01-manifest-anatomy#kinds")


def test_a_custom_resource_is_checked_against_its_own_definition():
    report = check(CRD + "  size: three\n  colour: red\n")
    assert [(f.rule, f.line, f.column, f.message, f.hint) for f in report.findings] == [
        ("schema-type", 34, 9, 'spec.size must be a whole number such as 3; you wrote "three"',
         "write a number with digits, without quotes, e.g. 3"),
        ("schema-unknown-field", 35, 3, "spec has no field `colour`",
         "fields allowed here: extra, size")]


@pytest.mark.parametrize("schema", [
    "{properties: [1, 2]}", "{properties: 3}", "[1]", "{type: object, properties: {spec: 5}}",
    "{additionalProperties: 3, properties: {}}", "{properties: {spec: {oneOf: 1}}}",
    "{properties: {spec: {type: object, properties: {size: {pattern: '['}}}}}",
])
def test_a_broken_crd_schema_never_crashes_the_check(schema):
    definition, resource = CRD.split("---\n")
    cut = definition.index("openAPIV3Schema:")  # the last field of the CRD
    report = check(definition[:cut] + f"openAPIV3Schema: {schema}\n---\n" + resource
                   + "  size: 3\n")
    assert {"checker-bug", "yaml-syntax"} & report.rules() == set()
    assert report.bundle.find("Widget", "w") is not None


def test_an_ingress_backend_with_no_service_in_its_namespace_is_only_reminded():
    ingress = yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: edge
        spec:
          defaultBackend:
            service:
              name: web
              port:
                number: 80
        """)
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n---\n"
    report = check(namespace + SERVICE + "---\n" + ingress)
    [finding] = [f for f in report.findings if f.rule == "ingress-backend-unknown"]
    assert (finding.severity, finding.line) == (Severity.INFO, 25)


def test_a_crd_field_called_properties_is_a_name_not_a_keyword():
    text = CRD.replace("                size:\n", "                properties:\n"
                       "                  type: object\n"
                       "                  properties:\n"
                       "                    colour: {type: string}\n"
                       "                size:\n")
    assert loud(check(text + "  size: 3\n  properties:\n    colour: red\n")) == []
    report = check(text + "  size: 3\n  properties:\n    color: red\n")
    assert [(f.rule, f.line) for f in report.errors] == [("schema-unknown-field", 40)]


def test_an_hpa_naming_the_right_workload_with_the_wrong_kind_says_which_kind():
    stateful = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace(
        "spec:\n  replicas", "spec:\n  serviceName: web\n  replicas")
    report = check(HPA.format(name="web") + "---\n" + stateful)
    [finding] = [f for f in report.findings if f.rule == "hpa-target-missing"]
    assert (finding.severity, finding.line) == (Severity.ERROR, 8)
    assert finding.hint == "write `kind: StatefulSet` (and its apiVersion)"
