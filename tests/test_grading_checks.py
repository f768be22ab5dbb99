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
    ("expect: {kind: Deployment, name: web, namespace: prod}", DEPLOYMENT, False,
     "Deployment/web is in namespace shop, not in namespace prod"),
    ("expect: {kind: Deployment, name: api}", DEPLOYMENT, False,
     "there is no Deployment named api; your answer has Deployment web"),
    ("expect: {kind: Service, name: web}", DEPLOYMENT, False,
     "there is no Service named web in your answer"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 3", DEPLOYMENT,
     False, "spec.replicas of Deployment/web is 2; expected 3"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2", DEPLOYMENT,
     True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\nequals: 2",
     DEPLOYMENT.replace("replicas: 2", 'replicas: "2"'), False,
     'is the text "2" (in quotes); expected the number 2'),
    ("resource: {kind: ConfigMap, name: flags}\npath: data.DEBUG\nequals: 'false'",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flags}\ndata:\n  DEBUG: false\n",
     False, 'data.DEBUG of ConfigMap/flags is the boolean false; expected the text "false" '
     "(in quotes)"),
    ("resource: {kind: Deployment, name: web}\npath: spec.replicas\none_of: [1, 2]",
     DEPLOYMENT, True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nequals: 1",
     DEPLOYMENT.replace("replicas: 2", "replicas: 2\n  paused: true"), False, "expected 1"),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: '^nginx:1\\.2[0-9]$'", DEPLOYMENT, True, ""),
    ("resource: {kind: Deployment, name: web}\npath: spec.template.spec.containers[*].image\n"
     "matches: ':latest$'", DEPLOYMENT, False, "is nginx:1.27; expected of the form"),
    ("resource: {kind: Deployment, name: web}\npath: spec.strategy\nexists: true", DEPLOYMENT,
     False, "spec.strategy of Deployment/web is missing"),
    ("resource: {kind: Deployment, name: web}\npath: metadata.namespace\nabsent: true",
     DEPLOYMENT, False, "metadata.namespace of Deployment/web should not be there"),
    ("resource: {kind: Deployment, name: web}\npath: spec.paused\nabsent: true", DEPLOYMENT,
     True, ""),
    ("resource: {kind: Deployment, name: gone}\npath: spec.replicas\nexists: true",
     DEPLOYMENT, False, "there is no Deployment named gone"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}", ANSWER, True,
     "Service/web selects the pods of Deployment/web"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("selector: {app: web}", "selector: {app: api}"), False,
     "the selector of Service/web (app: api) does not match the pod labels of "
     "Deployment/web (app: web)"),
    ("selects: {service: web, workload: {kind: Deployment, name: web}}",
     DEPLOYMENT + SERVICE.replace("namespace: shop", "namespace: default"), False,
     "a Service only selects pods in its own"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}", ANSWER,
     True, "port 80 of Service/web reaches containerPort 8080"),
    ("reaches: {service: web, port: web, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: http"), True, "reaches containerPort http"),
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: 80"), False,
     "port 80 of Service/web sends traffic to 80, but the pods of Deployment/web declare "
     "containerPort 8080"),
    ("reaches: {service: web, port: 443, workload: {kind: Deployment, name: web}}", ANSWER,
     False, "Service/web has no port 443"),
    # Quoted digits are a port name to Kubernetes: say so rather than "8080 but 8080".
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", 'targetPort: "8080"'), False,
     'sends traffic to "8080" in quotes: Kubernetes reads quoted digits as a port name'),
    ("valid: true", DEPLOYMENT, True, ""),
    ("valid: true", DEPLOYMENT.replace("replicas: 2", "replica: 2"), False, "line 7:"),
    # an error of the rules counts too: the server refuses this selector
    ("valid: true", DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False,
     "line 12: the template's pods carry app: api"),
    ("valid: true", "# nothing yet\n", False, "line 1: there is no Kubernetes object here"),
    # a port name the server refuses reaches nothing, even when both sides agree
    ("reaches: {service: web, port: 80, workload: {kind: Deployment, name: web}}",
     ANSWER.replace("targetPort: 8080", "targetPort: HTTP").replace("name: http", "name: HTTP"),
     False, "sends traffic to the port name HTTP, which the API server refuses (it contains "
     "'H' (uppercase is not allowed)"),
    ("clean: [selector-matches-template]", DEPLOYMENT, True, ""),
    ("clean: [selector-matches-template]",
     DEPLOYMENT.replace("labels: {app: web}", "labels: {app: api}"), False, "line "),
    ("clean: [selector-matches-template]", "# nothing yet\n", False,
     "there is no object in your answer to check"),
])
def test_check_kinds(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert message in result.message


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
        def boom(bundle):
            raise RuntimeError("instructor bug")
    """
    good = run_check(tmp_path / "a", "python: checks.py:has_two", DEPLOYMENT, {"checks.py": code})
    assert (good.passed, good.message) == (True, "two replicas")
    crash = run_check(tmp_path / "b", "python: checks.py:boom", DEPLOYMENT, {"checks.py": code})
    assert not crash.passed
    assert "could not run this check (RuntimeError)" in crash.message


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


@pytest.mark.parametrize(("check", "answer", "passed", "message"), [
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: mlops, "
     "name: app-settings}", RBAC, True,
     "may get configmaps/app-settings in namespace mlops: RoleBinding mlops/app-reads-settings"),
    # resourceNames limits the grant to that one ConfigMap
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: mlops, name: other}}",
     RBAC, False, f"no binding in the answer lets {APP} get configmaps in namespace mlops"),
    (f"can: {{as: '{APP}', verb: get, resource: configmaps, namespace: default}}", RBAC, False,
     "in namespace default"),
    (f"cannot: {{as: '{APP}', verb: list, resource: secrets, namespace: mlops}}", RBAC, True,
     f"{APP} may not list secrets in namespace mlops"),
    (f"can: {{as: '{APP}', verb: delete, resource: configmaps, namespace: mlops, "
     "name: app-settings, expect: false}", RBAC.replace("verbs: [get]", 'verbs: ["*"]'), False,
     "may delete configmaps/app-settings in namespace mlops, and should not: RoleBinding"),
    # a binding to a role the answer lacks cannot prove anything either way
    (f"cannot: {{as: '{APP}', verb: list, resource: secrets, namespace: mlops}}",
     RBAC.replace("name: read-settings}", "name: elsewhere}"), False,
     "which the answer does not define"),
    (f"can: {{as: '{APP}', verb: list, resource: deployments, group: apps, namespace: mlops}}",
     RBAC.replace("kind: Role, name: read-settings", "kind: ClusterRole, name: view"), True,
     "through ClusterRole view"),
])
def test_access_checks(tmp_path, check, answer, passed, message):
    result = run_check(tmp_path, check, answer)
    assert result.passed is passed, result.message
    assert message in result.message


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
  volumes:
    - name: models
      persistentVolumeClaim: {claimName: model-store}
    - name: spare
      configMap: {name: extra}
"""


@pytest.mark.parametrize(("check", "passed", "message"), [
    ("uses: {workload: {kind: Pod, name: app}, configmap: app-settings}", True,
     "the pods of Pod/app read the ConfigMap app-settings into the environment"),
    ("uses: {workload: {kind: Pod, name: app}, secret: api-token}", True, "environment"),
    ("uses: {workload: {kind: Pod, name: app}, claim: model-store}", True,
     "mount the PersistentVolumeClaim model-store at /models"),
    ("mounts: {workload: {kind: Pod, name: app}, claim: model-store, path: /models}", True, ""),
    ("mounts: {workload: {kind: Pod, name: app}, claim: model-store, path: /data}", False,
     "at /models, not at /data"),
    ("uses: {workload: {kind: Pod, name: app}, configmap: extra}", False,
     "declare a volume for the ConfigMap extra, but no container mounts it"),
    ("mounts: {workload: {kind: Pod, name: app}, secret: api-token}", False,
     "read the Secret api-token into the environment, but do not mount it as files"),
    ("uses: {workload: {kind: Pod, name: app}, secret: app-settings}", False,
     "the pods of Pod/app do not use the Secret app-settings"),
    ("uses: {workload: {kind: Deployment, name: app}, secret: api-token}", False,
     "there is no Deployment named app"),
])
def test_uses_and_mounts_checks(tmp_path, check, passed, message):
    result = run_check(tmp_path, check, POD_USES)
    assert result.passed is passed, result.message
    assert message in result.message


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
