"""Recorded Status bodies the client cannot provoke itself -> findings on the right line.

The course always applies with force and with the name from the learner's
YAML, so a 409 conflict, a name that differs from the URL, an unknown
resource path and a strict-decoding error from a plain POST come straight
from the recordings here, through `server_findings`.
"""

from __future__ import annotations

import pytest

from k8s_course.cluster.client import Response
from k8s_course.cluster.errors import hide_values, parse_field, server_findings
from k8s_course.cluster.payload import payloads
from k8s_course.pipeline import load

from .fake_apiserver import recording


def refused(prefix: str, text: str | None = None):
    """Findings for a recorded refusal of the recorded body (or `text`)."""
    exchange = recording(prefix)
    bundle, _ = load(text or exchange["request"]["body"])
    answer = Response(exchange["response"]["status"], exchange["response"]["body"])
    return server_findings(bundle.resources[0], answer)


def test_conflict_points_at_the_contested_field():
    (finding,) = refused("22")
    assert (finding.rule, finding.line, finding.path) == (
        "server-conflict", 7, ("spec", "replicas"))
    assert 'conflict with "k8s-course"' in finding.message


def test_name_that_differs_from_the_url_points_at_the_name():
    (finding,) = refused("21")
    assert (finding.line, finding.path) == (5, ("metadata", "name"))
    assert "does not match the name on the URL (other-name)" in finding.message


def test_unknown_resource_is_about_the_whole_object():
    (finding,) = refused("28")
    assert finding.line == 1 and "could not find the requested resource" in finding.message


def test_strict_decoding_error_of_a_create_points_at_the_unknown_field():
    text = recording("27")["request"]["body"]  # JSON, one line: the column tells
    (finding,) = refused("27", text)
    assert finding.path == ("spec", "replica")
    assert finding.column == text.index('"replica"') + 1


@pytest.mark.parametrize(("field", "path"), [
    ("spec.ports[1].name", ("spec", "ports", 1, "name")),
    (".spec.replicas", ("spec", "replicas")),
    ('.spec.template.spec.containers[name="web"].imagePullPolicyy',
     ("spec", "template", "spec", "containers", 1, "imagePullPolicyy")),
    ('.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].x',
     ("spec", "template", "spec", "containers", 1, "ports", 0, "x")),
    ('.spec.template.spec.containers[name="gone"].image', ("spec", "template", "spec",
                                                           "containers")),
    ("metadata.labels[app.kubernetes.io/name]", ("metadata", "labels",
                                                 "app.kubernetes.io/name")),
])
def test_server_field_paths_become_ours(field, path):
    body = {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar"}, {"name": "web", "ports": [{"containerPort": 80}]}]}}}}
    assert parse_field(field, body) == path


def test_secret_values_are_hidden_from_server_messages():
    said = 'data[token]: Invalid value: "s3cr3t-value": must be shorter'
    assert "s3cr3t" not in hide_values(said)
    assert "Invalid value: (hidden): must be shorter" in hide_values(said)
    typed = ".data.token: expected string, got &value.valueUnstructured{Value:12345}"
    assert "12345" not in hide_values(typed)


def test_any_yaml_error_of_the_server_is_counted_from_the_sent_text():
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n" \
           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  when: 12:30\n"
    bundle, _ = load(text)
    configmap = bundle.resources[1]
    payload = payloads(bundle)[id(configmap)]  # its text starts at the `---` on line 5
    answer = Response(400, {"kind": "Status", "message": "error converting YAML to JSON: yaml: "
                            "line 7: mapping values are not allowed in this context",
                            "reason": "BadRequest", "code": 400})
    (finding,) = server_findings(configmap, answer, payload)
    assert (finding.rule, finding.line, finding.column) == ("server-yaml", 11, 3)
    assert "mapping values are not allowed" in finding.message


SELECTOR_CHANGED = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: website
  template:
    metadata:
      labels:
        app: website
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


@pytest.mark.parametrize(("field", "message", "words", "lesson"), [
    # The shape a 1.36 server gives when a live Deployment's selector is changed.
    ("spec.selector", 'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":'
     '"website"}}: field is immutable', "`selector` cannot change", "01-manifest-anatomy"),
    ("roleRef", "Invalid value: rbac.RoleRef{...}: cannot change roleRef", "delete the binding",
     "07-rbac#bindings"),
    ("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', "
     "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
     "'minReadySeconds' are forbidden", "--cascade=orphan", "09-workloads#statefulsets"),
    ("data", "Forbidden: field is immutable when `immutable` is set", "`immutable: true`",
     "05-config#immutable"),
])
def test_a_field_that_cannot_change_says_how_to_change_it(field, message, words, lesson):
    bundle, _ = load(SELECTOR_CHANGED)
    body = {"kind": "Status", "status": "Failure", "reason": "Invalid", "code": 422,
            "message": f"refused: {field}: {message}",
            "details": {"causes": [{"reason": "FieldValueInvalid", "message": message,
                                    "field": field}]}}
    [finding] = server_findings(bundle.resources[0], Response(422, body))
    assert words in finding.hint and finding.lesson.startswith(lesson)
    assert message in finding.message  # the server's own words are kept


def recorded_findings(prefix: str, text: str | None = None):
    """Findings for a recorded refusal, with the payload the client sends for the text."""
    exchange = recording(prefix)
    bundle, _ = load(text or exchange["request"]["body"])
    resource = bundle.resources[0]
    answer = Response(exchange["response"]["status"], exchange["response"]["body"])
    return server_findings(resource, answer, payloads(bundle)[id(resource)])


ANATOMY, YAML = "01-manifest-anatomy#anatomy", "01-manifest-anatomy#yaml"
REQUIRED = "the server refused spec.ports[{}].name: Required value"
# recording -> (rule, line, column, path, message, hint, lesson) of each finding, in order
RECORDED_REFUSALS = {
    "08": [("server-namespace-missing", 4, 3, ("metadata", "namespace"),
            'the server refused it: namespaces "rec-mlops" not found',
            "create the namespace first: add a Namespace named rec-mlops to your YAML (before "
            "this object), or run `kubectl create namespace rec-mlops`", "02-namespaces#create")],
    "14": [("server-rejected", 7, 3, ("spec", "replicas"),
            "the server refused spec.replicas: expected numeric (int or float), got string",
            "write a number without quotes, e.g. `replicas: 2`", YAML)],
    "15": [("server-rejected", 7, 3, ("spec", "replica"),
            "the server refused spec.replica: field not declared in schema",
            "no such field here: check its spelling and its indentation (`k8s-course check` "
            "suggests the right name)", ANATOMY)],
    "17": [("server-duplicate-key", 8, 3, (),
            'the server refused it: key "replicas" already set in map',
            "a key may appear only once in the same mapping: keep one of them", YAML)],
    "18": [("server-invalid", 13, 7, ("spec", "template", "metadata", "labels"),
            'the server refused spec.template.metadata.labels: Invalid value: '
            '{"app":"something-else"}: `selector` does not match template `labels`',
            "spec.selector.matchLabels must be a subset of spec.template.metadata.labels: give "
            "the pod template the same key: value pairs", "03-deployments#selector")],
    "19": [("server-invalid", 17, 11, ("spec", "template", "spec", "containers", 0, "image"),
            "the server refused spec.template.spec.containers[0].image: Required value",
            "the server requires `image` here: add it", ANATOMY)],
    "21": [("server-rejected", 5, 3, ("metadata", "name"),
            "the server refused metadata.name: the name of the object (fastapi-app) does not "
            "match the name on the URL (other-name)",
            "metadata.name was read differently by the server: quote the name so it stays "
            "plain text", "01-manifest-anatomy#names")],
    "22": [("server-conflict", 7, 3, ("spec", "replicas"),
            'the server refused spec.replicas: conflict with "k8s-course": another tool set '
            "this field last and the apply did not take it over",
            "someone (or another tool) changed this field on the cluster; apply again with the "
            "course's tools, which take over such fields, or ask who changed it",
            "03-deployments#apply")],
    "24": [("server-invalid", 10, 7, ("spec", "ports", 0, "name"), REQUIRED.format(0),
            "the server requires `name` here: add it", ANATOMY),
           ("server-invalid", 12, 7, ("spec", "ports", 1, "name"), REQUIRED.format(1),
            "the server requires `name` here: add it", ANATOMY)],
    "26": [("server-invalid", 13, 7, ("spec", "ports", 0, "nodePort"),
            "the server refused spec.ports[0].nodePort: Invalid value: 80: provided port is "
            "not in the valid range. The range of valid ports is 30000-32767",
            "a nodePort must lie between 30000 and 32767 (the course's kind cluster maps 30080 "
            "to your computer); or leave nodePort out and let Kubernetes pick one",
            "04-services#nodeport")],
    "28": [("server-rejected", 1, 1, (),
            "the server refused it: the server could not find the requested resource",
            "the cluster does not serve this kind at this apiVersion: check both; "
            "`kubectl api-resources` lists them", "01-manifest-anatomy#kind")],
}


@pytest.mark.parametrize("prefix", sorted(RECORDED_REFUSALS))
def test_each_recorded_refusal_reads_whole_on_the_learners_line(prefix):
    """What the learner sees of each real refusal: where, the server's words, what to do."""
    findings = recorded_findings(prefix)
    assert [(f.rule, f.line, f.column, f.path, f.message, f.hint, f.lesson)
            for f in findings] == RECORDED_REFUSALS[prefix]
    for finding in findings:
        assert finding.severity == "error" and finding.document == 0
        assert (finding.file, finding.namespace) == ("<answer>", "rec-mlops")
        assert finding.resource.startswith(recording(prefix)["request"]["body"].split(
            "kind: ")[1].split("\n")[0] + "/")


def test_a_missing_namespace_not_written_in_the_yaml_points_at_metadata():
    """The namespace came from elsewhere (the default): the finding sits on `metadata:`."""
    text = recording("08")["request"]["body"].replace("  namespace: rec-mlops\n", "")
    (finding,) = recorded_findings("08", text)
    assert (finding.line, finding.path) == (3, ("metadata",))
    assert "kubectl create namespace rec-mlops" in finding.hint


def status(code: int, message: str, causes: list | None = None) -> Response:
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "code": code}
    if causes is not None:
        body["details"] = {"causes": causes}
    return Response(code, body)


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [example.com/a, example.com/b]
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: busybox:1.36
        - name: web
          image: nginx:1.27
"""


def test_a_conflict_on_a_keyed_list_item_lands_on_that_item():
    bundle, _ = load(DEPLOYMENT)
    cause = {"reason": "FieldManagerConflict", "message": 'conflict with "kubectl-edit"',
             "field": '.spec.template.spec.containers[name="web"].image'}
    (finding,) = server_findings(bundle.resources[0], status(409, "Apply failed", [cause]))
    assert (finding.line, finding.path) == (
        13, ("spec", "template", "spec", "containers", 1, "image"))
    assert finding.message.startswith(
        'the server refused spec.template.spec.containers[name="web"].image: conflict with')


@pytest.mark.parametrize(("answer", "rule", "message", "hint", "lesson"), [
    (status(409, 'Apply failed with 1 conflict: conflict with "kubectl"'), "server-conflict",
     'the server refused it: Apply failed with 1 conflict: conflict with "kubectl"', "", ""),
    (status(409, "Apply failed", [{"message": 'conflict with "kubectl"'}]), "server-conflict",
     'the server refused it: conflict with "kubectl": another tool set this field last and the '
     "apply did not take it over",
     "someone (or another tool) changed this field on the cluster; apply again with the "
     "course's tools, which take over such fields, or ask who changed it", "03-deployments#apply"),
    (status(422, "Deployment.apps \"web\" is invalid", [{"message": "Required value"}]),
     "server-invalid", "the server refused it: Required value",
     "the server requires `this field` here: add it", ANATOMY),
    (status(403, 'deployments.apps "web" is forbidden: User "bob" cannot patch'),
     "server-forbidden", 'the server refused it: deployments.apps "web" is forbidden: User '
     '"bob" cannot patch', "your user may not do this on this cluster: ask its owner for access, "
     "or use the course's own kind cluster (`k8s-course cluster up`)", ""),
    (status(500, "etcdserver: request timed out"), "server-rejected",
     "the server refused it: etcdserver: request timed out", "", ""),
    (status(422, 'Deployment.apps "web" is invalid: spec.selector: Required value'),
     "server-rejected",
     'the server refused it: Deployment.apps "web" is invalid: spec.selector: Required value',
     "the server requires `this field` here: add it", ANATOMY),
    (status(401, "Unauthorized"), "server-forbidden", "the server refused it: Unauthorized",
     "your user may not do this on this cluster: ask its owner for access, or use the "
     "course's own kind cluster (`k8s-course cluster up`)", ""),
    (Response(404, "404 page not found\n"), "server-rejected",
     "the server refused it: 404 page not found\n", "", ""),
    (Response(503, ""), "server-rejected", "the server refused it: HTTP 503", "", ""),
])
def test_refusals_about_the_whole_object_keep_the_servers_words(answer, rule, message, hint,
                                                               lesson):
    bundle, _ = load(DEPLOYMENT)
    (finding,) = server_findings(bundle.resources[0], answer)
    assert (finding.rule, finding.severity, finding.line, finding.path) == (
        rule, "error", 1, ())
    assert (finding.message, finding.hint, finding.lesson) == (message, hint, lesson)


@pytest.mark.parametrize(("field", "path"), [
    ('.metadata.finalizers[="example.com/b"]', ("metadata", "finalizers", 1)),
    ('.metadata.finalizers[="example.com/c"]', ("metadata", "finalizers")),
    (".spec.template.spec.containers[name=web].image",
     ("spec", "template", "spec", "containers", 1, "image")),
    (".spec.template.spec.containers[name=gone].image",
     ("spec", "template", "spec", "containers")),
])
def test_set_items_and_unquoted_keys_are_selected_by_value(field, path):
    """`[="x"]` picks a list-of-values item by its value; a key value may come unquoted."""
    bundle, _ = load(DEPLOYMENT)
    assert parse_field(field, bundle.resources[0].body) == path


NAMESPACE_AND_CONFIGMAP = """apiVersion: v1
kind: Namespace
metadata:
  name: shop
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: colors
  namespace: shop
data:
  color: blue
  color: colorful
"""


def yaml_refusal(index: int, said: str):
    """The finding for the server's YAML complaint `said` about the index-th object."""
    bundle, _ = load(NAMESPACE_AND_CONFIGMAP)
    resource = bundle.resources[index]
    answer = status(400, f"error converting YAML to JSON: yaml: {said}")
    (finding,) = server_findings(resource, answer, payloads(bundle)[id(resource)])
    return finding


@pytest.mark.parametrize(("index", "said", "where"), [
    # the duplicated key, not a value that happens to start with the same word
    (1, 'line 9: key "color" already set in map', (14, 3, "server-duplicate-key")),
    (0, 'line 5: key "name" already set in map', (5, 3, "server-duplicate-key")),
    (1, 'line 2: key "apiVersion" already set in map', (7, 1, "server-duplicate-key")),
    (1, "line 1: did not find expected key", (6, 1, "server-yaml")),
    (1, "line 9: found character that cannot start any token", (14, 3, "server-yaml")),
    (1, "line 99: could not find expected ':'", (104, 1, "server-yaml")),
])
def test_a_yaml_refusal_points_at_the_line_and_column_the_server_means(index, said, where):
    finding = yaml_refusal(index, said)
    assert (finding.line, finding.column, finding.rule) == where
    assert finding.message == f"the server refused it: {said.split(': ', 1)[1]}"
    assert (finding.severity, finding.path, finding.lesson) == ("error", (), YAML)
    assert (finding.document, finding.file) == (index, "<answer>")
    expected = ("Namespace/shop", "") if index == 0 else ("ConfigMap/colors", "shop")
    assert (finding.resource, finding.namespace) == expected


def test_a_duplicate_key_inside_a_flow_mapping_points_at_the_key():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {app: web, app: api}\n"
    bundle, _ = load(text)
    (resource,) = bundle.resources
    answer = status(400, 'yaml: line 5: key "app" already set in map')
    (finding,) = server_findings(resource, answer, payloads(bundle)[id(resource)])
    assert (finding.line, finding.column) == (5, text.split("\n")[4].index("app") + 1)


def test_a_typed_patch_error_on_a_keyed_list_item_lands_on_that_item():
    bundle, _ = load(DEPLOYMENT)
    said = ("failed to create typed patch object (/web; apps/v1, Kind=Deployment): "
            '.spec.template.spec.containers[name="web"].imagePullPolicyy: '
            "field not declared in schema")
    (finding,) = server_findings(bundle.resources[0], status(500, said))
    assert (finding.rule, finding.line) == ("server-rejected", 12)  # `- name: web`
    assert finding.path == ("spec", "template", "spec", "containers", 1, "imagePullPolicyy")


@pytest.mark.parametrize(("field", "path"), [
    # the first item of a list is followed like any other
    ('.spec.containers[name="web"].ports[containerPort=80].protocol',
     ("spec", "containers", 0, "ports", 0, "protocol")),
    ('spec.containers[0].ports[containerPort=80].name', ("spec", "containers", 0, "ports", 0,
                                                         "name")),
    # an index past the end is kept: the finding lands on the list
    ("spec.containers[2].name", ("spec", "containers", 2, "name")),
    ('spec.containers[2].ports[name="x"]', ("spec", "containers", 2, "ports")),
])
def test_list_items_are_followed_from_the_first_to_past_the_last(field, path):
    body = {"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 80}]},
                                    {"name": "sidecar"}]}}
    assert parse_field(field, body) == path


@pytest.mark.parametrize(("text", "said", "column"), [
    # a document indented as a whole: the server's first line is the learner's first line
    ("  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n",
     "line 1: did not find expected key", 3),
    # the last line, with no line break after it (how a notebook cell often ends)
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: 1\n  a: 2",
     'line 7: key "a" already set in map', 3),
])
def test_a_yaml_refusal_on_the_first_or_last_line_keeps_its_column(text, said, column):
    bundle, _ = load(text)
    (resource,) = bundle.resources
    answer = status(400, f"error converting YAML to JSON: yaml: {said}")
    (finding,) = server_findings(resource, answer, payloads(bundle)[id(resource)])
    assert (finding.line, finding.column) == (int(said.split()[1].rstrip(":")), column)


@pytest.mark.parametrize(("prefix", "line", "column", "path", "words", "lesson"), [
    ("25", 6, 1, ("data",), "illegal base64 data at input byte 3", "05-config#secrets"),
    ("27", 1, 116, ("spec", "replica"), 'strict decoding error: unknown field "spec.replica"',
     ANATOMY),
])
def test_refusals_found_in_the_servers_words_land_on_their_field(prefix, line, column, path,
                                                                words, lesson):
    (finding,) = recorded_findings(prefix)
    assert (finding.rule, finding.line, finding.column, finding.path, finding.lesson) == (
        "server-rejected", line, column, path, lesson)
    assert finding.message.startswith(f"the server refused {path[0]}")
    assert finding.message.endswith(words)


SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
stringData:
  password: hunter2-hunter2
"""


@pytest.mark.parametrize("answer", [
    status(422, 'Secret "db" is invalid: stringData[password]: Invalid value: '
           '"hunter2-hunter2": must be no more than 8 characters',
           [{"reason": "FieldValueInvalid", "field": "stringData[password]",
             "message": 'Invalid value: "hunter2-hunter2": must be no more than 8 characters'}]),
    status(422, 'Secret "db" is invalid: stringData[password]: Invalid value: '
           '"hunter2-hunter2": must be no more than 8 characters',
           [{"reason": "FieldValueInvalid", "field": "stringData[password]"}]),
    status(500, 'failed to create typed patch object (shop/db; /v1, Kind=Secret): '
           '.stringData.password: expected numeric, got &value.valueUnstructured'
           '{Value:hunter2-hunter2}'),
    status(400, 'Secret "db" is invalid: Invalid value: "hunter2-hunter2"'),
])
def test_a_secrets_value_quoted_back_by_the_server_is_never_shown(answer):
    bundle, _ = load(SECRET)
    (finding,) = server_findings(bundle.resources[0], answer)
    assert "hunter2" not in finding.message and "(hidden)" in finding.message
    assert finding.line in (1, 6, 7)


def test_a_value_quoted_back_about_an_object_that_is_no_secret_is_kept():
    """Hiding is for Secrets only: elsewhere the quoted value tells the learner what was read."""
    bundle, _ = load(SECRET.replace("kind: Secret", "kind: ConfigMap").replace("stringData",
                                                                              "data"))
    cause = {"field": "data[password]", "message": 'Invalid value: "hunter2-hunter2": too long'}
    (finding,) = server_findings(bundle.resources[0], status(422, "invalid", [cause]))
    assert finding.message == ('the server refused data[password]: Invalid value: '
                               '"hunter2-hunter2": too long')


def test_a_missing_namespace_the_server_does_not_name_is_the_objects_own():
    bundle, _ = load(SECRET)
    answer = Response(404, {"kind": "Status", "message": 'namespaces "shop" not found',
                            "reason": "NotFound", "details": {"kind": "namespaces"}, "code": 404})
    (finding,) = server_findings(bundle.resources[0], answer)
    assert (finding.rule, finding.line) == ("server-namespace-missing", 5)
    assert finding.hint.endswith("or run `kubectl create namespace shop`")
