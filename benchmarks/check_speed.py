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
