"""Cross-resource rules see the whole answer: every document of every file given together."""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_course import check
from k8s_course.findings import Severity
from k8s_course.graph import graph_of

from .conftest import yaml_text

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mlops\n"


def deployment(labels: str = "app: fastapi-app", namespace: str = "mlops",
               port: str = "- containerPort: 8000\n  name: http") -> str:
    ports = "\n".join("                " + line for line in port.splitlines())
    return yaml_text(f"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: fastapi-app
          namespace: {namespace}
        spec:
          replicas: 2
          selector:
            matchLabels: {{{labels}}}
          template:
            metadata:
              labels: {{{labels}}}
            spec:
              containers:
              - name: api
                image: tiangolo/uvicorn-gunicorn-fastapi:python3.11
                resources: {{requests: {{cpu: 100m}}}}
                ports:
""") + ports + "\n"


def service(selector: str = "app: fastapi-app", namespace: str = "mlops",
            target: str = "http") -> str:
    return yaml_text(f"""
        apiVersion: v1
        kind: Service
        metadata:
          name: fast-api-service
          namespace: {namespace}
        spec:
          selector: {{{selector}}}
          ports:
          - port: 80
            targetPort: {target}
        """)


def files(tmp_path: Path, **texts: str) -> list[Path]:
    paths = []
    for name, text in texts.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        paths.append(path)
    return paths


def loud(report) -> list[tuple[str, str, int]]:
    return [(Path(f.file).name, f.rule, f.line) for f in report.findings
            if f.severity is not Severity.INFO]


def test_service_and_deployment_in_separate_files_are_related(tmp_path):
    paths = files(tmp_path, ns=NAMESPACE, app=deployment(), svc=service())
    assert loud(check(paths)) == []


def test_service_selecting_nothing_is_reported_in_its_own_file_at_the_selector_key(tmp_path):
    paths = files(tmp_path, ns=NAMESPACE, app=deployment(),
                  svc=service(selector="app: fastapi-app, tier: web"))
    report = check(paths)
    assert loud(report) == [("svc.yaml", "service-selects-nothing", 7)]
    [finding] = report.errors
    assert finding.dotted_path == "spec.selector.tier"
    assert "tier: web" in finding.message


def test_each_file_alone_cannot_see_the_other(tmp_path):
    _, app, svc = files(tmp_path, ns=NAMESPACE, app=deployment(), svc=service())
    # Alone, the Service cannot be checked (info only) and both warn about mlops.
    alone = check(svc)
    assert [f.rule for f in alone.findings if f.severity is Severity.INFO] == [
        "service-selects-nothing"]
    assert loud(alone) == [("svc.yaml", "namespace-not-created", 5)]
    assert "target-port-unknown" not in check([app, svc]).rules()


def test_service_and_pods_in_different_namespaces(tmp_path):
    paths = files(tmp_path, ns=NAMESPACE, app=deployment(),
                  svc=service(namespace="default"))
    report = check(paths)
    assert loud(report) == [("svc.yaml", "service-other-namespace", 5)]
    assert "mlops" in report.errors[0].message


def test_target_port_by_name_and_by_number_across_documents():
    both = NAMESPACE + "---\n" + deployment() + "---\n"
    assert loud(check(both + service(target="web"))) == [
        ("<answer>", "target-port-unknown", 36)]
    assert check(both + service(target="web")).errors[0].rule == "target-port-unknown"
    numbered = check(both + service(target="8080"))
    assert [(f.rule, f.severity) for f in numbered.findings if f.rule != "no-resources"] == [
        ("target-port-unknown", Severity.ERROR)]  # the pods plainly declare 8000
    assert loud(check(both + service(target="8000"))) == []


def test_namespace_created_in_another_file_counts_but_order_in_one_file_matters(tmp_path):
    assert loud(check(files(tmp_path, a=deployment(), b=NAMESPACE))) == []
    same_file = check(deployment() + "---\n" + NAMESPACE)
    # Reported on the Namespace, the document to move up.
    assert loud(same_file) == [("<answer>", "namespace-after-use", 23)]


def test_namespace_not_created_is_reported_once_per_namespace():
    report = check(deployment() + "---\n" + service())
    [warning] = report.warnings
    assert warning.rule == "namespace-not-created" and "1 more object" in warning.message


def test_config_keys_resolve_across_files_and_only_in_the_same_namespace(tmp_path):
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n" \
             "  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n"
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: api
          namespace: mlops
        spec:
          containers:
          - name: api
            image: busybox:1.37
            env:
            - name: LOG
              valueFrom:
                configMapKeyRef: {name: settings, key: LOGLEVEL}
        """)
    wrong_key = check(files(tmp_path, ns=NAMESPACE, cm=config.format(ns="mlops"), pod=pod))
    assert loud(wrong_key) == [("pod.yaml", "config-key-missing", 13)]
    # A ConfigMap of that name in another namespace is not the one the pod reads.
    elsewhere = check(files(tmp_path, ns=NAMESPACE, cm=config.format(ns="default"), pod=pod))
    assert loud(elsewhere) == []


def test_statefulset_finds_its_headless_service_in_another_file(tmp_path):
    stateful = yaml_text("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db}
        spec:
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "postgres:17", ports: [{containerPort: 5432}]}]
        """)
    headless = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n" \
               "  clusterIP: None\n  selector: {app: db}\n  ports: [{port: 5432}]\n"
    assert "statefulset-service-missing" in check(stateful).rules()
    assert "statefulset-service-missing" not in check(files(tmp_path, s=stateful,
                                                            h=headless)).rules()
    not_headless = check([stateful, headless.replace("  clusterIP: None\n", "")])
    assert [(f.rule, f.severity) for f in not_headless.findings
            if f.rule == "statefulset-service-missing"] == [
        ("statefulset-service-missing", Severity.WARNING)]


def test_hpa_pdb_and_rbac_references_across_files(tmp_path):
    hpa = yaml_text("""
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: api, namespace: mlops}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: fastapi-app}
          minReplicas: 2
          maxReplicas: 6
        """)
    pdb = yaml_text("""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: api, namespace: mlops}
        spec:
          minAvailable: 2
          selector: {matchLabels: {app: fastapi-app}}
        """)
    paths = files(tmp_path, ns=NAMESPACE, app=deployment(), hpa=hpa, pdb=pdb)
    report = check(paths)
    # The autoscaler's minimum is 2 and minAvailable 2: no pod may ever be evicted. The
    # Deployment's own `replicas` fights the autoscaler found in another file.
    assert loud(report) == [("app.yaml", "hpa-fights-replicas", 7),
                            ("pdb.yaml", "pdb-blocks-disruption", 5)]
    renamed = check(files(tmp_path, ns=NAMESPACE, app=deployment(labels="app: api"),
                          hpa=hpa.replace("fastapi-app", "api-app"), pdb=pdb))
    assert {rule for _, rule, _ in loud(renamed)} == {"hpa-target-missing",
                                                     "pdb-selects-nothing"}


def test_role_binding_finds_its_role_in_another_file(tmp_path):
    role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n" \
           "  name: reader\n  namespace: mlops\nrules: []\n"
    binding = yaml_text("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: read, namespace: mlops}
        subjects: [{kind: ServiceAccount, name: app, namespace: mlops}]
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
        """)
    assert "role-ref-missing" not in check(files(tmp_path, ns=NAMESPACE, r=role,
                                                 b=binding)).rules()
    moved = check(files(tmp_path, ns=NAMESPACE, r=role.replace("mlops", "default"), b=binding))
    # one mistake, one finding: the Role is there, in the wrong namespace
    assert moved.rules() == {"rolebinding-role-elsewhere"}


def test_pvc_against_the_volumes_of_another_file(tmp_path):
    volume = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\nspec:\n" \
             "  storageClassName: manual\n  capacity: {storage: 1Gi}\n" \
             "  accessModes: [ReadWriteOnce]\n  hostPath: {path: /data}\n"
    claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: c}}\nspec:\n" \
            "  storageClassName: manual\n  accessModes: [{mode}]\n" \
            "  resources: {{requests: {{storage: {size}}}}}\n"
    fits = check(files(tmp_path, pv=volume, pvc=claim.format(mode="ReadWriteOnce", size="1Gi")))
    assert "pvc-unsatisfiable" not in fits.rules()
    too_big = check(files(tmp_path, pv=volume,
                          pvc=claim.format(mode="ReadWriteMany", size="2Gi")))
    assert sorted(f.dotted_path for f in too_big.findings if f.rule == "pvc-unsatisfiable") == [
        "spec.accessModes", "spec.resources.requests.storage"]


@pytest.mark.parametrize("documents", [1, 50])
def test_many_services_each_find_their_own_pods(documents):
    parts = [NAMESPACE]
    for i in range(documents):
        parts.append(deployment(labels=f"app: app-{i}").replace("fastapi-app", f"app-{i}"))
        parts.append(service(selector=f"app: app-{i}").replace("fast-api-service", f"svc-{i}"))
    parts.append(service(selector="app: nobody").replace("fast-api-service", "orphan"))
    report = check("---\n".join(parts))
    assert [f.resource for f in report.errors] == ["Service/orphan"]


def test_ingress_reaches_a_service_port_defined_in_another_file(tmp_path):
    ingress = yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: api, namespace: mlops}
        spec:
          rules:
          - http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: fast-api-service
                    port: {number: 80}
        """)
    paths = files(tmp_path, ns=NAMESPACE, app=deployment(), svc=service(), ing=ingress)
    assert loud(check(paths)) == []
    # The container's port is not the Service's port.
    (tmp_path / "ing.yaml").write_text(ingress.replace("number: 80", "number: 8000"))
    assert loud(check(paths)) == [("ing.yaml", "ingress-backend-unknown", 13)]


def test_a_service_needs_one_template_with_every_label_of_its_selector():
    """Each label is carried by some template, but no template carries both."""
    front = deployment(labels="app: web, tier: front").replace("fastapi-app", "web-front")
    back = deployment(labels="app: api, tier: back").replace("fastapi-app", "api-back")
    orphan = service(selector="app: web, tier: back")
    report = check("---\n".join([NAMESPACE, front, back, orphan]))
    bundle = report.bundle
    [svc] = bundle.of_kind("Service")
    assert graph_of(bundle).service_targets(svc) == []
    [finding] = [f for f in report.findings if f.rule == "service-selects-nothing"]
    assert finding.resource == "Service/fast-api-service"
    matched = check("---\n".join([NAMESPACE, front, back, service(
        selector="app: web, tier: front")]))
    assert "service-selects-nothing" not in matched.rules()


def test_a_template_uses_each_configmap_secret_and_claim_and_not_its_service_account():
    from k8s_course.graph import Use, pod_template_of, uses_of
    from k8s_course.pipeline import load

    bundle, _ = load(yaml_text("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              serviceAccountName: robot
              containers:
                - name: web
                  image: nginx:1.27
                  envFrom: [{configMapRef: {name: settings}}]
                  env: [{name: T, valueFrom: {secretKeyRef: {name: token, key: t}}}]
                  volumeMounts: [{name: data, mountPath: /data}, {name: data, mountPath: /copy}]
              volumes:
                - {name: data, persistentVolumeClaim: {claimName: store}}
                - {name: spare, configMap: {name: extra}}
        """))
    [deployment] = bundle.resources
    assert list(uses_of(pod_template_of(deployment))) == [
        Use("Secret", "token", "env"), Use("ConfigMap", "settings", "envFrom"),
        Use("PersistentVolumeClaim", "store", "volume", ("/data", "/copy")),
        Use("ConfigMap", "extra", "volume")]


@pytest.mark.parametrize(("selector", "matched"), [
    ({}, True),  # an empty selector selects every pod, as in Kubernetes
    ({"matchLabels": {"app": "web"}}, True),
    ({"matchLabels": {"app": "api"}}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "x"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, False),
    ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, True),
    ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
    ({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
    # every part must hold
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "Exists"},
                           {"key": "zone", "operator": "Exists"}]}, False),
    # a malformed expression is another finding's business: it neither selects nor refuses
    ({"matchExpressions": [{"key": 3, "operator": "Exists"},
                           {"key": "tier", "operator": "In", "values": []},
                           {"key": "zone", "operator": "NotIn"}]}, True),
    ({"matchExpressions": [{"key": 3, "operator": "Exists"},
                           {"key": "zone", "operator": "Exists"}]}, False),
])
def test_a_label_selector_selects_as_kubernetes_does(selector, matched):
    from k8s_course.graph import label_selector_matches

    assert label_selector_matches(selector, {"app": "web", "tier": "front"}) is matched


def test_an_ingress_sends_to_its_default_backend_and_each_paths_backend():
    from k8s_course.graph import ingress_backends
    from k8s_course.pipeline import load

    bundle, _ = load(yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: web}
        spec:
          defaultBackend: {service: {name: fallback, port: {number: 80}}}
          rules:
            - http:
                paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                  - {path: /x, pathType: Prefix, backend: {resource: {kind: Bucket, name: b}}}
            - host: api.example.com
              http:
                paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
        """))
    [ingress] = bundle.resources
    assert list(ingress_backends(ingress)) == [
        (("spec", "defaultBackend", "service"), {"name": "fallback", "port": {"number": 80}}),
        (("spec", "rules", 0, "http", "paths", 0, "backend", "service"),
         {"name": "web", "port": {"number": 80}}),
        (("spec", "rules", 1, "http", "paths", 0, "backend", "service"),
         {"name": "api", "port": {"name": "http"}})]
