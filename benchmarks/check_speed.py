"""How fast is `check()` on a typical answer, against kubernetes-validate?

Run:  .venv/bin/python benchmarks/check_speed.py

Prints, for the course's running example (a ~40-line Namespace + Deployment +
Service bundle):
- warm: median time of `k8s_course.check(text)` (parse, schema, every rule)
  against the median time of `kubernetes_validate.validate()` on the same
  documents (already parsed; it stops at the first error);
- cold: a fresh Python process doing import + first check, against a fresh
  process doing import + first validate with kubernetes-validate.
Targets (issue 2): warm >= 10x faster, cold <= 0.5x of kubernetes-validate's.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "tests" / "fixtures" / "seed" / "mlops.yaml"
VERSION = "1.36"


def median_seconds(action, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def warm() -> tuple[float, float]:
    import kubernetes_validate
    import yaml

    import k8s_course

    text = EXAMPLE.read_text()
    documents = [d for d in yaml.safe_load_all(text) if d]
    k8s_course.check(text)  # compile validators once, as a notebook's first check does
    for document in documents:
        kubernetes_validate.validate(document, VERSION, strict=True)
    ours = median_seconds(lambda: k8s_course.check(text), 300)
    theirs = median_seconds(
        lambda: [kubernetes_validate.validate(d, VERSION, strict=True) for d in documents], 30)
    return ours, theirs


OURS_COLD = f"""
import k8s_course
report = k8s_course.check({str(EXAMPLE)!r})
assert report.ok
"""
THEIRS_COLD = f"""
import kubernetes_validate, yaml
for document in yaml.safe_load_all(open({str(EXAMPLE)!r})):
    if document:
        kubernetes_validate.validate(document, {VERSION!r}, strict=True)
"""


def cold(code: str, repeat: int = 7) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True)

    run()  # warm the OS file cache
    return median_seconds(run, repeat)


def synthetic_bundle(documents: int) -> str:
    """A realistic answer of about `documents` objects in 5 namespaces.

    Every app brings a Deployment, a Service selecting it, a ConfigMap it
    reads and, every other app, an HPA or a PDB: the cross-resource rules
    have real work to do.
    """
    namespaces = [f"team-{i}" for i in range(5)]
    parts = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n" for ns in namespaces]
    app = 0
    while len(parts) < documents:
        ns, name = namespaces[app % len(namespaces)], f"app-{app}"
        parts.append(f"""apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}, namespace: {ns}}}
data: {{LOG_LEVEL: info}}
""")
        parts.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}, tier: web}}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{{name: http, containerPort: 8080}}]
        env:
        - name: LOG_LEVEL
          valueFrom: {{configMapKeyRef: {{name: {name}, key: LOG_LEVEL}}}}
        resources: {{requests: {{cpu: 100m, memory: 64Mi}}, limits: {{memory: 128Mi}}}}
""")
        parts.append(f"""apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
""")
        parts.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: {name}}}}}
""" if app % 2 else f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 5
""")
        app += 1
    return "---\n".join(parts[:documents])


def rules_share(text: str, repeat: int) -> tuple[float, float, float, int]:
    """Medians of a warm check's time, its rules stage's time and share; the object count.

    Each run times parse, schema and rules of one check() back to back, so a
    busy machine slows all three alike and the share stays meaningful. The
    rules run on the freshly loaded Bundle, so building the Graph (the
    namespace and label indexes) counts as rules time.
    """
    import gc

    import k8s_course
    from k8s_course import rules, schema

    version = schema.normalize_version(None)
    k8s_course.check(text)
    totals, rule_times, shares = [], [], []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        bundle, _ = k8s_course.load(text)
        for resource in bundle:
            schema.check_resource(resource, version)
        middle = time.perf_counter()
        rules.run(bundle)
        end = time.perf_counter()
        totals.append(end - start)
        rule_times.append(end - middle)
        shares.append((end - middle) / (end - start))
    return (statistics.median(totals), statistics.median(rule_times),
            statistics.median(shares), len(bundle))


def print_rules_share() -> None:
    print("rules' share of a warm check()")
    cases = [("running example", EXAMPLE.read_text(), 300)]
    cases += [(f"{n}-document bundle", synthetic_bundle(n), 21) for n in (250, 500, 1000)]
    for label, text, repeat in cases:
        total, rules_time, share, documents = rules_share(text, repeat)
        print(f"  {label:<22} check {total * 1e3:8.2f} ms   rules {rules_time * 1e3:7.2f} ms "
              f"({share:5.1%})   rules per document {rules_time / documents * 1e6:6.1f} us")


def main() -> None:
    ours, theirs = warm()
    print(f"warm check(), running example ({len(EXAMPLE.read_text().splitlines())} lines, "
          "3 objects)")
    print(f"  k8s_course.check():           {ours * 1e6:9.0f} us  (parse + schema + rules)")
    print(f"  kubernetes_validate.validate: {theirs * 1e6:9.0f} us  (schema only, parsed input)")
    print(f"  ratio: {theirs / ours:.1f}x faster  (target >= 10x)")
    ours_cold, theirs_cold = cold(OURS_COLD), cold(THEIRS_COLD)
    print("cold start, fresh process: import + first check")
    print(f"  k8s_course:          {ours_cold * 1e3:7.0f} ms")
    print(f"  kubernetes-validate: {theirs_cold * 1e3:7.0f} ms")
    print(f"  ratio: {ours_cold / theirs_cold:.2f} of kubernetes-validate's  (target <= 0.5)")


if __name__ == "__main__":
    main()
    print_rules_share()
