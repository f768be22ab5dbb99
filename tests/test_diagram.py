"""The picture of an answer: well-formed SVG with the right boxes and broken links."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import k8s_course
from k8s_course import check
from k8s_course.picture import diagram

from .conftest import FIXTURES, yaml_text

SVG = "{http://www.w3.org/2000/svg}"

# The running example, plus a typo'd Service, a port nobody listens on, a
# ConfigMap that exists, a Secret that does not, an HPA and a PDB.
APP = yaml_text("""
    apiVersion: v1
    kind: Namespace
    metadata:
      name: mlops
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: fastapi-app
      namespace: mlops
    spec:
      replicas: 2
      selector:
        matchLabels:
          app: fastapi-app
      template:
        metadata:
          labels:
            app: fastapi-app
        spec:
          containers:
            - name: app
              image: heyitsrj/mlops-fastapi-app:v3
              ports:
                - containerPort: 8080
                  name: http
              envFrom:
                - configMapRef:
                    name: app-settings
              env:
                - name: TOKEN
                  valueFrom:
                    secretKeyRef:
                      name: api-token
                      key: token
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: fast-api-service
      namespace: mlops
    spec:
      selector:
        app: fastapi-app
      ports:
        - name: http
          port: 80
          targetPort: http
        - name: metrics
          port: 9090
          targetPort: 9090
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: typo-service
      namespace: mlops
    spec:
      selector:
        app: fastapi-ap
      ports:
        - port: 80
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: app-settings
      namespace: mlops
    data:
      LOG_LEVEL: info
    ---
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    metadata:
      name: fastapi-hpa
      namespace: mlops
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: fastapi-app}
      minReplicas: 2
      maxReplicas: 5
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata:
      name: fastapi-pdb
      namespace: mlops
    spec:
      minAvailable: 1
      selector:
        matchLabels:
          app: fastapi-app
    """)


def _svg(picture) -> ET.Element:
    return ET.fromstring(picture.svg)  # raises when the SVG is not well-formed XML


def _nodes(root: ET.Element) -> dict[str, ET.Element]:
    return {f"{g.get('data-kind')}/{g.get('data-name')}": g for g in root.iter(f"{SVG}g")
            if "k8sd-node" in g.get("class", "").split()}


def _edges(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(g.get("data-from"), g.get("data-to")): g for g in root.iter(f"{SVG}g")
            if "k8sd-link" in g.get("class", "").split()}


def _broken(element: ET.Element) -> bool:
    return "k8sd-broken" in element.get("class", "").split()


def _labels(element: ET.Element) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text")]


def test_every_object_is_a_box_inside_its_namespace_area():
    root = _svg(diagram(APP))
    nodes = _nodes(root)
    assert {"Deployment/fastapi-app", "Service/fast-api-service", "Service/typo-service",
            "ConfigMap/app-settings", "HorizontalPodAutoscaler/fastapi-hpa",
            "PodDisruptionBudget/fastapi-pdb"} <= set(nodes)
    assert "Namespace/mlops" not in nodes  # a namespace is drawn as an area, not a box
    assert {g.get("data-namespace") for g in nodes.values()} == {"mlops"}
    areas = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "k8sd-area-title"]
    assert areas == ["namespace mlops"]


def test_a_deployment_box_holds_its_pod_template():
    node = _nodes(_svg(diagram(APP)))["Deployment/fastapi-app"]
    texts = _labels(node)
    assert "pod template" in texts and "app=fastapi-app" in texts
    assert "replicas 2" in texts


def test_service_edge_reads_port_to_target_port_to_container_port():
    edges = _edges(_svg(diagram(APP)))
    edge = edges[("Service/fast-api-service", "Deployment/fastapi-app")]
    assert _labels(edge) == ["80 → http → 8080", "9090 → 9090 → nothing"]
    assert _broken(edge)  # port 9090 reaches no container


def test_a_selector_matching_nothing_is_a_broken_edge_to_a_ghost():
    root = _svg(diagram(APP))
    edge = _edges(root)[("Service/typo-service", "Pod/app=fastapi-ap")]
    assert _broken(edge)
    ghost = _nodes(root)["Pod/app=fastapi-ap"]
    assert "k8sd-missing" in ghost.get("class").split()


def test_pods_link_to_what_they_use_and_missing_ones_are_broken():
    edges = _edges(_svg(diagram(APP)))
    assert not _broken(edges[("Deployment/fastapi-app", "ConfigMap/app-settings")])
    assert _broken(edges[("Deployment/fastapi-app", "Secret/api-token")])


def test_hpa_and_pdb_point_at_their_targets():
    edges = _edges(_svg(diagram(APP)))
    assert not _broken(edges[("HorizontalPodAutoscaler/fastapi-hpa", "Deployment/fastapi-app")])
    assert not _broken(edges[("PodDisruptionBudget/fastapi-pdb", "Deployment/fastapi-app")])


def test_the_seed_example_has_no_broken_link():
    picture = diagram((FIXTURES / "seed" / "mlops.yaml").read_text())
    assert picture.broken == []
    edges = _edges(_svg(picture))
    assert _labels(edges[("Service/fast-api-service", "Deployment/fastapi-app")]) == \
        ["80 → 8080 → 8080"]


def test_objects_in_other_namespaces_get_their_own_area():
    picture = diagram(yaml_text("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: reader}
        rules: []
        """))
    root = _svg(picture)
    areas = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "k8sd-area-title"]
    assert areas == ["namespace default (not created in this answer)", "cluster-wide objects"]
    assert _nodes(root)["ClusterRole/reader"].get("data-namespace") == ""


def test_names_are_escaped_and_hostile_input_still_draws():
    picture = diagram('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "<b>&x"\n'
                      "---\nkind: [1]\n---\n- just\n- a list\n")
    root = _svg(picture)
    assert "ConfigMap/<b>&x" in _nodes(root)


def test_an_empty_answer_says_there_is_nothing_to_draw():
    root = _svg(diagram(""))
    assert "Nothing to draw" in "".join(root.itertext())


def test_diagram_is_public_and_draws_a_report_like_its_text():
    report = check(APP)
    from_report = k8s_course.diagram(report)
    assert [n.name for n in from_report.nodes] == [n.name for n in k8s_course.diagram(APP).nodes]
    assert k8s_course.diagram(report.bundle).svg == from_report.svg
    assert from_report._repr_svg_() == from_report.svg
    assert from_report.svg in from_report._repr_html_()


def test_plain_text_lists_every_arrow_and_marks_broken_ones():
    lines = diagram(APP).text().splitlines()
    assert lines[0] == "<Diagram: 6 objects, 3 broken links>"
    assert "BROKEN Service/typo-service -> Pod/app=fastapi-ap  (selects nothing)" in lines
    assert "ConfigMap/app-settings" not in lines[0]
    assert "Deployment/fastapi-app -> ConfigMap/app-settings  (envFrom)" in lines


def test_volumes_projected_sources_and_service_accounts_are_uses():
    picture = diagram(yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: worker}
        spec:
          serviceAccountName: robot
          containers:
            - name: w
              image: busybox:1.36
              volumeMounts:
                - {name: cache, mountPath: /cache}
                - {name: settings, mountPath: /etc/settings}
                - {name: both, mountPath: /etc/keys}
          volumes:
            - name: cache
              persistentVolumeClaim: {claimName: cache}
            - name: settings
              configMap: {name: settings}
            - name: both
              projected:
                sources:
                  - secret: {name: keys}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: cache}
        spec:
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 1Gi}}
        """))
    edges = _edges(_svg(picture))
    assert not _broken(edges[("Pod/worker", "PersistentVolumeClaim/cache")])
    for missing in ("ConfigMap/settings", "Secret/keys", "ServiceAccount/robot"):
        assert _broken(edges[("Pod/worker", missing)])
    assert "asks for 1Gi" in _labels(_nodes(_svg(picture))["PersistentVolumeClaim/cache"])


def test_an_ingress_points_at_its_services():
    picture = diagram(yaml_text("""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: front}
        spec:
          rules:
            - http:
                paths:
                  - path: /
                    pathType: Prefix
                    backend: {service: {name: web, port: {number: 80}}}
                  - path: /api
                    pathType: Prefix
                    backend: {service: {name: api, port: {name: http}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{port: 80}]
        """))
    edges = _edges(_svg(picture))
    assert _labels(edges[("Ingress/front", "Service/web")]) == ["port 80"]
    assert not _broken(edges[("Ingress/front", "Service/web")])
    assert _broken(edges[("Ingress/front", "Service/api")])


def test_each_item_of_a_kind_list_gets_its_own_box():
    exported = (FIXTURES.parent / "corpus" / "bundles" / "10-kubectl-list" / "exported.yaml")
    drawn = diagram(check(exported.read_text()).bundle)
    assert sorted((node.kind, node.name) for node in drawn.nodes) == [
        ("ConfigMap", "greeter"), ("Deployment", "greeter"), ("Service", "greeter")]


def test_edges_say_how_pods_use_what_they_use():
    picture = diagram(yaml_text("""
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          serviceAccountName: app
          containers:
            - name: app
              image: busybox:1.36
              envFrom: [{configMapRef: {name: settings}}]
              env:
                - name: TOKEN
                  valueFrom: {secretKeyRef: {name: token, key: token}}
              volumeMounts: [{name: models, mountPath: /models}]
          volumes:
            - {name: models, persistentVolumeClaim: {claimName: models}}
            - {name: spare, configMap: {name: extra}}
        """))
    edges = _edges(_svg(picture))
    assert _labels(edges[("Pod/app", "ConfigMap/settings")]) == ["envFrom"]
    assert _labels(edges[("Pod/app", "Secret/token")]) == ["env"]
    assert _labels(edges[("Pod/app", "PersistentVolumeClaim/models")]) == ["files at /models"]
    assert _labels(edges[("Pod/app", "ServiceAccount/app")]) == ["runs as"]
    # a volume no container mounts leads nowhere: dashed, and says so
    assert _labels(edges[("Pod/app", "ConfigMap/extra")]) == ["volume, not mounted"]
    assert _broken(edges[("Pod/app", "ConfigMap/extra")])


RBAC = """
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: app, namespace: mlops}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: read-settings, namespace: mlops}
    rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: app-reads, namespace: mlops}
    subjects: [{kind: ServiceAccount, name: app}]
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-settings}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: monitor-views, namespace: mlops}
    subjects: [{kind: ServiceAccount, name: monitor, namespace: mlops}]
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: nodes}
    subjects: [{kind: ServiceAccount, name: app}]
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
    """


def test_bindings_tie_service_accounts_to_roles():
    picture = diagram(yaml_text(RBAC))
    edges = _edges(_svg(picture))
    assert _labels(edges[("RoleBinding/app-reads", "Role/read-settings")]) == ["grants"]
    # a subject without a namespace in a RoleBinding is the binding's own namespace
    assert not _broken(edges[("RoleBinding/app-reads", "ServiceAccount/app")])
    # a built-in ClusterRole is not the answer's, and not missing either
    assert not _broken(edges[("RoleBinding/monitor-views", "ClusterRole/view")])
    assert _broken(edges[("RoleBinding/monitor-views", "ServiceAccount/monitor")])
    assert _broken(edges[("ClusterRoleBinding/nodes", "ClusterRole/node-reader")])
    # a ServiceAccount subject without a namespace in a ClusterRoleBinding names nobody
    assert not any(source == "ClusterRoleBinding/nodes" and target.startswith("ServiceAccount")
                   for source, target in edges)
    assert repr(picture) == "<Diagram: 5 objects, 2 broken links>"


def test_a_role_binding_does_not_find_a_role_of_another_namespace():
    moved = RBAC.replace("name: read-settings, namespace: mlops", "name: read-settings, "
                         "namespace: default")
    edges = _edges(_svg(diagram(yaml_text(moved))))
    assert _broken(edges[("RoleBinding/app-reads", "Role/read-settings")])


# -- the picture's size comes from what it holds --------------------------------------

def _objects(count: int) -> str:
    """An answer of `count` objects with long names, in a namespace it does not create."""
    kinds = [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
        "spec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n"
        "    metadata:\n      labels: {{app: {name}, tier: backend-service-tier}}\n    spec:\n"
        "      containers:\n        - name: app\n          image: nginx:1.27\n"
        "          ports: [{{containerPort: 8080, name: http-alternative}}]\n"
        "          envFrom: [{{configMapRef: {{name: {name}-settings}}}}]\n",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
        "spec:\n  type: NodePort\n  selector: {{app: {name}-missing-label-value}}\n"
        "  ports: [{{port: 80, targetPort: http-alternative}}]\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
        "data: {{a: b}}\n",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n"
        "  namespace: {ns}\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n"
        "            pathType: Prefix\n            backend:\n              service:\n"
        "                name: {name}-a-service-with-a-long-name\n"
        "                port: {{name: http-alternative}}\n",
    ]
    docs = [kinds[i % len(kinds)].format(name=f"object-number-{i}-with-a-rather-long-name",
                                        ns="a-namespace-with-a-long-name-for-wrapping")
            for i in range(count)]
    return "---\n".join(docs)


def _text_boxes(svg_text: str):
    from k8s_course.picture.svg import FONTS, text_width

    root = ET.fromstring(svg_text)
    for text in root.iter(f"{SVG}text"):
        css = text.get("class").split()[0]
        size, _ = FONTS[css]
        width = text_width("".join(text.itertext()), css)
        x, y = float(text.get("x")), float(text.get("y"))
        left = x - width / 2 if text.get("text-anchor") == "middle" else x
        yield "".join(text.itertext()), (left, y - size, left + width, y + size * 0.3)


def test_every_text_lies_inside_the_picture_for_1_to_12_objects():
    for count in range(1, 13):
        picture = diagram(_objects(count))
        root = ET.fromstring(picture.svg)
        width, height = float(root.get("width")), float(root.get("height"))
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        boxes = list(_text_boxes(picture.svg))
        assert len(boxes) > count
        for text, (left, top, right, bottom) in boxes:
            assert left >= 0 and right <= width, (count, text, left, right, width)
            assert top >= 0 and bottom <= height, (count, text, top, bottom, height)


def test_a_one_object_picture_is_as_wide_as_its_longest_text():
    picture = diagram(_objects(1))
    root = ET.fromstring(picture.svg)
    titles = [t for t in root.iter(f"{SVG}text") if "not created in this answer" in
              "".join(t.itertext())]
    assert titles  # the area title is drawn whole, not cut
    assert float(root.get("width")) > 284  # the old fixed width that cut it off
    legend = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")
              if "k8sd-legend" in t.get("class")]
    assert legend[-1] == "Dashed orange: leads nowhere."
