"""How fast the command starts: `k8s-course --help` and a cold one-file check.

pre-commit and editors start the command once per file, so its start-up is
most of what they wait for. Each figure is the median of many fresh
processes, wall clock and CPU (the machine is shared: CPU time moves less
with other jobs' load).

    .venv/bin/python benchmarks/startup.py                       # this checkout
    .venv/bin/python benchmarks/startup.py --against ../before  # and another checkout, as baseline

The package is byte-compiled first (in both checkouts), as an installed one is.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_FILE = ROOT / "tests" / "fixtures" / "seed" / "mlops.yaml"
COMMANDS = {
    "k8s-course --help": ["--help"],
    "k8s-course check FILE (cold)": ["check", str(ONE_FILE)],
}
KUBERNETES_VALIDATE = ("import sys, yaml, kubernetes_validate\n"
                       "for d in yaml.load_all(open(sys.argv[1]), Loader=yaml.CSafeLoader):\n"
                       "    kubernetes_validate.validate(d, '1.36', strict=True)\n")
TARGETS = {"k8s-course --help": 0.1, "k8s-course check FILE (cold)": 0.2}


def _time(argv: list[str], tree: Path, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `argv` in fresh processes importing from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=tree)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _command(tree: Path) -> list[str]:
    """The `k8s-course` console script of this virtualenv (PYTHONPATH picks the checkout)."""
    script = Path(sys.executable).parent / "k8s-course"
    return [str(script)] if script.exists() else [sys.executable, "-m", "k8s_course"]


def _compile(tree: Path) -> None:
    """Byte-compile the package, as `pip install` does: a run must not time the compiler
    (this machine sets PYTHONDONTWRITEBYTECODE, so nothing else writes .pyc files)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "k8s_course")],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--against", type=Path, help="another checkout to time as the baseline")
    args = parser.parse_args()
    for tree in (ROOT, args.against):
        if tree:
            _compile(tree)
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} runs; "
          f"wall ms / CPU ms")
    python = _time([sys.executable, "-c", "pass"], ROOT, args.runs)
    print(f"{'python -c pass (the floor)':<32} {python[0] * 1e3:7.1f} / {python[1] * 1e3:6.1f}")
    for label, argv in COMMANDS.items():
        wall, cpu = _time([*_command(ROOT), *argv], ROOT, args.runs)
        line = f"{label:<32} {wall * 1e3:7.1f} / {cpu * 1e3:6.1f}  target < {TARGETS[label]} s"
        if args.against:
            base_wall, base_cpu = _time([*_command(args.against), *argv], args.against,
                                        args.runs)
            line += (f"; baseline {base_wall * 1e3:.1f} / {base_cpu * 1e3:.1f}"
                     f" ({wall / base_wall:.2f}x wall)")
        print(line)
    wall, cpu = _time([sys.executable, "-c", KUBERNETES_VALIDATE, str(ONE_FILE)], ROOT,
                      max(args.runs // 4, 3))
    ours = _time([*_command(ROOT), *COMMANDS["k8s-course check FILE (cold)"]], ROOT,
                 max(args.runs // 4, 3))
    print(f"{'kubernetes-validate, cold':<32} {wall * 1e3:7.1f} / {cpu * 1e3:6.1f}"
          f"  k8s-course cold / kubernetes-validate cold = {ours[0] / wall:.2f}"
          " (target <= 0.15)")


if __name__ == "__main__":
    main()
