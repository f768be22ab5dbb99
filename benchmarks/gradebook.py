"""How long does a classroom's gradebook take: 200 learners x 40 exercises, target < 10 s?

Run:  .venv/bin/python benchmarks/gradebook.py [LEARNERS] [EXERCISES]

Builds the throwaway course and class of `grade_batch.py` (a seeded mix of
solutions, starters and wrong answers), then turns every second learner's
folder into a hand-in zip (`k8s-course submit`'s format), so both ways of
handing in are read. Times what `k8s-course grade --batch` does: read and
grade every submission, build the gradebook, write the CSV, the JSON and
the HTML report. Prints wall-clock and CPU seconds (this process), and the
load average, because the machine is shared.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from grade_batch import build_class

TARGET_SECONDS = 10.0


def hand_in_half(base: Path) -> int:
    """Replace every second learner's folder by their hand-in zip; how many were packed."""
    from k8s_course.grading import handin

    ids = {folder.name: f"{folder.parent.name}/{folder.name}"
           for folder in (base / "exercises").glob("*/*")}
    submissions = base / "submissions"
    packed = 0
    for number, folder in enumerate(sorted(submissions.iterdir())):
        if number % 2:
            continue
        answers = [handin.Answer(ids[file.stem], file.read_bytes())
                   for file in sorted(folder.iterdir())]
        (submissions / f"{folder.name}.zip").write_bytes(
            handin.pack(folder.name, answers, "bench", "2026-12-01T12:00:00Z"))
        shutil.rmtree(folder)
        packed += 1
    return packed


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    exercises = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        count = build_class(base, learners, exercises)
        packed = hand_in_half(base)
        os.environ["K8S_COURSE_ROOT"] = str(base)
        os.environ.pop("K8S_COURSE_CONTEXT", None)
        from k8s_course.grading import batch, report

        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        entries = batch.grade_folder(base / "submissions")
        book = batch.gradebook(entries)
        batch.write_gradebook(book, base / "out")
        html = report.write_report(book, base / "out")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        size = html.stat().st_size
    graded = sum(e.status == batch.GRADED for e in entries)
    print(f"gradebook: {learners} learners x {exercises} exercises = {count} submissions "
          f"({packed} learners as hand-in zips; {graded} graded)")
    print(f"  {wall:.2f} s wall clock, {cpu:.2f} s CPU (target < {TARGET_SECONDS:.0f} s: "
          f"{'met' if wall < TARGET_SECONDS else 'NOT met'}); load average {load:.1f} "
          f"-> {os.getloadavg()[0]:.1f}; gradebook.html {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
