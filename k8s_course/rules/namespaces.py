"""Rules about namespaces: where objects land, and what must exist first."""

from __future__ import annotations

from collections.abc import Iterator

from ..bundle import BUILT_IN_NAMESPACES, Bundle, Resource
from ..findings import Finding
from ._values import name_problem
from .catalogue import rule


def _written_namespace(resource: Resource) -> str:
    namespace = resource.metadata.get("namespace")
    return namespace if isinstance(namespace, str) else ""


@rule("namespace-not-created", "warning", "02-namespaces#create")
def namespace_not_created(bundle: Bundle) -> Iterator[Finding]:
    """An object placed in a namespace that the answer does not create.

    Why: `kubectl apply` refuses an object whose namespace does not exist yet
    ("namespaces ... not found"). Only default, kube-system, kube-public and
    kube-node-lease exist from the start; any other namespace needs its own
    Namespace object, applied first. (When the namespace already exists on
    your cluster, this warning is safe to ignore.)

    Bad (warning):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: mlops
        data:
          color: blue

    Good:

        apiVersion: v1
        kind: Namespace
        metadata:
          name: mlops
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: mlops
        data:
          color: blue
    """
    users: dict[str, list[Resource]] = {}
    for resource in bundle:
        namespace = _written_namespace(resource)
        # An invalid namespace name is invalid-name's finding: renaming it is the fix.
        if (namespace and not resource.cluster_scoped and namespace not in BUILT_IN_NAMESPACES
                and namespace not in bundle.namespaces
                and not name_problem(namespace, "dns-1123-label")):
            users.setdefault(namespace, []).append(resource)
    for namespace, resources in users.items():
        others = len(resources) - 1
        also = f" (and {others} more object{'s' * (others > 1)} of this answer)" if others else ""
        yield resources[0].finding(
            ("metadata", "namespace"),
            f"namespace {namespace!r} is not created in this answer{also}; "
            "applying fails unless it already exists on the cluster",
            f"add a Namespace before the objects that use it:\n"
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}", at_value=True)


@rule("namespace-after-use", "warning", "02-namespaces#order")
def namespace_after_use(bundle: Bundle) -> Iterator[Finding]:
    """A Namespace written after objects that live in it, in the same file.

    Why: `kubectl apply -f file.yaml` creates the documents in the order they
    are written. An object that comes before its Namespace is refused the
    first time, and only a second apply succeeds.

    Bad (warning):

        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: mlops
        data:
          color: blue
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: mlops

    Good:

        apiVersion: v1
        kind: Namespace
        metadata:
          name: mlops
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-settings
          namespace: mlops
        data:
          color: blue
    """
    first_use: dict[tuple[str, str], Resource] = {}
    for resource in bundle:
        if resource.kind == "Namespace" and resource.name:
            user = first_use.get((resource.file, resource.name))
            if user is not None:
                yield resource.finding(
                    ("kind",),
                    f"Namespace {resource.name!r} comes after {user.ref}, which lives in it; "
                    "the first apply will refuse that object",
                    "move this Namespace document to the top of the file")
        elif not resource.cluster_scoped:
            first_use.setdefault((resource.file, _written_namespace(resource)), resource)


@rule("namespace-on-cluster-scoped", "warning", "02-namespaces#cluster-scoped")
def namespace_on_cluster_scoped(bundle: Bundle) -> Iterator[Finding]:
    """A namespace written on a kind that lives outside namespaces.

    Why: Namespaces, Nodes, PersistentVolumes, ClusterRoles,
    ClusterRoleBindings, StorageClasses and a few more are cluster-scoped.
    Kubernetes ignores metadata.namespace on them, so writing one suggests a
    scope the object does not have.

    Bad (warning):

        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: data
          namespace: mlops
        spec:
          capacity:
            storage: 1Gi
          accessModes: [ReadWriteOnce]
          hostPath:
            path: /data

    Good:

        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: data
        spec:
          capacity:
            storage: 1Gi
          accessModes: [ReadWriteOnce]
          hostPath:
            path: /data
    """
    for resource in bundle:
        namespace = _written_namespace(resource)
        if resource.cluster_scoped and namespace:
            yield resource.finding(
                ("metadata", "namespace"),
                f"a {resource.kind} is cluster-scoped; the namespace {namespace!r} is ignored",
                "delete the `namespace:` line")
