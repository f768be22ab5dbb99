"""Auto-graded exercises: checks as data, staged grading, partial credit.

    >>> from k8s_course.grading import load_exercise, grade
    >>> g = grade("03-deployments/three-replicas", "answer.yaml")
    >>> g.score, g.maximum, g.full_marks

The exercise format is documented in exercises/README.md.
"""

from .grade import CheckResult, Grade, Stage, grade, next_hint
from .spec import Check, Exercise, ExerciseError, course_root, exercise_ids, load_exercise
from .verify import verify

__all__ = ["Check", "CheckResult", "Exercise", "ExerciseError", "Grade", "Stage",
           "course_root", "exercise_ids", "grade", "load_exercise",
           "next_hint", "verify"]
