"""Staged grading: parses -> fits the schema -> passes the rules -> meets the checks
-> (with a cluster) accepted by the server. Each stage says why it failed; the
later ones still grade what they can, so partial credit is real."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html import escape
from typing import Any, NamedTuple

from .. import schema
from ..bundle import Bundle
from ..findings import Finding, Severity
from ..markup import html as markup_html
from ..markup import plain
from ..pipeline import run_stages
from ..report import Report
from . import checks
from .spec import Exercise, load_exercise

Server = Callable[[Bundle], Report | None]
CONTEXT_VARIABLE = "K8S_COURSE_CONTEXT"
SERVER_CHECK = "server-accepts"
NO_CLUSTER = "skipped: no cluster configured"
# findings of the cluster layer that mean "no answer from a server", not "rejected"
UNREACHABLE = frozenset({"cluster-unreachable", "cluster-context"})


class Stage(NamedTuple):
    """One stage of grading: its name, whether it passed (None: skipped), and why."""

    name: str
    passed: bool | None
    sentence: str


@dataclass(frozen=True)
class CheckResult:
    """How one check went: the points it earned and what the grader saw."""

    id: str
    points: int
    earned: int
    passed: bool
    message: str
    hint: str  # never blank: spec.py refuses a check without one, and the server's has one


@dataclass
class Grade:
    """The grade of one answer to one exercise."""

    exercise: Exercise
    results: list[CheckResult]
    stages: list[Stage]
    report: Report
    server_report: Report | None = field(default=None, repr=False)
    starter: bool = False  # the answer is the exercise's starter text, unchanged

    @property
    def score(self) -> int:
        return sum(result.earned for result in self.results)

    @property
    def maximum(self) -> int:
        return sum(result.points for result in self.results)

    @property
    def full_marks(self) -> bool:
        return self.score == self.maximum

    @property
    def verdict(self) -> str:
        if self.full_marks:
            return "Full marks"
        # an untouched example is not an attempt: no "Not yet" before the learner tries
        return "Not started" if self.starter else "Not yet"

    @property
    def feedback(self) -> str:
        """One or two sentences for the learner: the verdict and what to do next."""
        head = f"{self.verdict}: {self.score}/{self.maximum} points."
        if self.starter and not self.full_marks:
            return f"{head} {STARTER_NOTE}"
        failing = [r for r in self.results if not r.passed]
        if not failing:
            return head
        return f"{head} Next: {failing[0].hint}"

    def as_dict(self) -> dict:
        """The machine form: for `k8s-course grade --format json` and gradebooks."""
        return {
            "exercise": self.exercise.id, "score": self.score, "maximum": self.maximum,
            "full_marks": self.full_marks, "feedback": self.feedback,
            "stages": [stage._asdict() for stage in self.stages],
            "checks": [asdict(result) for result in self.results],
        }

    def text(self) -> str:
        """Plain text, the same for the same answer on every machine (nbval compares it)."""
        lines = [f"{self.exercise.title} ({self.exercise.id})",
                 f"{self.verdict}: {self.score}/{self.maximum} points"]
        if self.starter and not self.full_marks:
            return "\n".join([*lines, f"  {STARTER_NOTE}"])
        for stage in self.stages:
            mark = {True: "ok  ", False: "FAIL", None: "skip"}[stage.passed]
            lines.append(f"  {mark} {stage.name}: {stage.sentence}")
        # never empty: a loaded exercise has at least its `valid: true` check
        width = max(len(r.id) for r in self.results)
        for result in self.results:
            box = "x" if result.passed else " "
            line = f"  [{box}] {result.id:<{width}}  {result.earned}/{result.points}"
            lines.append(line if result.passed else f"{line}  {plain(result.message)}")
            if not result.passed:
                lines.append(f"      hint: {plain(result.hint)}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython's text/plain: the full deterministic text, which nbval compares
        printer.text(self.text())

    def __repr__(self) -> str:
        return f"<Grade {self.exercise.id}: {self.score}/{self.maximum}>"

    def _repr_html_(self) -> str:
        # theme colours, so the verdict reads in light and dark JupyterLab alike
        color = ("var(--jp-success-color0, #1a7f37)" if self.full_marks
                 else "var(--jp-ui-font-color1, #333)" if self.starter
                 else "var(--jp-warn-color0, #9a6700)")
        if self.starter and not self.full_marks:
            return (f'<div class="k8s-course-grade"><b style="color:{color}">{self.verdict}: '
                    f"{self.score}/{self.maximum} points</b> &mdash; "
                    f"{escape(self.exercise.title)}<br>{escape(STARTER_NOTE)}</div>")
        rows = []
        for result in self.results:
            mark = "✔" if result.passed else "✘"
            detail = "" if result.passed else (
                f"<br><small>{markup_html(result.message)}</small>"
                f"<br><small><b>hint:</b> {markup_html(result.hint)}</small>")
            rows.append(f"<li>{mark} <code>{escape(result.id)}</code> "
                        f"{result.earned}/{result.points}{detail}</li>")
        stages = " · ".join(
            f"{escape(s.name)}: {'ok' if s.passed else 'skipped' if s.passed is None else 'no'}"
            for s in self.stages)
        return (f'<div class="k8s-course-grade"><b style="color:{color}">{self.verdict}: '
                f"{self.score}/{self.maximum} points</b> &mdash; {escape(self.exercise.title)}"
                f"<br><small>{stages}</small><ul>{''.join(rows)}</ul></div>")


STARTER_NOTE = ("This is the exercise's starting text, unchanged, so nothing is graded yet. "
                "Work in the editor above (its Grade button grades what you write there), "
                "or change the answer here and run this cell again.")


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR]


def _stage(name: str, findings: list[Finding], good: str) -> Stage:
    errors = _errors(findings)
    if errors:
        return Stage(name, False, checks.summarize(errors))
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    if warnings:
        good += f" ({warnings} warning{'s' if warnings > 1 else ''} in the report)"
    return Stage(name, True, good)


def analyse(answer: Any, kube_version: str | None = None) -> tuple[checks.Answer, Report]:
    """The learner's answer through parse, schema and rules, each stage kept apart."""
    version = schema.normalize_version(kube_version)
    bundle, parsed, fitted, ruled = run_stages(answer, version)
    stages = {"parse": parsed, "schema": fitted, "rules": ruled}
    return checks.Answer(bundle, stages), Report(parsed + fitted + ruled, bundle, version)


def offline(bundle: Bundle) -> None:
    """A server stage that never reaches a cluster (hints and verification use it)."""
    return None


def _default_server() -> Server | None:
    """A dry run against the configured cluster, or None when none is configured."""
    context = os.environ.get(CONTEXT_VARIABLE)
    if not context:
        return None

    def dry_run(bundle: Bundle) -> Report:
        from .. import cluster  # loads the kubernetes client

        return cluster.dry_run(bundle, context=context)

    return dry_run


def _server_stage(exercise: Exercise, answer: checks.Answer, server: Server | None
                  ) -> tuple[Stage, CheckResult | None, Report | None]:
    name = "accepted by the server"
    if server is None or server is offline:  # even an answer with nothing to send
        return Stage(name, None, NO_CLUSTER), None, None
    if not answer.bundle.resources:
        report = None
        accepted, sentence = False, "nothing to send: no object parsed"
    else:
        try:
            report = server(answer.bundle)
        except Exception as error:  # an unreachable cluster is not the learner's fault
            return Stage(name, None, f"skipped: the cluster did not answer "
                                     f"({type(error).__name__})"), None, None
        if report is None:
            return Stage(name, None, NO_CLUSTER), None, None
        unreachable = [f for f in report.findings if f.rule in UNREACHABLE]
        if unreachable:
            return Stage(name, None, f"skipped: {unreachable[0].message}"), None, report
        accepted = report.ok
        sentence = ("the API server accepts it (dry run)" if accepted
                    else checks.summarize(_errors(report.findings)))
    result = CheckResult(SERVER_CHECK, exercise.server_points,
                         exercise.server_points if accepted else 0, accepted, sentence,
                         "fix what the API server says, then grade again")
    return Stage(name, accepted, sentence), result, report


def grade(exercise: Exercise | str | os.PathLike, answer: Any, *,
          server: Server | None = None, kube_version: str | None = None) -> Grade:
    """Grade a learner's answer (YAML text, a path, or a Bundle) for an exercise.

    `exercise` is an Exercise, an id like "03-deployments/three-replicas" or
    a folder. `server` is the last stage: a callable(bundle) -> Report (a
    dry run); by default it is the cluster named by $K8S_COURSE_CONTEXT, and
    without one the stage is skipped and changes neither score nor maximum.
    """
    if not isinstance(exercise, Exercise):
        exercise = load_exercise(exercise)
    answered, report = analyse(answer, kube_version)
    stages = [
        _stage("parses", answered.stages["parse"], "the YAML reads"),
        _stage("fits the schema", answered.stages["schema"], "every object fits the schema"),
        _stage("passes the rules", answered.stages["rules"], "no rule finds an error"),
    ]
    results = []
    for check in exercise.checks:
        passed, message = checks.run(check, answered)
        results.append(CheckResult(check.id, check.points, check.points if passed else 0,
                                   passed, message, check.hint))
    earned = sum(r.earned for r in results)
    stages.append(Stage("meets the checks", earned == exercise.maximum,
                        f"{earned}/{exercise.maximum} points from "
                        f"{sum(r.passed for r in results)} of {len(results)} checks"))
    stage, result, server_report = _server_stage(
        exercise, answered, server if server is not None else _default_server())
    stages.append(stage)
    if result is not None:
        results.append(result)
    starter = isinstance(answer, str) and answer.strip() == exercise.starter.strip()
    return Grade(exercise, results, stages, report, server_report, starter)


def next_hint(exercise: Exercise, answer: Any, shown: int) -> str | None:
    """The hint after the `shown` ones already seen; None when there are no more.

    Hints teach in steps: the exercise's own hints first, a nudge, then
    where to look (neither gives a line of the solution away), and only then
    the fix, from the hints of the checks this answer still fails.
    """
    result = grade(exercise, answer, server=offline)
    if result.full_marks:
        return None
    fixes = [r.hint for r in result.results if not r.passed]
    hints = list(dict.fromkeys([*exercise.hints, *fixes]))
    return hints[shown] if 0 <= shown < len(hints) else None
