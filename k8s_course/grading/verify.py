"""Proof that an exercise grades fairly: what tests/test_exercises.py holds every exercise to."""

from __future__ import annotations

from .grade import grade, offline
from .spec import Exercise, ExerciseError

MIN_WRONG_ANSWERS = 2


def verify(exercise: Exercise) -> list[str]:
    """Every way the exercise fails its contract ([] when it keeps it).

    The solution scores full marks with no error in the checker's report;
    the starter scores less; at least two wrong answers are kept, and each
    loses exactly the checks its `# loses:` line names.
    """
    problems: list[str] = []
    if not exercise.solution_file.is_file():
        problems.append(f"no solution: write {exercise.solution_file}")
    else:
        solved = grade(exercise, exercise.solution_file, server=offline)
        if not solved.full_marks:
            failed = ", ".join(r.id for r in solved.results if not r.passed)
            problems.append(f"the solution scores {solved.score}/{solved.maximum} "
                            f"(fails {failed})")
        if not solved.report.ok:
            problems.append(f"the solution has checker errors: {solved.report.summary()}")
    started = grade(exercise, exercise.starter, server=offline)
    if started.full_marks:
        problems.append("the starter already scores full marks")
    try:
        wrong = exercise.wrong_answers()
    except ExerciseError as error:
        return [*problems, str(error)]
    if len(wrong) < MIN_WRONG_ANSWERS:
        problems.append(f"{len(wrong)} wrong answers in {exercise.folder / 'wrong'}; "
                        f"keep at least {MIN_WRONG_ANSWERS}")
    for answer in wrong:
        result = grade(exercise, answer.file, server=offline)
        lost = {r.id for r in result.results if not r.passed}
        if lost != answer.loses:
            problems.append(f"{answer.file.name} loses {', '.join(sorted(lost)) or 'nothing'}; "
                            f"its first line says {', '.join(sorted(answer.loses))}")
    return problems
