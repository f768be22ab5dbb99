"""docs/coverage.md: for each of the 24 kinds the course teaches, where and how.

    python -m tools.coverage > docs/coverage.md

Every column is read from the course itself, never kept by hand:

- **taught in**: the first lesson (in order) whose source in tools/lessons/
  defines an anchor named after the kind's API resource, lowercase and plural
  (`statefulsets`, what `kubectl get` takes) or the same words joined by
  dashes (`persistent-volume-claims`); a lesson declares what it teaches by
  anchoring the section;
- **graded exercises**: exercises whose starter or worked solution holds an
  object of the kind, or whose checks name it (`expect`, `resource`, a
  workload, `hpa`, `pdb`, `fits-quota`, the resource a `can` check asks about);
- **rules**: rules seen firing on an object of the kind, in their own Bad
  examples or in the parity examples of docs/validation-parity.md, so a rule
  counts only where the checker proves it speaks about that kind;
- **parity checks**: the rows of docs/validation-parity.md that name the kind.

It lives in tools/ beside the lesson builder, not in the `k8s-course` command:
it reads the repository (lesson sources, exercises, docs, test fixtures), which a
learner's installed course need not have, and it is a maintainer's page.
tests/test_coverage.py regenerates it, fails when the committed page is stale,
and fails when a kind has no lesson, no graded exercise or no rule.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "tools" / "lessons"
PARITY_PAGE = ROOT / "docs" / "validation-parity.md"
PARITY_FIXTURES = ROOT / "tests" / "fixtures" / "parity"
COMMAND = "python -m tools.coverage > docs/coverage.md"

# The kinds of the course's notes, in the order the lessons teach them.
COURSE_KINDS = (
    "Pod", "ReplicaSet", "ReplicationController", "Deployment", "StatefulSet", "DaemonSet",
    "Job", "CronJob", "Service", "Namespace", "ConfigMap", "Secret", "PersistentVolume",
    "PersistentVolumeClaim", "Node", "ServiceAccount", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "ResourceQuota", "LimitRange", "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
)
# check keys that name an object of a fixed kind
_NAMED_BY_KEY = {"service": "Service", "hpa": "HorizontalPodAutoscaler",
                 "pdb": "PodDisruptionBudget", "configmap": "ConfigMap", "secret": "Secret",
                 "claim": "PersistentVolumeClaim"}
_ANCHOR = re.compile(r'<a id="([A-Za-z0-9_-]+)"></a>')
_HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
_SHARED_ROWS = ("every kind", "every namespaced kind")
# how an exercise grades a kind, strongest first
WRITTEN, STARTER = "in the worked answer", "in the starter"
CHECKED, ACCESS = "named by a check", "a permission check asks about it"


@dataclass(frozen=True)
class Anchor:
    """A place in a lesson: "09-workloads#statefulsets" and the heading it opens."""

    lesson: str
    anchor: str
    heading: str

    @property
    def link(self) -> str:
        return f"../notebooks/{self.lesson}.ipynb#{self.anchor}"


@dataclass(frozen=True)
class ParityRow:
    """One row of docs/validation-parity.md."""

    kinds: str
    field: str
    refused: str
    covered_by: str  # "`rule-id`", "`schema`" or "not covered: why"
    example: str  # a file of tests/fixtures/parity, "generated: ...", or "—"


@dataclass(frozen=True)
class Facts:
    """What the course holds, gathered from the repository (see `gather`)."""

    lessons: dict[str, str]  # lesson name -> its title
    anchors: tuple[Anchor, ...]  # in lesson order
    exercises: dict[str, tuple[str, dict[str, str]]]  # id -> (title, {kind: how it is graded})
    rules: dict[str, frozenset[str]]  # rule id -> kinds it was seen firing on
    parity: tuple[ParityRow, ...]


@dataclass(frozen=True)
class KindCoverage:
    """Everything the course has for one kind."""

    kind: str
    taught: Anchor | None
    exercises: tuple[str, ...]
    rules: tuple[str, ...]
    parity: tuple[ParityRow, ...]


# --- the kind's names --------------------------------------------------------

def resource_name(kind: str) -> str:
    """"StatefulSet" -> "statefulsets": the API resource (every course kind is regular)."""
    return kind.lower() + "s"


def anchor_names(kind: str) -> tuple[str, str]:
    """The anchors that mark where a kind is taught: "persistentvolumeclaims" and
    "persistent-volume-claims"."""
    return resource_name(kind), re.sub(r"(?<!^)(?=[A-Z])", "-", kind).lower() + "s"


# --- reading the repository ----------------------------------------------------

def lesson_anchors(name: str, source: str) -> list[Anchor]:
    """Every `<a id>` of a lesson source, with the heading it stands on or just above."""
    found = []
    for match in _ANCHOR.finditer(source):
        heading = _HEADING.search(source, match.end())
        # the heading counts when only other anchors stand between them
        between = _ANCHOR.sub("", source[match.end():heading.start()]) if heading else "x"
        title = heading.group(1).strip() if heading and not between.strip() else ""
        found.append(Anchor(name, match.group(1), title))
    return found


def lesson_title(source: str) -> str:
    heading = _HEADING.search(source)
    return heading.group(1).strip() if heading else ""


def parity_rows(page: str) -> list[ParityRow]:
    """The table of docs/validation-parity.md, row by row."""
    rows = []
    for line in page.splitlines():
        if not line.startswith("| ") or line.startswith(("| Kind ", "|---")):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append(ParityRow(*cells[:5]))
    return rows


def check_kinds(kind: str, params: Mapping) -> dict[str, str]:
    """The kinds one exercise check asks about: {kind: "named by a check"}, or
    {kind: "a permission check asks about it"} for the resource of `can`/`cannot`."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if key == "kind" and isinstance(item, str):
                    found.add(item)
                elif key in _NAMED_BY_KEY and isinstance(item, str):
                    found.add(_NAMED_BY_KEY[key])
                else:
                    walk(item)

    walk(params.get(kind))
    walk(params.get("resource"))
    if kind == "fits-quota":
        found.add("ResourceQuota")
    named = dict.fromkeys(sorted(found), CHECKED)
    if kind in ("can", "cannot"):
        asked = params[kind].get("resource") if isinstance(params[kind], Mapping) else None
        named |= {k: ACCESS for k in COURSE_KINDS if resource_name(k) == asked and k not in named}
    return named


def _kinds_in(answer: str) -> set[str]:
    from k8s_course import load

    bundle, _ = load(answer)
    return {resource.kind for resource in bundle if resource.kind}


def exercise_facts(root: Path) -> dict[str, tuple[str, dict[str, str]]]:
    """Every exercise: its title, and each kind it grades with how (the strongest
    first: in the worked answer, in the starter, named by a check, asked about)."""
    from k8s_course.grading import exercise_ids, load_exercise

    found = {}
    for exercise_id in exercise_ids(root):
        exercise = load_exercise(root / "exercises" / exercise_id)
        solution = exercise.solution_file
        how = dict.fromkeys(
            sorted(_kinds_in(solution.read_text(encoding="utf-8"))) if solution.is_file()
            else (), WRITTEN)
        how |= {k: STARTER for k in sorted(_kinds_in(exercise.starter)) if k not in how}
        for check in exercise.checks:
            how |= {k: h for k, h in check_kinds(check.kind, check.params).items()
                    if k not in how}
        found[exercise_id] = (exercise.title, how)
    return found


def _fired_on(rule_id: str, answer: str) -> set[str]:
    from k8s_course import check

    return {finding.resource.partition("/")[0] for finding in check(answer).findings
            if finding.rule == rule_id and finding.resource}


def rule_facts(rows: Iterable[ParityRow], fixtures: Path) -> dict[str, frozenset[str]]:
    """Each rule of the catalogue and the kinds it fires on in its Bad examples and in
    the parity examples that name it."""
    from k8s_course.rules import all_rules

    kinds = {entry.id: set() for entry in all_rules()}
    for entry in all_rules():
        for example in entry.examples("Bad"):
            kinds[entry.id] |= _fired_on(entry.id, example)
    for row in rows:
        rule_id, example = row.covered_by.strip("`"), fixtures / row.example.strip("`")
        if rule_id in kinds and row.example.endswith(".yaml`") and example.is_file():
            kinds[rule_id] |= _fired_on(rule_id, example.read_text(encoding="utf-8"))
    return {rule_id: frozenset(found) for rule_id, found in kinds.items()}


def gather(root: Path = ROOT) -> Facts:
    """Read everything the page is made of."""
    sources = {path.stem: path.read_text(encoding="utf-8")
               for path in sorted((root / "tools" / "lessons").glob("[0-9][0-9]-*.md"))}
    page = (root / "docs" / "validation-parity.md").read_text(encoding="utf-8")
    rows = parity_rows(page)
    return Facts(
        lessons={name: lesson_title(source) for name, source in sources.items()},
        anchors=tuple(a for name, source in sources.items()
                      for a in lesson_anchors(name, source)),
        exercises=exercise_facts(root),
        rules=rule_facts(rows, root / "tests" / "fixtures" / "parity"),
        parity=tuple(rows))


# --- the page --------------------------------------------------------------------

def coverage(facts: Facts, kinds: Iterable[str] = COURSE_KINDS) -> list[KindCoverage]:
    """For each kind: where it is taught, and the exercises, rules and parity rows for it."""
    found = []
    for kind in kinds:
        names = anchor_names(kind)
        found.append(KindCoverage(
            kind,
            next((a for a in facts.anchors if a.anchor in names), None),
            tuple(i for i, (_, graded) in facts.exercises.items() if kind in graded),
            tuple(r for r, fired in facts.rules.items() if kind in fired),
            tuple(row for row in facts.parity if re.search(rf"\b{kind}\b", row.kinds))))
    return found


def gaps(coverages: Iterable[KindCoverage]) -> list[str]:
    """What a kind lacks, one line each: no lesson, no graded exercise, no rule."""
    missing = []
    for item in coverages:
        if item.taught is None:
            missing.append(f"{item.kind}: no lesson anchors it (add <a id=\""
                           f"{anchor_names(item.kind)[1]}\"></a> where it is taught)")
        if not item.exercises:
            missing.append(f"{item.kind}: no graded exercise")
        if not item.rules:
            missing.append(f"{item.kind}: no rule fires on it in a Bad or parity example")
    return missing


def _lesson_link(facts: Facts, anchor: Anchor) -> str:
    where = facts.lessons.get(anchor.lesson, anchor.lesson)
    return f"[{where} › {anchor.heading or anchor.anchor}]({anchor.link})"


def _exercise(facts: Facts, exercise_id: str, kind: str) -> str:
    title, how = facts.exercises[exercise_id]
    return f"`{exercise_id}` ({title}): {how[kind]}"


def _parity_line(row: ParityRow) -> str:
    field = row.field.replace("|", "\\|")
    return f"- {row.kinds}, `{field}`: {row.refused} → {row.covered_by}"


def _section(facts: Facts, item: KindCoverage) -> list[str]:
    lines = ["", f"## {item.kind}", ""]
    lines.append("Taught in " + (_lesson_link(facts, item.taught) if item.taught
                                 else "**no lesson**") + ".")
    lines += ["", f"Graded exercises ({len(item.exercises)}):", ""]
    lines += [f"- {_exercise(facts, e, item.kind)}" for e in item.exercises] or ["- **none**"]
    lines += ["", f"Rules ({len(item.rules)}): "
              + (", ".join(f"[`{r}`](rules.md#{r})" for r in item.rules) or "**none**")]
    lines += ["", f"Parity checks ({len(item.parity)} rows of "
              "[validation-parity.md](validation-parity.md)):", ""]
    lines += [_parity_line(row) for row in item.parity] or ["- none beyond those of every kind"]
    return lines


def markdown(facts: Facts, coverages: list[KindCoverage]) -> str:
    """The whole page."""
    shared = [row for row in facts.parity if row.kinds in _SHARED_ROWS]
    lines = [
        "# Course coverage: the 24 kinds",
        "",
        f"<!-- Generated by `{COMMAND}`; do not edit. -->",
        "",
        "For each kind the course teaches: the lesson section that teaches it, the graded "
        "exercises whose starter, worked solution or checks hold it, the rules seen firing "
        "on it (in their own Bad examples or in the parity examples), and the rows of "
        "[validation-parity.md](validation-parity.md) that name it. Besides those rows, "
        f"{len(shared)} rows hold for every kind (names, labels, annotations). "
        "`tools/coverage.py` says how each column is read; `tests/test_coverage.py` fails "
        "when a kind has no lesson, no graded exercise or no rule.",
        "",
        "| Kind | Taught in | Exercises | Rules | Parity rows |",
        "|---|---|---|---|---|",
    ]
    for item in coverages:
        taught = (f"[{item.taught.lesson}#{item.taught.anchor}]({item.taught.link})"
                  if item.taught else "**none**")
        lines.append(f"| [{item.kind}](#{item.kind.lower()}) | {taught} | "
                     f"{len(item.exercises)} | {len(item.rules)} | {len(item.parity)} |")
    for item in coverages:
        lines += _section(facts, item)
    return "\n".join(lines) + "\n"


def main() -> int:
    facts = gather()
    sys.stdout.write(markdown(facts, coverage(facts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
