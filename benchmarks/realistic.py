"""A corpus that looks like a team's repository, generated at run time (never committed).

Documents of 20-40 lines with comments, 25 kinds, several namespaces and one
crowded namespace that holds about half of everything, and a few mistakes
(about one document in 40). Seeded, so every run checks the same text.

    from benchmarks.realistic import write_corpus
    paths = write_corpus(folder, documents=5000, files=20)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

CROWDED = "platform"
NAMESPACES = ("payments", "search", "checkout", "identity", "analytics", "edge")
IMAGES = ("registry.example.com/{app}:1.{minor}.{patch}", "ghcr.io/acme/{app}:v2.{minor}.{patch}")


def _header(rng: random.Random, kind: str, app: str) -> str:
    owner = rng.choice(("team-core", "team-data", "team-web", "sre"))
    return (f"# {kind} for {app}\n# owner: {owner}; change through a pull request\n"
            f"# runbook: https://wiki.example.com/runbooks/{app}\n")


def _annotated(rng: random.Random, text: str) -> str:
    """Annotations and a comment under `metadata:`, as deploy tools leave them."""
    commit = f"{rng.getrandbits(40):010x}"
    block = ("metadata:\n  # written by the deploy pipeline; do not edit by hand\n"
             f"  annotations:\n    example.com/commit: \"{commit}\"\n"
             f"    example.com/ticket: OPS-{rng.randint(100, 9999)}\n"
             "    example.com/on-call: \"#shop-oncall\"\n"
             "    example.com/cost-centre: \"cc-4410\"\n")
    if "\n  labels:" not in text:
        block += "  labels:\n    app.kubernetes.io/managed-by: deploy-bot\n    env: production\n"
    return text.replace("metadata:\n", block, 1)


def _labels(app: str, tier: str, indent: int) -> str:
    pad = " " * indent
    return (f"{pad}app.kubernetes.io/name: {app}\n{pad}app.kubernetes.io/part-of: shop\n"
            f"{pad}tier: {tier}\n")


def _container(rng: random.Random, app: str, indent: int, mistake: bool,
               mount: str = "") -> str:
    pad = " " * indent
    image = rng.choice(IMAGES).format(app=app, minor=rng.randint(0, 30), patch=rng.randint(0, 9))
    port = rng.choice((8080, 8000, 3000, 9090))
    memory = "256Mi" if not mistake else "256mb"  # the mistake: a unit Kubernetes rejects
    return (f"{pad}- name: {app}\n"
            f"{pad}  image: {image}\n"
            f"{pad}  ports:\n"
            f"{pad}    - name: http\n"
            f"{pad}      containerPort: {port}\n"
            f"{pad}  # requests are what the scheduler reserves\n"
            f"{pad}  resources:\n"
            f"{pad}    requests: {{cpu: 100m, memory: {memory}}}\n"
            f"{pad}    limits: {{memory: 512Mi}}\n"
            f"{pad}  readinessProbe:\n"
            f"{pad}    httpGet: {{path: /healthz, port: http}}\n"
            + (f"{pad}  volumeMounts:\n{pad}    - {{name: {mount}, mountPath: /var/lib/{mount}}}\n"
               if mount else ""))


def deployment(rng, ns, app, mistake):
    # the autoscaler owns replicas, so a clean Deployment leaves them out
    replicas = "  replicas: three\n" if mistake else ""
    return (_header(rng, "Deployment", app) +
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n"
            f"  namespace: {ns}\n  labels:\n{_labels(app, 'backend', 4)}spec:\n"
            f"{replicas}  selector:\n    matchLabels:\n"
            f"      app.kubernetes.io/name: {app}\n  template:\n    metadata:\n      labels:\n"
            f"{_labels(app, 'backend', 8)}    spec:\n      serviceAccountName: {app}\n"
            f"      containers:\n{_container(rng, app, 8, False)}")


def statefulset(rng, ns, app, mistake):
    return (_header(rng, "StatefulSet", app) +
            f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {app}-db\n"
            f"  namespace: {ns}\nspec:\n  serviceName: {app}-db\n  replicas: 3\n"
            f"  selector:\n    matchLabels: {{app.kubernetes.io/name: {app}-db}}\n"
            f"  template:\n    metadata:\n      labels: {{app.kubernetes.io/name: {app}-db}}\n"
            f"    spec:\n      containers:\n{_container(rng, app + '-db', 8, mistake, 'data')}"
            f"  volumeClaimTemplates:\n    - metadata: {{name: data}}\n"
            f"      spec:\n        accessModes: [ReadWriteOnce]\n"
            f"        resources: {{requests: {{storage: 10Gi}}}}\n")


def daemonset(rng, ns, app, mistake):
    return (_header(rng, "DaemonSet", app) +
            f"apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {app}-agent\n"
            f"  namespace: {ns}\nspec:\n  selector:\n"
            f"    matchLabels: {{app.kubernetes.io/name: {app}-agent}}\n"
            f"  template:\n    metadata:\n      labels: {{app.kubernetes.io/name: {app}-agent}}\n"
            f"    spec:\n      # the agent reads node logs\n      containers:\n"
            f"{_container(rng, app + '-agent', 8, mistake)}")


def service(rng, ns, app, mistake):
    port = "web" if mistake else "http"
    return (_header(rng, "Service", app) +
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\n"
            f"  labels:\n{_labels(app, 'backend', 4)}spec:\n  type: ClusterIP\n"
            f"  # selects the pods of the Deployment of the same name\n  selector:\n"
            f"    app.kubernetes.io/name: {app}\n  ports:\n    - name: http\n      port: 80\n"
            f"      targetPort: {port}\n      protocol: TCP\n")


def config_map(rng, ns, app, mistake):
    level = rng.choice(("info", "debug", "warn"))
    return (_header(rng, "ConfigMap", app) +
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n"
            f"  namespace: {ns}\n  labels:\n{_labels(app, 'config', 4)}data:\n"
            f"  LOG_LEVEL: {level}\n  FEATURE_FLAGS: \"search,cart\"\n"
            f"  # settings the app reads at start-up\n  app.properties: |\n"
            f"    server.port=8080\n    cache.ttl=300\n    pool.size={rng.randint(4, 64)}\n")


def secret(rng, ns, app, mistake):
    return (_header(rng, "Secret", app) +
            f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}-credentials\n"
            f"  namespace: {ns}\ntype: Opaque\n# values come from the vault at deploy time\n"
            f"stringData:\n  username: {app}\n  password: change-me-{rng.randint(0, 99999)}\n")


def headless_service(rng, ns, app, mistake):
    return (_header(rng, "Service", app) +
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}-db\n  namespace: {ns}\n"
            f"spec:\n  # headless: each database pod gets its own DNS name\n  clusterIP: None\n"
            f"  selector:\n    app.kubernetes.io/name: {app}-db\n  ports:\n    - name: http\n"
            f"      port: 8080\n      targetPort: http\n")


def job(rng, ns, app, mistake):
    return (_header(rng, "Job", app) +
            f"apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {app}-migrate\n"
            f"  namespace: {ns}\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n"
            f"      restartPolicy: OnFailure\n      containers:\n"
            f"{_container(rng, app + '-migrate', 8, mistake)}")


def cron_job(rng, ns, app, mistake):
    schedule = "every hour" if mistake else f"{rng.randint(0, 59)} * * * *"
    return (_header(rng, "CronJob", app) +
            f"apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {app}-report\n"
            f"  namespace: {ns}\nspec:\n  schedule: \"{schedule}\"\n"
            f"  concurrencyPolicy: Forbid\n  jobTemplate:\n"
            f"    spec:\n      template:\n        spec:\n          restartPolicy: Never\n"
            f"          volumes:\n            - name: cache\n"
            f"              persistentVolumeClaim: {{claimName: {app}-cache}}\n"
            f"          containers:\n{_container(rng, app + '-report', 12, False, 'cache')}")


def ingress(rng, ns, app, mistake):
    return (_header(rng, "Ingress", app) +
            f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n"
            f"  namespace: {ns}\nspec:\n  ingressClassName: nginx\n  rules:\n"
            f"    - host: {app}.example.com\n      http:\n        paths:\n"
            f"          - path: /\n            pathType: Prefix\n            backend:\n"
            f"              service:\n                name: {app}\n"
            f"                port: {{number: 80}}\n  tls:\n    - hosts: [{app}.example.com]\n"
            f"      secretName: {app}-tls\n")


def pvc(rng, ns, app, mistake):
    return (_header(rng, "PersistentVolumeClaim", app) +
            f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {app}-cache\n"
            f"  namespace: {ns}\nspec:\n  accessModes:\n    - ReadWriteOnce\n"
            f"  storageClassName: fast\n  resources:\n    requests:\n"
            f"      storage: {rng.randint(1, 50)}Gi\n")


def service_account(rng, ns, app, mistake):
    return (_header(rng, "ServiceAccount", app) +
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n"
            f"  namespace: {ns}\n  labels:\n{_labels(app, 'identity', 4)}"
            f"# pods of {app} run as this account\nautomountServiceAccountToken: false\n")


def role(rng, ns, app, mistake):
    return (_header(rng, "Role", app) +
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n"
            f"  name: {app}-reader\n  namespace: {ns}\nrules:\n  # read its own settings\n"
            f"  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get, list, watch]\n"
            f"  - apiGroups: [\"\"]\n    resources: [secrets]\n    verbs: [get]\n")


def role_binding(rng, ns, app, mistake):
    return (_header(rng, "RoleBinding", app) +
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
            f"  name: {app}-reader\n  namespace: {ns}\nsubjects:\n  - kind: ServiceAccount\n"
            f"    name: {app}\n    namespace: {ns}\nroleRef:\n"
            f"  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {app}-reader\n")


def cluster_role(rng, ns, app, mistake):
    return (_header(rng, "ClusterRole", app) +
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n"
            f"  name: {ns}-{app}-nodes\nrules:\n  # node names for the topology view\n"
            f"  - apiGroups: [\"\"]\n    resources: [nodes]\n    verbs: [get, list]\n")


def cluster_role_binding(rng, ns, app, mistake):
    return (_header(rng, "ClusterRoleBinding", app) +
            f"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
            f"  name: {ns}-{app}-nodes\nsubjects:\n  - kind: ServiceAccount\n"
            f"    name: {app}\n    namespace: {ns}\nroleRef:\n"
            f"  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n"
            f"  name: {ns}-{app}-nodes\n")


def hpa(rng, ns, app, mistake):
    low = rng.randint(2, 4)
    return (_header(rng, "HorizontalPodAutoscaler", app) +
            f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
            f"  name: {app}\n  namespace: {ns}\nspec:\n  scaleTargetRef:\n"
            f"    apiVersion: apps/v1\n    kind: Deployment\n    name: {app}\n"
            f"  minReplicas: {low}\n  maxReplicas: {low + 8}\n  # scale on CPU only\n"
            f"  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n"
            f"        target: {{type: Utilization, averageUtilization: 70}}\n")


def pdb(rng, ns, app, mistake):
    return (_header(rng, "PodDisruptionBudget", app) +
            f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {app}\n"
            f"  namespace: {ns}\nspec:\n  # keep one pod up during node drains\n"
            f"  minAvailable: 1\n  selector:\n    matchLabels:\n"
            f"      app.kubernetes.io/name: {app}\n")


def network_policy(rng, ns, app, mistake):
    return (_header(rng, "NetworkPolicy", app) +
            f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
            f"  name: {app}-ingress\n  namespace: {ns}\nspec:\n  podSelector:\n"
            f"    matchLabels:\n      app.kubernetes.io/name: {app}\n  policyTypes: [Ingress]\n"
            f"  ingress:\n    # only the edge may call it\n    - from:\n"
            f"        - namespaceSelector:\n            matchLabels:\n"
            f"              kubernetes.io/metadata.name: edge\n      ports:\n"
            f"        - port: 8080\n          protocol: TCP\n")


def limit_range(rng, ns, app, mistake):
    return (_header(rng, "LimitRange", app) +
            f"apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: {app}-defaults\n"
            f"  namespace: {ns}\nspec:\n  limits:\n    - type: Container\n"
            f"      # what a container gets when it asks for nothing\n"
            f"      default: {{cpu: 500m, memory: 512Mi}}\n"
            f"      defaultRequest: {{cpu: 100m, memory: 128Mi}}\n")


def resource_quota(rng, ns, app, mistake):
    return (_header(rng, "ResourceQuota", app) +
            f"apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: {app}-quota\n"
            f"  namespace: {ns}\nspec:\n  hard:\n    # the team's share of the cluster\n"
            f"    requests.cpu: \"{rng.randint(400, 800)}\"\n    requests.memory: 2Ti\n"
            f"    pods: \"{rng.randint(4000, 8000)}\"\n")


def priority_class(rng, ns, app, mistake):
    return (_header(rng, "PriorityClass", app) +
            f"apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n"
            f"  name: {ns}-{app}-high\nvalue: {rng.randint(1000, 100000)}\n"
            f"globalDefault: false\n# for pods that must not be preempted first\n"
            f"description: \"critical path of {app}\"\n")


def storage_class(rng, ns, app, mistake):
    return (_header(rng, "StorageClass", app) +
            f"apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n"
            f"  name: {ns}-{app}-ssd\nprovisioner: ebs.csi.aws.com\n"
            f"reclaimPolicy: Delete\nvolumeBindingMode: WaitForFirstConsumer\n"
            f"# gp3 is cheaper per IOPS\nparameters:\n  type: gp3\n")


def persistent_volume(rng, ns, app, mistake):
    return (_header(rng, "PersistentVolume", app) +
            f"apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: {ns}-{app}-archive\n"
            f"spec:\n  capacity:\n    storage: 100Gi\n  accessModes: [ReadOnlyMany]\n"
            f"  persistentVolumeReclaimPolicy: Retain\n  # an NFS export the old system used\n"
            f"  nfs:\n    server: nfs.internal\n    path: /exports/{app}\n")


def pod(rng, ns, app, mistake):
    return (_header(rng, "Pod", app) +
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {app}-debug\n  namespace: {ns}\n"
            f"  labels:\n    app.kubernetes.io/name: {app}-debug\nspec:\n"
            f"  restartPolicy: Never\n  containers:\n{_container(rng, app + '-debug', 4, False)}")


def namespace(rng, ns, app, mistake):
    return (f"# the {ns} team's namespace\napiVersion: v1\nkind: Namespace\nmetadata:\n"
            f"  name: {ns}\n  labels:\n    team: {ns}\n"
            f"    pod-security.kubernetes.io/enforce: baseline\n")


Template = Callable[[random.Random, str, str, bool], str]
# One application's documents, in the order a repository keeps them.
APP: tuple[Template, ...] = (
    deployment, service, config_map, secret, service_account, role, role_binding, hpa, pdb,
    network_policy, ingress, pvc, statefulset, headless_service, job, cron_job, daemonset, pod,
    limit_range, resource_quota, cluster_role, cluster_role_binding, priority_class, storage_class,
    persistent_volume)
PER_NAMESPACE = (limit_range, resource_quota)
KINDS = 1 + len(APP)  # Namespace too


def documents(count: int, seed: int = 16) -> Iterator[str]:
    """`count` documents: namespaces first, then applications, half in the crowded namespace."""
    rng = random.Random(seed)
    for name in (CROWDED, *NAMESPACES):
        yield namespace(rng, name, "", False)
    made = len(NAMESPACES) + 1
    number = 0
    done: set[tuple[str, Template]] = set()
    while made < count:
        number += 1
        ns = CROWDED if rng.random() < 0.5 else rng.choice(NAMESPACES)
        app = f"svc-{number:05d}"
        for template in APP:
            if made >= count:
                return
            if template in PER_NAMESPACE:  # one quota and one LimitRange a namespace
                if (ns, template) in done:
                    continue
                done.add((ns, template))
            yield _annotated(rng, template(rng, ns, app, rng.random() < 1 / 40))
            made += 1


def write_corpus(folder: Path, count: int = 5000, files: int = 20,
                 seed: int = 16) -> list[Path]:
    """Write the corpus as `files` multi-document YAML files; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = list(documents(count, seed))
    per_file = -(-len(texts) // files)
    paths = []
    for number in range(files):
        part = texts[number * per_file:(number + 1) * per_file]
        if not part:
            break
        path = folder / f"manifests-{number:02d}.yaml"
        path.write_text("---\n".join(part), encoding="utf-8")
        paths.append(path)
    return paths
