"""The catalogue's registry: `@rule` and what it records about each rule.

Rule modules import `rule` from here, and the package imports the rule
modules; keeping the registry apart means no rule module imports the
package that loads it.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..bundle import Bundle
from ..findings import Finding, Severity

RuleCheck = Callable[[Bundle], Iterable[Finding]]
REGISTRY: dict[str, Rule] = {}
# `Bad (error):` names the severity the Bad example must get, so the docstring,
# not only the decorator, says how bad the mistake is.
_EXAMPLE = re.compile(r"^(Given|Bad|Good)(?: \((error|warning|info)\))?:[ \t]*\n"
                      r"((?:[ \t]*\n|[ \t]+\S.*\n?)+)", re.MULTILINE)


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
        return re.split(r"^(?:Given|Bad|Good)(?: \(\w+\))?:", body, maxsplit=1,
                        flags=re.MULTILINE)[0].strip()

    def blocks(self, which: str) -> list[str]:
        """The YAML of the docstring's `Given:`, `Bad:` or `Good:` blocks, as written."""
        return [textwrap.dedent(block).strip() + "\n"
                for label, _, block in _EXAMPLE.findall(self.doc + "\n") if label == which]

    @property
    def documented_severities(self) -> set[Severity]:
        """The severities the docstring's `Bad (severity):` headers name."""
        return {Severity(severity) for label, severity, _ in _EXAMPLE.findall(self.doc + "\n")
                if label == "Bad" and severity}

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
        if id in REGISTRY:
            raise ValueError(f"rule id {id!r} is registered twice")
        topic = check.__module__.rpartition(".")[2]
        REGISTRY[id] = Rule(id, Severity(severity), lesson, check, topic)
        return check

    return register
