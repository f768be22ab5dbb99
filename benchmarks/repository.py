"""Checking a whole repository: cost per document as the bundle grows, and one CLI call's rate.

    .venv/bin/python benchmarks/repository.py                  # both parts
    .venv/bin/python benchmarks/repository.py --part scale     # 500, 5,000, 50,000 documents
    .venv/bin/python benchmarks/repository.py --part cli --against ../before

The corpus is made at run time by `benchmarks/realistic.py` (seeded): documents
of 20-43 lines with comments, 25 kinds, seven namespaces of which one holds
half of everything, and about one document in 40 with a mistake.

`scale` checks one bundle of 500, 5,000 and 50,000 documents in this process
(`check_files(jobs=1)`, warm: validators compiled before timing; the cyclic
collector tuned as `k8s-course check` tunes it) and prints
the CPU cost per document of each stage; linear means the 50,000 figure stays
within 1.25x of the 500 one.

`cli` runs `k8s-course check DIR` (about 5,000 documents in 20 files) as a
fresh process per run, pool start-up and every rule included, and prints
documents per second and peak memory (the largest process's peak RSS, and
the process tree's PSS sampled every 10 ms) against kubeconform's figures measured
on this machine (issue 16): 1.2 s, 4,100 documents/s, 67 MB.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.realistic import write_corpus  # noqa: E402

KUBECONFORM_DOCS_PER_S = 4100  # kubeconform v0.7.0 -strict -n 2, local schemas (issue 16)
KUBECONFORM_MB = 67
TARGET_DOCS_PER_S = 8000


def scale(folder: Path) -> None:
    from k8s_course import rules, schema
    from k8s_course.batch import check_files
    from k8s_course.pipeline import load

    warm = write_corpus(folder / "warm", 500, 20, seed=1)
    check_files(warm, jobs=1)  # compile every kind's validator before timing
    gc.freeze()  # the collector as `k8s-course check` sets it (cli/check.py)
    gc.set_threshold(100_000, 50, 100)
    print("documents  parse µs/doc  schema µs/doc  rules µs/doc  whole µs/doc  wall s")
    first = None
    for count in (500, 5000, 50_000):
        paths = write_corpus(folder / str(count), count, 20)
        gc.collect()
        start, wall = time.process_time(), time.perf_counter()
        report = check_files(paths, jobs=1)
        whole, wall = time.process_time() - start, time.perf_counter() - wall
        assert len(report.bundle) == count, len(report.bundle)
        del report
        # the stages apart, on the same bundle
        start = time.process_time()
        bundle, _ = load(paths)
        bundle.kube_version = "1.36"
        parse = time.process_time() - start
        start = time.process_time()
        for resource_ in bundle:
            schema.check_resource(resource_, "1.36")
        fit = time.process_time() - start
        start = time.process_time()
        rules.run(bundle)
        ruled = time.process_time() - start
        per = [seconds / count * 1e6 for seconds in (parse, fit, ruled, whole)]
        first = first or per[3]
        print(f"{count:>9,}  {per[0]:12.1f}  {per[1]:13.1f}  {per[2]:12.1f}  {per[3]:12.1f}"
              f"  {wall:6.2f}   ({per[3] / first:.2f}x the 500 figure)")
        del bundle


def _pss(pid: int) -> int:
    """Proportional set size in kB: shared pages (forked workers share the imports) count
    once across the processes that share them, where RSS would count them in each."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0


def _tree_memory(pid: int) -> int:
    """PSS kilobytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _pss(current)
        todo += children.get(current, [])
    return total


def _run(argv: list[str], tree: Path) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, largest process's peak RSS and the tree's peak PSS (kB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(tree)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, after.ru_maxrss, peak


def cli(folder: Path, documents: int, files: int, runs: int, against: Path | None) -> None:
    paths = write_corpus(folder / "cli", documents, files)
    command = [str(Path(sys.executable).parent / "k8s-course"), "check"]
    # kubeconform's 67 MB is for one process checking with two goroutines
    print(f"{documents:,} documents in {len(paths)} files; median of {runs} fresh runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"kubeconform (issue 16): {KUBECONFORM_DOCS_PER_S:,} docs/s, {KUBECONFORM_MB} MB; "
          f"target {TARGET_DOCS_PER_S:,} docs/s and < {2 * KUBECONFORM_MB} MB")
    cases = [(f"k8s-course check DIR --jobs {jobs}", [*command, "--jobs", str(jobs),
                                                      str(folder / "cli")], ROOT)
             for jobs in (2, 1)]
    if against:
        # the baseline knows no folders or --jobs: it gets the files
        cases.append((f"baseline ({against}) check FILES", [*command, *map(str, paths)],
                      against))
    for label, argv, tree in cases:
        results = [_run(argv, tree) for _ in range(runs)]
        wall = statistics.median(r[0] for r in results)
        cpu = statistics.median(r[1] for r in results)
        largest = max(r[2] for r in results) / 1024
        tree_peak = max(r[3] for r in results) / 1024
        rate = documents / wall
        print(f"{label:<48} {wall:5.2f} s  {rate:7,.0f} docs/s "
              f"({rate / KUBECONFORM_DOCS_PER_S:.2f}x kubeconform)  CPU {cpu:5.2f} s  "
              f"largest process {largest:5.0f} MB RSS, whole tree {tree_peak:5.0f} MB PSS "
              f"({tree_peak / KUBECONFORM_MB:.2f}x kubeconform)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("scale", "cli", "both"), default="both")
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout, as the baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="k8s-course-bench-") as temporary:
        folder = Path(temporary)
        if args.part in ("scale", "both"):
            scale(folder)
        if args.part in ("cli", "both"):
            cli(folder, args.documents, args.files, args.runs, args.against)


if __name__ == "__main__":
    main()
