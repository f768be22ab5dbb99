"""Each check kind passes on the right answer and says what it saw on a wrong one."""

from __future__ import annotations

import re
import textwrap

import pytest

from k8s_course.grading import grade, load_exercise
from tests.grading_support import DEPLOYMENT, write_exercise

SERVICE = """\
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
    - {name: web, port: 80, targetPort: 8080}
"""
ANSWER = DEPLOYMENT + SERVICE


def run_check(tmp_path, check: str, answer: str, files: dict | None = None):
    """Grade `answer` against an exercise holding just this one check."""
    spec = "title: T\nlesson: 03-deployments#x\nchecks:\n  - id: the-check\n    points: 2\n" \
           "    hint: do it\n" + textwrap.indent(textwrap.dedent(check).strip(), "    ") + "\n"
    exercise = load_exercise(write_exercise(tmp_path, spec, files=files))
    result = grade(exercise, answer, server=lambda bundle: None).results[0]
    assert result.earned == (2 if result.passed else 0)
    return result


@pytest.mark.parametrize(("check", "answer", "passed", "message"), [
    ("expect: {kind: Deployment, name: web, namespace: shop}", DEPLOYMENT, True,
     "Deployment/web in namespace shop is there"),
    ("expect: {kind: Deployment, name: web}", DEPLOYMENT, True, "Deployment/web is there"),
    ("expect: {kind: Deployment, name: web, namespace: prod}", DEPLOYMENT, False,
     "Deployment/web is in namespace shop, not in namespace prod"),
    ("expect: {kind: Deployment, name: api}", DEPLOYMENT, False,
     "there is no Deployment named api; your answer has Deployment web"),
    ("expect: {kind: Service, name: web}", DEPLOYMENT, False,
     "there is no Service named web in your answer"),
    # of many others, three are named
    ("expect: {kind: Deployment, name: api}", "".join(
        DEPLOYMENT.replace("name: web\n  namespace", f"name: {name}\n  namespace") + "---\n"
        for name in ("d", "c", "b", "a")), False,
     "there is no Deployment named api; your answer has Deployment a, b, c"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 3", DEPLOYMENT,
     False, "spec.replicas of Deployment/web is 2; expected 3"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2", DEPLOYMENT,
     True, 'spec.replicas of Deployment/web is 2'),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2",
     DEPLOYMENT.replace("replicas: 2", 'replicas: "2"'), False,
     'spec.replicas of Deployment/web is the text "2" (in quotes); expected '
     'the number 2'),
    ("resource: {kind: ConfigMap, name: flags}\npath: data.DEBUG\nequals: 'false'",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata:\n  DEBUG: false\n",
     False, 'data.DEBUG of ConfigMap/flags is the boolean false; expected the text "false" '
     "(in quotes)"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\none_of: [1, 2]",
     DEPLOYMENT, True, 'spec.replicas of Deployment/web is one of 1, 2'),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nequals: 1",
     DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  paused: true"), False,
     'spec.paused of Deployment/web is true; expected 1'),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: '^nginx:1\\.2[0-9]$'", DEPLOYMENT, True,
     'spec.template.spec.containers[*].image of Deployment/web is of the '
     'form the task asks for'),
    # a value of 60 characters is shown whole
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: ':latest$'", DEPLOYMENT.replace("nginx:1.27", f"{'r' * 50}/nginx:1.2"), False,
     f"spec.template.spec.containers[*].image of Deployment/web is {'r' * 50}/nginx:1.2; "
     "expected of the form the task asks for"),
    # of many values, the first three are shown
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: ':latest$'", DEPLOYMENT.replace(
         "        - name: web\n", "".join(f"        - {{name: c{i}, image: 'busybox:1.{i}'}}\n"
                                          for i in range(3)) + "        - name: web\n"), False,
     "spec.template.spec.containers[*].image of Deployment/web is busybox:1.0, busybox:1.1, "
     "busybox:1.2; expected of the form the task asks for"),
    # a list or mapping is shown as the learner reads it: text unescaped, keys in order
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[0].args\n"
     "equals: [--name, café]",
     DEPLOYMENT.replace("image: nginx:1.27", "image: nginx:1.27\n          args: [--name, été]"),
     False, 'spec.template.spec.containers[0].args of Deployment/web is ["--name", "été"]; '
     'expected ["--name", "café"]'),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.metadata.labels\n"
     "equals: {app: web}", DEPLOYMENT.replace("labels: {app: web}", "labels: {tier: a, app: web}"),
     False, 'spec.template.metadata.labels of Deployment/web is {"app": "web", "tier": "a"}; '
     'expected {"app": "web"}'),
    # an env value that looks like one of several texts, but is the boolean
    ("resource: {kind: Deployment, name: web}\n"
     "path: spec.template.spec.containers[0].env[0].value\none_of: ['true', 'yes']",
     DEPLOYMENT.replace("image: nginx:1.27",
                        "image: nginx:1.27\n          env: [{name: DEBUG, value: true}]"),
     False, "spec.template.spec.containers[0].env[0].value of Deployment/web is the boolean true; "
     'expected the text "true" (in quotes) or the text "yes" (in quotes)'),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: ':latest$'", DEPLOYMENT, False,
     'spec.template.spec.containers[*].image of Deployment/web is '
     'nginx:1.27; expected of the form the task asks for'),
    ("resource: {kind: Deployment, name: web}\npath: spec.strategy\nexists: true", DEPLOYMENT,
     False, "spec.strategy of Deployment/web is missing"),
    ("resource: {kind: Deployment, name: web}\npath: spec.selector\nexists: true", DEPLOYMENT,
     True, "spec.selector of Deployment/web is present"),
    # numbers compare by value: that 3.0 is no integer is the schema stage's finding
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 3",
     DEPLOYMENT.replace("replicas: 2", "replicas: 3.0"), True,
     "spec.replicas of Deployment/web is 3"),
    # a pinned image digest that differs past the cut: both are text, so no type is named
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[0].image\n"
     f"equals: nginx@sha256:{'a' * 64}",
     DEPLOYMENT.replace("nginx:1.27", f"nginx@sha256:{'a' * 60}bbbb"), False,
     f"spec.template.spec.containers[0].image of Deployment/web is nginx@sha256:{'a' * 44}...; "
     f"expected nginx@sha256:{'a' * 44}..."),
    ("resource: {kind: Deployment, name: web}\npath: metadata.namespace\nabsent: true",
     DEPLOYMENT, False, "metadata.namespace of Deployment/web should not be there"),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nabsent: true", DEPLOYMENT,
     True, 'spec.paused of Deployment/web is absent'),
    ("resource: {kind: Deployment, name: gone}\npath: spec.replicas\nexists: true",
     DEPLOYMENT, False, 'there is no Deployment named gone; your answer has Deployment web'),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}", ANSWER, True,
     "Service/web selects the pods of Deployment/web"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: api}"), False,
     "the selector of Service/web (app: api) does not match the pod labels of "
     "Deployment/web (app: web)"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + SERVICE.replace("namespace: shop", "namespace: default"), False,
     'Service/web is in namespace default and Deployment/web in shop; a '
     'Service only selects pods in its own'),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}", ANSWER,
     True, "port 80 of Service/web reaches containerPort 8080"),
    ("reaches: {service: web, port: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: http"), True,
     'port web of Service/web reaches containerPort http'),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: 80"), False,
     "port 80 of Service/web sends traffic to 80, but the pods of Deployment/web declare "
     "containerPort 8080"),
    ("reaches: {service: web, port: 443, workload: {kind: Deployment, name: web}}", ANSWER,
     False, "Service/web has no port 443"),
    # Quoted digits are a port name to Kubernetes: say so rather than "8080 but 8080".
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", 'targetPort: "8080"'), False,
     'port 80 of Service/web sends traffic to "8080" in quotes: Kubernetes '
     'reads quoted digits as a port name, not a number, and refuses it '
     '(remove the quotes: targetPort: 8080)'),
    ("valid: true", DEPLOYMENT, True, 'the checker finds no error'),
    ("valid: true", DEPLOYMENT.replace("replicas: 2", "replica: 2"), False,
     'line 7: spec has no field `replica`'),
    # an error of the rules counts too: the server refuses this selector
    ("valid: true", DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False,
     "line 12: the template's pods carry app: api, but "
     'spec.selector.matchLabels (line 9) wants app: web'),
    ("valid: true", DEPLOYMENT.replace("replicas: 2", "replica: 2\n  paused: maybe"), False,
     'line 8: spec.paused must be true or false; you wrote "maybe" (and 1 more)'),
    ("valid: true", "# nothing yet\n", False,
     'line 1: there is no Kubernetes object here: the text is empty or only '
     'comments'),
    # a port name the server refuses reaches nothing, even when both sides agree
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: HTTP").replace("name: http", "name: HTTP"),
     False, 'port 80 of Service/web sends traffic to the port name HTTP, which the '
     "API server refuses (it contains 'H' (uppercase is not allowed); use "
     "only lowercase letters, digits and '-')"),
    ("clean: [selector-matches-template]", DEPLOYMENT, True,
     'no selector-matches-template problem'),
    ("clean: [selector-matches-template]",
     DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False,
     "line 12: the template's pods carry app: api, but "
     'spec.selector.matchLabels (line 9) wants app: web'),
    ("clean: [selector-matches-template, image-latest]", DEPLOYMENT, True,
     "no image-latest, selector-matches-template problem"),
    ("clean: [selector-matches-template]", "# nothing yet\n", False,
     "there is no object in your answer to check"),
])
def test_check_kinds(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert result.message == message


def test_a_secret_value_never_appears_in_feedback(tmp_path):
    secret = ("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
              "stringData:\n  password: hunter2\n")
    result = run_check(tmp_path, "resource: {kind: Secret, name: db}\npath: stringData.password\n"
                                 "equals: s3cret", secret)
    assert not result.passed
    assert "hunter2" not in result.message and "stringData.password" in result.message


def test_a_python_check_is_an_escape_hatch(tmp_path):
    code = """
        def has_two(bundle):
            deployment = bundle.find("Deployment", "web")
            ok = deployment is not None and deployment.get(("spec", "replicas")) == 2
            return ok, "two replicas" if ok else "not two"
        def is_web(bundle):
            return bundle.find("Deployment", "web") is not None
        def is_api(bundle):
            return bundle.find("Deployment", "api") is not None
        def boom(bundle):
            raise RuntimeError("instructor bug")
    """
    good = run_check(tmp_path / "a", "python: checks.py:has_two", DEPLOYMENT, {"checks.py": code})
    assert (good.passed, good.message) == (True, "two replicas")
    for name, passed in (("is_web", True), ("is_api", False)):
        bare = run_check(tmp_path / name, f"python: checks.py:{name}", DEPLOYMENT,
                         {"checks.py": code})
        assert (bare.passed, bare.message) == (passed, "")  # a bare truth value says nothing
    crash = run_check(tmp_path / "b", "python: checks.py:boom", DEPLOYMENT, {"checks.py": code})
    assert (crash.passed, crash.message) == (
        False, "the grader could not run this check (RuntimeError); this is a bug in the "
        "course, please report it")


# --- can/cannot and uses/mounts (lessons 05-07) -------------------------------------

RBAC = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: mlops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: read-settings, namespace: mlops}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    resourceNames: [app-settings]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: app-reads-settings, namespace: mlops}
subjects:
  - {kind: ServiceAccount, name: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-settings}
"""
APP = "system:serviceaccount:mlops:app"
NODES = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-reader}
rules:
  - {apiGroups: [""], resources: [nodes], verbs: [get, list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: jane-reads-nodes}
subjects:
  - {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-reader}
"""


@pytest.mark.parametrize(("check", "answer", "passed", "message"), [
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: mlops, "
     "name: app-settings}", RBAC, True,
     'system:serviceaccount:mlops:app may get configmaps/app-settings in '
     'namespace mlops: RoleBinding mlops/app-reads-settings grants it '
     'through Role mlops/read-settings'),
    # resourceNames limits the grant to that one ConfigMap
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: mlops, name: other}}",
     RBAC, False, f"no binding in the answer lets {APP} get configmaps in namespace mlops"),
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: default}}", RBAC, False,
     'no binding in the answer lets system:serviceaccount:mlops:app get '
     'configmaps in namespace default'),
    (f"cannot: {{as: '{APP}', verb: list, resource: secrets, namespace: mlops}}", RBAC, True,
     f"{APP} may not list secrets in namespace mlops"),
    (f"can: {{as: '{APP}', verb: delete, resource: configmaps, namespace: mlops, "
     "name: app-settings, expect: false}", RBAC.replace("verbs: [get]", 'verbs: ["*"]'), False,
     'system:serviceaccount:mlops:app may delete configmaps/app-settings in '
     'namespace mlops, and should not: RoleBinding mlops/app-reads-settings '
     'grants it through Role mlops/read-settings'),
    # a binding to a role the answer lacks cannot prove anything either way
    (f"cannot: {{as: '{APP}', verb: list, resource: secrets, namespace: mlops}}",
     RBAC.replace("name: read-settings}", "name: elsewhere}"), False,
     'RoleBinding mlops/app-reads-settings refers to Role mlops/elsewhere, '
     'which the answer does not define, so whether it allows list secrets in '
     'namespace mlops is unknown'),
    # a request that names no object matches resourceNames: [""], as in the API server
    (f"can: {{as: '{APP}', verb: list, resource: configmaps, namespace: mlops}}",
     RBAC.replace("resourceNames: [app-settings]", 'resourceNames: [""]').replace(
         "verbs: [get]", "verbs: [list]"), True,
     f"{APP} may list configmaps in namespace mlops: RoleBinding mlops/app-reads-settings "
     "grants it through Role mlops/read-settings"),
    ("can: {as: jane, verb: list, resource: nodes}", NODES, True,
     "jane may list nodes cluster-wide: ClusterRoleBinding jane-reads-nodes grants it "
     "through ClusterRole node-reader"),
    ("cannot: {as: jane, verb: delete, resource: nodes}", NODES, True,
     "jane may not delete nodes cluster-wide"),
    ("can: {as: joe, verb: list, resource: nodes}", NODES, False,
     "no binding in the answer lets joe list nodes cluster-wide"),
    (f"can: {{as: '{APP}', verb: list, resource: deployments, group: apps, namespace: mlops}}",
     RBAC.replace("kind: Role, name: read-settings", "kind: ClusterRole, name: view"), True,
     'system:serviceaccount:mlops:app may list deployments (group apps) in '
     'namespace mlops: RoleBinding mlops/app-reads-settings grants it '
     'through ClusterRole view'),
])
def test_access_checks(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert result.message == message


POD_USES = """\
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: mlops}
spec:
  containers:
    - name: app
      image: nginx:1.27-alpine
      envFrom:
        - configMapRef: {name: app-settings}
      env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: api-token, key: token}}
      volumeMounts:
        - {name: models, mountPath: /models}
        - {name: spare, mountPath: /spare}
        - {name: spare, mountPath: /more}
  volumes:
    - name: models
      persistentVolumeClaim: {claimName: model-store}
    - name: spare
      configMap: {name: extra}
    - name: idle
      configMap: {name: unmounted}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: extra, namespace: mlops}
data: {mode: fast}
"""


@pytest.mark.parametrize(("check", "passed", "message"), [
    ("uses: {workload: {kind: Pod, name: app}, configmap: app-settings}", True,
     "the pods of Pod/app read the ConfigMap app-settings into the environment"),
    ("uses: {workload: {kind: Pod, name: app}, secret: api-token}", True,
     'the pods of Pod/app read the Secret api-token into the environment'),
    ("uses: {workload: {kind: Pod, name: app}, claim: model-store}", True,
     'the pods of Pod/app mount the PersistentVolumeClaim model-store at '
     '/models'),
    ("mounts: {workload: {kind: Pod, name: app}, claim: model-store, path: /models}", True,
     'the pods of Pod/app mount the PersistentVolumeClaim model-store at '
     '/models'),
    ("mounts: {workload: {kind: Pod, name: app}, claim: model-store, path: /data}", False,
     'the pods of Pod/app mount the PersistentVolumeClaim model-store at '
     '/models, not at /data'),
    ("uses: {workload: {kind: Pod, name: app}, configmap: unmounted}", False,
     'the pods of Pod/app declare a volume for the ConfigMap unmounted, but no '
     'container mounts it (add a volumeMounts entry with its name)'),
    ("mounts: {workload: {kind: Pod, name: app}, secret: api-token}", False,
     'the pods of Pod/app read the Secret api-token into the environment, '
     'but do not mount it as files'),
    ("uses: {workload: {kind: Pod, name: app}, secret: app-settings}", False,
     "the pods of Pod/app do not use the Secret app-settings"),
    ("uses: {workload: {kind: Deployment, name: app}, secret: api-token}", False,
     'there is no Deployment named app in your answer'),
    ("uses: {workload: {kind: ConfigMap, name: extra}, secret: api-token}", False,
     "ConfigMap/extra has no pod template"),
    ("mounts: {workload: {kind: Pod, name: app}, configmap: extra, path: /etc/extra}", False,
     "the pods of Pod/app mount the ConfigMap extra at /spare, /more, not at /etc/extra"),
])
def test_uses_and_mounts_checks(tmp_path, check, passed, message):
    result = run_check(tmp_path, check, POD_USES)
    assert result.passed is passed, result.message
    assert result.message == message


@pytest.mark.parametrize(("check", "problem"), [
    ("can: {as: jane, verb: get}", "can.resource: `resource` is missing or not text"),
    ("cannot: {as: jane, verb: get, resource: pods, expect: false}", "unknown key `expect`"),
    ("can: {as: jane, verb: get, resource: pods, expect: maybe}", "`expect` must be true"),
    ("uses: {workload: {kind: Pod, name: app}}", "name exactly one of configmap, secret, claim"),
    ("uses: {workload: {kind: Pod, name: app}, claim: data, path: /data}", "unknown key `path`"),
    ("mounts: {workload: app, claim: data}", "must be a mapping like {kind: Deployment"),
])
def test_access_and_uses_checks_are_validated_when_the_exercise_loads(tmp_path, check, problem):
    from k8s_course.grading import ExerciseError

    with pytest.raises(ExerciseError, match=re.escape(problem)):
        run_check(tmp_path, check, POD_USES)


# --- lesson 08: scales, protects, fits-quota -------------------------------------------

HPA = """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
"""
PDB = """\
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: web}
"""
RESOURCES = "          resources:\n            requests: {cpu: 200m, memory: 128Mi}\n" \
            "            limits: {memory: 256Mi}\n"
SIZED = DEPLOYMENT.replace("          ports:\n", RESOURCES + "          ports:\n")
QUOTA = """\
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: shop-quota
  namespace: shop
spec:
  hard: {pods: "10", requests.cpu: "1", requests.memory: 1Gi, limits.memory: 2Gi}
"""
CONTROLLER = """\
apiVersion: v1
kind: ReplicationController
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {app: web}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'nginx:1.27'}]}
"""
SCALES = "scales: {hpa: web, workload: {kind: Deployment, name: web}}"
PROTECTS = "protects: {pdb: web, workload: {kind: Deployment, name: web}}"
FITS = "fits-quota: {namespace: shop}"


@pytest.mark.parametrize(("check", "answer", "passed", "message"), [
    (SCALES, DEPLOYMENT + HPA, True, "HorizontalPodAutoscaler/web scales Deployment/web"),
    (SCALES, DEPLOYMENT + HPA.replace("name: web}", "name: webapp}"), False,
     "the scaleTargetRef of HorizontalPodAutoscaler/web names Deployment/webapp, "
     "not Deployment/web"),
    (SCALES, DEPLOYMENT + HPA.replace("apiVersion: apps/v1,", "apiVersion: v1,"), False,
     'the scaleTargetRef of HorizontalPodAutoscaler/web says apiVersion v1, '
     'but Deployment/web is apps/v1'),
    (SCALES, DEPLOYMENT + HPA.replace("namespace: shop", "namespace: default"), False,
     'HorizontalPodAutoscaler/web is in namespace default and Deployment/web '
     'in shop; it only covers its own namespace'),
    (SCALES, DEPLOYMENT, False, 'there is no HorizontalPodAutoscaler named web in your answer'),
    (SCALES, DEPLOYMENT + HPA.replace(
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n", ""), False,
     "HorizontalPodAutoscaler/web has no scaleTargetRef, so it scales nothing"),
    (PROTECTS, DEPLOYMENT + PDB, True, "PodDisruptionBudget/web protects the pods of "
     "Deployment/web"),
    (PROTECTS, DEPLOYMENT + PDB.replace("{app: web}", "{app: shop}"), False,
     "the selector of PodDisruptionBudget/web (app: shop) does not match the pod labels of "
     "Deployment/web (app: web)"),
    (PROTECTS, DEPLOYMENT + PDB.replace("    matchLabels: {app: web}\n", "").replace(
        "  selector:\n", ""), False,
     'PodDisruptionBudget/web has no selector, so it protects no pod'),
    (PROTECTS, DEPLOYMENT + PDB.replace("matchLabels: {app: web}",
                                        "matchExpressions: [{key: app, operator: In, "
                                        "values: [web, api]}]"), True,
     'PodDisruptionBudget/web protects the pods of Deployment/web'),
    # the check names the autoscaler's namespace: one elsewhere is not it
    ("scales: {hpa: web, namespace: shop, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + HPA.replace("namespace: shop", "namespace: default"), False,
     "HorizontalPodAutoscaler/web is in namespace default, not in namespace shop"),
    (SCALES, DEPLOYMENT + HPA.replace(
        "{apiVersion: apps/v1, kind: Deployment, name: web}", "{}"), False,
     "HorizontalPodAutoscaler/web has no scaleTargetRef, so it scales nothing"),
    (SCALES, DEPLOYMENT + HPA.replace(
        "{apiVersion: apps/v1, kind: Deployment, name: web}", "web"), False,
     "HorizontalPodAutoscaler/web has no scaleTargetRef, so it scales nothing"),
    # the core group's apiVersion has no "/": v1 is the group "" at version v1
    ("scales: {hpa: web, workload: {kind: ReplicationController, name: web}}",
     CONTROLLER + HPA.replace("apiVersion: apps/v1, kind: Deployment",
                              "apiVersion: v1, kind: ReplicationController"), True,
     "HorizontalPodAutoscaler/web scales ReplicationController/web"),
    ("scales: {hpa: web, workload: {kind: ReplicationController, name: web}}",
     CONTROLLER + HPA.replace("kind: Deployment", "kind: ReplicationController"), False,
     "the scaleTargetRef of HorizontalPodAutoscaler/web says apiVersion apps/v1, but "
     "ReplicationController/web is v1"),
    # kubectl's selector syntax is no mapping of labels (the schema stage says so)
    (PROTECTS, DEPLOYMENT + PDB.replace("{app: web}", "app=web\n    matchExpressions: "
                                        "[{key: tier, operator: Exists}]"), False,
     "the selector of PodDisruptionBudget/web (no labels) does not match the pod labels of "
     "Deployment/web (app: web)"),
    (PROTECTS, DEPLOYMENT + PDB.replace("matchLabels: {app: web}",
                                        "matchExpressions: [{key: app, operator: In, "
                                        "values: [api]}]"), False,
     "the selector of PodDisruptionBudget/web (no labels) does not match the pod labels of "
     "Deployment/web (app: web)"),
    (FITS, SIZED + QUOTA, True,
     'every pod fits the quota of namespace shop: pods 2 of 10; requests.cpu '
     '400m of 1; requests.memory 256Mi of 1Gi; limits.memory 512Mi of 2Gi'),
    (FITS, SIZED.replace("replicas: 2", "replicas: 6") + QUOTA, False,
     "exceeded quota shop-quota: requests.cpu needs 1200m (6 pods of Deployment/web "
     "(replicas 6) x 200m), limited: 1"),
    # the autoscaler may ask for maxReplicas: 4 x 200m still fits, 6 would not
    (FITS, SIZED + QUOTA + HPA, True,
     'every pod fits the quota of namespace shop: pods 4 of 10; requests.cpu '
     '800m of 1; requests.memory 512Mi of 1Gi; limits.memory 1Gi of 2Gi'),
    (FITS, SIZED + QUOTA + HPA.replace("maxReplicas: 4", "maxReplicas: 6"), False,
     'exceeded quota shop-quota: requests.cpu needs 1200m (6 pods of '
     'Deployment/web (maxReplicas 6 of HorizontalPodAutoscaler/web) x 200m), '
     'limited: 1'),
    (FITS, DEPLOYMENT + QUOTA, False,
     "the pods of Deployment/web would be refused: quota shop-quota requires every container "
     "to state what it counts: container web lacks limits.memory, requests.cpu, "
     "requests.memory"),
    (FITS, SIZED, False, "there is no ResourceQuota in namespace shop in your answer"),
    (FITS, QUOTA, False, "your answer runs no pods in namespace shop"),
])
def test_lesson_08_check_kinds(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert result.message == message


def test_fits_quota_applies_the_limit_range_defaults_first(tmp_path):
    """A LimitRange's defaults give the containers what the quota requires."""
    limit_range = ("---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, "
                   "namespace: shop}\nspec:\n  limits:\n    - type: Container\n"
                   "      default: {memory: 256Mi}\n      defaultRequest: {cpu: 100m, "
                   "memory: 128Mi}\n")
    result = run_check(tmp_path, FITS, DEPLOYMENT + QUOTA + limit_range)
    assert result.passed, result.message
    assert "requests.cpu 200m of 1" in result.message
    too_big = limit_range.replace("default: {memory: 256Mi}", "default: {memory: 256Mi}\n"
                                  "      max: {memory: 128Mi}")
    refused = run_check(tmp_path / "b", FITS, DEPLOYMENT + QUOTA + too_big)
    assert not refused.passed
    assert "LimitRange: maximum memory per container is 128Mi, but container web has the " \
           "limit 256Mi" in refused.message


@pytest.mark.parametrize("check", [
    "scales: {hpa: web}", "scales: {hpa: 3, workload: {kind: Deployment, name: web}}",
    "protects: {pdb: web, workload: {name: web}}", "fits-quota: mlops",
    "fits-quota: {namespace: mlops, replicas: 3}",
])
def test_lesson_08_check_kinds_reject_a_malformed_spec(tmp_path, check):
    from k8s_course.grading import ExerciseError

    with pytest.raises(ExerciseError):
        run_check(tmp_path, check, DEPLOYMENT)


OTHER = """\
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: shop}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: a, image: 'b:1'}]}
"""
NO_PORTS = ANSWER.replace("          ports:\n            - {name: http, containerPort: 8080}\n", "")


@pytest.mark.parametrize(("check", "answer", "message"), [
    ("selects: {service: api, workload: {kind: Deployment, name: web}}", ANSWER,
     "there is no Service named api; your answer has Service web"),
    # the example: each label matches some template, both together none
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: web, tier: back}")
     .replace("labels: {app: web}", "labels: {app: web, tier: front}"),
     "the selector of Service/web (app: web, tier: back) does not match the pod labels of "
     "Deployment/web (app: web, tier: front)"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + SERVICE.replace("  selector: {app: web}\n", ""),
     "Service/web has no selector, so it selects no pods"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: x}") + OTHER,
     "the selector of Service/web (app: x) does not match the pod labels of Deployment/web "
     "(app: web); it selects Deployment/other"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: x}") + OTHER
     + OTHER.replace("name: other", "name: another"),
     "the selector of Service/web (app: x) does not match the pod labels of Deployment/web "
     "(app: web); it selects Deployment/another, Deployment/other"),
    # kubectl's selector syntax is not a Service's selector (the schema stage says so)
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: app=web"),
     "Service/web has no selector, so it selects no pods"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace(", targetPort: 8080", ""), "port 80 of Service/web sends traffic to 80, "
     "but the pods of Deployment/web declare containerPort 8080"),
    # the check names the Service's namespace: one elsewhere is not it
    ("selects: {service: web, namespace: shop, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + SERVICE.replace("namespace: shop", "namespace: default"),
     "Service/web is in namespace default, not in namespace shop"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: 80").replace(
         "- {name: http, containerPort: 8080}",
         "- {name: http, containerPort: 8080}\n            - {name: admin, containerPort: 9090}"),
     "port 80 of Service/web sends traffic to 80, but the pods of Deployment/web declare "
     "containerPort 8080, 9090"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: gone}}", ANSWER,
     "there is no Deployment named gone; your answer has Deployment web"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}", NO_PORTS,
     "port 80 of Service/web sends traffic to 8080, but the pods of Deployment/web declare no "
     "containerPort"),
    ("protects: {pdb: gone, workload: {kind: Deployment, name: web}}", DEPLOYMENT + PDB,
     "there is no PodDisruptionBudget named gone; your answer has PodDisruptionBudget web"),
    ("protects: {pdb: web, workload: {kind: Service, name: web}}", ANSWER + PDB,
     "Service/web has no pod template"),
    (SCALES, DEPLOYMENT + HPA.replace("apiVersion: apps/v1,", "apiVersion: apps.example.com/v1,"),
     "the scaleTargetRef of HorizontalPodAutoscaler/web says apiVersion apps.example.com/v1, "
     "but Deployment/web is apps/v1"),
    (FITS, SIZED.replace("replicas: 2", "replicas: 6")
     + QUOTA.replace("requests.memory: 1Gi", "requests.memory: 512Mi"),
     "exceeded quota shop-quota: requests.cpu needs 1200m (6 pods of Deployment/web (replicas "
     "6) x 200m), limited: 1 (and 1 more)"),
])
def test_a_failed_check_names_what_is_missing_or_wrong(tmp_path, check, answer, message):
    result = run_check(tmp_path, check, answer)
    assert (result.passed, result.message) == (False, message)


def test_each_value_is_named_with_its_type_when_one_looks_like_the_expected_one(tmp_path):
    """An env value must be text: `value: true` is the boolean, and a list is no value at all."""
    answer = DEPLOYMENT.replace("          ports:\n", "          env:\n"
                                "            - {name: DEBUG, value: true}\n"
                                "            - {name: MODES, value: [a, b]}\n"
                                "            - {name: A, value: x}\n"
                                "            - {name: B, value: y}\n"
                                "          ports:\n")
    result = run_check(tmp_path, "resource: {kind: Deployment, name: web}\n"
                                 "path: spec.template.spec.containers[*].env[*].value\n"
                                 "equals: 'true'", answer)
    assert (result.passed, result.message) == (
        False, "spec.template.spec.containers[*].env[*].value of Deployment/web is the boolean "
        'true, ["a", "b"], the text "x" (in quotes); expected the text "true" (in quotes)')
