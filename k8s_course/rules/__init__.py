"""The rule catalogue: learner-oriented checks that look at the whole bundle.

A rule is a function registered with `@rule(id, severity, lesson)`. Its
docstring is its documentation and its test: a first line saying what it
catches, a paragraph saying why, and `Bad:` and `Good:` blocks of YAML (plus
an optional `Given:` block of objects both need, for cross-resource rules).
The rule reference page (`k8s-course rules --markdown`, docs/rules.md) and
the parametrised rule test are both made from them.

A rule yields findings made by `resource.finding(path, message, hint)`;
the runner stamps them with the rule's id, severity and lesson (a rule may
pass `severity=` to downgrade one finding, e.g. to info when it cannot tell).
"""

from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache

from ..bundle import Bundle
from ..findings import Finding, Severity

# One module per topic; the order is the order of the reference page.
TOPICS = ("anatomy", "names", "fields", "namespaces", "workloads", "services", "config",
          "storage", "rbac", "scaling")

RuleCheck = Callable[[Bundle], Iterable[Finding]]
_REGISTRY: dict[str, Rule] = {}
_EXAMPLE = re.compile(r"^(Given|Bad|Good):[ \t]*\n((?:[ \t]*\n|[ \t]+\S.*\n?)+)",
                      re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """One entry of the catalogue."""

    id: str
    severity: Severity
    lesson: str
    check: RuleCheck
    topic: str

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""

    @property
    def why(self) -> str:
        """The docstring between the summary and the first example."""
        body = self.doc.split("\n", 1)[1] if "\n" in self.doc else ""
        return re.split(r"^(?:Given|Bad|Good):", body, maxsplit=1, flags=re.MULTILINE)[0].strip()

    def blocks(self, which: str) -> list[str]:
        """The YAML of the docstring's `Given:`, `Bad:` or `Good:` blocks, as written."""
        return [textwrap.dedent(block).strip() + "\n"
                for label, block in _EXAMPLE.findall(self.doc + "\n") if label == which]

    def examples(self, which: str) -> list[str]:
        """Whole answers for `Bad` or `Good`: the `Given:` objects, then the example.

        `Given:` holds the objects a cross-resource example needs on both
        sides (the Deployment a Service selects), so each example shows only
        what differs.
        """
        given = "".join(block + "---\n" for block in self.blocks("Given"))
        return [given + block for block in self.blocks(which)]


def rule(id: str, severity: Severity | str, lesson: str) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule function under a stable kebab-case id."""

    def register(check: RuleCheck) -> RuleCheck:
        if id in _REGISTRY:
            raise ValueError(f"rule id {id!r} is registered twice")
        topic = check.__module__.rpartition(".")[2]
        _REGISTRY[id] = Rule(id, Severity(severity), lesson, check, topic)
        return check

    return register


@cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, in catalogue order (topic, then definition order)."""
    for topic in TOPICS:
        importlib.import_module(f"{__name__}.{topic}")
    order = {topic: i for i, topic in enumerate(TOPICS)}
    return tuple(sorted(_REGISTRY.values(), key=lambda r: order.get(r.topic, len(order))))


def get(rule_id: str) -> Rule:
    """A rule by id; KeyError when no rule has it (the CLI suggests close ones)."""
    rules = {r.id: r for r in all_rules()}
    if rule_id not in rules:
        raise KeyError(f"no rule {rule_id!r}")
    return rules[rule_id]


def run(bundle: Bundle) -> list[Finding]:
    """Every rule's findings on the bundle, stamped with the rule's identity."""
    found: list[Finding] = []
    for entry in all_rules():
        try:
            for finding in entry.check(bundle):
                found.append(replace(
                    finding, rule=entry.id, severity=finding.severity or entry.severity,
                    lesson=finding.lesson or entry.lesson))
        except Exception as error:  # a bug in one rule must not cost the learner the rest
            found.append(Finding(
                "checker-bug", Severity.INFO,
                f"the rule {entry.id} could not check this answer ({type(error).__name__}); "
                "this is a bug in the checker, not in your YAML",
                "the other checks still ran; please report it to the course team"))
    return found
