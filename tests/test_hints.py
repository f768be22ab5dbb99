"""Hints teach in steps: a nudge, where to look, then the fix; the first never gives it away.

Applies to every exercise under exercises/, found automatically, so a new
exercise whose first hint quotes its solution fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from k8s_course.grading import exercise_ids, grade, load_exercise, next_hint
from k8s_course.markup import plain

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = exercise_ids(ROOT)


def _lines(text: str) -> set[str]:
    """The YAML lines of a text, as written (indentation and list dashes aside)."""
    lines = {line.strip().removeprefix("- ").strip() for line in text.splitlines()}
    return {line for line in lines if line and not line.startswith("#") and line != "---"}


def _hints_for_the_starter(exercise) -> list[str]:
    hints, shown = [], 0
    while (hint := next_hint(exercise, exercise.starter, shown)) is not None:
        hints.append(hint)
        shown += 1
    return hints


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.delenv("K8S_COURSE_CONTEXT", raising=False)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_first_hint_quotes_no_line_of_the_solution_the_starter_lacks(exercise_id):
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    solution = (ROOT / "solutions" / f"{exercise_id}.yaml").read_text(encoding="utf-8")
    missing = _lines(solution) - _lines(exercise.starter)  # empty when the fix only deletes
    first = plain(next_hint(exercise, exercise.starter, 0) or "")
    assert first, "the starter gets no hint at all"
    given_away = sorted(line for line in missing if line in first)
    assert not given_away, f"the first hint {first!r} gives away {given_away}"


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_hints_go_from_a_nudge_and_where_to_look_to_the_fix(exercise_id):
    exercise = load_exercise(ROOT / "exercises" / exercise_id)
    assert len(exercise.hints) >= 2, "write a nudge and a where-to-look hint in exercise.yaml"
    hints = _hints_for_the_starter(exercise)
    assert hints[:len(exercise.hints)] == list(exercise.hints)  # the steps come first
    failing = [r.hint for r in grade(exercise, exercise.starter).results
               if not r.passed and r.hint]
    assert failing and set(failing) <= set(hints[len(exercise.hints):])  # then the fixes
