"""A learner's kubeconfig: one context, one namespace, a token that expires.

The file reaches the shared cluster as the learner's ServiceAccount, whose
only rights are in their namespace (plan.py). Its context is named
`LEARNER_CONTEXT` in every learner's file, so one `K8S_COURSE_CONTEXT`
serves the whole class, and it carries the course's extension naming the
namespace, which confines the course's cluster actions to it (see
cluster/guard.py). kubectl reads the same file (`namespace:` is set too).
"""

from __future__ import annotations

from ..cluster.guard import CLASSROOM_EXTENSION

LEARNER_CONTEXT = "k8s-course-classroom"


def learner_kubeconfig(namespace: str, server: str, token: str, *, ca_data: str = "",
                       insecure: bool = False, user: str = "learner") -> dict:
    """The kubeconfig (as data) of one learner: the server, their token, their namespace.

    `ca_data` is the cluster's CA certificate, base64-encoded as kubeconfigs
    hold it ("" for a plain-HTTP test server).
    """
    cluster: dict = {"server": server}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    elif insecure:
        cluster["insecure-skip-tls-verify"] = True
    return {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": LEARNER_CONTEXT, "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [{"name": LEARNER_CONTEXT, "context": {
            "cluster": LEARNER_CONTEXT, "user": user, "namespace": namespace,
            # typed like other kubeconfig extensions; kubectl reads and keeps it
            "extensions": [{"name": CLASSROOM_EXTENSION, "extension": {
                "apiVersion": "k8s-course.dev/v1", "kind": "Classroom",
                "namespace": namespace}}]}}],
        "current-context": LEARNER_CONTEXT,
    }
