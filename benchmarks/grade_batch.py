"""How fast does batch grading mark a class?

Run:  .venv/bin/python benchmarks/grade_batch.py [LEARNERS] [EXERCISES]

Builds a throwaway course of EXERCISES exercises (default 20, copied in turn
from the course's real ones) and a class of LEARNERS learners (default 100)
who each hand in every exercise: a seeded mix of solutions, starters and the
kept wrong answers. Then times `grade_folder` + writing the gradebook, as
`k8s-course grade --batch` does, and prints submissions per second.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_class(base: Path, learners: int, exercises: int) -> int:
    """A course with `exercises` exercises and a submissions/ folder; the submission count."""
    from k8s_course.grading import exercise_ids, load_exercise

    real = [load_exercise(ROOT / "exercises" / eid) for eid in exercise_ids(ROOT)]
    answers = {}
    for number in range(exercises):
        source = real[number % len(real)]
        target = f"{source.id}-{number:02d}"
        shutil.copytree(source.folder, base / "exercises" / target)
        answers[target.rpartition("/")[2]] = [
            source.solution_file.read_text(), source.starter,
            *(wrong.file.read_text() for wrong in source.wrong_answers())]
    pick = random.Random(0)
    for learner in range(learners):
        folder = base / "submissions" / f"learner-{learner:03d}"
        folder.mkdir(parents=True)
        for name, choices in answers.items():
            (folder / f"{name}.yaml").write_text(pick.choice(choices))
    return learners * exercises


def main() -> None:
    learners = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    exercises = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        count = build_class(base, learners, exercises)
        os.environ["K8S_COURSE_ROOT"] = str(base)
        os.environ.pop("K8S_COURSE_CONTEXT", None)
        from k8s_course.grading import batch

        start = time.perf_counter()
        entries = batch.grade_folder(base / "submissions")
        batch.write_gradebook(batch.gradebook(entries), base / "out")
        seconds = time.perf_counter() - start
    graded = sum(e.status == batch.GRADED for e in entries)
    print(f"batch grading: {learners} learners x {exercises} exercises = {count} submissions "
          f"({graded} graded) in {seconds:.2f} s")
    print(f"  {count / seconds:.0f} submissions per second "
          f"({1000 * seconds / count:.2f} ms each, exercise loading included)")


if __name__ == "__main__":
    main()
