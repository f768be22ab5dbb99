"""k8s_course against kubernetes-validate: latency, cold start, throughput, memory.

Run:  .venv/bin/python benchmarks/compare.py [ANSWERS]

One run on one machine prints, each with its ratio:
- warm latency per document of a typical answer (the course's running example,
  3 objects): `k8s_course.check()` (parse + schema + every rule) against
  `yaml.safe_load_all` + `kubernetes_validate.validate(doc, "1.36", strict=True)`;
- cold start: a fresh process doing import + first check, against the same
  with kubernetes-validate;
- throughput in documents per second over a generated class of ANSWERS answers
  (default 2000, about 6,000 documents of 16 kinds, one answer in five broken)
  using every core (`k8s_course.batch.check_many`); kubernetes-validate gets
  the same process pool on a tenth of the corpus (it needs ~15 ms a document);
- peak memory (VmHWM, Linux) of a fresh process that checks 1,000 documents, each tool.
Targets (issue 8): warm >= 20x, cold <= 0.5x, throughput >= 7,500 documents/s.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from check_speed import EXAMPLE, OURS_COLD, THEIRS_COLD, VERSION, cold, median_seconds

from k8s_course.batch import default_jobs

KINDS = {
    "Namespace": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n",
    "Deployment": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/{name}:1.{n}
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
""",
    "Service": """apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  type: {service_type}
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
""",
    "ConfigMap": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-settings
  namespace: {ns}
data:
  LOG_LEVEL: info
  WORKERS: "{replicas}"
""",
    "Secret": """apiVersion: v1
kind: Secret
metadata:
  name: {name}-token
  namespace: {ns}
type: Opaque
stringData:
  token: not-a-real-token-{n}
""",
    "Pod": """apiVersion: v1
kind: Pod
metadata:
  name: {name}-debug
  namespace: {ns}
spec:
  restartPolicy: Never
  containers:
    - name: shell
      image: busybox:1.36
      command: ["sh", "-c", "sleep 3600"]
""",
    "StatefulSet": """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}-db
  namespace: {ns}
spec:
  serviceName: {name}-db
  replicas: 1
  selector:
    matchLabels:
      app: {name}-db
  template:
    metadata:
      labels:
        app: {name}-db
    spec:
      containers:
        - name: db
          image: postgres:16
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 1Gi
""",
    "DaemonSet": """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}-agent
  namespace: {ns}
spec:
  selector:
    matchLabels:
      app: {name}-agent
  template:
    metadata:
      labels:
        app: {name}-agent
    spec:
      containers:
        - name: agent
          image: fluent/fluent-bit:3.0
""",
    "Job": """apiVersion: batch/v1
kind: Job
metadata:
  name: {name}-migrate
  namespace: {ns}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: ghcr.io/example/{name}:1.{n}
          args: ["migrate"]
""",
    "CronJob": """apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}-report
  namespace: {ns}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: ghcr.io/example/{name}:1.{n}
""",
    "Ingress": """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {ns}
spec:
  rules:
    - host: {name}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {name}
                port:
                  number: 80
""",
    "PersistentVolumeClaim": """apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {name}-cache
  namespace: {ns}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 2Gi
""",
    "ServiceAccount": """apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
""",
    "Role": """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}-reader
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: [pods, configmaps]
    verbs: [get, list, watch]
""",
    "RoleBinding": """apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}-reader
  namespace: {ns}
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {name}-reader
""",
    "HorizontalPodAutoscaler": """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  namespace: {ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
""",
}
# Mistakes learners make, applied to one answer in five.
MISTAKES = [("replicas: ", "replica: "), ("containers:", "contianers:"),
            ("apiVersion: apps/v1", "apiVersion: apps/v1beta2"), ("port: 80", "port: eighty"),
            ("  name: ", "  name:"), ("kind: Service", "kind: service")]


def make_class(answers: int, seed: int = 8) -> list[str]:
    """`answers` learner answers: a Namespace and 1-5 objects of the core kinds each."""
    pick = random.Random(seed)
    kinds = [k for k in KINDS if k != "Namespace"]
    out = []
    for n in range(answers):
        values = {"name": f"app-{n}", "ns": f"team-{n % 7}", "n": n,
                  "replicas": pick.randint(1, 5),
                  "service_type": pick.choice(["ClusterIP", "NodePort", "LoadBalancer"])}
        chosen = ["Namespace", "Deployment", *pick.sample(kinds, pick.randint(0, 4))]
        text = "---\n".join(KINDS[kind].format(**values) for kind in dict.fromkeys(chosen))
        if n % 5 == 0:
            text = text.replace(*pick.choice(MISTAKES), 1)
        out.append(text)
    return out


def documents_in(answers: list[str]) -> int:
    return sum(answer.count("\nkind: ") + answer.startswith("kind: ") for answer in answers)


# --- kubernetes-validate, used as its users do: parse with PyYAML, then validate -------

def validate_answer(text: str) -> int:
    """Validate every document of one answer; the number of errors found."""
    import kubernetes_validate
    import yaml

    errors = 0
    for document in yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        try:
            kubernetes_validate.validate(document, VERSION, strict=True)
        except kubernetes_validate.ValidationError:
            errors += 1
        except Exception:  # e.g. an unknown kind: it stops there; count it
            errors += 1
    return errors


def check_answer(text: str) -> int:
    import k8s_course

    return len(k8s_course.check(text).errors)


def warm_per_document() -> tuple[float, float]:
    text = EXAMPLE.read_text()
    documents = documents_in([text])
    check_answer(text)
    validate_answer(text)
    ours = median_seconds(lambda: check_answer(text), 500) / documents
    theirs = median_seconds(lambda: validate_answer(text), 30) / documents
    return ours, theirs


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def throughput(answers: list[str], jobs: int, ours: bool) -> tuple[float, float]:
    """Documents per wall-clock second with `jobs` processes (pool start included),
    and per CPU second (all processes), which other load on the machine barely changes."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    if ours:
        from k8s_course.batch import check_many

        for _ in check_many(answers, jobs=jobs):
            pass
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(validate_answer, answers, chunksize=8))
    documents = documents_in(answers)
    return (documents / (time.perf_counter() - wall), documents / (_cpu_seconds() - cpu))


_MEMORY = """
import sys
sys.path.insert(0, {here!r})
from compare import make_class, {function}
for answer in make_class({answers}):
    {function}(answer)
# VmHWM: the peak resident size of this program (ru_maxrss would include the
# parent's peak, which a forked child inherits on Linux)
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))
"""


def peak_memory_mb(function: str, answers: int) -> float:
    """Peak RSS of a fresh process that runs `function` on `answers` answers."""
    code = _MEMORY.format(here=str(Path(__file__).resolve().parent), function=function,
                          answers=answers)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return int(result.stdout.split()[-1]) / 1024


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    jobs = default_jobs()
    answers = make_class(count)
    results = {}

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    ours, theirs = warm_per_document()
    results["warm"] = (ours, theirs)
    print(f"warm latency per document (running example, {documents_in([EXAMPLE.read_text()])} "
          "objects)")
    print(f"  k8s_course.check():        {ours * 1e6:9.0f} us  (parse + schema + every rule)")
    print(f"  kubernetes-validate:       {theirs * 1e6:9.0f} us  (parse + schema, first error)")
    print(f"  ratio: {theirs / ours:.1f}x faster  (target >= 20x)")

    ours_cold, theirs_cold = cold(OURS_COLD, 5), cold(THEIRS_COLD, 5)
    results["cold"] = (ours_cold, theirs_cold)
    print("cold start (fresh process: import + first check)")
    print(f"  k8s_course:                {ours_cold * 1e3:9.0f} ms")
    print(f"  kubernetes-validate:       {theirs_cold * 1e3:9.0f} ms")
    print(f"  ratio: {ours_cold / theirs_cold:.2f} of kubernetes-validate's  (target <= 0.5)")

    sample = answers[: max(len(answers) // 10, 1)]
    ours_rate, ours_cpu = throughput(answers, jobs, ours=True)
    single_rate, _ = throughput(answers, 1, ours=True)
    theirs_rate, theirs_cpu = throughput(sample, jobs, ours=False)
    results["throughput"] = {"ours": ours_rate, "ours_1_process": single_rate,
                             "theirs": theirs_rate, "ours_per_cpu_second": ours_cpu,
                             "theirs_per_cpu_second": theirs_cpu}
    print(f"throughput over {len(answers)} answers, {documents_in(answers)} documents, "
          f"{jobs} processes (load average {os.getloadavg()[0]:.1f})")
    print(f"  k8s_course.batch.check_many: {ours_rate:9.0f} documents/s  (1 process: "
          f"{single_rate:.0f}/s; {ours_cpu:.0f} per CPU-second, x{jobs} cores = "
          f"{ours_cpu * jobs:.0f}/s on an idle machine)")
    print(f"  kubernetes-validate:         {theirs_rate:9.0f} documents/s  "
          f"(on {documents_in(sample)} documents; {theirs_cpu:.0f} per CPU-second)")
    print(f"  ratio: {ours_rate / theirs_rate:.1f}x  (target >= 7,500 documents/s)")

    memory_answers = 1000 * len(answers) // documents_in(answers)
    ours_mb = peak_memory_mb("check_answer", memory_answers)
    theirs_mb = peak_memory_mb("validate_answer", memory_answers)
    results["memory_mb"] = (ours_mb, theirs_mb)
    print(f"peak memory (peak RSS) of a fresh process checking {memory_answers} answers, "
          f"~1,000 documents")
    print(f"  k8s_course:                {ours_mb:9.0f} MB")
    print(f"  kubernetes-validate:       {theirs_mb:9.0f} MB")
    print(f"  ratio: {ours_mb / theirs_mb:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
