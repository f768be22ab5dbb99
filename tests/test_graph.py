"""The cross-resource index: which pods a selector picks, what a pod references, and where."""

from __future__ import annotations

import pytest

from k8s_course import check
from k8s_course.graph import Reference, Use, graph_of, pod_template_of, references, uses_of
from k8s_course.pipeline import load

from .conftest import yaml_text


def workload(name: str, labels: str, kind: str = "Deployment", namespace: str = "default",
             extra: str = "") -> str:
    return yaml_text(f"""
        apiVersion: apps/v1
        kind: {kind}
        metadata: {{name: {name}, namespace: {namespace}}}
        spec:
          selector: {{matchLabels: {{{labels}}}}}
          template:
            metadata: {{labels: {{{labels}}}}}
            spec:
              containers: [{{name: a, image: "nginx:1.27"}}]
        """) + extra


def names(templates) -> list[str]:
    return [t.owner.name for t in templates]


# --- which pods a selector picks ---------------------------------------------------------

def test_the_last_definition_of_an_object_is_the_one_selected():
    """kubectl apply keeps the last of two objects with one name: the first one's pods never run."""
    bundle, _ = load("---\n".join([
        workload("web", "app: old"),
        workload("api", "app: api"),
        workload("web", "app: new"),
        workload("db", "app: db"),
    ]))
    graph = graph_of(bundle)
    assert [(a.name, b.name) for a, b in graph.redefined] == [("web", "web")]
    assert {label: names(graph.selected_by_labels("default", {"app": label}))
            for label in ("old", "api", "new", "db")} == {
        "old": [], "api": ["api"], "new": ["web"], "db": ["db"]}
    assert names(graph.templates_in("default")) == ["api", "web", "db"]
    # every definition still has its template: rules judge what each one says
    assert len(graph.templates) == 4


def test_an_object_defined_twice_is_reported_for_cluster_scoped_kinds_too():
    role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n" \
           "rules: []\n"
    [finding] = [f for f in check(role + "---\n" + role).findings if f.rule == "duplicate-object"]
    assert finding.message == ("ClusterRole/r is defined twice: first on line 3, again here; "
                               "kubectl apply keeps only this last one")
    assert finding.line == 8


@pytest.mark.parametrize(("selector", "selected"), [
    ({"matchLabels": {"app": "web"}}, ["web-a", "web-b"]),
    ({"matchLabels": {"app": "web", "tier": "front"}}, ["web-a"]),
    # no matchLabels: every template of the namespace is a candidate
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]},
     ["web-b", "db"]),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, ["web-a", "web-b", "db"]),
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]},
     ["web-b"]),
    ({"matchLabels": {"app": "nobody"}}, []),
])
def test_a_label_selector_picks_the_templates_of_its_namespace(selector, selected):
    bundle, _ = load("---\n".join([
        workload("web-a", "app: web, tier: front"),
        workload("web-b", "app: web, tier: back"),
        workload("db", "app: db, tier: back"),
        workload("other", "app: web, tier: back", namespace="elsewhere"),
    ]))
    assert names(graph_of(bundle).selected_by_selector("default", selector)) == selected


def test_a_pdb_with_only_match_expressions_protects_the_pods_it_matches():
    pdb = yaml_text("""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: web}
        spec:
          maxUnavailable: 1
          selector:
            matchExpressions: [{key: app, operator: In, values: [{app}]}]
        """)
    deployment = workload("web", "app: web")
    assert "pdb-selects-nothing" not in check(deployment + "---\n" + pdb.replace(
        "{app}", "web")).rules()
    assert "pdb-selects-nothing" in check(deployment + "---\n" + pdb.replace(
        "{app}", "api")).rules()


def test_a_selector_value_that_is_not_text_selects_nothing():
    """Kubernetes refuses such a value (the schema stage says so); no pod is selected by it,
    whether the selector is a Service's or a label selector, even one that is written
    the same way in the pod template."""
    bundle, _ = load(workload("web", "app: [web], tier: front"))
    graph = graph_of(bundle)
    assert graph.selected_by_labels("default", {"app": ["web"]}) == []
    assert graph.selected_by_labels("default", {"app": ["web"], "tier": "front"}) == []
    assert graph.selected_by_selector("default", {"matchLabels": {"app": ["web"]}}) == []
    assert not graph.has_label("default", "app", ["web"])
    assert graph.has_label("default", "tier", "front")


# --- what a pod references, and where it is written --------------------------------------

POD = yaml_text("""
    apiVersion: v1
    kind: Pod
    metadata: {name: web, namespace: shop}
    spec:
      serviceAccountName: robot
      initContainers:
        - name: migrate
          image: migrate:1
          env:
            - name: DB
              valueFrom: {secretKeyRef: {name: db, key: url}}
          volumeMounts: [{name: seed, mountPath: /seed}]
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: MODE
              valueFrom: {configMapKeyRef: {name: settings, key: mode, optional: true}}
            - {name: PLAIN, value: x}
            - name: NOBODY
              valueFrom: {configMapKeyRef: {name: "", key: k}}
          envFrom:
            - configMapRef: {name: defaults}
            - secretRef: {name: tokens, optional: false}
          volumeMounts:
            - {name: files, mountPath: /etc/files}
            - {name: files, mountPath: /copy}
            - {name: claim}
      volumes:
        - name: files
          configMap:
            name: files
            items: [{key: a.conf, path: a.conf}, {path: no-key}, {key: b.conf, path: b.conf}]
        - {name: certs, secret: {secretName: certs, optional: true}}
        - {name: claim, persistentVolumeClaim: {claimName: data}}
        - name: seed
          projected:
            sources:
              - configMap: {name: seed, items: [{key: rows, path: rows}]}
              - secret: {name: seed-key}
              - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
        - {name: scratch, emptyDir: {}}
    """)


def test_every_reference_a_pod_makes_is_found_with_where_its_name_and_keys_are_written():
    bundle, _ = load(POD)
    [pod] = bundle.resources
    init, app = ("spec", "initContainers", 0), ("spec", "containers", 0)
    projected = ("spec", "volumes", 3, "projected", "sources")
    assert list(references(pod_template_of(pod))) == [
        Reference("ConfigMap", "settings",
                  (*app, "env", 0, "valueFrom", "configMapKeyRef", "name"),
                  (("mode", (*app, "env", 0, "valueFrom", "configMapKeyRef", "key")),),
                  optional=True),
        Reference("ConfigMap", "defaults", (*app, "envFrom", 0, "configMapRef", "name")),
        Reference("Secret", "tokens", (*app, "envFrom", 1, "secretRef", "name")),
        Reference("Secret", "db", (*init, "env", 0, "valueFrom", "secretKeyRef", "name"),
                  (("url", (*init, "env", 0, "valueFrom", "secretKeyRef", "key")),)),
        Reference("ConfigMap", "files", ("spec", "volumes", 0, "configMap", "name"),
                  (("a.conf", ("spec", "volumes", 0, "configMap", "items", 0, "key")),
                   ("b.conf", ("spec", "volumes", 0, "configMap", "items", 2, "key")))),
        Reference("Secret", "certs", ("spec", "volumes", 1, "secret", "secretName"),
                  optional=True),
        Reference("PersistentVolumeClaim", "data",
                  ("spec", "volumes", 2, "persistentVolumeClaim", "claimName")),
        Reference("ConfigMap", "seed", (*projected, 0, "configMap", "name"),
                  (("rows", (*projected, 0, "configMap", "items", 0, "key")),)),
        Reference("Secret", "seed-key", (*projected, 1, "secret", "name")),
        Reference("ServiceAccount", "robot", ("spec", "serviceAccountName")),
    ]


def test_a_pod_uses_each_object_by_env_env_from_or_a_volume_mounted_where_it_is_mounted():
    bundle, _ = load(POD)
    [pod] = bundle.resources
    assert list(uses_of(pod_template_of(pod))) == [
        Use("ConfigMap", "settings", "env"),
        Use("ConfigMap", "defaults", "envFrom"),
        Use("Secret", "tokens", "envFrom"),
        Use("Secret", "db", "env"),  # an init container's
        Use("ConfigMap", "files", "volume", ("/etc/files", "/copy")),
        Use("Secret", "certs", "volume"),  # declared, mounted nowhere
        Use("PersistentVolumeClaim", "data", "volume", ("",)),  # mounted, no path written
        Use("ConfigMap", "seed", "volume", ("/seed",)),  # by the init container
        Use("Secret", "seed-key", "volume", ("/seed",)),
    ]


def test_a_workloads_containers_and_with_init_its_init_containers_too():
    bundle, _ = load(POD)
    template = pod_template_of(bundle.resources[0])
    assert [(path, c["name"]) for path, c in template.containers()] == [
        (("spec", "containers", 0), "web")]
    assert [(path, c["name"]) for path, c in template.containers(init=True)] == [
        (("spec", "containers", 0), "web"), (("spec", "initContainers", 0), "migrate")]


def reported(text: str, rule: str) -> list[tuple[str, int, int, str, str]]:
    return [(f.dotted_path, f.line, f.column, f.message, f.hint) for f in check(text).findings
            if f.rule == rule]


def test_a_missing_object_is_reported_where_the_pod_names_it_unless_it_is_optional():
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" + POD
    missing = {path: line for path, line, *_ in reported(text, "referenced-object-missing")}
    assert missing == {
        "spec.initContainers[0].env[0].valueFrom.secretKeyRef.name": 15,
        "spec.containers[0].envFrom[0].configMapRef.name": 27,
        "spec.containers[0].envFrom[1].secretRef.name": 28,
        "spec.volumes[0].configMap.name": 36,
        "spec.volumes[2].persistentVolumeClaim.claimName": 39,
        "spec.volumes[3].projected.sources[0].configMap.name": 43,
        "spec.volumes[3].projected.sources[1].secret.name": 44,
        "spec.serviceAccountName": 9,
    }  # not `settings` nor `certs`: optional, the pod starts without them


CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: {namespace}}}\n" \
         "data: {{mode: fast}}\n---\n"


@pytest.mark.parametrize(("present", "namespace", "said"), [
    ("web-settings", "default", "did you mean `web-settings`?"),  # one letter off
    ("web-settings", "other", None),  # the near name lives in another namespace
    ("app-settings", "default", None),  # similarity 0.75: another object, not a typo
])
def test_a_reference_one_letter_off_an_object_of_the_answer_is_a_typo(present, namespace, said):
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          serviceAccountName: web-setings
          containers:
            - name: web
              image: nginx:1.27
              envFrom:
                - configMapRef:
                    name: web-setings
        """)
    config = CONFIG.format(name=present, namespace=namespace)
    hints = {path: (severity, hint) for path, severity, hint in (
        (f.dotted_path, str(f.severity), f.hint) for f in check(config + pod).findings
        if f.rule == "referenced-object-missing")}
    config_ref = "spec.containers[0].envFrom[0].configMapRef.name"
    # a ConfigMap's name is no ServiceAccount's: never suggested for one
    assert hints["spec.serviceAccountName"][1].startswith("add the ServiceAccount")
    if said is None:
        assert hints[config_ref] == ("info", "add the ConfigMap to the answer (before this "
                                     "object), or check the name")
    else:
        assert hints[config_ref] == ("warning", said)


def test_a_key_the_config_map_lacks_is_reported_at_the_key_where_it_is_written():
    config = CONFIG.format(name="settings", namespace="default")
    pod = yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27
              env:
                - name: MODE
                  valueFrom:
                    configMapKeyRef:
                      name: settings
                      key: speed
              volumeMounts: [{name: conf, mountPath: /conf}]
          volumes:
            - name: conf
              configMap:
                name: settings
                items:
                  - key: mode
                    path: mode
                  - key: colour
                    path: colour
        """)
    said = "the ConfigMap 'settings' has no key {!r} (its keys: mode)"
    assert reported(config + pod, "config-key-missing") == [
        ("spec.containers[0].env[0].valueFrom.configMapKeyRef.key", 18, 20,
         said.format("speed"), "use one of its keys, or add speed to the ConfigMap"),
        ("spec.volumes[0].configMap.items[1].key", 27, 18,
         said.format("colour"), "use one of its keys, or add colour to the ConfigMap"),
    ]
    # an optional reference may name keys that are not there: the pod starts without them
    optional = pod.replace("key: speed", "key: speed\n              optional: true")
    assert [path for path, *_ in reported(config + optional, "config-key-missing")] == [
        "spec.volumes[0].configMap.items[1].key"]


# --- ports a Service can send to ---------------------------------------------------------

SIDECAR = yaml_text("""
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          initContainers:
            - {name: setup, image: "busybox:1.37", command: [touch, /ready]}
            - name: proxy
              image: envoyproxy/envoy:v1.33.0
              restartPolicy: Always
              ports: [{name: metrics, containerPort: 9901}]
          containers:
            - name: web
              image: nginx:1.27
              ports: [{name: http, containerPort: 80}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http}, {name: metrics, port: 9901,
        targetPort: metrics}]
    """)


def test_a_service_reaches_a_named_port_of_a_sidecar_but_not_of_an_init_container():
    """A sidecar keeps running beside the app and Kubernetes resolves its named ports;
    a plain init container has exited before any traffic arrives."""
    assert "target-port-unknown" not in check(SIDECAR).rules()
    plain_init = SIDECAR.replace("          restartPolicy: Always\n", "")
    assert [(f.dotted_path, f.line) for f in check(plain_init).findings
            if f.rule == "target-port-unknown"] == [("spec.ports[1].targetPort", 25)]
