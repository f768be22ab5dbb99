"""How fast the learner's progress view is: `k8s-course progress` and `k8s_course.progress()`.

No score is stored, so the view grades every saved answer that differs from
its starter on the spot. The worst case is a learner who saved every
exercise: the 40 worked solutions are put in a temporary answers folder.
Each figure is the median of fresh processes (wall and CPU); the warm figure
is in-process, per graded answer. The baseline is `python -c pass` and
`k8s-course --help` on the same machine, in the same run.

    .venv/bin/python benchmarks/progress.py
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 11


def _time(argv: list[str]) -> tuple[float, float]:
    walls, cpus = [], []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "K8S_COURSE_ROOT": str(ROOT)}
    env.pop("K8S_COURSE_CONTEXT", None)
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=ROOT, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def _every_solution_saved(folder: Path) -> int:
    solutions = sorted((ROOT / "solutions").glob("*/*.yaml"))
    for solution in solutions:
        target = folder / solution.parent.name / f"{solution.stem}.answer.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(solution, target)
    return len(solutions)


def main() -> int:
    python = [sys.executable]
    command = [*python, "-m", "k8s_course"]
    with tempfile.TemporaryDirectory() as scratch:
        empty, full = Path(scratch) / "empty", Path(scratch) / "full"
        saved = _every_solution_saved(full)
        rows = {
            "python -c pass (the floor)": [*python, "-c", "pass"],
            "import k8s_course; k8s_course.progress": [
                *python, "-c", "import k8s_course; k8s_course.progress"],
            "k8s-course --help": [*command, "--help"],
            "k8s-course progress, nothing saved": [*command, "progress", "--answers", str(empty)],
            f"k8s-course progress, {saved} answers saved": [
                *command, "progress", "--answers", str(full)],
        }
        print(f"load average {os.getloadavg()[0]:.1f}; median of {RUNS} fresh processes, "
              "wall ms / CPU ms")
        for name, argv in rows.items():
            wall, cpu = _time(argv)
            print(f"  {name:<44} {wall:8.1f} / {cpu:7.1f}")

        sys.path.insert(0, str(ROOT))
        from k8s_course.notebook.learner_progress import progress

        progress(empty, ROOT)  # load the grading modules and exercises once
        start = time.process_time()
        for _ in range(5):
            progress(empty, ROOT)
        nothing = (time.process_time() - start) / 5
        start = time.process_time()
        for _ in range(5):
            progress(full, ROOT)
        everything = (time.process_time() - start) / 5
        print(f"warm, in process: nothing saved {nothing * 1000:.1f} ms CPU; {saved} saved "
              f"{everything * 1000:.1f} ms CPU, {(everything - nothing) / saved * 1000:.2f} ms "
              "per graded answer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
